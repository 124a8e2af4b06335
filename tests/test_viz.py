"""dlref.viz: the site's figures are deterministic, Chinese-capable, accessible SVG."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pytest
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from matplotlib import font_manager

import dlref.viz as viz
from dlref.viz import figure_html, source_markdown


def _chinese_figure() -> object:
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [0.5, 0.2, 0.1], label="交叉熵损失")
    ax.set_title("损失随训练步数下降")
    ax.set_xlabel(r"真实类别的概率 $p_y$ 与 $\sigma(z)=\frac{1}{1+e^{-z}}$")  # text + math
    ax.set_ylabel("损失")
    ax.legend()
    return fig


def test_chinese_labels_have_every_glyph_and_stay_text() -> None:
    out = figure_html(_chinese_figure(), alt="损失曲线", caption="中文标签的图")
    # svg.fonttype "none": the labels are real text in the SVG, not paths
    for label in ("交叉熵损失", "损失随训练步数下降"):
        assert label in out


def test_the_cjk_font_is_the_packaged_one_with_only_the_minus_narrowed() -> None:
    prop = font_manager.FontProperties(family=viz.CJK_FAMILY)
    measuring = viz._measuring_font()
    assert font_manager.findfont(prop, fallback_to_default=False) == str(measuring)
    original, copy = viz._cjk_font_path().read_bytes(), measuring.read_bytes()
    assert len(copy) == len(original)
    changed = [i for i, (a, b) in enumerate(zip(original, copy, strict=True)) if a != b]
    font, before = TTFont(io.BytesIO(copy), lazy=True), TTFont(io.BytesIO(original), lazy=True)
    cmap, head = font.reader.tables["cmap"], font.reader.tables["head"]
    allowed = [
        range(cmap.offset, cmap.offset + cmap.length),
        range(12, 12 + 16 * len(font.reader.tables)),  # the table directory: cmap's checksum
        range(head.offset + 8, head.offset + 12),  # the whole file's checksum adjustment
    ]
    assert changed and all(any(i in r for r in allowed) for i in changed)
    TTFont(io.BytesIO(copy), checkChecksums=2)["cmap"]  # raises on a wrong table checksum
    now, then = font.getBestCmap(), before.getBestCmap()
    assert {code for code in then if now.get(code) != then[code]} == {viz.MINUS}
    assert before["hmtx"][then[viz.MINUS]][0] == 1000  # the packaged font's full-width minus
    narrow = now[viz.MINUS]
    bounds = BoundsPen(font.getGlyphSet())
    font.getGlyphSet()[narrow].draw(bounds)
    assert (font["hmtx"][narrow][0], bounds.bounds) == (viz.MINUS_ADVANCE, viz.MINUS_BAR)


def test_the_measuring_font_is_made_the_same_on_a_fresh_machine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy is made once per machine (the other tests may find it already there): make it
    again in an empty cache folder and compare."""
    monkeypatch.setattr(matplotlib, "get_cachedir", lambda: str(tmp_path))
    made = viz._measuring_font.__wrapped__()
    assert made.parent == tmp_path / "dlref" and made.name == viz._measuring_font().name
    assert made.read_bytes() == viz._measuring_font().read_bytes()
    assert [p.name for p in made.parent.iterdir()] == [made.name]  # no partial file left


def test_a_minus_in_math_is_as_wide_as_the_plus_and_ticks_use_it() -> None:
    # The packaged font's full-width minus left a gap after the minus of "10⁻¹".
    fig, ax = plt.subplots()
    ax.text(0, 0.5, r"$a-b+c$", fontsize=10)
    ax.plot([-1, 1], [-1, 1])
    out = figure_html(fig, alt="减号", caption="减号与加号一样宽")
    glyphs = re.findall(r'<tspan x="([-\d.]+)"[^>]*>([^<]*)</tspan>', out)
    x = {text: float(pos) for pos, text in glyphs if text in "a−b+c"}
    plus = TTFont(str(viz._cjk_font_path()), lazy=True)
    plus_advance = plus["hmtx"][plus.getBestCmap()[ord("+")]][0]
    assert plus_advance == viz.MINUS_ADVANCE
    # a binary operator: medium space, the sign, medium space; the same for − and +
    assert x["b"] - x["−"] == pytest.approx(x["c"] - x["+"], abs=1e-3)
    assert ">−1.00<" in out, "negative tick labels use the minus sign U+2212"


def test_a_minus_in_a_formula_is_drawn_as_the_measured_bar() -> None:
    """In a formula the reader's font does not draw the minus sign (it may be full width): a
    bar does, where matplotlib measured the glyph; the character stays, unpainted."""
    fig, ax = plt.subplots()
    ax.set_title(r"$e^{-x}$", color="#c62828", fontsize=12)
    ax.set_ylabel("−1 与 1")  # plain text: one <text>, laid out by the browser, left as it is
    out = figure_html(fig, alt="减号", caption="公式里的减号画成横条")
    (glyph,) = re.findall(r'<tspan x="([-\d.]+)" y="([-\d.]+)" style="([^"]*)">−</tspan>', out)
    x, y, style = float(glyph[0]), float(glyph[1]), glyph[2]
    assert style.endswith("; fill: none")
    size = float(re.search(r"font-size: ([\d.]+)px", style)[1]) / 1000
    assert size == pytest.approx(12 * 0.7 / 1000)  # a superscript: 70 %
    (rect,) = re.findall(
        r"<rect x=\"([-\d.]+)\" y=\"([-\d.]+)\" width=\"([\d.]+)\" "
        r"height=\"([\d.]+)\" style=\"fill: #c62828\"/>",
        out,
    )
    x0, y0, x1, y1 = viz.MINUS_BAR
    expected = (x + x0 * size, y - y1 * size, (x1 - x0) * size, (y1 - y0) * size)
    assert [float(v) for v in rect] == pytest.approx(expected, abs=1e-6)
    # the bar is in the formula's group, after its text: the same transform
    assert re.search(r"</text>\s*<rect", out)
    assert ">−1 与 1<" in out  # plain text keeps its minus sign


def test_a_character_no_font_has_is_an_error_not_empty_boxes() -> None:
    fig, ax = plt.subplots()
    ax.set_title("\U00020000")  # CJK Extension B: in neither DejaVu Sans nor Noto Sans CJK
    with pytest.raises(RuntimeError, match="missing"):
        figure_html(fig, alt="缺字", caption="缺字的图")


def test_a_missing_glyph_in_mathtext_plain_text_is_an_error() -> None:
    fig, ax = plt.subplots()
    ax.set_xlabel("\U00020000 $x$")
    with pytest.raises(RuntimeError, match="glyph"):
        figure_html(fig, alt="缺字", caption="缺字的数学标签")


def test_same_code_gives_byte_identical_html() -> None:
    a = figure_html(_chinese_figure(), alt="同一幅图", caption="可复现")
    b = figure_html(_chinese_figure(), alt="同一幅图", caption="可复现")
    assert a == b


def test_figures_with_different_captions_share_no_element_id() -> None:
    a = figure_html(_chinese_figure(), alt="图一", caption="第一幅")
    b = figure_html(_chinese_figure(), alt="图二", caption="第二幅")
    ids_a = set(re.findall(r'\bid="([^"]+)"', a))
    ids_b = set(re.findall(r'\bid="([^"]+)"', b))
    assert ids_a, "the SVG should define ids (clip paths) for this test to mean something"
    assert not ids_a & ids_b


def test_accessible_markup_and_escaping() -> None:
    out = figure_html(_chinese_figure(), alt='p < 0.5 & "q"', caption="a < b")
    assert out.startswith('<figure class="dlref-figure"><svg role="img" aria-label=')
    assert 'aria-label="p &lt; 0.5 &amp; &quot;q&quot;"' in out
    assert out.endswith("<figcaption>a &lt; b</figcaption></figure>")
    assert "<?xml" not in out and "DOCTYPE" not in out


@pytest.mark.parametrize(("alt", "caption"), [("", "图注"), ("说明", "  ")])
def test_alt_and_caption_are_required(alt: str, caption: str) -> None:
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="alt"):
        figure_html(fig, alt=alt, caption=caption)
    plt.close(fig)


def _documented(x: int) -> int:
    """A docstring that must not be shown."""
    y = x + 1
    return y


def test_source_markdown_shows_code_without_the_docstring() -> None:
    block = source_markdown(_documented)
    assert block.startswith("```python\ndef _documented(x: int) -> int:\n")
    assert block.endswith("    return y\n```\n")
    assert "must not be shown" not in block
    assert "must not be shown" in source_markdown(_documented, docstring=True)


def test_blocks_printed_one_after_another_stay_separate_code_blocks() -> None:
    """A page prints two sources in a row (``print(a); print(b)``). A fence right after another
    one is read as a paragraph, which wrapped both code blocks in ``<p>`` (invalid HTML: the
    browser splits it into empty paragraphs); the empty line after each block keeps them
    apart."""
    import io
    from contextlib import redirect_stdout

    import markdown

    printed = io.StringIO()
    with redirect_stdout(printed):
        print(source_markdown(_documented))
        print(source_markdown(test_source_markdown_shows_code_without_the_docstring))
    html = markdown.markdown(
        printed.getvalue(), extensions=["pymdownx.superfences", "pymdownx.highlight"]
    )
    assert html.count('<div class="highlight">') == 2
    assert "<p>" not in html, html[:300]


# ---- site machinery, apart from the lessons ------------------------------------------------------

_BLOCK_DRAWING = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("matplotlib", "cvttf_NotoSansCJK_Regular"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Block())
"""


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_without_matplotlib_viz_imports_and_figures_say_what_to_install() -> None:
    """A notebook with only dlref installed: source_markdown works, figure_html names the extra."""
    result = _run(
        _BLOCK_DRAWING
        + """
import dlref.viz
print(dlref.viz.source_markdown(dlref.viz.source_markdown).splitlines()[1])
try:
    dlref.viz.figure_html(object(), alt="a", caption="b")
except ImportError as error:
    print("ImportError:", error)
"""
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("def source_markdown(")
    assert lines[1].startswith("ImportError: dlref.viz draws figures with matplotlib")
    assert 'pip install "dlref[viz]"' in lines[1]


def test_lessons_never_import_viz_or_matplotlib() -> None:
    result = _run(
        _BLOCK_DRAWING
        + """
import dlref, dlref.functional, dlref.nn, dlref.autograd, dlref.data, dlref.diagnostics
x = dlref.autograd.Value(2.0) * 3.0
assert "dlref.viz" not in sys.modules and "matplotlib" not in sys.modules
print("ok")
"""
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_importing_viz_leaves_the_backend_and_the_build_selects_svg() -> None:
    """A page's drawing code ends in plt.show(): in a reader's Jupyter kernel or desktop session
    it must show the figure, so importing dlref.viz leaves the backend as it was chosen (agg
    stands in for the kernel's inline backend or a desktop's GUI). The build selects svg itself,
    when mkdocs loads its hooks, and the page's plt.show() then shows nothing and says nothing."""
    code = """
import matplotlib
matplotlib.use("agg")
{shell}
import dlref.viz
print(matplotlib.get_backend())
"""
    shell = (
        "from IPython.core.interactiveshell import InteractiveShell; InteractiveShell.instance()"
    )
    in_kernel, in_script = _run(code.format(shell=shell)), _run(code.format(shell=""))
    assert in_kernel.returncode == 0 and in_script.returncode == 0, (
        in_kernel.stderr + in_script.stderr
    )
    assert (in_kernel.stdout.strip(), in_script.stdout.strip()) == ("agg", "agg")

    build = subprocess.run(
        [
            sys.executable,
            "-W",
            "error",
            "-c",
            "import tools.mkdocs_hooks, matplotlib, matplotlib.pyplot as plt, dlref.viz\n"
            "fig, ax = plt.subplots()\n"
            "plt.show()\n"
            "print(matplotlib.get_backend())",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "DISPLAY": ":0"},  # where a display is set, show() would warn
    )
    assert build.returncode == 0, build.stderr
    assert build.stdout.strip() == "svg"


def test_a_symbol_only_the_tex_fallback_font_has_is_an_error() -> None:
    """cmsy10 keeps ⊤ at the code of ">": in the SVG's text a reader would see W^>."""
    fig, ax = plt.subplots()
    ax.set_title(r"$W_{ih}^\top$")
    with pytest.raises(
        RuntimeError, match=r"fell back to the TeX font cmsy10, which stores it as '>'"
    ):
        figure_html(fig, alt="a", caption="b")
    fig, ax = plt.subplots()
    ax.set_title(r"$W_{ih}^{\mathsf{T}}$")  # the transpose in DejaVu Sans
    assert "cmsy10" not in figure_html(fig, alt="a", caption="b")


FIGURE_BLOCK = re.compile(
    r'^```python exec="on" html="1"[^\n]*\n(.*?)^```$', re.MULTILINE | re.DOTALL
)
PAGES = sorted((Path(__file__).resolve().parent.parent / "docs").rglob("*.md"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_a_pages_drawing_code_shows_the_figure_wherever_it_is_copied(page: Path) -> None:
    """What a figure block shows (markdown-exec hides every line that says ``markdown-exec:
    hide``) ends in plt.show() and never calls figure_html: copied into a notebook or a Python
    session it shows the figure, not the page's HTML. The hidden line prints that HTML."""
    for match in FIGURE_BLOCK.finditer(page.read_text(encoding="utf-8")):
        lines = match[1].rstrip("\n").split("\n")
        shown = [line for line in lines if "markdown-exec: hide" not in line]
        hidden = [line for line in lines if "markdown-exec: hide" in line]
        where = f"{page.name}: the figure block that starts {lines[0]!r}"
        assert shown[-1] == "plt.show()", where
        assert not any("figure_html" in line for line in shown), where
        assert hidden[-1].startswith("print(figure_html(fig, "), where


def test_the_page_figure_is_transparent_and_a_readers_savefig_is_not() -> None:
    """The page's background shows through a figure (light or dark palette); a reader who saves
    a page's figure with fig.savefig() after importing dlref.viz gets matplotlib's white."""
    background = re.compile(r"<path d=\"M 0 [^\"]*\"\s*style=\"fill: ([^\"]*)\"")
    out = figure_html(_chinese_figure(), alt="透明", caption="页面上的图透明")
    assert background.findall(out)[0] == "none"
    buf = io.StringIO()
    _chinese_figure().savefig(buf, format="svg")
    plt.close("all")
    assert background.findall(buf.getvalue())[0] == "#ffffff"
