"""bench/run.py and bench/peers.py: the peers compute what the book's code computes, every case
runs on every side and agrees, the noise rule, and the committed results file is not stale.
Timings are never asserted."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from types import ModuleType

import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench() -> tuple[ModuleType, ModuleType]:
    sys.path.insert(0, str(ROOT / "bench"))  # the scripts import their neighbours by name
    try:
        import peers
        import run
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return run, peers


def test_peers_compute_the_book_formulas(bench: tuple[ModuleType, ModuleType]) -> None:
    _, peers = bench
    torch.manual_seed(0)
    x = torch.randn(4, 5, dtype=torch.float64)
    y = torch.randint(0, 5, (4,))
    torch.testing.assert_close(peers.softmax(x), torch.softmax(x, 1))
    torch.testing.assert_close(
        peers.cross_entropy(peers.softmax(x), y),
        torch.nn.functional.cross_entropy(x, y, reduction="none"),
    )
    torch.testing.assert_close(peers.relu(x), torch.relu(x))
    torch.testing.assert_close(peers.sigmoid(x), torch.sigmoid(x))
    torch.testing.assert_close(peers.squared_loss(x, x.flip(0)), (x - x.flip(0)) ** 2 / 2)
    assert peers.dropout_layer(x, 0) is x
    assert torch.equal(peers.dropout_layer(x, 1), torch.zeros_like(x))
    kept = peers.dropout_layer(torch.ones(10_000, dtype=torch.float64), 0.5)
    assert set(kept.unique().tolist()) <= {0.0, 2.0}


def test_rnn_scratch_equals_torch_rnn_with_the_same_weights(
    bench: tuple[ModuleType, ModuleType],
) -> None:
    _, peers = bench
    torch.manual_seed(0)
    ref = torch.nn.RNN(3, 4)
    scratch = peers.RNNScratch(3, 4).load_from(ref)
    x = torch.randn(5, 2, 3)
    outputs, state = scratch(x)
    expected, h_n = ref(x)
    torch.testing.assert_close(torch.stack(outputs), expected)
    torch.testing.assert_close(state, h_n[0])


def test_peer_softmax_overflows_where_torch_does_not(
    bench: tuple[ModuleType, ModuleType],
) -> None:
    """What the performance page shows: exp of a float32 logit above ~88.7 is inf."""
    _, peers = bench
    z = torch.tensor([[0.0, 1000.0]])
    assert torch.isnan(peers.softmax(z)).any()
    torch.testing.assert_close(torch.softmax(z, 1), torch.tensor([[0.0, 1.0]]))


def test_every_case_runs_on_every_side_and_agrees(bench: tuple[ModuleType, ModuleType]) -> None:
    run, _ = bench
    cases = run.all_cases()
    names = {c.name for c in cases}
    assert {"sigmoid", "relu", "softmax", "cross_entropy", "mse_loss", "rnn_1layer"} <= names
    for case in cases:
        inputs = case.make_inputs()
        if case.name != "dropout":  # dropout draws a random mask: its tests are elsewhere
            expected = case.theirs(*inputs)
            torch.testing.assert_close(case.ours(*inputs), expected, rtol=1e-4, atol=1e-5)
        if case.peer is not None and case.name != "dropout":
            # The book's squared loss carries a factor 1/2.
            scale = 2.0 if case.name == "mse_loss" else 1.0
            got = case.peer(*inputs) * scale
            torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-5)
        for side, step in run.case_steps(case, inputs).items():
            step()  # forward and backward run
            assert inputs[0].grad is not None, (case.name, side)


def test_verdicts_follow_the_noise_rule(bench: tuple[ModuleType, ModuleType]) -> None:
    run, _ = bench
    assert run.verdict(0.7, 0.1, 0.8) == "met"  # 0.77 ≤ 0.8
    assert run.verdict(0.75, 0.1, 0.8) == "within noise"  # 0.825 > 0.8 ≥ 0.68
    assert run.verdict(0.95, 0.1, 0.8) == "missed"  # 0.86 > 0.8
    assert run.verdict(3.0, 0.1, None) is None
    c = run.comparison([0.9, 1.0, 1.1], [1.0, 1.02, 0.98], 1.05)
    assert c["ratio"] == 1.0
    assert c["noise"] == pytest.approx(1 / 0.9 - 1)  # the spread beats the A/A control
    assert c["verdict"] == "within noise"


def test_combine_takes_medians_over_processes(bench: tuple[ModuleType, ModuleType]) -> None:
    run, _ = bench

    def row(dlref: float, peer: float) -> dict[str, object]:
        seconds = {"dlref": dlref, "peer": peer, "torch": 1.0, "torch_again": 1.0}
        return {"name": "relu", "group": "elementwise", "seconds": seconds, "torch_target": None}

    rows, summary = run.combine([[row(0.5, 1.0)], [row(0.6, 1.0)], [row(0.7, 1.0)]])
    assert rows[0]["vs_peer"]["ratio"] == 0.6
    assert rows[0]["vs_peer"]["verdict"] == "met"  # 0.7 ≤ 1.0 in every process
    assert rows[0]["seconds"]["dlref"] == 0.6
    assert summary["peer_geometric_mean"]["ratio"] == pytest.approx(0.6)
    # The widest distance from the median, as a factor: 0.6 / 0.5.
    assert math.isclose(summary["peer_geometric_mean"]["noise"], 0.6 / 0.5 - 1)


def _keys(data: object) -> object:
    if isinstance(data, dict):
        return sorted(data)
    return type(data).__name__


def test_committed_results_have_every_case_and_field(bench: tuple[ModuleType, ModuleType]) -> None:
    """bench/results.json was written by this script: same cases, same fields."""
    run, _ = bench
    results = json.loads((ROOT / "bench/results.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in results["rows"]] == [c.name for c in run.all_cases()]
    for r in results["rows"]:
        assert len(r["runs"]) == results["processes"]
        assert r["vs_torch"]["verdict"] in (None, "met", "missed", "within noise")
        assert (r["vs_peer"] is None) == (r["name"] not in results["summary"]["peer_cases"])
    assert {r["name"] for r in results["sweep"]} == set(run.SWEEP_OPS)
    assert [r["n"] for r in results["one_pass"]] == list(run.PASS_SIZES)
    assert [p["name"] for p in results["primitives"]] == list(run.PRIMITIVES)
