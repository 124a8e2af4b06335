r"""Formulas as plain text for search results: ``\frac{\partial p}{\partial z_j}`` → ``∂p/∂z_j``.

The pages show each formula typeset (MathML, ``overrides/hooks/mathml.py``), but the search
plugin indexes the page before that, so a search result's preview would show the TeX source:
``\[ \operatorname{nll\_loss}(x, y) = -\frac{1}{N} \sum_{n=1}^{N} x_{n, y_n} . \]``. The index
cannot carry the MathML instead: it is about 12 times the TeX's size (measured on this site), and
the index is what the search downloads. So ``overrides/hooks/search_content.py`` writes each
formula in the index the way one types a formula in plain text, ``nll_loss(x, y) = -1/N
∑_(n=1)^N x_(n, y_n)``, with :func:`to_text`.

pylatexenc (PyPI) parses the TeX and supplies the Unicode for its symbols (Greek letters,
operators, ``\mathbb{R}`` → ℝ, accents: ``\hat m`` → m̂). Its own text conversion is not used
for the structure: it drops the braces that group a fraction's parts and a sub- or superscript,
so ``\frac{e^{z_j - m}}{\sum_k e^{z_k - m}}`` became ``e^z_j - m/∑_k e^z_k - m``, which reads as a
different formula, and it ran the rows and cells of a ``cases`` block together. This module
walks pylatexenc's parse tree itself and keeps the grouping:

* a fraction is ``a/b``, each part in parentheses when it has more than one term or factor:
  ``(∂ℓ)/(∂w)`` is written ``∂ℓ/∂w``, but ``TP/(TP + FP)`` and ``1/(2σ²)`` keep theirs;
* a sub- or superscript of more than one term is parenthesized, ``x_(n, y_n)``, ``e^(z_j - m)``;
  one made of digits and signs only uses the Unicode superscript and subscript characters
  (``e⁻²``, ``x₁``), and ``^\top`` is ``ᵀ``;
* ``\sqrt{a + b}`` is ``√(a + b)``; ``\operatorname``, ``\text`` and the like leave their text;
* a ``cases`` block is ``{x, x > 0; α (e^x - 1), x ≤ 0}`` (a row's cells joined by commas, rows
  by semicolons), an ``aligned`` block its rows joined by semicolons;
* spacing commands become one space, sizing commands (``\left``, ``\bigl``) nothing.

A macro this module does not know keeps its name without the backslash. tests/test_tex_text.py
holds the cases above; tests/site/test_static.py checks every formula of the built site (each
macro known, :func:`is_known`; the added parentheses in pairs) and that the built index holds
no TeX.
"""

from __future__ import annotations

import re
from functools import cache

from pylatexenc import latexwalker
from pylatexenc.latex2text import LatexNodes2Text
from pylatexenc.latex2text import get_default_latex_context_db as symbols_db
from pylatexenc.macrospec import MacroSpec

# The parser must know how many arguments a macro takes. pylatexenc's default set lacks these.
ARGUMENTS = {
    "operatorname": "{", "dfrac": "{{", "tfrac": "{{", "mathbb": "{", "mathbf": "{",
    "mathcal": "{", "mathrm": "{", "mathit": "{", "boldsymbol": "{", "text": "{",
    "texttt": "{", "hat": "{", "tilde": "{", "bar": "{", "vec": "{", "dot": "{",
}  # fmt: skip
FRACTIONS = {"frac", "dfrac", "tfrac"}
# Macros whose argument is text to show as it is.
TEXT = {"operatorname", "text", "texttt", "mathrm", "mathit", "mathbf", "boldsymbol"}
# Macros that pylatexenc's own conversion renders well on a single argument (a letter in another
# alphabet, or with an accent).
DELEGATE = {"mathbb", "mathcal", "hat", "tilde", "bar", "vec", "dot"}
SPACES = {",", ";", ":", " ", "quad", "qquad"}
DROPPED = {
    "left", "right", "big", "bigl", "bigr", "Big", "Bigl", "Bigr", "bigg", "biggl", "biggr",
    "textstyle", "displaystyle", "!",
}  # fmt: skip
ESCAPED = {"{": "{", "}": "}", "%": "%", "_": "_", "|": "‖", "&": "&", "#": "#", "$": "$"}
# Symbols the site uses that pylatexenc's table lacks.
MORE_SYMBOLS = {"ne": "≠", "iff": "⟺"}
SUPERSCRIPT = str.maketrans("0123456789+-−=()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾")
SUBSCRIPT = str.maketrans("0123456789+-−=()", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎")
SCRIPT_DIGITS = re.compile(r"[0-9+\-−=()]+")
# A part of a formula with more than one term: it holds a space or an operator.
COMPOUND = re.compile(r"[\s+\-−=/·×,;<>≤≥≈∈]")
# A sub- or superscript is parenthesized also when it has a script of its own: w_(y_n).
COMPOUND_SCRIPT = re.compile(r"[\s+\-−=/·×,;<>≤≥≈∈_^]")
# A one-character sub- or superscript written without braces, inside a run of characters: x_1.
BARE_SCRIPT = re.compile(r"([_^])([0-9])")
# Signs written right before what they act on (∂z, ∑_i, |x|): the space after them is dropped.
PREFIX = {"partial", "sum", "prod", "int", "nabla", "neg", "lvert", "lVert", "lfloor", "lceil"}
# A group in parentheses, brackets or bars with none inside: removed repeatedly, it leaves the
# top level.
NESTED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|\|[^|]*\|")
# A number times a letter (2σ², 4x): a product, so more than one factor.
PRODUCT = re.compile(r"\d[^\W\d_]")
# A name: two letters or more (log, ReLU), not one symbol (α).
WORD = re.compile(r"[^\W\d_]{2}")


@cache
def _context() -> latexwalker.LatexContextDb:
    db = latexwalker.get_default_latex_context_db()
    db.add_context_category(
        "dlref-search", prepend=True, macros=[MacroSpec(n, a) for n, a in ARGUMENTS.items()]
    )
    return db


@cache
def _symbols() -> dict[str, str]:
    """Zero-argument macros pylatexenc knows as Unicode text: \\alpha → α, \\log → log."""
    db = symbols_db()
    table: dict[str, str] = {}
    for category in db.categories():
        for name in db.d[category]["macros"]:
            spec = db.get_macro_spec(name)
            if (
                spec is not None
                and isinstance(spec.simplify_repl, str)
                and "%" not in spec.simplify_repl
            ):
                table[name] = spec.simplify_repl
    return table | MORE_SYMBOLS


def _wrap(text: str, compound: re.Pattern[str] = COMPOUND) -> str:
    """A part that has more than one term or factor, in parentheses: 1/(2σ²), not 1/2σ².

    What is inside parentheses, brackets or bars already does not count: e^(z - m), max(a, b)
    and |e| are one term each."""
    text = text.strip()
    top = text
    while True:
        inner = NESTED.sub("", top)
        if inner == top:
            break
        top = inner
    return f"({text})" if compound.search(top) or PRODUCT.search(top) else text


def _script(mark: str, text: str) -> str:
    """A sub- (``mark`` "_") or superscript ("^") of ``text``."""
    text = text.strip()
    if mark == "^" and text == "⊤":
        return "ᵀ"
    if SCRIPT_DIGITS.fullmatch(text):
        return text.translate(SUPERSCRIPT if mark == "^" else SUBSCRIPT)
    return mark + _wrap(text, COMPOUND_SCRIPT)


@cache
def _pylatexenc_text() -> LatexNodes2Text:
    """pylatexenc's own conversion, for the macros in ``DELEGATE`` (made once: its set-up costs
    as much as converting a formula)."""
    return LatexNodes2Text(math_mode="text")


class _Writer:
    def nodes(self, nodes: list[latexwalker.LatexNode | None]) -> str:
        out = ""
        after_fraction = after_word = False
        for node in nodes:
            if node is None:
                continue
            piece = self.node(node)
            if out.endswith(("_", "^")) and not isinstance(node, latexwalker.LatexCharsNode):
                out, mark = out[:-1], out[-1]  # x_{ih}, W^\top: the group or macro is the script
                after = " " if getattr(node, "macro_post_space", "") else ""
                piece = _script(mark, piece) + after
            elif (out[-1:].isalnum() and _is_word(node, piece)) or (
                after_word and piece[:1].isalpha()
            ):
                out += " "  # c ReLU(z), α min(0, z), log σ(x): a name does not run into a letter
            elif after_fraction and piece[:1] not in ("", " ", ",", ".", ";", ")", "]", "}"):
                out += " "  # 1/n ∑_i, not 1/n∑_i (which reads as 1/(n ∑_i))
            if piece:  # \left writes nothing: x/2 \left( is still "after a fraction"
                after_fraction = (
                    isinstance(node, latexwalker.LatexMacroNode) and node.macroname in FRACTIONS
                )
                after_word = _is_word(node, piece) and piece[-1:].isalpha()
            out += piece
        return out

    def node(self, node: latexwalker.LatexNode) -> str:
        if isinstance(node, latexwalker.LatexCharsNode):
            return BARE_SCRIPT.sub(lambda m: _script(m[1], m[2]), node.chars)
        if isinstance(node, latexwalker.LatexGroupNode):
            return self.nodes(node.nodelist)
        if isinstance(node, latexwalker.LatexSpecialsNode):
            return " " if node.specials_chars == "&" else node.specials_chars
        if isinstance(node, latexwalker.LatexEnvironmentNode):
            return self.environment(node)
        if isinstance(node, latexwalker.LatexMacroNode):
            return self.macro(node)
        return str(node.latex_verbatim())

    def macro(self, node: latexwalker.LatexMacroNode) -> str:
        name = node.macroname
        args = [a for a in (node.nodeargd.argnlist if node.nodeargd else []) if a is not None]
        after = " " if node.macro_post_space else ""
        if name in FRACTIONS and len(args) >= 2:
            return f"{_wrap(self.node(args[-2]))}/{_wrap(self.node(args[-1]))}"
        if name == "sqrt" and args:
            index = self.node(args[0]).strip() if len(args) == 2 else ""
            return index.translate(SUPERSCRIPT) + "√" + _wrap(self.node(args[-1]))
        if name in TEXT and args:
            return self.node(args[-1])
        if name in DELEGATE and args:
            return str(_pylatexenc_text().latex_to_text(node.latex_verbatim())).strip()
        if name in SPACES:
            return " "
        if name in DROPPED:
            return ""
        if name == "\\":
            return "; "
        if name in ESCAPED:
            return ESCAPED[name]
        symbol = _symbols().get(name, name)
        # The space after a macro ends its name in TeX (\\partial z), but it is also the space the
        # author put around a relation (x \\le 0): keep it, except after a sign that stands before
        # what it acts on.
        return str(symbol if name in PREFIX else symbol + after)

    def environment(self, node: latexwalker.LatexEnvironmentNode) -> str:
        rows: list[list[list[latexwalker.LatexNode]]] = [[[]]]
        for child in node.nodelist:
            if isinstance(child, latexwalker.LatexMacroNode) and child.macroname == "\\":
                rows.append([[]])
            elif isinstance(child, latexwalker.LatexSpecialsNode) and child.specials_chars == "&":
                rows[-1].append([])
            else:
                rows[-1][-1].append(child)
        # A cell's own trailing comma (1, & x > 0) would double the one that joins the cells.
        cells = [[_squeeze(self.nodes(c)).rstrip(" ,") for c in row] for row in rows]
        cells = [row for row in cells if any(row)]
        if node.environmentname == "cases":
            return "{" + "; ".join(", ".join(c for c in row if c) for row in cells) + "}"
        # aligned: the cells between two & are one column (lhs & = rhs), the next & starts the
        # next column (an annotation, another equation).
        columns = [
            [" ".join(c for c in row[i : i + 2] if c) for i in range(0, len(row), 2)]
            for row in cells
        ]
        return "; ".join(", ".join(c for c in row if c) for row in columns)


def _is_word(node: latexwalker.LatexNode, text: str) -> bool:
    """A macro that writes a name of two letters or more: log, tanh, \\operatorname{ReLU}."""
    return isinstance(node, latexwalker.LatexMacroNode) and bool(WORD.match(text))


def is_known(name: str) -> bool:
    """Whether :func:`to_text` has a rule or a symbol for the macro ``\\name``."""
    rules = FRACTIONS | TEXT | DELEGATE | SPACES | DROPPED | ESCAPED.keys()
    return name in rules or name in {"sqrt", "\\", "begin", "end"} or name in _symbols()


def _squeeze(text: str) -> str:
    return re.sub(r"[ \t\n]+", " ", text).strip()


def to_text(tex: str) -> str:
    r"""The formula ``tex`` (without its ``\(``/``\[`` delimiters) as one line of plain text.

    >>> to_text(r"\frac{\partial \ell}{\partial z_j} = p_j - q_j")
    '∂ℓ/∂z_j = p_j - q_j'
    >>> to_text(r"\operatorname{softmax}(z)_j = \frac{e^{z_j - m}}{\sum_k e^{z_k - m}}")
    'softmax(z)_j = e^(z_j - m)/(∑_k e^(z_k - m))'
    >>> to_text(r"W_{hh}^\top h_{t-1} + b, \quad 2^{-23}")
    'W_hhᵀ h_(t-1) + b, 2⁻²³'
    """
    walker = latexwalker.LatexWalker(tex, latex_context=_context(), tolerant_parsing=True)
    nodes, _, _ = walker.get_latex_nodes()
    text = _Writer().nodes(nodes)
    return _squeeze(text)
