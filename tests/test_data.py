"""dlref.data: the data makers are seeded, exact and check their arguments."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

import dlref.autograd
import dlref.data
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
    with pytest.raises(ValueError, match=r"noise is a standard deviation .*, got -0\.1"):
        make_moons(10, noise=-0.1)
    with pytest.raises(ValueError, match=r"noise is a standard deviation .*, got nan"):
        make_moons(10, noise=float("nan"))  # not silently NaN points


def test_autograd_keeps_the_name() -> None:
    assert dlref.autograd.make_moons is make_moons


def test_same_points_without_fma_up_to_the_last_bits() -> None:
    """dlref.data's docstring: with glibc's FMA variants of sin, cos and log turned off, the
    points move in their last bits only (1.1e-16 at most on this machine; where glibc ignores the
    setting, nothing changes)."""
    code = (
        "import importlib.util, json, sys\n"
        "spec = importlib.util.spec_from_file_location('data', sys.argv[1])\n"
        "data = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(data)\n"
        "X, y = data.make_moons(20000, noise=0.1, seed=0)\n"
        "print(json.dumps([[c.hex() for c in p] for p in X] + [y]))\n"
    )
    env = {**os.environ, "GLIBC_TUNABLES": "glibc.cpu.hwcaps=-AVX2,-FMA"}
    path = Path(dlref.data.__file__)
    run = subprocess.run(
        [sys.executable, "-c", code, str(path)], env=env, capture_output=True, text=True, check=True
    )
    *points, labels = json.loads(run.stdout)
    X, y = make_moons(20000, noise=0.1, seed=0)
    assert labels == y
    other = [float.fromhex(c) for p in points for c in p]
    here = [c for p in X for c in p]
    # The last bit or two of what is added up: sin, cos and the offsets are about 1 in size,
    # so the bound is 2 units in the last place (ulp) of 1, or of the coordinate if larger.
    assert all(
        abs(a - b) <= 2 * math.ulp(max(abs(a), 1.0)) for a, b in zip(here, other, strict=True)
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_samples": "10"}, r"n_samples must be an integer, got '10'"),
        ({"n_samples": 10.0}, r"n_samples must be an integer, got 10.0"),
        ({"n_samples": True}, r"n_samples must be an integer, got True"),
        ({"noise": "0.1"}, r"noise must be a real number, got '0.1'"),
        ({"noise": None}, r"noise must be a real number, got None"),
    ],
)
def test_make_moons_names_an_argument_of_the_wrong_type(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        make_moons(**kwargs)  # type: ignore[arg-type]


def test_make_moons_takes_numpy_numbers() -> None:
    np = pytest.importorskip("numpy")
    assert make_moons(np.int64(6), noise=np.float32(0.1)) == make_moons(
        6, noise=float(np.float32(0.1))
    )
