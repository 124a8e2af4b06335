"""Fewer style, markup and figure bytes on a first visit, and nothing on a page looks different
(overrides/hooks/styles.py, tools/purge_css.py; Temml's font cut down by overrides/hooks/mathml.py;
overrides/hooks/minify.py, tools/minify_html.py; figures by tools/optimize_svg.py).

The static checks read the built site and the stylesheets as they ship. The browser checks
build the site once more as the theme and plugins make it (``DLREF_STYLES_AS_SHIPPED=1``: the
hooks do nothing, Temml's font stays whole, the figures are as matplotlib drew them) and compare
screenshots of both (tools/compare_screens.py) on a few pages of each kind: at the top in the
light, dark and phone modes, the longest of them scrolled, the search dialog with results, the
palette toggled, an API page's source listing opened; every figure of the site drawn from its
file both ways; each formula with a prime (drawn in Temml's font) on a lesson and an API page;
and each table's scrolling box (wrapped at build time here, by material's script there) on two
pages with many tables. Every page, and the three longest scrolled: ``python
tools/compare_screens.py BEFORE AFTER`` (several minutes); every formula with a prime: the same
with ``--elements "math:has(mo.tml-prime)"``; every table: ``--elements
.md-typeset__scrollwrap``.
"""

from __future__ import annotations

import re
from pathlib import Path

import material
import mkdocstrings_handlers.python
import pytest
from playwright.sync_api import Browser

from tools import as_shipped, compare_screens, purge_css
from tools.serve_site import serve
from tools.sitecheck import ROOT, Page, build_site
from tools.visit import Tab

from .conftest import load_hook

SHIPPED = Path(material.__file__).parent / "templates" / "assets" / "stylesheets"
# The pages the browser check views (every page takes minutes: tools/compare_screens.py): the
# home page, a lesson with much code (the longest of these, also scrolled), a short API page,
# the 404 page.
VIEWED = r"^$|^404|^components/dropout/|^api/viz/"
# The pages whose formulas with a prime are compared one by one: a lesson and an API page.
PRIMES = r"^components/dropout/|^api/functional/activation/"
# The pages whose tables are compared one by one: the glossary's and an API page's.
TABLES = r"^glossary/|^api/autograd/"


styles = load_hook("styles")
COLUMN = re.compile(r'<div class="linenodiv"><pre[^>]*>(.*?)</pre>', re.DOTALL)


def _rules(css: str) -> list[tuple[list[str], str]]:
    """(selectors, declarations) of each innermost rule of ``css``, comments removed."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    return [
        ([s.strip() for s in m.group(1).split(",")], m.group(2))
        for m in re.finditer(r"([^{}]+)\{([^{}]*)\}", css)
    ]


def _shipped(pattern: str) -> str:
    found = sorted(SHIPPED.glob(pattern))
    assert len(found) == 1, f"material's {pattern}: {found}"
    return found[0].read_text(encoding="utf-8")


def test_the_theme_stylesheets_are_purged_and_lose_their_maps(site: Path) -> None:
    folder = site / "assets" / "stylesheets"
    for pattern in ("main.*.min.css", "palette.*.min.css"):
        (purged,) = folder.glob(pattern)
        shipped = SHIPPED / purged.name  # same name: the links in the pages stay
        assert shipped.is_file(), f"{purged.name} is not the theme's file name"
        assert purged.stat().st_size < 0.85 * shipped.stat().st_size, purged.name
        assert not purged.with_name(purged.name + ".map").exists(), "a map of the unpurged file"
        assert "sourceMappingURL" not in purged.read_text(encoding="utf-8")
    (palette_file,) = folder.glob("palette.*.min.css")
    palette = palette_file.read_text(encoding="utf-8")
    assert "[data-md-color-primary=indigo]" in palette  # the site's colour
    assert "[data-md-color-primary=deep-orange]" not in palette  # one it does not use


def test_temml_and_mkdocstrings_stylesheets_are_purged(site: Path) -> None:
    """Temml's and mkdocstrings' stylesheets lose the rules no page uses and their comments;
    what the formulas use stays, the font faces and the browser-specific blocks among it."""
    mathml = load_hook("mathml")
    shipped = (ROOT / "docs" / mathml.STYLESHEET).read_text(encoding="utf-8")
    temml = (site / mathml.STYLESHEET).read_text(encoding="utf-8")
    assert len(temml) < 0.4 * len(shipped)
    for dropped in (
        ".menclose",
        ".tml-cancelto",
        ".ff-",
        ".mathscr",
        "/*",
        "@supports (-moz-appearance: none)",
    ):
        assert dropped in shipped and dropped not in temml, dropped
    assert re.search(r"@supports \(not \(-moz-appearance: none\)\) \{\s*mo\.tml-prime", temml)
    assert temml.count("@font-face") == 2
    assert 'url("STIXTwoMath-dlref.woff2")' in temml and "url('Temml.woff2')" in temml
    assert re.search(r"(?m)^math \{", temml) and "mfrac > :nth-child(2)" in temml
    assert not re.search(r"\{\s*\}", temml), "an empty rule or at-rule"
    own = Path(mkdocstrings_handlers.python.__file__).parent / "templates" / "material"
    whole = (own / "style.css").read_text(encoding="utf-8")
    purged = (site / "assets" / "_mkdocstrings.css").read_text(encoding="utf-8")
    assert len(purged) < 0.8 * len(whole) and "/*" not in purged
    assert ".doc-section-title" in purged


def test_right_to_left_rules_go_and_left_to_right_ones_stay(
    site: Path, site_pages: list[Page], tmp_path: Path
) -> None:
    """Every page is written left to right (material's ``<body dir="ltr">``), no element right
    to left; the theme's script only reads the direction. So the purged main stylesheet is the
    purge that keeps ``[dir=rtl]`` rules, less exactly the selectors with ``[dir=rtl]``."""
    bad = []
    for page in site_pages:
        html = (site / page.path).read_text(encoding="utf-8")
        directions = re.findall(r"""\sdir=["']?([^"'\s>]*)""", html)
        if '<body dir="ltr"' not in html or set(directions) != {"ltr"}:
            bad.append(page.path)
        elif "rtl" in purge_css.attribute_words(html):
            bad.append(f"{page.path} (rtl in an attribute or a script)")
    assert not bad, f"pages not written left to right: {bad}"
    scripts = purge_css.script_files(site)
    uses = [u for s in scripts for u in re.findall(r".{0,40}\brtl\b.{0,5}", s.read_text("utf-8"))]
    assert uses and all(re.search(r'getAttribute\("dir"\)==="rtl"', u) for u in uses), uses
    assert purge_css.not_attribute_values(purge_css.page_files(site)) == ["rtl"]
    (main,) = (site / "assets" / "stylesheets").glob("main.*.min.css")
    # The sheet the purge got: material's, with its table rules matching the wrapped tables.
    shipped = {main.name: styles.match_wrapped_tables(_shipped(main.name))[0]}
    content = purge_css.words(purge_css.content_files(site))
    tabs = purge_css.most_tabs(purge_css.page_files(site))  # the rules for more tabs go too
    kept, _ = purge_css.purge(shipped, content, tmp_path, tabs=tabs)
    dropped, _ = purge_css.purge(shipped, content, tmp_path, ["rtl"], tabs)
    assert main.read_text(encoding="utf-8") == dropped[main.name]

    def selectors(css: str) -> list[str]:
        return [s for selectors, _ in _rules(css) for s in selectors]

    with_rtl, without = selectors(kept[main.name]), selectors(dropped[main.name])
    assert [s for s in with_rtl if "[dir=rtl]" not in s] == without
    assert sum("[dir=rtl]" in s for s in with_rtl) > 50 and "[dir=rtl]" not in dropped[main.name]
    assert sum("[dir=ltr]" in s for s in without) > 50


def test_the_theme_keeps_the_rules_for_as_many_tabs_as_the_largest_tabbed_set_has(
    site: Path,
) -> None:
    """material writes a rule for each tab up to the 20th; the purged sheet keeps them up to
    the most tabs a tabbed set of the site has (its first tab's use :first-child)."""
    most = purge_css.most_tabs(purge_css.page_files(site))
    assert most is not None and most >= 2
    css = next((site / "assets" / "stylesheets").glob("main.*.min.css")).read_text("utf-8")
    orders = {int(n) for n in re.findall(r"\.tabbed-labels>label:nth-child\((\d+)\)", css)}
    assert orders == set(range(2, most + 1))
    shipped = next(SHIPPED.glob("main.*.min.css")).read_text("utf-8")
    assert len(re.findall(r"\.tabbed-labels>label:nth-child\(\d+\)", shipped)) == 19


def test_mkdocstrings_stylesheet_is_linked_only_from_pages_with_api_entries(
    site: Path, site_pages: list[Page]
) -> None:
    linked = {p.path for p in site_pages if any("_mkdocstrings.css" in u for _, u in p.resources)}
    entries = {
        p.path
        for p in site_pages
        if styles.renders_api_entries((site / p.path).read_text(encoding="utf-8"))
    }
    assert linked == entries
    assert "api/nn/rnn/index.html" in linked and "components/dropout/index.html" not in linked


def test_every_mkdocstrings_rule_needs_an_element_of_an_api_entry(site: Path) -> None:
    """What lets pages without API entries skip the stylesheet: each of its rules needs an
    element with a class the hook looks for (custom properties on the root aside: only its own
    rules use them)."""
    css = (site / "assets" / "_mkdocstrings.css").read_text(encoding="utf-8")
    needs = re.compile(r"\.(?:doc|doc-[\w-]+|mkdocstrings-source)(?![\w-])")
    unmatched = []
    for selectors, declarations in _rules(css):
        unquoted = re.sub(r"'[^']*'|\"[^\"]*\"", "''", declarations)  # data URLs have ";"
        properties = [d.split(":")[0].strip() for d in unquoted.split(";") if d.strip()]
        if all(p.startswith("--") for p in properties):
            own = ("--doc-", "--md-admonition-icon--mkdocstrings")
            assert all(p.startswith(own) for p in properties), selectors
            continue
        unmatched += [s for s in selectors if not needs.search(s)]
    assert not unmatched, f"rules a page without API entries could use: {unmatched}"
    html = '<div class="doc doc-object doc-class">'
    assert styles.renders_api_entries(html)
    assert not styles.renders_api_entries('<p class="md-typeset docs">doc-object</p>')


def test_name_tokens_in_code_are_coloured_as_the_code_around_them() -> None:
    """Why Pygments' name spans can lose their class: the theme colours ``.highlight .n`` with
    ``--md-code-hl-name-color``, which is the code's own colour in both schemes."""
    main, palette = _shipped("main.*.min.css"), _shipped("palette.*.min.css")
    name_rules = [
        (s, d)
        for css in (main, palette)
        for selectors, d in _rules(css)
        for s in selectors
        if re.search(r"\.n(?![\w-])", s)
    ]
    assert name_rules == [(".highlight .n", "color:var(--md-code-hl-name-color)")]
    schemes = {
        ",".join(selectors): d
        for css in (main, palette)
        for selectors, d in _rules(css)
        if "--md-code-hl-name-color:" in d
    }
    assert set(schemes) == {":root,[data-md-color-scheme=default]", "[data-md-color-scheme=slate]"}
    for declarations in schemes.values():
        assert "--md-code-hl-name-color:var(--md-code-fg-color)" in declarations
    code = [d for selectors, d in _rules(main) if ".md-typeset code" in selectors]
    assert any("color:var(--md-code-fg-color)" in d for d in code)


def test_no_name_span_keeps_its_class(site: Path, site_pages: list[Page]) -> None:
    left = {
        p.path: n
        for p in site_pages
        if (n := len(styles.NAME_SPAN.findall((site / p.path).read_text(encoding="utf-8"))))
    }
    assert not left, left
    assert styles.unclass_names(
        '<code><span class="n">x</span> <span class="nf">f</span></code>'
    ) == ('<code><span>x</span> <span class="nf">f</span></code>')


def test_line_numbers_are_bare_text_in_a_padded_column(site: Path, site_pages: list[Page]) -> None:
    columns = [
        column
        for p in site_pages
        for column in COLUMN.findall((site / p.path).read_text(encoding="utf-8"))
    ]
    assert len(columns) > 50  # the API pages' source listings
    assert not [c for c in columns if 'class="normal"' in c]
    column = '<div class="linenodiv"><pre><span></span><span class="normal"> 9</span>\n'
    assert styles.bare_line_numbers(column + '<span class="normal">10</span></pre>') == (
        '<div class="linenodiv"><pre class="dlref-numbers"><span></span> 9\n10</pre>'
    )
    special = column + '<span class="special">10</span></pre>'  # a highlighted line
    assert styles.bare_line_numbers(special) == special
    # The padding the theme gives each number's span, given once to the column instead.
    (main,) = (site / "assets" / "stylesheets").glob("main.*.min.css")
    theme = [d for sel, d in _rules(main.read_text(encoding="utf-8")) if "span[class]" in str(sel)]
    padding = re.search(r"padding-right:([.\d]+em)", " ".join(theme))
    assert padding is not None
    extra = (ROOT / "docs" / "assets" / "stylesheets" / "extra.css").read_text(encoding="utf-8")
    assert f"pre.dlref-numbers {{\n  padding-right: 0{padding[1]};" in extra


def test_tables_are_wrapped_at_build_time_as_material_wraps_them(
    site: Path, site_pages: list[Page]
) -> None:
    tables = 0
    for p in site_pages:
        html = (site / p.path).read_text(encoding="utf-8")
        article = html[html.find("<article") : html.rfind("</article>")]
        assert "<table>" not in article, f"{p.path}: a class-less table left for the script"
        wrapped = article.count('<table class="dlref-table">')
        assert article.count(styles.SCROLL_BOXES + '<table class="dlref-table">') == wrapped
        tables += wrapped
    assert tables > 100
    # Each class-less table, and only those, in the two boxes; a table in a table on its own.
    cell = (
        '<table class="highlighttable"><tr><td><table><tr><td>1</td></tr></table></td></tr></table>'
    )
    html = f"<nav><table></table></nav><article><table><tr><td>{cell}</td></tr></table></article>"
    boxes, end = styles.SCROLL_BOXES, "</div></div>"
    inner = f'{boxes}<table class="dlref-table"><tr><td>1</td></tr></table>{end}'
    assert styles.wrap_tables(html) == (
        "<nav><table></table></nav><article>"
        f'{boxes}<table class="dlref-table"><tr><td><table class="highlighttable"><tr><td>'
        f"{inner}</td></tr></table></td></tr></table>{end}</article>"
    )
    # Material's table rules match the wrapped tables with the same specificity, and the site's
    # main.css has no rule left for class-less tables only.
    (main,) = (site / "assets" / "stylesheets").glob("main.*.min.css")
    css = main.read_text(encoding="utf-8")
    assert "table:not([class])" not in css and "dlref-table" in css
    assert styles.match_wrapped_tables(".md-typeset table:not([class]) th{}") == (
        ".md-typeset table:is(:not([class]),.dlref-table) th{}",
        1,
    )
    extra = (ROOT / "docs" / "assets" / "stylesheets" / "extra.css").read_text(encoding="utf-8")
    assert "table:not([class])" not in extra


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site as the theme and plugins make it (``DLREF_STYLES_AS_SHIPPED=1``, see
    tools/as_shipped.py)."""
    return build_site(
        tmp_path_factory.mktemp("shipped") / "site",
        extra_env={as_shipped.VARIABLE: "1"},
    )


@pytest.mark.browser
def test_every_page_looks_as_with_the_shipped_styles(
    site: Path, shipped: Path, browser: Browser
) -> None:
    out = ROOT / "test-artifacts" / "style-screenshots"
    result = compare_screens.compare(
        shipped, site, scrolled=1, out=out, only=VIEWED, browser=browser
    )
    assert result.views == 33
    assert not result.differing, (
        f"{len(result.differing)} of {result.views} views differ (screenshots in {out}):"
        f" {result.differing}"
    )
    # Every figure of the site, as matplotlib drew it and as SVGO made it smaller
    # (tools/optimize_svg.py), at twice its size.
    assert len(compare_screens.figure_files(site)) > 40
    assert compare_screens.compare_figures(shipped, site, browser=browser) == {}


def _assert_elements_look_the_same(
    shipped: Path,
    site: Path,
    selector: str,
    only: str,
    what: str,
    *,
    at_least: int,
    browser: Browser,
) -> None:
    """Every element ``selector`` matches on the pages ``only`` matches: as many in both builds
    (compare_elements checks), at least ``at_least``, each with the same pixels; differing
    screenshots go to test-artifacts/``what``-screenshots/."""
    out = ROOT / "test-artifacts" / f"{what}-screenshots"
    result = compare_screens.compare_elements(
        shipped, site, selector, out=out, only=only, browser=browser
    )
    assert result.views >= at_least
    assert not result.differing, (
        f"{len(result.differing)} of {result.views} {what} differ (screenshots in {out}):"
        f" {result.differing}"
    )


@pytest.mark.browser
def test_tables_wrapped_at_build_time_look_as_wrapped_by_material(
    site: Path, shipped: Path, browser: Browser
) -> None:
    """Each table's scrolling box, wrapped at build time (overrides/hooks/styles.py) and by
    material's script in the shipped build: as many boxes, the same pixels."""
    _assert_elements_look_the_same(
        shipped, site, ".md-typeset__scrollwrap", TABLES, "tables", at_least=20, browser=browser
    )


@pytest.mark.browser
def test_formulas_with_a_prime_look_as_with_temml_whole_font(
    site: Path, shipped: Path, browser: Browser
) -> None:
    """Each formula with a prime, drawn in Temml's font, on its own: the same pixels with the
    cut-down font as with the whole one (the shipped build keeps it whole), which the reader's
    browser did load."""
    mathml = load_hook("mathml")
    whole = mathml.TEMML_FONT_SOURCE.read_bytes()
    assert (shipped / mathml.TEMML_FONT_FILE).read_bytes() == whole
    assert len((site / mathml.TEMML_FONT_FILE).read_bytes()) < len(whole)
    with serve(site) as base:
        tab = Tab(browser, site=site)
        try:
            tab.goto(base + "api/functional/activation/")
            status = tab.page.evaluate(
                "document.fonts.ready.then(() => [...document.fonts]"
                ".filter((f) => f.family === 'Temml').map((f) => f.status))"
            )
        finally:
            tab.close()
    assert status == ["loaded"]
    _assert_elements_look_the_same(
        shipped, site, "math:has(mo.tml-prime)", PRIMES, "formulas", at_least=3, browser=browser
    )
