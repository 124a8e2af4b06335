"""dlref.functional.dropout: statistics, exact survivors, gradient, modes, errors."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

import dlref.functional as F


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_zero_fraction_and_expectation(p: float) -> None:
    torch.manual_seed(0)
    n = 200_000
    x = torch.randn(n, dtype=torch.float64).abs() + 0.5  # no zeros of its own
    y = F.dropout(x, p)
    frac = (y == 0).double().mean().item()
    # Binomial standard error sqrt(p(1-p)/n) is about 1e-3; allow 5 of them.
    assert abs(frac - p) < 5 * math.sqrt(p * (1 - p) / n)
    # E[y] = x: compare means of y and x over many elements (relative error a few percent).
    assert abs(y.mean().item() / x.mean().item() - 1) < 0.02


@settings(max_examples=60, deadline=None)
@given(
    shape=st.lists(st.integers(0, 5), min_size=0, max_size=3),
    p=st.sampled_from([0.0, 0.2, 0.5, 0.7, 1.0]),
    dtype=st.sampled_from([torch.float64, torch.float32]),
    seed=st.integers(0, 2**16),
)
def test_survivors_scaled_and_gradient_is_mask(
    shape: list[int], p: float, dtype: torch.dtype, seed: int
) -> None:
    gen = torch.Generator().manual_seed(seed)
    x = (torch.rand(shape, generator=gen, dtype=dtype) + 0.5).requires_grad_()
    torch.manual_seed(seed)
    y = F.dropout(x, p)
    assert y.shape == x.shape and y.dtype == x.dtype
    kept = y != 0
    if p == 1.0:
        assert not kept.any()
    scale = 1.0 / (1.0 - p) if p < 1 else 0.0
    # Survivors are x times the factor 1/(1-p): exactly the product PyTorch computes.
    assert torch.equal(y[kept], x.detach()[kept] * torch.tensor(scale, dtype=dtype))
    y.backward(torch.ones_like(y))
    assert x.grad is not None
    expected = kept.to(dtype) * torch.tensor(scale, dtype=dtype)
    assert torch.equal(x.grad, expected)


def test_same_mask_as_torch_on_cpu() -> None:
    # dlref draws its mask like PyTorch's CPU kernel (bernoulli_ on an empty_like tensor), so
    # under one seed the outputs agree exactly. A change in PyTorch's kernel would fail this test
    # and the sentence in the docstring that states it.
    x = torch.randn(3, 1000)
    for p in (0.1, 0.5, 0.9):
        torch.manual_seed(5)
        ours = F.dropout(x, p)
        torch.manual_seed(5)
        ref = TF.dropout(x, p)
        assert torch.equal(ours, ref)


def test_not_training_or_p_zero_returns_input_itself() -> None:
    x = torch.randn(4, 3)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    assert F.dropout(x, 1.0, training=False) is x


def test_p_one_gives_zeros_and_zero_gradient() -> None:
    x = torch.randn(5, requires_grad=True)
    y = F.dropout(x, 1.0)
    assert torch.equal(y, torch.zeros(5))
    y.sum().backward()
    assert x.grad is not None and torch.equal(x.grad, torch.zeros(5))


def test_inplace() -> None:
    x = torch.ones(1000)
    torch.manual_seed(0)
    y = F.dropout(x, 0.5, inplace=True)
    assert y is x
    assert set(x.unique().tolist()) == {0.0, 2.0}
    z = torch.ones(10)
    assert F.dropout(z, 0.5, training=False, inplace=True) is z
    assert torch.equal(z, torch.ones(10))


def test_inplace_on_leaf_requiring_grad_fails_like_torch() -> None:
    x = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"leaf Variable that requires grad"):
        F.dropout(x, 0.5, inplace=True)


def test_non_contiguous_and_empty() -> None:
    x = torch.randn(6, 4).t()
    torch.manual_seed(1)
    y = F.dropout(x, 0.5)
    kept = y != 0
    assert torch.equal(y[kept], x[kept] * 2.0)
    e = torch.randn(0, 3)
    assert F.dropout(e, 0.5).shape == (0, 3)


def test_gradcheck_fixed_mask() -> None:
    x = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)

    def f(t: torch.Tensor) -> torch.Tensor:
        torch.manual_seed(0)  # the same mask on every call, so the function is deterministic
        return F.dropout(t, 0.4)

    assert torch.autograd.gradcheck(f, (x,))


@pytest.mark.parametrize("p", [-0.1, 1.5, float("nan")])
def test_invalid_p(p: float) -> None:
    with pytest.raises(ValueError, match=r"dropout probability has to be between 0 and 1, but got"):
        F.dropout(torch.randn(3), p)


def test_integer_input() -> None:
    with pytest.raises(TypeError, match=r"floating-point dtype"):
        F.dropout(torch.ones(3, dtype=torch.long), 0.5)


# ---- the same draw as torch, on any CPU vendor ---------------------------------------------------


def test_torch_dropout_draws_its_mask_with_scalar_bernoulli() -> None:
    """Pins the recipe the docstring states: on the CPU, torch.nn.functional.dropout's mask is
    ``empty_like(x).bernoulli_(1 - p)``. That call picks MKL's generator on Intel CPUs and
    PyTorch's default kernel elsewhere, and dlref makes the same call, so the two agree on every
    vendor. Other ways to draw a Bernoulli mask consume the random stream differently."""
    x = torch.ones(1000)
    for p in (0.1, 0.5, 0.9):
        torch.manual_seed(3)
        mask = torch.empty_like(x).bernoulli_(1 - p)
        torch.manual_seed(3)
        assert torch.equal(TF.dropout(x, p) != 0, mask != 0)
        torch.manual_seed(3)
        assert not torch.equal(TF.dropout(x, p) != 0, torch.rand_like(x) < 1 - p)
        torch.manual_seed(3)
        assert not torch.equal(
            TF.dropout(x, p) != 0, torch.bernoulli(torch.full_like(x, 1 - p)) != 0
        )


def _with_specials(x: torch.Tensor, specials: list[float], positions: list[int]) -> torch.Tensor:
    x = x.clone()
    for value, position in zip(specials, positions, strict=False):
        if x.numel():
            x.view(-1)[position % x.numel()] = value
    return x


@settings(max_examples=80, deadline=None)
@given(
    shape=st.lists(st.integers(0, 5), min_size=0, max_size=4),
    p=st.sampled_from([0.0, 0.1, 0.5, 0.9, 1.0]),
    dtype=st.sampled_from([torch.float64, torch.float32]),
    layout=st.sampled_from(["contiguous", "transposed", "channels_last"]),
    inplace=st.booleans(),
    specials=st.lists(st.sampled_from([math.nan, math.inf, -math.inf]), max_size=3),
    positions=st.lists(st.integers(0, 10_000), min_size=3, max_size=3),
    seed=st.integers(0, 2**16),
)
def test_same_output_and_gradient_as_torch_under_one_seed(
    shape: list[int],
    p: float,
    dtype: torch.dtype,
    layout: str,
    inplace: bool,
    specials: list[float],
    positions: list[int],
    seed: int,
) -> None:
    """Bit for bit: the same mask, the same scaled survivors, NaN and ±inf treated alike (a
    dropped NaN or ±inf becomes 0 * x = NaN in both), the same gradient."""
    gen = torch.Generator().manual_seed(seed)
    if layout == "channels_last" and len(shape) == 4:
        x = torch.randn(shape, generator=gen, dtype=dtype).to(memory_format=torch.channels_last)
    elif layout == "transposed" and len(shape) >= 2:
        x = torch.randn(shape[::-1], generator=gen, dtype=dtype).permute(
            *range(len(shape) - 1, -1, -1)
        )
    else:
        x = torch.randn(shape, generator=gen, dtype=dtype)
    x = _with_specials(x, specials, positions)

    def run(fn) -> tuple[torch.Tensor, torch.Tensor | None]:  # type: ignore[no-untyped-def]
        leaf = x.clone().requires_grad_()
        torch.manual_seed(seed)
        # inplace needs a non-leaf: dropout the output of an identity op
        y = fn(leaf * 1, p, True, inplace) if inplace else fn(leaf, p, True)
        y.backward(torch.ones_like(y))
        return y.detach(), leaf.grad

    ours, theirs = run(F.dropout), run(TF.dropout)
    for a, b in zip(ours, theirs, strict=True):
        if b is None:
            assert a is None
            continue
        assert a is not None
        assert a.stride() == b.stride()
        torch.testing.assert_close(a, b, rtol=0, atol=0, equal_nan=True)
