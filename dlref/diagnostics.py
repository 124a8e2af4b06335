r"""Diagnostics for training: which ReLU units of a layer are dead, and how a result spreads
over random seeds.

A ReLU unit is *dead* on a set of inputs when its pre-activation is never positive there: its
output is 0 for every input, and so is the gradient that flows back through it
($\operatorname{ReLU}'(z) = 0$ for $z < 0$). Gradient descent then never changes the weights
that feed it, and it stays dead. A too-large learning rate can push many units there in a few
steps; measuring the fraction of dead units is how one notices.

A training run is one draw: another seed, another CPU or another thread count gives another
result. :func:`seed_spread` summarises a number measured once per seed (median, quartiles,
range), so that a page states a difference only where it is larger than that spread.
:func:`within` is how a page shows such a number: training carries the last-bit differences of
one CPU's kernels into the second or third digit of a median, so a page prints a range that
the code asserts the number lies in, the same on every machine.

讲解见站点页面「神经元与激活函数」 docs/components/neurons-activations.md 与「暂退法 (dropout)」
docs/components/dropout.md。
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from dlref.functional._validation import check_floating

__all__ = ["SeedSpread", "dead_fraction", "dead_units", "seed_spread", "within"]


def dead_units(pre_activations: Tensor, unit_dim: int = -1) -> Tensor:
    r"""Mask of the units whose ReLU output is 0 for every example of a batch.

    Unit $j$ is dead on the batch when its pre-activation $z_{ij} = w_j^\top x_i + b_j$ is
    not positive for any example $i$:

    $$
    \operatorname{dead}_j = \bigwedge_{i=1}^{N} \left( z_{ij} \le 0 \right)
    \iff \max_i \operatorname{ReLU}(z_{ij}) = 0 .
    $$

    On such a batch the unit outputs 0 for every example and passes no gradient back, so
    nothing it receives from this batch can revive it. Pass the pre-activations of the whole
    data set (or of a large batch) to find units that are dead on the data, not just on a few
    examples.

    Parameters
    ----------
    pre_activations : Tensor
        The inputs of the ReLU (the layer's $Wx + b$), floating point. Every dimension except
        ``unit_dim`` indexes examples (batch, and e.g. sequence positions).
    unit_dim : int, default -1
        The dimension that indexes the units (the layer's output features).

    Returns
    -------
    Tensor
        A ``torch.bool`` tensor with one entry per unit: ``True`` where the unit is dead.

    Raises
    ------
    TypeError
        If ``pre_activations`` is not a floating-point tensor.
    ValueError
        If it has no unit dimension (0-d), if ``unit_dim`` is out of range, if it has no
        example (an empty batch proves nothing), or if it contains NaN (a diverged layer: its
        ReLU output is NaN, neither dead nor alive).

    Notes
    -----
    Shapes: input $(N, H)$ for a fully connected layer with $H$ units, $(N, *, H)$ with any
    further example dimensions, or $(H)$ for a single example; with ``unit_dim=1`` a
    convolution's $(N, C, H, W)$ gives one entry per channel. Output: $(H)$. The result carries
    no gradient.

    Infinities are values like any other: $\operatorname{ReLU}(-\infty) = 0$, so a unit whose
    pre-activations are all $\le 0$ or $-\infty$ is dead, and one $+\infty$ makes it alive. NaN
    raises (see above): ``NaN <= 0`` is false, and a NaN unit would otherwise count as alive.

    See Also
    --------
    dead_fraction : the fraction of dead units.
    torch.nn.functional.relu : the activation whose zeros are counted.

    Examples
    --------
    >>> import torch
    >>> from dlref.diagnostics import dead_units
    >>> z = torch.tensor([[ 1.0, -2.0, 0.0],
    ...                   [-1.0, -0.5, 0.0],
    ...                   [ 0.5, -3.0, 0.0]])   # 3 examples, 3 units
    >>> dead_units(z)
    tensor([False,  True,  True])
    >>> inf = float("inf")
    >>> dead_units(torch.tensor([[-inf, inf], [-1.0, -inf]]))
    tensor([ True, False])
    """
    check_floating(pre_activations, "pre_activations")
    if pre_activations.dim() == 0:
        raise ValueError(
            "pre_activations must have a unit dimension, e.g. shape (N, H); got a 0-d tensor"
        )
    ndim = pre_activations.dim()
    if not -ndim <= unit_dim < ndim:
        raise ValueError(
            f"unit_dim={unit_dim} is out of range for pre_activations of shape "
            f"{tuple(pre_activations.shape)} (expected -{ndim} <= unit_dim < {ndim})"
        )
    z = pre_activations.detach().movedim(unit_dim, -1)
    # (examples, units): every other dimension indexes examples; a 1-d input is one example.
    z = z.unsqueeze(0) if z.dim() == 1 else z.flatten(0, -2)
    if z.shape[0] == 0:
        raise ValueError(
            f"pre_activations of shape {tuple(pre_activations.shape)} has no example; "
            "a unit can only be called dead on at least one input"
        )
    if torch.isnan(z).any():
        raise ValueError("pre_activations contains NaN (a diverged layer); cannot tell dead units")
    # ReLU(z) = 0 exactly when z <= 0: the unit is dead when that holds for every example.
    return (z <= 0).all(dim=0)


def dead_fraction(pre_activations: Tensor, unit_dim: int = -1) -> float:
    r"""Fraction of the units whose ReLU output is 0 for every example of a batch.

    $$
    \text{dead fraction} = \frac{1}{H} \sum_{j=1}^{H} \operatorname{dead}_j ,
    $$

    with $\operatorname{dead}_j$ as in :func:`dead_units`.

    Parameters
    ----------
    pre_activations : Tensor
        The inputs of the ReLU, floating point; see :func:`dead_units`.
    unit_dim : int, default -1
        The dimension that indexes the units.

    Returns
    -------
    float
        A number in $[0, 1]$; 0.0 for a layer with no units.

    Raises
    ------
    TypeError
        If ``pre_activations`` is not a floating-point tensor.
    ValueError
        As :func:`dead_units`.

    Notes
    -----
    Shapes: as :func:`dead_units`; the result is a Python ``float``, handy for logging every
    few training steps.

    See Also
    --------
    dead_units : the mask itself.

    Examples
    --------
    >>> import torch
    >>> from dlref.diagnostics import dead_fraction
    >>> z = torch.tensor([[1.0, -2.0, 0.0, 3.0],
    ...                   [-1.0, -0.5, 0.0, 2.0]])
    >>> dead_fraction(z)   # units 1 and 2 of 4
    0.5
    """
    mask = dead_units(pre_activations, unit_dim)
    if mask.numel() == 0:
        return 0.0
    return int(mask.sum().item()) / mask.numel()  # exact: dead count / unit count


@dataclass(frozen=True)
class SeedSpread:
    r"""A number measured once per random seed: its range, quartiles and median.

    Attributes
    ----------
    low, q1, median, q3, high : float
        The minimum, first quartile, median, third quartile and maximum over the seeds.
    n : int
        How many seeds.

    Notes
    -----
    A claim "B is larger than A" is made from the per-seed differences $d_s = b_s - a_s$ of
    paired runs (same seed, same data): :meth:`above` with threshold 0 says that the middle
    half of the differences, $[q_1, q_3]$, lies above 0. With the interpolated quartile
    (see :func:`seed_spread`), $q_1 > 0$ needs $v_{(\lceil h \rceil)} > 0$ for
    $h = (n - 1)/4$, so at least $n - \lceil (n - 1)/4 \rceil$ of the $n$ differences are
    positive: 15 of 20 seeds, about three in four. It says nothing more about the size of the
    difference; a claim about its size compares it with a spread, as the pages do.
    """

    low: float
    q1: float
    median: float
    q3: float
    high: float
    n: int

    def above(self, threshold: float) -> bool:
        """True when the whole interquartile range lies above ``threshold`` ($q_1 >$ threshold)."""
        return self.q1 > threshold

    def below(self, threshold: float) -> bool:
        """True when the whole interquartile range lies below ``threshold`` ($q_3 <$ threshold)."""
        return self.q3 < threshold

    def __str__(self) -> str:
        return f"{self.median:.3g} (quartiles {self.q1:.3g} to {self.q3:.3g}, n={self.n})"


def _real_number(x: object, position: int | str) -> float:
    """One seed's number (``position`` in the list) or an argument (``position`` its name) as
    a float: a real number (NumPy scalars and one-element tensors or arrays too), never a bool,
    a string or a complex number."""
    if isinstance(x, Tensor):
        real = x.numel() == 1 and x.dtype != torch.bool and not x.is_complex()
    else:  # bool and NumPy's bool_ would pass float(); str would parse
        real = not isinstance(x, (bool, str, bytes)) and "bool" not in type(x).__name__
    if real:
        try:
            return float(x)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            pass
    got = f"got {x!r} ({type(x).__name__})"
    if isinstance(position, str):  # an argument's name
        raise TypeError(f"{position} must be a real number, {got}")
    raise TypeError(f"values must be real numbers, {got} at position {position}")


def seed_spread(values: Tensor | Sequence[float]) -> SeedSpread:
    r"""Median, quartiles and range of a number measured once per random seed.

    With the values sorted, $v_{(0)} \le \dots \le v_{(n-1)}$, the $q$-quantile interpolates
    linearly between neighbours (the default of ``torch.quantile`` and ``numpy.quantile``):

    $$
    Q(q) = v_{(\lfloor h \rfloor)} + (h - \lfloor h \rfloor)
    \bigl(v_{(\lfloor h \rfloor + 1)} - v_{(\lfloor h \rfloor)}\bigr), \qquad h = (n - 1)\,q ,
    $$

    and the result holds $Q(0)$, $Q(1/4)$, $Q(1/2)$, $Q(3/4)$ and $Q(1)$. The computation is
    in float64, so the same values give the same summary on every machine.

    Parameters
    ----------
    values : Tensor or sequence of float
        One number per seed, 1-d, real and finite (a diverged run has no number: leave it
        out and report it separately).

    Returns
    -------
    SeedSpread
        ``low``, ``q1``, ``median``, ``q3``, ``high`` as Python floats, and ``n``.

    Raises
    ------
    TypeError
        If ``values`` is a tensor that is not real floating point or integer, or a sequence
        holding something other than real numbers (a bool or a string, say).
    ValueError
        If ``values`` is not 1-d, is empty, or holds NaN or an infinity.

    See Also
    --------
    torch.quantile : the interpolation used.

    Examples
    --------
    >>> import torch
    >>> from dlref.diagnostics import seed_spread
    >>> s = seed_spread(torch.tensor([0.3, 0.1, 0.4, 0.2, 0.5], dtype=torch.float64))
    >>> s.low, s.q1, s.median, s.q3, s.high, s.n
    (0.1, 0.2, 0.3, 0.4, 0.5, 5)
    >>> s.above(0.0), s.below(0.3)
    (True, False)
    """
    if isinstance(values, Tensor):
        if values.is_complex() or values.dtype == torch.bool:
            raise TypeError(f"values must be real numbers, got a tensor of dtype {values.dtype}")
        v = values.detach().to(device="cpu", dtype=torch.float64)
    else:
        items: Sequence[object] = values  # the annotation promises floats; check it
        v = torch.tensor([_real_number(x, i) for i, x in enumerate(items)], dtype=torch.float64)
    if v.dim() != 1:
        raise ValueError(f"values must be 1-d (one number per seed); got shape {tuple(v.shape)}")
    if v.numel() == 0:
        raise ValueError("values is empty: a spread needs at least one seed")
    if not torch.isfinite(v).all():
        raise ValueError(
            "values holds NaN or an infinity (a diverged run?); leave such seeds out and "
            "report how many there were"
        )
    levels = torch.tensor([0.0, 0.25, 0.5, 0.75, 1.0], dtype=torch.float64)
    low, q1, median, q3, high = torch.quantile(v, levels).tolist()
    return SeedSpread(low=low, q1=q1, median=median, q3=q3, high=high, n=v.numel())


def within(value: float, low: float, high: float) -> str:
    r"""Assert $\text{low} \le \text{value} \le \text{high}$ and return the range as text.

    A number that comes out of training differs between machines: the CPU's kernels, the BLAS
    and its code path round differently in the last bit, and many steps of training carry that
    into the digits a page would print (a median of 0.163 on one CPU is 0.161 on another).
    What is the same on every machine is a claim checked on the machine itself: the page
    prints the range, and the build (or the reader's run) fails where the value leaves it.

    Parameters
    ----------
    value : float
        The measured number (a Python float, or a one-element tensor).
    low, high : float
        The range the page claims, ``low < high``; both printed with ``format(x, "g")``.

    Returns
    -------
    str
        ``"{low:g}–{high:g}"`` (an en dash between the ends).

    Raises
    ------
    TypeError
        If ``value``, ``low`` or ``high`` is not a real number (a bool or a string, say).
    ValueError
        If ``value`` is outside ``[low, high]`` or NaN (the message gives the value), or if
        ``low`` is not below ``high``.

    Examples
    --------
    >>> from dlref.diagnostics import within
    >>> f"验证 MSE 的中位数在 {within(0.1631, 0.14, 0.19)} 之间"
    '验证 MSE 的中位数在 0.14–0.19 之间'
    >>> within(0.2, 0.14, 0.19)
    Traceback (most recent call last):
    ...
    ValueError: 0.2 is outside the claimed range [0.14, 0.19]
    """
    v, lo, hi = (
        _real_number(x, name)
        for name, x in zip(("value", "low", "high"), (value, low, high), strict=True)
    )
    if not lo < hi:
        raise ValueError(f"low must be below high, got low={lo:g}, high={hi:g}")
    if not lo <= v <= hi:  # False for NaN too
        raise ValueError(f"{v:.6g} is outside the claimed range [{lo:g}, {hi:g}]")
    return f"{lo:g}–{hi:g}"
