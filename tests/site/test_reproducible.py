"""Two clean builds from the same commit give byte-identical sites.

The site under test is compared file by file with a second clean build of the same sources
(fixture ``second_build``): another ``mkdocs build`` process, into another folder, with empty
caches (a fresh folder for jieba's dictionary cache and a fresh matplotlib config/cache folder).
`make test` runs the two builds at the same time, one per core. Dates come from
SOURCE_DATE_EPOCH (the Makefile's value), the figures' SVG ids from their captions; nothing else
may differ.
"""

from __future__ import annotations

import difflib
import filecmp
from pathlib import Path


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_a_second_clean_build_is_byte_identical(site: Path, second_build: Path) -> None:
    assert site.resolve() != second_build.resolve(), "the second build must be another folder"
    first, second = _files(site), _files(second_build)
    assert first == second, f"only in one build: {sorted(first ^ second)}"
    differ = [
        f for f in sorted(first) if not filecmp.cmp(site / f, second_build / f, shallow=False)
    ]
    details = []
    for f in differ[:5]:
        if f.endswith((".html", ".json", ".xml", ".js", ".css", ".txt")):
            a = (site / f).read_text(encoding="utf-8").splitlines()
            b = (second_build / f).read_text(encoding="utf-8").splitlines()
            details += list(difflib.unified_diff(a, b, f, f"{f} (again)", n=0, lineterm=""))[:12]
    assert not differ, f"{len(differ)} files differ: {differ[:20]}\n" + "\n".join(details)
