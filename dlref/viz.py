"""Figures for the pages: matplotlib figures turned into deterministic, accessible inline SVG.

Every figure on the site is drawn by code when the site is built. A page's code block draws a
matplotlib figure and prints ``figure_html(fig, alt=..., caption=...)``; markdown-exec puts the
printed HTML into the page. That line is hidden from the code the page shows (``# markdown-exec:
hide``), which ends in ``plt.show()`` instead: copied into a Jupyter notebook or a Python session,
it shows the figure. This module makes the page's output

* **deterministic**: no date in the metadata, and element ids derived from the caption, so the
  same sources give byte-identical SVG;
* **readable in Chinese on a fresh machine**: text stays text (``svg.fonttype: none``) and is
  measured with a CJK font installed from PyPI; a label with a glyph that no font has raises
  instead of silently drawing empty boxes;
* **accessible and theme-aware**: the SVG carries ``role="img"`` and an ``aria-label``, sits in a
  ``<figure>`` with a caption, and the site's stylesheet adapts it to the dark palette.

It also holds :func:`source_markdown`, which prints a function's source into a page.

This module is site machinery, not a lesson: no module under ``dlref.functional``, ``dlref.nn``,
``dlref.autograd`` or ``dlref.data`` imports it, and importing :mod:`dlref` never imports it or
matplotlib. It ships in the package so that a page's code runs the same in a notebook with only
dlref installed.

Drawing needs matplotlib and the CJK font package: ``pip install "dlref[viz]"``. Importing this
module configures matplotlib (:func:`setup`) when both are installed, so a page imports it
*before* it creates a figure: a text's font is fixed when the text is created. Without them the
import still works (:func:`source_markdown` needs neither), and :func:`setup` and
:func:`figure_html` raise an ``ImportError`` that names the extra to install.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import html
import importlib
import inspect
import io
import logging
import os
import re
import struct
import textwrap
import warnings
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["figure_html", "setup", "source_markdown"]

# The font used to *measure* CJK text. The browser renders the text with the reader's own fonts.
CJK_FAMILY = "Noto Sans CJK TC"

# The minus sign (U+2212) as current Noto Sans CJK (2.x, every region) and simplified-Chinese
# fonts draw it: as wide as the plus sign, 0.555 em, a bar from 0.038 to 0.517 em across and
# from 0.335 to 0.403 em up (font units, 1000 to the em). The CJK font on PyPI is Noto Sans CJK
# TC 1.004, whose minus is full width (1 em). Measured with it, matplotlib would leave 1 em for
# each minus in a formula, the reader's font would draw 0.555 em, and "10⁻¹" would show a gap
# after the minus. That font has the narrow minus too, as the glyph of the soft hyphen (U+00AD).
# So matplotlib measures (and a PNG draws) with a copy whose minus is that glyph
# (_measuring_font), and an SVG draws a formula's minus as exactly this bar (_minus_bars),
# whatever fonts the reader has.
MINUS_ADVANCE = 555
MINUS_BAR = (38, 335, 517, 403)  # x0, y0, x1, y1
MINUS, SOFT_HYPHEN = 0x2212, 0x00AD


#: What to install for figures, named in the error when something is missing.
VIZ_EXTRA = 'pip install "dlref[viz]"'


def _require(module: str) -> Any:
    """Import a drawing dependency, or raise an ImportError that says how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"dlref.viz draws figures with matplotlib and the CJK font package "
            f"cvttf-NotoSansCJK-Regular, and {module!r} is not installed: {VIZ_EXTRA} "
            f"(or pip install matplotlib cvttf-NotoSansCJK-Regular)"
        ) from error


@cache
def _cjk_font_path() -> Path:
    font_pkg = _require("cvttf_NotoSansCJK_Regular")

    path = Path(font_pkg.__file__).with_name("NotoSansCJKtc-Regular.otf")
    if not path.is_file():
        raise RuntimeError(f"CJK font file not found at {path}; reinstall it: {VIZ_EXTRA}")
    return path


def _checksum(data: bytes) -> int:
    """An OpenType table checksum: the sum of its big-endian 32-bit words, modulo 2**32."""
    padded = data + b"\0" * (-len(data) % 4)
    words: tuple[int, ...] = struct.unpack(f">{len(padded) // 4}L", padded)
    return sum(words) & 0xFFFFFFFF


def _map_minus(data: bytearray, cmap: int, gid: int) -> None:
    """Point U+2212 at glyph ``gid`` in each Unicode subtable of the ``cmap`` table that starts
    at byte ``cmap`` of ``data``, in place (sizes unchanged: the entry is changed, not added)."""
    (count,) = struct.unpack_from(">H", data, cmap + 2)
    for record in range(cmap + 4, cmap + 4 + 8 * count, 8):
        at = cmap + struct.unpack_from(">L", data, record + 4)[0]
        (kind,) = struct.unpack_from(">H", data, at)
        if kind == 12:  # groups of (first code, last code, first glyph)
            (groups,) = struct.unpack_from(">L", data, at + 12)
            for group in range(at + 16, at + 16 + 12 * groups, 12):
                first, last, _ = struct.unpack_from(">LLL", data, group)
                if first <= MINUS <= last:
                    if first != last:
                        raise RuntimeError("the CJK font's cmap shares the minus's group")
                    struct.pack_into(">L", data, group + 8, gid)
        elif kind == 4:  # four arrays of segments: end codes, start codes, deltas, offsets
            (twice,) = struct.unpack_from(">H", data, at + 6)  # 2 × the number of segments
            arrays = (at + 14, at + 16 + twice, at + 16 + 2 * twice, at + 16 + 3 * twice)
            for k in range(twice // 2):
                end, start, delta, offset = (
                    struct.unpack_from(">H", data, array + 2 * k)[0] for array in arrays
                )
                if not start <= MINUS <= end:
                    continue
                if offset:  # the glyph is glyphIdArray[...] + delta
                    entry = arrays[3] + 2 * k + offset + 2 * (MINUS - start)
                    struct.pack_into(">H", data, entry, (gid - delta) % 65536)
                elif start == end:  # the glyph is code + delta
                    struct.pack_into(">H", data, arrays[2] + 2 * k, (gid - MINUS) % 65536)
                else:
                    raise RuntimeError("the CJK font's cmap shares the minus's segment")


@cache
def _measuring_font() -> Path:
    """The CJK font with the minus sign drawn by its narrow minus (``MINUS_ADVANCE`` says why).

    Only the minus's entries in ``cmap`` change, and the checksums that cover them. The copy is
    written once, to matplotlib's cache folder, under a name that carries a hash of the
    original, so that a new font package makes a new copy.
    """
    mpl = _require("matplotlib")
    ttlib = _require("fontTools.ttLib")
    bounds_pen = _require("fontTools.pens.boundsPen")
    source = _cjk_font_path()
    original = source.read_bytes()
    digest = hashlib.sha256(original).hexdigest()[:16]
    target = Path(mpl.get_cachedir()) / "dlref" / f"{source.stem}-minus-{digest}.otf"
    if target.is_file():
        return target
    font = ttlib.TTFont(io.BytesIO(original), lazy=True)
    narrow = font.getBestCmap()[SOFT_HYPHEN]
    bounds = bounds_pen.BoundsPen(font.getGlyphSet())
    font.getGlyphSet()[narrow].draw(bounds)
    if font["hmtx"][narrow][0] != MINUS_ADVANCE or bounds.bounds != MINUS_BAR:
        raise RuntimeError(f"{source}: its soft hyphen is not the narrow minus MINUS_BAR")
    data = bytearray(original)
    cmap, head = font.reader.tables["cmap"], font.reader.tables["head"]
    _map_minus(data, cmap.offset, font.getGlyphID(narrow))
    # The table directory (12 bytes, then 16 per table: tag, checksum, offset, length) holds
    # cmap's checksum; head's checkSumAdjustment makes the whole file sum to 0xB1B0AFBA.
    (count,) = struct.unpack_from(">H", data, 4)
    for record in range(12, 12 + 16 * count, 16):
        if bytes(data[record : record + 4]) == b"cmap":
            table = bytes(data[cmap.offset : cmap.offset + cmap.length])
            struct.pack_into(">L", data, record + 4, _checksum(table))
    struct.pack_into(">L", data, head.offset + 8, 0)
    struct.pack_into(">L", data, head.offset + 8, (0xB1B0AFBA - _checksum(bytes(data))) % 2**32)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(data)
    partial.replace(target)  # atomic: a parallel process reads the old name or the whole copy
    return target


# In a formula, matplotlib writes each glyph as a <tspan> at the place it measured, with its
# font size (and its colour, when the text has one) in the style; a minus sign is "−".
_GLYPH_MINUS = re.compile(r'<tspan x="([-\d.]+)" y="([-\d.]+)" style="([^"]*)">\u2212</tspan>')
_FONT_SIZE = re.compile(r"font-size:\s*([\d.]+)px")
_FILL = re.compile(r"fill:\s*(#[0-9a-fA-F]{3,8}|[a-z]+)")


def _minus_bars(svg: str) -> str:
    """``svg`` with each minus sign of a formula drawn as the bar ``MINUS_BAR`` (a ``<rect>``),
    exactly where and as wide as matplotlib measured it.

    A formula's glyphs are placed one by one, so the glyph the reader's font draws must have
    the measured width: a font whose minus is full width (older CJK fonts) would leave a gap,
    or run into the next glyph. A font carried in the figure file fixed that, but an SVG shown
    as ``<img>`` is painted before such a font loads and again after, so the same page gave
    different screenshots (4 of 4 runs of the site's screenshot comparison; 0 of 4 without it).
    The bar needs no font. The ``−`` stays in the text, unpainted, for selection and search.
    """

    def formula(text: re.Match[str]) -> str:
        bars: list[str] = []  # a <rect> cannot be inside a <text>: the bars go after it

        def unpainted(glyph: re.Match[str]) -> str:
            x, y, style = float(glyph[1]), float(glyph[2]), glyph[3]
            size = _FONT_SIZE.search(style)
            if size is None:
                return glyph[0]
            em = float(size[1]) / 1000  # font units to px
            x0, y0, x1, y1 = MINUS_BAR
            fill = _FILL.search(style)  # else the group's fill, as for the text
            bars.append(
                f'<rect x="{x + x0 * em:.6f}" y="{y - y1 * em:.6f}" '
                f'width="{(x1 - x0) * em:.6f}" height="{(y1 - y0) * em:.6f}"'
                + (f' style="fill: {fill[1]}"' if fill else "")
                + "/>"
            )
            return (
                f'<tspan x="{glyph[1]}" y="{glyph[2]}" style="{style}; fill: none">\u2212</tspan>'
            )

        body = _GLYPH_MINUS.sub(unpainted, text[0])
        return body + "".join(bars)  # in the formula's group: the same transform

    return re.sub(r"<text\b[^>]*>(?:(?!</text>).)*</text>", formula, svg, flags=re.DOTALL)


@cache
def setup() -> None:
    """Configure matplotlib once for the site's figures (idempotent; run on import).

    Raises
    ------
    ImportError
        If matplotlib or the CJK font package is not installed (``pip install "dlref[viz]"``).
    """
    mpl = _require("matplotlib")
    font_manager = _require("matplotlib.font_manager")

    # The backend stays as matplotlib chose it, so that the plt.show() a page's drawing code ends
    # with shows the figure in a reader's Jupyter kernel or desktop session. The site's build
    # and tests, which show nothing on a screen, select svg themselves (tools/mkdocs_hooks.py,
    # conftest.py).
    font_manager.fontManager.addfont(str(_measuring_font()))
    # Measure with exactly the fonts that ship with the Python packages: a system copy of the
    # same family (Debian's fonts-noto-cjk, fonts-dejavu) has other metrics, and would make the
    # SVG depend on the machine that built the site.
    mpl_fonts = Path(mpl.get_data_path()).resolve()
    font_manager.fontManager.ttflist = [
        f
        for f in font_manager.fontManager.ttflist
        if not (f.name == CJK_FAMILY and Path(f.fname) != _measuring_font())
        and not (f.name.startswith("DejaVu") and mpl_fonts not in Path(f.fname).resolve().parents)
    ]
    font_manager.fontManager._findfont_cached.cache_clear()
    mpl.rcParams.update(
        {
            "svg.fonttype": "none",  # keep text as text: small, selectable, restylable
            # The CJK font first: it has Latin glyphs too, and mathtext sets the plain text of a
            # label that also has $math$ in the *first* font of this list (no per-glyph
            # fallback there). The list must name fonts: a generic family ("sans-serif")
            # resolves to its first font only.
            "font.family": [CJK_FAMILY, "DejaVu Sans"],
            # Math letters and symbols in DejaVu Sans.
            "mathtext.fontset": "custom",
            "mathtext.rm": CJK_FAMILY,
            "mathtext.it": "DejaVu Sans:italic",
            "mathtext.bf": "DejaVu Sans:bold",
            "mathtext.sf": "DejaVu Sans",
            "mathtext.tt": "DejaVu Sans Mono",
            "mathtext.cal": "DejaVu Sans:italic",
            "mathtext.fallback": "cm",
            "axes.unicode_minus": True,  # "−1", not "-1": the minus is MINUS_ADVANCE wide
            "figure.figsize": (6.4, 3.6),
            "figure.dpi": 100,
            "font.size": 10,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "legend.frameon": False,
            "savefig.bbox": "tight",
            "path.simplify": False,
        }
    )


# A page imports dlref.viz before it draws: fonts are fixed when a text is created. Without the
# viz extra there is nothing to configure; figure_html and setup then say what to install.
with contextlib.suppress(ImportError):
    setup()


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


_MISSING_GLYPH = re.compile(r"Glyph .* missing from", re.DOTALL)
# A math symbol the configured fonts lack falls back to Computer Modern ("mathtext.fallback").
# Those TeX fonts keep symbols at the codes of other characters (cmsy10 has ⊤ at ">"), and the
# SVG keeps text as text, drawn in the reader's fonts: the reader would see ">" for ⊤.
_TEX_ENCODED_FONT = re.compile(r"font[^;\"]*?\b(cmsy10|cmex10|cmmi10)\b[^>]*>([^<]*)<")


def figure_html(fig: Any, *, alt: str, caption: str) -> str:
    """Render a matplotlib figure as an inline ``<figure>`` with an SVG and a caption.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to render. It is closed afterwards.
    alt : str
        What the figure shows, for screen readers (``aria-label``). Must not be empty.
    caption : str
        The visible caption (plain text). Must not be empty; it also seeds the element ids.

    Returns
    -------
    str
        HTML to print from a ``markdown-exec`` block with ``html="1"``.

    Raises
    ------
    ValueError
        If ``alt`` or ``caption`` is empty.
    RuntimeError
        If a label uses a character that no installed font can draw, or a math symbol that only
        the TeX fallback fonts have (their SVG text would be another character).
    ImportError
        If matplotlib or the CJK font package is not installed (``pip install "dlref[viz]"``).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from dlref.viz import figure_html, setup
    >>> setup()
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0, 1])
    >>> _ = ax.set_title("损失")
    >>> out = figure_html(fig, alt="一条直线", caption="示例图")
    >>> out.startswith('<figure class="dlref-figure">'), "<svg" in out, "损失" in out
    (True, True, True)
    """
    if not alt.strip() or not caption.strip():
        raise ValueError("figure_html needs a non-empty `alt` and `caption`")
    setup()
    mpl = _require("matplotlib")
    plt = _require("matplotlib.pyplot")
    salt = hashlib.sha256(caption.encode("utf-8")).hexdigest()[:12]
    buf = io.StringIO()
    # Missing glyphs are reported as warnings (plain text) or as log records (mathtext):
    # collect both and turn them into an error, so no figure ships with empty boxes.
    logged = _Collect()
    mathtext_log = logging.getLogger("matplotlib.mathtext")
    mathtext_log.addHandler(logged)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with mpl.rc_context({"svg.hashsalt": salt}):
                # transparent: the page's own background shows, light or dark (the site's
                # stylesheet recolours the figure for the dark palette). Only here: a reader's
                # own fig.savefig() keeps matplotlib's white background.
                fig.savefig(buf, format="svg", metadata={"Date": None}, transparent=True)
    finally:
        mathtext_log.removeHandler(logged)
        plt.close(fig)
    for message in logged.messages:
        if "does not have a glyph" in message:
            raise RuntimeError(f"figure {caption!r}: {message}")
    for w in caught:
        if _MISSING_GLYPH.search(str(w.message)):
            raise RuntimeError(f"figure {caption!r}: {w.message}")
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    svg = buf.getvalue()
    fallback = _TEX_ENCODED_FONT.search(svg)
    if fallback:
        raise RuntimeError(
            f"figure {caption!r}: a math symbol fell back to the TeX font {fallback[1]}, which "
            f"stores it as {html.unescape(fallback[2])!r}, and a reader's browser would draw that "
            "character; use a symbol DejaVu Sans has (a transpose: ^{\\mathsf{T}})"
        )
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and doctype: inline SVG needs neither
    svg = _minus_bars(svg)
    # matplotlib names its groups figure_1, axes_1, line2d_1, ... in every figure: inline, two
    # figures on one page would repeat those ids. Keep only the ids something refers to (the
    # salted marker and clip-path ids); the rest are dropped.
    used = set(re.findall(r"""(?:href="#|url\(#)([^")]+)""", svg))
    svg = re.sub(r' id="([^"]+)"', lambda m: m.group(0) if m.group(1) in used else "", svg)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{html.escape(alt)}" ', 1)
    return (
        '<figure class="dlref-figure">'
        f"{svg.strip()}"
        f"<figcaption>{html.escape(caption)}</figcaption>"
        "</figure>"
    )


def source_markdown(obj: Any, *, docstring: bool = False) -> str:
    """The source of a function or class as a fenced Markdown code block, for a page to print.

    Pages show the from-scratch code of :mod:`dlref` by printing this from a ``markdown-exec``
    block, so what the reader sees is always the code that runs. The docstring is left out by
    default: the API reference shows it.

    Parameters
    ----------
    obj : function or class
        What to show.
    docstring : bool, default False
        Keep the docstring (of ``obj`` itself; nested docstrings are always kept).

    Returns
    -------
    str
        A ```` ```python ```` fenced block, followed by an empty line: blocks printed one
        after another stay separate blocks (without it Markdown reads a fence that directly
        follows another as part of a paragraph, and wraps the code in ``<p>``).

    Examples
    --------
    >>> from dlref.viz import source_markdown, setup
    >>> block = source_markdown(setup)
    >>> block.splitlines()[:3]
    ['```python', '@cache', 'def setup() -> None:']
    >>> "idempotent" in block  # the docstring is left out
    False
    """
    source = textwrap.dedent(inspect.getsource(obj))
    if not docstring:
        node = ast.parse(source).body[0]
        body = getattr(node, "body", [])
        if (
            body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            lines = source.splitlines(keepends=True)
            first, last = body[0].lineno - 1, body[0].end_lineno or body[0].lineno
            source = "".join(lines[:first] + lines[last:])
    return f"```python\n{source.rstrip()}\n```\n"
