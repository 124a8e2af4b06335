r"""Softmax, log-softmax and log-sum-exp: from scores to a probability distribution, stably.

讲解见站点页面「Softmax 与交叉熵」（docs/classification/softmax-cross-entropy.md）。

The whole module rests on one identity. For any constant $c$,

$$
\log \sum_k e^{z_k} = c + \log \sum_k e^{z_k - c},
$$

and choosing $c = \max_k z_k$ makes every exponent $\le 0$, so no $e^{z}$ can overflow and the
largest term is exactly $e^0 = 1$, so the sum cannot underflow to 0 either. The three functions
below are this identity, read three ways:

* ``logsumexp`` computes the left-hand side;
* ``log_softmax`` is $z_j - \operatorname{logsumexp}(z)$;
* ``softmax`` is $e^{z_j - c} / \sum_k e^{z_k - c}$, the same shift applied before ``exp``.

``softmax`` and ``log_softmax`` are small ``torch.autograd.Function`` classes: ``forward`` is
the shifted formula above, and ``backward`` is the vector-Jacobian product derived on the page,

$$
\frac{\partial \ell}{\partial z_j} = \sum_i g_i \frac{\partial p_i}{\partial z_j}
= \sum_i g_i\, p_i (\delta_{ij} - p_j) = p_j \Bigl(g_j - \sum_k g_k p_k\Bigr)
\text{ (softmax)},
$$

$$
\frac{\partial \ell}{\partial z_j} = \sum_i g_i\, (\delta_{ij} - p_j) = g_j - p_j \sum_k g_k
\text{ (log-softmax)},
$$

with $p = \operatorname{softmax}(z)$ the output, $g$ the incoming gradient (with respect to
$p$, or to $\log p$ for log-softmax) and $\partial \log p_i / \partial z_j = \delta_{ij} - p_j$
the log-softmax Jacobian. Both are written with plain, out-of-place torch operations on the
saved output, so autograd can differentiate them again (second derivatives). Left to
autograd, the forward formula would cost a node per primitive (subtract, exp, sum, divide) and
a pass over memory for each of their gradients; written out, the backward is a product, a row
sum and one more product. ``logsumexp`` is left to autograd.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor

from dlref.functional._validation import check_floating, check_int, check_tensor

__all__ = ["log_softmax", "logsumexp", "softmax"]


# ----------------------------------------------------------------------------------------------
# Which dimension? PyTorch's legacy rule for `dim=None`
# ----------------------------------------------------------------------------------------------
def _implicit_dim(name: str, ndim: int, stacklevel: int) -> int:
    """The dimension PyTorch picks when ``dim`` is omitted, with PyTorch's deprecation warning.

    Old code called ``F.softmax(x)`` without ``dim``. PyTorch still accepts it and guesses: the
    only dimension of a 0-d or 1-d tensor, dimension 0 of a 3-d tensor (an unbatched image
    ``(C, H, W)``), and dimension 1 otherwise (the class dimension of ``(N, C, ...)``). The guess
    is often wrong, so it warns; always pass ``dim``.
    """
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. "
        "Change the call to include dim=X as an argument.",
        UserWarning,
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def _prepare(
    name: str, input: Tensor, dim: int | None, stacklevel: int, dtype: torch.dtype | None
) -> tuple[Tensor, int]:
    """Shared checks of softmax and log_softmax: cast to ``dtype``, resolve and check ``dim``."""
    check_tensor(input, "input")
    if dtype is not None:
        if not dtype.is_floating_point:
            raise TypeError(f"{name}: dtype must be a floating-point dtype, got {dtype}")
        input = input.to(dtype)  # PyTorch casts *before* computing: useful for float16 inputs
    check_floating(input, "input")
    if dim is None:
        # +1: the warning should point at the caller of softmax, not at this helper.
        dim = _implicit_dim(name, input.dim(), stacklevel + 1)
    dim = check_int(dim, f"{name}: dim")
    rank = max(input.dim(), 1)  # a 0-d tensor accepts dim 0 and -1, like PyTorch
    if not -rank <= dim < rank:
        raise IndexError(
            f"{name}: dim {dim} is out of range for a tensor with {input.dim()} dimension(s) "
            f"of shape {tuple(input.shape)}; expected dim in [{-rank}, {rank - 1}]"
        )
    return input, dim


def _shift(input: Tensor, dim: int) -> Tensor:
    r"""$z - \max(z)$ along ``dim``.

    Softmax does not change when a constant is added to every score, so subtracting the max
    changes nothing mathematically, only numerically: every exponent becomes $\le 0$. Only the
    ``forward`` of the two ``autograd.Function`` classes below calls it; their backward is
    written out and does not involve the max.

    A row whose max is infinite is left as PyTorch leaves it: ``-inf - (-inf)`` and
    ``inf - inf`` are NaN, so an all ``-inf`` row (and a row containing ``+inf``) comes out
    NaN, exactly as ``torch.softmax`` gives.
    """
    if input.numel() == 0:
        return input.clone()  # amax of an empty dimension is undefined; nothing to shift
    return input - input.amax(dim=dim, keepdim=True)


class _Softmax(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, z: Tensor, dim: int) -> Tensor:
        e = torch.exp(_shift(z, dim))  # e^{z - m}: every exponent <= 0, the largest exactly 1
        p = e / e.sum(dim=dim, keepdim=True)  # normalise: the slice sums to 1
        ctx.save_for_backward(p)
        ctx.dim = dim
        return p

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        (p,) = ctx.saved_tensors
        dot = (grad * p).sum(dim=ctx.dim, keepdim=True)  # sum_k g_k p_k, one per slice
        return p * (grad - dot), None  # p_j (g_j - sum_k g_k p_k)


class _LogSoftmax(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, z: Tensor, dim: int) -> Tensor:
        shifted = _shift(z, dim)  # z - m: every entry <= 0, the max exactly 0
        # sum_k e^{z_k - m} is at least e^0 = 1, so its log lies in [0, log K]: safe.
        out = shifted - torch.log(torch.exp(shifted).sum(dim=dim, keepdim=True))
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        (out,) = ctx.saved_tensors
        p = torch.exp(out)  # p = e^{log p}: the softmax, from the output
        return grad - p * grad.sum(dim=ctx.dim, keepdim=True), None  # g_j - p_j sum_k g_k


# ----------------------------------------------------------------------------------------------
# softmax
# ----------------------------------------------------------------------------------------------
def softmax(
    input: Tensor,
    dim: int | None = None,
    _stacklevel: int = 3,
    dtype: torch.dtype | None = None,
) -> Tensor:
    r"""Turn scores (logits) into probabilities that are positive and sum to 1 along ``dim``.

    $$
    \operatorname{softmax}(z)_j = \frac{e^{z_j}}{\sum_k e^{z_k}}
                               = \frac{e^{z_j - m}}{\sum_k e^{z_k - m}},
    \qquad m = \max_k z_k .
    $$

    The second form is what is computed: the same value, but every exponent is $\le 0$, so
    logits of size $10^4$ give no ``inf``/``nan``.

    Parameters
    ----------
    input : Tensor
        Scores of any shape, floating point (or any dtype if ``dtype`` is given).
    dim : int, optional
        The dimension that sums to 1, usually the class dimension (``dim=1`` for $(N, C)$,
        ``dim=-1`` for the last). If omitted, PyTorch's deprecated implicit choice is used
        (0 for 0-d, 1-d and 3-d inputs, 1 otherwise) and a ``UserWarning`` is issued.
    _stacklevel : int, default 3
        Stack level of that warning (kept for signature compatibility with PyTorch).
    dtype : torch.dtype, optional
        If given, ``input`` is cast to it first (e.g. compute a float16 input in float32).

    Returns
    -------
    Tensor
        Same shape as ``input``; entries in $[0, 1]$ summing to 1 along ``dim``.

    Raises
    ------
    TypeError
        If ``input`` is not a tensor, or is not floating point (and no ``dtype`` is given), or
        ``dtype`` is not a floating-point dtype.
    IndexError
        If ``dim`` is out of range for ``input``.

    Notes
    -----
    Shape: input any shape $(*)$; output the same shape $(*)$.

    Infinite scores: a $-\infty$ score gets probability exactly 0. A slice whose scores are
    all $-\infty$ has no distribution to give and comes out NaN, as in PyTorch; a slice that
    contains $+\infty$ also comes out NaN, as in PyTorch. Everywhere PyTorch is finite, the
    values agree.

    See Also
    --------
    torch.nn.functional.softmax : the PyTorch equivalent.
    log_softmax : $\log \operatorname{softmax}$, computed without taking the log of a softmax.

    Examples
    --------
    >>> import torch
    >>> import dlref.functional as F
    >>> z = torch.tensor([[1.0, 2.0, 3.0], [1000.0, 1001.0, 1002.0]])
    >>> p = F.softmax(z, dim=1)
    >>> [round(v, 4) for v in p[0].tolist()]
    [0.09, 0.2447, 0.6652]
    >>> torch.equal(p[0], p[1])  # adding 999 to every score changes nothing
    True
    >>> torch.allclose(p, torch.softmax(z, dim=1))
    True
    """
    input, dim = _prepare("softmax", input, dim, _stacklevel, dtype)
    out: Tensor = _Softmax.apply(input, dim)  # type: ignore[no-untyped-call]
    return out


# ----------------------------------------------------------------------------------------------
# log_softmax
# ----------------------------------------------------------------------------------------------
def log_softmax(
    input: Tensor,
    dim: int | None = None,
    _stacklevel: int = 3,
    dtype: torch.dtype | None = None,
) -> Tensor:
    r"""Log-probabilities: $\log \operatorname{softmax}(z)$, computed without a ``log`` of 0.

    $$
    \log \operatorname{softmax}(z)_j = z_j - \log \sum_k e^{z_k}
                                    = (z_j - m) - \log \sum_k e^{z_k - m},
    \qquad m = \max_k z_k .
    $$

    Taking ``softmax(z).log()`` instead loses everything below the float range: a probability
    of $e^{-200}$ rounds to 0 in float32 and its log becomes ``-inf``. Here $z_j - m$ is
    computed directly, so the result is finite wherever $z_j - m$ is: for every finite input
    whose scores do not span more than the float range (in float32, scores $-3 \times 10^{38}$
    and $3 \times 10^{38}$ give $z_j - m = -\infty$, as in PyTorch).

    Parameters
    ----------
    input : Tensor
        Scores of any shape, floating point (or any dtype if ``dtype`` is given).
    dim : int, optional
        The class dimension. If omitted, PyTorch's deprecated implicit choice is used
        (0 for 0-d, 1-d and 3-d inputs, 1 otherwise) and a ``UserWarning`` is issued.
    _stacklevel : int, default 3
        Stack level of that warning (kept for signature compatibility with PyTorch).
    dtype : torch.dtype, optional
        If given, ``input`` is cast to it first.

    Returns
    -------
    Tensor
        Same shape as ``input``; entries $\le 0$ whose ``exp`` sums to 1 along ``dim``.

    Raises
    ------
    TypeError
        If ``input`` is not a tensor, or is not floating point (and no ``dtype`` is given), or
        ``dtype`` is not a floating-point dtype.
    IndexError
        If ``dim`` is out of range for ``input``.

    Notes
    -----
    Shape: input any shape $(*)$; output the same shape $(*)$.

    A $-\infty$ score gets log-probability $-\infty$. A slice of all $-\infty$ scores, or one
    that contains $+\infty$, comes out NaN, as in PyTorch.

    See Also
    --------
    torch.nn.functional.log_softmax : the PyTorch equivalent.
    nll_loss : expects exactly this as its input.

    Examples
    --------
    >>> import torch
    >>> import dlref.functional as F
    >>> z = torch.tensor([0.0, 200.0])
    >>> F.log_softmax(z, dim=0).tolist()
    [-200.0, 0.0]
    >>> torch.softmax(z, dim=0).log().tolist()  # the naive way loses the small probability
    [-inf, 0.0]
    >>> torch.allclose(F.log_softmax(z, dim=0), torch.log_softmax(z, dim=0))
    True
    """
    input, dim = _prepare("log_softmax", input, dim, _stacklevel, dtype)
    out: Tensor = _LogSoftmax.apply(input, dim)  # type: ignore[no-untyped-call]
    return out


# ----------------------------------------------------------------------------------------------
# logsumexp
# ----------------------------------------------------------------------------------------------
def logsumexp(input: Tensor, dim: int | Sequence[int], keepdim: bool = False) -> Tensor:
    r"""$\log \sum_k e^{z_k}$ over ``dim``, without overflow: a smooth maximum.

    $$
    \operatorname{logsumexp}(z) = m + \log \sum_k e^{z_k - m}, \qquad m = \max_k z_k .
    $$

    It lies between $\max_k z_k$ and $\max_k z_k + \log K$ ($K$ terms), which is why it is
    called a smooth maximum; its gradient is $\operatorname{softmax}(z)$.

    Parameters
    ----------
    input : Tensor
        Any shape. Integer and bool inputs are converted to the default float dtype, like
        PyTorch.
    dim : int or sequence of int
        The dimension(s) to reduce.
    keepdim : bool, default False
        Keep the reduced dimensions with size 1.

    Returns
    -------
    Tensor
        ``input`` with the dimensions in ``dim`` reduced (or kept with size 1).

    Raises
    ------
    TypeError
        If ``input`` is not a tensor.
    IndexError
        If a dimension in ``dim`` is out of range.
    ValueError
        If ``dim`` is empty and ``keepdim=False`` on a tensor with dimensions (PyTorch fails
        there too; with ``keepdim=True`` an empty ``dim`` reduces every dimension, as in
        PyTorch).

    Notes
    -----
    Shape: input $(*)$; output $(*)$ without the dimensions in ``dim`` (size 1 with
    ``keepdim=True``).

    Infinities follow PyTorch: a slice of all $-\infty$ gives $-\infty$ (the log of an empty
    sum), a slice containing $+\infty$ gives $+\infty$. To get there, an infinite max is
    replaced by 0 before it is subtracted. Reducing an empty dimension gives $-\infty$.

    See Also
    --------
    torch.logsumexp : the PyTorch equivalent.

    Examples
    --------
    >>> import torch
    >>> import dlref.functional as F
    >>> z = torch.tensor([1000.0, 1000.0], dtype=torch.float64)
    >>> torch.log(torch.exp(z).sum()).item()  # naive: e^1000 overflows even float64
    inf
    >>> round(F.logsumexp(z, dim=0).item(), 4)  # 1000 + log 2
    1000.6931
    >>> F.logsumexp(torch.tensor([[float("-inf"), float("-inf")]]), dim=1).tolist()
    [-inf]
    """
    check_tensor(input, "input")
    if not input.is_floating_point() and not input.is_complex():
        input = input.to(torch.get_default_dtype())  # integers give a float result, as in torch
    dims = [
        check_int(d, "logsumexp: dim") for d in (dim if isinstance(dim, (list, tuple)) else [dim])
    ]
    if not dims and not keepdim and input.dim() > 0:
        # An empty dim reduces every dimension (amax, sum), but squeeze(()) would remove none:
        # the result would keep them. PyTorch fails here too; with keepdim=True, or on a 0-d
        # tensor, both reduce everything and agree.
        raise ValueError(
            "logsumexp: dim is empty with keepdim=False; name the dimension(s) to reduce "
            "(keepdim=True with an empty dim reduces all of them, as in PyTorch)"
        )
    rank = max(input.dim(), 1)
    for d in dims:
        if not -rank <= d < rank:
            raise IndexError(
                f"logsumexp: dim {d} is out of range for a tensor with {input.dim()} "
                f"dimension(s) of shape {tuple(input.shape)}; expected dim in [{-rank}, {rank - 1}]"
            )
    if input.numel() == 0:
        return input.exp().sum(dim=dims, keepdim=keepdim).log()  # empty sum: log 0 = -inf
    m = input.detach().amax(dim=dims, keepdim=True)
    # An infinite max cannot be subtracted (inf - inf = nan): use 0 there. Then an all -inf
    # slice gives log(0) = -inf and a slice with +inf gives log(inf) = inf, as in PyTorch.
    m = torch.where(m.isinf(), torch.zeros_like(m), m)
    out = (input - m).exp().sum(dim=dims, keepdim=True).log() + m
    return out if keepdim else out.squeeze(dims)
