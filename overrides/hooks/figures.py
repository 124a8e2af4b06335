"""MkDocs hook: each drawn figure becomes an SVG file of its own, shown by ``<img loading="lazy">``

A page's code block prints ``dlref.viz.figure_html(...)``: a ``<figure class="dlref-figure">``
holding an inline ``<svg role="img" aria-label="...">`` and a ``<figcaption>``. Inline, every
path and tick label of every figure is part of the page: the HTML a reader downloads first, and
the document the browser styles and lays out before the page responds (Lighthouse counted them
in its DOM size and in the blocking time of the pages with figures). After the page is rendered
(``on_post_page``: the search plugin has already read the page, and leaves figures out of its
index anyway), each such SVG is written to ``assets/figures/<hash of its content>.svg`` in the
site and replaced by an ``<img>`` with the same text as ``alt``, the figure's size (no layout
shift when it arrives) and ``loading="lazy"``: a figure further down the page is fetched when
the reader scrolls near it. The image links to its file, so a phone reader can open the figure
alone and zoom in.

The file is the same SVG made smaller by SVGO with settings that keep every coordinate
(tools/optimize_svg.py: about a fifth fewer bytes, the same pixels), so the figure looks the
same; with ``DLREF_STYLES_AS_SHIPPED=1`` it is written as matplotlib drew it, for comparing.
What the site's stylesheet did inside an inline SVG is now done by the file itself or by the
``<img>``:

* figure text in the reader's fonts (CJK included): a ``<style>`` in the file (``FIGURE_FONTS``,
  for a formula's glyphs too);
* the dark palette: ``extra.css`` filters the ``<img>``.

Before that (``on_page_content``), a figure drawn in a tab loses the paragraph Markdown put
around it. markdown-exec writes the tab's output as a placeholder line indented under
``=== "图"``; Markdown reads an indented HTML line as text, so the figure arrived as
``<p><figure>…</figure></p>``. A ``<figure>`` cannot be inside a ``<p>``: the browser closes the
paragraph before the figure and leaves two empty ones around it (invalid HTML, and empty blocks
in the page). ``tests/site/test_static.py`` checks that no page has a block inside a paragraph.

The file name is a hash of its bytes, so the same sources give the same files (byte-identical
builds) and a changed figure gets a new name (no stale copy in a reader's cache). Relative
``src`` works from a server and from the offline copy (file://).
"""

from __future__ import annotations

import hashlib
import html
import re
import sys
from pathlib import Path
from typing import Any

from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from tools import optimize_svg
from tools.as_shipped import as_shipped
from tools.exec_cache import cache_directory

FOLDER = "assets/figures"
# A figure as dlref.viz.figure_html writes it: the <svg> right after the <figure> tag.
FIGURE = re.compile(r'(<figure class="dlref-figure">)(<svg\b[^>]*>.*?</svg>)', re.DOTALL)
SVG_TAG = re.compile(r"<svg\b[^>]*>")
ATTR = re.compile(r'\s([\w:-]+)="([^"]*)"')
METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
LENGTH = re.compile(r"^([\d.]+)(pt|px)?$")
# The reader's fonts for figure text, CJK included: the first of them the reader has.
FIGURE_FONTS = (
    '"Noto Sans SC", "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB",'
    ' "Microsoft YaHei", "WenQuanYi Micro Hei", "DejaVu Sans", sans-serif'
)
# The reader's fonts for each glyph of a formula. Plain text is one <text> that the browser lays
# out itself. A formula (mathtext) is one <tspan> per glyph, placed where matplotlib measured
# it, each naming the font it was measured with: the CJK font (letters, digits and signs set
# upright) or DejaVu Sans (italic letters). Named fonts few readers have would fall back to the
# browser's default (a serif font on most systems), so the CJK ones get the stack; DejaVu Sans
# is kept where the reader has it, with the stack behind it. matplotlib quotes the name with ',
# SVGO rewrites the quotes as ": the selector matches both. (A formula's minus sign is a bar
# drawn by dlref.viz, in no font.)
STYLE = (
    f"<style>text, tspan {{ font-family: {FIGURE_FONTS} !important; }} "
    f"tspan[style*=\"'DejaVu Sans'\"], tspan[style*='\"DejaVu Sans\"'] "
    f'{{ font-family: "DejaVu Sans", {FIGURE_FONTS} !important; }}</style>'
)


# A figure that is the whole of a paragraph (the newline is Markdown's, before the </p>).
WRAPPED = re.compile(r'<p>(<figure class="dlref-figure">.*?</figure>)\s*</p>', re.DOTALL)


def unwrap(html_text: str) -> str:
    """``html_text`` with each figure that is a paragraph's only content taken out of the
    paragraph."""
    return WRAPPED.sub(r"\1", html_text)


def _pixels(length: str) -> int | None:
    """A CSS pixel size for an SVG width or height (matplotlib writes points)."""
    m = LENGTH.match(length.strip())
    if not m:
        return None
    value = float(m.group(1)) * (4 / 3 if m.group(2) == "pt" else 1)
    return round(value)


def _file(svg: str, attrs: dict[str, str]) -> str:
    """The file for a figure's inline ``svg``: the same SVG with its fonts, without what only an
    inline SVG needs (its accessible name, which the <img> carries, and attributes without a
    value, such as the search hook's mark, which XML does not allow) and matplotlib's metadata
    block."""
    tag = SVG_TAG.match(svg)
    assert tag is not None
    kept = {k: v for k, v in attrs.items() if k not in ("role", "aria-label")}
    kept.setdefault("xmlns", "http://www.w3.org/2000/svg")
    opening = "<svg" + "".join(f' {k}="{v}"' for k, v in kept.items()) + ">"
    body = opening + STYLE + METADATA.sub("", svg[tag.end() :], count=1)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"


def _attributes(svg: str) -> dict[str, str]:
    tag = SVG_TAG.match(svg)
    assert tag is not None
    return dict(ATTR.findall(tag.group(0)))


def _labelled(m: re.Match[str]) -> bool:
    # figure_html always labels its figures: anything else is left as it is.
    return bool(html.unescape(_attributes(m.group(2)).get("aria-label", "")).strip())


def externalise(
    output: str, page_url: str, site_dir: Path, *, optimize: bool = True
) -> tuple[str, int]:
    """``output`` with every inline figure SVG written to a file under ``site_dir`` (made smaller
    by SVGO, drawing the same pixels, unless ``optimize`` is false) and replaced by an
    ``<img>``; the number of figures moved."""
    found = [m for m in FIGURE.finditer(output) if _labelled(m)]
    files = {str(i): _file(m.group(2), _attributes(m.group(2))) for i, m in enumerate(found)}
    if optimize and files:
        files, _ = optimize_svg.optimize(files, cache_directory())
    images = {}
    for i, m in enumerate(found):
        data = files[str(i)].encode("utf-8")
        name = f"{FOLDER}/{hashlib.sha256(data).hexdigest()[:20]}.svg"
        target = site_dir / name
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        attrs = _attributes(m.group(2))
        alt = html.unescape(attrs.get("aria-label", ""))
        size = ""
        width, height = _pixels(attrs.get("width", "")), _pixels(attrs.get("height", ""))
        if width and height:
            size = f' width="{width}" height="{height}"'
        src = get_relative_url(name, page_url)
        # The image links to its file: on a phone the figure is a column wide, and a reader
        # who taps it gets the SVG on its own, to zoom into its small print.
        images[m.start()] = (
            f'{m.group(1)}<a href="{src}"><img src="{src}" alt="{html.escape(alt)}"{size}'
            ' loading="lazy" decoding="async"></a>'
        )
    return FIGURE.sub(lambda m: images.get(m.start(), m.group(0)), output), len(images)


def on_page_content(html_text: str, **kwargs: Any) -> str:
    return unwrap(html_text)


def on_post_page(output: str, *, page: Page, config: Any) -> str:
    optimize = not as_shipped()  # as shipped: for comparing screenshots
    output, _ = externalise(output, page.url, Path(config["site_dir"]), optimize=optimize)
    return output
