"""dlref.data: the data makers are seeded, exact and check their arguments."""

from __future__ import annotations

import math

import pytest

import dlref.autograd
from dlref.data import make_moons


def test_make_moons() -> None:
    X, y = make_moons(101, noise=0.0, seed=5)
    assert len(X) == 101 and all(len(p) == 2 for p in X)
    assert y.count(1) == 51 and y.count(-1) == 50
    assert make_moons(101, noise=0.0, seed=5) == (X, y)
    upper = [p for p, label in zip(X, y, strict=True) if label == 1]
    lower = [p for p, label in zip(X, y, strict=True) if label == -1]
    assert all(p[0] ** 2 + p[1] ** 2 == pytest.approx(1.0) for p in upper)  # on the circle
    assert all((1 - p[0]) ** 2 + (0.5 - p[1]) ** 2 == pytest.approx(1.0) for p in lower)
    assert all(0.0 <= p[1] <= 1.0 for p in upper) and all(-0.5 <= p[1] <= 0.5 for p in lower)


def test_noise_has_the_requested_spread() -> None:
    X0, _ = make_moons(2000, noise=0.0, seed=1)
    X1, _ = make_moons(2000, noise=0.1, seed=1)
    # Not the same draws of t (the noise consumes the stream too): compare the distance to the
    # circle of the upper moon, whose spread is about the noise's standard deviation.
    radial = [math.hypot(x, y) - 1 for x, y in X1[:1000]]
    mean = sum(radial) / len(radial)
    sd = math.sqrt(sum((r - mean) ** 2 for r in radial) / len(radial))
    assert 0.08 < sd < 0.12
    assert all(abs(math.hypot(x, y) - 1) < 1e-12 for x, y in X0[:1000])


def test_empty_and_errors() -> None:
    assert make_moons(0) == ([], [])
    with pytest.raises(ValueError, match="n_samples must be a non-negative integer, got -1"):
        make_moons(-1)
    with pytest.raises(ValueError, match="noise is a standard deviation"):
        make_moons(10, noise=-0.1)


def test_autograd_keeps_the_name() -> None:
    assert dlref.autograd.make_moons is make_moons
