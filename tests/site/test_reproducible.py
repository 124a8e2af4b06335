"""Same sources, same site: two clean builds are byte-identical, and so is a build that took
every code block's output from the cache (tools/exec_cache.py).

The site under test is compared file by file with a second clean build of the same sources
(fixture ``second_build``): another ``mkdocs build`` process, into another folder, with empty
caches (a fresh folder for jieba's dictionary cache, a fresh matplotlib config/cache folder and
an empty block cache: every block runs). `make test` runs the two builds at the same time, one
per core; while nothing the clean build depends on changed, it keeps the last one instead of
building it again, and says so (tools/build_sites.py). On a fresh clone (CI) the block cache is
empty, so the site under test ran every block too; on a developer's machine its outputs come
from the cache, and each of them was computed by an earlier build that ran the block. Dates
come from SOURCE_DATE_EPOCH (the Makefile's value), the figures' SVG ids from their captions;
nothing else may differ.

``cached_build`` is the site built once more right after it, every block from the cache
(``tools/build_sites.py --cached``, or built here).
"""

from __future__ import annotations

import difflib
import filecmp
import json
import os
from pathlib import Path

import pytest

from tools.build_sites import stats_file
from tools.sitecheck import ROOT, build_site


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def _assert_identical(site: Path, other: Path) -> None:
    assert site.resolve() != other.resolve(), "the second build must be another folder"
    first, second = _files(site), _files(other)
    assert first == second, f"only in one build: {sorted(first ^ second)}"
    differ = [f for f in sorted(first) if not filecmp.cmp(site / f, other / f, shallow=False)]
    details = []
    for f in differ[:5]:
        if f.endswith((".html", ".json", ".xml", ".js", ".css", ".txt", ".ipynb")):
            a = (site / f).read_text(encoding="utf-8").splitlines()
            b = (other / f).read_text(encoding="utf-8").splitlines()
            details += list(difflib.unified_diff(a, b, f, f"{f} (again)", n=0, lineterm=""))[:12]
    assert not differ, f"{len(differ)} files differ: {differ[:20]}\n" + "\n".join(details)


def _stats(build: Path) -> dict[str, int] | None:
    path = stats_file(build)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


@pytest.fixture(scope="session")
def cached_build(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("DLREF_CACHED_BUILD_DIR")
    if given:
        return (ROOT / given).resolve()
    # `site` was built through the block cache just before: every block is in it now.
    dest = tmp_path_factory.mktemp("cached") / "site-cached"
    stats = stats_file(dest)
    stats.parent.mkdir(parents=True, exist_ok=True)
    return build_site(dest, extra_env={"DLREF_EXEC_STATS": str(stats)})


def test_a_second_clean_build_is_byte_identical(site: Path, second_build: Path) -> None:
    stats = _stats(second_build)
    if stats is not None:  # built by tools/build_sites.py --clean
        assert stats["from_cache"] == 0 and stats["run"] > 0, f"not a clean build: {stats}"
    _assert_identical(site, second_build)


def test_a_build_from_the_cache_is_byte_identical_to_a_clean_one(
    cached_build: Path, second_build: Path
) -> None:
    stats = _stats(cached_build)
    assert stats is not None, f"no block counts for {cached_build}"
    assert stats["run"] == 0 and stats["from_cache"] > 0, f"not built from the cache: {stats}"
    _assert_identical(cached_build, second_build)
