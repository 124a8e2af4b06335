"""The build hooks in overrides/hooks/, on small pieces of HTML."""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree

import jinja2
import material
import pytest
from mkdocs.exceptions import PluginError

from tools import as_shipped, minify_js
from tools.sitecheck import ROOT

from .conftest import load_hook

search_content = load_hook("search_content")
copy_code = load_hook("copy_code")

FIGURE_TABS = """
<div class="tabbed-set tabbed-alternate" data-tabs="1:2">
<input checked="checked" id="a" name="t" type="radio" />
<div class="tabbed-labels"><label for="a">图</label><label for="b">画图代码</label></div>
<div class="tabbed-content">
<div class="tabbed-block">
<figure class="dlref-figure"><svg aria-label="x"><text>0.5</text></svg>
<figcaption>图注</figcaption></figure>
</div>
<div class="tabbed-block">
<div class="language-python highlight"><pre><code>plt.plot(x)</code></pre></div>
</div>
</div>
</div>
"""


def test_figure_code_figures_and_printed_output_are_kept_out_of_search() -> None:
    page = (
        "<p>正文</p>\n"
        '<div class="language-python highlight"><pre><code>y = f(x)</code></pre></div>\n'
        '<div class="language-text highlight"><pre><code>tensor([1.])</code></pre></div>\n'
        + FIGURE_TABS
        + '<div class="doc doc-object"><details class="mkdocstrings-source"><summary>s</summary>'
        "<pre><code>def f(): ...</code></pre></details></div>"
    )
    marked = search_content.mark_unsearchable(page)
    mark = search_content.MARK
    assert '<div class="language-python highlight"><pre><code>y = f(x)' in marked  # page code
    assert f'<div class="language-text highlight"{mark}>' in marked  # printed output
    assert f'<svg aria-label="x"{mark}>' in marked  # a drawn figure's text
    assert "<figcaption>图注</figcaption>" in marked  # its caption stays
    assert f'<div class="language-python highlight"{mark}><pre><code>plt.plot' in marked
    assert f'<details class="mkdocstrings-source"{mark}>' in marked
    assert marked.replace(mark, "") == page  # nothing else changes


def test_code_in_tabs_without_a_figure_stays_searchable() -> None:
    tabs = FIGURE_TABS.replace(
        '<figure class="dlref-figure"><svg aria-label="x"><text>0.5</text></svg>\n'
        "<figcaption>图注</figcaption></figure>",
        "<p>输出</p>",
    )
    assert search_content.mark_unsearchable(tabs) == tabs


@pytest.mark.skipif(shutil.which("node") is None, reason="node not found: the hook needs it")
def test_formulas_are_typeset_with_their_tex_kept(caplog: pytest.LogCaptureFixture) -> None:
    mathml = load_hook("mathml")
    try:
        html = (
            '<p><span class="arithmatex">\\(a &lt; b^2\\)</span></p>'
            '<div class="arithmatex">\\[\\frac{1}{2}\\]</div>'
            '<span class="md-ellipsis">梯度：\\(\\nabla f\\)</span>'
        )
        out, count = mathml.typeset(html, "page.md")
        assert count == 3
        assert out.count("<math") == 3 and out.count('<math display="block"') == 1
        assert "<mfrac><mn>1</mn><mn>2</mn></mfrac>" in out
        assert '<annotation encoding="application/x-tex">a &lt; b^2</annotation>' in out
        # An inline formula and the punctuation after it stay on one line (no line starts
        # with "，"); a formula followed by anything else, or a display formula, is left alone.
        html = (
            '<p>设 <span class="arithmatex">\\(x\\)</span>，且 '
            '<span class="arithmatex">\\(y\\)</span> 与<div class="arithmatex">\\[z\\]</div>。</p>'
        )
        out, count = mathml.typeset(html, "page.md")
        assert count == 3 and out.count('<span class="dlref-nobr">') == 1
        assert re.search(
            r'<span class="dlref-nobr"><span class="arithmatex"><math>.*?</math></span>，</span>且',
            out,
        )
        with caplog.at_level(logging.ERROR):
            bad = '<span class="arithmatex">\\(\\frac{1}\\)</span>'
            out, count = mathml.typeset(bad, "page.md")
        assert count == 0 and out == bad
        assert "page.md: Temml cannot render" in caplog.text
    finally:
        mathml.on_build_error(RuntimeError())


def test_the_math_font_holds_what_formulas_show_and_its_italic_forms() -> None:
    mathml = load_hook("mathml")
    shown = mathml.shown_characters(
        "<math><mi>x</mi><mo>≤</mo><mi>α</mi><mtext>常数</mtext>"
        '<annotation encoding="application/x-tex">x \\le \\alpha Q</annotation></math>'
    )
    assert shown == {"x", "≤", "α", "常", "数"}  # not the annotation's TeX
    assert mathml.italic_form("x") == "\U0001d465"  # 𝑥
    assert mathml.italic_form("h") == "\u210e"  # ℎ, Planck's constant
    assert mathml.italic_form("α") == "\U0001d6fc"  # 𝛼
    assert mathml.italic_form("≤") is None
    assert mathml.font_characters(shown) == "".join(sorted("x≤α\U0001d465\U0001d6fc"))


def test_temml_font_holds_what_primes_and_script_letters_show() -> None:
    """Temml's font is cut down to the characters shown in an element of a class its stylesheet
    draws in it (descendants too), whatever other formulas show, and its blank glyphs."""
    mathml = load_hook("mathml")
    formula = (
        '<math><msup><mi>f</mi><mo lspace="0em" class="tml-prime tml-sml-pad">&#x2032;</mo>'
        '</msup><mi class="mathscr">\U0001d49c</mi><mi class="mathcal">\u2112</mi>'
        '<mrow class="mathscr"><mi>\U0001d49e</mi></mrow><mo>\u2033</mo>'
        '<annotation encoding="application/x-tex">f\' \\mathscr{A}</annotation></math>'
    )
    shown = mathml.temml_font_characters(formula)
    assert shown == {"\u2032", "\U0001d49c", "\U0001d49e"}  # not ℒ (mathcal), ″ or the TeX
    assert mathml.temml_font_characters("<math><mi>x</mi></math>") == set()
    assert mathml.temml_font_text({"\u2032"}) == " \u00a0\u2032"


def test_a_cut_down_font_is_the_same_whenever_and_however_it_is_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The subsets keep the source font's date: the build cache may hold one made by a plain
    `mkdocs build` (no SOURCE_DATE_EPOCH) and serve it to `make test`'s builds."""
    mathml = load_hook("mathml")
    made = []
    for epoch in (None, "0", "1767225600"):
        if epoch is None:
            monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
        else:
            monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        made.append((mathml.subset_font("x≤"), mathml.subset_temml_font(" \u00a0\u2032")))
    assert made[0] == made[1] == made[2]


def test_temml_stylesheet_draws_in_its_font_only_elements_of_the_hook_classes() -> None:
    """What lets the hook cut Temml's font down to the text of those elements: every rule of the
    vendored stylesheet that names the font has a selector made of one of those classes."""
    mathml = load_hook("mathml")
    css = (ROOT / mathml.STYLESHEET.replace("assets/", "docs/assets/", 1)).read_text("utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    rules = re.findall(r"([^{}]+)\{([^{}]*)\}", css)
    temml = [
        sel
        for sel, body in rules
        if re.search(r"font-family:[^;]*\bTemml\b", body) and not sel.strip().startswith("@")
    ]
    assert temml, "Temml's stylesheet no longer draws anything in its font"
    for selectors in temml:
        for selector in selectors.split(","):
            classes = set(re.findall(r"\.([\w-]+)", selector))
            assert classes & mathml.TEMML_FONT_CLASSES, selector
    assert (ROOT / "node_modules" / "temml" / "dist" / "Temml.woff2") == mathml.TEMML_FONT_SOURCE


GLOSSARY = """# 术语表

| 术语 | English | 讲解页面 |
| --- | --- | --- |
| 交叉熵 | cross-entropy | [Softmax 与交叉熵](classification/softmax-cross-entropy.md) |
| 熵 | entropy | [Softmax 与交叉熵](classification/softmax-cross-entropy.md#entropy) |
| 反向传播 | backpropagation | [反向传播](basics/backpropagation.md) |
"""


def test_glossary_terms_are_indexed_on_the_page_they_link_to() -> None:
    terms = search_content.glossary_terms(GLOSSARY)
    assert terms == {
        "classification/softmax-cross-entropy.md": ["交叉熵 cross-entropy", "熵 entropy"],
        "basics/backpropagation.md": ["反向传播 backpropagation"],
    }
    data = {
        "docs": [
            {"location": "classification/softmax-cross-entropy/", "title": "t", "text": "x"},
            {"location": "classification/softmax-cross-entropy/#entropy", "title": "熵"},
            {"location": "basics/backpropagation/", "title": "t", "text": "x"},
            {"location": "glossary/", "title": "术语表", "text": "x"},
        ]
    }
    urls = {
        "classification/softmax-cross-entropy.md": "classification/softmax-cross-entropy/",
        "basics/backpropagation.md": "basics/backpropagation/",
    }
    search_content.add_glossary_terms(data, terms, urls, lambda text: f"<{text}>")
    field = search_content.GLOSSARY_FIELD
    assert [doc.get(field) for doc in data["docs"]] == [
        "<交叉熵 cross-entropy、熵 entropy>",  # the page's article entry, not its sections
        None,
        "<反向传播 backpropagation>",
        None,
    ]
    with pytest.raises(ValueError, match="not a page"):
        search_content.add_glossary_terms(data, terms, {}, str)


def test_search_index_entries_show_formulas_as_text_and_leave_code_alone() -> None:
    entry = (
        r"<p>梯度是 \(\frac{\partial \ell}{\partial z} = p - q\)，当 \(x &lt; 0\) 时：</p>"
        r"<p>\[ \sum_i q_i = 1 \]</p><pre><code>re.compile(r\"\(\d+\)\")</code></pre>"
        r"<p>写作 <code>\(x\)</code></p>"
    )
    assert search_content.formulas_as_text(entry) == (
        r"<p>梯度是 ∂ℓ/∂z = p - q，当 x &lt; 0 时：</p>"
        r"<p>∑_i q_i = 1</p><pre><code>re.compile(r\"\(\d+\)\")</code></pre>"
        r"<p>写作 <code>\(x\)</code></p>"
    )


PYCON = (
    '<div class="language-pycon highlight"><pre><span></span><code>'
    '<span class="gp">&gt;&gt;&gt; </span><span class="k">for</span> i <span class="ow">in</span>'
    " <span>range</span>(2):\n"
    '<span class="gp">... </span>    <span>print</span>(i &lt; 1)\n'
    '<span class="go">True</span>\n'
    '<span class="go">False</span>\n'
    '<span class="gp">&gt;&gt;&gt; </span><span>int</span>(<span class="s2">"x"</span>)\n'
    '<span class="gt">Traceback (most recent call last):</span>\n'
    '<span class="gr">ValueError</span>: <span>bad</span>\n'
    "</code></pre></div>"
)


def test_a_python_session_s_copy_is_its_code_without_prompts_or_printed_lines() -> None:
    marked = copy_code.on_page_content(PYCON)
    output = f'<span class="{copy_code.OUTPUT}">'
    # Each printed or traceback line is wrapped with its newline; code lines are as they were.
    assert marked.count(output) == 4
    assert output + '<span class="go">True</span>\n</span>' in marked
    assert output + '<span class="gr">ValueError</span>: <span>bad</span>\n</span>' in marked
    assert marked.replace(output, "").replace("\n</span>", "\n") == PYCON
    code = marked.split("<code>")[1].split("</code>")[0]
    assert copy_code.copied_text(code) == 'for i in range(2):\n    print(i < 1)\nint("x")'
    # Other code blocks are left alone.
    python = PYCON.replace("language-pycon", "language-python")
    assert copy_code.on_page_content(python) == python


def test_a_python_session_line_that_is_not_whole_html_stops_the_build() -> None:
    broken = PYCON.replace('<span class="go">True</span>', '<span class="go">True')
    with pytest.raises(PluginError, match="not complete HTML"):
        copy_code.on_page_content(broken)


def test_figures_become_lazily_loaded_svg_files(tmp_path: Path) -> None:
    figures = load_hook("figures")
    svg = (
        '<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="30pt" height="15pt" '
        'viewBox="0 0 30 15" xmlns="http://www.w3.org/2000/svg" version="1.1" role="img" '
        'aria-label="一条 &quot;直线&quot;" data-search-exclude>\n <metadata>m</metadata>'
        "<text>损失</text></svg>"
    )
    page = f'<figure class="dlref-figure">{svg}<figcaption>图注</figcaption></figure>'
    out, count = figures.externalise(page, "basics/page/", tmp_path)
    assert count == 1
    files = list((tmp_path / "assets" / "figures").glob("*.svg"))
    assert len(files) == 1
    assert out == (
        f'<figure class="dlref-figure"><a href="../../assets/figures/{files[0].name}">'
        f'<img src="../../assets/figures/{files[0].name}" '
        'alt="一条 &quot;直线&quot;" width="40" height="20" loading="lazy" decoding="async"></a>'
        "<figcaption>图注</figcaption></figure>"
    )
    drawn = ElementTree.parse(files[0]).getroot()  # well-formed XML: the mark is gone
    assert drawn.tag == "{http://www.w3.org/2000/svg}svg"
    assert "aria-label" not in drawn.attrib and "role" not in drawn.attrib
    text = files[0].read_text(encoding="utf-8")
    assert "<text>损失</text>" in text and "<metadata>" not in text
    assert "font-family" in text  # the reader's fonts: the file carries them
    # The same figure again (another page, a second build) is the same file.
    again, _ = figures.externalise(page, "other/", tmp_path)
    assert f"../assets/figures/{files[0].name}" in again
    assert len(list((tmp_path / "assets" / "figures").glob("*.svg"))) == 1


def test_a_formulas_glyphs_get_the_readers_fonts(tmp_path: Path) -> None:
    """Each glyph of a formula (a ``tspan``) names the font it was measured with; without a
    rule for tspans, a reader without those fonts got the browser's default serif font."""
    figures = load_hook("figures")
    svg = '<svg width="30pt" height="15pt" role="img" aria-label="公式"><text>1</text></svg>'
    page = f'<figure class="dlref-figure">{svg}<figcaption>图注</figcaption></figure>'
    figures.externalise(page, "p/", tmp_path, optimize=False)
    (path,) = (tmp_path / "assets" / "figures").glob("*.svg")
    text = path.read_text(encoding="utf-8")
    assert "text, tspan {" in text
    # matplotlib quotes a font name with ', SVGO with ": italic letters keep DejaVu Sans
    assert """tspan[style*="'DejaVu Sans'"], tspan[style*='"DejaVu Sans"']""" in text


def test_a_figure_drawn_in_a_tab_is_not_left_inside_a_paragraph() -> None:
    """markdown-exec's output in a tab comes out as ``<p><figure>…</figure>\n</p>``; the hook
    takes the figure out of the paragraph, and leaves a figure that shares its paragraph with
    text as it is."""
    import markdown

    figures = load_hook("figures")
    figure = (
        '<figure class="dlref-figure"><svg role="img"></svg><figcaption>图注</figcaption></figure>'
    )
    # What markdown-exec does: a placeholder line indented under the tab, replaced afterwards.
    placeholder = '<div class="0d5e"></div>'
    tabs = f'=== "图"\n\n    {placeholder}\n\n=== "画图代码"\n\n    代码\n'
    converted = markdown.markdown(
        tabs,
        extensions=["pymdownx.tabbed"],
        extension_configs={"pymdownx.tabbed": {"alternate_style": True}},  # as in mkdocs.yml
    )
    page = converted.replace(placeholder, figure)
    assert f'<div class="tabbed-block">\n<p>{figure}</p>' in page  # what the hook exists for
    unwrapped = figures.unwrap(page)
    assert f'<div class="tabbed-block">\n{figure}\n</div>' in unwrapped
    assert unwrapped.replace(figure, "") == page.replace(f"<p>{figure}</p>", "")  # nothing else
    shared = f"<p>文字 {figure}</p><p>{figure} 文字</p>"
    assert figures.unwrap(shared) == shared


def test_autorefs_tooltips_lose_only_the_whitespace_around_them() -> None:
    tooltips = load_hook("tooltips")
    link = '<a class="autorefs autorefs-internal" title="\n            dlref.nn.RNN  " href="x">'
    assert tooltips.strip_titles(link) == (
        '<a class="autorefs autorefs-internal" title="dlref.nn.RNN" href="x">'
    )
    other = '<a class="md-nav__link" title="  kept as written ">'  # not an autorefs link
    assert tooltips.strip_titles(other) == other


def test_the_toggle_sets_the_attribute_of_material_s_no_transition_rule() -> None:
    # Material's palette stylesheet stops colour transitions while <body> has
    # data-md-color-switching; our toggle (partials/palette-toggle.html) sets it around a switch,
    # and nothing else does: material's own palette component, which set and removed it on
    # every page load (a whole-page restyle each time), is not mounted.
    stylesheets = Path(material.__file__).parent / "templates" / "assets" / "stylesheets"
    shipped = sorted(stylesheets.glob("palette.*.min.css"))
    assert shipped, "material's palette stylesheet not found"
    css = shipped[0].read_text(encoding="utf-8")
    assert "[data-md-color-switching] *" in css and "transition-duration:0s" in css
    partial = (ROOT / "overrides" / "partials" / "palette-toggle.html").read_text("utf-8")
    assert 'setAttribute("data-md-color-switching", "")' in partial
    assert 'removeAttribute("data-md-color-switching")' in partial
    form = (ROOT / "overrides" / "partials" / "palette.html").read_text("utf-8")
    form = re.sub(r"\{#.*?#\}", "", form, flags=re.S)  # the template without its comments
    assert "<form" in form and 'data-md-component="palette"' not in form


def test_the_filter_gives_terser_s_output_and_the_as_shipped_build_the_source(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The template filter of overrides/hooks/minify.py (``{% filter minify_js %}`` in our
    partials): terser's output, and the script as written in the build screenshots are
    compared with (DLREF_STYLES_AS_SHIPPED=1)."""
    script = "(function () {\n  var longName = 1;\n  window.x = longName;\n})();\n"
    minify = load_hook("minify")
    monkeypatch.setattr(minify, "cache_directory", lambda: tmp_path)
    monkeypatch.setattr(minify, "_minified_scripts", {})
    env = minify.on_env(jinja2.Environment(), {}, None)
    template = env.from_string(
        "<script>{% filter minify_js %}" + script + "{% endfilter %}</script>"
    )
    expected, _ = minify_js.minify({"s": script}, tmp_path)
    assert "longName" in script and "longName" not in expected["s"]
    assert template.render() == f"<script>{expected['s']}</script>"
    monkeypatch.setenv(as_shipped.VARIABLE, "1")
    assert template.render() == f"<script>{script}</script>"
