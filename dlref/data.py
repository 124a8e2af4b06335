r"""Small data sets made by code, for pages, benchmarks and tests: no download, no data file.

Each maker is seeded and uses only Python's :mod:`random` and :mod:`math`. The random stream is
the same on every machine, but ``math.sin``, ``math.cos`` and ``math.log`` (``random.gauss``
uses them too) come from the platform's C math library, whose last bit can differ between
libraries and CPUs: glibc, for one, picks variants that use FMA instructions on x86-64 CPUs that
have them. So the same seed gives the same data on every machine *up to the last bits*: with
glibc 2.36 on such a CPU, turning those variants off (environment variable
``GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,-FMA``) changes 16 of the 40,000 coordinates of
``make_moons(20000, noise=0.1, seed=0)``, each by 1.1e-16 at most; tests/test_data.py checks
that every coordinate moves by at most two units in the last place of 1 (or of itself, if
larger). No page, benchmark or test needs bit-identical data.

* :func:`make_moons`: two interleaving half circles. bench/bench_autograd.py trains the scalar
  ``MLP`` of :mod:`dlref.autograd` on them to time one training step (结果见站点页面
  「性能：dlref、教材代码与 PyTorch」 docs/performance.md 的「标量自动微分引擎的代价」一节);
  the tests of ``MLP`` train on them too.
"""

from __future__ import annotations

import math
import numbers
import operator
import random

__all__ = ["make_moons"]


def _is_integer(value: object) -> bool:
    """An int or a NumPy integer (what ``operator.index`` takes), not a bool, float or str."""
    try:
        operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        return False
    return not isinstance(value, bool)


def _is_real(value: object) -> bool:
    """An int, a float or a NumPy real scalar, not a bool or a str."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def make_moons(
    n_samples: int = 100, noise: float = 0.1, seed: int = 0
) -> tuple[list[list[float]], list[int]]:
    r"""Two interleaving half circles in the plane: a small non-linear classification problem.

    Half the points lie on the upper half circle $(\cos t, \sin t)$, label $+1$; the others on
    the lower one $(1 - \cos t, 0.5 - \sin t)$, label $-1$; $t$ is uniform in $[0, \pi]$ and each
    coordinate gets Gaussian noise of standard deviation ``noise``.

    Parameters
    ----------
    n_samples : int, default 100
        Number of points (the upper moon gets the extra one when it is odd).
    noise : float, default 0.1
        Standard deviation of the noise.
    seed : int, default 0
        Random seed: the same seed gives the same points (on another machine, up to the last
        bits of the C math library: see :mod:`dlref.data`).

    Returns
    -------
    X : list of [float, float]
    y : list of int
        Labels $\pm 1$.

    Raises
    ------
    TypeError
        If ``n_samples`` is not an integer, or ``noise`` not a real number.
    ValueError
        If ``n_samples`` is negative, or ``noise`` is negative or NaN.

    See Also
    --------
    sklearn.datasets.make_moons : the same shapes (labels there: 0 upper, 1 lower).

    Examples
    --------
    >>> from dlref.data import make_moons
    >>> X, y = make_moons(6, seed=1)
    >>> len(X), y
    (6, [1, 1, 1, -1, -1, -1])
    """
    if not _is_integer(n_samples):
        raise TypeError(f"n_samples must be an integer, got {n_samples!r}")
    if not _is_real(noise):
        raise TypeError(f"noise must be a real number, got {noise!r}")
    n_samples, noise = operator.index(n_samples), float(noise)  # NumPy numbers as Python's
    if n_samples < 0:
        raise ValueError(f"n_samples must be a non-negative integer, got {n_samples}")
    if not noise >= 0:
        raise ValueError(f"noise is a standard deviation and must be >= 0, got {noise}")
    rng = random.Random(seed)
    n_up = n_samples - n_samples // 2
    points: list[list[float]] = []
    y: list[int] = []
    for i in range(n_samples):
        t = rng.uniform(0.0, math.pi)
        upper = i < n_up
        px, py = (math.cos(t), math.sin(t)) if upper else (1 - math.cos(t), 0.5 - math.sin(t))
        points.append([px + rng.gauss(0.0, noise), py + rng.gauss(0.0, noise)])
        y.append(1 if upper else -1)
    return points, y
