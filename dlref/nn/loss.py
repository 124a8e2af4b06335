r"""Loss modules: thin :class:`torch.nn.Module` wrappers around the functional losses.

讲解见站点页面「Softmax 与交叉熵」（docs/classification/softmax-cross-entropy.md）、
「逻辑回归」（docs/classification/logistic-regression.md）和
「回归损失：MSE、RMSE、MAE、MAPE、SMAPE」（docs/classification/regression-losses.md）。

A loss module stores its options (``reduction``, ``ignore_index``, ...) when it is built and
applies the matching function of :mod:`dlref.functional` when it is called. Per-class (or, for
the binary losses, per-element) weights are registered as **buffers** named exactly as in
PyTorch (``weight``, ``pos_weight``): they move with ``.to(device)``, are saved in
``state_dict()`` under the same keys, and are not parameters, so an optimizer never changes
them. A ``state_dict`` saved from ``torch.nn.BCEWithLogitsLoss``
loads into :class:`BCEWithLogitsLoss` and back.
"""

from __future__ import annotations

from torch import Tensor, nn

from dlref.functional._validation import check_reduction, legacy_reduction
from dlref.functional.binary import binary_cross_entropy, binary_cross_entropy_with_logits
from dlref.functional.classification import cross_entropy, nll_loss
from dlref.functional.regression import l1_loss, mse_loss

__all__ = ["BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "L1Loss", "MSELoss", "NLLLoss"]


class _Loss(nn.Module):
    """Base of every loss: turns the deprecated ``size_average``/``reduce`` into ``reduction``."""

    reduction: str

    def __init__(
        self,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__()
        reduction = legacy_reduction(size_average, reduce, reduction)
        check_reduction(reduction)
        self.reduction = reduction

    def extra_repr(self) -> str:
        """Empty, as in PyTorch: ``repr`` is ``MSELoss()`` whatever the options (``reduction``,
        ``ignore_index``, ``label_smoothing``, weights); read them from the attributes."""
        return ""


class _WeightedLoss(_Loss):
    """A loss with an optional per-element or per-class ``weight`` buffer."""

    weight: Tensor | None

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        # A buffer, not a parameter: saved in state_dict() as "weight", never trained.
        # Registering None keeps the name reserved without adding a state_dict entry (as torch).
        self.register_buffer("weight", weight)


class BCELoss(_WeightedLoss):
    r"""Binary cross-entropy between probabilities and targets, as a module.

    Calls :func:`dlref.functional.binary_cross_entropy`:

    $$
    \ell_n = -w_n \bigl(y_n \max(\log p_n, -100) + (1 - y_n) \max(\log(1 - p_n), -100)\bigr)
    $$

    Parameters
    ----------
    weight : Tensor, optional
        Rescaling weight, broadcastable to the input shape; stored as the buffer ``weight``.
    size_average : bool, optional
        Deprecated (as in PyTorch); use ``reduction``.
    reduce : bool, optional
        Deprecated (as in PyTorch); use ``reduction``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        How to combine the per-element losses.

    Notes
    -----
    Shape: input $(*)$ probabilities in $[0, 1]$; target $(*)$, the same shape; output a
    scalar, or $(*)$ with ``reduction='none'``.

    Raises
    ------
    ValueError
        If ``reduction`` is invalid (at construction), or as
        :func:`~dlref.functional.binary_cross_entropy` when called.

    See Also
    --------
    torch.nn.BCELoss : The PyTorch module this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref.nn as nn
    >>> loss = nn.BCELoss()
    >>> p = torch.tensor([0.9, 0.2])
    >>> y = torch.tensor([1.0, 0.0])
    >>> round(loss(p, y).item(), 4)
    0.1643
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    r"""Binary cross-entropy on logits (sigmoid included, numerically stable), as a module.

    Calls :func:`dlref.functional.binary_cross_entropy_with_logits`:

    $$
    \ell_n = w_n \bigl((1 - y_n)\, x_n - (1 + (c_n - 1)\, y_n) \log\sigma(x_n)\bigr)
    $$

    Parameters
    ----------
    weight : Tensor, optional
        Rescaling weight, broadcastable to the input shape; stored as the buffer ``weight``.
    size_average : bool, optional
        Deprecated (as in PyTorch); use ``reduction``.
    reduce : bool, optional
        Deprecated (as in PyTorch); use ``reduction``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        How to combine the per-element losses.
    pos_weight : Tensor, optional
        Weight $c$ of the positive examples, broadcast along the last dimension (one per class);
        stored as the buffer ``pos_weight``.

    Notes
    -----
    Shape: input $(*)$ logits; target $(*)$, the same shape; output a scalar, or $(*)$ with
    ``reduction='none'``.

    Raises
    ------
    ValueError
        If ``reduction`` is invalid (at construction), or as
        :func:`~dlref.functional.binary_cross_entropy_with_logits` when called.

    See Also
    --------
    torch.nn.BCEWithLogitsLoss : The PyTorch module this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref.nn as nn
    >>> loss = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([2.0, 1.0]))
    >>> sorted(loss.state_dict())
    ['pos_weight']
    >>> x = torch.tensor([[0.5, -1.0]])
    >>> y = torch.tensor([[1.0, 0.0]])
    >>> round(loss(x, y).item(), 4)
    0.6307
    """

    weight: Tensor | None
    pos_weight: Tensor | None

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        pos_weight: Tensor | None = None,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return binary_cross_entropy_with_logits(
            input, target, self.weight, pos_weight=self.pos_weight, reduction=self.reduction
        )


class NLLLoss(_WeightedLoss):
    r"""Negative log-likelihood loss on log-probabilities, as a module.

    Calls :func:`dlref.functional.nll_loss`: for sample $n$ with class $y_n$,
    $\ell_n = -w_{y_n} x_{n, y_n}$; ``'mean'`` divides the sum by $\sum_n w_{y_n}$ over the
    samples that are not ignored.

    Parameters
    ----------
    weight : Tensor, optional
        Per-class weight, shape $(C,)$; stored as the buffer ``weight``.
    size_average : bool, optional
        Deprecated (as in PyTorch); use ``reduction``.
    ignore_index : int, default -100
        Target value that is ignored and does not count in the mean.
    reduce : bool, optional
        Deprecated (as in PyTorch); use ``reduction``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        How to combine the per-sample losses.

    Notes
    -----
    Shape: input $(N, C)$ or $(C)$ or $(N, C, d_1, \dots)$ log-probabilities; target $(N)$ or
    $()$ or $(N, d_1, \dots)$ class indices; output a scalar, or the target's shape with
    ``reduction='none'``.

    Raises
    ------
    ValueError
        If ``reduction`` is invalid (at construction), or as
        :func:`~dlref.functional.nll_loss` when called.

    See Also
    --------
    torch.nn.NLLLoss : The PyTorch module this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref.nn as nn
    >>> log_p = torch.log(torch.tensor([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]))
    >>> round(nn.NLLLoss()(log_p, torch.tensor([0, 2])).item(), 4)
    0.2899
    """

    ignore_index: int

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return nll_loss(
            input,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
        )


class CrossEntropyLoss(_WeightedLoss):
    r"""Cross-entropy between the softmax of scores and the targets, as a module.

    Calls :func:`dlref.functional.cross_entropy`: with class indices,
    $\ell_n = w_{y_n}\bigl(\log \sum_c e^{x_{n,c}} - x_{n, y_n}\bigr)$; targets may also be
    class probabilities, and ``label_smoothing`` mixes the targets with the uniform
    distribution.

    Parameters
    ----------
    weight : Tensor, optional
        Per-class weight, shape $(C,)$; stored as the buffer ``weight``.
    size_average : bool, optional
        Deprecated (as in PyTorch); use ``reduction``.
    ignore_index : int, default -100
        Target value that is ignored (class-index targets only).
    reduce : bool, optional
        Deprecated (as in PyTorch); use ``reduction``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        How to combine the per-sample losses.
    label_smoothing : float, default 0.0
        Amount $\varepsilon \in [0, 1]$ of smoothing.

    Notes
    -----
    Shape: input $(N, C)$ or $(C)$ or $(N, C, d_1, \dots)$ unnormalised scores (logits); target
    class indices $(N)$ / $()$ / $(N, d_1, \dots)$, or probabilities of the input's shape;
    output a scalar, or per sample with ``reduction='none'``.

    Raises
    ------
    ValueError
        If ``reduction`` is invalid (at construction), or as
        :func:`~dlref.functional.cross_entropy` when called.

    See Also
    --------
    torch.nn.CrossEntropyLoss : The PyTorch module this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref.nn as nn
    >>> scores = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> loss = nn.CrossEntropyLoss(weight=torch.tensor([1.0, 2.0, 1.0]))
    >>> sorted(loss.state_dict())
    ['weight']
    >>> torch.allclose(loss(scores, torch.tensor([0, 2])),
    ...                torch.nn.CrossEntropyLoss(weight=loss.weight)(scores, torch.tensor([0, 2])))
    True
    """

    ignore_index: int
    label_smoothing: float

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return cross_entropy(
            input,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )


class MSELoss(_Loss):
    r"""Mean squared error, as a module: calls :func:`dlref.functional.mse_loss`.

    $$
    \ell_n = (x_n - y_n)^2
    $$

    Parameters
    ----------
    size_average : bool, optional
        Deprecated (as in PyTorch); use ``reduction``.
    reduce : bool, optional
        Deprecated (as in PyTorch); use ``reduction``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        How to combine the per-element losses.

    Notes
    -----
    Shape: input $(*)$; target $(*)$, the same shape; output a scalar, or $(*)$ with
    ``reduction='none'``.

    Raises
    ------
    ValueError
        If ``reduction`` is invalid (at construction), or as
        :func:`~dlref.functional.mse_loss` when called.

    See Also
    --------
    torch.nn.MSELoss : The PyTorch module this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref.nn as nn
    >>> nn.MSELoss()(torch.tensor([1.0, 2.0]), torch.tensor([0.0, 4.0]))
    tensor(2.5000)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    r"""Mean absolute error, as a module: calls :func:`dlref.functional.l1_loss`.

    $$
    \ell_n = |x_n - y_n|
    $$

    Parameters
    ----------
    size_average : bool, optional
        Deprecated (as in PyTorch); use ``reduction``.
    reduce : bool, optional
        Deprecated (as in PyTorch); use ``reduction``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        How to combine the per-element losses.

    Notes
    -----
    Shape: input $(*)$; target $(*)$, the same shape; output a scalar, or $(*)$ with
    ``reduction='none'``.

    Raises
    ------
    ValueError
        If ``reduction`` is invalid (at construction), or as
        :func:`~dlref.functional.l1_loss` when called.

    See Also
    --------
    torch.nn.L1Loss : The PyTorch module this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref.nn as nn
    >>> nn.L1Loss(reduction="sum")(torch.tensor([1.0, 2.0]), torch.tensor([0.0, 4.0]))
    tensor(3.)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return l1_loss(input, target, reduction=self.reduction)
