"""MkDocs hook: fewer style bytes on a first visit, with every page looking the same.

* **The stylesheets purged** (``on_post_build``): material's ``main.*.min.css`` and
  ``palette.*.min.css``, mkdocstrings' ``_mkdocstrings.css`` and Temml's ``temml.css`` in the
  site lose the rules that no page and none of the theme's scripts can use, and their comments;
  material's right-to-left rules go while no page is written right to left (PurgeCSS, cached:
  tools/purge_css.py).
* **mkdocstrings' stylesheet only where it styles something**: the mkdocstrings plugin adds
  ``assets/_mkdocstrings.css`` to every page, but each of its rules needs an element of an API
  entry (a class ``doc`` or ``doc-*``, or ``mkdocstrings-source``). Pages without such an
  element (the lessons, the glossary) do not link it.
* **Pygments' name tokens without their class**: Pygments wraps every name in highlighted code
  in ``<span class="n">``, and material colours ``.highlight .n`` with
  ``--md-code-hl-name-color``, which both palettes set to ``var(--md-code-fg-color)``, the
  colour the code element gives its text anyway (``.md-typeset code``; light scheme in
  main.css, slate in palette.css; tests/site/test_styles.py checks the theme's files). A span of
  plain text with that class becomes a ``<span>`` without it (10 of its 23 bytes). The span
  itself stays: without it, the name joins the text around it in one run, and Chromium places
  some of its glyphs a fraction of a pixel elsewhere (measured: a few hundred pixels of glyph
  edges differ on the API pages and the lessons' code, up to 59 of 255 levels), while a class-less
  span gives the same pixels (tools/compare_screens.py). The search index is made before this
  (the search plugin reads the page's content, not its output).
* **Line numbers without a span each**: the API pages' source listings number their lines in
  a column (Pygments' table), each number in ``<span class="normal">`` (30 bytes a line, 8 to
  12 KB of an API page), and the theme's only rule for those spans pads each on the right
  (``.highlighttable .linenodiv span[class]``). The numbers become bare text, one per line as
  before, and the column's ``pre`` gets the class ``dlref-numbers``, which extra.css pads on the
  right by the same amount: the numbers stay where they were (compared opened, in
  tools/compare_screens.py). A column with any other span (a highlighted line's ``special``, a
  linked number) is left as it is.

* **Tables wrapped at build time**: material's script wraps every class-less table of the
  content (``table:not([class])``) in ``div.md-typeset__scrollwrap > div.md-typeset__table``
  when the page loads. Moving a table in the DOM makes the browser restyle the page around it
  again: measured with Chromium's invalidation tracing (phone viewport, 4x CPU slowdown), 521
  ms for 2,223 elements on api/autograd and 384 ms for 7,205 on the logistic regression page,
  in a long task after the first paint. The hook writes the same two boxes around each table of
  the article and gives the table the class ``dlref-table``, so the script (which only looks
  for class-less tables) leaves it alone; material's table rules, written for
  ``table:not([class])``, are rewritten in the site's main.css to
  ``table:is(:not([class]),.dlref-table)``, which has the same specificity (and extra.css
  is written that way). The page after the script is the same DOM but for that class.

With ``DLREF_STYLES_AS_SHIPPED=1`` the hook does nothing (nor does the math hook cut Temml's
font down): the pages and stylesheets are as the theme and the plugins make them, for a build to
compare screenshots with (tools/compare_screens.py, tests/site/test_styles.py).
"""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from tools import purge_css
from tools.as_shipped import as_shipped
from tools.exec_cache import cache_directory

log = logging.getLogger("mkdocs.hooks.styles")

NAME_SPAN = re.compile(r'<span class="n">([^<]*)</span>')
LINE_NUMBERS = re.compile(r'<div class="linenodiv"><pre>(.*?)</pre>', re.DOTALL)
NUMBER_SPAN = re.compile(r'<span class="normal">( *\d+)</span>')  # padded to one width
MKDOCSTRINGS_CSS = re.compile(r'<link rel="stylesheet" href="[^"]*assets/_mkdocstrings\.css">')
# An element with a class that a rule of _mkdocstrings.css needs (tests/site/test_hooks.py
# checks that each of its rules needs one of these).
API_ELEMENT = re.compile(r'class="(?:[^"]*\s)?(?:doc|doc-[\w-]+|mkdocstrings-source)(?:[\s"])')


def unclass_names(html: str) -> str:
    """``html`` with every ``<span class="n">text</span>`` made ``<span>text</span>``."""
    return NAME_SPAN.sub(r"<span>\1</span>", html)


def bare_line_numbers(html: str) -> str:
    """``html`` with each line-number column's ``<span class="normal">N</span>`` made ``N``, its
    ``pre`` marked ``dlref-numbers`` (columns with other markup are left as they are)."""

    def bare(column: re.Match[str]) -> str:
        numbers = NUMBER_SPAN.sub(r"\1", column[1])
        if "<" in numbers.replace("<span></span>", "", 1):  # Pygments' empty first span stays
            return column[0]
        return f'<div class="linenodiv"><pre class="dlref-numbers">{numbers}</pre>'

    return LINE_NUMBERS.sub(bare, html)


TABLE_TAG = re.compile(r"<table\b[^>]*>|</table>")
# What material's script (function ``Un`` of its bundle) puts around a class-less table.
SCROLL_BOXES = '<div class="md-typeset__scrollwrap"><div class="md-typeset__table">'
TABLE_CLASS = "dlref-table"
# Material's selector for the tables its script wraps and its table rules style, and the same
# selector matching the tables wrapped here too (the specificity of :is() is that of its most
# specific argument: [class] and .dlref-table weigh the same).
MATERIAL_TABLES = "table:not([class])"
WRAPPED_TABLES = f"table:is(:not([class]),.{TABLE_CLASS})"


def wrap_tables(html: str) -> str:
    """``html`` with each class-less ``<table>`` of its ``<article>`` in material's two scrolling
    boxes and of class ``dlref-table`` (a table inside another, e.g. a code listing in a cell,
    is handled on its own)."""
    start, end = html.find("<article"), html.rfind("</article>")
    if start < 0 or end < 0:
        return html
    out: list[str] = []
    wrapped: list[bool] = []  # for each open table: is it one wrapped here?
    pos = start
    for tag in TABLE_TAG.finditer(html, start, end):
        if tag[0] == "</table>":
            if wrapped.pop():
                out += [html[pos : tag.end()], "</div></div>"]
                pos = tag.end()
        else:
            wrapped.append(tag[0] == "<table>")
            if wrapped[-1]:
                out += [html[pos : tag.start()], SCROLL_BOXES, f'<table class="{TABLE_CLASS}">']
                pos = tag.end()
    return html[:start] + "".join(out) + html[pos:]


def match_wrapped_tables(css: str) -> tuple[str, int]:
    """``css`` with material's class-less table selector also matching the tables wrapped here;
    how many selectors changed."""
    return css.replace(MATERIAL_TABLES, WRAPPED_TABLES), css.count(MATERIAL_TABLES)


def renders_api_entries(html: str) -> bool:
    return API_ELEMENT.search(html) is not None


def on_post_page(output: str, *, page: Any, config: Any) -> str:
    if as_shipped():
        return output
    output = wrap_tables(bare_line_numbers(unclass_names(output)))
    if not renders_api_entries(output):
        output = MKDOCSTRINGS_CSS.sub("", output, count=1)
    return output


def on_post_template(output_content: str, *, template_name: str, config: Any) -> str:
    """The 404 page is rendered from a template, not as a page: the same for it."""
    if as_shipped() or not template_name.endswith(".html"):
        return output_content
    if not renders_api_entries(output_content):
        output_content = MKDOCSTRINGS_CSS.sub("", output_content, count=1)
    return output_content


@event_priority(-100)  # after the search hook (-50); before minify (-200), which reads its pages
def on_post_build(config: Any) -> None:
    if as_shipped():
        return
    site = Path(config["site_dir"])
    changed = 0
    for sheet in sorted((site / "assets" / "stylesheets").glob("main.*.min.css")):
        css, n = match_wrapped_tables(sheet.read_text(encoding="utf-8"))
        sheet.write_text(css, encoding="utf-8")
        changed += n
    if not changed:
        # A material release with other table rules: the wrapped tables would lose their style.
        log.error(f"no {MATERIAL_TABLES} rule in material's main.css")
    done = purge_css.purge_site(site, cache_directory())
    sizes = ", ".join(
        f"{n} {a / 1e3:.1f} KB (was {b / 1e3:.1f})" for n, (b, a) in done.sizes.items()
    )
    log.info(
        "stylesheets purged%s in %.2f s: %s",
        " (from the cache)" if done.from_cache else "",
        done.seconds,
        sizes,
    )
