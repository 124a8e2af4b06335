r"""Classification losses: negative log-likelihood and cross-entropy.

讲解见站点页面「Softmax 与交叉熵」（docs/classification/softmax-cross-entropy.md）。

A classifier outputs one score (logit) per class. Training asks: how much probability did the
model give the *true* class? The loss is minus its log,

$$
\ell = -\log p_y = -\log \operatorname{softmax}(x)_y = -x_y + \log \sum_c e^{x_c}.
$$

The module builds this in two steps, exactly as PyTorch splits it:

* ``nll_loss`` takes **log-probabilities** and only *picks* $-\log p_y$ for each sample
  (with ``gather``), weights it and averages; it does no softmax of its own;
* ``cross_entropy`` takes raw **scores**, applies ``log_softmax`` and then ``nll_loss``.
  It also accepts class *probabilities* as targets, and label smoothing.

Both are written as the page derives them (the reference form). One fast form follows, in a
marked section at the end, because it is itself a lesson: for a batch of class indices without
weights, label smoothing or ignored targets, ``cross_entropy`` is one ``autograd.Function`` whose
backward is the gradient the page derives, $\operatorname{softmax}(x) - \text{one-hot}(y)$.
``tests/functional/test_classification.py`` proves it equal to the composition: values,
gradients and second derivatives.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from dlref.functional._validation import (
    check_floating,
    check_int,
    check_number,
    check_reduction,
    check_tensor,
    legacy_reduction,
)
from dlref.functional.softmax import log_softmax, softmax

__all__ = ["cross_entropy", "nll_loss"]

# Class-index targets may be int64 (the usual dtype) or uint8: the two PyTorch accepts.
_INDEX_DTYPES = (torch.int64, torch.uint8)


# ----------------------------------------------------------------------------------------------
# Input checks: one clear message per mistake
# ----------------------------------------------------------------------------------------------
def _expected_target_shape(input: Tensor) -> tuple[int, ...]:
    """Target shape for class indices: the input shape without the class dimension."""
    if input.dim() == 1:
        return ()  # unbatched: input (C,), one class index
    return (input.shape[0], *input.shape[2:])  # (N, C, d1, ...) -> (N, d1, ...)


def _check_input(input: Tensor, name: str) -> None:
    check_floating(input, "input")
    if input.dim() == 0:
        raise ValueError(
            f"{name}: input must have a class dimension: shape (C,), (N, C) or "
            f"(N, C, d1, ...); got a 0-d tensor"
        )


def _check_weight(weight: Tensor | None, num_classes: int, input: Tensor, exact: bool) -> None:
    """``weight`` must hold one floating-point number per class (same dtype as ``input`` when
    ``exact``, as PyTorch requires for class-index targets)."""
    if weight is None:
        return
    check_floating(weight, "weight")
    if weight.dim() != 1 or weight.shape[0] != num_classes:
        raise ValueError(
            f"weight must have shape ({num_classes},), one weight per class of input "
            f"{tuple(input.shape)}; got weight of shape {tuple(weight.shape)}"
        )
    if exact and weight.dtype != input.dtype:
        raise TypeError(f"weight dtype {weight.dtype} must match input dtype {input.dtype}")


def _check_index_target(input: Tensor, target: Tensor) -> Tensor:
    """Check dtype and shape of class-index targets; return the target (unbatched: 0-d)."""
    if target.dtype not in _INDEX_DTYPES:
        hint = ""
        if target.is_floating_point():
            hint = (
                f"; to give class probabilities instead, target must have the input's shape "
                f"{tuple(input.shape)}"
            )
        raise TypeError(
            f"target of class indices must have dtype torch.int64 (or torch.uint8), "
            f"got {target.dtype}{hint}"
        )
    expected = _expected_target_shape(input)
    if input.dim() == 1 and tuple(target.shape) == (1,):
        target = target.reshape(())  # PyTorch also accepts one index in a 1-element tensor
    if tuple(target.shape) != expected:
        raise ValueError(
            f"target shape {tuple(target.shape)} does not match input shape "
            f"{tuple(input.shape)}: class-index targets must have shape {expected} "
            f"(the input shape without the class dimension)"
        )
    return target.long()  # compare with ignore_index (e.g. -100) in int64, never in uint8


def _check_in_range(
    index: Tensor, target: Tensor, ignored: Tensor, num_classes: int, ignore_index: int
) -> None:
    """Every class index that is not ignored must name one of the ``num_classes`` classes.

    ``index`` is the target with ignored entries set to 0. Its minimum and maximum (one
    reduction) decide; only when one is out of range is the offending target looked up.
    """
    if index.numel() == 0:
        return
    low, high = torch.aminmax(index)
    if low < 0 or high >= num_classes:
        bad = ~ignored & ((target < 0) | (target >= num_classes))
        value = int(target[bad].flatten()[0])
        raise IndexError(
            f"target contains class index {value}, out of range for input with {num_classes} "
            f"classes: class indices must be in [0, {num_classes - 1}] "
            f"(or equal ignore_index={ignore_index})"
        )


def _true_class_weight(
    weight: Tensor | None, index: Tensor, ignored: Tensor, dtype: torch.dtype
) -> Tensor:
    r"""$w_{y_n}$ for every target: ``weight[y]`` (1 without ``weight``), and 0 where ignored."""
    if weight is None:
        return ignored.logical_not().to(dtype)
    return weight[index].masked_fill(ignored, 0.0)


# ----------------------------------------------------------------------------------------------
# nll_loss
# ----------------------------------------------------------------------------------------------
def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    r"""Negative log-likelihood loss: pick $-\text{input}[y]$, weight it, reduce.

    ``input`` must already hold **log-probabilities** (e.g. the output of
    [`log_softmax`][dlref.functional.log_softmax]). For sample $n$ with class $y_n$:

    $$
    \ell_n = -w_{y_n}\, x_{n, y_n}, \qquad
    \ell = \begin{cases}
      \dfrac{\sum_n \ell_n}{\sum_n w_{y_n}} & \text{reduction='mean'} \\[1ex]
      \sum_n \ell_n & \text{reduction='sum'}
    \end{cases}
    $$

    where $w_c$ is ``weight[c]`` (1 without ``weight``), and samples with
    $y_n = \text{ignore\_index}$ are left out of both sums (their ``'none'`` loss is 0).

    Parameters
    ----------
    input : Tensor
        Log-probabilities, floating point, shape $(C)$, $(N, C)$ or $(N, C, d_1, \dots, d_K)$.
    target : Tensor
        Class indices in $[0, C)$ (or ``ignore_index``), dtype ``torch.int64`` (or ``uint8``),
        shape $()$, $(N)$ or $(N, d_1, \dots, d_K)$.
    weight : Tensor, optional
        A weight per class, shape $(C)$, same dtype as ``input``. Default: all ones.
    size_average : bool, optional
        Deprecated (use ``reduction``); mapped to ``reduction`` as PyTorch does, with a warning.
    ignore_index : int, default -100
        Targets equal to it contribute nothing to the loss, the gradient, or the ``'mean'``
        denominator.
    reduce : bool, optional
        Deprecated (use ``reduction``); mapped to ``reduction`` as PyTorch does, with a warning.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        ``'none'``: the loss per element, shape of ``target``; ``'sum'``: their sum;
        ``'mean'``: their sum divided by the sum of the weights of the non-ignored targets.

    Returns
    -------
    Tensor
        A scalar, or shape of ``target`` for ``reduction='none'``.

    Raises
    ------
    TypeError
        ``input`` or ``weight`` not floating point, ``weight`` of another dtype than
        ``input``, ``target`` not an integer (int64/uint8) tensor, or ``ignore_index`` not an
        integer.
    ValueError
        0-d ``input``, ``target`` shape not the input shape without the class dimension,
        ``weight`` not of shape $(C)$, or an invalid ``reduction``.
    IndexError
        A target (other than ``ignore_index``) outside $[0, C)$; the message names $C$.

    Notes
    -----
    Shape: input $(C)$, $(N, C)$ or $(N, C, d_1, \dots, d_K)$; target $()$, $(N)$ or
    $(N, d_1, \dots, d_K)$; output a scalar, or the target's shape with ``reduction='none'``.

    ``'mean'`` of an empty batch, or of a batch whose targets are all ignored, is
    $0/0 = \text{NaN}$, as in PyTorch. Unlike PyTorch, the loss is also differentiable with
    respect to ``weight`` (PyTorch refuses a ``weight`` that requires grad).

    See Also
    --------
    torch.nn.functional.nll_loss : the PyTorch equivalent.
    cross_entropy : ``nll_loss(log_softmax(x, 1), y)`` in one call, from raw scores.

    Examples
    --------
    >>> import torch
    >>> import dlref.functional as F
    >>> log_p = torch.log(torch.tensor([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]))
    >>> y = torch.tensor([0, 2])
    >>> F.nll_loss(log_p, y, reduction="none")  # -log 0.7, -log 0.8
    tensor([0.3567, 0.2231])
    >>> torch.allclose(F.nll_loss(log_p, y), torch.nn.functional.nll_loss(log_p, y))
    True
    >>> F.nll_loss(log_p, torch.tensor([0, -100]), reduction="none")  # second one ignored
    tensor([0.3567, 0.0000])
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    _check_input(input, "nll_loss")
    check_tensor(target, "target")
    ignore_index = check_int(ignore_index, "ignore_index")
    target = _check_index_target(input, target)
    unbatched = input.dim() == 1
    if unbatched:  # treat (C,) as a batch of one: (1, C) and target (1,)
        input, target = input.unsqueeze(0), target.unsqueeze(0)
    _check_weight(weight, input.shape[1], input, exact=True)
    ignored = target == ignore_index
    # An ignored target may be any number (-100 by default): point it at class 0 so that
    # gather stays in range; its loss and weight are set to 0.
    index = target.masked_fill(ignored, 0)
    _check_in_range(index, target, ignored, input.shape[1], ignore_index)
    # gather picks x[n, y_n, d...] along the class dimension: the true class's log-probability
    picked = input.gather(1, index.unsqueeze(1)).squeeze(1)
    w = _true_class_weight(weight, index, ignored, input.dtype)  # w_{y_n}, 0 where ignored
    # masked_fill, not a product with w = 0: an ignored entry's picked value may be -inf
    loss = (-w * picked).masked_fill(ignored, 0.0)  # l_n = -w_{y_n} x_{n, y_n}
    if unbatched:
        loss, w = loss.squeeze(0), w.squeeze(0)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / w.sum()  # a weighted mean; 0/0 = NaN when all are ignored, as in torch


# ----------------------------------------------------------------------------------------------
# cross_entropy
# ----------------------------------------------------------------------------------------------
def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    r"""Cross-entropy between the softmax of the scores and the targets.

    With **class indices** $y_n$ it is ``nll_loss(log_softmax(input, 1), target)``:

    $$
    \ell_n = -w_{y_n} \log \frac{e^{x_{n,y_n}}}{\sum_{c} e^{x_{n,c}}}
           = w_{y_n}\Bigl(\log \sum_c e^{x_{n,c}} - x_{n, y_n}\Bigr),
    $$

    reduced like [`nll_loss`][dlref.functional.nll_loss] (``'mean'`` divides by
    $\sum_n w_{y_n}$ over non-ignored targets). With **class probabilities** $q_{n,c}$ (a float
    target of the input's shape):

    $$
    \ell_n = -\sum_c w_c\, q_{n,c} \log \operatorname{softmax}(x_n)_c ,
    $$

    and ``'mean'`` divides by the number of samples $N \cdot d_1 \cdots d_K$ (not by weights).

    **Label smoothing** $\varepsilon$ mixes the target with the uniform distribution,
    $q \leftarrow (1-\varepsilon)\,q + \varepsilon / C$. For class indices this is computed as
    PyTorch does:

    $$
    \ell = (1-\varepsilon)\,\ell^{\text{nll}}
         + \frac{\varepsilon}{C}\, \ell^{\text{smooth}}, \qquad
    \ell^{\text{smooth}}_n = -\sum_c w_c \log \operatorname{softmax}(x_n)_c ,
    $$

    where $\ell^{\text{smooth}}_n$ is 0 for ignored targets and, for ``'mean'``, is summed and
    divided by the same $\sum_n w_{y_n}$ as $\ell^{\text{nll}}$.

    Parameters
    ----------
    input : Tensor
        Raw scores (logits), not probabilities: shape $(C)$, $(N, C)$ or
        $(N, C, d_1, \dots, d_K)$, floating point.
    target : Tensor
        Either class indices, dtype ``torch.int64`` (or ``uint8``), shape $()$, $(N)$ or
        $(N, d_1, \dots, d_K)$; or class probabilities, floating point, the same shape as
        ``input`` (each slice along the class dimension is a distribution).
    weight : Tensor, optional
        A weight per class, shape $(C)$; with class-index targets, the same dtype as ``input``.
        Default: all ones.
    size_average : bool, optional
        Deprecated (use ``reduction``); mapped to ``reduction`` as PyTorch does, with a warning.
    ignore_index : int, default -100
        For class indices: targets equal to it are left out. With probability targets it must
        stay negative (PyTorch has nothing to ignore there).
    reduce : bool, optional
        Deprecated (use ``reduction``); mapped to ``reduction`` as PyTorch does, with a warning.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        How to reduce the per-sample losses (see above).
    label_smoothing : float, default 0.0
        $\varepsilon \in [0, 1]$: the amount of probability spread uniformly over all classes.

    Returns
    -------
    Tensor
        A scalar, or shape $()$, $(N)$ or $(N, d_1, \dots, d_K)$ for ``reduction='none'``.

    Raises
    ------
    TypeError
        ``input`` or ``weight`` not floating point, ``weight`` of another dtype than ``input``
        (class-index targets), ``target`` neither integer class indices nor floating-point
        probabilities of the input's shape, ``ignore_index`` not an integer, or
        ``label_smoothing`` not a real number.
    ValueError
        0-d ``input``, wrong ``target`` shape, ``weight`` not of shape $(C)$, invalid
        ``reduction``, ``label_smoothing`` outside $[0, 1]$, or a non-negative
        ``ignore_index`` with probability targets.
    IndexError
        A class index (other than ``ignore_index``) outside $[0, C)$; the message names $C$.

    Notes
    -----
    Shape: input $(C)$, $(N, C)$ or $(N, C, d_1, \dots, d_K)$; target as described above;
    output a scalar, or the input shape without the class dimension with
    ``reduction='none'``.

    The gradient with respect to the scores of sample $n$ (divided by the ``'mean'``
    denominator) is $w_{y_n}\bigl(\operatorname{softmax}(x_n) - \text{one-hot}(y_n)\bigr)$ for a
    class index, and $\bigl(\sum_c w_c q_{n,c}\bigr)\operatorname{softmax}(x_n) - w \odot q_n$
    for probabilities $q_n$ (with $w = 1$ without ``weight``, and $q$ the smoothed target
    with ``label_smoothing``; for class indices smoothing adds
    $\frac{\varepsilon}{C}\bigl((\sum_c w_c)\operatorname{softmax}(x_n) - w\bigr)$, the first
    term scaled by $1 - \varepsilon$).

    Differences from PyTorch: a negative ``label_smoothing`` raises ``ValueError`` (PyTorch
    silently treats it as 0).

    See Also
    --------
    torch.nn.functional.cross_entropy : the PyTorch equivalent.
    nll_loss : the second half of the computation, for log-probabilities.

    Examples
    --------
    >>> import torch
    >>> import dlref.functional as F
    >>> x = torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    >>> y = torch.tensor([0, 1])
    >>> round(F.cross_entropy(x, y).item(), 4)
    0.3185
    >>> torch.allclose(F.cross_entropy(x, y), F.nll_loss(F.log_softmax(x, dim=1), y))
    True
    >>> torch.allclose(F.cross_entropy(x, y, label_smoothing=0.1),
    ...                torch.nn.functional.cross_entropy(x, y, label_smoothing=0.1))
    True
    >>> q = torch.tensor([[0.9, 0.1, 0.0], [0.0, 1.0, 0.0]])  # class probabilities
    >>> torch.allclose(F.cross_entropy(x, q), torch.nn.functional.cross_entropy(x, q))
    True
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    _check_input(input, "cross_entropy")
    check_tensor(target, "target")
    ignore_index = check_int(ignore_index, "ignore_index")
    label_smoothing = check_number(label_smoothing, "label_smoothing")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing}")
    class_dim = 0 if input.dim() == 1 else 1
    num_classes = input.shape[class_dim]

    if target.shape == input.shape:  # class probabilities: -sum_c w_c q_c log p_c
        if not target.is_floating_point():
            raise TypeError(
                f"target has the input's shape {tuple(input.shape)}, so it is read as class "
                f"probabilities, which must be floating point; got {target.dtype}. For class "
                f"indices, target must have shape {_expected_target_shape(input)}"
            )
        _check_weight(weight, num_classes, input, exact=False)
        return _cross_entropy_probs(
            input, target, weight, ignore_index, reduction, label_smoothing, class_dim
        )
    if weight is None and label_smoothing == 0.0 and class_dim == 1:
        # The usual call may take the fast form at the end of this module (the gradient
        # softmax - one-hot, written out); it is tested equal to the two steps below.
        index = _check_index_target(input, target)
        if _all_kept(index, num_classes, ignore_index):
            fused: Tensor = _CrossEntropy.apply(input, index, reduction)  # type: ignore[no-untyped-call]
            return fused

    log_p = log_softmax(input, dim=class_dim)  # step 1: scores -> log-probabilities
    loss = nll_loss(log_p, target, weight, ignore_index=ignore_index, reduction=reduction)  # 2
    if label_smoothing == 0.0:
        return loss
    smooth = _uniform_target_loss(log_p, target, weight, ignore_index, reduction)
    return (1 - label_smoothing) * loss + label_smoothing / num_classes * smooth


def _uniform_target_loss(
    log_p: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int, reduction: str
) -> Tensor:
    r"""Label smoothing's extra term $\ell^{\text{smooth}}_n = -\sum_c w_c \log p_{n,c}$.

    0 for ignored targets; ``'mean'`` divides by $\sum_n w_{y_n}$, the same denominator as
    ``nll_loss`` (as PyTorch computes it). ``target`` was checked by ``nll_loss``.
    """
    unbatched = log_p.dim() == 1
    if unbatched:  # as a batch of one
        log_p, target = log_p.unsqueeze(0), target.reshape(1)
    target = target.long()
    ignored = target == ignore_index
    index = target.masked_fill(ignored, 0)
    if weight is None:
        smooth = -log_p.sum(dim=1)  # -sum_c log p_c
    else:
        shape = [1] * log_p.dim()
        shape[1] = -1
        smooth = -(log_p * weight.view(shape)).sum(dim=1)  # -sum_c w_c log p_c
    smooth = smooth.masked_fill(ignored, 0.0)
    if reduction == "none":
        return smooth.squeeze(0) if unbatched else smooth
    if reduction == "sum":
        return smooth.sum()
    return smooth.sum() / _true_class_weight(weight, index, ignored, log_p.dtype).sum()


def _cross_entropy_probs(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None,
    ignore_index: int,
    reduction: str,
    label_smoothing: float,
    class_dim: int,
) -> Tensor:
    r"""Cross-entropy against class probabilities: $-\sum_c w_c\, q_c \log p_c$ per sample."""
    if ignore_index >= 0:
        raise ValueError(
            f"ignore_index={ignore_index} is not supported with class-probability targets "
            f"(float target of the input's shape); leave it at its default -100"
        )
    num_classes = input.shape[class_dim]
    log_p = log_softmax(input, dim=class_dim)
    if label_smoothing > 0.0:
        target = target * (1 - label_smoothing) + label_smoothing / num_classes
    terms = log_p * target
    if weight is not None:
        shape = [1] * input.dim()
        shape[class_dim] = num_classes
        terms = terms * weight.view(shape)
    if reduction == "none":
        return -terms.sum(dim=class_dim)
    if reduction == "sum":
        return -terms.sum()
    # 'mean': over samples (every position but the class one), not over weights.
    num_samples = input.numel() // num_classes if num_classes > 0 else 0
    return -terms.sum() / num_samples  # an empty batch gives 0/0 = NaN, as in PyTorch


# ----------------------------------------------------------------------------------------------
# Fast form (a lesson): cross-entropy whose backward is softmax - one-hot
# ----------------------------------------------------------------------------------------------
def _all_kept(target: Tensor, num_classes: int, ignore_index: int) -> bool:
    """Whether every target is a class in ``[0, num_classes)`` and none is ignored.

    One reduction decides: when ``ignore_index`` lies outside the classes (the default -100
    does), a target in range cannot equal it, so the smallest and largest target settle both
    questions. Otherwise (and for an empty target) the two steps decide, with their masks.
    """
    if 0 <= ignore_index < num_classes or target.numel() == 0:
        return False
    low, high = torch.aminmax(target)
    return int(low) >= 0 and int(high) < num_classes


class _CrossEntropy(torch.autograd.Function):
    r"""Cross-entropy for class indices, no weights, nothing ignored: the page's gradient.

    The forward is the loss in its log-sum-exp form, shifted by $m = \max_c x_{n,c}$,
    $\ell_n = \log \sum_c e^{x_{n,c} - m} - (x_{n,y_n} - m)$; the backward is the gradient
    the page derives,

    $$
    \frac{\partial \ell_n}{\partial x_{n,c}} = \operatorname{softmax}(x_n)_c - [c = y_n],
    $$

    times the incoming gradient (divided by the number of samples for ``'mean'``). Composed as
    ``nll_loss(log_softmax(x))``, autograd walks back through every step: ``gather``'s
    backward fills a zero tensor of the input's size and scatters $-g$ into it, then
    ``log_softmax``'s backward sums that tensor and combines it with the softmax. Here the
    backward is the formula itself, in two passes over the input's size: the softmax times
    $g$, then $-g$ added at each true class (the one-hot is 0 everywhere else, so it is never
    built). The softmax reuses the forward's $e^{x - m}$ and its row sums, so the loss takes
    one exp, not two (the exp is its costliest step). For double backward
    (``create_graph=True``) the softmax is recomputed with dlref's ``softmax``, which autograd
    can differentiate again; the saved one is a constant to autograd.
    """

    @staticmethod
    def forward(ctx: Any, input: Tensor, target: Tensor, reduction: str) -> Tensor:
        index = target.unsqueeze(1)  # (N, 1, d...): the true class of each sample
        # -log p_y = logsumexp(x) - x_y, both shifted by m = max_c x_c: x_y - m is exact,
        # where logsumexp(x) - x_y would cancel digits of two large numbers
        shifted = input - input.amax(dim=1, keepdim=True)
        e = torch.exp(shifted)  # e^{x - m}: the loss's one exp, kept for the backward
        total = e.sum(dim=1, keepdim=True)  # sum_c e^{x_c - m}, so softmax(x) = e / total
        loss = torch.log(total).squeeze(1) - shifted.gather(1, index).squeeze(1)
        ctx.save_for_backward(input, index, e, total)
        ctx.reduction = reduction
        if reduction == "none":
            return loss
        return loss.sum() if reduction == "sum" else loss.mean()

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        input, index, e, total = ctx.saved_tensors
        if ctx.reduction == "none":
            g = grad.unsqueeze(1)  # one factor per sample, broadcast over the classes
        else:
            g = grad / index.numel() if ctx.reduction == "mean" else grad
        if torch.is_grad_enabled():  # backward(create_graph=True) differentiates this
            e, total = softmax(input, dim=1), torch.ones_like(total)  # again: from the input
        p_g = e * (g / total)  # softmax(x) g = e / total * g, the division folded into g
        # (softmax - one-hot) g: the one-hot is 1 only at each sample's true class, so
        # subtract g there, without building the one-hot. In place, because p_g is new and
        # nothing else holds it.
        return p_g.scatter_add_(1, index, (-g).expand(index.shape)), None, None
