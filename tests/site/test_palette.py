"""The light / dark toggle in a real browser (partials/palette*.html, in place of material's
palette component): switching both ways, the choice kept for the next page, the label shown,
Enter, a change of the system's preference, the two meta tags; and the reason it replaced
material's component: a page load makes Chromium restyle nothing a second time for
<meta name="color-scheme">.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Browser

from tools.visit import DARK, LIGHT, PHONE, Mode, Tab

pytestmark = pytest.mark.browser

LESSON = "basics/backpropagation/"
BIG_PAGE = "classification/logistic-regression/"  # over 7,000 elements

# What the reader sees of the toggle, and what the browser is told about the colours.
STATE = r"""
() => {
  const header = getComputedStyle(document.querySelector("[data-md-component=header]"));
  const hex = "#" + header.backgroundColor.match(/\d+/g)
    .map((c) => (+c).toString(16).padStart(2, "0")).join("");
  const meta = (name) => [...document.querySelectorAll(`meta[name=${name}]`)].map((m) => m.content);
  const body = document.body;
  return {
    scheme: body.getAttribute("data-md-color-scheme"),
    media: body.getAttribute("data-md-color-media"),
    background: getComputedStyle(body).backgroundColor,
    shown: [...document.querySelectorAll(".md-header__option label")]
      .filter((l) => l.offsetWidth).map((l) => l.title),
    checked: [...document.querySelectorAll("[name=__palette]")].map((i) => i.checked),
    colorScheme: meta("color-scheme"),
    themeColor: meta("theme-color"),
    headerColorScheme: header.colorScheme,
    headerHex: hex,
    focused: document.activeElement.id,
  };
}
"""

LIGHT_STATE = {
    "scheme": "default",
    "media": "(prefers-color-scheme: light)",
    "shown": ["切换到深色模式"],
    "checked": [True, False],
    "colorScheme": ["light"],
}
DARK_STATE = {
    "scheme": "slate",
    "media": "(prefers-color-scheme: dark)",
    "shown": ["切换到浅色模式"],
    "checked": [False, True],
    "colorScheme": ["dark"],
}


def _state(tab: Tab) -> dict[str, Any]:
    # The theme colour is set after the first paint.
    tab.page.wait_for_function("document.querySelector('meta[name=theme-color]').content")
    state: dict[str, Any] = tab.page.evaluate(STATE)
    # The meta tags say what the header shows, as material's component made them say.
    assert state["colorScheme"] == [state["headerColorScheme"]], state
    assert state["themeColor"] == [state["headerHex"]], state
    return state


def _assert_shows(state: dict[str, Any], expected: dict[str, Any]) -> None:
    assert {k: state[k] for k in expected} == expected, state


def _click_toggle(tab: Tab) -> None:
    tab.page.locator(".md-header__option label:visible").click()


@pytest.mark.parametrize("mode", [LIGHT, DARK], ids=lambda m: m.name)
def test_the_toggle_switches_both_ways_and_the_choice_stays(
    browser: Browser, base_url: str, mode: Mode
) -> None:
    tab = Tab(browser, mode)
    try:
        assert not tab.goto(base_url + LESSON).problems
        # A first visit follows the system's preference.
        first, other = (DARK_STATE, LIGHT_STATE) if mode.dark else (LIGHT_STATE, DARK_STATE)
        start = _state(tab)
        _assert_shows(start, first)
        _click_toggle(tab)
        switched = _state(tab)
        _assert_shows(switched, other)
        assert switched["background"] != start["background"]  # the colours changed too
        # The choice is kept: on this page again and on the next one.
        tab.goto(base_url + LESSON)
        _assert_shows(_state(tab), other)
        tab.goto(base_url + BIG_PAGE)
        _assert_shows(_state(tab), other)
        _click_toggle(tab)
        back = _state(tab)
        _assert_shows(back, first)
        assert back["background"] == start["background"]
        tab.goto(base_url + LESSON)
        _assert_shows(_state(tab), first)
        assert not tab.visit.problems
    finally:
        tab.close()


def test_enter_on_the_toggle_switches_and_keeps_the_focus_on_it(
    browser: Browser, base_url: str
) -> None:
    tab = Tab(browser, LIGHT)
    try:
        tab.goto(base_url + LESSON)
        tab.page.focus("#__palette_0")
        tab.page.keyboard.press("Enter")
        state = _state(tab)
        _assert_shows(state, DARK_STATE)
        assert state["focused"] == "__palette_1"
        tab.page.keyboard.press("Enter")
        state = _state(tab)
        _assert_shows(state, LIGHT_STATE)
        assert state["focused"] == "__palette_0"
        assert tab.page.url == base_url + LESSON  # Enter did not submit the form
    finally:
        tab.close()


@pytest.mark.parametrize("mode", [LIGHT, DARK], ids=lambda m: m.name)
def test_a_change_of_the_system_preference_keeps_the_reader_s_option(
    browser: Browser, base_url: str, mode: Mode
) -> None:
    """The toggle listens to the system's colour preference, as material's component did, and
    applies the option again: the saved one, which a page load has already saved. So the page
    keeps the option it shows (both options of mkdocs.yml name their own scheme), the metas
    still match the header, and the switching attribute is gone again afterwards."""
    tab = Tab(browser, mode)
    try:
        assert not tab.goto(base_url + LESSON).problems
        shown = DARK_STATE if mode.dark else LIGHT_STATE
        _assert_shows(_state(tab), shown)
        tab.page.emulate_media(color_scheme="light" if mode.dark else "dark")
        tab.page.wait_for_function("!document.body.hasAttribute('data-md-color-switching')")
        _assert_shows(_state(tab), shown)
        assert tab.page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") != mode.dark
        assert not tab.visit.problems  # no error from the listener
        tab.goto(base_url + LESSON)  # the next page too
        _assert_shows(_state(tab), shown)
        assert not tab.visit.problems
    finally:
        tab.close()


TRACE_CATEGORIES = [
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "disabled-by-default-devtools.timeline.stack",
    "disabled-by-default-devtools.timeline.invalidationTracking",
]


# The page's elements, and those styled at load: all but the ones inside a block rendered on
# demand (extra.css), which the browser styles later, in scroll-regions.html's background pass,
# partly before the trace below stops and partly after.
ELEMENTS = """
() => {
  const all = document.getElementsByTagName("*");
  let later = 0;
  for (const e of all) {
    const onDemand = getComputedStyle(e).contentVisibility === "auto";
    if (onDemand) later += e.getElementsByTagName("*").length;
  }
  return [all.length, all.length - later];
}
"""


def _load_traced(browser: Browser, url: str, mode: Mode) -> tuple[list[dict[str, Any]], int, int]:
    """Chromium's trace of a first visit to ``url`` (with style invalidation tracking), the
    page's number of elements and the number of them styled at load."""
    tab = Tab(browser, mode)
    try:
        browser.start_tracing(page=tab.page, categories=TRACE_CATEGORIES)
        try:
            tab.goto(url)
            tab.page.wait_for_function("document.querySelector('meta[name=theme-color]').content")
            tab.page.wait_for_timeout(300)
        finally:
            trace = browser.stop_tracing()
        elements, at_load = tab.page.evaluate(ELEMENTS)
    finally:
        tab.close()
    events: list[dict[str, Any]] = json.loads(trace)["traceEvents"]
    return sorted(events, key=lambda e: e.get("ts", 0)), elements, at_load


@pytest.mark.parametrize("mode", [PHONE, DARK], ids=lambda m: m.name)
def test_a_page_load_restyles_nothing_again_for_the_color_scheme_meta(
    browser: Browser, base_url: str, mode: Mode
) -> None:
    """Each insertion or change of <meta name="color-scheme"> makes Chromium restyle the whole
    document ("PlatformColorChange"): everything styled before it is styled again. Material's
    component inserted it and set it after the page was styled (two recalculations of every
    element, 150 to 250 ms each on this page at Lighthouse's mobile slowdown); now it is in the
    head before any element of the body is styled. And reading the header's colour for
    theme-color after the first paint restyles (next to) nothing."""
    events, elements, at_load = _load_traced(browser, base_url + BIG_PAGE, mode)
    styled = 0  # elements styled so far (the sum of the recalculations' counts)
    late = []
    theme_color_reads = []
    for event in events:
        name = event.get("name")
        if name == "UpdateLayoutTree":
            count = event.get("args", {}).get("elementCount", 0)
            styled += count
            stack = (event["args"].get("beginData") or {}).get("stackTrace") or []
            if any(frame.get("functionName") == "setThemeColor" for frame in stack):
                theme_color_reads.append(count)
        elif name == "StyleRecalcInvalidationTracking":
            data = event["args"]["data"]
            # The page's own document (its root is <html>; the SVG images drawn as CSS masks
            # are documents of their own, with their own change of scheme in dark mode).
            page = str(data.get("nodeName", "")).startswith("HTML")
            if page and data.get("reason") == "PlatformColorChange" and styled > elements // 20:
                frames = data.get("stackTrace") or []
                late.append((styled, [(f.get("functionName"), f.get("url")) for f in frames[:3]]))
    assert styled > at_load // 2, "the trace did not record the page's style recalculations"
    assert not late, f"whole-page restyle after {late[0][0]} of {elements} elements: {late}"
    assert all(count < elements // 20 for count in theme_color_reads), theme_color_reads
