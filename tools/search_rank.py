"""Score the built site's search on every glossary term in seconds, without a browser.

    python tools/search_rank.py [SITE_DIR] [--json FILE]

Each glossary row (``docs/glossary.md``) gives two queries, its Chinese and its English term,
and the page it links to. ``tools/search_rank.cjs`` answers them with the site's own search
worker under node (mkdocs-material's lunr set-up, the same code the search dialog runs), and
this prints how many put the page first and how many in the first three, and the misses.
The browser test ``tests/site/test_browser.py::test_every_glossary_term_finds_its_page`` types
the same queries into the real search box and is the judge; this is the quick loop for tuning
the index (``overrides/hooks/search_content.py``, the jieba dictionary, the search config).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
TOP = 3


def _glossary_row() -> re.Pattern[str]:
    """The glossary row pattern of the search-content hook, which indexes the same rows: one
    reading of the glossary for the index and for the queries that test it."""
    path = ROOT / "overrides" / "hooks" / "search_content.py"
    spec = importlib.util.spec_from_file_location("dlref_hook_search_content", path)
    assert spec is not None and spec.loader is not None
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    row: re.Pattern[str] = hook.GLOSSARY_ROW
    return row


def glossary_queries() -> list[tuple[str, str]]:
    """(query, page path) for every glossary row: the Chinese term and the English one (without
    a parenthesised aside, which names a related word)."""
    queries = []
    glossary_row = _glossary_row()
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        m = glossary_row.match(line)
        if not m or m.group(1) == "术语":
            continue
        chinese, english, source = m.groups()
        target = source.removesuffix(".md")
        path = "/" + (target[: -len("index")] if target.endswith("index") else target + "/")
        queries.append((chinese, path))
        queries.append((re.sub(r"\s*\([^)]*\)", "", english).strip(), path))
    return queries


def rank(site: Path, queries: list[str]) -> dict[str, list[str]]:
    """Each query's result pages, best first, as the site's search worker orders them."""
    out = subprocess.run(
        ["node", str(ROOT / "tools" / "search_rank.cjs"), str(site)],
        input=json.dumps(queries, ensure_ascii=False),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    )
    results: dict[str, list[str]] = json.loads(out.stdout)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", nargs="?", default=str(ROOT / "site"), type=Path)
    parser.add_argument("--json", type=Path, help="write every query's first five pages here")
    args = parser.parse_args()
    site: Path = args.site
    queries = [
        (q, p) for q, p in glossary_queries() if (site / p.strip("/") / "index.html").is_file()
    ]
    results = rank(site, [q for q, _ in queries])
    first = sum(results[q][:1] == [p] for q, p in queries)
    top = sum(p in results[q][:TOP] for q, p in queries)
    for q, p in queries:
        if results[q][:1] != [p]:
            where = results[q].index(p) + 1 if p in results[q] else None
            mark = "MISS" if where is None or where > TOP else f"{where}."
            print(f"{mark:>5} {q!r}: {p} <- {results[q][:3]}")
    n = len(queries)
    print(f"{n} queries: first {first} ({first / n:.1%}), top {TOP} {top} ({top / n:.1%})")
    if args.json:
        data = {q: results[q][:5] for q, _ in queries}
        args.json.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
