"""dlref.functional.nll_loss / cross_entropy against torch: every option, gradients, errors."""

from __future__ import annotations

import itertools
import math
import sys
import warnings
from typing import Any

import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

import dlref.functional as F

F64 = {"atol": 1e-12, "rtol": 1e-12}
F32 = {"atol": 1e-5, "rtol": 1e-5}
REDUCTIONS = ["none", "mean", "sum"]


def close(a: torch.Tensor, b: torch.Tensor, **tol: Any) -> None:
    assert a.shape == b.shape and a.dtype == b.dtype
    torch.testing.assert_close(a, b, equal_nan=True, **tol)


def make_case(
    shape: tuple[int, ...], dtype: torch.dtype, seed: int = 0, ignore: int | None = -100
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Logits, class-index target (some entries set to ``ignore``), probability target,
    class weights."""
    g = torch.Generator().manual_seed(seed)
    class_dim = 0 if len(shape) == 1 else 1
    C = shape[class_dim]
    tshape = () if len(shape) == 1 else (shape[0], *shape[2:])
    x = (torch.randn(shape, generator=g) * 3).to(dtype)
    t = torch.randint(0, C, tshape, generator=g)
    if ignore is not None and t.numel() > 1:
        t.view(-1)[:: max(t.numel() // 3, 1)] = ignore  # a few ignored entries
    q = torch.randn(shape, generator=g).softmax(dim=class_dim).to(dtype)
    w = (torch.rand(C, generator=g) + 0.1).to(dtype)
    return x, t, q, w


def both(fn_name: str, x: torch.Tensor, target: torch.Tensor, **kw: Any):
    """Run dlref and torch on copies; return outputs and gradients w.r.t. x (and target)."""
    outs, grads = [], []
    for mod in (F, TF):
        xi = x.clone().requires_grad_()
        ti = target.clone().requires_grad_() if target.is_floating_point() else target
        out = getattr(mod, fn_name)(xi, ti, **kw)
        outs.append(out)
        if out.numel():
            up = torch.linspace(0.5, 1.5, out.numel(), dtype=out.dtype).reshape(out.shape)
            (out * up).sum().backward()
            grads.append((xi.grad, ti.grad if ti.is_floating_point() else None))
        else:
            grads.append((None, None))
    return outs, grads


def check_both(fn_name: str, x: torch.Tensor, target: torch.Tensor, tol: Any, **kw: Any) -> None:
    (a, b), ((ga, gta), (gb, gtb)) = both(fn_name, x, target, **kw)
    close(a, b, **tol)
    if ga is not None or gb is not None:
        assert ga is not None and gb is not None
        close(ga, gb, **tol)
    if gta is not None or gtb is not None:
        assert gta is not None and gtb is not None
        close(gta, gtb, **tol)


SHAPES = [(5,), (4, 5), (3, 4, 2), (2, 3, 2, 2), (0, 4), (0, 4, 3)]
DTYPES = [(torch.float64, F64), (torch.float32, F32)]


# ---- every combination of options, values and gradients ------------------------------------
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize(("dtype", "tol"), DTYPES, ids=["f64", "f32"])
def test_nll_loss_all_options(shape, dtype, tol) -> None:
    for ignore_index, use_w, reduction in itertools.product([-100, 1], [False, True], REDUCTIONS):
        x, t, _, w = make_case(shape, dtype, ignore=ignore_index)
        log_p = TF.log_softmax(x, dim=0 if len(shape) == 1 else 1)
        kw = {"weight": w if use_w else None, "ignore_index": ignore_index}
        check_both("nll_loss", log_p, t, tol, reduction=reduction, **kw)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize(("dtype", "tol"), DTYPES, ids=["f64", "f32"])
def test_cross_entropy_class_indices_all_options(shape, dtype, tol) -> None:
    for ignore_index, use_w, reduction, ls in itertools.product(
        [-100, 1], [False, True], REDUCTIONS, [0.0, 0.1, 0.5, 1.0]
    ):
        x, t, _, w = make_case(shape, dtype, ignore=ignore_index)
        kw = {"weight": w if use_w else None, "ignore_index": ignore_index}
        check_both("cross_entropy", x, t, tol, reduction=reduction, label_smoothing=ls, **kw)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize(("dtype", "tol"), DTYPES, ids=["f64", "f32"])
def test_cross_entropy_probability_targets_all_options(shape, dtype, tol) -> None:
    for use_w, reduction, ls in itertools.product([False, True], REDUCTIONS, [0.0, 0.2, 1.0]):
        x, _, q, w = make_case(shape, dtype)
        kw = {"weight": w if use_w else None}
        check_both("cross_entropy", x, q, tol, reduction=reduction, label_smoothing=ls, **kw)


def _ours_with_grad(fn: str, x: torch.Tensor, t: torch.Tensor, **kw: Any):
    xi = x.clone().requires_grad_()
    out = getattr(F, fn)(xi, t, **kw)
    out.sum().backward()
    return out, xi.grad


def test_unbatched_and_one_element_target() -> None:
    x = torch.randn(5, dtype=torch.float64)
    t0, t1 = torch.tensor(3), torch.tensor([3])
    for reduction, ls in itertools.product(REDUCTIONS, [0.0, 0.1]):
        check_both("cross_entropy", x, t0, F64, reduction=reduction, label_smoothing=ls)
        check_both("nll_loss", x, t0, F64, reduction=reduction)
        # PyTorch also takes a 1-element target for a (C,) input. Its forward works without
        # label smoothing, but its backward fails ("size mismatch (got input: [5], target:
        # [1])") and with label smoothing the forward fails too. dlref treats [3] exactly as 3.
        if ls == 0.0:
            close(F.nll_loss(x, t1, reduction=reduction), TF.nll_loss(x, t1, reduction=reduction))
        a, ga = _ours_with_grad("cross_entropy", x, t1, reduction=reduction, label_smoothing=ls)
        b, gb = _ours_with_grad("cross_entropy", x, t0, reduction=reduction, label_smoothing=ls)
        close(a, b, **F64)
        close(ga, gb, **F64)
    assert F.cross_entropy(x, t0, reduction="none").shape == ()


def test_uint8_targets() -> None:
    x, t, _, w = make_case((6, 4), torch.float64, ignore=None)
    check_both("cross_entropy", x, t.to(torch.uint8), F64, weight=w)
    check_both("nll_loss", x, t.to(torch.uint8), F64, weight=w)
    # torch's label-smoothing path rejects uint8 ("gather(): Expected dtype int32/int64");
    # dlref gives the value torch gives for the same indices as int64.
    a = F.cross_entropy(x, t.to(torch.uint8), weight=w, label_smoothing=0.3)
    close(a, TF.cross_entropy(x, t, weight=w, label_smoothing=0.3), **F64)


def test_all_ignored_mean_is_nan_like_torch() -> None:
    x = torch.randn(3, 4, dtype=torch.float64)
    t = torch.full((3,), -100)
    for ls in (0.0, 0.2):
        a = F.cross_entropy(x, t, label_smoothing=ls)
        assert math.isnan(a.item())
        close(a, TF.cross_entropy(x, t, label_smoothing=ls), **F64)
        close(F.cross_entropy(x, t, reduction="sum"), TF.cross_entropy(x, t, reduction="sum"))


def test_huge_logits() -> None:
    x = torch.tensor([[1e4, 0.0, -1e4], [0.0, 1e4, 1e4 - 5.0]])
    t = torch.tensor([2, 2])
    for dtype, tol in DTYPES:
        check_both("cross_entropy", x.to(dtype), t, tol, reduction="none")
    loss = F.cross_entropy(x.double(), t, reduction="none")
    # -log p = logsumexp(x) - x_y: 1e4 - (-1e4) and 5 + log(1 + e^-5)
    torch.testing.assert_close(loss, torch.tensor([2e4, 5 + math.log1p(math.exp(-5))]).double())


def test_masked_logits_minus_inf() -> None:
    x = torch.tensor([[0.5, -math.inf, 1.0], [-math.inf, 2.0, -math.inf]], dtype=torch.float64)
    t = torch.tensor([0, 1])
    check_both("cross_entropy", x, t, F64)
    assert torch.isfinite(F.cross_entropy(x, t))


def test_mean_with_weights_divides_by_weight_sum() -> None:
    x, t, _, w = make_case((6, 3), torch.float64, ignore=-100)
    per = F.cross_entropy(x, t, weight=w, reduction="none")
    kept = t != -100
    expected = per.sum() / w[t[kept]].sum()
    close(F.cross_entropy(x, t, weight=w), expected, **F64)


def test_gradient_is_softmax_minus_one_hot() -> None:
    x = torch.randn(4, 5, dtype=torch.float64, requires_grad=True)
    t = torch.tensor([0, 3, 4, 1])
    F.cross_entropy(x, t, reduction="sum").backward()
    expected = F.softmax(x.detach(), dim=1) - TF.one_hot(t, 5).double()
    assert x.grad is not None
    close(x.grad, expected, **F64)


def test_cross_entropy_is_log_softmax_plus_nll() -> None:
    x, t, _, w = make_case((3, 4, 2), torch.float64)
    a = F.cross_entropy(x, t, weight=w)
    b = F.nll_loss(F.log_softmax(x, dim=1), t, weight=w)
    close(a, b, **F64)


def weight_gradient_cases() -> list[Any]:
    """(function, target kind, shape, reduction, ignore_index or None, label_smoothing): every
    combination that is valid. Probability targets take no non-negative ``ignore_index`` and
    ``nll_loss`` no ``label_smoothing``."""
    cases = []
    for shape, reduction in itertools.product([(6, 3), (3, 3, 2)], REDUCTIONS):
        for ignore in [None, -100, 1]:  # nothing ignored; -100 entries; class 1 ignored
            cases.append(("nll_loss", "index", shape, reduction, ignore, 0.0))
            for smoothing in [0.0, 0.3]:
                cases.append(("cross_entropy", "index", shape, reduction, ignore, smoothing))
        for smoothing in [0.0, 0.3]:
            cases.append(("cross_entropy", "probs", shape, reduction, None, smoothing))
    return [pytest.param(*c, id="-".join(map(str, c))) for c in cases]


@pytest.mark.parametrize(
    ("fn_name", "kind", "shape", "reduction", "ignore", "smoothing"), weight_gradient_cases()
)
def test_weight_gradient_passes_gradcheck(
    fn_name: str,
    kind: str,
    shape: tuple[int, ...],
    reduction: str,
    ignore: int | None,
    smoothing: float,
) -> None:
    """A dlref extension: the loss is differentiable with respect to ``weight`` (PyTorch
    refuses a ``weight`` that requires grad), so the weight gradient is checked against finite
    differences, in the 'mean' denominator and the label-smoothing term as well."""
    x, t, q, w = make_case(shape, torch.float64, seed=7, ignore=ignore)
    kw: dict[str, Any] = {"reduction": reduction}
    if ignore is not None:
        kw["ignore_index"] = ignore
        assert 0 < int((t == ignore).sum()) < t.numel()  # some targets ignored, not all
    if fn_name == "cross_entropy":
        kw["label_smoothing"] = smoothing
    inp = F.log_softmax(x, dim=1) if fn_name == "nll_loss" else x
    target = q if kind == "probs" else t
    fn = getattr(F, fn_name)
    assert torch.autograd.gradcheck(
        lambda weight: fn(inp, target, weight=weight, **kw), (w.requires_grad_(),)
    )


# ---- the fast form: class indices, no weight, nothing ignored --------------------------------
C_ = sys.modules["dlref.functional.classification"]
BATCHED = [(4, 5), (3, 4, 2), (2, 3, 2, 2), (1, 1)]


def fast(x: torch.Tensor, t: torch.Tensor, reduction: str) -> torch.Tensor:
    """The fast form alone: _CrossEntropy, whose backward is softmax - one-hot."""
    out: torch.Tensor = C_._CrossEntropy.apply(x, t, reduction)
    return out


def reference(x: torch.Tensor, t: torch.Tensor, reduction: str) -> torch.Tensor:
    """The reference form the page derives: nll_loss(log_softmax(x))."""
    return F.nll_loss(F.log_softmax(x, dim=1), t, reduction=reduction)


def test_all_kept_decides_the_path() -> None:
    t = torch.tensor([0, 3, 1])
    assert C_._all_kept(t, 4, -100)
    assert C_._all_kept(t, 4, 4)  # ignore_index outside [0, C): no target can equal it
    assert not C_._all_kept(t, 4, 0)  # inside: targets equal to it must be masked
    assert not C_._all_kept(torch.tensor([0, -100, 1]), 4, -100)  # something is ignored
    assert not C_._all_kept(torch.tensor([0, 4]), 4, -100)  # out of range: the two steps
    assert not C_._all_kept(torch.tensor([-1, 2]), 4, -100)  # raise the IndexError
    assert not C_._all_kept(torch.zeros(0, dtype=torch.long), 4, -100)  # empty


def test_the_usual_call_takes_the_fast_form() -> None:
    x, t, _, w = make_case((4, 5), torch.float64, ignore=None)
    x.requires_grad_()
    assert type(F.cross_entropy(x, t).grad_fn).__name__ == "_CrossEntropyBackward"
    assert type(F.cross_entropy(x, t, weight=w).grad_fn).__name__ != "_CrossEntropyBackward"


@pytest.mark.parametrize("shape", BATCHED, ids=str)
@pytest.mark.parametrize(("dtype", "tol"), DTYPES, ids=["f64", "f32"])
def test_fast_form_matches_torch(shape, dtype, tol) -> None:
    for ignore_index, reduction in itertools.product([-100, 99], REDUCTIONS):
        x, t, _, _ = make_case(shape, dtype, ignore=None)
        assert C_._all_kept(t.reshape(-1), shape[1], ignore_index)
        kw = {"ignore_index": ignore_index, "reduction": reduction}
        check_both("cross_entropy", x, t, tol, **kw)


@pytest.mark.parametrize("shape", BATCHED, ids=str)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_fast_form_equals_reference_form(shape, reduction) -> None:
    """Values, gradients and second derivatives of the fast form are the reference form's."""
    x, t, _, _ = make_case(shape, torch.float64, ignore=None)
    results = []
    for form in (fast, reference):
        xi = x.clone().requires_grad_()
        out = form(xi, t, reduction)
        up = torch.linspace(0.5, 1.5, out.numel(), dtype=out.dtype).reshape(out.shape)
        (g1,) = torch.autograd.grad((out * up).sum(), xi, create_graph=True)
        v = torch.linspace(-1, 1, x.numel(), dtype=x.dtype).reshape(x.shape)
        (g2,) = torch.autograd.grad((g1 * v).sum(), xi)  # a Hessian-vector product
        results.append((out.detach(), g1.detach(), g2))
    for a, b in zip(*results, strict=True):
        close(a, b, **F64)


def test_fast_form_equals_reference_form_at_infinities() -> None:
    inf = math.inf
    x = torch.tensor([[1e4, 0.0, -1e4], [0.0, 1e4, 1e4 - 5.0], [0.5, -inf, 1.0], [-inf, 2.0, -inf],
                      [inf, 0.0, 1.0], [math.nan, 0.0, 1.0]], dtype=torch.float64)  # fmt: skip
    for t in (torch.tensor([2, 2, 0, 1, 0, 1]), torch.tensor([2, 2, 1, 1, 1, 2])):
        for reduction in REDUCTIONS:
            a, b = (x.clone().requires_grad_() for _ in range(2))
            ya, yb = fast(a, t, reduction), reference(b, t, reduction)
            close(ya, yb, **F64)
            (ga,) = torch.autograd.grad(ya.sum(), a)
            (gb,) = torch.autograd.grad(yb.sum(), b)
            close(ga, gb, **F64)


def test_cross_entropy_fast_form_hard_logits() -> None:
    inf = math.inf
    x = torch.tensor([[1e4, 0.0, -1e4], [0.0, 1e4, 1e4 - 5.0], [0.5, -inf, 1.0], [-inf, 2.0, -inf]])
    t = torch.tensor([2, 2, 0, 1])
    for (dtype, tol), reduction in itertools.product(DTYPES, REDUCTIONS):
        check_both("cross_entropy", x.to(dtype), t, tol, reduction=reduction)
    # a target whose score is -inf: infinite loss, gradient -1 there (p_y = 0), like torch
    check_both("cross_entropy", x.double(), torch.tensor([2, 2, 1, 1]), F64, reduction="none")
    # +inf or NaN in a row: NaN loss and gradients for that row, like torch
    bad = torch.tensor([[inf, 0.0, 1.0], [math.nan, 0.0, 1.0], [0.0, 1.0, 2.0]])
    check_both("cross_entropy", bad, torch.tensor([0, 1, 2]), F32, reduction="none")


def test_cross_entropy_fast_form_non_contiguous() -> None:
    x = torch.randn(2, 3, 5, dtype=torch.float64).permute(2, 1, 0)  # (5, 3, 2), transposed
    assert not x.is_contiguous()
    t = torch.randint(0, 3, (5, 2))
    for reduction in REDUCTIONS:
        check_both("cross_entropy", x, t, F64, reduction=reduction)
        check_both("nll_loss", TF.log_softmax(x, dim=1), t, F64, reduction=reduction)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_fast_form_gradcheck_and_gradgradcheck(reduction) -> None:
    x, t, _, _ = make_case((3, 4, 2), torch.float64, ignore=None)
    x.requires_grad_()
    for fn in (F.cross_entropy, F.nll_loss):

        def f(x: torch.Tensor, fn: Any = fn) -> torch.Tensor:
            return fn(x, t, reduction=reduction)

        assert torch.autograd.gradcheck(f, (x,))
        assert torch.autograd.gradgradcheck(f, (x,))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_backward_with_create_graph(reduction) -> None:
    """The fast form's backward is one out-of-place formula: with or without
    create_graph=True it is torch's gradient, and its own derivative is torch's too."""
    x, t, _, _ = make_case((4, 5, 3), torch.float64, ignore=None)
    x.requires_grad_()

    def grad_of(mod: Any, create_graph: bool) -> torch.Tensor:
        out = mod.cross_entropy(x, t, reduction=reduction)
        up = torch.linspace(0.5, 1.5, out.numel(), dtype=out.dtype).reshape(out.shape)
        return torch.autograd.grad((out * up).sum(), x, create_graph=create_graph)[0]

    ref = grad_of(TF, create_graph=True)
    plain, graph = grad_of(F, create_graph=False), grad_of(F, create_graph=True)
    assert not plain.requires_grad and graph.requires_grad
    close(plain, ref, **F64)
    close(graph, ref, **F64)
    up2 = torch.randn(x.shape, dtype=torch.float64)
    (second,) = torch.autograd.grad((graph * up2).sum(), x)
    (second_ref,) = torch.autograd.grad((ref * up2).sum(), x)
    close(second, second_ref, **F64)
    # the saved tensors are only read: a second backward through the same graph agrees
    out = F.cross_entropy(x, t, reduction=reduction).sum()
    (first,) = torch.autograd.grad(out, x, retain_graph=True)
    (again,) = torch.autograd.grad(out, x)
    close(first, again, atol=0, rtol=0)


# ---- gradcheck -----------------------------------------------------------------------------
@pytest.mark.parametrize("ls", [0.0, 0.3])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gradcheck(ls, reduction) -> None:
    x, t, q, w = make_case((3, 4, 2), torch.float64)
    x.requires_grad_()
    q.requires_grad_()

    def ce_idx(x: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(x, t, weight=w, reduction=reduction, label_smoothing=ls)

    def ce_prob(x: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(x, q, weight=w, reduction=reduction, label_smoothing=ls)

    def nll(x: torch.Tensor) -> torch.Tensor:
        return F.nll_loss(x, t, weight=w, reduction=reduction)

    assert torch.autograd.gradcheck(ce_idx, (x,))
    assert torch.autograd.gradcheck(ce_prob, (x, q))
    assert torch.autograd.gradcheck(nll, (x,))


# ---- legacy size_average / reduce ------------------------------------------------------------
@pytest.mark.parametrize("fn_name", ["nll_loss", "cross_entropy"])
@pytest.mark.parametrize(
    ("size_average", "reduce", "expected"),
    [
        (None, False, "none"),
        (True, False, "none"),
        (False, None, "sum"),
        (False, True, "sum"),
        (True, None, "mean"),
        (None, True, "mean"),
    ],
)
def test_legacy_arguments_map_like_torch(fn_name, size_average, reduce, expected) -> None:
    x, t, _, _ = make_case((4, 3), torch.float64)
    ours = getattr(F, fn_name)
    with pytest.warns(UserWarning, match=f"please use reduction='{expected}' instead"):
        a = ours(x, t, size_average=size_average, reduce=reduce, reduction="sum")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        b = getattr(TF, fn_name)(x, t, size_average=size_average, reduce=reduce)
    close(a, b, **F64)
    close(a, ours(x, t, reduction=expected), **F64)


# ---- errors ----------------------------------------------------------------------------------
X = torch.randn(3, 4)
T = torch.tensor([0, 1, 2])


@pytest.mark.parametrize("fn", [F.nll_loss, F.cross_entropy], ids=["nll_loss", "cross_entropy"])
def test_errors_common(fn) -> None:
    with pytest.raises(IndexError, match=r"class index 4, out of range for input with 4 classes"):
        fn(X, torch.tensor([0, 4, 1]))
    with pytest.raises(IndexError, match=r"class index -1, .* must be in \[0, 3\]"):
        fn(X, torch.tensor([0, -1, 1]))
    with pytest.raises(IndexError, match=r"class index -100, .*ignore_index=0"):
        fn(X, torch.tensor([0, -100, 1]), ignore_index=0)
    with pytest.raises(
        ValueError, match=r"target shape \(2,\) does not match input shape \(3, 4\)"
    ):
        fn(X, torch.tensor([0, 1]))
    with pytest.raises(
        ValueError, match=r"target shape \(2, 3\) .* input shape \(2, 4, 2\).*\(2, 2\)"
    ):
        fn(torch.randn(2, 4, 2), torch.zeros(2, 3, dtype=torch.long))
    with pytest.raises(ValueError, match=r"target shape \(2,\) does not match input shape \(4,\)"):
        fn(torch.randn(4), torch.tensor([0, 1]))
    with pytest.raises(TypeError, match=r"dtype torch.int64 \(or torch.uint8\), got torch.int32"):
        fn(X, T.int())
    with pytest.raises(TypeError, match=r"got torch.float32; to give class probabilities"):
        fn(X, T.float())
    with pytest.raises(TypeError, match=r"input must have a floating-point dtype"):
        fn(torch.zeros(3, 4, dtype=torch.long), T)
    with pytest.raises(TypeError, match=r"target must be a torch.Tensor, got list"):
        fn(X, [0, 1, 2])
    with pytest.raises(ValueError, match=r"input must have a class dimension.*got a 0-d tensor"):
        fn(torch.tensor(1.0), torch.tensor(0))
    with pytest.raises(
        ValueError, match=r"reduction must be one of 'none', 'mean', 'sum'; got 'avg'"
    ):
        fn(X, T, reduction="avg")
    with pytest.raises(
        ValueError, match=r"weight must have shape \(4,\).*got weight of shape \(3,\)"
    ):
        fn(X, T, weight=torch.ones(3))
    with pytest.raises(ValueError, match=r"weight must have shape \(4,\).*shape \(4, 1\)"):
        fn(X, T, weight=torch.ones(4, 1))
    with pytest.raises(TypeError, match=r"weight must have a floating-point dtype"):
        fn(X, T, weight=torch.ones(4, dtype=torch.long))
    with pytest.raises(
        TypeError, match=r"weight dtype torch.float64 must match input dtype torch.float32"
    ):
        fn(X, T, weight=torch.ones(4, dtype=torch.float64))


def test_errors_cross_entropy_only() -> None:
    for ls in (-0.1, 1.5):
        with pytest.raises(ValueError, match=rf"label_smoothing must be in \[0, 1\], got {ls}"):
            F.cross_entropy(X, T, label_smoothing=ls)
    q = torch.rand(3, 4)
    with pytest.raises(ValueError, match=r"ignore_index=0 is not supported with class-probability"):
        F.cross_entropy(X, q, ignore_index=0)
    with pytest.raises(TypeError, match=r"read as class probabilities, which must be floating"):
        F.cross_entropy(X, torch.zeros(3, 4, dtype=torch.long))
    with pytest.raises(ValueError, match=r"weight must have shape \(4,\)"):
        F.cross_entropy(X, q, weight=torch.ones(3))


# ---- properties over random shapes -------------------------------------------------------------
@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    """Logits (C,), (N, C) or (N, C, d1, ...), N possibly 0, magnitudes up to 1e4, sometimes a
    transposed (non-contiguous) view, sometimes with -inf, +inf or NaN entries; a class-index
    target with random ignored entries or a probability target; random weight, reduction,
    ignore_index and label_smoothing."""
    unbatched = draw(st.booleans()) and draw(st.booleans())
    C = draw(st.integers(1, 5))
    if unbatched:
        shape: tuple[int, ...] = (C,)
    else:
        extra = draw(st.lists(st.integers(1, 3), max_size=2))
        shape = (draw(st.integers(0, 4)), C, *extra)
    seed = draw(st.integers(0, 2**31 - 1))
    g = torch.Generator().manual_seed(seed)
    scale = draw(st.sampled_from([1.0, 10.0, 1e4]))
    if len(shape) >= 3 and draw(st.booleans()):
        # build the transposed tensor, then view it back: same shape, non-contiguous
        x = (torch.randn(shape[::-1], generator=g, dtype=torch.float64) * scale).permute(
            *reversed(range(len(shape)))
        )
    else:
        x = torch.randn(shape, generator=g, dtype=torch.float64) * scale
    if x.numel() and draw(st.booleans()):  # -inf, +inf or NaN scores; torch's NaN is matched
        special = draw(st.sampled_from([-math.inf, math.inf, math.nan]))
        x = x.masked_fill(torch.rand(shape, generator=g) < 0.15, special)
    class_dim = 0 if unbatched else 1
    ignore_index = draw(st.sampled_from([-100, 0, C - 1]))
    probs = draw(st.booleans())
    if probs:
        ignore_index = -100
        target = torch.rand(shape, generator=g, dtype=torch.float64)
        if draw(st.booleans()):
            target = target.softmax(dim=class_dim)
        elif draw(st.booleans()):  # exact 0/1: one-hot rows
            target = (target == target.amax(dim=class_dim, keepdim=True)).double()
    else:
        tshape = () if unbatched else (shape[0], *shape[2:])
        target = torch.randint(0, C, tshape, generator=g)
        ignored = torch.rand(tshape, generator=g) < 0.3
        target = target.masked_fill(ignored, ignore_index)
    return {
        "x": x,
        "target": target,
        "weight": (torch.rand(C, generator=g, dtype=torch.float64) + 0.1)
        if draw(st.booleans())
        else None,
        "reduction": draw(st.sampled_from(REDUCTIONS)),
        "ignore_index": ignore_index,
        "label_smoothing": draw(st.sampled_from([0.0, 0.1, 1.0])),
    }


@settings(max_examples=100, deadline=None)
@given(cases())
def test_property_cross_entropy_matches_torch(case: dict[str, Any]) -> None:
    x, target = case.pop("x"), case.pop("target")
    check_both("cross_entropy", x, target, F64, **case)


@settings(max_examples=60, deadline=None)
@given(cases())
def test_property_nll_loss_matches_torch(case: dict[str, Any]) -> None:
    x, target = case.pop("x"), case.pop("target")
    case.pop("label_smoothing")
    if target.is_floating_point():
        target = target.argmax(dim=0 if x.dim() == 1 else 1)
        case["ignore_index"] = -100
    check_both("nll_loss", TF.log_softmax(x, dim=0 if x.dim() == 1 else 1), target, F64, **case)
