"""Input checks shared by the functional API: clear errors instead of deep tracebacks.

Every message names what was wrong and what was expected.
"""

from __future__ import annotations

import numbers
import operator
import warnings

import torch
from torch import Tensor

REDUCTIONS = ("none", "mean", "sum")


def check_tensor(x: object, name: str) -> Tensor:
    """Raise ``TypeError`` unless ``x`` is a tensor."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    return x


def check_floating(x: Tensor, name: str) -> None:
    """Raise ``TypeError`` unless ``x`` has a floating-point dtype."""
    check_tensor(x, name)
    if not x.is_floating_point():
        raise TypeError(
            f"{name} must have a floating-point dtype (float16/bfloat16/float32/float64), "
            f"got {x.dtype}"
        )


def check_number(value: object, name: str) -> float:
    """``value`` as a float, or ``TypeError`` unless it is one real number.

    A real number is a Python ``int``, ``float`` or ``bool``, a NumPy real scalar, or a 0-d real
    tensor, as PyTorch takes for the same argument. A string, ``None``, a complex number or a
    tensor with a dimension is refused: a one-element tensor would broadcast silently, and a
    longer one would fail deep inside the arithmetic.
    """
    if isinstance(value, Tensor):
        if value.dim() == 0 and not value.is_complex():
            return float(value)
    elif isinstance(value, numbers.Real):  # int, float, bool and NumPy's real scalars
        return float(value)
    raise TypeError(f"{name} must be a real number (int, float or a 0-d tensor), {_got(value)}")


def check_int(value: object, name: str) -> int:
    """``value`` as an int, or ``TypeError`` unless it is one integer (not a bool or a float).

    An integer is a Python ``int``, a NumPy integer scalar or a 0-d integer tensor.
    """
    if isinstance(value, Tensor):
        # integer dtypes only: not floating, complex or bool
        integer = not (value.is_floating_point() or value.is_complex() or value.dtype == torch.bool)
        if value.dim() == 0 and integer:
            return int(value)
    elif not isinstance(value, bool) and isinstance(value, numbers.Integral):
        return int(value)  # int and NumPy's integer scalars
    raise TypeError(f"{name} must be an integer (int or a 0-d integer tensor), {_got(value)}")


def check_size(value: object, name: str) -> None:
    """Check a layer's size (``in_features``, ``hidden_size``, ``embedding_dim``, ...): an
    integer, zero or greater.

    PyTorch's layers accept 0 (an empty layer) and any integer that ``torch.empty`` accepts as a
    size (a Python or NumPy integer, an integer tensor), so this rejects what PyTorch rejects
    (non-integers and negative sizes), with a message that names the argument instead of one from
    ``torch.empty``; and a ``bool``, which PyTorch's layers take as 1.
    """
    wrong_type = TypeError(f"{name} should be of type int, got: {type(value).__name__}")
    if isinstance(value, bool):
        raise wrong_type
    try:
        size = operator.index(value)  # type: ignore[arg-type]  # a float refuses
    except TypeError:
        raise wrong_type from None
    if size < 0:
        raise ValueError(f"{name} must be zero or greater, got {size}")


def _got(value: object) -> str:
    if isinstance(value, Tensor):
        return f"got a {value.dtype} tensor of shape {tuple(value.shape)}"
    return f"got {value!r} ({type(value).__name__})"


def check_reduction(reduction: str) -> None:
    """Raise ``ValueError`` unless ``reduction`` is ``'none'``, ``'mean'`` or ``'sum'``."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of 'none', 'mean', 'sum'; got {reduction!r}")


def check_same_shape(input: Tensor, target: Tensor, what: str = "target") -> None:
    """Raise ``ValueError`` when ``input`` and ``target`` differ in shape (no silent broadcast)."""
    if input.shape != target.shape:
        raise ValueError(
            f"{what} shape {tuple(target.shape)} does not match input shape "
            f"{tuple(input.shape)}; they must be equal"
        )


def check_dropout_p(p: object) -> float:
    """``p`` as a float; ``TypeError`` unless it is a real number, ``ValueError`` unless
    ``0 <= p <= 1`` (with PyTorch's message for dropout)."""
    p = check_number(p, "dropout probability p")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return p


def normalize_padding_idx(padding_idx: int | None, num_embeddings: int) -> int | None:
    """Turn a negative ``padding_idx`` into a row number, as PyTorch does (-1 is the last row)."""
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise ValueError(
            f"padding_idx must be within num_embeddings: expected an integer in "
            f"[{-num_embeddings}, {num_embeddings}) for num_embeddings={num_embeddings}, "
            f"got {padding_idx}"
        )
    return padding_idx + num_embeddings if padding_idx < 0 else padding_idx


def reduce(loss: Tensor, reduction: str) -> Tensor:
    """Apply a loss reduction: keep every element, average them, or add them up.

    ``'mean'`` of an empty tensor is NaN, as in PyTorch.
    """
    check_reduction(reduction)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()


def legacy_reduction(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """Map PyTorch's deprecated ``size_average``/``reduce`` flags to a ``reduction`` string.

    As in PyTorch: when either flag is given, it overrides ``reduction`` (``None`` counts as
    ``True``): ``reduce=False`` gives ``'none'``, else ``size_average=False`` gives ``'sum'``,
    else ``'mean'``; a ``UserWarning`` names the replacement. Otherwise ``reduction`` is returned.
    """
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = ("mean" if size_average else "sum") if reduce else "none"
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
        UserWarning,
        stacklevel=3,
    )
    return ret


__all__ = [
    "REDUCTIONS",
    "check_dropout_p",
    "check_floating",
    "check_reduction",
    "check_same_shape",
    "check_tensor",
    "legacy_reduction",
    "normalize_padding_idx",
    "reduce",
]
