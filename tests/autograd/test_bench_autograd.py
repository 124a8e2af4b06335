"""bench/bench_autograd.py: its graphs, its copy of the old backward, and the results file the
「反向传播」 page reads (structure only: timings are never asserted)."""

from __future__ import annotations

import importlib.util
import json
import random
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from dlref.autograd import MLP, Value

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_autograd", ROOT / "bench/bench_autograd.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("n", [1, 2, 7, 64, 1000])
def test_graph_sizes(bench: ModuleType, n: int) -> None:
    x, out = bench.chain(n)
    assert bench.size_of(out) == (2 * n + 1, 2 * n)  # each operation and its constant operand
    out.backward()
    assert x.grad == pytest.approx(1.00001 ** (n // 2))
    x, out = bench.wide(n)
    # x, n constants, n products, n - 1 sums; every product and every sum has two inputs.
    assert bench.size_of(out) == (3 * n, 2 * n + 2 * (n - 1))
    out.backward()
    assert x.grad == sum(range(n))


def test_backward_before_gives_the_same_gradients(bench: ModuleType) -> None:
    """The before/after comparison times the same arithmetic, in the same order."""
    rng = random.Random(0)
    points = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(8)]
    grads = []
    for backward in (Value.backward, bench.backward_before):
        model = MLP(2, [4, 3, 1], seed=1)
        loss = sum(((model(p)[0] - 0.5) ** 2 for p in points), Value(0.0))
        backward(loss)
        backward(loss)  # accumulates the same way too
        grads.append([v.grad for v in loss.topological_order()])
    assert grads[0] == grads[1]
    assert any(g != 0.0 for g in grads[0])


def _shape(data: Any) -> Any:
    """The keys of nested dicts, and the shape of a list's first item."""
    if isinstance(data, dict):
        return {key: _shape(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_shape(data[0])] if data and isinstance(data[0], (dict, list)) else "list"
    return type(data).__name__ if isinstance(data, str) else "number"


def test_results_file_matches_what_the_script_writes(bench: ModuleType) -> None:
    """A small run has the structure of the committed bench/autograd.json: it is not stale."""
    results = bench.measure(repeat=1, sizes=(10, 100))
    committed = json.loads((ROOT / "bench/autograd.json").read_text(encoding="utf-8"))
    assert _shape(results) == _shape(committed)
    assert [(r["graph"], r["operations"]) for r in committed["graphs"]] == [
        (graph, n) for graph in ("chain", "wide") for n in bench.SIZES
    ]
    step = committed["mlp_step"]
    assert (step["nodes"], step["edges"]) == (
        results["mlp_step"]["nodes"],
        results["mlp_step"]["edges"],
    )
    assert step["parameters"] == len(MLP(2, [16, 16, 1]).parameters())
    # The profiles name the two backward functions that the page compares.
    names = {
        key: [e["function"] for e in p["by_cumulative"]] for key, p in committed["profile"].items()
    }
    assert "engine.py: Value.backward" in names["after"]
    assert "bench_autograd.py: backward_before" in names["before"]
    assert "engine.py: Value.backward" not in names["before"]
