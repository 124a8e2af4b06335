r"""Regression losses and metrics: MSE, MAE (L1), RMSE, MAPE, SMAPE.

讲解见站点页面「回归损失：MSE、RMSE、MAE、MAPE、SMAPE」 docs/classification/regression-losses.md.

:func:`mse_loss` and :func:`l1_loss` mirror :func:`torch.nn.functional.mse_loss` and
:func:`torch.nn.functional.l1_loss` (same arguments, defaults, legacy ``size_average``/``reduce``
handling and ``weight``), with one deliberate difference: when ``target`` and ``input`` differ in
shape, PyTorch warns ("Using a target size ... that is different to the input size") and then
broadcasts; dlref raises ``ValueError`` instead. A prediction of shape $(N, 1)$ against a target
of shape $(N)$ broadcasts to $(N, N)$ and silently averages $N^2$ wrong differences; refusing is
the safe reading of PyTorch's own warning. dlref is also stricter about dtypes: ``input`` must be
floating point and ``target`` floating point or integer (``TypeError`` otherwise), where PyTorch
also takes an integer ``input`` with a floating-point target, and ``mse_loss`` a bool target.

:func:`rmse`, :func:`mape` and :func:`smape` have no PyTorch counterpart. Libraries disagree on
their definitions (percent or fraction, what a zero target does); the choices made here are:

* every metric is a **fraction**, not a percent (multiply by 100 to report percent);
* MAPE divides by $\max(|y|, \varepsilon)$ with $\varepsilon$ = float64 machine epsilon, as
  scikit-learn's ``mean_absolute_percentage_error`` does: a zero target with a non-zero error gives
  a huge value (there is no meaningful relative error), a zero target with zero error gives 0;
* SMAPE is $2|\hat y - y| / (|y| + |\hat y|)$ with $0/0 := 0$, so it lies in $[0, 2]$;
* RMSE is the square root of :func:`mse_loss` with the same ``reduction``; its gradient at zero
  error is defined as 0 (the square root has no derivative there).

NaN and $\pm\infty$: :func:`mse_loss` and :func:`l1_loss` give PyTorch's values and gradients
(NaN for $\infty - \infty$ and wherever a NaN enters a sum or mean). The metrics give what their
formulas give in IEEE arithmetic: NaN for a NaN input, for $\infty - \infty$ and for
$\infty / \infty$ (an infinite target in MAPE, an infinite prediction or target in SMAPE),
$\infty$ for an infinite error over a finite denominator. :func:`rmse` equals
``mse_loss(...).sqrt()`` in value everywhere and in gradient wherever the MSE is not 0. The tests
draw NaN and $\pm\infty$ and pin all of this.
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
    reduce,
)

__all__ = ["l1_loss", "mape", "mse_loss", "rmse", "smape"]

#: float64 machine epsilon, the default guard of :func:`mape` (scikit-learn uses the same).
MAPE_EPS = 2.220446049250313e-16


# ---- shared checks -------------------------------------------------------------------------------


def _check_pair(input: Tensor, target: Tensor) -> None:
    """Input must be floating; target floating or integer (promoted as in PyTorch); same shape."""
    check_floating(input, "input")
    check_tensor(target, "target")
    if target.dtype == torch.bool or target.is_complex():
        raise TypeError(f"target must have a floating-point or integer dtype, got {target.dtype}")
    check_same_shape(input, target)


def _weighted_reduce(loss: Tensor, weight: Tensor | None, reduction: str) -> Tensor:
    """Reduce an element-wise loss, optionally weighted.

    With a weight, ``'mean'`` is the weighted mean $\\sum_i w_i \\ell_i / \\sum_i w_i$ (PyTorch's
    rule), not the plain mean of $w_i \\ell_i$.
    """
    check_reduction(reduction)
    if weight is None:
        return reduce(loss, reduction)
    check_tensor(weight, "weight")
    if weight.shape != loss.shape:
        raise ValueError(
            f"weight shape {tuple(weight.shape)} does not match input shape "
            f"{tuple(loss.shape)}; they must be equal"
        )
    weighted = loss * weight
    if reduction == "none":
        return weighted
    if reduction == "sum":
        return weighted.sum()
    return weighted.sum() / weight.sum()


# ---- losses that PyTorch has -----------------------------------------------------------------


class _SquaredError(torch.autograd.Function):
    r"""The element-wise squared error $(\hat y_i - y_i)^2$, with its derivative written out.

    The forward reduces the squares by ``reduction``: ``'none'`` keeps them, ``'sum'`` gives
    $\sum_i (\hat y_i - y_i)^2$, ``'mean'`` gives $\frac{1}{n}\sum_i (\hat y_i - y_i)^2$.
    The textbook derivative: $\partial \ell_i / \partial \hat y_i = 2 (\hat y_i - y_i)$, times
    the incoming gradient, divided by $n$ for ``'mean'``; the target's gradient is its negative.
    The backward is plain out-of-place arithmetic on the saved inputs, so autograd can
    differentiate it again (second derivatives, ``create_graph=True``) without a second copy.
    """

    @staticmethod
    def forward(ctx: Any, input: Tensor, target: Tensor, reduction: str) -> Tensor:
        ctx.save_for_backward(input, target)
        ctx.reduction = reduction
        return reduce((input - target) ** 2, reduction)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None, None]:
        input, target = ctx.saved_tensors
        # 2 g, or 2 g / n for 'mean' (every element counts 1/n): one number unless 'none'
        scale = 2 * grad / max(input.numel(), 1) if ctx.reduction == "mean" else 2 * grad
        grad_input = (input - target) * scale  # 2 (ŷ - y) g [/ n]
        grad_target = -grad_input if ctx.needs_input_grad[1] else None
        return grad_input, grad_target, None


def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    r"""Mean squared error (MSE): the average squared difference between prediction and target.

    $$
    \ell_i = (\hat y_i - y_i)^2, \qquad
    \operatorname{MSE} = \frac{1}{n}\sum_{i=1}^{n} (\hat y_i - y_i)^2
    $$

    Its unit is the square of the target's unit; its range is $[0, \infty)$. Squaring makes a
    large error count much more than several small ones, so MSE is sensitive to outliers. The
    gradient with respect to $\hat y_i$ is $2(\hat y_i - y_i)/n$: proportional to the error.

    Parameters
    ----------
    input : Tensor
        Prediction $\hat y$, any shape, floating-point dtype.
    target : Tensor
        Target $y$, the **same shape** as ``input``; floating-point or integer dtype (promoted
        with ``input`` as in PyTorch).
    size_average : bool or None, default None
        Deprecated (PyTorch legacy); use ``reduction``. If it or ``reduce`` is given, it
        overrides ``reduction`` by PyTorch's rule and a ``UserWarning`` is issued.
    reduce : bool or None, default None
        Deprecated (PyTorch legacy); use ``reduction``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        ``'none'``: the element-wise $\ell_i$; ``'sum'``: their sum; ``'mean'``: their mean
        (NaN for an empty input, as in PyTorch).
    weight : Tensor or None, default None
        Per-element weights $w_i$, the same shape as ``input``. ``'none'`` returns
        $w_i\ell_i$, ``'sum'`` $\sum_i w_i\ell_i$, ``'mean'`` $\sum_i w_i\ell_i / \sum_i w_i$.

    Returns
    -------
    Tensor
        A 0-d tensor for ``'mean'``/``'sum'``; the shape of ``input`` for ``'none'``.

    Raises
    ------
    TypeError
        If ``input`` is not floating-point, ``target`` is bool or complex, or ``weight`` is not
        a tensor.
    ValueError
        If ``target`` differs in shape from ``input`` (PyTorch only warns and broadcasts), or
        ``weight`` does (as in PyTorch), or ``reduction`` is not one of the three names.

    Notes
    -----
    Shape: input $(*)$, target $(*)$ (same shape), output scalar or $(*)$.

    See Also
    --------
    torch.nn.functional.mse_loss : the PyTorch function this mirrors.
    rmse : its square root, in the target's own unit.

    Examples
    --------
    >>> import torch
    >>> import dlref.functional as F
    >>> pred = torch.tensor([2.5, 0.0, 2.0, 8.0])
    >>> y = torch.tensor([3.0, -0.5, 2.0, 7.0])
    >>> F.mse_loss(pred, y)
    tensor(0.3750)
    >>> F.mse_loss(pred, y, reduction="none")
    tensor([0.2500, 0.2500, 0.0000, 1.0000])
    >>> torch.equal(F.mse_loss(pred, y), torch.nn.functional.mse_loss(pred, y))
    True
    """
    _check_pair(input, target)
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    if weight is None:  # d/d input = 2 (input - target), written out in _SquaredError
        out: Tensor = _SquaredError.apply(input, target, reduction)  # type: ignore[no-untyped-call]
        return out
    squared_error = (input - target) ** 2
    return _weighted_reduce(squared_error, weight, reduction)


def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    r"""Mean absolute error (MAE, the L1 loss): the average absolute difference.

    $$
    \ell_i = |\hat y_i - y_i|, \qquad
    \operatorname{MAE} = \frac{1}{n}\sum_{i=1}^{n} |\hat y_i - y_i|
    $$

    Its unit is the target's unit; its range is $[0, \infty)$. Every unit of error counts the
    same, so MAE is much less sensitive to outliers than MSE. The gradient with respect to
    $\hat y_i$ is $\operatorname{sign}(\hat y_i - y_i)/n$: the same size for small and large
    errors, and 0 at zero error (PyTorch's convention for the kink of $|x|$).

    Parameters
    ----------
    input : Tensor
        Prediction $\hat y$, any shape, floating-point dtype.
    target : Tensor
        Target $y$, the **same shape** as ``input``; floating-point or integer dtype.
    size_average : bool or None, default None
        Deprecated (PyTorch legacy); use ``reduction``.
    reduce : bool or None, default None
        Deprecated (PyTorch legacy); use ``reduction``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        ``'none'``: the element-wise $\ell_i$; ``'sum'``: their sum; ``'mean'``: their mean.
    weight : Tensor or None, default None
        Per-element weights, the same shape as ``input``; ``'mean'`` is the weighted mean
        $\sum_i w_i\ell_i / \sum_i w_i$.

    Returns
    -------
    Tensor
        A 0-d tensor for ``'mean'``/``'sum'``; the shape of ``input`` for ``'none'``.

    Raises
    ------
    TypeError
        If ``input`` is not floating-point, ``target`` is bool or complex, or ``weight`` is not
        a tensor.
    ValueError
        If ``target`` differs in shape from ``input`` (PyTorch only warns and broadcasts), or
        ``weight`` does (as in PyTorch), or ``reduction`` is not one of the three names.

    Notes
    -----
    Shape: input $(*)$, target $(*)$ (same shape), output scalar or $(*)$.

    See Also
    --------
    torch.nn.functional.l1_loss : the PyTorch function this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref.functional as F
    >>> pred = torch.tensor([2.5, 0.0, 2.0, 8.0])
    >>> y = torch.tensor([3.0, -0.5, 2.0, 7.0])
    >>> F.l1_loss(pred, y)
    tensor(0.5000)
    >>> torch.equal(F.l1_loss(pred, y), torch.nn.functional.l1_loss(pred, y))
    True
    """
    _check_pair(input, target)
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction)
    absolute_error = (input - target).abs()  # d/d input = sign(input - target), 0 at 0
    return _weighted_reduce(absolute_error, weight, reduction)


# ---- metrics that PyTorch lacks --------------------------------------------------------------


def rmse(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    r"""Root mean squared error (RMSE): the square root of the MSE, in the target's unit.

    $$
    \operatorname{RMSE} = \sqrt{\frac{1}{n}\sum_{i=1}^{n} (\hat y_i - y_i)^2}
    $$

    Range $[0, \infty)$, same unit as the target, and as sensitive to outliers as MSE (it is a
    monotone function of it). Always $\operatorname{MAE} \le \operatorname{RMSE}$.

    ``reduction`` is applied *inside* the square root, so ``'mean'`` gives the RMSE, ``'sum'``
    gives $\sqrt{\sum_i (\hat y_i - y_i)^2}$ (the Euclidean norm of the error) and ``'none'``
    gives $\sqrt{(\hat y_i - y_i)^2} = |\hat y_i - y_i|$ element-wise.

    Gradient: $\partial\,\mathrm{RMSE}/\partial \hat y_i = (\hat y_i - y_i)/(n\,\mathrm{RMSE})$.
    At zero error ($\mathrm{RMSE} = 0$) the square root has no derivative; dlref returns 0 there
    (as ``l1_loss`` does at its kink) instead of NaN.

    Parameters
    ----------
    input : Tensor
        Prediction $\hat y$, any shape, floating-point dtype.
    target : Tensor
        Target $y$, the same shape as ``input``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        Applied to the squared errors before the square root (see above). ``'mean'`` of an empty
        input is NaN.

    Returns
    -------
    Tensor
        A 0-d tensor for ``'mean'``/``'sum'``; the shape of ``input`` for ``'none'``.

    Raises
    ------
    TypeError
        If ``input`` is not floating-point, or ``target`` is bool or complex.
    ValueError
        If the shapes differ or ``reduction`` is invalid.

    Notes
    -----
    Shape: input $(*)$, target $(*)$ (same shape), output scalar or $(*)$.

    See Also
    --------
    mse_loss : the quantity under the square root (``torch.nn.functional.mse_loss``).
    torch.nn.functional.mse_loss : PyTorch has no RMSE; ``mse_loss(...).sqrt()`` is its value
        but has a NaN gradient at zero error.

    Examples
    --------
    >>> import torch
    >>> import dlref.functional as F
    >>> pred = torch.tensor([2.5, 0.0, 2.0, 8.0])
    >>> y = torch.tensor([3.0, -0.5, 2.0, 7.0])
    >>> round(F.rmse(pred, y).item(), 4)
    0.6124
    >>> x = torch.zeros(3, requires_grad=True)
    >>> F.rmse(x, torch.zeros(3)).backward()
    >>> x.grad
    tensor([0., 0., 0.])
    """
    _check_pair(input, target)
    check_reduction(reduction)
    squared = mse_loss(input, target, reduction=reduction)
    zero = squared == 0
    # sqrt'(0) is infinite: take the root of a harmless 1 where the value is 0, then put the 0
    # back. torch.where passes no gradient to the branch it did not choose, so the gradient is 0.
    # (NaN, the mean of an empty input, is not 0 and passes through.)
    safe = torch.where(zero, torch.ones_like(squared), squared)
    return torch.where(zero, torch.zeros_like(squared), safe.sqrt())


def mape(input: Tensor, target: Tensor, reduction: str = "mean", eps: float = MAPE_EPS) -> Tensor:
    r"""Mean absolute percentage error (MAPE), as a fraction: the average relative error.

    $$
    \ell_i = \frac{|\hat y_i - y_i|}{\max(|y_i|, \varepsilon)}, \qquad
    \operatorname{MAPE} = \frac{1}{n}\sum_{i=1}^{n} \ell_i
    $$

    A fraction (0.05 means 5 %), without unit; range $[0, \infty)$. It weighs each error by the
    size of its target: an error of 1 on a target of 2 counts 100 times more than on a target of
    200. It is **asymmetric**: with non-negative predictions, under-prediction of a positive
    target is capped at 1 (predicting 0), over-prediction is unbounded.

    Zero targets: the guard $\varepsilon$ (float64 machine epsilon by default, as in
    scikit-learn) avoids a division by zero. A zero target with a non-zero error gives
    $|\hat y_i|/\varepsilon$, a huge number that says "no relative error exists here"; a zero
    target with zero error gives 0. In float16 the default $\varepsilon$ would round to 0,
    so the guard is never smaller than the dtype's smallest normal number
    (``torch.finfo(dtype).tiny``, $6.1 \times 10^{-5}$ in float16); in float32, bfloat16 and
    float64 that changes nothing. Even so, $|\hat y_i| / 6.1 \times 10^{-5}$ exceeds float16's
    largest number (65504) once $|\hat y_i| \ge 4$: there a zero target gives $\infty$.

    Parameters
    ----------
    input : Tensor
        Prediction $\hat y$, any shape, floating-point dtype.
    target : Tensor
        Target $y$, the same shape as ``input``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        ``'none'``: the element-wise $\ell_i$; ``'sum'``: their sum; ``'mean'``: their mean.
    eps : float, default 2.220446049250313e-16
        Lower bound of the denominator; must be positive.

    Returns
    -------
    Tensor
        A 0-d tensor for ``'mean'``/``'sum'``; the shape of ``input`` for ``'none'``.

    Raises
    ------
    TypeError
        If ``input`` is not floating-point, or ``target`` is bool or complex.
    ValueError
        If the shapes differ, ``reduction`` is invalid, or ``eps`` is not positive.

    Notes
    -----
    Shape: input $(*)$, target $(*)$ (same shape), output scalar or $(*)$.

    See Also
    --------
    smape : the symmetric variant, bounded in $[0, 2]$.
    torch.nn.functional.l1_loss : PyTorch has no MAPE; this is ``l1_loss`` divided by $|y|$.

    Examples
    --------
    >>> import torch
    >>> import dlref.functional as F
    >>> y = torch.tensor([100.0, 200.0, 50.0])
    >>> pred = torch.tensor([110.0, 180.0, 50.0])
    >>> F.mape(pred, y, reduction="none")
    tensor([0.1000, 0.1000, 0.0000])
    >>> round(F.mape(pred, y).item(), 4)
    0.0667
    """
    _check_pair(input, target)
    check_reduction(reduction)
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps}")
    dtype = torch.result_type(input, target)  # the dtype the division is done in
    # max(|y|, eps), with eps at least the dtype's smallest normal number, so never 0
    denominator = target.abs().to(dtype).clamp(min=max(eps, torch.finfo(dtype).tiny))
    return reduce((input - target).abs() / denominator, reduction)


def smape(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    r"""Symmetric mean absolute percentage error (SMAPE), as a fraction in $[0, 2]$.

    $$
    \ell_i = \frac{2\,|\hat y_i - y_i|}{|y_i| + |\hat y_i|}, \quad \ell_i := 0
    \text{ if } y_i = \hat y_i = 0, \qquad
    \operatorname{SMAPE} = \frac{1}{n}\sum_{i=1}^{n} \ell_i
    $$

    The error is measured relative to the mean size of prediction and target, so a zero target
    is no longer a division by zero: it gives the maximum, 2, for any non-zero prediction.
    Symmetric in $\hat y$ and $y$ (swapping them gives the same value), but not symmetric in
    over- versus under-prediction: for a fixed target, under-predicting by $d$ costs more than
    over-predicting by $d$.

    Parameters
    ----------
    input : Tensor
        Prediction $\hat y$, any shape, floating-point dtype.
    target : Tensor
        Target $y$, the same shape as ``input``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        ``'none'``: the element-wise $\ell_i$; ``'sum'``: their sum; ``'mean'``: their mean.

    Returns
    -------
    Tensor
        A 0-d tensor for ``'mean'``/``'sum'``; the shape of ``input`` for ``'none'``.

    Raises
    ------
    TypeError
        If ``input`` is not floating-point, or ``target`` is bool or complex.
    ValueError
        If the shapes differ or ``reduction`` is invalid.

    Notes
    -----
    Shape: input $(*)$, target $(*)$ (same shape), output scalar or $(*)$. Where both are zero
    the value and its gradient are 0.

    Gradient. With $e_i = \hat y_i - y_i$, $D_i = |y_i| + |\hat y_i|$ and
    $\operatorname{sign}(0) = 0$ (as autograd takes it), the quotient rule gives

    $$
    \frac{\partial \ell_i}{\partial \hat y_i}
    = \frac{2\operatorname{sign}(e_i)}{D_i} - \frac{2|e_i|\operatorname{sign}(\hat y_i)}{D_i^2}
    = \frac{2\operatorname{sign}(e_i)\,(|y_i| + y_i\operatorname{sign}(\hat y_i))}{D_i^2} ,
    $$

    times $1/n$ for ``'mean'``. When $y_i$ and $\hat y_i$ have the same sign it is
    $4\operatorname{sign}(e_i)\,|y_i| / D_i^2$: it shrinks as $|\hat y_i|$ grows, so
    over-prediction is pushed back less and less. When they have opposite signs it is 0
    ($\ell_i = 2$ there). At $\hat y_i = 0$ (a kink) it is $-2/y_i$ ($-2/|y_i|$ for a positive
    target), the mean of the one-sided derivatives $-4/y_i$ and 0.

    See Also
    --------
    mape : the relative error with the target alone in the denominator.
    torch.nn.functional.l1_loss : PyTorch has no SMAPE.

    Examples
    --------
    >>> import torch
    >>> import dlref.functional as F
    >>> y = torch.tensor([100.0, 0.0, 0.0])
    >>> pred = torch.tensor([110.0, 5.0, 0.0])
    >>> F.smape(pred, y, reduction="none")
    tensor([0.0952, 2.0000, 0.0000])

    The gradient is the formula in the Notes:

    >>> y = torch.tensor([100.0, 100.0, 100.0, -2.0, 3.0], dtype=torch.float64)
    >>> pred = torch.tensor([150.0, 50.0, 0.0, 1.0, 3.0], dtype=torch.float64, requires_grad=True)
    >>> F.smape(pred, y, reduction="sum").backward()
    >>> p, e = pred.detach(), pred.detach() - y
    >>> formula = 2 * e.sign() * (y.abs() + y * p.sign()) / (y.abs() + p.abs()) ** 2
    >>> torch.allclose(pred.grad, formula, rtol=1e-12, atol=1e-18)
    True
    >>> [round(g, 5) for g in pred.grad.tolist()]  # over, under, at 0, opposite signs, exact
    [0.0064, -0.01778, -0.02, 0.0, 0.0]
    """
    _check_pair(input, target)
    check_reduction(reduction)
    numerator = 2 * (input - target).abs()
    denominator = target.abs() + input.abs()
    nonzero = denominator > 0
    # 0/0 := 0. Divide by 1 where the denominator is 0 (the numerator is 0 there too), so neither
    # the value nor the gradient is NaN.
    safe = torch.where(nonzero, denominator, torch.ones_like(denominator))
    return reduce(numerator / safe, reduction)
