"""dlref.nn loss modules against torch.nn: values, gradients, buffers and state_dict round trips."""

from __future__ import annotations

import warnings

import pytest
import torch
from torch import nn as tnn

import dlref.nn as nn

REDUCTIONS = ["none", "mean", "sum"]
TOL64 = {"rtol": 1e-12, "atol": 1e-12}


def binary_data() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    x = torch.randn(6, 3, dtype=torch.float64) * 3
    y = torch.randint(0, 2, (6, 3)).double()
    return x, torch.sigmoid(x), y


def check_module(ours: torch.nn.Module, theirs: torch.nn.Module, *args: torch.Tensor) -> None:
    leaves1 = [a.clone().requires_grad_(True) for a in args]
    leaves2 = [a.clone().requires_grad_(True) for a in args]
    l1, l2 = ours(*leaves1), theirs(*leaves2)
    torch.testing.assert_close(l1, l2, **TOL64)
    g1 = torch.autograd.grad(l1.sum(), leaves1)
    g2 = torch.autograd.grad(l2.sum(), leaves2)
    for a, b in zip(g1, g2, strict=True):
        torch.testing.assert_close(a, b, **TOL64)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_loss_matches_torch(reduction: str) -> None:
    _, p, y = binary_data()
    w = torch.rand(3, dtype=torch.float64)
    check_module(nn.BCELoss(reduction=reduction), tnn.BCELoss(reduction=reduction), p, y)
    check_module(
        nn.BCELoss(weight=w, reduction=reduction), tnn.BCELoss(weight=w, reduction=reduction), p, y
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_loss_matches_torch(reduction: str) -> None:
    x, _, y = binary_data()
    w = torch.rand(6, 1, dtype=torch.float64)
    pw = torch.rand(3, dtype=torch.float64) * 3
    for kw in ({}, {"weight": w}, {"pos_weight": pw}, {"weight": w, "pos_weight": pw}):
        check_module(
            nn.BCEWithLogitsLoss(reduction=reduction, **kw),
            tnn.BCEWithLogitsLoss(reduction=reduction, **kw),
            x,
            y,
        )


def test_weights_are_buffers_with_torch_names() -> None:
    w, pw = torch.rand(3), torch.rand(3)
    for ours, theirs in [
        (nn.BCELoss(weight=w), tnn.BCELoss(weight=w)),
        (nn.BCEWithLogitsLoss(weight=w, pos_weight=pw), tnn.BCEWithLogitsLoss(w, pos_weight=pw)),
        (nn.BCELoss(), tnn.BCELoss()),
        (nn.BCEWithLogitsLoss(pos_weight=pw), tnn.BCEWithLogitsLoss(pos_weight=pw)),
    ]:
        assert list(ours.state_dict()) == list(theirs.state_dict())
        assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
        assert list(ours.parameters()) == []


def test_state_dict_round_trip_both_ways() -> None:
    pw, w = torch.tensor([1.0, 2.0, 3.0]), torch.tensor([0.5, 1.0, 2.0])
    theirs = tnn.BCEWithLogitsLoss(weight=w, pos_weight=pw)
    ours = nn.BCEWithLogitsLoss(weight=torch.zeros(3), pos_weight=torch.zeros(3))
    ours.load_state_dict(theirs.state_dict())
    assert ours.pos_weight is not None and torch.equal(ours.pos_weight, pw)
    back = tnn.BCEWithLogitsLoss(weight=torch.zeros(3), pos_weight=torch.zeros(3))
    back.load_state_dict(ours.state_dict())
    assert torch.equal(back.weight, w) and torch.equal(back.pos_weight, pw)
    x, y = torch.randn(4, 3), torch.rand(4, 3)
    torch.testing.assert_close(ours(x, y), theirs(x, y))

    t_bce = tnn.BCELoss(weight=w)
    o_bce = nn.BCELoss(weight=torch.ones(3))
    o_bce.load_state_dict(t_bce.state_dict())
    assert o_bce.weight is not None and torch.equal(o_bce.weight, w)


def test_buffers_follow_dtype_conversion() -> None:
    loss = nn.BCEWithLogitsLoss(pos_weight=torch.ones(3)).to(torch.float64)
    assert loss.pos_weight is not None and loss.pos_weight.dtype == torch.float64


def test_legacy_arguments_match_torch() -> None:
    for size_average, reduce in [(None, False), (False, None), (True, True)]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = tnn.BCELoss(size_average=size_average, reduce=reduce)
        with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
            ours = nn.BCELoss(size_average=size_average, reduce=reduce)
        assert ours.reduction == theirs.reduction


def test_repr_matches_torch() -> None:
    """torch's loss modules print no options at all: ``MSELoss()`` even for reduction='sum'."""
    w, pw = torch.tensor([1.0, 2.0, 0.5]), torch.tensor([2.0, 1.0, 3.0])
    names = [n for n in nn.__all__ if n.endswith("Loss")]  # every loss module of dlref.nn
    assert len(names) == 6
    cases: list[tuple[str, dict[str, object]]] = [
        (name, {"reduction": reduction}) for name in names for reduction in REDUCTIONS
    ]
    cases += [
        ("BCELoss", {"weight": w, "reduction": "sum"}),
        ("BCEWithLogitsLoss", {"pos_weight": pw}),
        ("BCEWithLogitsLoss", {"weight": w, "pos_weight": pw, "reduction": "none"}),
        ("NLLLoss", {"weight": w, "ignore_index": 2, "reduction": "sum"}),
        ("CrossEntropyLoss", {"label_smoothing": 0.1}),
        ("CrossEntropyLoss", {"weight": w, "ignore_index": 0, "label_smoothing": 0.2}),
    ]
    for name, kw in cases:
        ours, theirs = getattr(nn, name)(**kw), getattr(tnn, name)(**kw)
        assert repr(ours) == repr(theirs) == f"{name}()", (name, kw)


def test_invalid_reduction_at_construction() -> None:
    with pytest.raises(ValueError, match="reduction must be one of 'none', 'mean', 'sum'; got 'x'"):
        nn.BCEWithLogitsLoss(reduction="x")


def test_call_errors_come_from_the_functional_checks() -> None:
    with pytest.raises(ValueError, match=r"probability in \[0, 1\]"):
        nn.BCELoss()(torch.tensor([2.0]), torch.tensor([1.0]))
    with pytest.raises(ValueError, match="does not match input shape"):
        nn.BCEWithLogitsLoss()(torch.zeros(2), torch.zeros(3))
    with pytest.raises(ValueError, match=r"target must be a probability in \[0, 1\]"):
        nn.BCEWithLogitsLoss()(torch.zeros(2), torch.tensor([-1.0, 1.0]))


# ---- modules over dlref.functional.classification / regression ------------------------------


def class_data() -> tuple[torch.Tensor, torch.Tensor]:
    torch.manual_seed(1)
    return torch.randn(5, 4, dtype=torch.float64) * 3, torch.tensor([0, 3, 1, 3, 2])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_matches_torch(reduction: str) -> None:
    scores, target = class_data()
    log_p = torch.log_softmax(scores, dim=1)
    w = torch.rand(4, dtype=torch.float64)
    for kw in ({}, {"weight": w}, {"ignore_index": 3}):
        ours = nn.NLLLoss(reduction=reduction, **kw)  # type: ignore[arg-type]
        theirs = tnn.NLLLoss(reduction=reduction, **kw)  # type: ignore[arg-type]
        x1 = log_p.clone().requires_grad_(True)
        x2 = log_p.clone().requires_grad_(True)
        l1, l2 = ours(x1, target), theirs(x2, target)
        torch.testing.assert_close(l1, l2, **TOL64)
        (g1,) = torch.autograd.grad(l1.sum(), x1)
        (g2,) = torch.autograd.grad(l2.sum(), x2)
        torch.testing.assert_close(g1, g2, **TOL64)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_loss_matches_torch(reduction: str) -> None:
    scores, target = class_data()
    w = torch.rand(4, dtype=torch.float64)
    for kw in ({}, {"weight": w}, {"ignore_index": 1}, {"label_smoothing": 0.1}):
        ours = nn.CrossEntropyLoss(reduction=reduction, **kw)  # type: ignore[arg-type]
        theirs = tnn.CrossEntropyLoss(reduction=reduction, **kw)  # type: ignore[arg-type]
        x1 = scores.clone().requires_grad_(True)
        x2 = scores.clone().requires_grad_(True)
        l1, l2 = ours(x1, target), theirs(x2, target)
        torch.testing.assert_close(l1, l2, **TOL64)
        (g1,) = torch.autograd.grad(l1.sum(), x1)
        (g2,) = torch.autograd.grad(l2.sum(), x2)
        torch.testing.assert_close(g1, g2, **TOL64)


def test_class_loss_buffers_and_state_dict() -> None:
    w = torch.tensor([1.0, 2.0, 0.5])
    for ours_cls, theirs_cls in [(nn.NLLLoss, tnn.NLLLoss), (nn.CrossEntropyLoss,
                                                              tnn.CrossEntropyLoss)]:  # fmt: skip
        theirs = theirs_cls(weight=w)
        ours = ours_cls(weight=torch.ones(3))
        ours.load_state_dict(theirs.state_dict())
        assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
        back = theirs_cls(weight=torch.ones(3))
        back.load_state_dict(ours.state_dict())
        assert torch.equal(back.weight, w)
        assert list(ours_cls().state_dict()) == list(theirs_cls().state_dict()) == []
        assert ours_cls(ignore_index=7).ignore_index == 7


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("ours_cls", "theirs_cls"), [(nn.MSELoss, tnn.MSELoss),
                                                      (nn.L1Loss, tnn.L1Loss)])  # fmt: skip
def test_regression_losses_match_torch(ours_cls, theirs_cls, reduction: str) -> None:  # type: ignore[no-untyped-def]
    torch.manual_seed(2)
    x = torch.randn(4, 3, dtype=torch.float64)
    y = torch.randn(4, 3, dtype=torch.float64)
    check_module(ours_cls(reduction=reduction), theirs_cls(reduction=reduction), x, y)
    assert list(ours_cls().state_dict()) == []
