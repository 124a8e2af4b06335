"""tools/exec_cache.py never serves stale output: a block's stored output is used only while
the block, every block before it on its page, the files it read, dlref's sources, the lock files
and the numerics settings are all unchanged; otherwise the block (and what follows) runs again.

These tests drive the cache with markdown-exec's own Python runner, as a build does, on a small
repository of their own (a ``dlref/`` folder, lock files and a data file in ``tmp_path``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from markdown_exec._internal.formatters.base import ExecutionError

from tools import exec_cache
from tools.exec_cache import ExecCache, fingerprint

Page = list[tuple[str, str]]  # (code, session)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "dlref").mkdir(parents=True)
    (root / "dlref" / "__init__.py").write_text("VALUE = 1\n")
    (root / "constraints.txt").write_text("torch==2.13.0\n")
    (root / "package-lock.json").write_text("{}\n")
    (root / "data.txt").write_text("3\n")
    return root


class Build:
    """One build's worth of pages through a fresh :class:`ExecCache` (a new process would do
    the same: everything the cache knows is on disk)."""

    def __init__(self, repo: Path, cache_dir: Path) -> None:
        from markdown_exec._internal.formatters.python import _run_python

        self.ran: list[str] = []

        def run(code: str, *args: Any, **kwargs: Any) -> str:
            self.ran.append(code)
            return str(_run_python(code, *args, **kwargs))

        self.cache = ExecCache(
            run, cache_dir, root=repo, facts=fingerprint(repo, cache_dir), reset_state=_no_reset
        )

    def page(self, name: str, blocks: Page) -> list[str]:
        self.cache.start_page(name)
        return [self.cache(code, session=session) for code, session in blocks]


def _no_reset() -> None:
    """These blocks use no random numbers: leave torch alone (the real reset seeds it)."""


def _builder(repo: Path, tmp_path: Path) -> Callable[[], Build]:
    return lambda: Build(repo, tmp_path / "cache")


def _data_block(repo: Path) -> str:
    return f"from pathlib import Path\nn = int(Path({str(repo / 'data.txt')!r}).read_text())"


PAGE: Page = [
    ("x = 2", "p"),
    ("y = x * 10\nprint(y)", "p"),
    ("print(x + y)", "p"),
]


def test_an_unchanged_page_runs_nothing_and_prints_the_same(repo: Path, tmp_path: Path) -> None:
    build = _builder(repo, tmp_path)
    first = build()
    outputs = first.page("a.md", PAGE)
    assert outputs == ["", "20\n", "22\n"]
    assert first.cache.stats.run == 3
    again = build()
    assert again.page("a.md", PAGE) == outputs
    assert again.ran == []
    assert again.cache.stats.from_cache == 3


def test_every_block_output_is_recorded_whether_run_or_from_the_cache(
    repo: Path, tmp_path: Path
) -> None:
    """The numerics matrix compares these records between environments (tools/numerics.py)."""
    build = _builder(repo, tmp_path)
    first = build()
    first.page("a.md", PAGE)
    again = build()
    again.page("a.md", PAGE)
    again.page("b.md", PAGE[:1])
    assert again.ran == [PAGE[0][0]]  # b.md's block ran, a.md's came from the cache
    assert [(r["page"], r["block"], r["output"]) for r in again.cache.outputs] == [
        ("a.md", 1, ""),
        ("a.md", 2, "20\n"),
        ("a.md", 3, "22\n"),
        ("b.md", 1, ""),
    ]
    assert [r["output"] for r in first.cache.outputs] == ["", "20\n", "22\n"]


def test_a_changed_block_reruns_it_and_everything_after_it(repo: Path, tmp_path: Path) -> None:
    build = _builder(repo, tmp_path)
    build().page("a.md", PAGE)
    changed = [PAGE[0], ("y = x * 100\nprint(y)", "p"), PAGE[2]]
    again = build()
    # The first block is not stale, but it runs again (silently) to rebuild the session the
    # changed block needs; the third block is unchanged but follows a changed one.
    assert again.page("a.md", changed) == ["", "200\n", "202\n"]
    assert again.ran == [PAGE[0][0], changed[1][0], PAGE[2][0]]
    assert again.cache.stats.from_cache == 1
    assert again.cache.stats.rerun_for_state == 1
    assert not again.cache.warnings


def test_a_changed_earlier_block_reruns_the_blocks_after_it(repo: Path, tmp_path: Path) -> None:
    build = _builder(repo, tmp_path)
    build().page("a.md", PAGE)
    again = build()
    assert again.page("a.md", [("x = 3", "p"), *PAGE[1:]]) == ["", "30\n", "33\n"]
    assert again.cache.stats.run == 3


@pytest.mark.parametrize(
    "changed",
    [
        [PAGE[0], ("y = x * 10\nprint(y)", "q"), PAGE[2]],  # another session
        [PAGE[1], PAGE[0], PAGE[2]],  # another order
    ],
    ids=["session", "order"],
)
def test_a_changed_session_or_order_runs_the_blocks(
    repo: Path, tmp_path: Path, changed: Page
) -> None:
    build = _builder(repo, tmp_path)
    build().page("a.md", PAGE)
    # The stored outputs would print 20 and 22; run, the changed page fails.
    with pytest.raises(ExecutionError, match="NameError"):
        build().page("a.md", changed)


def test_the_same_blocks_on_another_page_are_another_key(repo: Path, tmp_path: Path) -> None:
    build = _builder(repo, tmp_path)
    build().page("a.md", PAGE)
    again = build()
    again.page("b.md", PAGE)
    assert again.cache.stats.run == 3


def test_a_page_never_sees_another_pages_session(repo: Path, tmp_path: Path) -> None:
    build = _builder(repo, tmp_path)()
    build.page("a.md", [("shared = 1", "s")])
    with pytest.raises(ExecutionError, match="NameError"):
        build.page("b.md", [("print(shared)", "s")])


def test_changing_a_file_a_block_read_reruns_it(repo: Path, tmp_path: Path) -> None:
    build = _builder(repo, tmp_path)
    page = [(_data_block(repo), "d"), ("print(n * 2)", "d")]
    assert build().page("a.md", page) == ["", "6\n"]
    again = build()
    again.page("a.md", page)
    assert again.ran == []
    (repo / "data.txt").write_text("5\n")
    third = build()
    assert third.page("a.md", page) == ["", "10\n"]
    assert len(third.ran) == 2


@pytest.mark.parametrize(
    "change",
    [
        lambda repo, mp: (repo / "dlref" / "__init__.py").write_text("VALUE = 2\n"),
        lambda repo, mp: (repo / "dlref" / "new_module.py").write_text(""),
        lambda repo, mp: (repo / "constraints.txt").write_text("torch==2.14.0\n"),
        lambda repo, mp: (repo / "package-lock.json").write_text('{"katex": 1}\n'),
        lambda repo, mp: mp.setenv(
            "ATEN_CPU_CAPABILITY",
            "avx2" if os.environ.get("ATEN_CPU_CAPABILITY") == "default" else "default",
        ),
        lambda repo, mp: mp.setenv("OMP_NUM_THREADS", "7"),  # never the value in force
        lambda repo, mp: mp.setenv(  # never the value in force (make test-numerics sets it)
            "MKL_CBWR", "AVX" if os.environ.get("MKL_CBWR") == "COMPATIBLE" else "COMPATIBLE"
        ),
    ],
    ids=[
        "dlref-source",
        "dlref-new-file",
        "constraints",
        "package-lock",
        "ATEN_CPU_CAPABILITY",
        "OMP_NUM_THREADS",
        "MKL_CBWR",
    ],
)
def test_dependencies_outside_the_page_rerun_every_block(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: Any
) -> None:
    build = _builder(repo, tmp_path)
    build().page("a.md", PAGE)
    change(repo, monkeypatch)
    again = build()
    assert again.page("a.md", PAGE) == ["", "20\n", "22\n"]
    assert again.cache.stats.run == 3 and again.cache.stats.from_cache == 0


def test_the_fingerprint_names_torchs_cpu_capability(repo: Path, tmp_path: Path) -> None:
    import torch

    facts = fingerprint(repo, tmp_path / "cache")
    assert facts["torch_cpu_capability"] == torch.backends.cpu.get_cpu_capability()


def test_a_block_that_reads_the_environment_keys_on_the_settings(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = _builder(repo, tmp_path)
    page: Page = [("import os\nprint(os.environ.get('DLREF_OFFLINE'))", "e")]
    monkeypatch.setenv("DLREF_OFFLINE", "false")
    assert build().page("a.md", page) == ["false\n"]
    monkeypatch.setenv("DLREF_OFFLINE", "true")
    assert build().page("a.md", page) == ["true\n"]


def test_a_failing_block_is_not_stored(repo: Path, tmp_path: Path) -> None:
    build = _builder(repo, tmp_path)
    with pytest.raises(ExecutionError, match="boom"):
        build().page("a.md", [("raise RuntimeError('boom')", "f")])
    with pytest.raises(ExecutionError, match="boom"):
        build().page("a.md", [("raise RuntimeError('boom')", "f")])


def test_entries_unused_for_two_weeks_are_pruned(repo: Path, tmp_path: Path) -> None:
    import os
    import time

    from tools.exec_cache import prune

    build = _builder(repo, tmp_path)
    build().page("a.md", PAGE)
    build().page("b.md", PAGE)
    entries = sorted((tmp_path / "cache" / "blocks").glob("*/*.json"))
    assert len(entries) == 6
    old = time.time() - 15 * 86400
    for path in entries[:2]:
        os.utime(path, (old, old))
    assert prune(tmp_path / "cache") == 2
    assert sorted((tmp_path / "cache" / "blocks").glob("*/*.json")) == entries[2:]


def test_a_rebuild_after_a_dlref_edit_imports_the_edited_dlref(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """make serve: the second install in one process, after dlref's sources changed, drops the
    imported dlref modules (and only those), so no block runs the old code. (On a stand-in for
    sys.modules: dropping this process's dlref would give later tests a second copy of it.)"""
    import types

    monkeypatch.setattr(exec_cache, "_IMPORTED", {})
    names = ("dlref", "dlref.functional", "dlref.functional.linear", "dlrefx", "torch")
    modules = {name: types.ModuleType(name) for name in names}
    exec_cache.forget_edited_dlref("digest-1", modules)  # the first build: nothing to forget
    exec_cache.forget_edited_dlref("digest-1", modules)  # a prose edit: dlref unchanged
    assert set(modules) == set(names)
    exec_cache.forget_edited_dlref("digest-2", modules)  # dlref edited
    assert set(modules) == {"dlrefx", "torch"}
