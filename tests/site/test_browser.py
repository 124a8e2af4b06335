"""The built site in a real browser: Playwright drives headless Chromium over every page.

A page fails on any console error or uncaught exception, any failed request or error status,
any request to a host other than the site's own, a formula that was not typeset at build time
(or math JavaScript on the page), a figure that did not draw, or an accessibility violation
that axe-core (from npm, run inside the page) finds. Each page is loaded as a first visit (new
browser context, empty cache) in three ways: light and dark colour scheme on a desktop
viewport, and a 390 px wide phone. Screenshots go to ``test-artifacts/screenshots/``; the bytes
each first visit transferred go to ``test-artifacts/page-weights.json``.

Readable at every width (issue 14): at 1280 px no table or display formula is wider than the
text column; at 390 px one that is wider scrolls sideways inside its own box, with a visible
cue (a shadow at the edge that hides more), and the page itself never does.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from tools.search_rank import glossary_queries
from tools.sitecheck import ROOT, Page
from tools.visit import DARK, LIGHT, PHONE, SCROLL_REGIONS_MARKED, Mode, Tab

from .conftest import ARTIFACTS, load_hook

pytestmark = pytest.mark.browser

# The median page's first visit: uncompressed (every loaded file at its size on disk), issue 16's
# budget, which `make report` (tools/site_report.py) also prints; and as a static host serves it
# (gzip).
MEDIAN_FIRST_VISIT_RAW_BUDGET = 400_000  # bytes, raw
MEDIAN_FIRST_VISIT_BUDGET = 200_000  # bytes, served
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

# Run in the page after it settled: what a reader would see missing.
PAGE_STATE = r"""
(() => {
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const unrendered = [...document.querySelectorAll(".arithmatex")]
    .filter((el) => !el.querySelector("math"))
    .map((el) => el.textContent.trim().slice(0, 80));
  const figures = [];
  for (const fig of document.querySelectorAll("article figure, .md-content figure")) {
    const media = fig.querySelector("svg, img");
    const caption = fig.querySelector("figcaption");
    let problem = null;
    if (!media) problem = "no svg or img";
    else if (!caption || !caption.textContent.trim()) problem = "no caption";
    else if (media.tagName === "IMG" && !(media.complete && media.naturalWidth > 0))
      problem = "image did not load";
    else if (media.tagName.toLowerCase() === "svg"
             && !media.querySelector("path, text, use, image"))
      problem = "empty svg";
    else if (visible(fig)) {
      const box = media.getBoundingClientRect();
      if (box.width < 10 || box.height < 10) problem = `drawn ${box.width}x${box.height}`;
    }
    if (problem) figures.push(`${problem}: ${(caption && caption.textContent.trim()) || "?"}`);
  }
  const brokenImages = [...document.querySelectorAll("img")]
    .filter((img) => !(img.complete && img.naturalWidth > 0))
    .map((img) => img.getAttribute("src"));
  const mathScripts = [...document.scripts]
    .map((s) => s.src)
    .filter((src) => /katex|temml|mathjax/i.test(src));
  // The site's math font: on a page with a formula, loaded (and so drawn with), not a fallback.
  const mathFont = [...document.fonts].filter((f) => f.family.includes("STIX Two Math"));
  return {
    unrendered,
    figures,
    brokenImages,
    mathScripts,
    mathGlobal: typeof window.katex !== "undefined" || typeof window.temml !== "undefined",
    hasMath: !!document.querySelector(".arithmatex math"),
    mathFontLoaded: mathFont.some((f) => f.status === "loaded"),
    scheme: document.body.getAttribute("data-md-color-scheme"),
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  };
})()
"""

# Tables and display formulas wider than the box they sit in (shown ones: a formula in a tab
# that is not selected has no width).
WIDE_CONTENT = r"""
(() => {
  const wide = [];
  const items = document.querySelectorAll(".md-content table, .md-content div.arithmatex");
  for (const el of items) {
    if (!el.offsetWidth) continue;
    const table = el.tagName === "TABLE";
    const boxes = table ? [el, el.closest(".md-typeset__scrollwrap")].filter(Boolean) : [el];
    const box = boxes.find((b) => b.scrollWidth > b.clientWidth + 1);
    if (!box) continue;
    const style = getComputedStyle(box);
    const label = table
      ? [...el.querySelectorAll("th")].map((th) => th.textContent.trim()).join(" | ")
      : (el.querySelector("annotation") || el).textContent.trim();
    wide.push({
      what: table ? "table" : "formula",
      label: label.slice(0, 70),
      width: box.scrollWidth,
      box: box.clientWidth,
      scrolls: ["auto", "scroll"].includes(style.overflowX),
      cue: /gradient/.test(style.backgroundImage),
    });
  }
  return wide;
})()
"""


def _slug(page: Page) -> str:
    return (page.url_path.strip("/").replace("/", "-") or "index").removesuffix(".html")


# The rules Lighthouse's accessibility category scores (WCAG 2 A and AA, plus the best-practice
# rules it turns on), and scrollable-region-focusable, which it leaves off.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "rules": {
        rule: {"enabled": True}
        for rule in (
            "accesskeys", "aria-allowed-role", "aria-dialog-name", "aria-text", "empty-heading",
            "heading-order", "identical-links-same-purpose", "image-redundant-alt",
            "label-content-name-mismatch", "landmark-one-main", "link-in-text-block",
            "meta-viewport", "skip-link", "tabindex", "table-duplicate-name",
            "table-fake-caption", "target-size", "td-has-header", "scrollable-region-focusable",
        )
    },
    "resultTypes": ["violations"],
}  # fmt: skip


def axe_violations(tab: Tab) -> list[str]:
    """Accessibility violations axe-core finds on the page as it is shown."""
    tab.page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = tab.page.evaluate(
        "async (options) => (await axe.run(document, options)).violations"
        ".map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))}))",
        AXE_OPTIONS,
    )
    return [
        f"axe {v['id']} ({len(v['nodes'])}): {', '.join(v['nodes'][:3])}"
        + (" ..." if len(v["nodes"]) > 3 else "")
        for v in found
    ]


# Figures are images loaded lazily (overrides/hooks/figures.py): a first visit fetches only those
# near the screen. After the first visit is measured, every one is asked for now and awaited, so
# that PAGE_STATE sees each figure's file loaded and decoded, below the fold and in a tab not
# shown included.
LOAD_LAZY_IMAGES = r"""
async () => {
  const lazy = [...document.querySelectorAll('img[loading="lazy"]')];
  for (const img of lazy) img.loading = "eager";
  const loaded = (img) => img.complete ? Promise.resolve() : new Promise((done) => {
    img.addEventListener("load", done, { once: true });
    img.addEventListener("error", done, { once: true });
  });
  const timeout = new Promise((done) => setTimeout(done, 10000));
  await Promise.race([Promise.all(lazy.map(loaded)), timeout]);
  return lazy.length;
}
"""


def check_page(tab: Tab, url: str, mode: Mode) -> tuple[list[str], dict[str, Any]]:
    """Load ``url`` as a first visit and check what it shows; the state (PAGE_STATE's, and the
    bytes the first visit transferred, before the lazy figures were asked for)."""
    visit = tab.goto(url)
    first_visit = {"served": visit.served, "raw": visit.raw}
    tab.page.evaluate(LOAD_LAZY_IMAGES)
    state = tab.page.evaluate(PAGE_STATE)
    state["first_visit"] = first_visit
    problems = list(visit.problems)
    problems += [f"formula not typeset: {t}" for t in state["unrendered"]]
    problems += [f"math script loaded: {s}" for s in state["mathScripts"]]
    if state["mathGlobal"]:
        problems.append("a math script runs on the page (formulas are typeset at build time)")
    if state["hasMath"] and not state["mathFontLoaded"]:
        problems.append("formulas on the page, but the math font (STIX Two Math) did not load")
    problems += [f"figure: {f}" for f in state["figures"]]
    problems += [f"image did not load: {s}" for s in state["brokenImages"]]
    if mode.dark and state["scheme"] != "slate":
        problems.append(f"dark colour scheme not applied (scheme={state['scheme']})")
    # Against the phone's own width: a mobile browser widens the layout viewport (innerWidth)
    # to a page that is too wide, and zooms the whole page out, so innerWidth grows with it.
    if mode.mobile and state["scrollWidth"] > mode.width + 1:
        problems.append(f"page is {state['scrollWidth']} px wide on a {mode.width} px phone")
    return problems, state


def visit_all(
    browser: Browser, base_url: str, site: Path, pages: list[Page], mode: Mode
) -> dict[str, Any]:
    """Every page in ``mode``: load problems, axe violations, wide content, bytes."""
    run: dict[str, Any] = {"problems": [], "axe": [], "wide": [], "served": {}, "raw": {}}
    for page in pages:
        tab = Tab(browser, mode, site=site)
        try:
            found, state = check_page(tab, base_url + page.url_path, mode)
            run["served"][page.path] = state["first_visit"]["served"]
            run["raw"][page.path] = state["first_visit"]["raw"]
            run["wide"] += [(page.path, w) for w in tab.page.evaluate(WIDE_CONTENT)]
            tab.screenshot(ARTIFACTS / "screenshots" / mode.name / f"{_slug(page)}.png")
            # The page as a reader has it once scroll-regions.html's background pass is done
            # (every block rendered once, at its real height; the wide boxes focusable): before
            # that, axe would measure 120px stand-ins (tests/site/test_render_on_demand.py).
            tab.page.wait_for_function(SCROLL_REGIONS_MARKED, timeout=30_000)
            axe = axe_violations(tab)
        finally:
            tab.close()
        run["problems"] += [f"{page.path} [{mode.name}]: {p}" for p in found]
        run["axe"] += [f"{page.path} [{mode.name}]: {p}" for p in axe]
    return run


def _wide_report(wide: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [
        f"{path}: {w['what']} {w['width']} px in a {w['box']} px box: {w['label']!r}"
        for path, w in wide
    ]


# Under pytest-xdist `make test` runs these with `--dist loadscope`: each class is one unit of
# work for one worker. The light, dark and phone runs over every page, the searches, the 404 page
# and the offline copy run side by side; the tests of one class share one visit of every page.


@pytest.fixture(scope="class")
def light_run(
    browser: Browser, base_url: str, site: Path, site_pages: list[Page]
) -> dict[str, Any]:
    run = visit_all(browser, base_url, site, site_pages, LIGHT)
    ARTIFACTS.mkdir(exist_ok=True)
    weights = {"served (gzip)": run["served"], "raw": run["raw"]}
    (ARTIFACTS / "page-weights.json").write_text(
        json.dumps(weights, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return run


class TestLightMode:
    def test_every_page_loads_cleanly(self, light_run: dict[str, Any]) -> None:
        assert not light_run["problems"], "\n".join(light_run["problems"])

    def test_no_accessibility_violations(self, light_run: dict[str, Any]) -> None:
        assert not light_run["axe"], "\n".join(light_run["axe"])

    def test_median_first_visit_is_within_budget(self, light_run: dict[str, Any]) -> None:
        for kind, budget in (
            ("raw", MEDIAN_FIRST_VISIT_RAW_BUDGET),
            ("served", MEDIAN_FIRST_VISIT_BUDGET),
        ):
            pages = {p: n for p, n in light_run[kind].items() if p != "404.html"}
            median = statistics.median(pages.values())
            assert median <= budget, f"{kind} median first visit {median:.0f} B > {budget}: {pages}"

    def test_no_table_or_formula_is_wider_than_the_text_column(
        self, light_run: dict[str, Any]
    ) -> None:
        """At 1280 px the text column is as wide as it gets: nothing in it should need a
        scroll bar there (issue 14). A failure lists the page and the table's headers or the
        formula's TeX."""
        wide = _wide_report(light_run["wide"])
        assert not wide, f"{len(wide)} wider than the text column at 1280 px:\n" + "\n".join(wide)


@pytest.fixture(scope="class")
def dark_run(browser: Browser, base_url: str, site: Path, site_pages: list[Page]) -> dict[str, Any]:
    return visit_all(browser, base_url, site, site_pages, DARK)


class TestDarkMode:
    def test_every_page_loads_cleanly(self, dark_run: dict[str, Any]) -> None:
        assert not dark_run["problems"], "\n".join(dark_run["problems"])

    def test_no_accessibility_violations(self, dark_run: dict[str, Any]) -> None:
        """Colour contrast in particular: the dark palette has its own colours."""
        assert not dark_run["axe"], "\n".join(dark_run["axe"])


@pytest.fixture(scope="class")
def phone_run(
    browser: Browser, base_url: str, site: Path, site_pages: list[Page]
) -> dict[str, Any]:
    return visit_all(browser, base_url, site, site_pages, PHONE)


class TestPhone:
    def test_every_page_loads_cleanly(self, phone_run: dict[str, Any]) -> None:
        assert not phone_run["problems"], "\n".join(phone_run["problems"])

    def test_no_accessibility_violations(self, phone_run: dict[str, Any]) -> None:
        assert not phone_run["axe"], "\n".join(phone_run["axe"])

    def test_wide_tables_and_formulas_scroll_in_their_box_with_a_cue(
        self, phone_run: dict[str, Any]
    ) -> None:
        """On a 390 px phone a wide table or formula scrolls sideways in its own box (the page
        does not: see the load check), and the box shows that there is more to see."""
        problems = [
            line
            + ("" if w["scrolls"] else " (does not scroll)")
            + ("" if w["cue"] else " (no cue)")
            for line, (_, w) in zip(_wide_report(phone_run["wide"]), phone_run["wide"], strict=True)
            if not (w["scrolls"] and w["cue"])
        ]
        assert not problems, "\n".join(problems)


# -- search, as a reader uses it -------------------------------------------------------------
# (query, pages that explain it: any of them among the first results passes). A query whose
# pages are not in the built site yet is skipped, and starts being checked when one lands.
SEARCHES = [
    ("交叉熵", ["classification/softmax-cross-entropy/"]),
    ("反向传播", ["basics/backpropagation/"]),
    ("循环神经网络", ["sequence/rnn/"]),
    ("激活函数", ["components/neurons-activations/"]),
    ("过拟合", ["components/dropout/"]),
    ("linspace", ["basics/tensors-linspace/"]),
]
TOP = 3

RESULTS = r"""
[...document.querySelectorAll(".md-search-result__item > .md-search-result__link")]
  .map((a) => new URL(a.href).pathname)
"""
SEARCH_FILES = ("search/search_index", "workers/search.")  # the index and the search worker


def index_requests(tab: Tab) -> list[str]:
    return [u for u in tab.visit.urls if any(f in u for f in SEARCH_FILES)]


def search(tab: Tab, start_url: str, query: str) -> list[str]:
    """Open the search box and type ``query`` as a reader would (an IME commit, then a key
    release); the result pages' paths, best first. The page must not have loaded the search
    index or the search worker before the search box opened."""
    tab.goto(start_url)
    early = index_requests(tab)
    assert not early, f"search files loaded before the search box opened: {early}"
    tab.page.evaluate("document.querySelector('[data-md-toggle=search]').click()")
    tab.page.focus("input[data-md-component=search-query]")
    tab.page.keyboard.insert_text(query)
    tab.page.keyboard.press("End")
    tab.page.wait_for_function(
        "document.querySelectorAll('.md-search-result__item').length > 0", timeout=15_000
    )
    paths: list[str] = tab.page.evaluate(RESULTS)
    return paths


class TestSearch:
    @pytest.mark.parametrize(("query", "targets"), SEARCHES, ids=[q for q, _ in SEARCHES])
    def test_search_finds_the_page_that_explains_it(
        self, browser: Browser, base_url: str, site: Path, query: str, targets: list[str]
    ) -> None:
        present = [t for t in targets if (site / t / "index.html").is_file()]
        if not present:
            pytest.skip(
                f"the page for {query!r} ({', '.join(targets)}) is not in the built site yet"
            )
        tab = Tab(browser)
        try:
            paths = search(tab, base_url, query)
            errors = tab.visit.problems
            loaded = index_requests(tab)
        finally:
            tab.close()
        pages = list(dict.fromkeys(p.split("#")[0] for p in paths))
        assert not errors, errors
        assert loaded, "search answered without loading the index?"
        assert any("/" + t in pages[:TOP] for t in present), (
            f"search {query!r}: expected {present} among the first {TOP} results, got {pages}"
        )


# -- ranking: every glossary term finds the page the glossary links it to ----------------------
# The queries and their pages come from docs/glossary.md (tools/search_rank.py reads it; the same
# script scores these queries with the site's search worker under node, without a browser).
# Issue 16 asks for every term in the first three and nearly all first. Measured 2026-12-02 on
# the 224 queries: 195 in the first three (87 %) and 144 first (64 %) before each page's glossary
# terms were indexed on it (overrides/hooks/search_content.py); 224 (100 %) and 212 (94.6 %)
# after. Every term must stay in the first three; the share first must not fall below the floor.
# The misses and the terms not first are written to the report.
TOP3_SHARE = 1.0
FIRST_SHARE = 0.94
PLACEHOLDER = "键入以开始搜索"


def search_many(tab: Tab, start_url: str, queries: list[str]) -> dict[str, list[str]]:
    """Type each query into one open search box in turn; each one's result pages, best first."""
    tab.goto(start_url)
    tab.page.evaluate("document.querySelector('[data-md-toggle=search]').click()")
    box = "input[data-md-component=search-query]"
    meta = "document.querySelector('.md-search-result__meta').textContent.trim()"
    tab.page.focus(box)
    found = {}
    for query in queries:
        tab.page.fill(box, "")
        tab.page.keyboard.press("End")
        tab.page.wait_for_function(f"{meta} === {json.dumps(PLACEHOLDER)}", timeout=15_000)
        tab.page.keyboard.insert_text(query)
        tab.page.keyboard.press("End")
        tab.page.wait_for_function(f"{meta} !== {json.dumps(PLACEHOLDER)}", timeout=15_000)
        paths = tab.page.evaluate(RESULTS)
        found[query] = list(dict.fromkeys(p.split("#")[0] for p in paths))
    return found


def test_every_glossary_term_finds_its_page(browser: Browser, base_url: str, site: Path) -> None:
    """Searching a glossary term, in Chinese or English, lands on the page the glossary links
    it to: among the first three results for at least TOP3_SHARE of them, first for FIRST_SHARE."""
    queries = [
        (q, p) for q, p in glossary_queries() if (site / p.strip("/") / "index.html").is_file()
    ]
    assert len(queries) > 20, "the glossary has no terms?"
    tab = Tab(browser)
    try:
        results = search_many(tab, base_url, [q for q, _ in queries])
        assert not tab.visit.problems, tab.visit.problems
    finally:
        tab.close()
    missed = [
        f"{q!r}: {p} not in the first {TOP}: {results[q][:5]}"
        for q, p in queries
        if p not in results[q][:TOP]
    ]
    first = sum(results[q][:1] == [p] for q, p in queries)
    not_first = [
        f"{q!r}: {p} is {results[q].index(p) + 1}. after {results[q][0]}"
        for q, p in queries
        if results[q][:1] != [p] and p in results[q]
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "glossary-search.json").write_text(
        json.dumps({q: results[q][:5] for q, _ in queries}, ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
    (ARTIFACTS / "glossary-search-misses.txt").write_text(
        "\n".join([*missed, *not_first]) + "\n", "utf-8"
    )
    assert len(missed) <= (1 - TOP3_SHARE) * len(queries), (
        f"{len(missed)} of {len(queries)} glossary searches missed:\n" + "\n".join(missed)
    )
    assert first >= FIRST_SHARE * len(queries), (
        f"only {first} of {len(queries)} glossary searches put the page first:\n"
        + "\n".join(not_first)
    )


# -- the 404 page ----------------------------------------------------------------------------
def test_a_missing_address_shows_the_chinese_404_page_with_working_links(
    browser: Browser, base_url: str
) -> None:
    tab = Tab(browser)
    try:
        visit = tab.goto(base_url + "no/such/page/")
        statuses = [s for u, s in visit.statuses.items() if u.endswith("no/such/page/")]
        assert statuses == [404]
        state = tab.page.evaluate(
            "({h1: document.querySelector('article h1').textContent,"
            "  home: document.querySelector('a.dlref-404-home').href})"
        )
        assert "页面不存在" in state["h1"]
        # Every asset on the 404 page loads, however deep the missing address is.
        assert not [f for f in visit.failed_requests if "no/such/page" not in f]
        assert not [e for e in visit.console_errors if "no/such/page" not in e]
        assert tab.goto(state["home"]).problems == []
        # The search form opens the site search with the query.
        tab.goto(base_url + "no/such/page/")
        tab.page.fill("#dlref-404-query", "交叉熵")
        tab.page.evaluate("document.querySelector('form.dlref-404-search').requestSubmit()")
        tab.page.wait_for_function(
            "document.querySelectorAll('.md-search-result__item').length > 0", timeout=15_000
        )
    finally:
        tab.close()


def test_the_copy_button_of_a_python_session_copies_its_code_only(
    browser: Browser, base_url: str, site: Path
) -> None:
    """Click the copy button of every pycon block on the RNN page (printed lines, a loop, a
    traceback) and read the clipboard: the code without prompts or printed lines, exactly what
    ``copied_text`` reads from the block (overrides/hooks/copy_code.py and extra.css's
    data-md-copying rule; tests/site/test_static.py compiles that text for every block)."""
    copy_code = load_hook("copy_code")
    tab = Tab(browser, site=site)
    try:
        tab.context.grant_permissions(["clipboard-read", "clipboard-write"])
        tab.goto(base_url + "sequence/rnn/")
        blocks = tab.page.locator("div.language-pycon")
        assert blocks.count() > 5
        for i in range(blocks.count()):
            block = blocks.nth(i)
            block.scroll_into_view_if_needed()
            block.hover()
            block.locator("button.md-code__button[data-md-type=copy]").click()
            copied = tab.page.evaluate("navigator.clipboard.readText()")
            expected = copy_code.copied_text(block.locator("code").inner_html())
            assert copied == expected, f"block {i}"
            assert ">>>" not in copied
    finally:
        tab.close()


# -- the offline copy, opened from a folder ---------------------------------------------------
def test_offline_copy_works_from_file_urls(
    browser: Browser, offline_site: Path, site_pages: list[Page]
) -> None:
    """Every page of the offline copy opened as file://: no errors, formulas and figures drawn,
    and search answers."""
    problems = []
    tab = Tab(browser)
    try:
        for html in sorted(offline_site.rglob("*.html")):
            if html.name == "404.html":
                continue
            found, _ = check_page(tab, html.as_uri(), LIGHT)
            problems += [f"{html.relative_to(offline_site)}: {p}" for p in found]
        tab.screenshot(ARTIFACTS / "screenshots" / "offline" / "last-page.png")
        paths = search(tab, (offline_site / "index.html").as_uri(), "交叉熵")
        problems += [f"search: {p}" for p in tab.visit.console_errors]
        if not any(p.endswith("softmax-cross-entropy.html") for p in paths[:TOP]):
            problems.append(f"offline search for 交叉熵 returned {paths}")
    finally:
        tab.close()
    assert not problems, "\n".join(problems)
