"""MkDocs hook: typeset every formula at build time with the project's KaTeX.

``pymdownx.arithmatex`` (generic mode) marks formulas as
``<span class="arithmatex">\\(..\\)</span>`` and ``<div class="arithmatex">\\[..\\]</div>``.
After the page is rendered (``on_post_page``: the search plugin has already indexed the TeX
source), each one is replaced, inside the same element, by ``katex.renderToString``'s HTML and
MathML from ``node_modules/katex`` (pinned in package-lock.json), run in one node process per
build. A formula in a heading also reaches the table of contents as plain text
``\\(..\\)``: those pieces are typeset too.

So pages ship HTML and CSS, no math JavaScript. KaTeX's stylesheet (and through it its fonts) is
linked only from pages that have a formula. A formula KaTeX cannot parse is logged as an error,
which fails ``mkdocs build --strict``, and stays as TeX on the page.
"""

from __future__ import annotations

import html
import json
import logging
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

log = logging.getLogger("mkdocs.hooks.katex")

ROOT = Path(__file__).resolve().parent.parent.parent
KATEX = ROOT / "node_modules" / "katex"
RENDERER = ROOT / "tools" / "katex_render.cjs"
STYLESHEET = "assets/vendor/katex/katex.min.css"

# What arithmatex writes (its text is HTML-escaped TeX with its delimiters, no child elements).
FORMULA = re.compile(r'<(span|div) class="arithmatex">(.*?)</\1>', re.DOTALL)
# Table-of-contents and navigation labels: plain text, inline TeX between \( and \).
NAV_LABEL = re.compile(r'(<span class="md-ellipsis">)([^<]*\\\([^<]*)(</span>)')
NAV_MATH = re.compile(r"\\\((.+?)\\\)", re.DOTALL)
EXTRA_CSS = re.compile(r'<link rel="stylesheet" href="[^"]*assets/stylesheets/extra\.css">')


class KaTeX:
    """One node process that renders formulas on request, with answers remembered."""

    def __init__(self) -> None:
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("node not found: the build renders formulas with KaTeX under node")
        if not (KATEX / "package.json").is_file():
            raise RuntimeError(f"{KATEX} is missing: run `make env` (npm ci) first")
        self.process = subprocess.Popen(
            [node, str(RENDERER), str(KATEX)],
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
                raise RuntimeError("the KaTeX renderer (node) stopped")
            self.done[key] = json.loads(line)
        return self.done[key]

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=30)


_katex: KaTeX | None = None


def _renderer() -> KaTeX:
    global _katex
    if _katex is None:
        _katex = KaTeX()
    return _katex


def strip_delimiters(tex: str) -> str:
    """The TeX inside arithmatex's ``\\( \\)`` or ``\\[ \\]``."""
    tex = tex.strip()
    if tex[:2] in ("\\(", "\\[") and tex[-2:] in ("\\)", "\\]"):
        tex = tex[2:-2]
    return tex.strip()


def typeset(output: str, where: str) -> tuple[str, int]:
    """``output`` with every arithmatex formula and every TeX piece in a navigation label
    typeset; the number of formulas typeset."""
    katex = _renderer()
    count = 0

    def one(tex: str, display: bool) -> str | None:
        nonlocal count
        answer = katex.render(tex, display)
        if "error" in answer:
            log.error(f"{where}: KaTeX cannot render {tex[:200]!r}: {answer['error']}")
            return None
        count += 1
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

    output = FORMULA.sub(formula, output)
    output = NAV_LABEL.sub(label, output)
    return output, count


def on_post_page(output: str, *, page: Page, config: Any) -> str:
    output, count = typeset(output, page.file.src_uri)
    if count:
        href = get_relative_url(STYLESHEET, page.url)
        link = f'<link rel="stylesheet" href="{href}">'
        output, n = EXTRA_CSS.subn(lambda m: link + m.group(0), output, count=1)
        if n == 0:
            output = output.replace("</head>", link + "</head>", 1)
    return output


def on_post_build(config: Any) -> None:
    global _katex
    if _katex is not None:
        _katex.close()
        _katex = None


def on_build_error(error: Exception) -> None:
    on_post_build(None)
