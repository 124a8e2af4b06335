"""The glossary's contract: one table per topic, rows sorted by English name, no duplicate terms,
and every linked page really uses the term it is linked for, in Chinese and in English."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"
ROW = re.compile(r"^\| (?P<zh>[^|]+?) \| (?P<en>[^|]+?) \| (?P<page>[^|]+?) \|$", re.MULTILINE)
LINK = re.compile(r"^\[[^\]]+\]\((?P<path>[^)#]+)\)$")


def tables() -> dict[str, list[re.Match[str]]]:
    text = (DOCS / "glossary.md").read_text(encoding="utf-8")
    sections = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    out = {}
    for section in sections:
        title = section.splitlines()[0].strip()
        out[title] = [m for m in ROW.finditer(section) if m["zh"] not in ("术语", "---")]
    return out


def test_every_topic_has_rows_sorted_by_english() -> None:
    found = tables()
    assert found, "no topics found"
    for title, rows in found.items():
        assert rows, f"topic {title} has no rows"
        names = [m["en"].lower() for m in rows]
        assert names == sorted(names), f"topic {title} is not sorted by English name"


def test_no_duplicate_terms() -> None:
    terms = [m["zh"] for rows in tables().values() for m in rows]
    assert len(terms) == len(set(terms)), sorted(t for t in terms if terms.count(t) > 1)


def linked_rows() -> list[tuple[re.Match[str], str, str]]:
    """(row, linked page's path, that page's text) for every row that links a page; a row
    without a link must say 待补."""
    linked = []
    for rows in tables().values():
        for m in rows:
            link = LINK.match(m["page"])
            if link is None:
                assert m["page"] == "待补", m["page"]
                continue
            linked.append((m, link["path"], (DOCS / link["path"]).read_text(encoding="utf-8")))
    return linked


def test_linked_pages_use_the_term() -> None:
    missing = []
    for m, path, page in linked_rows():
        for part in m["zh"].split(" / "):
            word = part.split("（")[0]
            if word not in page:
                missing.append(f"{word!r} is linked to {path} but not used there")
    # Every missing term at once, so one run lists all the pages that need the term.
    assert not missing, "\n".join(missing)


def test_linked_pages_gloss_the_english_term() -> None:
    """A reader who meets a term on its page also meets its English name there (the style rule:
    the English in parentheses at first use), so a search in English finds the page by its text.
    The parenthesised part of the English column (an abbreviation, an alias) is not required."""
    missing = []
    for m, path, page in linked_rows():
        for part in m["en"].split(" / "):
            name = re.sub(r"\s*\(.*?\)", "", part).strip().lower()
            if name not in page.lower():
                missing.append(f"{name!r} ({m['zh']}) does not appear on {path}")
    assert not missing, "\n".join(missing)


def test_chinese_column_is_chinese() -> None:
    """The 术语 column names each term in Chinese: at least one CJK character per term.

    Latin letters may stay where the Chinese term itself keeps them (死亡 ReLU, KL 散度, F1 分数).
    """
    for rows in tables().values():
        for m in rows:
            for part in m["zh"].split(" / "):
                assert re.search(r"[\u4e00-\u9fff]", part), f"{part!r} has no Chinese"
