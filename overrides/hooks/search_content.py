"""MkDocs hook: keep figure-drawing code, drawn figures and printed outputs out of the search index.

The search index should hold what a reader searches for: prose, headings and the page code that
explains something. Material's search plugin leaves out any element marked
``data-search-exclude`` (and strips the attribute from the page after indexing it), so this
hook (``on_page_content``, before the search plugin reads the page) marks:

* the code block in a tab set that also holds a figure: the figure's drawing code
  (markdown-exec's ``source="tabbed-right" tabs="画图代码|图"``);
* every inline ``<svg>``: a drawn figure's tick labels and legends (its ``<figcaption>`` stays);
* printed text output: code blocks of language ``text`` (markdown-exec's ``result="text"``);
* the API pages' source listings (mkdocstrings' ``show_source``).

And it ranks the reference pages below the pages that explain: the API reference and the
glossary mention every term (the glossary in a one-line table row, each API entry in a short
docstring), so a term's search would otherwise land on the page that lists it rather than the
one that derives it. Their index entries get ``search.boost`` ``REFERENCE_BOOST`` (material's
per-page boost, as the page's front matter would set it). The tokenizer is tuned in mkdocs.yml
(the search plugin's ``separator``), the words in ``docs/assets/jieba_user_dict.txt``.

The glossary (``docs/glossary.md``) links each term, Chinese and English, to the page that explains
it best. Those terms are the explaining page's own definitions, and they go into that page's
index entry as a field of their own, ``glossary`` (configured in mkdocs.yml with the weight of a
heading, ``search.fields``): a reader who searches a term lands on the page that explains it,
not on a page that only uses it, also when the page writes the term in Chinese only. The field is
indexed, never shown. Its Chinese is segmented with jieba as the search plugin segments the page.

Formulas in the index are written as plain text (``on_post_build``): the search plugin indexes
each formula's TeX source, which a search result's preview would show (``\\frac{\\partial
\\ell}{\\partial z_j}``); :func:`formulas_as_text` writes it ``∂ℓ/∂z_j`` with
:func:`tools.tex_text.to_text`, in each entry's text and title, never inside code.

Last, the index file is rewritten as UTF-8 (``on_post_build``, after the search plugin writes it
and before the offline plugin wraps it into ``search_index.js``): the search plugin escapes every
Chinese character as ``\\uXXXX``, six bytes for three. Same data, same order.
"""

from __future__ import annotations

import html as html_lib
import json
import posixpath
import re
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.pages import Page

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from tools.tex_text import to_text

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
}  # fmt: skip
MARK = " data-search-exclude"
# Pages that list terms and point to the pages that explain them.
REFERENCE_PAGES = ("api/", "glossary.md")
REFERENCE_BOOST = 0.2
# The glossary's table rows: | 中文 | English | [page title](path.md) |, and the index field its
# terms go into (mkdocs.yml configures the field's weight: the search worker indexes only the
# fields listed there).
GLOSSARY = "glossary.md"
GLOSSARY_ROW = re.compile(
    r"^\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|\s*\[[^\]]*\]\(([^)#]+\.md)(?:#[^)]*)?\)"
)
GLOSSARY_FIELD = "glossary"
# A formula as arithmatex writes it (\(..\) inline, \[..\] display; in the index's HTML), and
# the code that a formula pattern must not touch.
FORMULA = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]", re.S)
CODE = re.compile(r"(<pre>.*?</pre>|<code>.*?</code>)", re.S)
# Page URL by source path, filled as pages are rendered.
_urls: dict[str, str] = {}


class _Finder(HTMLParser):
    """Finds the start tags to mark; ``marks`` holds their end offsets in the source."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        starts = [0]
        for line in source.split("\n"):  # HTMLParser counts lines by "\n" alone
            starts.append(starts[-1] + len(line) + 1)
        self.line_starts = starts
        self.source = source
        self.stack: list[tuple[str, set[str]]] = []
        self.marks: list[int] = []
        # Open tab sets: [blocks: [(code start tags, has figure)]]
        self.tabsets: list[tuple[int, list[tuple[list[int], bool]]]] = []

    def _tag_end(self) -> int:
        """Offset just before the ``>`` (or ``/>``) that ends the current start tag."""
        line, col = self.getpos()
        start = self.line_starts[line - 1] + col
        text = self.get_starttag_text() or ""
        end = start + len(text) - 1
        if text.endswith("/>"):
            end -= 1
        return end

    def _inside_mark(self) -> bool:
        return any("__marked" in classes for _, classes in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        classes = set(values.get("class", "").split())
        mark = False
        if tag == "svg" or "language-text" in classes:
            mark = True
        elif tag == "details" and ("mkdocstrings-source" in classes or "quote" in classes):
            mark = self._in_doc()
        if self.tabsets:
            depth, blocks = self.tabsets[-1]
            if "tabbed-block" in classes and len(self.stack) == depth + 2:
                blocks.append(([], False))
            elif blocks:
                codes, _figure = blocks[-1]
                if tag in ("figure", "svg", "img"):
                    blocks[-1] = (codes, True)
                elif "highlight" in classes and not self._inside_mark():
                    codes.append(self._tag_end())
        if mark and not self._inside_mark():
            self.marks.append(self._tag_end())
            classes = classes | {"__marked"}
        if "tabbed-set" in classes:
            self.tabsets.append((len(self.stack), []))
        if tag not in VOID:
            self.stack.append((tag, classes))

    def _in_doc(self) -> bool:
        return any("doc" in classes for _, classes in self.stack)

    def handle_endtag(self, tag: str) -> None:
        if not any(t == tag for t, _ in self.stack):
            return
        while self.stack:
            open_tag, _classes = self.stack.pop()
            if self.tabsets and self.tabsets[-1][0] == len(self.stack):
                _, blocks = self.tabsets.pop()
                if any(figure for _, figure in blocks):
                    for codes, _figure in blocks:
                        self.marks.extend(codes)
            if open_tag == tag:
                break


def mark_unsearchable(content: str) -> str:
    """``content`` with ``data-search-exclude`` on what the index should not hold."""
    finder = _Finder(content)
    finder.feed(content)
    finder.close()
    out = []
    last = 0
    for offset in sorted(set(finder.marks)):
        out.append(content[last:offset])
        out.append(MARK)
        last = offset
    out.append(content[last:])
    return "".join(out)


def on_page_content(html: str, *, page: Page, **kwargs: Any) -> str:
    _urls[page.file.src_uri] = page.url
    if page.file.src_uri.startswith(REFERENCE_PAGES):
        search = page.meta.setdefault("search", {})
        search.setdefault("boost", REFERENCE_BOOST)
    return mark_unsearchable(html)


def glossary_terms(glossary: str) -> dict[str, list[str]]:
    """The glossary's terms by the source path of the page each row links to: "中文 English" for
    each row, in glossary order."""
    terms: dict[str, list[str]] = {}
    for line in glossary.splitlines():
        m = GLOSSARY_ROW.match(line)
        if m and m.group(1) != "术语":
            chinese, english, target = m.groups()
            target = posixpath.normpath(posixpath.join(posixpath.dirname(GLOSSARY), target))
            terms.setdefault(target, []).append(f"{chinese} {english}")
    return terms


def add_glossary_terms(
    data: dict[str, Any],
    terms: dict[str, list[str]],
    urls: dict[str, str],
    segment: Callable[[str], str],
) -> None:
    """Put each page's glossary terms into its article entry (the entry for the whole page, not
    for one of its sections), in the field ``GLOSSARY_FIELD``, Chinese segmented by ``segment``."""
    articles = {doc["location"]: doc for doc in data["docs"] if "#" not in doc["location"]}
    for target, names in terms.items():
        if target not in urls:
            raise ValueError(f"{GLOSSARY} links to {target}, which is not a page of the site")
        articles[urls[target]][GLOSSARY_FIELD] = segment("、".join(names))


def formulas_as_text(text: str) -> str:
    """``text`` (an index entry's HTML) with each formula's TeX written as plain text."""

    def plain(match: re.Match[str]) -> str:
        tex = html_lib.unescape(match[1] if match[1] is not None else match[2])
        return html_lib.escape(to_text(tex), quote=False)

    parts = CODE.split(text)  # code at the odd indices, left as it is
    return "".join(part if i % 2 else FORMULA.sub(plain, part) for i, part in enumerate(parts))


def _segmenter() -> Callable[[str], str]:
    """The search plugin's own Chinese segmentation (jieba, with the user dictionary it loaded),
    or none where jieba is not installed (then the plugin does not segment the pages either)."""
    from material.plugins.search import plugin

    if plugin.jieba is None:
        return lambda text: text
    return plugin.SearchIndex()._segment_chinese


@event_priority(-50)  # after the search plugin (0), before the offline plugin (-100)
def on_post_build(config: MkDocsConfig) -> None:
    index = Path(config.site_dir) / "search" / "search_index.json"
    if index.is_file():
        data = json.loads(index.read_text(encoding="utf-8"))
        glossary = Path(config.docs_dir) / GLOSSARY
        if GLOSSARY_FIELD not in data["config"]["fields"]:
            raise ValueError(f"mkdocs.yml: the search plugin's fields lack {GLOSSARY_FIELD!r}")
        terms = glossary_terms(glossary.read_text(encoding="utf-8"))
        add_glossary_terms(data, terms, _urls, _segmenter())
        for doc in data["docs"]:
            doc["title"] = formulas_as_text(doc["title"])
            doc["text"] = formulas_as_text(doc["text"])
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        index.write_text(text, encoding="utf-8")
