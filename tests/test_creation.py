"""dlref.linspace against torch.linspace: bit-for-bit values, dtypes, arguments, errors.

torch's CPU kernel rounds ``start + step * i`` once (FMA) or twice, depending on the kernel it
runs (``dlref.creation.linspace_rounds_once``). The comparisons with torch hold on whichever kernel
is active: ``make test`` runs them on the machine's own kernel, ``make test-numerics`` again under
``ATEN_CPU_CAPABILITY=default`` and every other level below the machine's own (``avx2`` on an
AVX-512 machine). Both roundings are also checked against exact rational arithmetic, on every
kernel.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import dlref
from dlref import creation
from dlref.creation import linspace, linspace_rounds_once

FLOAT_DTYPES = [torch.float16, torch.bfloat16, torch.float32, torch.float64]
INT_DTYPES = [torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8]


# The integer type of the same width, to read a floating tensor's bit patterns.
_BITS = {
    torch.float16: torch.int16,
    torch.bfloat16: torch.int16,
    torch.float32: torch.int32,
    torch.float64: torch.int64,
}


def bits(x: torch.Tensor) -> torch.Tensor:
    """The bit patterns of ``x``: -0.0 and +0.0 differ here.

    Every NaN is read as the same NaN: IEEE 754 leaves the sign of a NaN that an invalid
    operation produces unspecified, and for an infinite or NaN end dlref's and torch's NaNs may
    differ in it (dlref computes those points with the plain formula, torch with its kernel).
    A complex tensor is read as its (real, imaginary) pairs; an integer tensor is its own bits.
    """
    if x.is_complex():
        x = torch.view_as_real(x)
    if x.dtype not in _BITS:
        return x
    return torch.where(x.isnan(), torch.nan, x).view(_BITS[x.dtype])


def assert_same(a: torch.Tensor, b: torch.Tensor) -> None:
    """Same dtype, shape and bits (-0.0 is not +0.0; all NaNs are equal)."""
    assert a.dtype == b.dtype
    assert a.shape == b.shape
    assert torch.equal(bits(a), bits(b)), f"{a.tolist()} != {b.tolist()} bit for bit"


def assert_like_torch(*args: Any, **kwargs: Any) -> None:
    """dlref.linspace and torch.linspace, called with the same arguments, agree bit for bit."""
    assert_same(linspace(*args, **kwargs), torch.linspace(*args, **kwargs))


def test_exported_at_top_level() -> None:
    assert dlref.linspace is linspace
    assert "linspace" in dlref.__all__


@pytest.mark.parametrize("dtype", [*FLOAT_DTYPES, None])
@pytest.mark.parametrize(
    ("start", "end", "steps"),
    [(0, 1, 5), (-3.7, 12.1, 1000), (10, -10, 7), (1, 1, 4), (0.1, 0.7, 2), (-1e3, 1e-3, 33)],
)
def test_floating_values_are_bitwise_equal(
    start: float, end: float, steps: int, dtype: torch.dtype | None
) -> None:
    assert_like_torch(start, end, steps, dtype=dtype)


@pytest.mark.parametrize("dtype", INT_DTYPES)
@pytest.mark.parametrize(
    ("start", "end", "steps"),
    [(0, 10, 4), (10, 0, 4), (0, 10, 31), (-5, 5, 4), (0.5, 9.7, 5), (-0.5, 9.7, 5), (3, 90, 200)],
)
def test_integer_dtypes_truncate_like_torch(
    start: float, end: float, steps: int, dtype: torch.dtype
) -> None:
    if dtype == torch.uint8 and min(start, end) < 0:
        start, end = abs(start), abs(end)
    assert_like_torch(start, end, steps, dtype=dtype)


def test_unsigned_wraps_negative_start_like_torch() -> None:
    assert_like_torch(-1, 5, 3, dtype=torch.uint8)


def test_both_ends_are_exact() -> None:
    x = linspace(0.1, 0.7, 1001, dtype=torch.float64)
    assert x[0].item() == 0.1
    assert x[-1].item() == 0.7


def test_zero_and_one_steps() -> None:
    assert_like_torch(3, 1, 0)
    assert_like_torch(3, 1, 1)
    assert linspace(3, 1, 1).tolist() == [3.0]
    assert linspace(3, 1, 0).shape == (0,)


def test_decreasing_range() -> None:
    x = linspace(5, -5, 11, dtype=torch.float64)
    assert bool((x[1:] < x[:-1]).all())
    assert_same(x, torch.linspace(5, -5, 11, dtype=torch.float64))


def test_zero_dim_tensor_endpoints() -> None:
    start = torch.tensor(-2.5, dtype=torch.float64)
    end = torch.tensor(4)
    assert_like_torch(start, end, 9)


def test_infinite_and_nan_endpoints_match() -> None:
    for start, end in [(0, float("inf")), (0, float("nan")), (-3e38, 3e38)]:
        assert_like_torch(start, end, 5)
    big = (-1.7e308, 1.7e308)
    assert_like_torch(*big, 5, dtype=torch.float64)


@pytest.mark.parametrize("dtype", [*FLOAT_DTYPES, torch.complex64, torch.complex128])
@pytest.mark.parametrize(
    ("start", "end", "steps"),
    [
        (-0.0, -1.0, 5),
        (-1.0, -0.0, 4),
        (-0.0, -0.0, 3),
        (0.0, -0.0, 3),
        (-0.0, 0.0, 3),
        (-0.0, 2.0, 2),
    ],
)
def test_signed_zeros_are_kept(start: float, end: float, steps: int, dtype: torch.dtype) -> None:
    """-0.0 stays -0.0 where torch keeps it (the emulated FMA once added +0.0 to it)."""
    ends = (complex(start, end), complex(end, start)) if dtype.is_complex else (start, end)
    assert_like_torch(*ends, steps, dtype=dtype)


def test_complex_values_are_bitwise_equal() -> None:
    for dtype in (torch.complex64, torch.complex128):
        assert_like_torch(1 + 2j, -3.3 + 0.1j, 77, dtype=dtype)
    assert linspace(0, 1 + 1j, 3).dtype == torch.linspace(0, 1 + 1j, 3).dtype
    assert_like_torch(0, 1 + 1j, 3)


def test_out_argument() -> None:
    out = torch.empty(2, dtype=torch.float64)
    result = linspace(0, 1, 5, out=out)
    assert result is out
    assert_same(out, torch.linspace(0, 1, 5, dtype=torch.float64))


def test_requires_grad_and_device() -> None:
    x = linspace(0, 1, 5, requires_grad=True, device="cpu")
    assert x.requires_grad and x.is_leaf
    assert x.device == torch.device("cpu")
    assert not linspace(0, 1, 5).requires_grad


def test_requires_grad_with_out_like_torch() -> None:
    ours, theirs = torch.empty(2), torch.empty(2)
    assert linspace(0, 1, 5, requires_grad=True, out=ours) is ours
    torch.linspace(0, 1, 5, requires_grad=True, out=theirs)
    assert theirs.requires_grad and theirs.is_leaf  # what torch does with out
    assert ours.requires_grad and ours.is_leaf
    assert_same(ours.detach(), theirs.detach())


def test_requires_grad_complex_like_torch() -> None:
    ours = linspace(0, 1j, 5, requires_grad=True)
    theirs = torch.linspace(0, 1j, 5, requires_grad=True)
    assert ours.requires_grad and theirs.requires_grad
    assert_same(ours.detach(), theirs.detach())


@pytest.mark.parametrize(
    ("start", "end", "steps"),
    [
        (0, 1, np.int64(3)),
        (0, 1, np.int32(7)),
        (0, 1, np.uint8(4)),
        (0, 1, torch.tensor(5)),
        (np.float32(0.5), 1, 3),
        (np.float16(0.1), np.float64(0.7), 9),
        (np.int64(2), 5, 4),
        (-1.5, np.int8(-7), 6),
    ],
)
def test_numpy_scalars_like_torch(start: Any, end: Any, steps: Any) -> None:
    for dtype in (None, torch.float64, torch.int32):
        assert_like_torch(start, end, steps, dtype=dtype)


def test_numpy_complex_scalar_keeps_its_imaginary_part() -> None:
    """Where dlref departs from torch.linspace on purpose (besides a NaN's sign and the error
    type for a negative ``steps``): torch drops the imaginary part of a NumPy complex64 scalar
    (with a ComplexWarning); dlref keeps it. complex128 is a Python complex: both keep it."""
    with pytest.warns(np.exceptions.ComplexWarning):
        assert not torch.linspace(np.complex64(1 + 2j), 3, 4).is_complex()  # what the page says
    ours = linspace(np.complex64(1 + 2j), 3, 4)
    assert ours.is_complex()
    assert_same(ours, linspace(1 + 2j, 3, 4))  # as a Python complex
    assert_like_torch(np.complex128(1 + 2j), 3, 4)


@pytest.mark.parametrize(
    ("start", "end", "dtype"),
    [
        (0, 2**63, None),
        (0, 2**63, torch.float64),
        (2**64 - 1, 2**63 + 2**39 + 1, torch.float32),  # rounded once, not via float64
        (-(2**63), 2**64 - 1, torch.float64),
        (0, 2**63 - 1, torch.int64),
    ],
)
def test_python_ints_up_to_2_to_the_64_like_torch(
    start: int, end: int, dtype: torch.dtype | None
) -> None:
    """torch reads a Python int from 2**63 to 2**64 - 1 as uint64."""
    assert_like_torch(start, end, 3, dtype=dtype)


def test_default_dtype_is_followed() -> None:
    previous = torch.get_default_dtype()
    try:
        torch.set_default_dtype(torch.float64)
        assert_like_torch(0, 1, 7)
    finally:
        torch.set_default_dtype(previous)


@settings(max_examples=100, deadline=None)
@given(
    start=st.floats(-1e6, 1e6, allow_nan=False),
    end=st.floats(-1e6, 1e6, allow_nan=False),
    steps=st.integers(0, 3000),
    dtype=st.sampled_from([torch.float32, torch.float64]),
)
def test_property_bitwise_equal_float(
    start: float, end: float, steps: int, dtype: torch.dtype
) -> None:
    assert_like_torch(start, end, steps, dtype=dtype)


@settings(max_examples=100, deadline=None)
@given(
    start=st.floats(allow_nan=False, allow_infinity=False),
    end=st.floats(allow_nan=False, allow_infinity=False),
    steps=st.integers(2, 300),
    dtype=st.sampled_from([torch.float32, torch.float64]),
)
def test_property_bitwise_equal_any_magnitude(
    start: float, end: float, steps: int, dtype: torch.dtype
) -> None:
    """Tiny, huge and subnormal endpoints: the emulated FMA must still round exactly once."""
    limit = torch.finfo(dtype).max
    assume(abs(start) <= limit and abs(end) <= limit)
    assert_like_torch(start, end, steps, dtype=dtype)


@settings(max_examples=60, deadline=None)
@given(
    start=st.floats(-1e3, 1e3, allow_nan=False),
    end=st.floats(-1e3, 1e3, allow_nan=False),
    steps=st.integers(0, 3000),
    dtype=st.sampled_from([torch.float16, torch.bfloat16]),
)
def test_property_bitwise_equal_half(
    start: float, end: float, steps: int, dtype: torch.dtype
) -> None:
    assert_like_torch(start, end, steps, dtype=dtype)


@settings(max_examples=100, deadline=None)
@given(
    start=st.complex_numbers(max_magnitude=1e6, allow_nan=False),
    end=st.complex_numbers(max_magnitude=1e6, allow_nan=False),
    steps=st.integers(0, 1000),
    dtype=st.sampled_from([torch.complex64, torch.complex128]),
)
def test_property_bitwise_equal_complex(
    start: complex, end: complex, steps: int, dtype: torch.dtype
) -> None:
    """Complex values too: torch computes the real and imaginary parts separately."""
    assert_like_torch(start, end, steps, dtype=dtype)


@settings(max_examples=80, deadline=None)
@given(
    start=st.one_of(st.integers(-100, 100), st.floats(-100, 100, allow_nan=False)),
    end=st.one_of(st.integers(-100, 100), st.floats(-100, 100, allow_nan=False)),
    steps=st.integers(0, 500),
    dtype=st.sampled_from([torch.int8, torch.int16, torch.int32, torch.int64]),
)
def test_property_bitwise_equal_integer(
    start: float, end: float, steps: int, dtype: torch.dtype
) -> None:
    assert_like_torch(start, end, steps, dtype=dtype)


# ---- the two roundings, each checked without torch.linspace ------------------------------------


def _round(exact: Fraction, dtype: torch.dtype) -> float:
    """``exact`` rounded once to ``dtype`` (to nearest, ties to even)."""
    nearest64 = float(exact)  # int / int division: correctly rounded to float64
    if dtype == torch.float64:
        return nearest64
    # float32: the float32 numbers next to the float64 one, and pick the nearest exactly.
    guess = np.float32(nearest64)
    candidates = [
        np.nextafter(guess, np.float32(-np.inf)),
        guess,
        np.nextafter(guess, np.float32(np.inf)),
    ]

    def distance(c: np.float32) -> tuple[Fraction, int]:
        return abs(Fraction(float(c)) - exact), int(np.float32(c).view(np.int32)) & 1

    return float(min(candidates, key=distance))


def _exact_values(start: float, end: float, steps: int, dtype: torch.dtype) -> list[float]:
    """The kernel's formula in rational arithmetic, each value rounded once (an ideal FMA)."""
    a = Fraction(torch.tensor(start, dtype=dtype).item())
    b = Fraction(torch.tensor(end, dtype=dtype).item())
    h = Fraction(
        (torch.tensor(end, dtype=dtype) - torch.tensor(start, dtype=dtype)).div(steps - 1).item()
    )
    return [
        _round(a + h * i if i < steps // 2 else b - h * (steps - 1 - i), dtype)
        for i in range(steps)
    ]


def forced(once: bool, *args: Any, **kwargs: Any) -> torch.Tensor:
    """``linspace`` with one rounding (``once``) or two, whatever kernel torch runs here."""
    with pytest.MonkeyPatch.context() as m:
        m.setattr(creation, "linspace_rounds_once", lambda: once)
        return linspace(*args, **kwargs)


@settings(max_examples=60, deadline=None)
@given(
    start=st.floats(-1e6, 1e6, allow_nan=False),
    end=st.floats(-1e6, 1e6, allow_nan=False),
    steps=st.integers(2, 400),
    dtype=st.sampled_from([torch.float32, torch.float64]),
)
def test_both_roundings_match_their_definition(
    start: float, end: float, steps: int, dtype: torch.dtype
) -> None:
    """Once: the exact value rounded once. Twice: multiply, round, add, round (tensor ops)."""
    i = torch.arange(steps)
    a, b = torch.tensor(start, dtype=dtype), torch.tensor(end, dtype=dtype)
    h = (b - a) / torch.tensor(steps - 1).to(dtype)
    twice = torch.where(i < steps // 2, a + h * i.to(dtype), b - h * (steps - 1 - i).to(dtype))
    assert_same(forced(False, start, end, steps, dtype=dtype), twice)
    once = forced(True, start, end, steps, dtype=dtype)
    assert once.tolist() == _exact_values(start, end, steps, dtype)


def test_the_roundings_differ_where_the_page_says() -> None:
    """The page's example: -3 to 3 in 22 float32 points differs between the two roundings."""
    once, twice = forced(True, -3, 3, 22), forced(False, -3, 3, 22)
    assert not torch.equal(once, twice)
    assert torch.allclose(once, twice, rtol=0, atol=1e-6)


def test_kernel_table() -> None:
    assert linspace_rounds_once("AVX2", "x86_64")
    assert linspace_rounds_once("AVX512", "x86_64")
    assert not linspace_rounds_once("DEFAULT", "x86_64")
    assert not linspace_rounds_once("DEFAULT", "AMD64")
    assert linspace_rounds_once("DEFAULT", "aarch64")
    assert linspace_rounds_once("SVE256", "aarch64")


def test_detected_rounding_is_the_running_kernels() -> None:
    """Decide once/twice from torch.linspace itself, on inputs where the two differ."""
    once = forced(True, -3, 3, 22)
    assert torch.equal(torch.linspace(-3, 3, 22), once) == linspace_rounds_once(), (
        f"torch {torch.__version__} with CPU capability "
        f"{torch.backends.cpu.get_cpu_capability()} does not round as "
        f"linspace_rounds_once() = {linspace_rounds_once()} says"
    )


@pytest.mark.parametrize("once", [True, False], ids=["rounds-once", "rounds-twice"])
def test_forced_rounding_still_exact_at_the_ends(once: bool) -> None:
    x = forced(once, -3, 3, 22)
    assert (x[0].item(), x[-1].item()) == (-3.0, 3.0)


# ---- errors --------------------------------------------------------------------------------


def test_negative_steps() -> None:
    with pytest.raises(ValueError, match=r"non-negative, got steps=-1"):
        linspace(0, 1, -1)


@pytest.mark.parametrize("steps", [2.0, True, "3", np.True_, np.float64(3.0), torch.tensor(3.0)])
def test_steps_must_be_int(steps: object) -> None:
    with pytest.raises(TypeError, match="steps must be an integer"):
        linspace(0, 1, steps)  # type: ignore[arg-type]
    with pytest.raises(TypeError):  # torch refuses these too
        torch.linspace(0, 1, steps)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("start", "end", "pattern"),
    [
        (0, 2**64, r"^end is an int of 65 bits; .* from -2\*\*63 to 2\*\*64 - 1"),
        (-(2**63) - 1, 0, r"^start is an int of 64 bits"),
        (0, 10**400, r"^end is an int of 1329 bits"),
    ],
    ids=["2**64", "-2**63-1", "10**400"],
)
def test_ints_beyond_uint64_are_refused(start: int, end: int, pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        linspace(start, end, 3, dtype=torch.float64)
    with pytest.raises(OverflowError):  # torch refuses them too, naming no argument
        torch.linspace(start, end, 3, dtype=torch.float64)


def test_endpoint_tensor_must_be_0d() -> None:
    with pytest.raises(ValueError, match=r"0-dimensional.*start with 1 dimension"):
        linspace(torch.tensor([0.0]), 1, 5)
    with pytest.raises(ValueError, match=r"end with 2 dimension"):
        linspace(0, torch.zeros(1, 1), 5)


def test_endpoint_must_be_number() -> None:
    with pytest.raises(TypeError, match="start must be a number or a 0-d tensor"):
        linspace("0", 1, 5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="end must be a number or a 0-d tensor, got bool"):
        linspace(0, np.True_, 5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("start", "end", "dtype", "pattern"),
    [
        (0, 1e40, torch.float32, r"end=1e\+40 cannot be converted to torch.float32"),
        (0, 70000, torch.float16, r"end=70000 cannot be converted to torch.float16"),
        (0, 2**40, torch.int32, r"cannot be converted to torch.int32.*range"),
        (0, 300, torch.uint8, r"cannot be converted to torch.uint8"),
        (float("nan"), 1, torch.int64, r"start is NaN"),
    ],
)
def test_overflow(start: float, end: float, dtype: torch.dtype, pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        linspace(start, end, 3, dtype=dtype)
    with pytest.raises(RuntimeError):  # torch refuses these too
        torch.linspace(start, end, 3, dtype=dtype)


def test_complex_to_integer() -> None:
    with pytest.raises(TypeError, match="is complex"):
        linspace(1j, 2, 3, dtype=torch.int64)


def test_dtype_out_mismatch() -> None:
    with pytest.raises(ValueError, match=r"dtype torch.float64 does not match the dtype of out"):
        linspace(0, 1, 5, out=torch.empty(2), dtype=torch.float64)


def test_layout() -> None:
    with pytest.raises(ValueError, match=r"layout=torch\.strided"):
        linspace(0, 1, 5, layout=torch.sparse_coo)


def test_requires_grad_integer() -> None:
    with pytest.raises(TypeError, match="floating point and complex dtype can require gradients"):
        linspace(0, 1, 5, dtype=torch.int64, requires_grad=True)


@pytest.mark.parametrize("dtype", [torch.bool, torch.uint16])
def test_unsupported_dtype(dtype: torch.dtype) -> None:
    with pytest.raises(TypeError, match="does not support dtype"):
        linspace(0, 1, 5, dtype=dtype)
