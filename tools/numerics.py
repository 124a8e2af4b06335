"""`make test-numerics`: the checks of `make test` again, in every numeric environment we can make.

    python tools/numerics.py [--list] [--jobs N] [--only NAME ...]

A page may show only what comes out the same on any reader's machine. Readers have other CPU
vendors, SIMD levels and thread counts, and each of these changes the last bits of floating-point
results (measured here; see docs/contributing.md, 「每台机器上都成立」):

- torch compiles its CPU kernels once per instruction set and picks one at start-up;
  ``ATEN_CPU_CAPABILITY`` forces a lower one. ``default`` has no SIMD and no fused multiply-add:
  ``torch.linspace`` rounds twice and float32 ``randn`` draws other numbers from the same seed.
  Every other level this CPU supports is run too (on an AVX-512 machine: ``avx2``).
- ``OMP_NUM_THREADS=2`` splits reductions and matrix products differently.
- ``MKL_CBWR=COMPATIBLE`` makes MKL (torch's BLAS on x86) take its generic code path, which sums
  a matrix product in another order: a stand-in for the other MKL paths of other CPUs (an Intel
  CPU with AVX-512 takes one we cannot run here).

For each environment this runs the unit tests, every page block and every docstring example
(pytest, as `make test` does) and a strict build of the site, and prints one line per stage.
It exits non-zero if any stage failed in any environment. The native environment is `make test`.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
X86 = ("x86_64", "amd64", "i386", "i686", "x86")


@dataclass(frozen=True)
class Environment:
    name: str
    variables: dict[str, str]
    why: str


def _capability(variables: dict[str, str]) -> str:
    """The kernel torch picks in a fresh process with ``variables`` set."""
    code = "import torch; print(torch.backends.cpu.get_cpu_capability())"
    env = {**os.environ, **variables}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def environments(native: str) -> list[Environment]:
    """The matrix for this machine, whose own kernels are ``native``: each environment here
    changes some result."""
    found: list[Environment] = []
    if platform.machine().lower() in X86:
        # The x86 levels, lowest first. A CPU runs every level up to its own (the native one);
        # torch accepts a higher one without checking the CPU, so only the lower ones are run.
        levels = ["default", "avx2", "avx512"]
        below = levels[: levels.index(native.lower())] if native.lower() in levels else []
        for level in below:
            why = (
                "torch's kernels without SIMD and without fused multiply-add"
                if level == "default"
                else f"torch's {level.upper()} kernels (this CPU's own are {native})"
            )
            found.append(Environment(f"aten-{level}", {"ATEN_CPU_CAPABILITY": level}, why))
        found.append(
            Environment(
                "mkl-compatible",
                {"MKL_CBWR": "COMPATIBLE"},
                "MKL's generic code path: matrix products summed in another order",
            )
        )
    found.append(
        Environment(
            "threads-2", {"OMP_NUM_THREADS": "2"}, "two intra-op threads split the reductions"
        )
    )
    return found


def _run(label: str, command: list[str], variables: dict[str, str]) -> tuple[bool, float]:
    print(f"\n=== {label}", flush=True)
    start = time.monotonic()
    # DLREF_REUSE=0: every check runs here. The stored passes (tests/reuse.py) are keyed by the
    # numeric settings too, but this matrix exists to run the checks, never to report old ones.
    env = {**os.environ, **variables, "DLREF_REUSE": "0"}
    status = subprocess.run(command, cwd=ROOT, env=env).returncode
    seconds = time.monotonic() - start
    print(f"=== {label}: {'ok' if status == 0 else 'FAILED'} in {seconds:.0f} s", flush=True)
    return status == 0, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--list", action="store_true", help="print the matrix and exit")
    parser.add_argument("--jobs", type=int, default=2, help="pytest-xdist workers")
    parser.add_argument("--only", nargs="*", help="names of the environments to run")
    args = parser.parse_args()

    native = _capability({})
    matrix = environments(native)
    if args.only:
        unknown = sorted(set(args.only) - {e.name for e in matrix})
        if unknown:
            names = ", ".join(e.name for e in matrix)
            parser.error(f"no environment {', '.join(unknown)} here (this machine has {names})")
        matrix = [e for e in matrix if e.name in args.only]
    threads = os.environ.get("OMP_NUM_THREADS", "unset")
    print(f"native: torch's {native} kernels, OMP_NUM_THREADS={threads} (make test sets 1)")
    for e in matrix:
        settings = " ".join(f"{k}={v}" for k, v in e.variables.items())
        print(f"{e.name}: {settings} ({e.why})")
    if args.list:
        return 0

    pytest = [str(BIN / "python"), "-m", "pytest", "-q", "--ignore=tests/site"]
    if args.jobs > 1:
        pytest += ["-n", str(args.jobs), "--dist", "loadfile"]
    results: list[tuple[str, str, bool, float]] = []
    for e in matrix:
        ok, seconds = _run(f"{e.name}: unit tests, page code, docstrings", pytest, e.variables)
        results.append((e.name, "pytest", ok, seconds))
        site = ROOT / "build" / "numerics" / e.name
        build = [str(BIN / "mkdocs"), "build", "--strict", "--site-dir", str(site)]
        ok, seconds = _run(f"{e.name}: strict build", build, e.variables)
        results.append((e.name, "strict build", ok, seconds))

    print("\nnumerics matrix:")
    for name, stage, ok, seconds in results:
        print(f"  {name:16} {stage:13} {'ok' if ok else 'FAILED':7} {seconds:6.0f} s")
    total = sum(r[3] for r in results)
    failed = [f"{r[0]} ({r[1]})" for r in results if not r[2]]
    print(f"  total {total:.0f} s; " + (f"failed: {', '.join(failed)}" if failed else "all passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
