"""dlref.functional.dropout: its draw, statistics, exact survivors, gradient, modes, errors; against
torch: the same distribution, and the same values and gradient wherever the two masks agree."""

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


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16, torch.float16])
def test_mask_is_float32_uniforms_compared_with_p(dtype: torch.dtype) -> None:
    # The recipe the docstring states: m = [u >= p] with u = rand_like(input, float32). So one
    # seed gives the same mask for every dtype, and the draw is torch.rand's, which has no
    # SIMD, MKL or threaded path (make test-numerics runs this under each of them).
    x = torch.ones(4, 1000, dtype=dtype)
    for p in (0.1, 0.5, 0.9):
        torch.manual_seed(5)
        y = F.dropout(x, p)
        torch.manual_seed(5)
        keep = torch.rand(4, 1000) >= p
        assert torch.equal(y != 0, keep)


def test_transposed_input_draws_in_memory_order() -> None:
    # rand_like keeps the input's layout, so the i-th number drawn goes to the i-th element in
    # memory, and the output keeps the layout too (as torch's output does).
    x = torch.ones(7, 5).t()
    torch.manual_seed(2)
    y = F.dropout(x, 0.5)
    torch.manual_seed(2)
    keep_in_memory_order = torch.rand(5 * 7) >= 0.5
    assert torch.equal((y != 0).t().reshape(-1), keep_in_memory_order)
    assert y.stride() == x.stride() == TF.dropout(x, 0.5).stride()


def test_a_fixed_seed_gives_this_mask() -> None:
    # The mask under seed 0, written out. torch.rand's Mersenne Twister is the same on every
    # CPU, so this holds on Intel, AMD and ARM; make test-numerics runs it under each SIMD level
    # and with 2 threads. The dropout page shows the same draw.
    torch.manual_seed(0)
    y = F.dropout(torch.ones(10), 0.5)
    assert y.tolist() == [0.0, 2.0, 0.0, 0.0, 0.0, 2.0, 0.0, 2.0, 0.0, 2.0]


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


# ---- against torch: the same distribution and arithmetic, another draw --------------------------


def test_torch_dropout_draws_its_mask_with_scalar_bernoulli() -> None:
    """Pins what the docstring says of PyTorch: on the CPU, torch.nn.functional.dropout's mask
    is ``empty_like(x).bernoulli_(1 - p)`` (MKL's generator on Intel CPUs, PyTorch's default
    kernel elsewhere), which is not dlref's ``rand >= p``: under one seed the two drop
    different elements."""
    x = torch.ones(1000)
    for p in (0.1, 0.5, 0.9):
        torch.manual_seed(3)
        mask = torch.empty_like(x).bernoulli_(1 - p)
        torch.manual_seed(3)
        assert torch.equal(TF.dropout(x, p) != 0, mask != 0)
        torch.manual_seed(3)
        assert not torch.equal(TF.dropout(x, p) != 0, F.dropout(x, p) != 0)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_same_distribution_as_torch(p: float) -> None:
    """Each element is kept with probability 1 - p, independently, in both. Over 400 draws of
    500 elements: the overall keep rate of each is within 5 binomial standard errors of 1 - p,
    and so is the keep rate of every single position (dependence between neighbours or a
    position-dependent bias would show here)."""
    draws, n = 400, 500
    x = torch.ones(n)
    torch.manual_seed(11)
    ours = torch.stack([F.dropout(x, p) != 0 for _ in range(draws)]).double()
    theirs = torch.stack([TF.dropout(x, p) != 0 for _ in range(draws)]).double()
    for kept in (ours, theirs):
        overall = math.sqrt(p * (1 - p) / kept.numel())
        assert abs(kept.mean().item() - (1 - p)) < 5 * overall
        per_position = math.sqrt(p * (1 - p) / draws)
        assert (kept.mean(0) - (1 - p)).abs().max().item() < 5 * per_position
    # Neighbours independent: P(both kept) = (1 - p)^2.
    both = (ours[:, 1:] * ours[:, :-1]).mean().item()
    assert abs(both - (1 - p) ** 2) < 5 * math.sqrt((1 - p) ** 2 / ours[:, 1:].numel())


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
def test_same_values_and_gradient_as_torch_where_both_keep_or_both_drop(
    shape: list[int],
    p: float,
    dtype: torch.dtype,
    layout: str,
    inplace: bool,
    specials: list[float],
    positions: list[int],
    seed: int,
) -> None:
    """Bit for bit against torch wherever the two masks agree: the same scaled survivors
    x * (1 / (1 - p)), NaN and ±inf treated alike (a dropped NaN or ±inf becomes 0 * x = NaN in
    both), the same gradient, the same strides. Where the masks differ each output is one of
    its two values (checked in test_survivors_scaled_and_gradient_is_mask)."""
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

    def run(fn) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:  # type: ignore[no-untyped-def]
        torch.manual_seed(seed)
        kept = fn(torch.ones_like(x), p, True) != 0  # this seed's mask, read off a tensor of ones
        leaf = x.clone().requires_grad_()
        torch.manual_seed(seed)
        # inplace needs a non-leaf: dropout the output of an identity op
        y = fn(leaf * 1, p, True, inplace) if inplace else fn(leaf, p, True)
        y.backward(torch.ones_like(y))
        assert leaf.grad is not None
        return kept, y.detach(), leaf.grad

    (ours_kept, ours, ours_grad), (torch_kept, theirs, torch_grad) = run(F.dropout), run(TF.dropout)
    assert ours.stride() == theirs.stride() and ours_grad.stride() == torch_grad.stride()
    agree = ours_kept == torch_kept
    torch.testing.assert_close(ours[agree], theirs[agree], rtol=0, atol=0, equal_nan=True)
    torch.testing.assert_close(ours_grad[agree], torch_grad[agree], rtol=0, atol=0)


@pytest.mark.parametrize("training", ["no", 0, None], ids=repr)
def test_training_must_be_a_bool(training: object) -> None:
    """``training="no"`` is truthy: taken as True it would drop elements the caller meant to
    keep. PyTorch refuses it too."""
    x = torch.ones(4)
    with pytest.raises(TypeError, match=r"training must be a bool, got"):
        F.dropout(x, 0.5, training=training)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        TF.dropout(x, 0.5, training=training)  # type: ignore[arg-type]
