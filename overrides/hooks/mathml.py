"""MkDocs hook: typeset every formula at build time as MathML, with the project's Temml.

``pymdownx.arithmatex`` (generic mode) marks formulas as
``<span class="arithmatex">\\(..\\)</span>`` and ``<div class="arithmatex">\\[..\\]</div>``.
After the page is rendered (``on_post_page``: the search plugin has already indexed the TeX
source), each one is replaced, inside the same element, by ``temml.renderToString``'s MathML
from ``node_modules/temml`` (pinned in package-lock.json), run in one node process per build.
The MathML keeps the formula's TeX in an ``<annotation>``. A formula in a heading also reaches
the table of contents as plain text ``\\(..\\)``: those pieces are typeset too.

Why MathML and not KaTeX's HTML: every browser a reader uses lays MathML out itself (MathML
Core: Chromium since 109, Firefox, Safari). KaTeX draws each formula with nested ``<span>``
boxes positioned by its own stylesheet, beside a MathML copy for screen readers; measured on
this site, that was half of the bytes of the formula-heavy pages (286 KB of the 573 KB of the
softmax page) and most of their elements. Temml (by a KaTeX maintainer, KaTeX's parser) writes
only the MathML: a quarter of the bytes, one element per symbol.

A browser needs a font with an OpenType MATH table to stretch brackets and size sums well.
The site ships its own, so formulas look the same on every system: STIX Two Math (Fontsource's
copy, SIL OFL), cut down (fontTools' subsetter) to the characters the formulas use, their
italic forms (MathML shows a one-letter ``<mi>`` in mathematical italic) and, through the MATH
table, their larger sizes: about 40 KB instead of 400. :func:`subset_font` makes it at the end
of the build from what :func:`typeset` saw, into ``assets/vendor/temml/``.

Temml's own small font (``Temml.woff2``, 9.4 KB: KaTeX_Script's glyphs at the Mathematical
Script capitals, and the primes) is what Temml's stylesheet draws a prime (``mo.tml-prime``) and
a ``\\mathscr`` letter (``.mathscr``) with. :func:`subset_temml_font` cuts it down the same way
to the characters the formulas show in those elements (:func:`temml_font_characters`; the
site's formulas have primes and no script letter), written over the whole copy the site got
from ``docs/assets/vendor/temml/`` under the same name, so the stylesheet needs no change. With
``DLREF_STYLES_AS_SHIPPED=1`` (the build tools/compare_screens.py compares with) it stays whole.

So pages ship MathML and CSS, no math JavaScript. The math stylesheet (Temml's, vendored by
tools/vendor_assets.py, and through it the font) is linked only from pages that have a
formula, and a preload of the STIX font opens the page's body (so the font does not arrive
after the first layout and move the lines around inline formulas; not in the head, where it
would hold the first paint: :func:`_font_preload`; not in the offline copy). A formula
Temml cannot parse is logged as an error, which fails ``mkdocs build --strict``, and stays as
TeX on the page.
"""

from __future__ import annotations

import html
import io
import json
import logging
import re
import shutil
import subprocess
import sys
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from tools.as_shipped import as_shipped

log = logging.getLogger("mkdocs.hooks.mathml")

ROOT = Path(__file__).resolve().parent.parent.parent
TEMML = ROOT / "node_modules" / "temml"
RENDERER = ROOT / "tools" / "temml_render.cjs"
STYLESHEET = "assets/vendor/temml/temml.css"
# The math font, whole (Fontsource's STIX Two Math, pinned in package-lock.json), and the cut
# down copy the site serves (named in the vendored stylesheet: tools/vendor_assets.py).
FONT_SOURCE = (
    ROOT
    / "node_modules"
    / "@fontsource"
    / "stix-two-math"
    / "files"
    / "stix-two-math-latin-400-normal.woff2"
)
FONT_FILE = "assets/vendor/temml/STIXTwoMath-dlref.woff2"
# Temml's own font, whole (pinned in package-lock.json), and its place in the site (named by
# Temml's stylesheet; tools/vendor_assets.py copies it whole into docs/assets/vendor/temml/).
TEMML_FONT_SOURCE = TEMML / "dist" / "Temml.woff2"
TEMML_FONT_FILE = "assets/vendor/temml/Temml.woff2"
# The classes whose elements Temml's stylesheet draws in that font ("math .mathscr" and
# "mo.tml-prime": tests/site/test_hooks.py checks the vendored stylesheet has no other).
TEMML_FONT_CLASSES = frozenset({"mathscr", "tml-prime"})
# Blank glyphs kept in the cut-down Temml font whatever the formulas show: a browser may take a
# space's width from the font of the element it lays out.
TEMML_FONT_BLANKS = " \u00a0"

# What arithmatex writes (its text is HTML-escaped TeX with its delimiters, no child elements).
FORMULA = re.compile(r'<(span|div) class="arithmatex">(.*?)</\1>', re.DOTALL)
# An inline formula and the closing punctuation right after it. A browser may break the line
# between a <math> element and the character after it, and a Chinese line must not start with
# "，" or "。" (避头点): the two are kept together in a span that does not wrap (extra.css).
# (A reviewer counted about 35 such line starts on the lesson pages at 390 px.)
FORMULA_THEN_PUNCTUATION = re.compile(
    r'(<span class="arithmatex">[^<]*</span>)([，。、；：？！）」』》】…])'
)
NO_BREAK = r'<span class="dlref-nobr">\1\2</span>'
# Table-of-contents and navigation labels: plain text, inline TeX between \( and \).
NAV_LABEL = re.compile(r'(<span class="md-ellipsis">)([^<]*\\\([^<]*)(</span>)')
NAV_MATH = re.compile(r"\\\((.+?)\\\)", re.DOTALL)
EXTRA_CSS = re.compile(r'<link rel="stylesheet" href="[^"]*assets/stylesheets/extra\.css">')
BODY_START = re.compile(r"<body\b[^>]*>")
# The characters a formula shows: the text of its MathML elements, without the TeX annotation.
ANNOTATION = re.compile(r"<annotation\b.*?</annotation>", re.DOTALL)
TEXT = re.compile(r">([^<]+)<")


class Temml:
    """One node process that renders formulas on request, with answers remembered."""

    def __init__(self) -> None:
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("node not found: the build typesets formulas with Temml under node")
        if not (TEMML / "package.json").is_file():
            raise RuntimeError(f"{TEMML} is missing: run `make env` (npm ci) first")
        self.process = subprocess.Popen(
            [node, str(RENDERER), str(TEMML)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        self.done: dict[tuple[str, bool], dict[str, str]] = {}

    def render(self, tex: str, display: bool) -> dict[str, str]:
        key = (tex, display)
        if key not in self.done:
            assert self.process.stdin is not None and self.process.stdout is not None
            self.process.stdin.write(json.dumps({"tex": tex, "display": display}) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError("the Temml renderer (node) stopped")
            self.done[key] = json.loads(line)
        return self.done[key]

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=30)


_temml: Temml | None = None
# Every character the build's formulas show, for the font, and those they show in Temml's font
# (reset when a build starts).
_shown: set[str] = set()
_temml_shown: set[str] = set()


def _renderer() -> Temml:
    global _temml
    if _temml is None:
        _temml = Temml()
    return _temml


def strip_delimiters(tex: str) -> str:
    """The TeX inside arithmatex's ``\\( \\)`` or ``\\[ \\]``."""
    tex = tex.strip()
    if tex[:2] in ("\\(", "\\[") and tex[-2:] in ("\\)", "\\]"):
        tex = tex[2:-2]
    return tex.strip()


def shown_characters(mathml: str) -> set[str]:
    """The characters a formula's MathML shows (its TeX annotation left out)."""
    shown: set[str] = set()
    for text in TEXT.findall(ANNOTATION.sub("", mathml)):
        shown.update(html.unescape(text))
    return shown - {" ", "\n", "\t"}


class _ClassedText(HTMLParser):
    """The text inside elements that have one of ``classes`` (their descendants' too)."""

    def __init__(self, classes: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.classes = classes
        self.open: list[bool] = []  # for each open element: is it, or is it in, a classed one
        self.text: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = set((dict(attrs).get("class") or "").split())
        self.open.append(bool(self.open and self.open[-1]) or bool(classes & self.classes))

    def handle_endtag(self, tag: str) -> None:
        if self.open:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        if self.open and self.open[-1]:
            self.text.update(data)


def temml_font_characters(mathml: str) -> set[str]:
    """The characters a formula's MathML shows in Temml's font: inside an element with a class
    of :data:`TEMML_FONT_CLASSES` (whitespace aside)."""
    if not any(name in mathml for name in TEMML_FONT_CLASSES):
        return set()
    parser = _ClassedText(TEMML_FONT_CLASSES)
    parser.feed(ANNOTATION.sub("", mathml))
    parser.close()
    return parser.text - {" ", "\n", "\t"}


def italic_form(char: str) -> str | None:
    """The mathematical italic letter MathML shows for a one-letter ``<mi>``: 𝑥 for x, 𝛼 for α
    (MathML Core's ``text-transform: math-auto``), or None for a character without one."""
    if char == "h":
        return "\u210e"  # PLANCK CONSTANT: Unicode's italic h (U+1D455 is left unassigned)
    name = unicodedata.name(char, "")
    for prefix in ("LATIN ", "GREEK "):
        name = name.removeprefix(prefix)
    name = name.replace("LETTER ", "")
    try:
        return unicodedata.lookup(f"MATHEMATICAL ITALIC {name}")
    except KeyError:
        return None


def font_characters(shown: set[str]) -> str:
    """What the math font must hold: the shown characters that are not Chinese (they come from
    the reader's own fonts), and the italic form of each letter among them; sorted."""
    chars = {c for c in shown if not unicodedata.name(c, "").startswith("CJK")}
    chars |= {i for c in chars if (i := italic_form(c)) is not None}
    return "".join(sorted(chars))


def subset_font(characters: str) -> bytes:
    """STIX Two Math cut down to ``characters`` (and what its MATH and layout tables reach from
    them: larger sizes of brackets and sums, glyph parts of stretched ones), as WOFF2."""
    return _subset(FONT_SOURCE, characters)


def temml_font_text(shown: set[str]) -> str:
    """What Temml's font must hold: ``shown`` (the characters formulas show in it) and its
    blank glyphs; sorted."""
    return "".join(sorted(shown | set(TEMML_FONT_BLANKS)))


def subset_temml_font(characters: str) -> bytes:
    """Temml's font cut down to ``characters``, as WOFF2 (its name table, with the copyright and
    the licence fields, kept)."""
    return _subset(TEMML_FONT_SOURCE, characters)


def _subset(source: Path, characters: str) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]  # keep the copyright and the licence's name and address
    options.notdef_outline = True
    # recalcTimestamp=False: the subset keeps the source font's own date. fontTools would
    # otherwise stamp it with the time of saving (or SOURCE_DATE_EPOCH where set), and a subset
    # kept in the build cache by a build run without that variable (a plain `mkdocs build`)
    # would make the next site differ from a clean build in that date alone.
    font = TTFont(source, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out, reorderTables=False)
    return out.getvalue()


def typeset(output: str, where: str) -> tuple[str, int]:
    """``output`` with every arithmatex formula and every TeX piece in a navigation label
    typeset; the number of formulas typeset."""
    temml = _renderer()
    count = 0

    def one(tex: str, display: bool) -> str | None:
        nonlocal count
        answer = temml.render(tex, display)
        if "error" in answer:
            log.error(f"{where}: Temml cannot render {tex[:200]!r}: {answer['error']}")
            return None
        count += 1
        _shown.update(shown_characters(answer["html"]))
        _temml_shown.update(temml_font_characters(answer["html"]))
        return answer["html"]

    def formula(m: re.Match[str]) -> str:
        tag, body = m.group(1), m.group(2)
        rendered = one(strip_delimiters(html.unescape(body)), tag == "div")
        if rendered is None:
            return m.group(0)
        return f'<{tag} class="arithmatex">{rendered}</{tag}>'

    def label(m: re.Match[str]) -> str:
        def piece(p: re.Match[str]) -> str:
            rendered = one(html.unescape(p.group(1)).strip(), False)
            return p.group(0) if rendered is None else rendered

        return m.group(1) + NAV_MATH.sub(piece, m.group(2)) + m.group(3)

    output = FORMULA_THEN_PUNCTUATION.sub(NO_BREAK, output)
    output = FORMULA.sub(formula, output)
    output = NAV_LABEL.sub(label, output)
    return output, count


def on_pre_build(config: Any) -> None:
    _shown.clear()
    _temml_shown.clear()


def _font_preload(href: str) -> str:
    """The math font requested as the page starts to load, not when the first formula is laid
    out: otherwise the lines around inline formulas are laid out once in a fallback font and
    again, a pixel or two taller, when STIX arrives (Lighthouse: a layout shift of 0.086 on the
    logistic regression page, 0 with the preload). ``crossorigin`` because a font is always
    fetched in CORS mode: without it the preload would not be the request the font uses.

    The link opens the ``<body>`` (preload may stand in the body), not the head. Chromium makes
    a font preload in the head render-blocking (for at most 50 ms, by design), and in
    Lighthouse that held the first paint of a fully loaded page for another 0.9 to 2 s in about
    half the runs (Chromium 156, a copy of the logistic regression page cut to its first half:
    3 of 6 runs, observed first paint 2.3 s after a load that ended at 0.4 s; performance 91 to
    95 in those runs, 98 to 99 in the others). From the body it blocks nothing, the preload
    scanner still requests the font with the stylesheets, and on the whole page the layout
    shift stays 0 and no first paint stalled (5 runs of 5)."""
    return f'<link rel="preload" href="{href}" as="font" type="font/woff2" crossorigin>'


def _offline(config: Any) -> bool:
    """The offline copy (material's offline plugin on): opened from file://, where Chromium
    refuses a CORS-mode preload (an error in the console) and there is nothing to download."""
    plugin = config["plugins"].get("material/offline")
    return bool(plugin is not None and plugin.config.enabled)


def on_post_page(output: str, *, page: Page, config: Any) -> str:
    output, count = typeset(output, page.file.src_uri)
    if count:
        href = get_relative_url(STYLESHEET, page.url)
        link = f'<link rel="stylesheet" href="{href}">'
        output, n = EXTRA_CSS.subn(lambda m: link + m.group(0), output, count=1)
        if n == 0:
            output = output.replace("</head>", link + "</head>", 1)
        if not _offline(config):
            preload = _font_preload(get_relative_url(FONT_FILE, page.url))
            output, n = BODY_START.subn(lambda m: m.group(0) + preload, output, count=1)
            if n == 0:
                where = page.file.src_uri
                raise PluginError(f"{where}: no <body> for the math font's preload")
    return output


def _close() -> None:
    global _temml
    if _temml is not None:
        _temml.close()
        _temml = None


def on_post_build(config: Any) -> None:
    _close()
    if _shown:
        target = Path(config["site_dir"]) / FONT_FILE
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(subset_font(font_characters(_shown)))
    if not as_shipped():
        target = Path(config["site_dir"]) / TEMML_FONT_FILE
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(subset_temml_font(temml_font_text(_temml_shown)))


def on_build_error(error: Exception) -> None:
    _close()
