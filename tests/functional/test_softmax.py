"""dlref.functional.softmax against torch: values, gradients, infinities, implicit dims, errors."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

import dlref.functional as F

F64 = {"atol": 1e-12, "rtol": 1e-12}
F32 = {"atol": 1e-6, "rtol": 1e-5}
INF = float("inf")

PAIRS = [(F.softmax, TF.softmax), (F.log_softmax, TF.log_softmax)]
IDS = ["softmax", "log_softmax"]


def close(a: torch.Tensor, b: torch.Tensor, **tol: Any) -> None:
    assert a.shape == b.shape and a.dtype == b.dtype
    torch.testing.assert_close(a, b, equal_nan=True, **tol)


# ---- values and gradients -------------------------------------------------------------------
@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=IDS)
@pytest.mark.parametrize(("dtype", "tol"), [(torch.float64, F64), (torch.float32, F32)])
@pytest.mark.parametrize(("shape", "dim"), [((5,), 0), ((3, 4), 1), ((3, 4), 0), ((2, 3, 4), -1)])
def test_values_and_gradients(ours, theirs, dtype, tol, shape, dim) -> None:
    g = torch.Generator().manual_seed(1)
    x = (torch.randn(shape, generator=g) * 5).to(dtype)
    up = torch.randn(shape, generator=g).to(dtype)
    a, b = x.clone().requires_grad_(), x.clone().requires_grad_()
    ya, yb = ours(a, dim=dim), theirs(b, dim=dim)
    close(ya, yb, **tol)
    (ya * up).sum().backward()
    (yb * up).sum().backward()
    assert a.grad is not None and b.grad is not None
    close(a.grad, b.grad, **tol)


@pytest.mark.parametrize("fn", [F.softmax, F.log_softmax], ids=IDS)
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_gradcheck(fn, dim) -> None:
    x = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: fn(t, dim=dim), (x,))
    assert torch.autograd.gradgradcheck(lambda t: fn(t, dim=dim), (x,))


@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=IDS)
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_backward_with_create_graph_gives_the_same_gradient(ours, theirs, dim) -> None:
    """The backward is one out-of-place formula on the saved output: with or without
    create_graph=True it gives torch's gradient, and with it autograd differentiates the
    backward again (the second derivative equals torch's)."""
    g = torch.Generator().manual_seed(7)
    x = (torch.randn(3, 4, 5, generator=g, dtype=torch.float64) * 4).requires_grad_()
    up = torch.randn(3, 4, 5, generator=g, dtype=torch.float64)
    (plain,) = torch.autograd.grad((ours(x, dim=dim) * up).sum(), x)
    (graph,) = torch.autograd.grad((ours(x, dim=dim) * up).sum(), x, create_graph=True)
    (ref,) = torch.autograd.grad((theirs(x, dim=dim) * up).sum(), x)
    assert not plain.requires_grad and graph.requires_grad
    close(plain, ref, **F64)
    close(graph, ref, **F64)
    (second,) = torch.autograd.grad((graph * up).sum(), x)
    (second_ref,) = torch.autograd.grad(
        (torch.autograd.grad((theirs(x, dim=dim) * up).sum(), x, create_graph=True)[0] * up).sum(),
        x,
    )
    close(second, second_ref, **F64)


@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=IDS)
def test_backward_twice_with_retain_graph(ours, theirs) -> None:
    """The backward reads what the forward saved and never writes to it: a second backward
    through the same graph gives the same gradient."""
    x = torch.randn(4, 6, dtype=torch.float64, requires_grad=True)
    y = ours(x, dim=1)
    up = torch.linspace(-1, 1, 24, dtype=torch.float64).reshape(4, 6)
    (first,) = torch.autograd.grad((y * up).sum(), x, retain_graph=True)
    (again,) = torch.autograd.grad((y * up).sum(), x)
    close(first, again, atol=0, rtol=0)


def test_logsumexp_gradcheck() -> None:
    x = torch.randn(3, 4, 2, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: F.logsumexp(t, dim=(0, 2)), (x,))
    assert torch.autograd.gradgradcheck(lambda t: F.logsumexp(t, dim=1), (x,))


# ---- the point of the page: large logits --------------------------------------------------
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_huge_logits_stay_finite(dtype) -> None:
    x = torch.tensor([[1e4, 1e4 - 1.0, -1e4], [1000.0, 1001.0, 1002.0]], dtype=dtype)
    naive = x.exp() / x.exp().sum(dim=1, keepdim=True)
    assert torch.isnan(naive).any()  # the textbook formula breaks ...
    p = F.softmax(x, dim=1)
    assert torch.isfinite(p).all()  # ... the shifted one does not
    close(p, TF.softmax(x, dim=1), **(F64 if dtype == torch.float64 else F32))
    close(F.log_softmax(x, dim=1), TF.log_softmax(x, dim=1), **F64)
    close(F.logsumexp(x, dim=1), torch.logsumexp(x, dim=1), **F64)


def test_log_softmax_keeps_tiny_probabilities() -> None:
    x = torch.tensor([0.0, 200.0])
    assert F.log_softmax(x, dim=0)[0].item() == -200.0
    assert F.softmax(x, dim=0).log()[0].item() == -INF


# ---- infinities, empty and 0-d tensors ----------------------------------------------------
SPECIAL_ROWS = torch.tensor(
    [
        [-INF, -INF, -INF],  # no finite score: torch gives nan
        [INF, 1.0, 2.0],  # +inf: torch gives nan
        [INF, INF, 1.0],
        [-INF, 1.0, 2.0],  # a masked class: probability exactly 0
        [-INF, -INF, 5.0],
        [float("nan"), 1.0, 2.0],
    ],
    dtype=torch.float64,
)


@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=IDS)
def test_infinite_rows_match_torch(ours, theirs) -> None:
    close(ours(SPECIAL_ROWS, dim=1), theirs(SPECIAL_ROWS, dim=1), **F64)


def test_logsumexp_infinite_rows_match_torch() -> None:
    a = SPECIAL_ROWS.clone().requires_grad_()
    b = SPECIAL_ROWS.clone().requires_grad_()
    ya, yb = F.logsumexp(a, dim=1), torch.logsumexp(b, dim=1)
    close(ya, yb, **F64)
    assert ya[0].item() == -INF and ya[1].item() == INF
    ya.sum().backward()
    yb.sum().backward()
    assert a.grad is not None and b.grad is not None
    close(a.grad, b.grad, **F64)


def test_masked_class_gradient_is_zero() -> None:
    x = torch.tensor([[-INF, 1.0, 2.0]], dtype=torch.float64, requires_grad=True)
    F.log_softmax(x, dim=1)[0, 2].backward()
    assert x.grad is not None and x.grad[0, 0].item() == 0.0


@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=IDS)
def test_zero_dim_and_empty(ours, theirs) -> None:
    s = torch.tensor(3.0, dtype=torch.float64)
    for dim in (0, -1):
        close(ours(s, dim=dim), theirs(s, dim=dim), **F64)
    for shape, dim in [((0, 3), 1), ((2, 0), 1), ((0,), 0)]:
        e = torch.empty(shape, dtype=torch.float64)
        close(ours(e, dim=dim), theirs(e, dim=dim), **F64)


def test_logsumexp_variants() -> None:
    x = torch.randn(2, 3, 4, dtype=torch.float64)
    for dim in (0, -1, (0, 2), [1, 2], (0, 1, 2)):
        for keepdim in (False, True):
            close(F.logsumexp(x, dim, keepdim), torch.logsumexp(x, dim, keepdim), **F64)
    close(F.logsumexp(torch.tensor(2.0), 0), torch.logsumexp(torch.tensor(2.0), 0), **F64)
    close(F.logsumexp(torch.empty(3, 0), 1), torch.logsumexp(torch.empty(3, 0), 1), **F64)
    ints = torch.tensor([[1, 2, 3]])
    close(F.logsumexp(ints, 1), torch.logsumexp(ints, 1), **F32)


# ---- dim=None and dtype -------------------------------------------------------------------
@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=IDS)
@pytest.mark.parametrize("shape", [(), (4,), (2, 3), (2, 3, 4), (2, 3, 4, 5)])
def test_implicit_dim_matches_torch_and_warns(ours, theirs, shape) -> None:
    x = torch.randn(shape, dtype=torch.float64)
    name = ours.__name__
    with pytest.warns(UserWarning, match=f"Implicit dimension choice for {name}") as record:
        a = ours(x)
    assert record[0].filename == __file__  # the warning points at the caller
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        b = theirs(x)
    close(a, b, **F64)


@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=IDS)
def test_dtype_argument_casts_first(ours, theirs) -> None:
    x = torch.randn(3, 4)
    close(ours(x, 1, dtype=torch.float64), theirs(x, 1, dtype=torch.float64), **F64)
    ints = torch.tensor([[1, 2, 3]])
    close(ours(ints, 1, dtype=torch.float32), theirs(ints, 1, dtype=torch.float32), **F32)


@pytest.mark.parametrize("fn", [F.softmax, F.log_softmax], ids=IDS)
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_low_precision_close_to_torch(fn, dtype) -> None:
    """float16/bfloat16 within a few units of the dtype's eps of torch's result in the same
    dtype (torch computes in float32 and rounds once; dlref rounds every step in the dtype).
    Measured on this input, |error| / max(1, |y|) is at most 0.5 eps for softmax and 1.5 eps
    for log_softmax (0.5 and 2 over 200 seeds), softmax's relative error 2.5 eps (3.3). The
    float16 result rounded through bfloat16 is 2 and 4.8 eps off: it fails."""
    x = torch.randn(256, 6, generator=torch.Generator().manual_seed(0)).to(dtype)
    out = fn(x, dim=1)
    assert out.dtype == dtype
    theirs = getattr(TF, fn.__name__)(x, dim=1).double()
    error, eps = (out.double() - theirs).abs(), torch.finfo(dtype).eps
    k = 1 if fn is F.softmax else 3
    scaled = error / theirs.abs().clamp_min(1)
    assert (scaled <= k * eps).all(), scaled.max() / eps
    if fn is F.softmax:  # small probabilities too: rounding z - max(z) costs |z - max| eps / 2
        assert (error <= 4 * eps * theirs.abs()).all(), (error / theirs.abs()).max() / eps


# ---- errors -------------------------------------------------------------------------------
@pytest.mark.parametrize("fn", [F.softmax, F.log_softmax], ids=IDS)
def test_errors(fn) -> None:
    with pytest.raises(TypeError, match=r"input must be a torch.Tensor, got list"):
        fn([1.0, 2.0], dim=0)
    with pytest.raises(TypeError, match=r"input must have a floating-point dtype.*torch.int64"):
        fn(torch.tensor([1, 2]), dim=0)
    with pytest.raises(IndexError, match=r"dim 2 is out of range .* shape \(3, 4\).*\[-2, 1\]"):
        fn(torch.randn(3, 4), dim=2)
    with pytest.raises(IndexError, match=r"dim -2 is out of range .* 0 dimension"):
        fn(torch.tensor(1.0), dim=-2)
    # the dtype argument is named, not the (float) input it would have been cast to
    with pytest.raises(TypeError, match=r"dtype must be a floating-point dtype, got torch.int64"):
        fn(torch.randn(3), dim=0, dtype=torch.long)


def test_logsumexp_errors() -> None:
    with pytest.raises(TypeError, match=r"input must be a torch.Tensor, got float"):
        F.logsumexp(1.0, 0)  # type: ignore[arg-type]
    with pytest.raises(IndexError, match=r"logsumexp: dim 3 is out of range .* \(2, 3\)"):
        F.logsumexp(torch.randn(2, 3), (0, 3))
    x = torch.randn(2, 3, dtype=torch.float64)
    for empty in ((), []):  # amax and sum would reduce everything, squeeze nothing: refused
        with pytest.raises(ValueError, match=r"logsumexp: dim is empty with keepdim=False"):
            F.logsumexp(x, empty)
        with pytest.raises(RuntimeError):
            torch.logsumexp(x, empty)  # PyTorch refuses it too
        # keepdim=True, or a 0-d tensor: every dimension is reduced, as in PyTorch
        for z, keepdim in ((x, True), (x[0, 0], False), (x[0, 0], True)):
            ours, theirs = F.logsumexp(z, empty, keepdim), torch.logsumexp(z, empty, keepdim)
            assert ours.shape == theirs.shape
            torch.testing.assert_close(ours, theirs)


# ---- properties over random shapes --------------------------------------------------------
@st.composite
def tensors(draw: st.DrawFn) -> tuple[torch.Tensor, int]:
    """A float64 tensor of 0-4 dims (sizes 0-5), a valid dim, magnitudes up to 1e4, sometimes
    non-contiguous (a transposed view), sometimes with -inf, +inf or NaN entries."""
    ndim = draw(st.integers(0, 4))
    shape = draw(st.lists(st.integers(0, 5), min_size=ndim, max_size=ndim))
    scale = draw(st.sampled_from([1.0, 30.0, 1e4]))
    g = torch.Generator().manual_seed(draw(st.integers(0, 2**31 - 1)))
    x = torch.randn(shape, generator=g, dtype=torch.float64) * scale
    if ndim >= 2 and draw(st.booleans()):
        x = x.transpose(0, -1)  # non-contiguous
    if x.numel() and draw(st.booleans()):
        mask = torch.rand(x.shape, generator=g) < 0.2
        x = x.masked_fill(mask, -INF)
    if x.numel() and draw(st.booleans()):  # +inf and NaN too: torch gives NaN slices
        special = draw(st.sampled_from([INF, float("nan")]))
        x = x.masked_fill(torch.rand(x.shape, generator=g) < 0.1, special)
    dim = draw(st.integers(-max(ndim, 1), max(ndim, 1) - 1))
    return x, dim


@settings(max_examples=100, deadline=None)
@given(tensors())
def test_property_matches_torch(case: tuple[torch.Tensor, int]) -> None:
    x, dim = case
    close(F.softmax(x, dim=dim), TF.softmax(x, dim=dim), **F64)
    close(F.log_softmax(x, dim=dim), TF.log_softmax(x, dim=dim), **F64)
    close(F.logsumexp(x, dim=dim), torch.logsumexp(x, dim=dim), **F64)
    if x.numel():  # gradients, NaN and infinite slices included
        up = torch.linspace(-1, 1, x.numel(), dtype=x.dtype).reshape(x.shape)
        for ours, theirs in PAIRS:
            a = x.clone().requires_grad_()
            (ga,) = torch.autograd.grad(ours(a, dim=dim), a, up)
            (gb,) = torch.autograd.grad(theirs(a, dim=dim), a, up)
            close(ga, gb, **F64)


@settings(max_examples=60, deadline=None)
@given(tensors(), st.floats(-1e3, 1e3))
def test_property_distribution_and_shift_invariance(case: tuple[torch.Tensor, int], c: float):
    x, dim = case
    x = x.nan_to_num(nan=0.0, posinf=50.0, neginf=-50.0)  # every slice has a finite max
    p = F.softmax(x, dim=dim)
    assert ((p >= 0) & (p <= 1)).all()
    if x.dim() and x.shape[dim] > 0:
        torch.testing.assert_close(p.sum(dim=dim), torch.ones_like(p.sum(dim=dim)))
    # softmax(x + c) == softmax(x): the reason the max can be subtracted
    torch.testing.assert_close(F.softmax(x + c, dim=dim), p, atol=1e-9, rtol=1e-9)
    # exp(log_softmax) == softmax
    torch.testing.assert_close(F.log_softmax(x, dim=dim).exp(), p, atol=1e-12, rtol=1e-12)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dim", ["1", 1.0, torch.tensor([1])], ids=repr)
def test_a_dim_that_is_not_an_integer_is_named(name: str, dim: object) -> None:
    x = torch.randn(2, 3)
    with pytest.raises(TypeError, match=rf"{name}: dim must be an integer"):
        getattr(F, name)(x, dim=dim)
    with pytest.raises(TypeError):  # PyTorch refuses each of them too
        getattr(TF, name)(x, dim=dim)


@pytest.mark.parametrize("dim", ["1", 1.0, [0, "1"]], ids=repr)
def test_a_logsumexp_dim_that_is_not_an_integer_is_named(dim: object) -> None:
    x = torch.randn(2, 3)
    with pytest.raises(TypeError, match=r"logsumexp: dim must be an integer"):
        F.logsumexp(x, dim)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        torch.logsumexp(x, dim)  # type: ignore[call-overload]
