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
The native environment is `make test`.

pytest compares what a ``pycon`` block prints with the page, but an ``exec="on"`` block's output
is generated, so pytest only checks that it runs. So every build here also records what each
executed block printed (``DLREF_EXEC_RECORD``, written by tools/mkdocs_hooks.py), and each
environment's record is compared with a native build's (:func:`compare_outputs`): the text
must be identical. In a figure, the text (tick labels, legends, alt text) must be identical
too, and the drawing must have the same elements; their coordinates may differ by rounding,
and a figure whose elements moved by more than ``MOVE_PT`` is listed (a figure of per-seed
training results can move a marker, and its page says so).

It exits non-zero if any stage failed in any environment.
"""

from __future__ import annotations

import argparse
import difflib
import itertools
import json
import math
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
X86 = ("x86_64", "amd64", "i386", "i686", "x86")
RESULTS = ROOT / "build" / "numerics"
MOVE_PT = 0.5  # a figure element that moved further than this (SVG units: points) is listed
SVG = re.compile(r"<svg\b.*?</svg>", re.S)
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


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


def _figure(svg: str) -> tuple[list[str], str, list[float], list[str]]:
    """A figure's words (its text elements and its alt text), the shape of its markup with
    every number replaced by ``#``, those numbers (coordinates, sizes, colours) and its lines'
    path data.

    matplotlib names markers and clip paths by a hash of their coordinates: the names are
    replaced by their order of appearance. The path data stay out of the shape: they are
    compared as lines (:func:`_move`).
    """
    words = re.findall(r'aria-label="([^"]*)"', svg)
    words += [t.strip() for t in re.findall(r">([^<]*)<", svg) if t.strip()]
    markup = re.sub(r">[^<]*<", "><", re.sub(r'aria-label="[^"]*"', "", svg))
    for k, name in enumerate(dict.fromkeys(re.findall(r' id="([^"]+)"', markup))):
        markup = re.sub(rf'(id="|#){re.escape(name)}(?=["\)])', rf"\g<1>id{k}", markup)
    paths = re.findall(r' d="([^"]*)"', markup)
    markup = re.sub(r' d="[^"]*"', ' d=""', markup)
    numbers = [float(n) for n in NUMBER.findall(markup)]
    return words, NUMBER.sub("#", markup), numbers, paths


def _points(d: str) -> list[tuple[float, float]]:
    values = [float(n) for n in NUMBER.findall(d)]
    return list(zip(values[::2], values[1::2], strict=False))


def _distance(p: tuple[float, float], line: list[tuple[float, float]]) -> float:
    """From point ``p`` to the nearest point of the polyline ``line``."""
    if len(line) == 1:
        return math.dist(p, line[0])
    best = math.inf
    for (x1, y1), (x2, y2) in itertools.pairwise(line):
        dx, dy = x2 - x1, y2 - y1
        length = dx * dx + dy * dy
        t = (
            0.0
            if length == 0
            else min(1.0, max(0.0, ((p[0] - x1) * dx + (p[1] - y1) * dy) / length))
        )
        best = min(best, math.dist(p, (x1 + t * dx, y1 + t * dy)))
    return best


def _move(
    numbers_a: list[float], numbers_b: list[float], paths_a: list[str], paths_b: list[str]
) -> float:
    """How far the figure's elements moved: the largest difference of a position, and for each
    line, the largest distance from a vertex of one build's line to the other build's line
    (matplotlib's path simplifier keeps other vertices when the data differ in the last bits,
    so vertices are not compared one to one)."""
    move = max((abs(x - y) for x, y in zip(numbers_a, numbers_b, strict=True)), default=0.0)
    for d_a, d_b in zip(paths_a, paths_b, strict=True):
        if d_a != d_b:
            a, b = _points(d_a), _points(d_b)
            if a and b:
                move = max(move, *(_distance(p, b) for p in a), *(_distance(p, a) for p in b))
    return move


def _first_difference(native: str, other: str) -> str:
    """The first line that differs, as the native build printed it and as the other did."""
    lines = list(difflib.unified_diff(native.splitlines(), other.splitlines(), lineterm="", n=0))
    removed = next((x[1:] for x in lines if x[:1] == "-" and not x.startswith("---")), "")
    added = next((x[1:] for x in lines if x[:1] == "+" and not x.startswith("+++")), "")
    return f"native {removed[:200]!r}, here {added[:200]!r}"


def compare_outputs(
    native: list[dict[str, object]], other: list[dict[str, object]]
) -> tuple[list[str], list[str]]:
    """Compare two builds' records of what the executed blocks printed, block by block.

    Returns the differences (the text outside figures, a figure's words or its elements) and
    the figures whose elements moved by more than ``MOVE_PT``; each is one line naming the page
    and the block (its number on the page and its first line).
    """
    differences: list[str] = []
    moved: list[str] = []
    if [(r["page"], r["block"]) for r in native] != [(r["page"], r["block"]) for r in other]:
        return ["the builds executed different blocks"], moved
    for a, b in zip(native, other, strict=True):
        where = f"{a['page']} block {a['block']} ({a['first_line']})"
        out_a, out_b = str(a["output"]), str(b["output"])
        if out_a == out_b:
            continue
        text_a, text_b = SVG.sub("<svg/>", out_a), SVG.sub("<svg/>", out_b)
        if text_a != text_b:
            differences.append(f"{where}: {_first_difference(text_a, text_b)}")
            continue
        for k, (svg_a, svg_b) in enumerate(
            zip(SVG.findall(out_a), SVG.findall(out_b), strict=True)  # as many: same text
        ):
            words_a, shape_a, numbers_a, paths_a = _figure(svg_a)
            words_b, shape_b, numbers_b, paths_b = _figure(svg_b)
            if words_a != words_b:
                pairs = itertools.zip_longest(words_a, words_b, fillvalue="")
                pair = next((x, y) for x, y in pairs if x != y)
                differences.append(f"{where}, figure {k + 1}: text {pair[0]!r} -> {pair[1]!r}")
            elif shape_a != shape_b:
                differences.append(f"{where}, figure {k + 1}: the drawing has other elements")
            else:
                move = _move(numbers_a, numbers_b, paths_a, paths_b)
                if move > MOVE_PT:
                    moved.append(f"{where}, figure {k + 1}: an element moved {move:.1f} pt")
    return differences, moved


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


def _build(name: str, variables: dict[str, str]) -> tuple[bool, float]:
    """A strict build of the site in ``build/numerics/<name>``, recording the block outputs."""
    record = RESULTS / f"{name}.json"
    record.unlink(missing_ok=True)
    build = [str(BIN / "mkdocs"), "build", "--strict", "--site-dir", str(RESULTS / name)]
    return _run(f"{name}: strict build", build, {**variables, "DLREF_EXEC_RECORD": str(record)})


def _record(name: str) -> list[dict[str, object]]:
    """What the executed blocks of build ``name`` printed (written by :func:`_build`)."""
    record: list[dict[str, object]] = json.loads((RESULTS / f"{name}.json").read_text("utf-8"))
    return record


def _compare(name: str, native: list[dict[str, object]]) -> bool:
    """Print how the block outputs of environment ``name`` differ from the native build's."""
    differences, moved = compare_outputs(native, _record(name))
    print(f"\n=== {name}: block outputs compared with the native build's ({len(native)} blocks)")
    for line in differences:
        print(f"  differs: {line}")
    for line in moved:
        print(f"  figure moved (allowed): {line}")
    print(f"=== {name}: block outputs: {'ok' if not differences else 'FAILED'}", flush=True)
    return not differences


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
    # The native build whose block outputs every environment's must equal (its blocks mostly
    # come from the exec cache that `make test` filled).
    native_ok, seconds = _build("native", {})
    results.append(("native", "strict build", native_ok, seconds))
    native_record = _record("native") if native_ok else []
    for e in matrix:
        ok, seconds = _run(f"{e.name}: unit tests, page code, docstrings", pytest, e.variables)
        results.append((e.name, "pytest", ok, seconds))
        ok, seconds = _build(e.name, e.variables)
        results.append((e.name, "strict build", ok, seconds))
        if ok and native_ok:
            results.append((e.name, "block outputs", _compare(e.name, native_record), 0.0))

    print("\nnumerics matrix:")
    for name, stage, ok, seconds in results:
        print(f"  {name:16} {stage:14} {'ok' if ok else 'FAILED':7} {seconds:6.0f} s")
    total = sum(r[3] for r in results)
    failed = [f"{r[0]} ({r[1]})" for r in results if not r[2]]
    print(f"  total {total:.0f} s; " + (f"failed: {', '.join(failed)}" if failed else "all passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
