"""Cost of dlref.autograd: forward and backward at growing graph sizes, and one MLP training step.

Measures

1. the time to build a graph (forward) and to run ``backward()`` on it, for a deep chain and a
   wide graph of 1e3, 1e4 and 1e5 operations, and the time per node, which stays flat when the
   cost is linear in the number of nodes;
2. one training step of a 2-16-16-1 MLP on 100 two-moons points with the hinge loss: forward,
   ``zero_grad``, ``backward`` (and the part of it that is the topological order), update and
   freeing the graph; and the same step with Python's cyclic garbage collector running, as in
   a plain training loop;
3. a cProfile summary of that step: the functions with the largest cumulative and own times,
   with the current ``Value.backward`` and with the one before the change below.

Each time is the smallest CPU time (``time.process_time``) of ``--repeat`` runs with the cyclic
garbage collector paused, as :mod:`timeit` does: on a shared machine the CPU time of the best run
is the least disturbed estimate. Numbers depend on the machine; they never go into tests.

The change this benchmark's profile led to stays measurable: ``backward_before`` is
``Value.backward`` as it was before (``zip(..., strict=True)``), timed next to the current one,
and the cost of one ``zip`` call with and without ``strict=True`` is measured on its own.

Prints Markdown tables and writes ``bench/autograd.json``, from which the 「反向传播」 page
(docs/basics/backpropagation.md) renders its section on the cost.

Usage::

    python bench/bench_autograd.py [--repeat 10] [--no-save]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import platform
import sys
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dlref.autograd import MLP, Value
from dlref.data import make_moons

SIZES = (1_000, 10_000, 100_000)
LAYERS = (2, 16, 16, 1)
POINTS = 100
OUT = Path(__file__).with_name("autograd.json")


# ---- graphs ------------------------------------------------------------------------------------


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


def size_of(root: Value) -> tuple[int, int]:
    """Number of nodes and of edges (input references) of the graph that ``root`` depends on."""
    order = root.topological_order()
    return len(order), sum(len(node._prev) for node in order)


def backward_before(root: Value) -> None:
    """``Value.backward`` before this benchmark's profile: the same loop, ``strict=True`` zip."""
    order = root.topological_order()
    upstream: dict[Value, float] = {root: 1.0}
    for node in reversed(order):
        g = upstream.pop(node)
        node.grad += g
        for child, local in zip(node._prev, node._local, strict=True):
            upstream[child] = upstream.get(child, 0.0) + local * g


# ---- timing ------------------------------------------------------------------------------------


def best_times(fns: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Smallest CPU time of each function over ``repeat`` interleaved rounds, collector paused.

    The functions take turns (in alternating order) so that all see the same machine load.
    """
    times: dict[str, list[float]] = {name: [] for name in fns}
    for r in range(repeat):
        for name in list(fns) if r % 2 == 0 else list(reversed(fns)):
            gc.collect()
            gc.disable()
            try:
                t0 = time.process_time()
                result = fns[name]()
                times[name].append(time.process_time() - t0)
                del result  # a graph is freed outside the timed region
            finally:
                gc.enable()
    return {name: min(values) for name, values in times.items()}


def zip_call_ns(repeat: int) -> dict[str, float]:
    """Nanoseconds per ``zip`` call over two 2-tuples (one node's inputs and local derivatives),
    iterated: with positional arguments only, and with ``strict=True``."""
    setup = "a, b = (1, 2), (3.0, 4.0)"
    statements = {
        "positional": "for x, y in zip(a, b): pass",
        "strict": "for x, y in zip(a, b, strict=True): pass",
    }
    number = 200_000
    best = {}
    for name, stmt in statements.items():  # timeit pauses the garbage collector itself
        runs = timeit.Timer(stmt, setup, time.process_time).repeat(repeat, number)
        best[name] = min(runs) / number * 1e9
    return best


def graph_rows(repeat: int, sizes: tuple[int, ...]) -> list[dict[str, Any]]:
    """Forward and backward of the chain and the wide graph at each size."""
    rows = []
    for name, build in (("chain", chain), ("wide", wide)):
        for n in sizes:
            _, out = build(n)
            nodes, edges = size_of(out)
            t = best_times(
                {
                    "forward": lambda b=build, n=n: b(n),
                    "backward": out.backward,
                    "backward_before": lambda out=out: backward_before(out),
                },
                repeat,
            )
            rows.append(
                {
                    "graph": name,
                    "operations": n,
                    "nodes": nodes,
                    "edges": edges,
                    "forward_s": t["forward"],
                    "backward_s": t["backward"],
                    "backward_before_s": t["backward_before"],
                    "forward_per_node_us": t["forward"] / nodes * 1e6,
                    "backward_per_node_us": t["backward"] / nodes * 1e6,
                }
            )
    return rows


# ---- the MLP training step ---------------------------------------------------------------------


class Step:
    """One training step of the MLP on the two-moons points, and its parts."""

    def __init__(self) -> None:
        self.points, self.y = make_moons(POINTS, noise=0.1, seed=0)
        self.model = MLP(LAYERS[0], LAYERS[1:], seed=0)

    def forward(self) -> Value:
        """The mean hinge loss over all points: builds the graph."""
        model = self.model
        pairs = zip(self.points, self.y, strict=True)
        losses = [(1.0 - yi * model(xi)[0]).relu() for xi, yi in pairs]
        return sum(losses, Value(0.0)) / len(losses)

    def update(self) -> None:
        for p in self.model.parameters():
            p.data -= 0.05 * p.grad

    def __call__(self, backward: Callable[[Value], None] = Value.backward) -> None:
        loss = self.forward()
        self.model.zero_grad()
        backward(loss)
        self.update()
        # Returning frees the graph (reference counting), part of the step.


def same_graph(step: Step, repeat: int) -> tuple[int, int, dict[str, float]]:
    """Nodes and edges of one step's graph, and on that graph, differentiated again and again:
    the current backward, the old one, and the topological order alone."""
    loss = step.forward()
    nodes, edges = size_of(loss)
    times = best_times(
        {
            "backward": loss.backward,
            "backward_before": lambda: backward_before(loss),
            "topological_order": loss.topological_order,
        },
        repeat,
    )
    return nodes, edges, times


def gc_steps(step: Step, repeat: int, *, freeze: bool) -> dict[str, Any]:
    """Whole steps with the cyclic garbage collector on: the fastest, its collections, their time.

    With ``freeze``, ``gc.freeze()`` first moves every object alive now (the imported modules,
    the model, the data) to a generation the collector never examines.
    """
    collections = [0, 0, 0]  # per generation: young (0), middle (1), full collections (2)
    seconds = [0.0, 0.0, 0.0]
    started = [0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.process_time()
        else:
            collections[info["generation"]] += 1
            seconds[info["generation"]] += time.process_time() - started[0]

    best: dict[str, Any] = {}
    for _ in range(repeat):
        gc.collect()
        tracked = len(gc.get_objects())  # what a full collection walks, besides the new graph
        if freeze:
            gc.freeze()
        collections[:], seconds[:] = [0, 0, 0], [0.0, 0.0, 0.0]
        gc.callbacks.append(on_gc)
        try:
            t0 = time.process_time()
            step()
            total = time.process_time() - t0
        finally:
            gc.callbacks.remove(on_gc)
            gc.unfreeze()
        if not best or total < best["step_s"]:
            best = {
                "step_s": total,
                "gc_s": sum(seconds),
                "gc_s_by_generation": list(seconds),
                "collections": list(collections),
                "objects_before": tracked,
            }
    return best


PARTS = ("forward", "zero_grad", "backward", "update", "free")


def mlp_step(step: Step, repeat: int) -> dict[str, Any]:
    """The fastest time of each part of the step (the collector paused) and their sum, then the
    measurements above."""
    parts: dict[str, list[float]] = {name: [] for name in PARTS}
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        t0 = time.process_time()
        loss = step.forward()
        t1 = time.process_time()
        step.model.zero_grad()
        t2 = time.process_time()
        loss.backward()
        t3 = time.process_time()
        step.update()
        t4 = time.process_time()
        del loss  # the last reference: reference counting frees every node now
        t5 = time.process_time()
        gc.enable()
        for name, t in zip(PARTS, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=True):
            parts[name].append(t)
    best = {f"{name}_s": min(values) for name, values in parts.items()}
    # The graph has no reference cycles (a node refers to its inputs only), so reference counting
    # frees all of it: a full collection right after a step finds nothing to collect.
    gc.collect()
    gc.disable()
    step()
    garbage = gc.collect()
    gc.enable()
    nodes, edges, same = same_graph(step, repeat)
    return {
        "layers": list(LAYERS),
        "parameters": len(step.model.parameters()),
        "points": POINTS,
        "nodes": nodes,
        "edges": edges,
        **best,
        "step_s": sum(best.values()),
        "same_graph_backward_s": same["backward"],
        "same_graph_backward_before_s": same["backward_before"],
        "topological_order_s": same["topological_order"],
        "garbage_after_step": garbage,
        "with_gc": gc_steps(step, repeat, freeze=False),
        "with_gc_frozen": gc_steps(step, repeat, freeze=True),
    }


def profiles(step: Step, runs: int) -> dict[str, dict[str, Any]]:
    """cProfile of one step with the current and with the old backward (collector paused): the
    12 largest cumulative and own times of each.

    cProfile's default clock is wall time: a Python clock function such as ``time.process_time``
    would be called twice per profiled call and make the profile five times slower still. So the
    two take turns for ``runs`` rounds and the least disturbed (fastest) profile of each is kept.
    The times are inflated by the profiler's own cost per call: they show where the time goes;
    how much it is comes from the timings above.
    """
    backwards: dict[str, Callable[[Value], None]] = {
        "after": Value.backward,
        "before": backward_before,
    }
    best: dict[str, tuple[float, cProfile.Profile]] = {}
    step()  # warm up
    for _ in range(runs):
        for key, backward in backwards.items():
            profiler = cProfile.Profile()
            gc.collect()
            gc.disable()
            try:
                t0 = time.perf_counter()
                profiler.runcall(step, backward)
                total = time.perf_counter() - t0
            finally:
                gc.enable()
            if key not in best or total < best[key][0]:
                best[key] = (total, profiler)
    return {key: summary(profiler) for key, (_, profiler) in best.items()}


def summary(profiler: cProfile.Profile) -> dict[str, Any]:
    """The total and the 12 largest cumulative and own times of a profile."""
    entries = []
    for e in profiler.getstats():  # cProfile's raw records: code object, calls, times
        code = e.code
        if isinstance(code, str):  # a built-in function: its description
            name = code
        else:
            name = f"{Path(code.co_filename).name}: {code.co_qualname}"
        entries.append(
            {
                "function": name,
                "calls": e.callcount,
                "own_s": e.inlinetime,
                "cumulative_s": e.totaltime,
            }
        )
    by_own = sorted(entries, key=lambda r: r["own_s"], reverse=True)
    entries.sort(key=lambda r: r["cumulative_s"], reverse=True)
    return {
        "total_s": entries[0]["cumulative_s"],
        "by_cumulative": entries[:12],
        "by_own": by_own[:12],
    }


# ---- output ------------------------------------------------------------------------------------


def print_tables(results: dict[str, Any]) -> None:
    print(f"Python {results['python']}, recursion limit {sys.getrecursionlimit()}\n")
    print(
        "| graph | operations | nodes | forward (ms) | backward (ms) | before (ms) "
        "| backward per node (µs) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results["graphs"]:
        print(
            f"| {r['graph']} | {r['operations']:,} | {r['nodes']:,} | {r['forward_s'] * 1e3:.1f} "
            f"| {r['backward_s'] * 1e3:.1f} | {r['backward_before_s'] * 1e3:.1f} "
            f"| {r['backward_per_node_us']:.2f} |"
        )
    z = results["zip_call_ns"]
    print(f"\nzip over two pairs: {z['positional']:.0f} ns, with strict=True {z['strict']:.0f} ns")
    s = results["mlp_step"]
    layers = "-".join(map(str, s["layers"]))
    print(
        f"\nOne training step, MLP {layers} ({s['parameters']} parameters), {s['points']} points,"
    )
    print(f"hinge loss: a graph of {s['nodes']:,} nodes and {s['edges']:,} edges.\n")
    print("| forward (ms) | zero_grad (ms) | backward (ms) | update (ms) | free (ms) | step (ms) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    ms = {k: s[f"{k}_s"] * 1e3 for k in (*PARTS, "step")}
    print(
        f"| {ms['forward']:.1f} | {ms['zero_grad']:.2f} | {ms['backward']:.1f} "
        f"| {ms['update']:.2f} | {ms['free']:.1f} | {ms['step']:.1f} |"
    )
    print(
        f"\nOn one graph: backward {s['same_graph_backward_s'] * 1e3:.1f} ms "
        f"(before: {s['same_graph_backward_before_s'] * 1e3:.1f} ms), "
        f"of which the topological order {s['topological_order_s'] * 1e3:.1f} ms."
    )
    print(f"A full collection after a step finds {s['garbage_after_step']} unreachable objects.")
    for key, what in (("with_gc", "collector on"), ("with_gc_frozen", "collector on, gc.freeze()")):
        g = s[key]
        print(
            f"Step with the {what}: {g['step_s'] * 1e3:.1f} ms, of which "
            f"{g['gc_s'] * 1e3:.1f} ms in {sum(g['collections'])} collections {g['collections']} "
            f"({', '.join(f'{t * 1e3:.1f}' for t in g['gc_s_by_generation'])} ms), "
            f"{g['objects_before']:,} objects tracked before the step."
        )
    for key in ("after", "before"):
        p = results["profile"][key]
        total = p["total_s"] * 1e3
        print(f"\ncProfile of one step, backward {key}: {total:.1f} ms under the profiler\n")
        print("| function | calls | own (ms) | cumulative (ms) |")
        print("| --- | ---: | ---: | ---: |")
        for e in p["by_cumulative"]:
            print(
                f"| {e['function']} | {e['calls']:,} | {e['own_s'] * 1e3:.1f} "
                f"| {e['cumulative_s'] * 1e3:.1f} |"
            )


def measure(repeat: int, sizes: tuple[int, ...] = SIZES) -> dict[str, Any]:
    """Everything above, as the data written to ``bench/autograd.json``."""
    step = Step()
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "machine": platform.machine(),
        "clock": f"smallest process CPU time of {repeat} runs, garbage collector paused",
        "repeat": repeat,
        "graphs": graph_rows(repeat, sizes),
        "zip_call_ns": zip_call_ns(repeat),
        "mlp_step": mlp_step(step, repeat),
        "profile": profiles(step, repeat),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--no-save", action="store_true", help=f"do not write {OUT.name}")
    args = parser.parse_args()
    results = measure(args.repeat)
    print_tables(results)
    if not args.no_save:
        OUT.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"\nwrote {OUT}")


if __name__ == "__main__":
    main()
