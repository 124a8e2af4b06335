"""The built site in a real browser: headless Chromium loads every page from 127.0.0.1.

A page fails on any console error or uncaught exception, any failed request or error status,
any request to a host other than the site's own, a formula KaTeX did not render, or a figure
that did not draw. Each page is loaded as a first visit (fresh profile, no cache) in three ways:
light and dark colour scheme on a desktop viewport, and a 390 px wide phone. Screenshots of each
go to ``test-artifacts/screenshots/``; the bytes each first visit transferred (gzip, as a static
host serves them) go to ``test-artifacts/page-weights.json``.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tools.browser import Browser, Tab
from tools.sitecheck import Page

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser

MEDIAN_FIRST_VISIT_BUDGET = 600_000  # bytes

# Run in the page after it settled: what a reader would see missing.
PAGE_STATE = r"""
(() => {
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const unrendered = [...document.querySelectorAll(".arithmatex")]
    .filter((el) => !el.querySelector(".katex"))
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
  return {
    unrendered,
    figures,
    brokenImages,
    scheme: document.body.getAttribute("data-md-color-scheme"),
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  };
})()
"""


@dataclass(frozen=True)
class Mode:
    name: str
    width: int
    height: int
    mobile: bool = False
    dark: bool = False


LIGHT = Mode("light", 1280, 900)
DARK = Mode("dark", 1280, 900, dark=True)
PHONE = Mode("phone", 390, 844, mobile=True)


def _slug(page: Page) -> str:
    return (page.url_path.strip("/").replace("/", "-") or "index").removesuffix(".html")


def _check_page(tab: Tab, url: str, mode: Mode) -> tuple[list[str], Any, int]:
    visit = tab.goto(url)
    # KaTeX typesets after the load event; give it time before calling a formula unrendered (a
    # ceiling, not a delay: the wait ends as soon as every formula is typeset; generous because
    # `make test` runs two browsers at once, one per core).
    tab.wait_for(
        "![...document.querySelectorAll('.arithmatex')].some(e => !e.querySelector('.katex'))", 15
    )
    state = tab.eval(PAGE_STATE)
    problems = [*visit.console_errors, *visit.failed_requests]
    problems += [f"third-party request: {u}" for u in tab.third_party]
    problems += [f"formula not rendered: {t}" for t in state["unrendered"]]
    problems += [f"figure: {f}" for f in state["figures"]]
    problems += [f"image did not load: {s}" for s in state["brokenImages"]]
    if mode.dark and state["scheme"] != "slate":
        problems.append(f"dark colour scheme not applied (scheme={state['scheme']})")
    if mode.mobile and state["scrollWidth"] > state["innerWidth"] + 1:
        problems.append(
            f"page is {state['scrollWidth']} px wide on a {state['innerWidth']} px phone"
        )
    return problems, state, visit.transferred


def _visit_all(browser: Browser, base_url: str, pages: list[Page], mode: Mode) -> dict[str, Any]:
    problems: list[str] = []
    weights: dict[str, int] = {}
    for page in pages:
        tab = browser.new_tab(
            width=mode.width, height=mode.height, mobile=mode.mobile, dark=mode.dark
        )
        try:
            found, _, transferred = _check_page(tab, base_url + page.url_path, mode)
            tab.screenshot(ARTIFACTS / "screenshots" / mode.name / f"{_slug(page)}.png")
        finally:
            tab.close()
        problems += [f"{page.path} [{mode.name}]: {p}" for p in found]
        weights[page.path] = transferred
    return {"problems": problems, "weights": weights}


# Under pytest-xdist `make test` runs these with `--dist loadscope`: each class is one unit of
# work for one worker. The light, dark and phone runs over every page, the searches, the 404 page
# and the offline copy run side by side, and the two tests that share the light-mode visit of
# every page stay together, so the pages are visited once per mode.


@pytest.fixture(scope="class")
def light_run(browser: Browser, base_url: str, site_pages: list[Page]) -> dict[str, Any]:
    """Every page in light mode, once for the class that uses it (TestLightMode)."""
    run = _visit_all(browser, base_url, site_pages, LIGHT)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "page-weights.json").write_text(
        json.dumps(run["weights"], indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return run


class TestLightMode:
    def test_every_page_loads_cleanly(self, light_run: dict[str, Any]) -> None:
        assert not light_run["problems"], "\n".join(light_run["problems"])

    def test_median_first_visit_is_within_budget(self, light_run: dict[str, Any]) -> None:
        weights = light_run["weights"]
        median = statistics.median(weights.values())
        assert median < MEDIAN_FIRST_VISIT_BUDGET, (
            f"median first visit {median:.0f} B >= {MEDIAN_FIRST_VISIT_BUDGET} B: {weights}"
        )


class TestDarkMode:
    def test_every_page_loads_cleanly(
        self, browser: Browser, base_url: str, site_pages: list[Page]
    ) -> None:
        run = _visit_all(browser, base_url, site_pages, DARK)
        assert not run["problems"], "\n".join(run["problems"])


class TestPhone:
    def test_every_page_loads_cleanly(
        self, browser: Browser, base_url: str, site_pages: list[Page]
    ) -> None:
        run = _visit_all(browser, base_url, site_pages, PHONE)
        assert not run["problems"], "\n".join(run["problems"])


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


def search(tab: Tab, start_url: str, query: str) -> list[str]:
    """Type ``query`` into the header search box; the result pages' paths, best first."""
    tab.goto(start_url)
    tab.eval("document.querySelector('[data-md-toggle=search]').click()")
    tab.eval("document.querySelector('input[data-md-component=search-query]').focus()")
    tab.type_text(query)
    tab.wait_for(
        "document.querySelector('.md-search-result__meta') &&"
        " document.querySelectorAll('.md-search-result__item').length > 0",
        15,
    )
    paths: list[str] = tab.eval(RESULTS)
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
        tab = browser.new_tab()
        try:
            paths = search(tab, base_url, query)
            errors = tab.visit.console_errors + tab.visit.failed_requests
        finally:
            tab.close()
        pages = list(dict.fromkeys(p.split("#")[0] for p in paths))
        assert not errors, errors
        assert any("/" + t in pages[:TOP] for t in present), (
            f"search {query!r}: expected {present} among the first {TOP} results, got {pages}"
        )


# -- the 404 page ----------------------------------------------------------------------------
def test_a_missing_address_shows_the_chinese_404_page_with_working_links(
    browser: Browser, base_url: str
) -> None:
    tab = browser.new_tab()
    try:
        visit = tab.goto(base_url + "no/such/page/")
        statuses = [r.status for r in visit.requests.values() if r.url.endswith("no/such/page/")]
        assert statuses == [404]
        state = tab.eval(
            "({h1: document.querySelector('article h1').textContent,"
            "  home: document.querySelector('a.dlref-404-home').href})"
        )
        assert "页面不存在" in state["h1"]
        # Every asset on the 404 page loads, however deep the missing address is.
        assert not [f for f in visit.failed_requests if "no/such/page" not in f]
        assert not [e for e in visit.console_errors if "no/such/page" not in e]
        assert tab.goto(state["home"]).failed_requests == []
        # The search form opens the site search with the query.
        tab.goto(base_url + "no/such/page/")
        tab.eval("document.querySelector('#dlref-404-query').value = '交叉熵'")
        tab.eval("document.querySelector('form.dlref-404-search').requestSubmit()")
        tab.browser.pump(1.0)
        tab.settle()
        results = tab.wait_for("document.querySelectorAll('.md-search-result__item').length", 15)
        assert results, "the 404 search form shows no results for 交叉熵"
    finally:
        tab.close()


# -- the offline copy, opened from a folder ---------------------------------------------------
def test_offline_copy_works_from_file_urls(
    browser: Browser, offline_site: Path, site_pages: list[Page]
) -> None:
    """Every page of the offline copy opened as file://: no errors, formulas and figures drawn,
    and search answers."""
    problems = []
    tab = browser.new_tab(allowed_hosts=())
    try:
        for html in sorted(offline_site.rglob("*.html")):
            if html.name == "404.html":
                continue
            found, _, _ = _check_page(tab, html.as_uri(), LIGHT)
            problems += [f"{html.relative_to(offline_site)}: {p}" for p in found]
        tab.screenshot(ARTIFACTS / "screenshots" / "offline" / "last-page.png")
        paths = search(tab, (offline_site / "index.html").as_uri(), "交叉熵")
        problems += [f"search: {p}" for p in tab.visit.console_errors]
        if not any(p.endswith("softmax-cross-entropy.html") for p in paths[:TOP]):
            problems.append(f"offline search for 交叉熵 returned {paths}")
    finally:
        tab.close()
    assert not problems, "\n".join(problems)
