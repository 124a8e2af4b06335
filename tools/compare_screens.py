"""Screenshot two builds of the site in the same views and count the pixels that differ.

    python tools/compare_screens.py BEFORE AFTER [--scrolled N] [--out DIR]

For a change that must not change how a page looks (tests/site/test_purged_styles.py: the
theme's stylesheets purged, mkdocstrings' stylesheet dropped where nothing uses it, Pygments'
name spans unwrapped), the same views of both sites in headless Chromium (tools/visit.py):

* every page at its top, in the light (1280x900), dark and phone (390x844) modes;
* the ``scrolled`` longest pages also at a third, two thirds and the bottom of their height;
* the search dialog open with a query and its results, in each mode;
* the palette toggled (light to dark, dark to light) on the home page, a lesson and an API page
  (those of them that ``--only`` selects);
* on an API page, its first "source code" listing opened and scrolled to the top of the window
  (it is closed in the other views).

With ``--elements SELECTOR``, instead: every visible element the selector matches, on every
page that has one, screenshotted on its own (light mode, every ``<details>`` opened, scrolled
into view), wherever it is on the page (one in a tab not shown is left out).
For a change to what only a few elements show, far down a page (formulas with a prime, drawn in
Temml's font: ``--elements "math:has(mo.tml-prime)"``).

Both sites are served as a static host serves them (tools/serve_site.py). A view is a new
browser context (no stored palette or search), settled before the screenshot: fonts loaded,
images in the viewport decoded, CSS transitions and animations finished (Playwright's
``animations="disabled"``). A pixel differs when one of its channels differs by more than
``RASTER_NOISE`` levels (Chromium's antialiasing noise, see there). Screenshots whose pixels differ
are written to ``--out`` (before, after and a mask of the differing pixels) and listed with their
count.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image
from playwright.sync_api import Browser, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools.serve_site import serve
from tools.sitecheck import pages
from tools.visit import (
    DARK,
    LIGHT,
    PHONE,
    SCROLL_REGIONS_MARKED,
    Mode,
    Tab,
    find_chromium,
    launch,
)

MODES = (LIGHT, DARK, PHONE)
QUERY = "交叉熵"  # a query with many results, code and formulas among them
PALETTE_PAGES = ("", "components/dropout/", "api/nn/rnn/")  # home, a lesson, an API page
SOURCE_PAGES = ("api/viz/", "api/nn/rnn/")  # API pages whose source listings are opened
SCROLL_FRACTIONS = (1 / 3, 2 / 3, 1.0)
ATTEMPTS = 5
# Chromium's raster is not always the same twice: the antialiased edge of a rounded corner (the
# "func" badges in an API page's table of contents) comes out one or two levels (of 255) lighter
# or darker in a column of pixels, in 2 of 8 screenshots of the same page here and in 5 of 5 in a
# CI run (Chromium 156.0.8078.114). A pixel differs only when a channel differs by more than
# this; a style that is lost or changed moves a pixel by far more.
RASTER_NOISE = 3

# Resolves when the page has stopped changing on its own: web fonts, images in the viewport,
# and two animation frames for the theme's scripts (lazily set-up code blocks, table wrappers).
SETTLED = """
async () => {
  const frame = () => new Promise((done) => requestAnimationFrame(done));
  await document.fonts.ready;
  const inView = [...document.images].filter((img) => {
    const r = img.getBoundingClientRect();
    return r.bottom > 0 && r.top < innerHeight && r.width > 0;
  });
  await Promise.all(inView.map((img) => img.decode().catch(() => null)));
  // The table of contents follows the page (toc.follow) with a smooth scroll of its own:
  // wait until no sidebar has moved for five frames (two seconds at most).
  const positions = () =>
    [...document.querySelectorAll(".md-sidebar__scrollwrap")].map((e) => e.scrollTop).join();
  let last = positions();
  for (let still = 0, n = 0; still < 5 && n < 120; n++) {
    await frame();
    const now = positions();
    still = now === last ? still + 1 : 0;
    last = now;
  }
}
"""


OPEN_SOURCE = """
() => {
  const listing = document.querySelector("details.mkdocstrings-source");
  listing.open = true;
  listing.scrollIntoView({ block: "start", behavior: "instant" });
}
"""


@dataclass(frozen=True)
class View:
    """One screenshot to take on both sites."""

    name: str
    mode: Mode
    path: str  # URL path of the page, relative to the site root
    scroll: float | None = None  # fraction of the scrollable height; None: the top
    search: str | None = None  # a query typed into the open search dialog
    toggle_palette: bool = False
    open_source: bool = False  # the first source listing opened, at the top of the window


@dataclass
class Result:
    views: int = 0
    differing: dict[str, int] = field(default_factory=dict)  # view name -> differing pixels
    retried: set[str] = field(default_factory=set)  # views that differed once, then not

    @property
    def differing_pixels(self) -> int:
        return sum(self.differing.values())


def views(
    site: Path, scrolled: int, heights: dict[str, int], only: str | None = None
) -> Iterator[View]:
    paths = [p.url_path for p in pages(site) if only is None or re.search(only, p.url_path)]
    longest = sorted(paths, key=lambda p: -heights.get(p, 0))[:scrolled]
    for mode in MODES:
        for path in paths:
            yield View(f"{mode.name}/{path or 'index'}/top", mode, path)
        for path in longest:
            for fraction in SCROLL_FRACTIONS:
                yield View(f"{mode.name}/{path}/{fraction:.2f}", mode, path, scroll=fraction)
        yield View(f"{mode.name}/search", mode, "", search=QUERY)
        for path in (p for p in PALETTE_PAGES if p in paths):
            yield View(f"{mode.name}/{path or 'index'}/palette", mode, path, toggle_palette=True)
        for path in (p for p in SOURCE_PAGES if p in paths):
            yield View(f"{mode.name}/{path}/source", mode, path, open_source=True)


def _settle(page: Page) -> None:
    # Every block rendered on demand has been rendered once and has its real height: until
    # then the page is shorter by the difference from the blocks' stand-in heights, and a view
    # scrolled to a fraction of it lands somewhere else (ten seconds at most, then on as before).
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(SCROLL_REGIONS_MARKED, timeout=10_000)
    page.evaluate(SETTLED)


def screenshot(browser: Browser, base: str, view: View) -> bytes:
    tab = Tab(browser, view.mode)
    try:
        tab.goto(base + view.path)
        page = tab.page
        _settle(page)
        if view.scroll is not None:
            height = page.evaluate("document.documentElement.scrollHeight - innerHeight")
            page.evaluate(
                "(y) => window.scrollTo({top: y, behavior: 'instant'})", int(height * view.scroll)
            )
            page.wait_for_timeout(100)  # the scroll-driven header and table of contents
            _settle(page)
        if view.search is not None:
            page.evaluate("document.querySelector('[data-md-toggle=search]').click()")
            page.focus("input[data-md-component=search-query]")
            page.keyboard.insert_text(view.search)
            page.keyboard.press("End")
            page.wait_for_function(
                "document.querySelectorAll('.md-search-result__item').length > 0",
                timeout=15_000,
            )
            _settle(page)
        if view.open_source:
            page.evaluate(OPEN_SOURCE)
            page.wait_for_timeout(100)  # the scroll-driven header and table of contents
            _settle(page)
        if view.toggle_palette:
            # The visible toggle: the one label shown, which switches to the other option (the
            # form's class, not material's data-md-component, which partials/palette.html drops).
            page.locator("form.md-header__option label:visible").first.click()
            page.wait_for_timeout(100)
            _settle(page)
        return page.screenshot(animations="disabled", caret="hide")
    finally:
        tab.close()


def differing_pixels(
    before: bytes, after: bytes, noise: int = RASTER_NOISE
) -> tuple[int, Image.Image | None]:
    """How many pixels differ by more than ``noise`` levels in some channel, and a mask of them
    (None when none do)."""
    if before == after:
        return 0, None
    a = np.asarray(Image.open(io.BytesIO(before)).convert("RGB")).astype(np.int16)
    b = np.asarray(Image.open(io.BytesIO(after)).convert("RGB")).astype(np.int16)
    if a.shape != b.shape:
        return max(a.shape[0] * a.shape[1], b.shape[0] * b.shape[1]), None
    mask = (np.abs(a - b) > noise).any(axis=2)
    count = int(mask.sum())
    return count, (Image.fromarray((mask * 255).astype(np.uint8)) if count else None)


def save_differing(out: Path, name: str, a: bytes, b: bytes, mask: Image.Image | None) -> None:
    """Both screenshots of a view that differs, and the mask of its differing pixels, in
    ``out``."""
    stem = out / name.replace("/", "_")
    out.mkdir(parents=True, exist_ok=True)
    Path(f"{stem}.before.png").write_bytes(a)
    Path(f"{stem}.after.png").write_bytes(b)
    if mask is not None:
        mask.save(f"{stem}.diff.png")


def page_heights(browser: Browser, base: str, site: Path) -> dict[str, int]:
    heights = {}
    tab = Tab(browser, LIGHT)
    try:
        for p in pages(site):
            tab.goto(base + p.url_path, settle=False)
            heights[p.url_path] = int(tab.page.evaluate("document.documentElement.scrollHeight"))
    finally:
        tab.close()
    return heights


def compare(
    before: Path,
    after: Path,
    *,
    scrolled: int = 3,
    out: Path | None = None,
    only: str | None = None,
    browser: Browser,
) -> Result:
    """Screenshot every view of :func:`views` on ``before`` and ``after`` in ``browser``; the
    views that differ."""
    missing = {p.path for p in pages(before)} ^ {p.path for p in pages(after)}
    if missing:
        raise ValueError(f"the two sites have different pages: {sorted(missing)}")
    result = Result()
    with serve(before) as base_a, serve(after) as base_b:
        heights = page_heights(browser, base_b, after)
        for view in views(after, scrolled, heights, only):
            result.views += 1
            # Chromium's raster is not always the same twice (a rounded corner's antialiasing,
            # a pixel or two): a view counts as differing only when it differs every time.
            for _ in range(ATTEMPTS):
                a = screenshot(browser, base_a, view)
                b = screenshot(browser, base_b, view)
                count, mask = differing_pixels(a, b)
                if not count:
                    break
                result.retried.add(view.name)
            if count:
                result.differing[view.name] = count
                if out is not None:
                    save_differing(out, view.name, a, b, mask)
    return result


# The <img> of a figure, inside the link to its file (overrides/hooks/figures.py).
FIGURE_IMG = re.compile(r'<figure class="dlref-figure">(?:<a href="[^"]*">)?<img src="([^"]+)"')


def figure_files(site: Path) -> list[Path]:
    """Every figure file of ``site``, in the order of its pages and of the figures on each."""
    found = []
    for page in pages(site):
        text = (site / page.path).read_text(encoding="utf-8")
        folder = (site / page.path).parent
        found += [(folder / src).resolve() for src in FIGURE_IMG.findall(text)]
    return found


def figure_screenshot(browser: Browser, svg: Path) -> bytes:
    """``svg`` drawn by Chromium as an ``<img>`` at its size, at twice the pixel density."""
    context = browser.new_context(device_scale_factor=2)
    try:
        page = context.new_page()
        holder = svg.with_name(f".{svg.stem}.html")
        holder.write_text(f'<body style="margin:0"><img src="{svg.name}"></body>')
        try:
            page.goto(holder.as_uri())
            page.wait_for_function("document.images[0].complete")
            width, height = page.evaluate(
                "[document.images[0].naturalWidth, document.images[0].naturalHeight]"
            )
            page.set_viewport_size({"width": max(width, 1), "height": max(height, 1)})
            return page.screenshot()
        finally:
            holder.unlink()
    finally:
        context.close()


def compare_figures(before: Path, after: Path, *, browser: Browser) -> dict[str, int]:
    """Each figure of ``after`` against the figure in the same place of ``before``, drawn in
    ``browser``: the figures whose pixels differ, and how many."""
    a, b = figure_files(before), figure_files(after)
    if len(a) != len(b):
        raise ValueError(f"{len(a)} figures in {before}, {len(b)} in {after}")
    differing = {}
    for one, two in zip(a, b, strict=True):
        # A figure is one image drawn the same way every time: no pixel may differ at all.
        count, _ = differing_pixels(
            figure_screenshot(browser, one), figure_screenshot(browser, two), noise=0
        )
        if count:
            differing[two.name] = count
    return differing


def element_screenshots(browser: Browser, base: str, path: str, selector: str) -> list[bytes]:
    """A screenshot of each visible element ``selector`` matches on the page at ``path``, every
    ``<details>`` opened, in order."""
    tab = Tab(browser, LIGHT)
    try:
        tab.goto(base + path)
        page = tab.page
        page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        _settle(page)
        shots = []
        elements = page.locator(selector).filter(visible=True)
        for i in range(elements.count()):
            element = elements.nth(i)
            element.scroll_into_view_if_needed()
            _settle(page)
            shots.append(element.screenshot(animations="disabled", caret="hide"))
        return shots
    finally:
        tab.close()


def compare_elements(
    before: Path,
    after: Path,
    selector: str,
    *,
    out: Path | None = None,
    only: str | None = None,
    browser: Browser,
) -> Result:
    """Screenshot every element ``selector`` matches on each page of both sites (light mode);
    the elements that differ, named ``page#n`` (the n-th match)."""
    result = Result()
    with serve(before) as base_a, serve(after) as base_b:
        for p in pages(after):
            if only is not None and not re.search(only, p.url_path):
                continue
            shots_b = element_screenshots(browser, base_b, p.url_path, selector)
            if not shots_b:
                continue
            shots_a = element_screenshots(browser, base_a, p.url_path, selector)
            if len(shots_a) != len(shots_b):
                raise ValueError(
                    f"{p.url_path}: {len(shots_a)} elements match {selector!r} before,"
                    f" {len(shots_b)} after"
                )
            for attempt in range(ATTEMPTS):
                differing = {}
                for n, (a, b) in enumerate(zip(shots_a, shots_b, strict=True)):
                    count, mask = differing_pixels(a, b)
                    if count:
                        differing[n] = (count, a, b, mask)
                if not differing:
                    break
                # Chromium's raster noise (see compare): the page's shots once more, both sites.
                result.retried.update(f"{p.url_path or 'index'}#{n}" for n in differing)
                if attempt < ATTEMPTS - 1:
                    shots_a = element_screenshots(browser, base_a, p.url_path, selector)
                    shots_b = element_screenshots(browser, base_b, p.url_path, selector)
            result.views += len(shots_b)
            for n, (count, a, b, mask) in differing.items():
                name = f"{p.url_path or 'index'}#{n}"
                result.differing[name] = count
                if out is not None:
                    save_differing(out, name, a, b, mask)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--scrolled", type=int, default=3, help="longest pages also scrolled")
    parser.add_argument("--out", type=Path, help="where differing screenshots are written")
    parser.add_argument("--only", help="only the pages whose URL path matches this expression")
    parser.add_argument("--elements", help="compare each element this CSS selector matches")
    args = parser.parse_args()
    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("Chromium not found (`make browser-deps`, or set DLREF_CHROMIUM)")
    with launch(chromium) as browser:
        if args.elements:
            result = compare_elements(
                args.before,
                args.after,
                args.elements,
                out=args.out,
                only=args.only,
                browser=browser,
            )
        else:
            result = compare(
                args.before,
                args.after,
                scrolled=args.scrolled,
                out=args.out,
                only=args.only,
                browser=browser,
            )
    for name, count in sorted(result.differing.items()):
        print(f"{count:8d} px differ: {name}")
    noise = sorted(result.retried - set(result.differing))
    if noise:
        print(f"differed once, then not (raster noise): {', '.join(noise)}")
    print(
        f"{result.views} views, {2 * result.views} screenshots:"
        f" {len(result.differing)} differ, {result.differing_pixels} pixels in all"
    )
    sys.exit(1 if result.differing else 0)


if __name__ == "__main__":
    main()
