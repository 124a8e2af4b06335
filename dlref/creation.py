r"""Tensor creation: ``linspace``, evenly spaced points written from ``arange`` and arithmetic.

讲解见站点页面「张量与 torch.linspace」（docs/basics/tensors-linspace.md）。

``torch.linspace(start, end, steps)`` returns ``steps`` points from ``start`` to ``end``, both ends
included. The obvious formula ``start + step * i`` lets rounding errors pile up towards ``end``, so
the last point can miss ``end``. PyTorch computes the first half of the points from ``start`` and
the second half backwards from ``end``, so both ends are exact and the error is smallest at the
ends. This module does the same, with the same roundings as the kernel torch runs on this machine,
and agrees with PyTorch bit for bit, signed zeros included (only the sign of a NaN may differ: IEEE
754 leaves it unspecified). A complex ``linspace`` is a real one on the real parts and another on
the imaginary parts (torch's kernel divides and multiplies the two parts separately), so this holds
for complex dtypes too.

Which roundings depends on the hardware. torch compiles its CPU kernels several times, once per
instruction-set level, and picks one when it starts (``torch.backends.cpu.get_cpu_capability()``,
overridable with the ``ATEN_CPU_CAPABILITY`` environment variable). Where the compiler may use the
fused multiply-add instruction (FMA), it turns ``start + step * i`` into one FMA: the exact value,
rounded once. x86-64's ``DEFAULT`` kernel is built for any x86-64 CPU, which may lack FMA, so
there the product and the sum are rounded separately: twice. :func:`linspace_rounds_once` says
which applies, and :func:`linspace` rounds the same way.
"""

from __future__ import annotations

import numbers
import operator
import platform
from typing import SupportsIndex

import torch
from torch import Tensor

__all__ = ["linspace", "linspace_rounds_once"]

Number = int | float | complex | bool

# The element types PyTorch's linspace implements (no bool, no uint16/32/64).
_SUPPORTED = (
    torch.float16,
    torch.bfloat16,
    torch.float32,
    torch.float64,
    torch.complex64,
    torch.complex128,
    torch.int8,
    torch.int16,
    torch.int32,
    torch.int64,
    torch.uint8,
)


def _scalar(value: object, name: str) -> Number:
    """A Python number from ``start`` / ``end``: a number, or a 0-d tensor as ``torch`` accepts.

    Any number registered with :mod:`numbers` is taken, NumPy scalars such as ``np.float32(0.5)``
    and ``np.int64(3)`` included, and becomes a Python ``int``, ``float`` or ``complex``.
    """
    if isinstance(value, Tensor):
        if value.dim() != 0:
            raise ValueError(
                f"linspace only supports 0-dimensional start and end tensors, but got {name} "
                f"with {value.dim()} dimension(s) (shape {tuple(value.shape)})"
            )
        item: Number = value.item()
        return item
    if isinstance(value, numbers.Integral):  # int, bool, np.int64, ...
        return int(value)
    if isinstance(value, numbers.Real):  # float, np.float32, ...
        return float(value)
    if isinstance(value, numbers.Complex):  # complex, np.complex64, ...
        return complex(value)
    raise TypeError(f"{name} must be a number or a 0-d tensor, got {type(value).__name__}")


def _to_dtype(value: Number, dtype: torch.dtype, name: str) -> Tensor:
    """``value`` converted to ``dtype`` as a 0-d tensor, refusing values that overflow ``dtype``.

    The conversion rounds (floating dtypes) or truncates towards zero (integer dtypes), exactly
    as PyTorch converts a Python number to the element type.
    """
    # The number itself, exactly: Python ints as int64 (uint64 from 2**63 up, as PyTorch reads
    # them), floats as float64, complex as complex128.
    if isinstance(value, complex):
        natural = torch.tensor(value, dtype=torch.complex128)
    elif isinstance(value, float):
        natural = torch.tensor(value, dtype=torch.float64)
    elif -(2**63) <= value < 2**63:
        natural = torch.tensor(int(value), dtype=torch.int64)
    elif 2**63 <= value < 2**64:
        natural = torch.tensor(int(value), dtype=torch.uint64)
    else:
        raise ValueError(
            f"{name} is an int of {int(value).bit_length()} bits; linspace takes Python ints "
            "from -2**63 to 2**64 - 1, as torch.linspace does"
        )
    if dtype.is_floating_point and not natural.is_complex():
        bound = torch.finfo(dtype).max
        v = float(natural.double().item())
        if v == v and abs(v) != float("inf") and abs(v) > bound:
            raise ValueError(
                f"{name}={value} cannot be converted to {dtype} without overflow "
                f"(its finite range is [-{bound}, {bound}])"
            )
    elif not dtype.is_floating_point and not dtype.is_complex:
        if natural.is_complex():
            raise TypeError(f"{name}={value} is complex; it cannot be converted to {dtype}")
        info = torch.iinfo(dtype)
        v = natural.item()  # exact: an int stays an int, so 2**63 - 1 fits int64
        if v != v:
            raise ValueError(f"{name} is NaN; it cannot be converted to {dtype}")
        # Like PyTorch, an unsigned type also takes -max..-1 (they wrap around: -1 -> 255).
        lowest = -info.max if info.min == 0 else info.min
        if not lowest <= v <= info.max:
            raise ValueError(
                f"{name}={value} cannot be converted to {dtype} without overflow "
                f"(its range is [{info.min}, {info.max}])"
            )
    return natural.to(dtype)


# ---- a fused multiply-add, rounded once -----------------------------------------------------
# PyTorch's C++ kernel evaluates ``start + step * i`` in one expression, and the compiler turns it
# into a fused multiply-add (FMA): the exact value of ``start + step * i``, rounded once. Tensor
# arithmetic rounds twice (after ``*`` and after ``+``), which can differ in the last bit. Torch has
# no FMA operation, so we emulate it with Boldo and Melquiond's proven algorithm: write the exact
# product as a sum of two floats (Dekker's TwoProduct), add ``start`` keeping the rounding error
# (Knuth's TwoSum), add the two small error terms rounding *to odd*, and round the total once.
# Rounding to odd keeps a "sticky" trace of anything lost, so the final rounding cannot fall on a
# false tie (with ``i`` a small integer, exact ties are common).


def _two_sum(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    """``a + b == s + err`` exactly, with ``s`` the rounded sum (Knuth)."""
    s = a + b
    b_virtual = s - a
    err = (a - (s - b_virtual)) + (b - b_virtual)
    return s, err


# 2**ceil(p/2) + 1 for a p = 53 bit significand (float64).
_SPLITTER = 2.0**27 + 1


def _split(a: Tensor) -> tuple[Tensor, Tensor]:
    """``a == hi + lo`` with each half short enough that products of halves are exact."""
    c = _SPLITTER * a
    hi = c - (c - a)
    return hi, a - hi


def _two_product(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    """``a * b == p + err`` exactly, with ``p`` the rounded product (Dekker)."""
    p = a * b
    a_hi, a_lo = _split(a)
    b_hi, b_lo = _split(b)
    err = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    return p, err


def _add_round_to_odd(a: Tensor, b: Tensor) -> Tensor:
    """``a + b`` rounded to the neighbour whose last significand bit is 1 when inexact."""
    s, err = _two_sum(a, b)
    bits = s.view(torch.int64 if s.dtype == torch.float64 else torch.int32)
    even = (bits & 1) == 0
    towards_err = torch.nextafter(s, torch.where(err > 0, torch.inf, -torch.inf).to(s.dtype))
    return torch.where((err != 0) & even, towards_err, s)


def _fused_multiply_add(a: Tensor, b: Tensor, c: Tensor) -> Tensor:
    """``a + b * c`` rounded once, like the C++ expression compiled to an FMA instruction."""
    if a.dtype == torch.float32:
        # In float64 the product of two float32 numbers is exact; the sum rounded to odd and
        # then to float32 is the exact value rounded once.
        a64, b64, c64 = a.double(), b.double(), c.double()
        return _add_round_to_odd(a64, b64 * c64).float()
    # float64: the splitting in _two_product overflows for |b| > 2**995, so a huge b is scaled
    # down by 2**64 for the product only, and the two exact parts are scaled back up (powers of
    # 2: exact). ``a`` is never scaled: a subnormal ``a`` would underflow to 0.
    scale = torch.where(b.abs() > 2.0**995, 2.0**-64, 1.0).to(b.dtype)
    p, p_err = _two_product(b * scale, c)  # (b * scale) * c == p + p_err exactly
    p, p_err = p / scale, p_err / scale  # b * c == p + p_err (p is inf if b * c overflows)
    s, s_err = _two_sum(a, p)  # a + p == s + s_err exactly
    # When both error terms are 0, s is the exact result, and keeps its sign: s + 0.0 would turn
    # a -0.0 into +0.0 (in IEEE arithmetic -0.0 + +0.0 == +0.0), where the FMA gives -0.0.
    exact = (s_err == 0) & (p_err == 0)
    fused = torch.where(exact, s, s + _add_round_to_odd(s_err, p_err))
    # Infinite or NaN operands: the error terms are NaN; the plain formula gives torch's answer.
    return torch.where(torch.isfinite(fused), fused, a + b * c)


# ---- which kernel torch runs ----------------------------------------------------------------

# Instruction-set families without a guaranteed FMA instruction in their baseline kernel.
_X86 = ("x86_64", "amd64", "i386", "i686", "x86")


def linspace_rounds_once(capability: str | None = None, machine: str | None = None) -> bool:
    r"""Whether torch's CPU ``linspace`` kernel computes ``start + step * i`` with one rounding.

    torch builds its CPU kernels once per instruction-set level and chooses one at start-up.
    Where the kernel is compiled for a CPU that has the fused multiply-add (FMA) instruction, the
    compiler contracts ``start + step * i`` into one FMA: the exact value, rounded once. The
    ``DEFAULT`` kernel of x86-64 targets every x86-64 CPU, FMA or not, so it multiplies and adds
    separately: two roundings, which can differ in the last bit.

    ======================  ===========================  ====================================
    machine                 capability                   rounding
    ======================  ===========================  ====================================
    x86-64                  ``AVX2``, ``AVX512``         once (FMA)
    x86-64                  ``DEFAULT``                  twice
    aarch64                 any (``DEFAULT`` checked)    once (FMA is in the baseline)
    any other machine       any                          once (inferred, not checked)
    ======================  ===========================  ====================================

    Checked bit for bit on x86-64 Linux with torch 2.13, on one machine with each of its
    kernels (``AVX512``, and ``AVX2`` and ``DEFAULT`` chosen with ``ATEN_CPU_CAPABILITY``), and
    on an emulated aarch64 CPU with torch 2.9.1, whose kernel is ``DEFAULT`` (float32, float64
    and int64 there). The last row is not checked: it follows from how torch compiles its
    kernels for other architectures whose baseline has FMA, such as ppc64le and s390x. The tests
    compare :func:`linspace` with ``torch.linspace`` on whatever kernel runs, so a machine where
    this table is wrong fails them.

    Parameters
    ----------
    capability : str, optional
        A value of ``torch.backends.cpu.get_cpu_capability()``. Default: the running kernel's.
    machine : str, optional
        A value of ``platform.machine()``. Default: this machine's.

    Returns
    -------
    bool
        ``True`` for one rounding (FMA), ``False`` for two.

    Examples
    --------
    >>> from dlref.creation import linspace_rounds_once
    >>> linspace_rounds_once("AVX2", "x86_64"), linspace_rounds_once("DEFAULT", "x86_64")
    (True, False)
    >>> linspace_rounds_once("DEFAULT", "aarch64")
    True
    """
    if capability is None:
        capability = torch.backends.cpu.get_cpu_capability()
    if machine is None:
        machine = platform.machine()
    if machine.lower() in _X86:
        return capability.upper() != "DEFAULT"
    return True


# ---- linspace -------------------------------------------------------------------------------


def linspace(
    start: Number | Tensor,
    end: Number | Tensor,
    steps: SupportsIndex,
    *,
    out: Tensor | None = None,
    dtype: torch.dtype | None = None,
    layout: torch.layout = torch.strided,
    device: torch.device | str | None = None,
    requires_grad: bool = False,
) -> Tensor:
    r"""Return ``steps`` evenly spaced values from ``start`` to ``end``, both included.

    $$
    x_i = \text{start} + i \cdot \frac{\text{end} - \text{start}}{\text{steps} - 1},
    \qquad i = 0, 1, \dots, \text{steps} - 1
    $$

    The first half of the points is computed forwards from ``start``
    ($\text{start} + h\,i$) and the second half backwards from ``end``
    ($\text{end} - h\,(\text{steps} - 1 - i)$), with $h$ the step: both ends come out exact.
    Each $\text{start} + h\,i$ is rounded once or twice, as the CPU kernel torch runs here does
    (:func:`linspace_rounds_once`), so the values equal PyTorch's bit for bit on that kernel,
    signed zeros included (a NaN's sign aside). A complex dtype is done as torch's kernel does
    it: the real parts and the imaginary parts separately. One difference: a NumPy
    ``complex64`` scalar keeps its imaginary part here (``torch.linspace`` drops it, with a
    ``ComplexWarning``, and returns real numbers); ``np.complex128`` is a Python ``complex``,
    and both keep its imaginary part.

    Parameters
    ----------
    start : float, int, complex or 0-d Tensor
        The first value. NumPy scalars (``np.float32``, ``np.int64``, ...) are taken too; a
        Python int must lie in ``[-2**63, 2**64 - 1]``, as for ``torch.linspace``.
    end : float, int, complex or 0-d Tensor
        The last value (included). May be smaller than ``start``: the values then decrease.
    steps : int
        How many values, ``>= 0``. ``0`` gives an empty tensor, ``1`` gives ``[start]``. Any
        integer that ``operator.index`` accepts (``np.int64(3)``, ``torch.tensor(3)``), not a bool.
    out : Tensor, optional
        Tensor to write the result into; it is resized to ``(steps,)``. Its dtype is used when
        ``dtype`` is not given.
    dtype : torch.dtype, optional
        Element type. Default: ``torch.get_default_dtype()`` (the complex counterpart when
        ``start`` or ``end`` is complex). For an integer dtype, ``start`` and ``end`` are first
        truncated towards zero, the step is computed in float64, and every value is truncated
        towards zero, as in PyTorch.
    layout : torch.layout, default torch.strided
        Only ``torch.strided`` (a dense tensor) is supported.
    device : torch.device or str, optional
        Device of the result.
    requires_grad : bool, default False
        Whether autograd should record operations on the result, or on ``out`` when given
        (floating and complex dtypes only).

    Returns
    -------
    Tensor
        Shape $(\text{steps},)$.

    Raises
    ------
    ValueError
        If ``steps`` is negative, ``start``/``end`` is a tensor that is not 0-d, an int outside
        ``[-2**63, 2**64 - 1]`` or a value that overflows ``dtype``, ``dtype`` disagrees with
        ``out``, or ``layout`` is not strided.
    TypeError
        If ``steps`` is not an integer (or is a bool), ``start``/``end`` is not a number, or
        ``requires_grad=True`` with an integer dtype.

    See Also
    --------
    torch.linspace : The PyTorch function this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref
    >>> dlref.linspace(0, 1, 5)
    tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    >>> dlref.linspace(10, 0, 4, dtype=torch.int64)
    tensor([10,  6,  3,  0])
    >>> torch.equal(dlref.linspace(-3.7, 12.1, 1000), torch.linspace(-3.7, 12.1, 1000))
    True
    """
    # ---- check the arguments, with messages that say what was expected ----
    if isinstance(steps, bool):
        raise TypeError("steps must be an integer, got bool")
    try:
        n = operator.index(steps)  # int, np.int64, an integer 0-d tensor, ...
    except TypeError:
        raise TypeError(f"steps must be an integer, got {type(steps).__name__}") from None
    if n < 0:
        raise ValueError(f"number of steps must be non-negative, got steps={n}")
    if layout != torch.strided:
        raise ValueError(f"linspace only supports layout=torch.strided, got {layout}")
    first = _scalar(start, "start")
    last = _scalar(end, "end")
    if out is not None:
        if dtype is not None and dtype != out.dtype:
            raise ValueError(f"dtype {dtype} does not match the dtype of out ({out.dtype})")
        dtype = out.dtype
    if dtype is None:
        dtype = torch.get_default_dtype()
        if isinstance(first, complex) or isinstance(last, complex):
            dtype = torch.complex128 if dtype == torch.float64 else torch.complex64
    if dtype not in _SUPPORTED:
        raise TypeError(
            f"linspace does not support dtype={dtype}; use a floating, complex, "
            "int8/16/32/64 or uint8 dtype"
        )
    if requires_grad and not (dtype.is_floating_point or dtype.is_complex):
        raise TypeError(
            f"only tensors of floating point and complex dtype can require gradients, "
            f"got requires_grad=True with dtype={dtype}"
        )

    # ---- the values ----
    if n <= 1:
        values = _to_dtype(first, dtype, "start").reshape(1)[:n]
    elif dtype.is_complex:
        # torch's kernel divides and multiplies the real and imaginary parts separately
        # (complex / int, complex * int), so a complex linspace is two real ones.
        a = _to_dtype(first, dtype, "start")
        b = _to_dtype(last, dtype, "end")
        part = a.real.dtype  # float32 for complex64, float64 for complex128
        real = linspace(a.real, b.real, n, dtype=part)
        imag = linspace(a.imag, b.imag, n, dtype=part)
        values = torch.complex(real, imag)
    else:
        # Integer results are computed in float64 (as PyTorch does), then truncated.
        compute = dtype if dtype.is_floating_point else torch.float64
        a = _to_dtype(first, dtype, "start").to(compute)
        b = _to_dtype(last, dtype, "end").to(compute)
        step = (b - a) / torch.tensor(n - 1).to(compute)
        i = torch.arange(n)
        from_start = i.to(compute)  # i = 0, 1, ..., n - 1
        from_end = (n - 1 - i).to(compute)  # n - 1, ..., 1, 0
        if compute in (torch.float32, torch.float64) and linspace_rounds_once():
            # One rounding, as the FMA instruction in torch's kernel does.
            forwards = _fused_multiply_add(a, step, from_start)  # start + step * i
            backwards = _fused_multiply_add(b, -step, from_end)  # end - step * (n - 1 - i)
        else:
            # Two roundings: x86-64's DEFAULT kernel, and float16/bfloat16 everywhere.
            forwards = a + step * from_start
            backwards = b - step * from_end
        values = torch.where(i < n // 2, forwards, backwards).to(dtype)

    values = values.to(device) if device is not None else values
    if out is not None:
        out.resize_(n)
        with torch.no_grad():
            out.copy_(values)
        if requires_grad:  # as torch.linspace does, out itself then requires grad
            out.requires_grad_()
        return out
    return values.requires_grad_(requires_grad)
