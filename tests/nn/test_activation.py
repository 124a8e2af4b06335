"""dlref.nn activation modules against torch.nn: signatures, repr, values, gradients, in place."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
import torch

import dlref.nn

NAMES = ["ReLU", "LeakyReLU", "ELU", "GELU", "SiLU", "Softplus", "Sigmoid", "Tanh", "Softmax",
         "LogSoftmax"]  # fmt: skip

# (name, constructor keyword arguments): defaults, and every argument changed
CASES: list[tuple[str, dict[str, Any]]] = [
    *((name, {}) for name in NAMES if name not in ("Softmax", "LogSoftmax")),
    ("ReLU", {"inplace": True}),
    ("LeakyReLU", {"negative_slope": 0.2}),
    ("LeakyReLU", {"negative_slope": 0.2, "inplace": True}),
    ("ELU", {"alpha": 0.5}),
    ("ELU", {"alpha": 2.0, "inplace": True}),
    ("GELU", {"approximate": "tanh"}),
    ("SiLU", {"inplace": True}),
    ("Softplus", {"beta": 2.5, "threshold": 10.0}),
    ("Softmax", {"dim": 1}),
    ("Softmax", {"dim": -1}),
    ("LogSoftmax", {"dim": 0}),
    ("LogSoftmax", {"dim": 1}),
]
IDS = [f"{name}-{kw}" for name, kw in CASES]


def pair(name: str, kw: dict[str, Any]) -> tuple[torch.nn.Module, torch.nn.Module]:
    return getattr(dlref.nn, name)(**kw), getattr(torch.nn, name)(**kw)


@pytest.mark.parametrize("name", NAMES)
def test_signature_matches_torch(name: str) -> None:
    ours = inspect.signature(getattr(dlref.nn, name).__init__).parameters
    theirs = inspect.signature(getattr(torch.nn, name).__init__).parameters
    assert list(ours) == list(theirs)
    assert [p.default for p in ours.values()] == [p.default for p in theirs.values()]


@pytest.mark.parametrize(("name", "kw"), CASES, ids=IDS)
def test_repr_and_state_match_torch(name: str, kw: dict[str, Any]) -> None:
    ours, theirs = pair(name, kw)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []
    assert list(ours.parameters()) == []


@pytest.mark.parametrize(("name", "kw"), CASES, ids=IDS)
def test_values_and_gradients_match_torch(name: str, kw: dict[str, Any]) -> None:
    ours, theirs = pair(name, kw)
    base = torch.cat([torch.linspace(-30, 30, 23, dtype=torch.float64),
                      torch.tensor([0.0, float("nan"), float("inf"), -float("inf")],
                                   dtype=torch.float64)]).reshape(3, 9)  # fmt: skip
    results = []
    for m in (ours, theirs):
        leaf = base.clone().requires_grad_(True)
        x = leaf.clone()  # a non-leaf, so that inplace=True is allowed, as in torch
        y = m(x)
        if kw.get("inplace"):
            assert y is x
        up = torch.linspace(-1, 1, y.numel(), dtype=y.dtype).reshape(y.shape)
        (g,) = torch.autograd.grad(y, leaf, up)
        results.append((y.detach(), g))
    for a, b in zip(*results, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12, equal_nan=True)


@pytest.mark.parametrize("name", ["ReLU", "LeakyReLU", "ELU", "SiLU"])
def test_inplace_on_a_leaf_that_requires_grad_is_refused_as_in_torch(name: str) -> None:
    for module in (getattr(dlref.nn, name)(inplace=True), getattr(torch.nn, name)(inplace=True)):
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            module(torch.zeros(3, requires_grad=True))


@pytest.mark.parametrize("name", ["Softmax", "LogSoftmax"])
def test_softmax_without_dim_warns_like_torch(name: str) -> None:
    x = torch.randn(2, 3, 4, dtype=torch.float64)
    ours, theirs = pair(name, {})
    assert repr(ours) == repr(theirs) == f"{name}(dim=None)"
    with pytest.warns(UserWarning, match="Implicit dimension choice") as record:
        y = ours(x)
    with pytest.warns(UserWarning, match="Implicit dimension choice") as record_torch:
        torch.testing.assert_close(y, theirs(x), rtol=1e-12, atol=1e-12)
    # _stacklevel=5 as in torch: the warning points at the same frame (torch's Module.__call__)
    assert record[0].filename == record_torch[0].filename


def test_gelu_wrong_approximate_raises_when_called() -> None:
    m = dlref.nn.GELU(approximate="fast")  # accepted at construction, as in torch
    with pytest.raises(ValueError, match=r"approximate must be 'none' or 'tanh', got 'fast'"):
        m(torch.zeros(2))


def test_modules_compose_in_sequential() -> None:
    torch.manual_seed(0)
    layers = [torch.nn.Linear(4, 8), None, torch.nn.Linear(8, 3), None]
    ours = torch.nn.Sequential(*(lay or m for lay, m in
                                 zip(layers, [None, dlref.nn.GELU(), None, dlref.nn.LogSoftmax(1)],
                                     strict=True)))  # fmt: skip
    theirs = torch.nn.Sequential(layers[0], torch.nn.GELU(), layers[2], torch.nn.LogSoftmax(1))
    x = torch.randn(5, 4)
    torch.testing.assert_close(ours(x), theirs(x))
