"""tools/audit.py: how a page's Lighthouse runs become its verdict."""

from __future__ import annotations

from typing import Any

from tools.audit import THRESHOLDS, median_run


def run(performance: int, **others: int) -> dict[str, Any]:
    """A summarised run (tools.audit.summarise's shape) with these scores."""
    scores = {"performance": performance, **others}
    failing = {key: [f"{key}-audit"] for key, score in scores.items() if score < 100}
    metrics = {"total-blocking-time": performance}
    return {
        "scores": scores,
        "failing": failing,
        "metrics": metrics,
        "benchmark": 2000 + performance,
    }


def test_the_median_performance_run_is_chosen_and_the_first_run_gives_the_rest() -> None:
    """Five runs, the first with every category: performance is the median run's (its
    metrics too), the other categories are the first run's, failing audits included."""
    first = run(91, accessibility=100, **{"best-practices": 96, "seo": 100})
    runs = [first, run(99), run(97), run(88), run(98)]
    verdict = median_run(runs)
    assert verdict["scores"] == {
        "performance": 97,
        "accessibility": 100,
        "best-practices": 96,
        "seo": 100,
    }
    assert verdict["metrics"] == {"total-blocking-time": 97}
    assert verdict["failing"] == {
        "performance": ["performance-audit"],
        "best-practices": ["best-practices-audit"],
    }
    assert verdict["performance_runs"] == [91, 99, 97, 88, 98]
    assert verdict["benchmark_runs"] == [2000 + p for p in (91, 99, 97, 88, 98)]
    assert set(verdict["scores"]) == set(THRESHOLDS)


def test_an_even_count_takes_the_lower_middle_and_leaves_the_runs_unchanged() -> None:
    runs = [run(90, accessibility=92), run(99), run(94), run(96)]
    verdict = median_run(runs)
    assert verdict["scores"]["performance"] == 94
    assert verdict["scores"]["accessibility"] == 92
    assert verdict["failing"]["accessibility"] == ["accessibility-audit"]
    assert runs[2]["scores"] == {"performance": 94}  # the chosen run itself is not modified
    assert "accessibility" not in runs[2]["failing"]
