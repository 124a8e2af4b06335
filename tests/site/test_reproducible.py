"""Two clean builds from the same commit give byte-identical sites.

The second build runs in a different output folder with empty caches (a fresh temporary folder
for jieba's dictionary cache and a fresh matplotlib config/cache folder), and is compared file by
file with the site under test. Dates come from SOURCE_DATE_EPOCH (the Makefile's value), the
figures' SVG ids from their captions; nothing else may differ.
"""

from __future__ import annotations

import difflib
import filecmp
from pathlib import Path

from tools.sitecheck import build_site


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_a_second_clean_build_is_byte_identical(site: Path, tmp_path: Path) -> None:
    (tmp_path / "tmp").mkdir()
    (tmp_path / "mpl").mkdir()
    again = build_site(
        tmp_path / "again",
        extra_env={"TMPDIR": str(tmp_path / "tmp"), "MPLCONFIGDIR": str(tmp_path / "mpl")},
    )
    first, second = _files(site), _files(again)
    assert first == second, f"only in one build: {sorted(first ^ second)}"
    differ = [f for f in sorted(first) if not filecmp.cmp(site / f, again / f, shallow=False)]
    details = []
    for f in differ[:5]:
        if f.endswith((".html", ".json", ".xml", ".js", ".css", ".txt")):
            a = (site / f).read_text(encoding="utf-8").splitlines()
            b = (again / f).read_text(encoding="utf-8").splitlines()
            details += list(difflib.unified_diff(a, b, f, f"{f} (again)", n=0, lineterm=""))[:12]
    assert not differ, f"{len(differ)} files differ: {differ[:20]}\n" + "\n".join(details)
