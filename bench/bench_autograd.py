"""Cost of dlref.autograd's backward pass at growing sizes, and of one MLP training step.

Prints Markdown tables: the time to build a graph (forward) and to run ``backward()`` on a deep
chain and on a wide graph of 1e3, 1e4 and 1e5 operations, with the time per node, which stays
flat when the cost is linear; then one training step of a 2-16-16-1 MLP on 100 two-moons points.
Each number is the smallest CPU time (``time.process_time``) of a few runs with the cyclic
garbage collector paused, as :mod:`timeit` does: on a shared machine the CPU time of the best
run is the least disturbed estimate. Numbers depend on the machine; they never go into tests.

Usage::

    python bench/bench_autograd.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable

from dlref.autograd import MLP, Value, make_moons

SIZES = (1_000, 10_000, 100_000)


def chain(n: int) -> tuple[Value, Value]:
    """n operations, each on the previous result: depth n."""
    x = Value(0.5)
    v = x
    for i in range(n):
        v = v * 1.00001 if i % 2 else v + 1.0
    return x, v


def wide(n: int) -> tuple[Value, Value]:
    """n leaves, n products and a pairwise sum of them: width n, depth log2(n)."""
    x = Value(0.5)
    values = [Value(float(k)) * x for k in range(n)]
    while len(values) > 1:
        pairs = [values[k] + values[k + 1] for k in range(0, len(values) - 1, 2)]
        values = pairs + ([values[-1]] if len(values) % 2 else [])
    return x, values[0]


def best_time(fn: Callable[[], object], repeat: int) -> float:
    """Smallest CPU time of ``repeat`` calls, garbage collector paused."""
    times = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            t0 = time.process_time()
            fn()
            times.append(time.process_time() - t0)
        finally:
            gc.enable()
    return min(times)


def graph_table(repeat: int) -> None:
    print("| graph | operations | nodes | forward (ms) | backward (ms) | backward per node (µs) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, build in (("chain", chain), ("wide", wide)):
        for n in SIZES:
            forward = best_time(lambda b=build, n=n: b(n), repeat)
            _, out = build(n)
            nodes = len(out.topological_order())
            backward = best_time(out.backward, repeat)
            print(
                f"| {name} | {n:,} | {nodes:,} | {forward * 1e3:.1f} | {backward * 1e3:.1f} "
                f"| {backward / nodes * 1e6:.2f} |"
            )


def mlp_step_table(repeat: int) -> None:
    points, y = make_moons(100, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1], seed=0)

    def forward() -> Value:
        losses = [(1.0 - yi * model(xi)[0]).relu() for xi, yi in zip(points, y, strict=True)]
        return sum(losses, Value(0.0)) / len(losses)

    def update() -> None:
        for p in model.parameters():
            p.data -= 0.05 * p.grad

    f, b, u = [], [], []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        t0 = time.process_time()
        loss = forward()
        t1 = time.process_time()
        model.zero_grad()
        loss.backward()
        t2 = time.process_time()
        update()
        t3 = time.process_time()
        gc.enable()
        f.append(t1 - t0)
        b.append(t2 - t1)
        u.append(t3 - t2)
    nodes = len(loss.topological_order())
    fm, bm, um = (min(v) * 1e3 for v in (f, b, u))
    print(f"\nOne training step, MLP 2-16-16-1 ({len(model.parameters())} parameters), 100 points,")
    print(f"hinge loss: a graph of {nodes:,} nodes.\n")
    print("| forward (ms) | zero_grad + backward (ms) | update (ms) | step (ms) |")
    print("| ---: | ---: | ---: | ---: |")
    print(f"| {fm:.1f} | {bm:.1f} | {um:.2f} | {fm + bm + um:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, recursion limit {sys.getrecursionlimit()}\n")
    graph_table(args.repeat)
    mlp_step_table(args.repeat)


if __name__ == "__main__":
    main()
