"""Tests for dlref.functional.regression: mse_loss and l1_loss against PyTorch (values, gradients,
legacy arguments, weights, errors); rmse, mape and smape against a direct float64 NumPy formula."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import Tensor

import dlref.functional as F
from dlref.functional._validation import reduce

REDUCTIONS = ["none", "mean", "sum"]
PAIRS = [(F.mse_loss, TF.mse_loss), (F.l1_loss, TF.l1_loss)]
PAIR_IDS = ["mse_loss", "l1_loss"]
METRICS = [F.rmse, F.mape, F.smape]
METRIC_IDS = ["rmse", "mape", "smape"]
TIGHT64 = {"atol": 1e-12, "rtol": 1e-12}


def assert_close(a: Tensor, b: Tensor, **tol: float) -> None:
    assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, b.shape, a.dtype, b.dtype)
    torch.testing.assert_close(a, b, equal_nan=True, **tol)  # type: ignore[arg-type]


def values_and_grads(
    fn: Callable[..., Tensor], x: Tensor, y: Tensor, **kw: object
) -> tuple[Tensor, ...]:
    """``fn(x, y, **kw)`` and its gradients with respect to ``x``, ``y`` and, when ``kw`` has a
    ``weight`` tensor, that weight too (torch differentiates ``weight``, and so must dlref)."""
    leaves = [x.clone().requires_grad_(True), y.clone().requires_grad_(True)]
    weight = kw.get("weight")
    if isinstance(weight, Tensor):
        leaves.append(weight.clone().requires_grad_(True))
        kw = {**kw, "weight": leaves[2]}
    out = fn(leaves[0], leaves[1], **kw)
    grads = torch.autograd.grad(out.sum(), leaves, allow_unused=True)
    return (out.detach(), *grads)


# ---- mse_loss / l1_loss against torch ----------------------------------------------------------


def test_signatures_match_torch() -> None:
    import inspect

    for ours, theirs in PAIRS:
        a, b = inspect.signature(ours), inspect.signature(theirs)
        assert [(p.name, p.default, p.kind) for p in a.parameters.values()] == [
            (p.name, p.default, p.kind) for p in b.parameters.values()
        ]


@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=PAIR_IDS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_values_and_grads_match_torch(
    ours: Callable[..., Tensor], theirs: Callable[..., Tensor], reduction: str, dtype: torch.dtype
) -> None:
    g = torch.Generator().manual_seed(1)
    x = torch.randn(4, 3, 5, generator=g, dtype=dtype)
    y = torch.randn(4, 3, 5, generator=g, dtype=dtype)
    x[0, 0, :2] = y[0, 0, :2]  # some exact zero errors: the kink of |e|
    tol = TIGHT64 if dtype == torch.float64 else {"atol": 1e-6, "rtol": 1e-6}
    for a, b in zip(
        values_and_grads(ours, x, y, reduction=reduction),
        values_and_grads(theirs, x, y, reduction=reduction),
        strict=True,
    ):
        assert_close(a, b, **tol)


@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=PAIR_IDS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_weight_matches_torch(
    ours: Callable[..., Tensor], theirs: Callable[..., Tensor], reduction: str
) -> None:
    g = torch.Generator().manual_seed(2)
    x, y = torch.randn(2, 6, generator=g, dtype=torch.float64).unbind(0)
    w = torch.rand(6, generator=g, dtype=torch.float64)
    ours_all = values_and_grads(ours, x, y, reduction=reduction, weight=w)
    theirs_all = values_and_grads(theirs, x, y, reduction=reduction, weight=w)
    assert len(ours_all) == len(theirs_all) == 4  # the value and the x, y and weight gradients
    for a, b in zip(ours_all, theirs_all, strict=True):
        assert_close(a, b, **TIGHT64)


@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=PAIR_IDS)
@pytest.mark.parametrize(
    ("size_average", "reduce"),
    [(None, False), (False, None), (False, True), (True, False), (True, True), (None, True)],
)
def test_legacy_arguments_match_torch(
    ours: Callable[..., Tensor],
    theirs: Callable[..., Tensor],
    size_average: bool | None,
    reduce: bool | None,
) -> None:
    x, y = torch.randn(2, 3, 4, dtype=torch.float64).unbind(0)
    with warnings.catch_warnings(record=True) as ours_w:
        warnings.simplefilter("always")
        a = ours(x, y, size_average=size_average, reduce=reduce, reduction="mean")
    with warnings.catch_warnings(record=True) as theirs_w:
        warnings.simplefilter("always")
        b = theirs(x, y, size_average=size_average, reduce=reduce, reduction="mean")
    assert_close(a, b, **TIGHT64)
    assert [str(w.message) for w in ours_w] == [str(w.message) for w in theirs_w]
    assert all(w.category is UserWarning for w in ours_w) and len(ours_w) == 1
    assert ours_w[0].filename == __file__  # the warning points at the caller


@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=PAIR_IDS)
def test_mixed_dtypes_promote_like_torch(
    ours: Callable[..., Tensor], theirs: Callable[..., Tensor]
) -> None:
    x = torch.tensor([0.5, 2.0, -1.0])
    for y in (torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64), torch.tensor([1, 2, 3])):
        assert_close(ours(x, y), theirs(x, y), **TIGHT64)


@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=PAIR_IDS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_empty_and_zero_dim_match_torch(
    ours: Callable[..., Tensor], theirs: Callable[..., Tensor], reduction: str
) -> None:
    for shape in [(0,), (3, 0), ()]:
        x = torch.randn(shape, dtype=torch.float64)
        y = torch.randn(shape, dtype=torch.float64)
        assert_close(ours(x, y, reduction=reduction), theirs(x, y, reduction=reduction))
    e = torch.empty(0, dtype=torch.float64)
    assert_close(ours(e, e, weight=e), theirs(e, e, weight=e))  # 0/0: NaN in both


@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=PAIR_IDS)
def test_non_contiguous_and_huge(
    ours: Callable[..., Tensor], theirs: Callable[..., Tensor]
) -> None:
    x = torch.randn(5, 4, dtype=torch.float64).t()
    y = torch.randn(4, 5, dtype=torch.float64) * 1e4
    assert not x.is_contiguous()
    for a, b in zip(values_and_grads(ours, x, y), values_and_grads(theirs, x, y), strict=True):
        assert_close(a, b, **TIGHT64)


@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=PAIR_IDS)
def test_shape_mismatch_raises_where_torch_warns(
    ours: Callable[..., Tensor], theirs: Callable[..., Tensor]
) -> None:
    x, y = torch.randn(3, 1), torch.randn(3)
    with pytest.warns(UserWarning, match="Using a target size"):
        assert theirs(x, y, reduction="none").shape == (3, 3)  # torch broadcasts to (N, N)
    with pytest.raises(
        ValueError, match=r"target shape \(3,\) does not match input shape \(3, 1\)"
    ):
        ours(x, y)


@pytest.mark.parametrize("fn", [F.mse_loss, F.l1_loss], ids=PAIR_IDS)
def test_errors(fn: Callable[..., Tensor]) -> None:
    x = torch.randn(3)
    with pytest.raises(ValueError, match="reduction must be one of"):
        fn(x, x, reduction="avg")
    with pytest.raises(ValueError, match="reduction must be one of"):
        fn(x, x, reduction="avg", weight=torch.ones(3))
    with pytest.raises(ValueError, match=r"weight shape \(2,\) does not match input shape \(3,\)"):
        fn(x, x, weight=torch.ones(2))
    with pytest.raises(TypeError, match="input must have a floating-point dtype"):
        fn(torch.tensor([1, 2]), torch.tensor([1, 2]))
    with pytest.raises(TypeError, match="target must have a floating-point or integer dtype"):
        fn(x, torch.tensor([True, False, True]))
    with pytest.raises(TypeError, match=r"input must be a torch\.Tensor, got list"):
        fn([1.0], x)
    with pytest.raises(TypeError, match=r"target must be a torch\.Tensor, got float"):
        fn(x, 1.0)


@pytest.mark.parametrize("fn", [F.mse_loss, F.l1_loss, *METRICS], ids=PAIR_IDS + METRIC_IDS)
def test_gradcheck(fn: Callable[..., Tensor]) -> None:
    g = torch.Generator().manual_seed(3)
    # Away from kinks: errors and targets bounded away from 0.
    y = (torch.rand(3, 4, generator=g, dtype=torch.float64) + 0.5) * torch.tensor([1.0, -1.0, 1.0])[
        :, None
    ].to(torch.float64)
    x = y + (torch.rand(3, 4, generator=g, dtype=torch.float64) + 0.1) * torch.sign(
        torch.randn(3, 4, generator=g, dtype=torch.float64)
    )
    for reduction in REDUCTIONS:
        assert torch.autograd.gradcheck(
            lambda a, b, r=reduction: fn(a, b, reduction=r),
            (x.clone().requires_grad_(), y.clone().requires_grad_()),
        )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_written_out_derivative_equals_autograd_on_the_formula(reduction: str) -> None:
    """_SquaredError (the derivative 2 (input - target) written out) against autograd on the
    plain formula reduce((input - target) ** 2): values, gradients, second derivatives."""
    g = torch.Generator().manual_seed(5)
    x, y, v = torch.randn(3, 3, 4, generator=g, dtype=torch.float64).unbind(0)

    def derivatives(loss_fn):  # type: ignore[no-untyped-def]
        a, b = x.clone().requires_grad_(), y.clone().requires_grad_()
        loss = loss_fn(a, b)
        weights = v if reduction == "none" else torch.ones(())
        grads = torch.autograd.grad((loss * weights).sum(), (a, b), create_graph=True)
        seconds = torch.autograd.grad(sum((gr * v).sum() for gr in grads), (a, b))
        return [loss, *grads, *seconds]

    written_out = derivatives(lambda a, b: F.mse_loss(a, b, reduction=reduction))
    formula = derivatives(lambda a, b: reduce((a - b) ** 2, reduction))
    for ours, expected in zip(written_out, formula, strict=True):
        torch.testing.assert_close(ours, expected, rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_gradgradcheck(reduction: str) -> None:
    """_SquaredError's backward is built from differentiable operations (second derivatives
    2 / n, or 2 per element for 'none'), for both arguments."""
    g = torch.Generator().manual_seed(4)
    x = torch.randn(3, 4, generator=g, dtype=torch.float64).requires_grad_()
    y = torch.randn(3, 4, generator=g, dtype=torch.float64).requires_grad_()
    assert torch.autograd.gradgradcheck(lambda a, b: F.mse_loss(a, b, reduction=reduction), (x, y))


@settings(max_examples=80, deadline=None)
@given(
    shape=st.lists(st.integers(0, 4), min_size=0, max_size=3),
    scale=st.sampled_from([1e-3, 1.0, 1e4]),
    reduction=st.sampled_from(REDUCTIONS),
    seed=st.integers(0, 2**16),
    ties=st.booleans(),
)
def test_hypothesis_against_torch(
    shape: list[int], scale: float, reduction: str, seed: int, ties: bool
) -> None:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=g, dtype=torch.float64) * scale
    y = x.clone() if ties else torch.randn(shape, generator=g, dtype=torch.float64) * scale
    for ours, theirs in PAIRS:
        for a, b in zip(
            values_and_grads(ours, x, y, reduction=reduction),
            values_and_grads(theirs, x, y, reduction=reduction),
            strict=True,
        ):
            assert_close(a, b, **TIGHT64)


# ---- rmse / mape / smape against NumPy float64 formulas ----------------------------------------

EPS = np.finfo(np.float64).eps


def np_reduce(v: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "none":
        return v
    if reduction == "sum":
        return np.asarray(v.sum())
    return np.asarray(v.mean()) if v.size else np.asarray(np.nan)


def np_rmse(x: np.ndarray, y: np.ndarray, reduction: str) -> np.ndarray:
    return np.sqrt(np_reduce((x - y) ** 2, reduction))


def np_mape(x: np.ndarray, y: np.ndarray, reduction: str, eps: float = EPS) -> np.ndarray:
    return np_reduce(np.abs(x - y) / np.maximum(np.abs(y), eps), reduction)


def np_smape(x: np.ndarray, y: np.ndarray, reduction: str) -> np.ndarray:
    num, den = 2 * np.abs(x - y), np.abs(x) + np.abs(y)
    return np_reduce(np.divide(num, den, out=np.zeros_like(num), where=den != 0), reduction)


NP_METRICS = [np_rmse, np_mape, np_smape]


def check_against_numpy(
    fn: Callable[..., Tensor], ref: Callable[..., np.ndarray], x: Tensor, y: Tensor, r: str
) -> None:
    ours = fn(x, y, reduction=r)
    expected = torch.from_numpy(np.asarray(ref(x.numpy(), y.numpy(), r), dtype=np.float64))
    assert_close(ours, expected, **TIGHT64)


@settings(max_examples=80, deadline=None)
@given(
    shape=st.lists(st.integers(0, 4), min_size=0, max_size=3),
    scale=st.sampled_from([1e-3, 1.0, 1e4]),
    reduction=st.sampled_from(REDUCTIONS),
    seed=st.integers(0, 2**16),
    zeros=st.sampled_from(["none", "target", "both", "ties"]),
)
def test_hypothesis_metrics_against_numpy(
    shape: list[int], scale: float, reduction: str, seed: int, zeros: str
) -> None:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=g, dtype=torch.float64) * scale
    y = torch.randn(shape, generator=g, dtype=torch.float64) * scale
    mask = torch.rand(shape, generator=g) < 0.5
    if zeros in ("target", "both"):
        y = torch.where(mask, torch.zeros_like(y), y)
    if zeros == "both":
        x = torch.where(mask, torch.zeros_like(x), x)
    if zeros == "ties":
        x = torch.where(mask, y, x)
    for fn, ref in zip(METRICS, NP_METRICS, strict=True):
        check_against_numpy(fn, ref, x, y, reduction)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_metrics_edge_cases(reduction: str) -> None:
    y = torch.tensor([0.0, 0.0, 2.0, -4.0, 1.0], dtype=torch.float64)
    x = torch.tensor([0.0, 3.0, 2.0, -2.0, 0.0], dtype=torch.float64)
    for fn, ref in zip(METRICS, NP_METRICS, strict=True):
        check_against_numpy(fn, ref, x, y, reduction)


def test_metric_definitions_by_hand() -> None:
    y = torch.tensor([0.0, 0.0, 2.0, -4.0, 1.0], dtype=torch.float64)
    x = torch.tensor([0.0, 3.0, 2.0, -2.0, 0.0], dtype=torch.float64)
    # both zero -> 0; zero target, error 3 -> 3/eps; exact -> 0; 2/4; 1/1
    assert F.mape(x, y, reduction="none").tolist() == [0.0, 3.0 / EPS, 0.0, 0.5, 1.0]
    # both zero -> 0; zero target -> 2; exact -> 0; 4/6; 2/1
    assert torch.allclose(
        F.smape(x, y, reduction="none"),
        torch.tensor([0.0, 2.0, 0.0, 2 / 3, 2.0], dtype=torch.float64),
        rtol=0,
        atol=1e-15,
    )
    assert F.rmse(x, y, reduction="none").tolist() == [0.0, 3.0, 0.0, 2.0, 1.0]
    assert F.rmse(x, y, reduction="sum").item() == pytest.approx(14**0.5, rel=1e-15)
    assert F.mape(x, y, reduction="none", eps=0.5)[1].item() == 6.0


def test_smape_symmetric_in_arguments_and_bounded() -> None:
    g = torch.Generator().manual_seed(4)
    x = torch.randn(100, generator=g, dtype=torch.float64) * 10
    y = torch.randn(100, generator=g, dtype=torch.float64)
    s = F.smape(x, y, reduction="none")
    assert torch.equal(s, F.smape(y, x, reduction="none"))
    assert bool((s >= 0).all() and (s <= 2).all())


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_rmse_equals_sqrt_mse_and_bounds_mae(dtype: torch.dtype) -> None:
    g = torch.Generator().manual_seed(5)
    x, y = torch.randn(2, 50, generator=g, dtype=dtype).unbind(0)
    torch.testing.assert_close(F.rmse(x, y), TF.mse_loss(x, y).sqrt())
    assert F.l1_loss(x, y) <= F.rmse(x, y)


@pytest.mark.parametrize("fn", METRICS, ids=METRIC_IDS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_metric_gradients_at_zero_error_and_zero_targets(
    fn: Callable[..., Tensor], reduction: str
) -> None:
    # zero error everywhere, including 0 = 0: the gradient is finite (0), never NaN.
    y = torch.tensor([0.0, 1.5, -2.0], dtype=torch.float64)
    _, gx, gy = values_and_grads(fn, y.clone(), y, reduction=reduction)
    assert torch.equal(gx, torch.zeros(3, dtype=torch.float64))
    assert torch.isfinite(gy).all()


def test_metric_gradients_match_numpy_derivatives() -> None:
    y = torch.tensor([1.0, -2.0, 4.0], dtype=torch.float64)
    x = torch.tensor([1.5, -1.0, 3.0], dtype=torch.float64)
    e = (x - y).numpy()
    n = 3
    r = np.sqrt((e**2).mean())
    _, gx, _ = values_and_grads(F.rmse, x, y)
    np.testing.assert_allclose(gx.numpy(), e / (n * r), rtol=1e-13)
    _, gx, _ = values_and_grads(F.mape, x, y)
    np.testing.assert_allclose(gx.numpy(), np.sign(e) / np.abs(y.numpy()) / n, rtol=1e-13)
    # d/dx of 2|x-y|/(|x|+|y|) = 2 sign(e)/(|x|+|y|) - 2|e| sign(x)/(|x|+|y|)^2
    xn, yn = x.numpy(), y.numpy()
    den = np.abs(xn) + np.abs(yn)
    expected = (2 * np.sign(e) / den - 2 * np.abs(e) * np.sign(xn) / den**2) / n
    _, gx, _ = values_and_grads(F.smape, x, y)
    np.testing.assert_allclose(gx.numpy(), expected, rtol=1e-13)


def test_rmse_where_torch_sqrt_gives_nan() -> None:
    x = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    TF.mse_loss(x, torch.zeros(3, dtype=torch.float64)).sqrt().backward()
    assert torch.isnan(x.grad).all()  # type: ignore[union-attr]  # the naive root fails here


@pytest.mark.parametrize("fn", METRICS, ids=METRIC_IDS)
def test_metric_errors(fn: Callable[..., Tensor]) -> None:
    x = torch.randn(3)
    with pytest.raises(ValueError, match="reduction must be one of"):
        fn(x, x, reduction="mean_percent")
    with pytest.raises(
        ValueError, match=r"target shape \(3, 1\) does not match input shape \(3,\)"
    ):
        fn(x, x[:, None])
    with pytest.raises(TypeError, match="input must have a floating-point dtype"):
        fn(torch.tensor([1, 2]), torch.tensor([1, 2]))


@pytest.mark.parametrize("eps", [0.0, -1.0, float("nan")])
def test_mape_rejects_bad_eps(eps: float) -> None:
    with pytest.raises(ValueError, match="eps must be positive"):
        F.mape(torch.ones(2), torch.ones(2), eps=eps)


@pytest.mark.parametrize(
    ("input_dtype", "target_dtype"),
    [
        (torch.float16, torch.float16),
        (torch.bfloat16, torch.bfloat16),
        (torch.float32, torch.float16),
        (torch.float16, torch.int64),
    ],
)
def test_mape_zero_target_guard_never_rounds_to_zero(
    input_dtype: torch.dtype, target_dtype: torch.dtype
) -> None:
    """float64's eps rounds to 0 in float16: the guard is then float16's smallest normal
    number, so a zero target with zero error still gives 0 (not 0/0 = NaN), and a small error
    a large finite number (0.5 / 6.1e-5 = 8192; from |error| 4 on, float16 overflows)."""
    out = F.mape(
        torch.tensor([0.0, 0.5], dtype=input_dtype),
        torch.zeros(2, dtype=target_dtype),
        reduction="none",
    )
    assert out[0] == 0 and torch.isfinite(out).all() and out[1] > 1e3


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mape_guard_is_in_the_promoted_dtype(reduction: str) -> None:
    """A float32 input and a float64 target divide in float64, so eps=1e-300 (above float64's
    smallest normal number, 2.2e-308) is kept, not raised to float32's 1.2e-38."""
    x = torch.tensor([1.0, 0.5, 3.0], dtype=torch.float32)
    y = torch.tensor([0.0, 0.0, 2.0], dtype=torch.float64)
    expected = np_mape(x.numpy().astype(np.float64), y.numpy(), reduction, eps=1e-300)
    out = F.mape(x, y, reduction=reduction, eps=1e-300)
    assert_close(out, torch.from_numpy(np.asarray(expected)), **TIGHT64)


@pytest.mark.parametrize("fn", METRICS, ids=METRIC_IDS)
def test_metrics_float32_close_to_float64(fn: Callable[..., Tensor]) -> None:
    g = torch.Generator().manual_seed(6)
    x, y = (torch.randn(2, 20, generator=g, dtype=torch.float64) + 3).unbind(0)
    torch.testing.assert_close(fn(x.float(), y.float()), fn(x, y).float(), rtol=1e-6, atol=1e-6)


# ---- NaN and ±inf --------------------------------------------------------------------------------

SPECIALS = [math.nan, math.inf, -math.inf]


def with_specials(x: Tensor, specials: list[float], positions: list[int]) -> Tensor:
    """A copy of ``x`` with NaN/±inf written at the given positions (modulo its size)."""
    x = x.clone()
    for value, position in zip(specials, positions, strict=False):
        if x.numel():
            x.view(-1)[position % x.numel()] = value
    return x


special_cases = {
    "shape": st.lists(st.integers(0, 4), min_size=0, max_size=3),
    "reduction": st.sampled_from(REDUCTIONS),
    "seed": st.integers(0, 2**16),
    "x_specials": st.lists(st.sampled_from(SPECIALS), max_size=3),
    "y_specials": st.lists(st.sampled_from(SPECIALS), max_size=3),
    "positions": st.lists(st.integers(0, 10_000), min_size=6, max_size=6),
}


def special_pair(
    shape: list[int],
    seed: int,
    x_specials: list[float],
    y_specials: list[float],
    positions: list[int],
) -> tuple[Tensor, Tensor]:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=g, dtype=torch.float64)
    y = torch.randn(shape, generator=g, dtype=torch.float64)
    return with_specials(x, x_specials, positions[:3]), with_specials(y, y_specials, positions[3:])


@settings(max_examples=80, deadline=None)
@given(weighted=st.booleans(), **special_cases)
def test_nan_and_inf_match_torch(
    weighted: bool,
    shape: list[int],
    reduction: str,
    seed: int,
    x_specials: list[float],
    y_specials: list[float],
    positions: list[int],
) -> None:
    """mse_loss and l1_loss: the same values and gradients as torch, NaN where torch has NaN
    (e.g. inf - inf, or a NaN anywhere under 'mean'), inf where torch has inf."""
    x, y = special_pair(shape, seed, x_specials, y_specials, positions)
    kw: dict[str, object] = {"reduction": reduction}
    if weighted:
        kw["weight"] = torch.rand(shape, generator=torch.Generator().manual_seed(seed + 1))
        kw["weight"] = kw["weight"].to(torch.float64)  # type: ignore[union-attr]
    for ours, theirs in PAIRS:
        for a, b in zip(
            values_and_grads(ours, x, y, **kw), values_and_grads(theirs, x, y, **kw), strict=True
        ):
            assert_close(a, b, **TIGHT64)


@settings(max_examples=80, deadline=None)
@given(**special_cases)
def test_metrics_nan_and_inf_match_numpy(
    shape: list[int],
    reduction: str,
    seed: int,
    x_specials: list[float],
    y_specials: list[float],
    positions: list[int],
) -> None:
    """rmse, mape, smape with NaN/±inf: the value of the float64 NumPy formula (NaN for inf/inf,
    inf - inf or any NaN; inf where the error is infinite and the denominator finite)."""
    x, y = special_pair(shape, seed, x_specials, y_specials, positions)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        for fn, ref in zip(METRICS, NP_METRICS, strict=True):
            check_against_numpy(fn, ref, x, y, reduction)


@settings(max_examples=60, deadline=None)
@given(**special_cases)
def test_rmse_gradient_is_sqrt_of_mse_gradient_except_at_zero(
    shape: list[int],
    reduction: str,
    seed: int,
    x_specials: list[float],
    y_specials: list[float],
    positions: list[int],
) -> None:
    """rmse equals torch's mse_loss(...).sqrt() in value everywhere, and in gradient wherever the
    squared error under the root is not 0 (there dlref's gradient is 0, torch's NaN), NaN and
    ±inf included."""
    x, y = special_pair(shape, seed, x_specials, y_specials, positions)
    ours = values_and_grads(F.rmse, x, y, reduction=reduction)
    theirs = values_and_grads(
        lambda a, b, reduction: TF.mse_loss(a, b, reduction=reduction).sqrt(),
        x,
        y,
        reduction=reduction,
    )
    assert_close(ours[0], theirs[0], **TIGHT64)
    under_root = TF.mse_loss(x, y, reduction=reduction)
    # 'none': element i's gradient depends on element i only; 'mean'/'sum': on the one root.
    keep = (under_root != 0).expand(x.shape) if reduction != "none" else under_root != 0
    for a, b in zip(ours[1:], theirs[1:], strict=True):
        assert_close(a[keep], b[keep], **TIGHT64)
        assert torch.equal(a[~keep], torch.zeros_like(a[~keep]))
