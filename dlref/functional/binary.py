r"""Binary classification losses: binary cross-entropy on probabilities and on logits.

讲解见站点页面「逻辑回归」（docs/classification/logistic-regression.md）。

A binary classifier outputs the probability $p$ that the label is 1. Its loss is the negative
log-likelihood of the true label $y \in [0, 1]$:

$$
\ell(p, y) = -\bigl(y \log p + (1 - y) \log(1 - p)\bigr).
$$

``binary_cross_entropy`` takes $p$; it must clamp $\log 0 = -\infty$ (PyTorch clamps the logs at
$-100$). ``binary_cross_entropy_with_logits`` takes the logit $x$ with $p = \sigma(x)$ and never
forms $p$, so it needs no clamp and is exact for $|x|$ in the thousands: prefer it.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from dlref.functional._validation import (
    check_floating,
    check_reduction,
    check_same_shape,
    check_tensor,
    legacy_reduction,
)
from dlref.functional._validation import reduce as apply_reduction
from dlref.functional.activation import sigmoid

__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits"]

# PyTorch's bounds: the log is clamped at -100, and the gradient's denominator p (1 - p) at 1e-12.
# PyTorch's C++ constant is the float32 number nearest 1e-12 (9.99999996e-13); we use the same.
LOG_CLAMP = -100.0
EPSILON = float(torch.tensor(1e-12, dtype=torch.float32))


class _BinaryCrossEntropy(torch.autograd.Function):
    r"""Elementwise BCE with PyTorch's gradient.

    Autograd would differentiate the clamped logs: zero gradient wherever a log is clamped, and
    $-1/p$ (up to $10^{44}$ in float64) just above. PyTorch's backward instead uses the closed form
    $\partial \ell / \partial p = (p - y) / \max(p(1-p), 10^{-12})$, which is bounded by
    $10^{12}$ and still pushes a confident wrong prediction in the right direction. We do the same.
    With respect to the target it uses $\log(1 - p) - \log p$ without the clamp.
    """

    @staticmethod
    def forward(input: Tensor, target: Tensor) -> Tensor:
        log_p = torch.log(input).clamp_min(LOG_CLAMP)
        log_1mp = torch.log1p(-input).clamp_min(LOG_CLAMP)  # log(1 - p), accurate for tiny p
        return (target - 1) * log_1mp - target * log_p

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Tensor, Tensor], output: Tensor) -> None:
        ctx.save_for_backward(*inputs)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        input, target = ctx.saved_tensors
        grad_input = grad_target = None
        if ctx.needs_input_grad[0]:
            grad_input = grad * (input - target) / ((1 - input) * input).clamp_min(EPSILON)
        if ctx.needs_input_grad[1]:
            # PyTorch differentiates the *unclamped* logs with respect to the target
            # (infinite at p = 0 or 1); we mirror it.
            grad_target = grad * (torch.log1p(-input) - torch.log(input))
        return grad_input, grad_target


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    r"""Binary cross-entropy between predicted probabilities and targets.

    $$
    \ell_n = -w_n \bigl(y_n \max(\log p_n, -100) + (1 - y_n) \max(\log(1 - p_n), -100)\bigr)
    $$

    then reduced over all elements (``'mean'``, ``'sum'``) or returned as is (``'none'``).
    The clamp at $-100$ keeps the loss finite when a probability is exactly 0 or 1. The gradient
    is PyTorch's closed form $w_n (p_n - y_n) / \max(p_n (1 - p_n), 10^{-12})$.

    Parameters
    ----------
    input : Tensor
        Predicted probabilities $p$, every element in $[0, 1]$; any shape; floating dtype.
    target : Tensor
        Targets $y$ in $[0, 1]$ (labels 0/1 or soft labels); same shape and dtype as ``input``.
    weight : Tensor, optional
        Rescaling weight $w$, broadcastable to the shape of ``input``, used in the input's dtype.
        Default: all ones. Unlike PyTorch, the loss is also differentiable with respect to it
        (PyTorch refuses a ``weight`` that requires grad).
    size_average : bool, optional
        Deprecated (as in PyTorch); use ``reduction``. Overrides ``reduction`` when given.
    reduce : bool, optional
        Deprecated (as in PyTorch); use ``reduction``. Overrides ``reduction`` when given.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        ``'mean'``: average over all elements; ``'sum'``: add them up; ``'none'``: no reduction.

    Returns
    -------
    Tensor
        Scalar, or the shape of ``input`` when ``reduction='none'``. The mean over an empty
        input is NaN, as in PyTorch.

    Raises
    ------
    ValueError
        If ``target`` and ``input`` differ in shape, an element of ``input`` or ``target`` is
        outside $[0, 1]$ (or NaN), ``weight`` does not broadcast to the input shape, or
        ``reduction`` is invalid.
    TypeError
        If ``input`` or ``target`` is not floating point, or their dtypes differ, or ``weight``
        is not a tensor.

    See Also
    --------
    torch.nn.functional.binary_cross_entropy : The PyTorch function this mirrors.
    binary_cross_entropy_with_logits : The numerically stable form on logits.

    Examples
    --------
    >>> import torch
    >>> import dlref.functional as F
    >>> p = torch.tensor([0.9, 0.2, 1.0], dtype=torch.float64)
    >>> y = torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64)
    >>> [round(v, 4) for v in F.binary_cross_entropy(p, y, reduction="none").tolist()]
    [0.1054, 0.2231, 100.0]
    >>> torch.allclose(F.binary_cross_entropy(p, y),
    ...                torch.nn.functional.binary_cross_entropy(p, y), rtol=1e-12, atol=0)
    True
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_floating(input, "input")
    check_floating(target, "target")
    check_same_shape(input, target)
    if input.dtype != target.dtype:
        raise TypeError(
            f"target dtype {target.dtype} does not match input dtype {input.dtype}; "
            "binary_cross_entropy needs them equal"
        )
    _check_in_unit_interval(input, "input", "binary_cross_entropy")
    _check_in_unit_interval(target, "target", "binary_cross_entropy")
    loss: Tensor = _BinaryCrossEntropy.apply(input, target)  # type: ignore[no-untyped-call]
    if weight is not None:
        loss = loss * _broadcast_to_input(weight, input, "weight")
    return apply_reduction(loss, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    r"""Binary cross-entropy on logits: sigmoid and BCE in one numerically stable formula.

    With $p = \sigma(x)$, $\log p = \log\sigma(x)$ and $\log(1 - p) = \log\sigma(x) - x$, so

    $$
    \begin{aligned}
    \ell_n &= -w_n \bigl(c_n\, y_n \log\sigma(x_n) + (1 - y_n)(\log\sigma(x_n) - x_n)\bigr) \\
    &= w_n \bigl((1 - y_n)\, x_n - (1 + (c_n - 1)\, y_n) \log\sigma(x_n)\bigr)
    \end{aligned}
    $$

    with $c$ the ``pos_weight`` (1 by default) and the log-sum-exp form

    $$
    \log\sigma(x) = -\log(1 + e^{-x}) = \min(x, 0) - \log\left(1 + e^{-|x|}\right),
    $$

    which only evaluates $e^{-|x|} \le 1$: no overflow and no clamp, exact for $|x| = 10^4$.

    Parameters
    ----------
    input : Tensor
        Logits $x$ (any real number); any shape; floating dtype.
    target : Tensor
        Targets $y$ in $[0, 1]$ (labels 0/1 or soft labels); same shape as ``input``. Unlike
        PyTorch, which takes any number, a target outside $[0, 1]$ is an error: labels
        $t \in \{-1, +1\}$ would silently give a loss without meaning, unbounded below
        (for $y = -1$ it is about $x$ as $x \to -\infty$). Convert them first:
        $y = (t + 1) / 2$.
    weight : Tensor, optional
        Rescaling weight $w$, broadcastable to the shape of ``input``, used in the input's dtype.
        Default: all ones. Unlike PyTorch, the loss is also differentiable with respect to it
        (PyTorch refuses a ``weight`` that requires grad).
    size_average : bool, optional
        Deprecated (as in PyTorch); use ``reduction``.
    reduce : bool, optional
        Deprecated (as in PyTorch); use ``reduction``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        ``'mean'``: average over all elements; ``'sum'``: add them up; ``'none'``: no reduction.
    pos_weight : Tensor, optional
        Weight $c$ of the positive term, broadcast against ``target``: a shape $(C,)$ tensor
        weighs the $C$ classes along the last dimension (multi-label), as in PyTorch. Values
        above 1 raise recall, below 1 raise precision. Differentiable, like ``weight``.

    Returns
    -------
    Tensor
        Scalar, or the shape of ``input`` when ``reduction='none'``.

    Raises
    ------
    ValueError
        If ``target`` and ``input`` differ in shape, an element of ``target`` is outside
        $[0, 1]$ (or NaN), ``weight`` or ``pos_weight`` does not broadcast to the input shape,
        or ``reduction`` is invalid.
    TypeError
        If ``input`` or ``target`` is not floating point, or ``weight`` or ``pos_weight`` is
        not a tensor.

    See Also
    --------
    torch.nn.functional.binary_cross_entropy_with_logits : The PyTorch function this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref.functional as F
    >>> x = torch.tensor([1e4, -1e4, 0.0], dtype=torch.float64)
    >>> y = torch.tensor([0.0, 0.0, 1.0], dtype=torch.float64)
    >>> [round(v, 4) for v in F.binary_cross_entropy_with_logits(x, y, reduction="none").tolist()]
    [10000.0, 0.0, 0.6931]
    >>> logits = torch.tensor([[0.5, -1.0], [2.0, 0.3]])
    >>> labels = torch.tensor([[1.0, 0.0], [1.0, 1.0]])
    >>> pos_weight = torch.tensor([3.0, 1.0])  # one weight per class (last dimension)
    >>> torch.allclose(
    ...     F.binary_cross_entropy_with_logits(logits, labels, pos_weight=pos_weight),
    ...     torch.nn.functional.binary_cross_entropy_with_logits(
    ...         logits, labels, pos_weight=pos_weight))
    True
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_floating(input, "input")
    check_floating(target, "target")
    check_same_shape(input, target)
    _check_in_unit_interval(target, "target", "binary_cross_entropy_with_logits")
    if weight is None and pos_weight is None and target.dtype == input.dtype:
        # The usual call takes the fast form further below, whose backward is written out as
        # sigma(x) - y; it is tested equal to the reference form that follows here.
        check_reduction(reduction)
        out: Tensor = _BCEWithLogits.apply(input, target, reduction)  # type: ignore[no-untyped-call]
        return out
    # The reference form: -(c y log sigma(x) + (1 - y)(log sigma(x) - x)), weighted.
    log_sigmoid = _log_sigmoid(input)
    if pos_weight is not None:
        log_weight = 1 + (_broadcast_to_input(pos_weight, target, "pos_weight") - 1) * target
        log_sigmoid = log_sigmoid * log_weight
    loss = (1 - target) * input - log_sigmoid
    if weight is not None:
        loss = loss * _broadcast_to_input(weight, input, "weight")
    return apply_reduction(loss, reduction)


# ---- log sigma(x): the reference form's stable building block --------------------------------


class _LogSigmoid(torch.autograd.Function):
    r"""$\log\sigma(x) = \min(x, 0) - \log(1 + e^{-|x|})$, and its derivative $\sigma(-x)$.

    The forward only evaluates $e^{-|x|} \le 1$, and ``log1p`` keeps $\log(1 + e^{-|x|})$
    accurate where $e^{-|x|}$ is tiny. The derivative is written out:
    $\frac{d}{dx}\log\sigma(x) = 1 - \sigma(x) = \sigma(-x)$, which is $1/2$ at $x = 0$
    (differentiating ``abs`` and ``clamp`` would give a one-sided value there) and is computed
    with dlref's ``sigmoid``, so second derivatives work too.
    """

    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        ctx.save_for_backward(x)
        return x.clamp_max(0) - torch.log1p(torch.exp(-x.abs()))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * sigmoid(-x)


# ----------------------------------------------------------------------------------------------
# Fast form (a lesson): the gradient sigma(x) - y, written out
# ----------------------------------------------------------------------------------------------
class _BCEWithLogits(torch.autograd.Function):
    r"""The loss without ``weight`` and ``pos_weight``, reduced, with its derivatives written out.

    The binary counterpart of cross-entropy's softmax $-$ one-hot. The forward is the reference
    formula with $c = 1$, $\ell = (1 - y)\,x - \log\sigma(x)$; the derivatives are

    $$
    \frac{\partial \ell}{\partial x} = (1 - y) - \sigma(-x) = \sigma(x) - y, \qquad
    \frac{\partial \ell}{\partial y} = -x .
    $$

    The backward is the prediction minus the target, times the incoming gradient (divided by
    $n$ for ``'mean'``). Left to autograd, the reference composition costs a node per step;
    ``tests/functional/test_binary.py`` proves both equal (values, gradients, second derivatives).
    """

    @staticmethod
    def forward(ctx: Any, input: Tensor, target: Tensor, reduction: str) -> Tensor:
        ctx.save_for_backward(input, target)
        ctx.reduction = reduction
        log_sigmoid = input.clamp_max(0) - torch.log1p(torch.exp(-input.abs()))
        loss = (1 - target) * input - log_sigmoid  # the reference formula with c = 1
        return apply_reduction(loss, reduction)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None, None]:
        input, target = ctx.saved_tensors
        g = grad / input.numel() if ctx.reduction == "mean" else grad
        grad_input = grad_target = None
        if ctx.needs_input_grad[0]:
            grad_input = (sigmoid(input) - target) * g  # prediction minus target
        if ctx.needs_input_grad[1]:
            grad_target = -input * g
        return grad_input, grad_target, None


# ---- helpers --------------------------------------------------------------------------------


def _log_sigmoid(x: Tensor) -> Tensor:
    r"""$\log\sigma(x)$ with its derivative $\sigma(-x)$ (see ``_LogSigmoid``)."""
    out: Tensor = _LogSigmoid.apply(x)  # type: ignore[no-untyped-call]
    return out


def _check_in_unit_interval(x: Tensor, name: str, function: str) -> None:
    """Raise ``ValueError`` unless every element of ``x`` is in [0, 1] (NaN is outside)."""
    inside = (x >= 0) & (x <= 1)
    if not bool(inside.all()):
        bad = x.detach()[~inside]
        raise ValueError(
            f"{function}: every element of {name} must be a probability in [0, 1]; "
            f"found {bad.numel()} element(s) outside, e.g. {bad[0].item()}"
        )


def _broadcast_to_input(w: Tensor, input: Tensor, name: str) -> Tensor:
    """``w`` in ``input``'s dtype, checked to broadcast to ``input``'s shape without changing it.

    The cast keeps the loss in the input's dtype, as in PyTorch (a float64 weight does not
    turn a float32 loss into float64).
    """
    check_tensor(w, name)
    # Broadcasting aligns trailing dimensions; each size of w must be 1 or the input's size.
    fits = w.dim() <= input.dim() and all(
        a in (1, b) for a, b in zip(reversed(w.shape), reversed(input.shape), strict=False)
    )
    if not fits:
        raise ValueError(
            f"{name} shape {tuple(w.shape)} does not broadcast to the input shape "
            f"{tuple(input.shape)}"
        )
    return w.to(input.dtype)
