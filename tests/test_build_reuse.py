"""tools/build_sites.py keeps the last clean build only while nothing it depends on changed: any
file git sees (tracked or not ignored), the settings; and only while the folder still holds
what that build wrote."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tools import build_sites, pack_offline
from tools.exec_cache import _tree_digest


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "dlref").mkdir(parents=True)
    (root / "dlref" / "__init__.py").write_text("VALUE = 1\n")
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# 首页\n")
    (root / "constraints.txt").write_text("torch==2.13.0\n")
    (root / ".gitignore").write_text("ignored.txt\n")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    return root


def test_the_key_changes_with_any_source_file_and_setting(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = build_sites.clean_build_key(repo)
    assert key is not None and build_sites.clean_build_key(repo) == key
    (repo / "ignored.txt").write_text("not a source\n")
    assert build_sites.clean_build_key(repo) == key
    keys = {key}
    (repo / "docs" / "index.md").write_text("# 首页\n\n一句正文。\n")  # tracked, edited
    keys.add(build_sites.clean_build_key(repo))
    (repo / "docs" / "new.md").write_text("# 新页\n")  # not tracked yet
    keys.add(build_sites.clean_build_key(repo))
    (repo / "dlref" / "__init__.py").write_text("VALUE = 2\n")
    keys.add(build_sites.clean_build_key(repo))
    monkeypatch.setenv("DLREF_SITE_URL", "https://example.org/")
    keys.add(build_sites.clean_build_key(repo))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1")
    keys.add(build_sites.clean_build_key(repo))
    assert len(keys) == 6
    last = build_sites.clean_build_key(repo)
    monkeypatch.setenv("DLREF_STAGE_T0", "1767225600.5")  # when `make test` started: no input
    assert build_sites.clean_build_key(repo) == last
    monkeypatch.setenv("DLREF_REQUIRE_BROWSER", "1")  # CI's `make test` sets it: no input
    assert build_sites.clean_build_key(repo) == last


def test_no_key_without_git(tmp_path: Path) -> None:
    assert build_sites.clean_build_key(tmp_path) is None


def test_a_kept_build_is_reused_only_as_it_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build_sites, "STATS", tmp_path / "stats")
    (tmp_path / "stats").mkdir()
    site = tmp_path / "site-again"
    site.mkdir()
    (site / "index.html").write_text("<p>页</p>\n")
    stats = {"run": 3, "from_cache": 0, "rerun_for_state": 0}
    build_sites.stats_file(site).write_text(json.dumps(stats))
    record = {"key": "k", "tree": _tree_digest(site), "when": "then", "seconds": "1.0"}
    build_sites.record_file(site).write_text(json.dumps(record))
    assert build_sites.reusable_clean_build(site, "k") == record
    assert build_sites.reusable_clean_build(site, "other") is None
    assert build_sites.reusable_clean_build(site, None) is None
    (site / "index.html").write_text("<p>改过的页</p>\n")
    assert build_sites.reusable_clean_build(site, "k") is None
    (site / "index.html").write_text("<p>页</p>\n")
    build_sites.stats_file(site).unlink()
    assert build_sites.reusable_clean_build(site, "k") is None


def test_files_make_test_writes_are_not_sources() -> None:
    """`make test` packs site-offline.zip while its other stages hash every file git sees (the
    clean build's key, the unit tests' key in tests/reuse.py): what it writes, even for a
    moment, must be ignored, or a key computed at that moment never matches again."""
    written = ["site-offline.zip", pack_offline.temporary(Path("site-offline.zip")).as_posix()]
    written += ["site/index.html", "site-offline/index.html", "build/x", "test-artifacts/x"]
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", *written],
        cwd=build_sites.ROOT,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert sorted(ignored) == sorted(written)
