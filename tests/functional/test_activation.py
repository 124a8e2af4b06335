"""dlref.functional activations against torch.nn.functional: values, gradients, kinks, in-place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

import dlref.functional as F

Fn = Callable[..., torch.Tensor]

# (name, dlref function, torch function, keyword arguments)
CASES: list[tuple[str, Fn, Fn, dict[str, Any]]] = [
    ("sigmoid", F.sigmoid, torch.sigmoid, {}),
    ("tanh", F.tanh, torch.tanh, {}),
    ("relu", F.relu, TF.relu, {}),
    ("leaky_relu", F.leaky_relu, TF.leaky_relu, {}),
    ("leaky_relu_0.2", F.leaky_relu, TF.leaky_relu, {"negative_slope": 0.2}),
    ("leaky_relu_1.5", F.leaky_relu, TF.leaky_relu, {"negative_slope": 1.5}),
    ("leaky_relu_-0.5", F.leaky_relu, TF.leaky_relu, {"negative_slope": -0.5}),
    ("elu", F.elu, TF.elu, {}),
    ("elu_alpha0.5", F.elu, TF.elu, {"alpha": 0.5}),
    ("elu_alpha2", F.elu, TF.elu, {"alpha": 2.0}),
    ("gelu", F.gelu, TF.gelu, {}),
    ("gelu_tanh", F.gelu, TF.gelu, {"approximate": "tanh"}),
    ("softplus", F.softplus, TF.softplus, {}),
    ("softplus_beta", F.softplus, TF.softplus, {"beta": 2.5, "threshold": 10.0}),
    ("silu", F.silu, TF.silu, {}),
]
IDS = [c[0] for c in CASES]
HARD = [-1e4, -800.0, -40.0, -20.0, -1.0, -1e-10, -0.0, 0.0, 1e-10, 0.5, 1.0, 8.0, 20.0, 40.0,
        800.0, 1e4]  # fmt: skip
TOL = {torch.float64: {"rtol": 1e-12, "atol": 1e-12}, torch.float32: {"rtol": 2e-6, "atol": 1e-6}}


def value_and_grad(fn: Fn, x: torch.Tensor, **kw: Any) -> tuple[torch.Tensor, torch.Tensor]:
    x = x.detach().clone().requires_grad_(True)
    y = fn(x, **kw)
    (g,) = torch.autograd.grad(y, x, torch.ones_like(y))
    return y.detach(), g


def compare(ours: Fn, theirs: Fn, x: torch.Tensor, **kw: Any) -> None:
    y1, g1 = value_and_grad(ours, x, **kw)
    y2, g2 = value_and_grad(theirs, x, **kw)
    assert y1.dtype == y2.dtype and y1.shape == y2.shape
    tol = TOL[x.dtype]
    torch.testing.assert_close(y1, y2, **tol, equal_nan=True)
    torch.testing.assert_close(g1, g2, **tol, equal_nan=True)
    # finite wherever torch's are finite
    assert bool(torch.isfinite(y1)[torch.isfinite(y2)].all())
    assert bool(torch.isfinite(g1)[torch.isfinite(g2)].all())


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize(("name", "ours", "theirs", "kw"), CASES, ids=IDS)
def test_hard_values_and_gradients(
    name: str, ours: Fn, theirs: Fn, kw: dict[str, Any], dtype: torch.dtype
) -> None:
    compare(ours, theirs, torch.tensor(HARD, dtype=dtype), **kw)


@pytest.mark.parametrize(("name", "ours", "theirs", "kw"), CASES, ids=IDS)
def test_dense_grid(name: str, ours: Fn, theirs: Fn, kw: dict[str, Any]) -> None:
    compare(ours, theirs, torch.linspace(-30, 30, 2001, dtype=torch.float64), **kw)


@pytest.mark.parametrize(("name", "ours", "theirs", "kw"), CASES, ids=IDS)
def test_gradcheck(name: str, ours: Fn, theirs: Fn, kw: dict[str, Any]) -> None:
    # Away from the kink at 0, where the derivative is a convention, not a limit.
    torch.manual_seed(0)
    x = torch.randn(4, 3, dtype=torch.float64) * 3
    x = torch.where(x.abs() < 0.1, x + 0.5, x).requires_grad_(True)
    assert torch.autograd.gradcheck(lambda t: ours(t, **kw), (x,))
    assert torch.autograd.gradgradcheck(lambda t: ours(t, **kw), (x,))


@pytest.mark.parametrize(("name", "ours", "theirs", "kw"), CASES, ids=IDS)
def test_recorded_backward_equals_in_place_backward(
    name: str, ours: Fn, theirs: Fn, kw: dict[str, Any]
) -> None:
    # A backward has an in-place form (ordinary backward) and an out-of-place form (recorded,
    # create_graph=True): the same formula, so the same numbers, at the kink and everywhere.
    x = torch.tensor(HARD, dtype=torch.float64).requires_grad_(True)
    g = torch.linspace(-2, 2, len(HARD), dtype=torch.float64)
    (plain,) = torch.autograd.grad(ours(x, **kw), x, g)
    (recorded,) = torch.autograd.grad(ours(x, **kw), x, g, create_graph=True)
    assert recorded.requires_grad
    torch.testing.assert_close(plain, recorded.detach(), rtol=1e-15, atol=0, equal_nan=True)


@pytest.mark.parametrize(("name", "ours", "theirs", "kw"), CASES, ids=IDS)
def test_shapes_empty_0d_noncontiguous(name: str, ours: Fn, theirs: Fn, kw: dict[str, Any]) -> None:
    torch.manual_seed(1)
    base = torch.randn(5, 4, dtype=torch.float64) * 5
    for x in (torch.empty(0, 3, dtype=torch.float64), torch.tensor(-0.7, dtype=torch.float64),
              base.t(), base[:, ::2]):  # fmt: skip
        assert not x.is_contiguous() or x.dim() < 2 or x.numel() == 0
        compare(ours, theirs, x, **kw)


def test_kink_gradients_match_torch_conventions() -> None:
    zero = torch.zeros(1, dtype=torch.float64)
    assert value_and_grad(F.relu, zero)[1].item() == 0.0
    assert value_and_grad(F.leaky_relu, zero, negative_slope=0.3)[1].item() == 0.3
    assert value_and_grad(F.elu, zero, alpha=2.0)[1].item() == 2.0
    assert value_and_grad(F.sigmoid, zero)[1].item() == 0.25
    assert value_and_grad(F.tanh, zero)[1].item() == 1.0


def test_relu_keeps_nan_and_integer_dtype() -> None:
    x = torch.tensor([float("nan"), -1.0, 2.0])
    torch.testing.assert_close(F.relu(x), TF.relu(x), equal_nan=True)
    ints = torch.tensor([-3, 0, 4])
    assert torch.equal(F.relu(ints), TF.relu(ints))


def test_sigmoid_and_tanh_accept_integers_like_torch() -> None:
    ints = torch.tensor([-3, 0, 4])
    torch.testing.assert_close(F.sigmoid(ints), torch.sigmoid(ints))
    torch.testing.assert_close(F.tanh(ints), torch.tanh(ints))


INPLACE = [
    ("relu", F.relu, TF.relu, {}),
    ("leaky_relu", F.leaky_relu, TF.leaky_relu, {"negative_slope": 0.1}),
    ("elu", F.elu, TF.elu, {"alpha": 1.5}),
    ("silu", F.silu, TF.silu, {}),
]


@pytest.mark.parametrize(("name", "ours", "theirs", "kw"), INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace(name: str, ours: Fn, theirs: Fn, kw: dict[str, Any]) -> None:
    x0 = torch.tensor([-2.0, -0.5, 0.0, 0.5, 3.0], dtype=torch.float64)
    x = x0.clone()
    out = ours(x, inplace=True, **kw)
    assert out is x
    torch.testing.assert_close(x, theirs(x0, **kw), rtol=1e-12, atol=1e-12)
    # gradients through the in-place version (on a non-leaf) match torch's in-place version
    grads = []
    for fn in (ours, theirs):
        leaf = x0.clone().requires_grad_(True)
        fn(leaf.clone(), inplace=True, **kw).sum().backward()
        grads.append(leaf.grad)
    torch.testing.assert_close(grads[0], grads[1], rtol=1e-12, atol=1e-12)
    # in place on a leaf that requires grad is refused, as in torch
    with pytest.raises(RuntimeError, match="leaf Variable"):
        ours(x0.clone().requires_grad_(True), inplace=True, **kw)


floats = st.one_of(st.floats(-1e4, 1e4, allow_nan=False), st.sampled_from(HARD))


@settings(max_examples=60, deadline=None)
@given(values=st.lists(floats, min_size=0, max_size=30), case=st.sampled_from(CASES))
def test_property_matches_torch_float64(
    values: list[float], case: tuple[str, Fn, Fn, dict[str, Any]]
) -> None:
    _, ours, theirs, kw = case
    compare(ours, theirs, torch.tensor(values, dtype=torch.float64), **kw)


@settings(max_examples=60, deadline=None)
@given(values=st.lists(floats, min_size=1, max_size=30), case=st.sampled_from(CASES))
def test_property_matches_torch_float32(
    values: list[float], case: tuple[str, Fn, Fn, dict[str, Any]]
) -> None:
    _, ours, theirs, kw = case
    compare(ours, theirs, torch.tensor(values, dtype=torch.float32), **kw)


# ---- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [F.sigmoid, F.tanh, F.relu, F.leaky_relu, F.elu, F.gelu,
                                F.softplus, F.silu])  # fmt: skip
def test_not_a_tensor(fn: Fn) -> None:
    with pytest.raises(TypeError, match=r"input must be a torch\.Tensor, got list"):
        fn([1.0, 2.0])


@pytest.mark.parametrize("fn", [F.leaky_relu, F.elu, F.gelu, F.softplus, F.silu])
def test_integer_input_refused(fn: Fn) -> None:
    with pytest.raises(TypeError, match=r"floating-point dtype.*got torch\.int64"):
        fn(torch.tensor([1, 2]))


@pytest.mark.parametrize("fn", [F.sigmoid, F.tanh])
def test_bool_input_refused(fn: Fn) -> None:
    with pytest.raises(TypeError, match=r"real floating or integer tensor, got torch\.bool"):
        fn(torch.tensor([True]))


def test_gelu_invalid_approximate() -> None:
    with pytest.raises(ValueError, match=r"approximate must be 'none' or 'tanh', got 'fast'"):
        F.gelu(torch.zeros(2), approximate="fast")
