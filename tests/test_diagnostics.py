"""Tests for dlref.diagnostics: dead ReLU units, checked against torch's own ReLU; the spread over
seeds, checked against numpy's quantiles."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlref.diagnostics import dead_fraction, dead_units, seed_spread, within


def reference_dead(z: torch.Tensor, unit_dim: int = -1) -> torch.Tensor:
    """Dead by definition: the ReLU output (torch's) is 0 for every example."""
    out = torch.relu(z).movedim(unit_dim, -1)
    return (out.reshape(-1, out.shape[-1]) == 0).all(dim=0)


shapes = st.lists(st.integers(1, 5), min_size=1, max_size=4)
values = st.sampled_from([-1e4, -1.0, -1e-30, -0.0, 0.0, 1e-30, 0.5, 1e4, float("-inf")])


@settings(max_examples=80, deadline=None)
@given(shape=shapes, data=st.data(), dtype=st.sampled_from([torch.float32, torch.float64]))
def test_matches_relu_definition(shape: list[int], data: st.DataObject, dtype: torch.dtype) -> None:
    n = 1
    for s in shape:
        n *= s
    flat = data.draw(st.lists(values, min_size=n, max_size=n))
    z = torch.tensor(flat, dtype=dtype).reshape(shape)
    unit_dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    got = dead_units(z, unit_dim)
    want = reference_dead(z, unit_dim)
    assert got.dtype == torch.bool
    assert torch.equal(got, want)
    assert dead_fraction(z, unit_dim) == pytest.approx(want.float().mean().item())


def test_example_and_fraction() -> None:
    z = torch.tensor([[1.0, -2.0, 0.0, 3.0], [-1.0, -0.5, 0.0, 2.0]])
    assert dead_units(z).tolist() == [False, True, True, False]
    assert dead_fraction(z) == 0.5


def test_dead_unit_gets_no_gradient() -> None:
    # The reason the definition matters: a dead unit's incoming weights get zero gradient.
    torch.manual_seed(0)
    layer = torch.nn.Linear(3, 8)
    with torch.no_grad():
        layer.bias[:4] = -100.0  # units 0..3 forced dead on any reasonable input
    x = torch.randn(32, 3)
    z = layer(x)
    torch.relu(z).sum().backward()
    mask = dead_units(z)
    assert mask[:4].all()
    assert layer.weight.grad is not None and layer.bias.grad is not None
    assert torch.all(layer.weight.grad[mask] == 0)
    assert torch.all(layer.bias.grad[mask] == 0)
    assert torch.all(layer.bias.grad[~mask] != 0)


def test_unit_dim_for_channels() -> None:
    z = -torch.ones(2, 3, 4, 4)
    z[1, 2, 0, 0] = 1.0  # channel 2 is alive at one position of one example
    assert dead_units(z, unit_dim=1).tolist() == [True, True, False]


def test_non_contiguous_and_requires_grad() -> None:
    torch.manual_seed(0)
    z = torch.randn(5, 7, requires_grad=True)
    zt = z.t()  # (7, 5), non-contiguous
    assert not zt.is_contiguous()
    got = dead_units(zt)
    assert not got.requires_grad
    assert torch.equal(got, reference_dead(zt.detach()))


def test_infinities() -> None:
    z = torch.tensor([[float("-inf"), float("inf")], [-1.0, -1.0]])
    assert dead_units(z).tolist() == [True, False]


def test_zero_units() -> None:
    z = torch.zeros(4, 0)
    assert dead_units(z).shape == (0,)
    assert dead_fraction(z) == 0.0


def test_one_d_input_is_one_example() -> None:
    assert dead_units(torch.tensor([-1.0, 2.0])).tolist() == [True, False]


@pytest.mark.parametrize(
    ("z", "error", "match"),
    [
        (torch.tensor([[1, -1]]), TypeError, "floating-point"),
        ([[1.0, -1.0]], TypeError, "torch.Tensor"),
        (torch.tensor(1.0), ValueError, "0-d"),
        (torch.zeros(0, 3), ValueError, "no example"),
        (torch.tensor([[float("nan"), 1.0]]), ValueError, "NaN"),
    ],
)
def test_errors(z: object, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        dead_units(z)  # type: ignore[arg-type]
    with pytest.raises(error, match=match):
        dead_fraction(z)  # type: ignore[arg-type]


@pytest.mark.parametrize("unit_dim", [2, -3])
def test_unit_dim_out_of_range(unit_dim: int) -> None:
    with pytest.raises(ValueError, match=r"unit_dim=.* out of range .*\(2, 3\)"):
        dead_units(torch.zeros(2, 3), unit_dim)


# ---- seed_spread: a number measured once per seed ----------------------------------------------

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=80, deadline=None)
@given(values=st.lists(finite, min_size=1, max_size=50))
def test_spread_matches_numpy_quantiles(values: list[float]) -> None:
    import numpy as np

    s = seed_spread(values)
    want = np.quantile(np.array(values, dtype=np.float64), [0.0, 0.25, 0.5, 0.75, 1.0])
    got = [s.low, s.q1, s.median, s.q3, s.high]
    assert got == pytest.approx(want.tolist(), rel=1e-12, abs=1e-9)
    assert s.low <= s.q1 <= s.median <= s.q3 <= s.high
    assert s.n == len(values)
    assert s.low == min(values) and s.high == max(values)


def test_spread_of_a_tensor_and_of_a_list_agree() -> None:
    values = [0.25, 0.5, 0.125, 1.0]  # exact in float32: both give the same float64 summary
    from_list = seed_spread(values)
    for dtype in (torch.float32, torch.float64):
        assert seed_spread(torch.tensor(values, dtype=dtype)) == from_list
    assert seed_spread(torch.tensor([4, 2, 8, 1])).median == 3.0  # integers are fine


def test_spread_example_and_claims() -> None:
    s = seed_spread([0.3, 0.1, 0.4, 0.2, 0.5])
    assert (s.low, s.q1, s.median, s.q3, s.high, s.n) == (0.1, 0.2, 0.3, 0.4, 0.5, 5)
    # above/below look at the interquartile range only, not at the extremes.
    assert s.above(0.15) and not s.above(0.2)
    assert s.below(0.45) and not s.below(0.4)
    assert "0.3" in str(s) and "n=5" in str(s)


def test_spread_takes_numpy_numbers_and_one_element_tensors() -> None:
    import numpy as np

    values = [np.float32(0.5), np.float64(1.5), np.int64(2), np.array(3.0), torch.tensor(4.0), 5]
    s = seed_spread(values)  # type: ignore[arg-type]
    assert (s.low, s.median, s.high, s.n) == (0.5, 2.5, 5.0, 6)


def test_spread_ignores_gradients_and_non_contiguous() -> None:
    v = torch.tensor([[1.0, 3.0], [2.0, 4.0]], requires_grad=True)
    column = v.t()[0]  # [1.0, 2.0], every second element of v: a non-contiguous view
    assert not column.is_contiguous() and column.requires_grad
    s = seed_spread(column)
    assert (s.low, s.high) == (1.0, 2.0)


@pytest.mark.parametrize(
    ("values", "error", "match"),
    [
        (torch.zeros(2, 3), ValueError, "1-d"),
        (torch.zeros(0), ValueError, "empty"),
        ([], ValueError, "empty"),
        (torch.tensor([1.0, float("nan")]), ValueError, "NaN"),
        ([1.0, float("inf")], ValueError, "infinity"),
        (torch.tensor([True, False]), TypeError, "real numbers"),
        (torch.tensor([1j, 2j]), TypeError, "real numbers"),
        ([0.1, True], TypeError, r"real numbers, got True \(bool\) at position 1"),
        (["0.1", "0.2"], TypeError, r"got '0\.1' \(str\) at position 0"),
        ([torch.tensor(True), 2.0], TypeError, r"real numbers, got tensor\(True\).*position 0"),
        ([2.0, torch.tensor(1 + 1j)], TypeError, r"real numbers, got tensor\(1\.\+1\.j\).*1"),
        ([1.0, 2j], TypeError, r"real numbers, got 2j \(complex\) at position 1"),
    ],
)
def test_spread_errors(values: object, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        seed_spread(values)  # type: ignore[arg-type]


def test_within_prints_the_range_and_checks_the_value() -> None:
    assert within(0.163, 0.14, 0.19) == "0.14–0.19"
    assert within(torch.tensor(23.3), 20, 28) == "20–28"
    assert within(0.14, 0.14, 0.19) == "0.14–0.19"  # the ends belong to the range
    with pytest.raises(ValueError, match=r"0.2 is outside the claimed range \[0.14, 0.19\]"):
        within(0.2, 0.14, 0.19)
    with pytest.raises(ValueError, match="outside"):
        within(float("nan"), 0.14, 0.19)
    with pytest.raises(ValueError, match="low must be below high"):
        within(0.1, 0.19, 0.14)
    with pytest.raises(TypeError, match=r"value must be a real number, got True \(bool\)"):
        within(True, 0, 1)
    with pytest.raises(TypeError, match=r"low must be a real number, got '0' \(str\)"):
        within(0.5, "0", 1)  # type: ignore[arg-type]
