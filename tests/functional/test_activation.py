"""dlref.functional activations against torch.nn.functional: values, gradients, kinks, in-place."""

from __future__ import annotations

import math
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
SPECIAL = [math.nan, math.inf, -math.inf]  # PyTorch's values and gradients there are matched too
TOL = {torch.float64: {"rtol": 1e-12, "atol": 1e-12}, torch.float32: {"rtol": 2e-6, "atol": 1e-6}}


def value_and_grad(fn: Fn, x: torch.Tensor, **kw: Any) -> tuple[torch.Tensor, torch.Tensor]:
    x = x.detach().clone().requires_grad_(True)
    y = fn(x, **kw)
    (g,) = torch.autograd.grad(y, x, torch.ones_like(y))
    return y.detach(), g


def compare(ours: Fn, theirs: Fn, x: torch.Tensor, *, inf_limit: bool = False, **kw: Any) -> None:
    """Values and gradients equal to PyTorch's (NaN where PyTorch's is NaN). ``inf_limit``:
    where PyTorch gives NaN at x = +inf, dlref may give +inf, the limit (exact GELU: PyTorch's
    float32 result there depends on the machine, NaN on some for tensors of two or more
    elements; see dlref.functional.gelu)."""
    y1, g1 = value_and_grad(ours, x, **kw)
    y2, g2 = value_and_grad(theirs, x, **kw)
    assert y1.dtype == y2.dtype and y1.shape == y2.shape
    if inf_limit:
        y2 = torch.where(torch.isposinf(x) & torch.isnan(y2) & torch.isposinf(y1), y1, y2)
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
    x = torch.tensor(HARD + SPECIAL, dtype=dtype)
    compare(ours, theirs, x, inf_limit=name == "gelu", **kw)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("n", [1, 19, 64])
def test_exact_gelu_at_plus_infinity_is_the_limit(n: int, dtype: torch.dtype) -> None:
    """GELU(+inf) = +inf whatever the tensor's length (PyTorch's float32 result gives NaN for
    two or more elements on some machines); the gradient there is NaN (inf * 0), as in PyTorch."""
    x = torch.full((n,), math.inf, dtype=dtype, requires_grad=True)
    y = F.gelu(x)
    (g,) = torch.autograd.grad(y, x, torch.ones_like(y))
    assert bool(torch.isposinf(y).all())
    assert bool(torch.isnan(g).all())


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
def test_second_derivative_matches_torch(
    name: str, ours: Fn, theirs: Fn, kw: dict[str, Any]
) -> None:
    # The backward is one out-of-place formula, so autograd differentiates it again: the
    # second derivative (a Hessian-vector product) equals torch's, kinks and NaN included.
    x0 = torch.tensor(HARD + SPECIAL, dtype=torch.float64)
    g = torch.linspace(-2, 2, len(x0), dtype=torch.float64)
    seconds = []
    for fn in (ours, theirs):
        x = x0.clone().requires_grad_(True)
        (first,) = torch.autograd.grad(fn(x, **kw), x, g, create_graph=True)
        if not first.requires_grad:  # relu's first derivative is a mask: constant in x
            seconds.append(torch.zeros_like(x0))
            continue
        (second,) = torch.autograd.grad(first, x, g, allow_unused=True, materialize_grads=True)
        seconds.append(second)
    keep = torch.isfinite(x0)  # at +-inf the second derivatives are 0 * inf: NaN or not
    keep &= ~_second_derivative_kink(name, x0, kw)  # pinned in the next test
    torch.testing.assert_close(seconds[0][keep], seconds[1][keep], **TOL[torch.float64],
                               equal_nan=True)  # fmt: skip


def _second_derivative_kink(name: str, x: torch.Tensor, kw: dict[str, Any]) -> torch.Tensor:
    """Where PyTorch's second derivative takes the other branch than its first derivative."""
    if name.startswith("elu"):
        return x == 0
    if name.startswith("softplus"):
        return x * kw.get("beta", 1.0) == kw.get("threshold", 20.0)
    return torch.zeros_like(x, dtype=torch.bool)


def test_second_derivative_at_the_kink_is_documented() -> None:
    # dlref's backward is one formula, so its derivative at a kink continues the branch the
    # first derivative chose (alpha e^x at x = 0 for ELU, sigma(bx) at bx = threshold for
    # softplus). PyTorch's double backward switches branch there and gives 0. The docstrings
    # of elu and softplus state this.
    def second(fn: Fn, v: float, **kw: Any) -> float:
        x = torch.tensor([v], dtype=torch.float64, requires_grad=True)
        (g1,) = torch.autograd.grad(fn(x, **kw), x, create_graph=True)
        (g2,) = torch.autograd.grad(g1, x)
        return g2.item()

    assert second(F.elu, 0.0, alpha=2.0) == 2.0
    assert second(TF.elu, 0.0, alpha=2.0) == 0.0
    s = 1 / (1 + math.exp(-20.0))
    assert math.isclose(second(F.softplus, 20.0), s * (1 - s), rel_tol=1e-12)
    assert second(TF.softplus, 20.0) == 0.0


@pytest.mark.parametrize(("ours", "theirs"), [(F.relu, TF.relu), (F.leaky_relu, TF.leaky_relu)])
def test_piecewise_linear_second_derivative_is_documented(ours: Fn, theirs: Fn) -> None:
    """relu's and leaky_relu's gradient depends on x only through a mask: differentiated again
    with respect to x alone, dlref's raises (as their docstrings say) where PyTorch's is 0."""
    x = torch.tensor([-1.0, 0.0, 2.0], dtype=torch.float64, requires_grad=True)
    (ours_first,) = torch.autograd.grad(ours(x).sum(), x, create_graph=True)
    (theirs_first,) = torch.autograd.grad(theirs(x).sum(), x, create_graph=True)
    assert not ours_first.requires_grad and theirs_first.requires_grad
    with pytest.raises(RuntimeError, match="does not require grad"):
        torch.autograd.grad(ours_first.sum(), x)
    (zeros,) = torch.autograd.grad(theirs_first.sum(), x)
    assert not zeros.any()


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
    # at NaN PyTorch passes the incoming gradient through (NaN is not <= 0); so does dlref
    assert value_and_grad(F.relu, x)[1].tolist() == [1.0, 0.0, 1.0]
    assert value_and_grad(TF.relu, x)[1].tolist() == [1.0, 0.0, 1.0]
    ints = torch.tensor([-3, 0, 4])
    assert torch.equal(F.relu(ints), TF.relu(ints))


@pytest.mark.parametrize("default_dtype", [torch.float32, torch.float64])
def test_sigmoid_and_tanh_accept_integers_like_torch(default_dtype: torch.dtype) -> None:
    """Integers give the default float dtype, whichever it is, as in torch (assert_close
    checks the dtype too)."""
    previous = torch.get_default_dtype()
    try:
        torch.set_default_dtype(default_dtype)
        ints = torch.tensor([-3, 0, 4])
        for ours, theirs in [(F.sigmoid, torch.sigmoid), (F.tanh, torch.tanh)]:
            out = ours(ints)
            assert out.dtype == default_dtype
            torch.testing.assert_close(out, theirs(ints))
    finally:
        torch.set_default_dtype(previous)


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


# Any float64 (NaN, +-inf, subnormals and 1e308 included), values near the kinks, hard values.
floats = st.one_of(st.floats(-1e4, 1e4), st.floats(), st.sampled_from(HARD + SPECIAL))


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


@pytest.mark.parametrize("fn", [F.sigmoid, F.tanh, F.relu])
def test_bool_input_refused(fn: Fn) -> None:
    with pytest.raises(TypeError, match=r"real floating or integer tensor, got torch\.bool"):
        fn(torch.tensor([True]))


@pytest.mark.parametrize("inplace", [False, True])
def test_relu_refuses_bool_and_complex_as_torch_does(inplace: bool) -> None:
    for x in (torch.tensor([True, False]), torch.tensor([1 + 2j])):
        with pytest.raises((RuntimeError, NotImplementedError)):
            torch.nn.functional.relu(x.clone(), inplace=inplace)  # PyTorch refuses both
        with pytest.raises(TypeError, match=rf"relu expects a real .* got {x.dtype}"):
            F.relu(x.clone(), inplace=inplace)


def test_gelu_invalid_approximate() -> None:
    with pytest.raises(ValueError, match=r"approximate must be 'none' or 'tanh', got 'fast'"):
        F.gelu(torch.zeros(2), approximate="fast")
