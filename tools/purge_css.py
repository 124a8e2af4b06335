"""The stylesheets of a built site without the rules no page can use (PurgeCSS).

    python tools/purge_css.py SITE [--cache DIR]

mkdocs-material ships one ``main.*.min.css`` for every feature, extension and language it
supports and one ``palette.*.min.css`` with every primary and accent colour; this site uses a
part of the first and one colour of the second (indigo). Temml's stylesheet (vendored by
tools/vendor_assets.py) styles every construct Temml can write (``\\cancel``, ``\\bordermatrix``,
commutative diagrams...), and mkdocstrings' every part of an API entry it can render; the site's
formulas and API pages use a few. After a build, :func:`purge_site` runs PurgeCSS
(``node_modules/purgecss``, pinned in package-lock.json; ``tools/purge_css.cjs``) over those four
files in the site and writes them back under the same names.

**What PurgeCSS sees.** A rule stays when every class, id, tag and attribute of one of its
selectors is a word of the content. The content is every HTML page of the site and the theme's
scripts (``assets/javascripts/bundle.*.min.js`` and the search worker): the classes the theme's
script adds while a reader uses the page (the search dialog's results, a copied code block's
tooltip, the palette switch) are string constants in it. PurgeCSS's default extractor finds the
words of a file with ``[A-Za-z0-9_-]+``; this module finds them with the same pattern and hands
PurgeCSS the set of words (:func:`words`), so the output is a function of the stylesheets, the
words, the safelist and the pinned packages, and is cached under a hash of them
(``<block cache>/purgecss/``, see tools/exec_cache.py). A prose edit adds no new word to the
site's markup (Chinese text has none, and the search index is not content: it is made from the
same pages), so a rebuild after one takes the purged files from the cache without starting node.

The search index (``search/search_index.json``) is left out of the content: its text comes
from the pages, whose words are already in.

**Right-to-left rules.** material's ``[dir=rtl] ...`` rules (about 5 KB) would stay: "rtl" is a
word of the theme's script, which reads the page's direction (``getAttribute("dir")==="rtl"``,
clipboard.js lays out the hidden text area it copies from) and never sets it. Every page is
``<body dir="ltr">`` (material's template) with no other direction. So while no page has "rtl"
in an attribute's value or an inline script (:func:`attribute_words`; prose and code that
mention it do not count), PurgeCSS is told that it is no value of any attribute
(``not_attribute_values`` in tools/purge_css.cjs: a detailed extractor result, the way PurgeCSS
lets an extractor say where a word may appear), and drops ``[dir=rtl]`` selectors; ``[dir=ltr]``
ones stay ("ltr" is a value in every page). An element with ``dir="rtl"`` brings the rules back
by itself.

**Tabs no tabbed set has.** material styles the Nth tab of a tabbed set for every N up to 20,
with selectors that hold ``:nth-child(N)``; Chromium tries the ones that end in it on every
element of every page, tabs or not. :func:`most_tabs` reads how many tabs the site's largest
tabbed set has (pymdownx.tabbed writes ``data-tabs="SET:TABS"`` on each), and the selectors for
tabs beyond it go (tools/purge_css.cjs says which). A page with more tabs brings them back; a
tabbed set without ``data-tabs`` keeps them all.

A purged file's source map (``*.min.css.map``, not referenced by the file, but served next to
it) no longer matches it and is removed; a ``sourceMappingURL`` comment, should a theme release
add one, is removed too.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools import node_batch
from tools.exec_cache import _write_atomic, cache_directory, touch

ROOT = Path(__file__).resolve().parent.parent
PURGECSS = ROOT / "node_modules" / "purgecss"
SCRIPT = ROOT / "tools" / "purge_css.cjs"
FORMAT = 3  # bump when the entries' meaning changes

# The stylesheets purged, by their place in the site: the theme's (extra.css, the site's own, is
# not), mkdocstrings' and Temml's. Their file names differ: each is named by it in the cache.
SHEETS = (
    "assets/stylesheets/main.*.min.css",
    "assets/stylesheets/palette.*.min.css",
    "assets/_mkdocstrings.css",
    "assets/vendor/temml/temml.css",
)
# Words of the theme's script that PurgeCSS may take for no attribute's value while no page has
# them in an attribute's value or an inline script (see the module's text): a direction the
# script only reads.
SCRIPT_ONLY_VALUES = ("rtl",)
# PurgeCSS's default extractor (purgecss/lib/purgecss.js, ``defaultExtractor``). On bytes: a
# UTF-8 encoded character outside ASCII has no ASCII bytes, so the words are the same.
WORD = re.compile(rb"[A-Za-z0-9_-]+")
TEXT_WORD = re.compile(r"[A-Za-z0-9_-]+")
TABBED_SET = re.compile(rb'<div class="tabbed-set[ "][^>]*>')
DATA_TABS = re.compile(rb'data-tabs="\d+:(\d+)"')
SOURCE_MAP_COMMENT = re.compile(r"\s*/\*# sourceMappingURL=[^*]*\*/\s*$")

# Selectors kept although no word of the content shows them. Empty: comparing screenshots of
# every page before and after (tools/compare_screens.py: light, dark, phone, scrolled, search
# open, palette toggled) found no lost rule that changes a pixel.
SAFELIST: dict[str, list[str]] = {"standard": [], "patterns": []}


@dataclass
class Purged:
    """What :func:`purge_site` did: each sheet's size before and after, and whether the
    purged files came from the cache."""

    sizes: dict[str, tuple[int, int]]
    from_cache: bool
    seconds: float


def site_sheets(site: Path) -> list[Path]:
    found = [p for pattern in SHEETS for p in sorted(site.glob(pattern))]
    if len(found) != len(SHEETS):
        raise RuntimeError(
            f"expected one of each of {SHEETS} in {site}, found"
            f" {[p.relative_to(site).as_posix() for p in found]}: a release of the theme,"
            " mkdocstrings or Temml that renamed its stylesheet needs tools/purge_css.py updated"
        )
    return found


def page_files(site: Path) -> list[Path]:
    """Every HTML page of the site."""
    return sorted(site.rglob("*.html"))


def script_files(site: Path) -> list[Path]:
    """The theme's scripts: its bundle and its search worker."""
    scripts = site / "assets" / "javascripts"
    bundle = sorted(scripts.glob("bundle.*.min.js"))
    worker = sorted((scripts / "workers").glob("search.*.min.js"))
    if not bundle or not worker:
        raise RuntimeError(f"the theme's bundle or search worker is missing from {scripts}")
    return bundle + worker


def content_files(site: Path) -> list[Path]:
    """Every HTML page of the site and the theme's scripts."""
    return page_files(site) + script_files(site)


class _AttributeWords(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words: set[str] = set()
        self.script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for _, value in attrs:
            self.words.update(TEXT_WORD.findall(value or ""))
        self.script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self.script = False

    def handle_data(self, data: str) -> None:
        if self.script:
            self.words.update(TEXT_WORD.findall(data))


def attribute_words(html: str) -> set[str]:
    """The words of a page's attribute values and inline scripts: wherever an element's
    attribute value could come from (its text, prose or code, aside)."""
    parser = _AttributeWords()
    parser.feed(html)
    parser.close()
    return parser.words


def not_attribute_values(pages: list[Path]) -> list[str]:
    """The words of :data:`SCRIPT_ONLY_VALUES` that no page has in an attribute's value or an
    inline script: PurgeCSS may take them for anything but an attribute's value."""
    found = []
    for word in SCRIPT_ONLY_VALUES:
        pattern = re.compile(
            rb"(?<![A-Za-z0-9_-])" + re.escape(word.encode()) + rb"(?![A-Za-z0-9_-])"
        )
        if not any(
            word in attribute_words(data.decode("utf-8"))
            for data in (p.read_bytes() for p in pages)
            if pattern.search(data)  # most pages do not have the word at all: no parsing
        ):
            found.append(word)
    return found


def most_tabs(pages: list[Path]) -> int | None:
    """The most tabs a tabbed set of ``pages`` has (0 without one); None when a tabbed set does
    not say how many it has (no ``data-tabs``), so that no tab's rules may go."""
    most = 0
    for path in pages:
        for tag in TABBED_SET.findall(path.read_bytes()):
            count = DATA_TABS.search(tag)
            if count is None:
                return None
            most = max(most, int(count.group(1)))
    return most


def words(files: list[Path]) -> list[str]:
    """The words PurgeCSS's default extractor finds in ``files``, sorted."""
    found: set[bytes] = set()
    for path in files:
        found.update(WORD.findall(path.read_bytes()))
    return sorted(w.decode("ascii") for w in found)


def cache_key(
    sheets: dict[str, str], content: list[str], not_values: list[str], tabs: int | None = None
) -> str:
    return node_batch.setup_digest(
        FORMAT,
        PURGECSS,
        SCRIPT,
        {name: node_batch.digest(css.encode()) for name, css in sorted(sheets.items())},
        node_batch.digest("\n".join(content).encode()),
        SAFELIST,
        not_values,
        tabs,
    )


def run_purgecss(
    sheets: dict[str, str], content: list[str], not_values: list[str], tabs: int | None = None
) -> dict[str, str]:
    """PurgeCSS under node: each of ``sheets`` (name -> CSS) purged against ``content``, the
    words ``not_values`` taken for no attribute's value, without the rules for tabs beyond
    ``tabs`` (None: all kept)."""
    request = {
        "css": [{"name": name, "raw": css} for name, css in sheets.items()],
        "content": "\n".join(content),
        "safelist": SAFELIST,
        "not_attribute_values": not_values,
        "tabs": tabs,
    }
    answer = node_batch.run(
        SCRIPT, PURGECSS, request, tool="PurgeCSS", task="purges the theme's stylesheets"
    )
    purged = {sheet["name"]: SOURCE_MAP_COMMENT.sub("", sheet["raw"]) for sheet in answer["css"]}
    return node_batch.check_answer(purged, sheets, tool="PurgeCSS")


def purge(
    sheets: dict[str, str],
    content: list[str],
    cache: Path,
    not_values: list[str] | None = None,
    tabs: int | None = None,
) -> tuple[dict[str, str], bool]:
    """``sheets`` purged against ``content`` (``not_values``: words taken for no attribute's
    value; ``tabs``: the most tabs a tabbed set has, None to keep every tab's rules), from
    ``cache`` when it has them; whether it did."""
    not_values = not_values or []
    key = cache_key(sheets, content, not_values, tabs)
    path = cache / "purgecss" / key[:2] / f"{key}.json"
    try:
        cached = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError):
        cached = None
    if isinstance(cached, dict) and set(cached) == set(sheets):
        touch(path)
        return {name: str(css) for name, css in cached.items()}, True
    purged = run_purgecss(sheets, content, not_values, tabs)
    _write_atomic(path, json.dumps(purged, ensure_ascii=False, sort_keys=True))
    return purged, False


def purge_site(site: Path, cache: Path) -> Purged:
    """Purge the stylesheets of the built ``site`` in place (see the module's text)."""
    start = time.perf_counter()
    paths = site_sheets(site)
    sheets = {p.name: p.read_bytes().decode("utf-8") for p in paths}
    pages = page_files(site)
    content = sorted(set(words(pages)) | set(words(script_files(site))))
    purged, from_cache = purge(
        sheets, content, cache, not_attribute_values(pages), most_tabs(pages)
    )
    sizes = {}
    for path in paths:
        new = purged[path.name].encode("utf-8")
        sizes[path.name] = (path.stat().st_size, len(new))
        if new != path.read_bytes():
            path.write_bytes(new)
        path.with_name(path.name + ".map").unlink(missing_ok=True)
    return Purged(sizes, from_cache, time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("site", type=Path, help="a built site (its stylesheets are rewritten)")
    parser.add_argument("--cache", type=Path, default=None, help="default: the block cache's")
    args = parser.parse_args()
    if not (args.site / "index.html").is_file():
        raise SystemExit(f"{args.site} is not a built site (no index.html)")
    done = purge_site(args.site, args.cache or cache_directory())
    for name, (before, after) in done.sizes.items():
        print(f"{name}: {before / 1e3:.1f} KB -> {after / 1e3:.1f} KB")
    print(f"{'from the cache' if done.from_cache else 'purged'} in {done.seconds:.2f} s")


if __name__ == "__main__":
    main()
