"""tools/audit.py: how a page's Lighthouse runs become its verdict."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from tools.audit import THRESHOLDS, decided, median_run


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


def _stopped_early(scores: tuple[int, ...], runs: int) -> list[int]:
    """The runs tools/audit.py makes when they would score ``scores`` in this order."""
    made: list[int] = []
    for score in scores:
        made.append(score)
        if decided(made, runs):
            break
    return made


@pytest.mark.parametrize("runs", [1, 2, 3, 4, 5, 7])
def test_stopping_once_decided_gives_the_verdict_of_every_run(runs: int) -> None:
    """Every order of runs that meet and miss the threshold (94 and 95 sit on either side of
    it): the median of the runs made early is on the same side as the median of all of them."""
    minimum = THRESHOLDS["performance"]
    for scores in itertools.product((minimum - 1, minimum), repeat=runs):
        made = _stopped_early(scores, runs)
        full = median_run([run(p) for p in scores])["scores"]["performance"] >= minimum
        early = median_run([run(p) for p in made])["scores"]["performance"] >= minimum
        assert early == full, (scores, made)


def test_a_page_that_passes_every_run_takes_three_of_five_and_a_split_one_all_five() -> None:
    assert _stopped_early((99, 97, 98, 99, 99), 5) == [99, 97, 98]
    assert _stopped_early((80, 90, 85, 99, 99), 5) == [80, 90, 85]  # three misses: it fails
    assert _stopped_early((99, 90, 97, 93, 96), 5) == [99, 90, 97, 93, 96]
    assert not decided([99, 99], 5) and decided([99, 99, 95], 5)
