"""tests/reuse.py never reports a stale pass: a page's stored pass is reused only while the page,
the files its code read, dlref, the lock files, the test code and the DLREF_* settings are all
unchanged; a failure is never stored; a page is reused whole or run whole; a reused test says so.

Each test runs pytest inside pytest (``pytester``) on a small repository of its own: a page in
``docs/`` collected by sybil, whose code counts its runs in a file outside the repository.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

CONFTEST = """
from sybil import Sybil
from sybil.parsers.markdown import PythonCodeBlockParser

pytest_collect_file = Sybil(
    parsers=[PythonCodeBlockParser()], path="docs", patterns=["*.md"]
).pytest()
"""


def _page(counter: Path, *blocks: str) -> str:
    run = f"open({str(counter)!r}, 'a').write('x')"
    return "\n".join(f"```python\n{run}\n{b}\n```\n" for b in blocks)


@pytest.fixture
def repo(
    pytester: pytest.Pytester,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> pytest.Pytester:
    # These tests are about reuse itself: on, whatever the harness around them set
    # (make test-numerics runs with DLREF_REUSE=0).
    monkeypatch.setenv("DLREF_REUSE", "1")
    monkeypatch.delenv("HYPOTHESIS_PROFILE", raising=False)  # explore turns reuse off
    pytester.makeconftest(CONFTEST)
    (pytester.path / "dlref").mkdir()
    (pytester.path / "dlref" / "__init__.py").write_text("VALUE = 1\n")
    (pytester.path / "constraints.txt").write_text("torch==2.13.0\n")
    (pytester.path / "data.txt").write_text("3\n")
    (pytester.path / "docs").mkdir()
    return pytester


def _counter(repo: pytest.Pytester) -> Path:
    return repo.path.parent / f"{repo.path.name}-runs.txt"


def _runs(repo: pytest.Pytester) -> int:
    counter = _counter(repo)
    return len(counter.read_text()) if counter.is_file() else 0


def _run(repo: pytest.Pytester, *args: str) -> pytest.RunResult:
    return repo.runpytest_inprocess("-p", "tests.reuse", "-p", "no:cacheprovider", *args)


def _outcomes(result: pytest.RunResult) -> dict[str, int]:
    counts = result.parseoutcomes()
    return {k: v for k, v in counts.items() if k in ("passed", "failed", "error", "reused")}


def _write_page(repo: pytest.Pytester, *blocks: str) -> None:
    (repo.path / "docs" / "page.md").write_text(_page(_counter(repo), *blocks))


def test_an_unchanged_page_is_reused_and_says_so(repo: pytest.Pytester) -> None:
    _write_page(repo, "x = 2", "assert x == 2")
    assert _outcomes(_run(repo)) == {"passed": 2}
    assert _runs(repo) == 2
    again = _run(repo, "-v")
    assert _outcomes(again) == {"reused": 2}
    assert _runs(repo) == 2, "a reused page ran its code"
    again.stdout.fnmatch_lines(["*REUSED*", "*2 tests reused a stored pass*"])


def test_hypothesis_explore_profile_reuses_nothing(
    repo: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under HYPOTHESIS_PROFILE=explore every run draws new examples: a stored pass of the
    same sources says nothing about them, so every test runs."""
    _write_page(repo, "x = 2", "assert x == 2")
    assert _outcomes(_run(repo)) == {"passed": 2}
    monkeypatch.setenv("HYPOTHESIS_PROFILE", "explore")
    for _ in range(2):  # the second explore run has the same key as the first
        assert _outcomes(_run(repo)) == {"passed": 2}
    assert _runs(repo) == 6


def test_a_changed_page_runs_again(repo: pytest.Pytester) -> None:
    _write_page(repo, "x = 2", "assert x == 2")
    assert _outcomes(_run(repo)) == {"passed": 2}
    _write_page(repo, "x = 2", "assert x == 2", "y = 1")
    assert _outcomes(_run(repo)) == {"passed": 3}
    assert _runs(repo) == 5


def test_a_changed_file_the_code_read_runs_it_again(repo: pytest.Pytester) -> None:
    read = f"n = int(open({str(repo.path / 'data.txt')!r}).read())"
    _write_page(repo, read, "assert n == 3")
    assert _outcomes(_run(repo)) == {"passed": 2}
    assert _outcomes(_run(repo)) == {"reused": 2}
    (repo.path / "data.txt").write_text("4\n")
    assert _outcomes(_run(repo)) == {"passed": 1, "failed": 1}  # it really ran: the file says 4 now


CHANGES = ["dlref", "lock file", "test code", "DLREF setting", "numerics setting"]


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_in_what_every_test_depends_on_runs_it_again(
    repo: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    _write_page(repo, "x = 2")
    assert _outcomes(_run(repo)) == {"passed": 1}
    assert _outcomes(_run(repo)) == {"reused": 1}
    if change == "dlref":
        (repo.path / "dlref" / "__init__.py").write_text("VALUE = 2\n")
    elif change == "lock file":
        (repo.path / "constraints.txt").write_text("torch==2.13.1\n")
    elif change == "test code":
        repo.makeconftest(CONFTEST + "\n# changed\n")
    elif change == "DLREF setting":
        monkeypatch.setenv("DLREF_SOMETHING", "1")
    else:
        monkeypatch.setenv("OMP_NUM_THREADS", "7")
    assert _outcomes(_run(repo)) == {"passed": 1}
    assert _runs(repo) == 2


def test_a_failure_is_never_stored_and_a_page_runs_whole(repo: pytest.Pytester) -> None:
    _write_page(repo, "x = 2", "assert x == 3")
    assert _outcomes(_run(repo)) == {"passed": 1, "failed": 1}
    # The first block passed, but its page is not reused while another block has no pass.
    assert _outcomes(_run(repo)) == {"passed": 1, "failed": 1}
    assert _runs(repo) == 4


@pytest.mark.parametrize(
    ("name", "first", "then"),
    [
        # `make test` sets its start time: a new value every run.
        ("DLREF_STAGE_T0", "1.0", "2.0"),
        # `.ci/run` with CI=true sets it, a developer's `make test` does not: a run after CI's
        # run in the same clone reused nothing before it was a harness setting.
        ("DLREF_REQUIRE_BROWSER", "1", None),
    ],
)
def test_the_harness_settings_are_not_inputs(
    repo: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    first: str,
    then: str | None,
) -> None:
    _write_page(repo, "x = 2")
    monkeypatch.setenv(name, first)
    assert _outcomes(_run(repo)) == {"passed": 1}
    if then is None:
        monkeypatch.delenv(name)
    else:
        monkeypatch.setenv(name, then)
    assert _outcomes(_run(repo)) == {"reused": 1}
    assert _runs(repo) == 1


def test_reuse_can_be_switched_off(repo: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    _write_page(repo, "x = 2")
    assert _outcomes(_run(repo)) == {"passed": 1}
    assert _outcomes(_run(repo, "--no-reuse")) == {"passed": 1}
    monkeypatch.setenv("DLREF_REUSE", "0")
    assert _outcomes(_run(repo)) == {"passed": 1}
    assert _runs(repo) == 3


def test_a_test_outside_the_reused_kinds_runs_every_time(repo: pytest.Pytester) -> None:
    repo.makepyfile(test_plain="def test_plain():\n    pass\n")
    _write_page(repo, "x = 2")
    assert _outcomes(_run(repo)) == {"passed": 2}
    assert _outcomes(_run(repo)) == {"passed": 1, "reused": 1}


def test_a_unit_test_reruns_when_any_file_of_the_working_tree_changes(
    repo: pytest.Pytester,
) -> None:
    """A unit test in tests/ may list folders: a new file anywhere is a change for it."""
    (repo.path / "tests").mkdir()
    counter = _counter(repo)
    (repo.path / "tests" / "test_unit.py").write_text(
        f"def test_unit():\n    open({str(counter)!r}, 'a').write('x')\n"
    )
    (repo.path / ".gitignore").write_text("build/\n__pycache__/\n")  # as the repository's
    subprocess.run(["git", "init", "-q", str(repo.path)], check=True)
    assert _outcomes(_run(repo)) == {"passed": 1}
    assert _outcomes(_run(repo)) == {"reused": 1}
    (repo.path / "docs" / "new.md").write_text("# 新页\n")
    assert _outcomes(_run(repo)) == {"passed": 1}
    assert _runs(repo) == 2
