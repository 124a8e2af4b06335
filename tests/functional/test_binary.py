"""dlref.functional binary cross-entropy against torch: values, gradients, hard cases, errors."""

from __future__ import annotations

import math
import re
import warnings

import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

import dlref.functional as F

REDUCTIONS = ["none", "mean", "sum"]
TOL64 = {"rtol": 1e-12, "atol": 1e-12}
TOL32 = {"rtol": 2e-6, "atol": 2e-6}


def grads(fn, *tensors, **kw):  # type: ignore[no-untyped-def]
    """Loss value and gradients with respect to every tensor argument."""
    leaves = [t.detach().clone().requires_grad_(True) for t in tensors]
    loss = fn(*leaves, **kw)
    gs = torch.autograd.grad(loss, leaves, torch.ones_like(loss))
    return loss.detach(), gs


def assert_match(ours, theirs, tol):  # type: ignore[no-untyped-def]
    (l1, g1), (l2, g2) = ours, theirs
    torch.testing.assert_close(l1, l2, **tol, equal_nan=True)
    for a, b in zip(g1, g2, strict=True):
        torch.testing.assert_close(a, b, **tol, equal_nan=True)
    assert bool(torch.isfinite(l1)[torch.isfinite(l2)].all())
    for a, b in zip(g1, g2, strict=True):
        assert bool(torch.isfinite(a)[torch.isfinite(b)].all())


# ---- binary_cross_entropy --------------------------------------------------------------------

P_HARD = [0.0, 1.0, 1e-300, 1e-50, 1e-13, 1e-10, 0.3, 0.5, 1 - 1e-10, 1 - 1e-16]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_bce_hard_probabilities(reduction: str, dtype: torch.dtype) -> None:
    p = torch.tensor(P_HARD, dtype=dtype).repeat(3)
    y = torch.tensor([0.0] * 10 + [1.0] * 10 + [0.25] * 10, dtype=dtype)
    tol = TOL64 if dtype == torch.float64 else TOL32
    assert_match(
        grads(F.binary_cross_entropy, p, y, reduction=reduction),
        grads(TF.binary_cross_entropy, p, y, reduction=reduction),
        tol,
    )


def test_bce_exact_zero_one_is_finite_and_clamped() -> None:
    p = torch.tensor([0.0, 1.0], dtype=torch.float64)
    y = torch.tensor([1.0, 0.0], dtype=torch.float64)
    loss, (gp, _) = grads(F.binary_cross_entropy, p, y, reduction="none")
    assert loss.tolist() == [100.0, 100.0]
    assert bool(torch.isfinite(gp).all())
    floor = float(torch.tensor(1e-12, dtype=torch.float32))  # torch's EPSILON is a C++ float
    assert gp.tolist() == [-1 / floor, 1 / floor]  # the closed form with the 1e-12 floor


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_shape", [(4, 3), (3,), (1, 3), (4, 1), ()])
def test_bce_weight_broadcasts(reduction: str, weight_shape: tuple[int, ...]) -> None:
    torch.manual_seed(0)
    p = torch.rand(4, 3, dtype=torch.float64)
    y = torch.randint(0, 2, (4, 3)).double()
    w = torch.rand(weight_shape, dtype=torch.float64)
    ours = F.binary_cross_entropy(p, y, weight=w, reduction=reduction)
    theirs = TF.binary_cross_entropy(p, y, weight=w, reduction=reduction)
    torch.testing.assert_close(ours, theirs, **TOL64)


def test_bce_empty_0d_noncontiguous() -> None:
    empty = torch.empty(0, 2, dtype=torch.float64)
    for reduction in REDUCTIONS:
        torch.testing.assert_close(
            F.binary_cross_entropy(empty, empty, reduction=reduction),
            TF.binary_cross_entropy(empty, empty, reduction=reduction),
            equal_nan=True,
        )
    p0, y0 = torch.tensor(0.3, dtype=torch.float64), torch.tensor(1.0, dtype=torch.float64)
    assert_match(grads(F.binary_cross_entropy, p0, y0), grads(TF.binary_cross_entropy, p0, y0),
                 TOL64)  # fmt: skip
    torch.manual_seed(2)
    p = torch.rand(5, 4, dtype=torch.float64).t()
    y = torch.rand(4, 5, dtype=torch.float64)[:, :]
    assert not p.is_contiguous()
    assert_match(grads(F.binary_cross_entropy, p, y), grads(TF.binary_cross_entropy, p, y), TOL64)


def test_bce_gradcheck() -> None:
    torch.manual_seed(3)
    p = (torch.rand(3, 4, dtype=torch.float64) * 0.9 + 0.05).requires_grad_(True)
    y = torch.rand(3, 4, dtype=torch.float64).requires_grad_(True)
    w = torch.rand(4, dtype=torch.float64)
    for reduction in REDUCTIONS:
        assert torch.autograd.gradcheck(
            lambda a, b, r=reduction: F.binary_cross_entropy(a, b, w, reduction=r), (p, y)
        )
    assert torch.autograd.gradgradcheck(lambda a, b: F.binary_cross_entropy(a, b), (p, y))


def test_bce_legacy_flags_match_torch() -> None:
    p = torch.tensor([0.2, 0.9], dtype=torch.float64)
    y = torch.tensor([0.0, 1.0], dtype=torch.float64)
    for size_average, reduce in [(None, False), (False, None), (True, True), (False, True)]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = TF.binary_cross_entropy(p, y, size_average=size_average, reduce=reduce)
        with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
            ours = F.binary_cross_entropy(p, y, size_average=size_average, reduce=reduce)
        torch.testing.assert_close(ours, theirs, **TOL64)


probs = st.one_of(st.floats(0, 1), st.sampled_from([0.0, 1.0, 1e-300, 1 - 1e-16]))


@settings(max_examples=80, deadline=None)
@given(
    pairs=st.lists(st.tuples(probs, probs), min_size=1, max_size=20),
    reduction=st.sampled_from(REDUCTIONS),
)
def test_bce_property(pairs: list[tuple[float, float]], reduction: str) -> None:
    p = torch.tensor([a for a, _ in pairs], dtype=torch.float64)
    y = torch.tensor([b for _, b in pairs], dtype=torch.float64)
    assert_match(
        grads(F.binary_cross_entropy, p, y, reduction=reduction),
        grads(TF.binary_cross_entropy, p, y, reduction=reduction),
        TOL64,
    )


# ---- binary_cross_entropy_with_logits --------------------------------------------------------

X_HARD = [-1e4, -800.0, -40.0, -1.0, -1e-10, 0.0, 1e-10, 1.0, 40.0, 800.0, 1e4]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_logits_hard_values(reduction: str, dtype: torch.dtype) -> None:
    x = torch.tensor(X_HARD, dtype=dtype).repeat(3)
    y = torch.tensor([0.0] * 11 + [1.0] * 11 + [0.3] * 11, dtype=dtype)
    tol = TOL64 if dtype == torch.float64 else TOL32
    assert_match(
        grads(F.binary_cross_entropy_with_logits, x, y, reduction=reduction),
        grads(TF.binary_cross_entropy_with_logits, x, y, reduction=reduction),
        tol,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_logits_weight_and_pos_weight(reduction: str) -> None:
    torch.manual_seed(4)
    x = torch.randn(5, 3, dtype=torch.float64) * 4
    y = torch.randint(0, 2, (5, 3)).double()
    w = torch.rand(5, 1, dtype=torch.float64)
    pw = torch.rand(3, dtype=torch.float64) * 3  # one per class: the last dimension
    # torch is not differentiable with respect to the weights: compare input/target gradients
    kw = {"weight": w, "pos_weight": pw, "reduction": reduction}
    assert_match(
        grads(F.binary_cross_entropy_with_logits, x, y, **kw),
        grads(TF.binary_cross_entropy_with_logits, x, y, **kw),
        TOL64,
    )


def test_logits_gradcheck() -> None:
    torch.manual_seed(5)
    x = (torch.randn(4, 3, dtype=torch.float64) * 3).requires_grad_(True)
    y = torch.rand(4, 3, dtype=torch.float64).requires_grad_(True)
    w = torch.rand(3, dtype=torch.float64).requires_grad_(True)
    pw = (torch.rand(3, dtype=torch.float64) + 0.5).requires_grad_(True)
    for reduction in REDUCTIONS:
        assert torch.autograd.gradcheck(
            lambda a, b, c, d, r=reduction: F.binary_cross_entropy_with_logits(
                a, b, c, reduction=r, pos_weight=d
            ),
            (x, y, w, pw),
        )
    assert torch.autograd.gradgradcheck(
        lambda a, b: F.binary_cross_entropy_with_logits(a, b), (x, y)
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_logits_fast_path_gradcheck(reduction: str) -> None:
    """Without weight and pos_weight the loss is one Function (_BCEWithLogits): first and
    second derivatives with respect to both the logits and the target."""
    torch.manual_seed(6)
    x = (torch.randn(4, 3, dtype=torch.float64) * 3).requires_grad_(True)
    y = torch.rand(4, 3, dtype=torch.float64).requires_grad_(True)

    def f(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return F.binary_cross_entropy_with_logits(a, b, reduction=reduction)

    assert torch.autograd.gradcheck(f, (x, y))
    assert torch.autograd.gradgradcheck(f, (x, y))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_logits_fast_form_equals_reference_form(reduction: str, dtype: torch.dtype) -> None:
    """The fast form (_BCEWithLogits, backward sigma(x) - y) against the reference form:
    pos_weight = 1 is the same loss, computed by log_sigmoid and autograd."""
    x = torch.tensor(X_HARD, dtype=dtype).repeat(3)
    y = torch.tensor([0.0] * 11 + [1.0] * 11 + [0.3] * 11, dtype=dtype)
    ones = torch.ones(1, dtype=dtype)
    tol = TOL64 if dtype == torch.float64 else TOL32
    assert_match(
        grads(F.binary_cross_entropy_with_logits, x, y, reduction=reduction),
        grads(F.binary_cross_entropy_with_logits, x, y, reduction=reduction, pos_weight=ones),
        tol,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_logits_second_derivatives_equal_reference_form(reduction: str) -> None:
    x0 = torch.tensor(X_HARD, dtype=torch.float64)
    y = torch.linspace(0, 1, len(X_HARD), dtype=torch.float64)
    v = torch.linspace(-1, 1, len(X_HARD), dtype=torch.float64)
    seconds = []
    for pw in (None, torch.ones(1, dtype=torch.float64)):  # fast form, reference form
        x = x0.clone().requires_grad_(True)
        loss = F.binary_cross_entropy_with_logits(x, y, reduction=reduction, pos_weight=pw)
        (g1,) = torch.autograd.grad(loss.sum(), x, create_graph=True)
        (g2,) = torch.autograd.grad((g1 * v).sum(), x)
        seconds.append(g2)
    torch.testing.assert_close(seconds[0], seconds[1], **TOL64)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_logits_backward_with_create_graph(reduction: str) -> None:
    """_BCEWithLogits's backward is one out-of-place formula: with or without
    create_graph=True it gives torch's gradient."""
    torch.manual_seed(8)
    x = (torch.randn(5, 2, dtype=torch.float64) * 5).requires_grad_(True)
    y = torch.rand(5, 2, dtype=torch.float64).requires_grad_(True)
    for create_graph in (False, True):
        ours = torch.autograd.grad(
            F.binary_cross_entropy_with_logits(x, y, reduction=reduction).sum(),
            (x, y),
            create_graph=create_graph,
        )
        theirs = torch.autograd.grad(
            TF.binary_cross_entropy_with_logits(x, y, reduction=reduction).sum(), (x, y)
        )
        assert all(g.requires_grad == create_graph for g in ours)
        for a, b in zip(ours, theirs, strict=True):
            torch.testing.assert_close(a, b, **TOL64)


def test_logits_mixed_dtypes_take_the_general_path() -> None:
    x = torch.tensor([-3.0, 0.5, 20.0], dtype=torch.float64)
    y = torch.tensor([0.0, 1.0, 0.25])  # float32: the fast form takes one dtype
    ours = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    expected = F.binary_cross_entropy_with_logits(x, y.double(), reduction="none")
    torch.testing.assert_close(ours, expected, **TOL64)


def test_logits_gradient_at_zero_is_half() -> None:
    _, (g,) = grads(lambda x, **_: F.binary_cross_entropy_with_logits(x, torch.zeros(1).double()),
                    torch.zeros(1, dtype=torch.float64))  # fmt: skip
    assert g.item() == 0.5


def test_logits_empty_0d_noncontiguous() -> None:
    empty = torch.empty(0, dtype=torch.float64)
    for reduction in REDUCTIONS:
        torch.testing.assert_close(
            F.binary_cross_entropy_with_logits(empty, empty, reduction=reduction),
            TF.binary_cross_entropy_with_logits(empty, empty, reduction=reduction),
            equal_nan=True,
        )
    x0, y0 = torch.tensor(-2.0, dtype=torch.float64), torch.tensor(1.0, dtype=torch.float64)
    assert_match(grads(F.binary_cross_entropy_with_logits, x0, y0),
                 grads(TF.binary_cross_entropy_with_logits, x0, y0), TOL64)  # fmt: skip
    x = torch.randn(6, 4, dtype=torch.float64)[::2]
    y = torch.rand(4, 3, dtype=torch.float64).t()
    assert not x.is_contiguous() and not y.is_contiguous()
    assert_match(grads(F.binary_cross_entropy_with_logits, x, y),
                 grads(TF.binary_cross_entropy_with_logits, x, y), TOL64)  # fmt: skip


# any float64 (NaN and +-inf included): torch's values and gradients are matched there too
logits = st.one_of(
    st.floats(-1e4, 1e4), st.floats(), st.sampled_from([*X_HARD, math.inf, -math.inf, math.nan])
)


@settings(max_examples=80, deadline=None)
@given(
    pairs=st.lists(st.tuples(logits, st.floats(0, 1)), min_size=1, max_size=20),
    reduction=st.sampled_from(REDUCTIONS),
    pos=st.one_of(st.none(), st.floats(0.1, 10)),
)
def test_logits_property(
    pairs: list[tuple[float, float]], reduction: str, pos: float | None
) -> None:
    x = torch.tensor([a for a, _ in pairs], dtype=torch.float64)
    y = torch.tensor([b for _, b in pairs], dtype=torch.float64)
    pw = None if pos is None else torch.tensor([pos], dtype=torch.float64)
    assert_match(
        grads(F.binary_cross_entropy_with_logits, x, y, reduction=reduction, pos_weight=pw),
        grads(TF.binary_cross_entropy_with_logits, x, y, reduction=reduction, pos_weight=pw),
        TOL64,
    )


# ---- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [1.5, -0.1, float("nan")])
def test_bce_probability_outside_unit_interval(bad: float) -> None:
    """The message counts the elements outside [0, 1] and shows the first one (as float32)."""
    ok = torch.tensor([0.5, 0.5])
    example = re.escape(f"e.g. {torch.tensor(bad).item()}")  # -0.1 is -0.10000000149011612
    with pytest.raises(
        ValueError,
        match=r"input must be a probability in \[0, 1\]; found 1 element\(s\) outside, " + example,
    ):
        F.binary_cross_entropy(torch.tensor([0.5, bad]), ok)
    with pytest.raises(
        ValueError,
        match=r"target must be a probability in \[0, 1\]; found 2 element\(s\) outside, " + example,
    ):
        F.binary_cross_entropy(torch.tensor([0.5, 0.5, 0.5]), torch.tensor([bad, 0.5, 2.0]))


@pytest.mark.parametrize("bad", [-1.0, 1.5, float("nan")])
def test_logits_target_outside_unit_interval(bad: float) -> None:
    """Labels in {-1, +1} are refused with the function's name, where torch returns a loss
    that falls without bound (a negative loss at a confident correct logit for label -1)."""
    x = torch.tensor([-50.0, 2.0, 0.0])
    y = torch.tensor([bad, 1.0, 0.0])
    with pytest.raises(
        ValueError,
        match=r"^binary_cross_entropy_with_logits: every element of target must be a probability "
        r"in \[0, 1\]; found 1 element\(s\) outside",
    ):
        F.binary_cross_entropy_with_logits(x, y, pos_weight=torch.ones(3))
    if bad == -1.0:  # what the error prevents: torch's loss is about x = -50
        loss = TF.binary_cross_entropy_with_logits(x, y, reduction="none")
        assert loss[0].item() == pytest.approx(-50.0)


@pytest.mark.parametrize(
    "fn", [F.binary_cross_entropy, F.binary_cross_entropy_with_logits], ids=["bce", "logits"]
)
def test_shape_mismatch_is_value_error(fn) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(
        ValueError, match=r"target shape \(1, 1\) does not match input shape \(1,\)"
    ):
        fn(torch.tensor([0.5]), torch.tensor([[1.0]]))
    with pytest.raises(ValueError):  # torch raises ValueError here too
        getattr(TF, fn.__name__)(torch.tensor([0.5]), torch.tensor([[1.0]]))


@pytest.mark.parametrize(
    "fn", [F.binary_cross_entropy, F.binary_cross_entropy_with_logits], ids=["bce", "logits"]
)
def test_weight_not_broadcastable(fn) -> None:  # type: ignore[no-untyped-def]
    p, y = torch.tensor([0.5, 0.2, 0.1]), torch.tensor([1.0, 0.0, 1.0])
    for shape in [(2,), (2, 3)]:
        with pytest.raises(ValueError, match=r"weight shape .* does not broadcast to the input"):
            fn(p, y, weight=torch.ones(shape))


@pytest.mark.parametrize("name", ["weight", "pos_weight"])
def test_weights_must_be_tensors_and_keep_the_input_dtype(name: str) -> None:
    """A float weight is refused with its name (PyTorch raises a TypeError too); a float64
    weight leaves a float32 loss in float32, as in PyTorch."""
    x, y = torch.tensor([0.5, -1.0, 2.0]), torch.tensor([1.0, 0.0, 1.0])
    fns = [F.binary_cross_entropy_with_logits]
    if name == "weight":
        fns.append(F.binary_cross_entropy)
    for fn in fns:
        inputs = (x.sigmoid(), y) if fn is F.binary_cross_entropy else (x, y)
        with pytest.raises(TypeError, match=rf"{name} must be a torch\.Tensor, got float"):
            fn(*inputs, **{name: 2.0})
        w = torch.tensor([0.5, 2.0, 1.0], dtype=torch.float64)
        for reduction in ("none", "mean"):
            ours = fn(*inputs, reduction=reduction, **{name: w})
            theirs = getattr(TF, fn.__name__)(*inputs, reduction=reduction, **{name: w})
            assert ours.dtype == theirs.dtype == torch.float32
            torch.testing.assert_close(ours, theirs)


def test_pos_weight_not_broadcastable() -> None:
    x, y = torch.zeros(4, 3), torch.zeros(4, 3)
    with pytest.raises(ValueError, match=r"pos_weight shape \(4,\) does not broadcast"):
        F.binary_cross_entropy_with_logits(x, y, pos_weight=torch.ones(4))


@pytest.mark.parametrize(
    "fn", [F.binary_cross_entropy, F.binary_cross_entropy_with_logits], ids=["bce", "logits"]
)
def test_invalid_reduction(fn) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(
        ValueError, match="reduction must be one of 'none', 'mean', 'sum'; got 'avg'"
    ):
        fn(torch.tensor([0.5]), torch.tensor([1.0]), reduction="avg")


def test_dtypes() -> None:
    with pytest.raises(TypeError, match=r"target must have a floating-point dtype"):
        F.binary_cross_entropy(torch.tensor([0.5]), torch.tensor([1]))
    with pytest.raises(TypeError, match=r"target dtype torch\.float32 does not match input dtype"):
        F.binary_cross_entropy(torch.tensor([0.5], dtype=torch.float64), torch.tensor([1.0]))
    with pytest.raises(TypeError, match=r"input must have a floating-point dtype"):
        F.binary_cross_entropy_with_logits(torch.tensor([1]), torch.tensor([1.0]))
