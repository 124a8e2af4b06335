"""tools/tex_text.py: formulas written as plain text for the search results' previews.

Each case is a formula of the site's kind with the text a reader should see: a fraction's and a
script's grouping kept, the rows of a ``cases`` or ``aligned`` block apart, words and relations
spaced. (That every formula of the built site converts without TeX left over, and that the built
search index holds no TeX: tests/site/test_static.py.)"""

from __future__ import annotations

import doctest

import pytest

from tools import tex_text
from tools.tex_text import to_text

CASES = [
    # A fraction: a part of more than one term in parentheses, a single term as it is.
    (r"\frac{\partial \ell}{\partial w}", "∂ℓ/∂w"),
    (r"\dfrac{TP}{TP + FP}", "TP/(TP + FP)"),
    (r"\tfrac{1}{2} e^2", "1/2 e²"),
    # A number times a letter is two factors: 1/2σ² would read as σ²/2.
    (r"\frac{1}{2\sigma^2} \sum_i e_i^2", "1/(2σ²) ∑_i e_i²"),
    (r"\frac{2|e|\operatorname{sign}(\hat y)}{D^2}", "(2|e|sign(ŷ))/D²"),
    (r"\frac{|e_i|}{\max(|y_i|, \varepsilon)}", "|e_i|/max(|y_i|, ε)"),
    (r"e^{2a}", "e^(2a)"),
    # pylatexenc's own conversion gives e^z_j - m/∑_k e^z_k - m here: another formula.
    (
        r"\frac{e^{z_j - m}}{\sum_k e^{z_k - m}}",
        "e^(z_j - m)/(∑_k e^(z_k - m))",
    ),
    # What follows a fraction is set apart: 1/n∑ would read as 1/(n∑).
    (r"\frac{1}{n}\sum_{i=1}^{n} e_i^2", "1/n ∑_(i=1)^n e_i²"),
    (r"\frac{x}{2}\left(1 + \tanh u\right)", "x/2 (1 + tanh u)"),
    # Scripts: grouped when compound or scripted themselves; digits and signs raised or lowered.
    (r"x_{n, y_n}", "x_(n, y_n)"),
    (r"w_{y_n}", "w_(y_n)"),
    (r"W_{ih}", "W_ih"),
    (r"2^{-23} \approx 1.2\times10^{-7}", "2⁻²³ ≈ 1.2×10⁻⁷"),
    (r"h_{10}, x_1", "h₁₀, x₁"),
    (r"W_{hh}^\top h_{t-1}", "W_hhᵀ h_(t-1)"),
    (r"(W_{hh}^{(t)})_{ij}", "(W_hh^(t))_ij"),
    # Names: \operatorname and \text leave their text; a name does not run into a letter.
    (r"\log\sigma(x)", "log σ(x)"),
    (r"c\operatorname{ReLU}(z)", "c ReLU(z)"),
    (r"\alpha\min(0, z)", "α min(0, z)"),
    (r"\text{MAE} \le \text{RMSE}", "MAE ≤ RMSE"),
    (r"\mathcal{U}\!\left(-\tfrac{1}{\sqrt{H}}, \tfrac{1}{\sqrt{H}}\right)", "𝒰(-1/√H, 1/√H)"),
    (r"\sqrt{\frac{1}{n}\sum_i e_i^2}", "√(1/n ∑_i e_i²)"),
    (r"\hat y, \tilde\delta_t, x \in \mathbb{R}^{H}", "ŷ, δ̃_t, x ∈ ℝ^H"),
    # Spacing commands are one space, sizing commands nothing.
    (
        r"\sigma(z)\,\bigl(1 - \sigma(z)\bigr), \qquad m = \max_k z_k",
        "σ(z) (1 - σ(z)), m = max_k z_k",
    ),
    (r"\lVert g \rVert", "‖g ‖"),
    (r"p(y_i \mid \hat y_i)", "p(y_i | ŷ_i)"),
    # cases: a row's cells joined by a comma (the row's own comma not doubled), rows by ";".
    (
        r"\begin{cases} 1, & u_i \ge p \\ 0, & u_i < p \end{cases}",
        "{1, u_i ≥ p; 0, u_i < p}",
    ),
    # aligned: "lhs &= rhs" is one column; the next & starts another column.
    (
        r"\begin{aligned} Z &= X W_1^\top + b_1, & X&: (N, d) \\ A &= \operatorname{relu}(Z)"
        r" \end{aligned}",
        "Z = X W₁ᵀ + b₁, X : (N, d); A = relu(Z)",
    ),
    # Two symbols pylatexenc's table lacks.
    (r"a \ne b \iff c", "a ≠ b ⟺ c"),
    # A macro this module does not know keeps its name, without the backslash.
    (r"\unknownmacro x", "unknownmacro x"),
]


@pytest.mark.parametrize(("tex", "text"), CASES)
def test_a_formula_reads_as_plain_text(tex: str, text: str) -> None:
    assert to_text(tex) == text


def test_chinese_in_a_formula_keeps_the_search_plugin_s_word_breaks() -> None:
    # The search plugin segments Chinese with zero-width spaces, inside \text{} too.
    assert (
        to_text("\\text{\u200b精确率\u200b} = TP/(TP + FP)") == "\u200b精确率\u200b = TP/(TP + FP)"
    )


def test_the_module_s_examples_hold() -> None:
    # tools/ is not among the folders sybil collects docstring examples from.
    result = doctest.testmod(tex_text)
    assert result.attempted > 0
    assert result.failed == 0
