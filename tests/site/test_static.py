"""Checks on the generated HTML, CSS and JS of the built site, page by page.

Each test walks every generated page and reports every problem it finds at once, with the page
it is on, so one run shows the whole list.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.phone import phone_labels
from tools import tex_text
from tools.sitecheck import (
    HOSTED_ENV,
    KNOWN_JS_URLS,
    ROOT,
    Page,
    css_urls,
    js_absolute_urls,
    pages,
    resolve,
    site_prefix,
    third_party,
)

from .conftest import load_hook

# KaTeX (npm, pinned in package-lock.json): every formula must also be standard KaTeX input.
KATEX = ROOT / "node_modules" / "katex" / "dist" / "katex.min.js"
# The site's math font, cut down at build time by overrides/hooks/mathml.py.
MATH_FONT_BUDGET = 80_000  # bytes; the whole STIX Two Math is 403 KB


def _report(problems: list[str], what: str) -> str:
    return f"{len(problems)} {what}:\n  " + "\n  ".join(problems)


def test_every_markdown_page_was_built(site: Path, site_pages: list[Page]) -> None:
    paths = {p.path for p in site_pages}
    assert "404.html" in paths
    missing = []
    for md in sorted((ROOT / "docs").rglob("*.md")):
        rel = md.relative_to(ROOT / "docs").with_suffix("")
        html = rel.parent / "index.html" if rel.name in ("index", "README") else rel / "index.html"
        if html.as_posix() not in paths:
            missing.append(f"{md.relative_to(ROOT)} -> {html.as_posix()}")
    assert not missing, _report(missing, "pages not built")


def broken_links(site: Path, site_pages: list[Page], prefix: str) -> list[str]:
    by_path = {p.path: p for p in site_pages}
    problems = []
    for page in site_pages:
        for url in page.links + [u for _, u in page.resources]:
            target = resolve(page, url, prefix)
            if target.external or target.file is None:
                continue
            file = target.file
            if (site / file).is_dir():
                file = f"{file}/index.html"
            if not (site / file).is_file():
                problems.append(f"{page.path}: {url} -> missing file {file}")
                continue
            if target.fragment:
                linked = by_path.get(file)
                if linked is None:
                    continue  # an anchor into a non-HTML file (e.g. an SVG symbol)
                if target.fragment not in linked.ids:
                    problems.append(f"{page.path}: {url} -> no id '{target.fragment}' in {file}")
    return problems


def test_internal_links_and_anchors_resolve(site: Path, site_pages: list[Page]) -> None:
    problems = broken_links(site, site_pages, site_prefix())
    assert not problems, _report(problems, "broken internal links or anchors")


def test_no_resource_from_a_third_party_host_in_html(site_pages: list[Page]) -> None:
    problems = [
        f"{page.path}: {what} {url}"
        for page in site_pages
        for what, url in page.resources
        if third_party(url, f"http://site.invalid/{page.path}")
    ]
    assert not problems, _report(problems, "third-party resources")


def test_no_third_party_url_in_stylesheets(site: Path) -> None:
    problems = []
    for css in sorted(site.rglob("*.css")):
        rel = css.relative_to(site).as_posix()
        for url in css_urls(css.read_text(encoding="utf-8", errors="replace")):
            if third_party(url, f"http://site.invalid/{rel}"):
                problems.append(f"{rel}: {url}")
            elif not url.startswith(("data:", "#")):
                local = (css.parent / url.split("?")[0].split("#")[0]).resolve()
                if not local.is_file():
                    problems.append(f"{rel}: {url} -> missing file")
    assert not problems, _report(problems, "bad url()/@import in stylesheets")


def test_scripts_request_no_third_party_host(site: Path, site_pages: list[Page]) -> None:
    """Every absolute URL literal in the shipped JavaScript is a known one whose request can
    never happen on this site; an unknown one fails until it is understood and listed."""
    unknown = []
    for js in sorted(site.rglob("*.js")):
        rel = js.relative_to(site).as_posix()
        for url in js_absolute_urls(js.read_text(encoding="utf-8", errors="replace")):
            if url not in KNOWN_JS_URLS:
                unknown.append(f"{rel}: {url}")
    assert not unknown, _report(unknown, "unexplained absolute URLs in scripts")
    # The conditions under which the listed URLs would be requested never hold here.
    mermaid = [p.path for p in site_pages if p.has_mermaid]
    assert not mermaid, f"mermaid blocks would load mermaid from a CDN: {mermaid}"
    source = [p.path for p in site_pages if p.has_source_widget]
    assert not source, f"the source widget would call the forge's API: {source}"


def test_no_leftover_image_references_from_the_seed_notes(site_pages: list[Page]) -> None:
    problems = [f"{page.path}: {ref}" for page in site_pages for ref in page.leftovers]
    assert not problems, _report(problems, "seed-note image references (local paths, zhihu)")


def test_every_figure_has_alt_text_and_a_caption(site_pages: list[Page]) -> None:
    problems = []
    for page in site_pages:
        for fig in page.figures:
            name = f"{page.path}: <{fig.kind}{' ' + fig.source if fig.source else ''}>"
            if not fig.label:
                problems.append(f"{name} has no {'alt' if fig.kind == 'img' else 'aria-label'}")
            if not fig.caption:
                problems.append(f"{name} is not in a <figure> with a <figcaption>")
    assert not problems, _report(problems, "figures without alt text or caption")


def _figure_files(site: Path, site_pages: list[Page]) -> list[tuple[str, str]]:
    """Each figure file of the built site: the page that shows it (or, if none does, the file's
    name), and its SVG."""
    shown_on = {
        Path(fig.source).name: str(page.path) for page in site_pages for fig in page.figures
    }
    return [
        (shown_on.get(path.name, path.name), path.read_text(encoding="utf-8"))
        for path in sorted((site / "assets" / "figures").glob("*.svg"))
    ]


# No label of a figure may show smaller than this on a phone (tests/phone.py measures it).
PHONE_TEXT_PX = 8.5


def test_figure_text_is_legible_on_a_phone(site: Path, site_pages: list[Page]) -> None:
    """Each label's own size (sub- and superscripts, drawn at 70 %, are part of their label), as
    the SVG file gives it, scaled by the width a phone shows the figure at."""
    problems = []
    figures = _figure_files(site, site_pages)
    assert figures, "no figure files in the built site"
    for page, svg in figures:
        for shown, words in phone_labels(svg):
            if shown < PHONE_TEXT_PX:
                problems.append(f"{page}: {words!r} shows at {shown:.1f} px on a phone")
    assert not problems, _report(problems, f"figure labels under {PHONE_TEXT_PX:g} px on a phone")


# A hyphen-minus before a number, at the start of a label or after a space, "=", "(", "[" or ",".
HYPHEN_NUMBER = re.compile(r"(?:^|[\s=(\[,])-(?=[\d.])", re.M)


def test_figures_write_negative_numbers_with_the_minus_sign(
    site: Path, site_pages: list[Page]
) -> None:
    """Axes write "−1" with the minus sign (U+2212, dlref.viz): a label made by a page's code
    (an f-string, a graph's numbers) must not write "-1" with the shorter hyphen beside them,
    nor the figure's alt text or caption (a screen reader may read a hyphen as "dash"). A
    formula's glyphs are one tspan each, so a label's text is its tspans put together."""
    problems = [
        f"{page.path}: {kind} {text!r}"
        for page in site_pages
        for fig in page.figures
        for kind, text in (("alt", fig.label), ("caption", fig.caption or ""))
        if HYPHEN_NUMBER.search(text)
    ]
    for page, svg in _figure_files(site, site_pages):
        for text in re.findall(r"<text\b.*?</text>", svg, re.S):
            glyphs = re.findall(r"<tspan\b[^>]*>([^<]*)</tspan>", text)
            words = html.unescape("".join(glyphs) if glyphs else re.sub(r"<[^>]+>", "", text))
            if HYPHEN_NUMBER.search(words.strip()):
                problems.append(f"{page}: {words.strip()!r}")
    assert not problems, _report(problems, "figure labels with a hyphen for a minus")


def test_a_formulas_minus_signs_are_bars_not_the_readers_glyph(
    site: Path, site_pages: list[Page]
) -> None:
    """dlref.viz draws each minus sign of a formula as the bar it measured, and leaves the
    character unpainted: the reader's font might draw it full width (see dlref.viz)."""
    problems, bars = [], 0
    for page, svg in _figure_files(site, site_pages):
        for style in re.findall(r'<tspan\b[^>]*style="([^"]*)"[^>]*>\u2212</tspan>', svg):
            bars += 1
            if "fill:none" not in style.replace(" ", ""):
                problems.append(f"{page}: {style}")
    assert bars, "no formula with a minus sign in the site: the check checks nothing"
    assert not problems, _report(problems, "formula minus signs painted in the reader's font")


def test_no_block_element_inside_a_paragraph(site_pages: list[Page]) -> None:
    """``<p><figure>`` or ``<p><div>`` is invalid HTML: the browser closes the paragraph before
    the block and leaves empty paragraphs around it. markdown-exec's output gave both (a
    figure in a tab; two printed code blocks in a row), see overrides/hooks/figures.py and
    dlref.viz.source_markdown."""
    problems = [f"{p.path}: {tag}" for p in site_pages for tag in p.in_paragraph]
    assert not problems, _report(problems, "block elements inside a <p>")


def test_no_tooltip_starts_or_ends_with_whitespace(site_pages: list[Page]) -> None:
    """mkdocs-autorefs titled every link to an API object with the heading's indented text
    (``title="            dlref.nn.RNN"``); overrides/hooks/tooltips.py strips it."""
    problems = [f"{p.path}: {title}" for p in site_pages for title in p.padded_titles]
    assert not problems, _report(problems, "title attributes with whitespace around the text")


def test_no_duplicate_ids_on_a_page(site_pages: list[Page]) -> None:
    """Two figures with the same ids would draw each other's markers and clip paths."""
    problems = [
        f"{p.path}: {sorted(set(p.duplicate_ids))[:10]}" for p in site_pages if p.duplicate_ids
    ]
    assert not problems, _report(problems, "pages with duplicate ids")


def test_every_formula_parses_with_the_vendored_katex(site: Path, site_pages: list[Page]) -> None:
    """Run the project's KaTeX under node on every formula's TeX (from the MathML's annotation).
    The build typesets with Temml and fails on a formula Temml rejects; this keeps every formula
    within KaTeX's TeX as well, the dialect the formulas were written in and that readers paste
    into their own notes."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node not found: formulas are still checked in the browser tests")
    formulas = [
        {"page": p.path, "tex": f.tex, "display": f.display} for p in site_pages for f in p.formulas
    ]
    done = subprocess.run(
        [node, str(Path(__file__).with_name("katex_parse.cjs")), str(KATEX)],
        input=json.dumps(formulas),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    problems = json.loads(done.stdout)
    assert not problems, _report(problems, "formulas KaTeX cannot render")


def test_search_previews_show_formulas_as_text(site: Path, site_pages: list[Page]) -> None:
    """The search index holds each formula as plain text (overrides/hooks/search_content.py with
    tools/tex_text.py), which a result's preview shows: no TeX left in any entry outside code;
    and every formula of the site converts with no macro the conversion does not know (it would
    show its bare name) and with the parentheses it adds in pairs (an interval's [0, 1) stays as
    it is)."""
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    code = re.compile(r"<pre>.*?</pre>|<code>.*?</code>", re.S)
    tex_left = re.compile(r"\\[(\[]|\\[A-Za-z]+")
    problems = [
        f"{doc['location']}: {found.group(0)!r} in {field}"
        for doc in index["docs"]
        for field in ("title", "text")
        for found in [tex_left.search(code.sub("", doc[field]))]
        if found
    ]
    for page in site_pages:
        for formula in page.formulas:
            text = tex_text.to_text(formula.tex)
            unpaired = text.count("(") - text.count(")")
            unknown = [
                m for m in re.findall(r"\\([A-Za-z]+)", formula.tex) if not tex_text.is_known(m)
            ]
            if (
                unknown
                or "\\" in text
                or unpaired != formula.tex.count("(") - formula.tex.count(")")
            ):
                problems.append(f"{page.path}: {formula.tex!r} -> {text!r} (unknown: {unknown})")
    assert not problems, _report(problems, "formulas shown as TeX in search results")


def test_every_python_session_copies_as_code_that_compiles(
    site: Path, site_pages: list[Page]
) -> None:
    """The copy button of each pycon block copies its code without prompts or printed lines
    (overrides/hooks/copy_code.py): what it copies compiles as Python, so it runs pasted into a
    script or a notebook cell."""
    copy_code = load_hook("copy_code")
    problems, blocks = [], 0
    for page in site_pages:
        text = (site / page.path).read_text(encoding="utf-8")
        for block in copy_code.PYCON.finditer(text):
            blocks += 1
            copied = copy_code.copied_text(block[2])
            try:
                compile(copied, page.path, "exec")
            except SyntaxError as error:
                problems.append(f"{page.path}: {error.msg} in {error.text!r}")
    assert blocks > 100  # the lessons' and the API pages' sessions were found
    assert not problems, _report(problems, "Python sessions whose copy does not compile")


def test_math_is_typeset_at_build_time(site: Path, site_pages: list[Page]) -> None:
    """Every formula arrives as MathML; no page loads math JavaScript; the math stylesheet and
    a preload of its font are linked from exactly the pages that have a formula, the preload
    from the body (in the head, Chromium holds the first paint for it)."""
    problems = []
    for page in site_pages:
        untypeset = [f.tex[:80] for f in page.formulas if not f.typeset]
        problems += [f"{page.path}: formula not typeset: {t!r}" for t in untypeset]
        scripts = [u for what, u in page.resources if what == "<script src>"]
        problems += [
            f"{page.path}: math script {u}"
            for u in scripts
            if any(name in u.lower() for name in ("katex", "temml", "mathjax"))
        ]
        styles = [u for what, u in page.resources if "stylesheet" in what and "temml" in u]
        if page.formulas and not styles:
            problems.append(f"{page.path}: {len(page.formulas)} formulas, no math stylesheet")
        if styles and not page.formulas:
            problems.append(f"{page.path}: math stylesheet without a formula")
        # The math font is requested with the stylesheet (a layout shift otherwise), and only
        # where it is used (Chromium warns about a preload nothing uses). The offline copy has
        # no preload: test_browser.py's file:// test fails on the console error one makes.
        fonts = [u for what, u in page.resources if what == "<link rel=preload>"]
        if page.formulas and not [u for u in fonts if u.endswith("/STIXTwoMath-dlref.woff2")]:
            problems.append(f"{page.path}: formulas, but the math font is not preloaded")
        if fonts and not page.formulas:
            problems.append(f"{page.path}: a font preloaded without a formula: {fonts}")
        if fonts:
            head = (site / page.path).read_text(encoding="utf-8").partition("<body")[0]
            if 'rel="preload"' in head:
                problems.append(f"{page.path}: the math font is preloaded from the head")
    assert not problems, _report(problems, "problems with build-time math")


def test_the_math_font_has_every_character_the_formulas_show(site: Path) -> None:
    """The cut-down STIX Two Math holds every character the site's MathML shows (its Chinese
    text aside), with the italic form of each letter, and keeps its MATH table (bigger sums and
    brackets, stretched glyphs); and it is small."""
    from fontTools.ttLib import TTFont

    mathml = load_hook("mathml")
    shown: set[str] = set()
    for path in site.rglob("*.html"):
        for formula in re.findall(r"<math\b.*?</math>", path.read_text("utf-8"), re.DOTALL):
            shown |= mathml.shown_characters(formula)
    assert len(shown) > 50, "the site's formulas show hardly any characters: is it built?"
    font_file = site / mathml.FONT_FILE
    assert font_file.is_file(), f"{font_file} is missing"
    font = TTFont(font_file)
    assert "MATH" in font, "the math font lost its MATH table"
    missing = sorted(set(mathml.font_characters(shown)) - {chr(c) for c in font.getBestCmap()})
    assert not missing, f"characters the formulas show but the math font lacks: {missing}"
    size = font_file.stat().st_size
    assert size <= MATH_FONT_BUDGET, f"the math font is {size} B > {MATH_FONT_BUDGET} B"


def test_temml_font_has_what_the_formulas_show_in_it_and_no_more(site: Path) -> None:
    """Temml's font in the site holds the characters formulas show in it (primes), and its
    blank glyphs, with their outlines and widths as in the whole font; its name table (copyright,
    licence fields) whole; its licence file beside it; a fraction of the whole font's size."""
    from fontTools.ttLib import TTFont

    mathml = load_hook("mathml")
    shown: set[str] = set()
    for path in site.rglob("*.html"):
        for formula in re.findall(r"<math\b.*?</math>", path.read_text("utf-8"), re.DOTALL):
            shown |= mathml.temml_font_characters(formula)
    assert "\u2032" in shown, "no formula shows a prime: is the site built?"
    whole = TTFont(mathml.TEMML_FONT_SOURCE)
    font = TTFont(site / mathml.TEMML_FONT_FILE)
    whole_cmap, cmap = whole.getBestCmap(), font.getBestCmap()
    wanted = {ord(c) for c in mathml.temml_font_text(shown)}
    assert set(cmap) == wanted & set(whole_cmap)
    for code in cmap:
        a, b = whole_cmap[code], cmap[code]
        assert whole["hmtx"][a] == font["hmtx"][b], f"U+{code:04X}: another width"
        glyph_a, glyph_b = whole["glyf"][a], font["glyf"][b]
        assert glyph_a.getCoordinates(whole["glyf"]) == glyph_b.getCoordinates(font["glyf"])
        assert getattr(glyph_a, "program", None) == getattr(glyph_b, "program", None)
    names = {(r.nameID, r.toUnicode()) for r in whole["name"].names}
    assert {(r.nameID, r.toUnicode()) for r in font["name"].names} == names
    for table in ("hhea", "OS/2", "head", "fpgm", "prep", "cvt ", "gasp"):
        assert table in font, f"the cut-down font lost its {table} table"
    assert font["hhea"].ascent == whole["hhea"].ascent
    assert font["hhea"].descent == whole["hhea"].descent
    assert (site / mathml.TEMML_FONT_FILE).with_name("LICENSE").is_file()
    size = (site / mathml.TEMML_FONT_FILE).stat().st_size
    assert size < mathml.TEMML_FONT_SOURCE.stat().st_size / 3, f"Temml's font is {size} B"


def test_404_page_is_in_chinese_and_links_home_and_search(site_pages: list[Page]) -> None:
    page = next(p for p in site_pages if p.path == "404.html")
    html = (ROOT / "overrides" / "404.html").read_text(encoding="utf-8")
    assert "页面不存在" in html
    assert "404" in page.ids
    home = [u for u in page.links if resolve(page, u, site_prefix()).file == "index.html"]
    assert home, "the 404 page links home"


def test_offline_copy_uses_file_urls_and_local_search(offline_site: Path) -> None:
    index = (offline_site / "index.html").read_text(encoding="utf-8")
    assert (offline_site / "search" / "search_index.js").is_file()
    assert 'src="assets/vendor/iframe-worker/shim.js"' in index
    problems = []
    for page in pages(offline_site):
        for url in page.links:
            target = resolve(page, url)
            if not target.external and target.file and (offline_site / target.file).is_dir():
                problems.append(f"{page.path}: {url} points at a folder (file:// shows a listing)")
        for what, url in page.resources:
            if third_party(url, f"http://site.invalid/{page.path}"):
                problems.append(f"{page.path}: {what} {url}")
            if what == "<link rel=preload>":  # refused from file:// (overrides/hooks/mathml.py)
                problems.append(f"{page.path}: {what} {url}")
    assert not problems, _report(problems, "offline-copy problems")


def test_hosted_build_links_the_repository_without_calling_its_api(hosted_site: Path) -> None:
    """The build the Pages workflow publishes: site_url under a path, repository and edit links
    set. The repository link is there; material's API call for star counts is not."""
    site_url, repo = HOSTED_ENV["DLREF_SITE_URL"], HOSTED_ENV["DLREF_REPO_URL"]
    hosted_pages = pages(hosted_site)
    assert not [p.path for p in hosted_pages if p.has_source_widget]
    index = (hosted_site / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{site_url}">' in index
    assert f'href="{repo}"' in index
    assert f'href="{repo}/{HOSTED_ENV["DLREF_EDIT_URI"]}index.md"' in index
    assert f"<loc>{site_url}</loc>" in (hosted_site / "sitemap.xml").read_text(encoding="utf-8")
    problems = broken_links(hosted_site, hosted_pages, urlsplit(site_url).path)
    problems += [
        f"{p.path}: {what} {url}"
        for p in hosted_pages
        for what, url in p.resources
        if third_party(url, f"http://site.invalid/{p.path}")
        and not url.startswith(site_url)  # absolute URLs into the site itself
    ]
    assert not problems, _report(problems, "problems in the hosted build")
