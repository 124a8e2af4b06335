"""dlref.functional.linear against torch.nn.functional.linear: values, gradients, errors."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

import dlref.functional as F

TOL64 = {"atol": 1e-12, "rtol": 1e-12}
TOL32 = {"atol": 1e-5, "rtol": 1e-5}


def _grads(fn, *tensors):  # type: ignore[no-untyped-def]
    tensors = [t.detach().clone().requires_grad_() if t is not None else None for t in tensors]
    out = fn(*tensors)
    torch.manual_seed(123)
    weights = torch.randn_like(out)
    (out * weights).sum().backward()
    return out, [t.grad if t is not None else None for t in tensors]


def _torch_linear(x, w, b):  # type: ignore[no-untyped-def]
    # torch's F.linear refuses a 1-d weight together with a bias for 2-d input ("mat2 must be a
    # matrix"); dlref accepts it, and the reference is then the product plus the bias.
    if w.dim() == 1 and b is not None:
        return TF.linear(x, w) + b
    return TF.linear(x, w, b)


def _compare(x, w, b, dtype):  # type: ignore[no-untyped-def]
    tol = TOL64 if dtype == torch.float64 else TOL32
    ours, g_ours = _grads(F.linear, x, w, b)
    ref, g_ref = _grads(_torch_linear, x, w, b)
    torch.testing.assert_close(ours, ref, **tol)
    for a, r in zip(g_ours, g_ref, strict=True):
        if r is None:
            assert a is None
        else:
            torch.testing.assert_close(a, r, **tol)


@settings(max_examples=80, deadline=None)
@given(
    lead=st.lists(st.integers(0, 4), min_size=0, max_size=3),
    n_in=st.integers(1, 6),
    n_out=st.integers(1, 5),
    bias=st.booleans(),
    one_d_weight=st.booleans(),
    dtype=st.sampled_from([torch.float64, torch.float32]),
    transpose=st.booleans(),
)
def test_matches_torch_over_shapes(
    lead: list[int],
    n_in: int,
    n_out: int,
    bias: bool,
    one_d_weight: bool,
    dtype: torch.dtype,
    transpose: bool,
) -> None:
    torch.manual_seed(0)
    x = torch.randn(*lead, n_in, dtype=dtype)
    if transpose and x.dim() >= 2:  # a non-contiguous input with the same shape
        x = torch.randn(*lead[:-1], n_in, lead[-1], dtype=dtype).transpose(-1, -2)
    w = torch.randn(n_in, dtype=dtype) if one_d_weight else torch.randn(n_out, n_in, dtype=dtype)
    b = None
    if bias:
        b = torch.randn((), dtype=dtype) if one_d_weight else torch.randn(n_out, dtype=dtype)
    _compare(x, w, b, dtype)


def test_huge_values() -> None:
    x = torch.tensor([[1e4, -1e4, 3.0]], dtype=torch.float64)
    w = torch.tensor([[1e4, 1.0, 2.0], [0.5, 0.5, 0.5]], dtype=torch.float64)
    _compare(x, w, torch.tensor([1.0, -2.0], dtype=torch.float64), torch.float64)


def test_one_d_input_gives_one_d_output() -> None:
    x, w, b = torch.randn(4), torch.randn(3, 4), torch.randn(3)
    assert F.linear(x, w, b).shape == (3,)
    _compare(x, w, b, torch.float32)


def test_gradcheck() -> None:
    torch.manual_seed(0)
    x = torch.randn(2, 3, 4, dtype=torch.float64, requires_grad=True)
    w = torch.randn(5, 4, dtype=torch.float64, requires_grad=True)
    b = torch.randn(5, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(F.linear, (x, w, b))
    assert torch.autograd.gradcheck(F.linear, (x[0], w, b))  # the fused addmm path
    assert torch.autograd.gradgradcheck(F.linear, (x[0], w, b))


def test_errors() -> None:
    x, w = torch.randn(3, 4), torch.randn(5, 4)
    with pytest.raises(ValueError, match=r"input shape \(3, 4\) and weight shape \(5, 3\)"):
        F.linear(x, torch.randn(5, 3))
    with pytest.raises(ValueError, match=r"bias shape \(4,\) does not match weight shape \(5, 4\)"):
        F.linear(x, w, torch.randn(4))
    with pytest.raises(ValueError, match=r"bias shape \(\) .* expected bias of shape \(5,\)"):
        F.linear(x, w, torch.tensor(1.0))
    with pytest.raises(ValueError, match="0-d"):
        F.linear(torch.tensor(1.0), w)
    with pytest.raises(ValueError, match=r"weight must be 2-d .* got shape \(2, 5, 4\)"):
        F.linear(x, torch.randn(2, 5, 4))
    with pytest.raises(TypeError, match="input must have a floating-point dtype"):
        F.linear(torch.ones(3, 4, dtype=torch.long), w)
    with pytest.raises(TypeError, match="weight must have a floating-point dtype"):
        F.linear(x, torch.ones(5, 4, dtype=torch.long))
    with pytest.raises(TypeError, match="bias must have a floating-point dtype"):
        F.linear(x, w, torch.ones(5, dtype=torch.long))


@settings(max_examples=60, deadline=None)
@given(
    where=st.sampled_from(["input", "weight", "bias"]),
    specials=st.lists(st.sampled_from([float("nan"), float("inf"), -float("inf")]), max_size=3),
    positions=st.lists(st.integers(0, 10_000), min_size=3, max_size=3),
    lead=st.lists(st.integers(1, 3), min_size=1, max_size=2),
    seed=st.integers(0, 2**16),
)
def test_nan_and_inf_match_torch(
    where: str, specials: list[float], positions: list[int], lead: list[int], seed: int
) -> None:
    """NaN and ±inf anywhere: torch's values and gradients, NaN where torch has NaN."""
    gen = torch.Generator().manual_seed(seed)
    tensors = {
        "input": torch.randn(*lead, 4, generator=gen, dtype=torch.float64),
        "weight": torch.randn(3, 4, generator=gen, dtype=torch.float64),
        "bias": torch.randn(3, generator=gen, dtype=torch.float64),
    }
    t = tensors[where]
    for value, position in zip(specials, positions, strict=False):
        t.view(-1)[position % t.numel()] = value
    ours, g_ours = _grads(F.linear, tensors["input"], tensors["weight"], tensors["bias"])
    ref, g_ref = _grads(_torch_linear, tensors["input"], tensors["weight"], tensors["bias"])
    torch.testing.assert_close(ours, ref, equal_nan=True, **TOL64)
    for a, r in zip(g_ours, g_ref, strict=True):
        torch.testing.assert_close(a, r, equal_nan=True, **TOL64)
