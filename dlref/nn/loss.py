r"""Loss modules: thin :class:`torch.nn.Module` wrappers around the functional losses.

讲解见站点页面「Softmax 与交叉熵」（docs/classification/softmax-cross-entropy.md）和
「逻辑回归」（docs/classification/logistic-regression.md）。

A loss module stores its options (``reduction``, ``ignore_index``, ...) when it is built and
applies the matching function of :mod:`dlref.functional` when it is called. Per-class weights
are registered as **buffers** named exactly as in PyTorch (``weight``, ``pos_weight``): they move
with ``.to(device)``, are saved in ``state_dict()`` under the same keys, and are not parameters,
so an optimizer never changes them. A ``state_dict`` saved from ``torch.nn.BCEWithLogitsLoss``
loads into :class:`BCEWithLogitsLoss` and back.
"""

from __future__ import annotations

from torch import Tensor, nn

from dlref.functional._validation import check_reduction, legacy_reduction
from dlref.functional.binary import binary_cross_entropy, binary_cross_entropy_with_logits

__all__ = ["BCELoss", "BCEWithLogitsLoss"]


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
        return f"reduction={self.reduction!r}" if self.reduction != "mean" else ""


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
