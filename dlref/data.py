r"""Small data sets made by code, for pages and tests: no download, the same points everywhere.

Each maker is seeded and uses only Python's :mod:`random` and :mod:`math`, so the same seed gives
the same data on every machine (no vectorised random stream whose last bits depend on the CPU).

* :func:`make_moons`: two interleaving half circles, used to train the scalar ``MLP`` of
  :mod:`dlref.autograd` (讲解见站点页面「反向传播」 docs/basics/backpropagation.md).
"""

from __future__ import annotations

import math
import random

__all__ = ["make_moons"]


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
        Random seed: the same seed gives the same points.

    Returns
    -------
    X : list of [float, float]
    y : list of int
        Labels $\pm 1$.

    Raises
    ------
    ValueError
        If ``n_samples`` is negative or ``noise`` is negative.

    See Also
    --------
    sklearn.datasets.make_moons : the same shapes (labels 0/1 there).

    Examples
    --------
    >>> from dlref.data import make_moons
    >>> X, y = make_moons(6, seed=1)
    >>> len(X), y
    (6, [1, 1, 1, -1, -1, -1])
    """
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
