"""The scalar arguments of dlref.functional: one real number (or one integer), or a TypeError
that names the argument; never a silent broadcast of a tensor, nor an error from deep inside."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import dlref.functional as F
from dlref.functional._validation import check_int, check_number

X = torch.linspace(-3, 3, 12, dtype=torch.float64).reshape(4, 3)
Y = torch.tensor([0, 1, 2, 0])

# (the call with the argument set to v, the argument's name): real numbers
NUMBER_ARGUMENTS: list[tuple[Callable[[Any, object], torch.Tensor], str]] = [
    (lambda f, v: f.leaky_relu(X, v), "negative_slope"),
    (lambda f, v: f.elu(X, v), "alpha"),
    (lambda f, v: f.softplus(X, beta=v), "beta"),
    (lambda f, v: f.softplus(X, threshold=v), "threshold"),
    (lambda f, v: f.cross_entropy(X, Y, label_smoothing=v), "label_smoothing"),
    (lambda f, v: f.dropout(X, p=v, training=False), "p"),
]
INT_ARGUMENTS: list[tuple[Callable[[Any, object], torch.Tensor], str]] = [
    (lambda f, v: f.cross_entropy(X, Y, ignore_index=v), "ignore_index"),
    (lambda f, v: f.nll_loss(X, Y, ignore_index=v), "ignore_index"),
    (lambda f, v: f.one_hot(Y, v), "num_classes"),
]
NOT_A_NUMBER = ["0.5", None, 0.5 + 1j, torch.tensor([0.5]), torch.tensor([0.5, 0.25])]
NOT_AN_INT = [1.0, True, "1", None, torch.tensor(1.0), torch.tensor([1, 2])]


@pytest.mark.parametrize("call, name", NUMBER_ARGUMENTS, ids=[n for _, n in NUMBER_ARGUMENTS])
@pytest.mark.parametrize("value", NOT_A_NUMBER, ids=repr)
def test_a_number_argument_refuses_what_is_not_one_real_number(
    call: Callable[[Any, object], torch.Tensor], name: str, value: object
) -> None:
    with pytest.raises(TypeError, match=rf"\b{name} must be a real number .*, got "):
        call(F, value)
    with pytest.raises((TypeError, RuntimeError)):  # PyTorch refuses each of them too
        call(TF, value)


@pytest.mark.parametrize("call, name", NUMBER_ARGUMENTS, ids=[n for _, n in NUMBER_ARGUMENTS])
@pytest.mark.parametrize(
    "value", [1, 0.5, True, np.float64(0.5), torch.tensor(0.5), torch.tensor(1)], ids=repr
)
def test_a_number_argument_takes_what_pytorch_takes(
    call: Callable[[Any, object], torch.Tensor], name: str, value: object
) -> None:
    torch.testing.assert_close(call(F, value), call(TF, value), rtol=0, atol=1e-12)


@pytest.mark.parametrize("call, name", INT_ARGUMENTS, ids=[n for _, n in INT_ARGUMENTS])
@pytest.mark.parametrize("value", NOT_AN_INT, ids=repr)
def test_an_int_argument_refuses_what_is_not_one_integer(
    call: Callable[[Any, object], torch.Tensor], name: str, value: object
) -> None:
    """Stricter than PyTorch in one place: its ignore_index also takes a one-element tensor
    ``tensor([1])``, which dlref refuses like any tensor with a dimension."""
    with pytest.raises(TypeError, match=rf"\b{name} must be an integer .*, got "):
        call(F, value)


@pytest.mark.parametrize("call, name", INT_ARGUMENTS, ids=[n for _, n in INT_ARGUMENTS])
@pytest.mark.parametrize("value", [3, np.int64(3), torch.tensor(3)], ids=repr)
def test_an_int_argument_takes_what_pytorch_takes(
    call: Callable[[Any, object], torch.Tensor], name: str, value: object
) -> None:
    torch.testing.assert_close(call(F, value), call(TF, value), rtol=0, atol=1e-12)


def test_the_checks_return_the_plain_python_number() -> None:
    assert [check_number(v, "a") for v in (2, True, np.float32(0.5), torch.tensor(0.25))] == [
        2.0,
        1.0,
        0.5,
        0.25,
    ]
    assert [check_int(v, "n") for v in (2, np.int64(3), torch.tensor(4))] == [2, 3, 4]
    with pytest.raises(TypeError, match=r"got a torch.float32 tensor of shape \(1,\)"):
        check_number(torch.tensor([0.5]), "a")
    with pytest.raises(TypeError, match=r"got True \(bool\)"):
        check_int(True, "n")
