"""Visit pages of the built site in headless Chromium (Playwright), recording what a reader's
browser would show or hide.

Playwright drives Debian's ``/usr/bin/chromium`` (or ``$DLREF_CHROMIUM``) through
``executable_path``: its own browser download does not work on these machines. Every visit is a
first visit (a new browser context: empty cache, no storage) and records console errors and
uncaught exceptions, requests that failed or returned an error status, requests to any host
other than the site's own (Chromium also resolves every other host name to nothing, so no test
traffic leaves the machine), and the bytes the visit transferred: ``served`` as the server sent
them (gzip when it compresses) and ``raw``, the same files uncompressed (their size on disk).

Used by the browser tests (``tests/site/``) and ``tools/site_report.py``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from playwright.sync_api import Browser, BrowserContext, Page, Request, Response, sync_playwright

# Any host but the loopback one resolves to nothing: a third-party request fails fast (and is
# reported) instead of reaching the network.
CHROMIUM_ARGS = ["--no-sandbox", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]


def find_chromium() -> str | None:
    """The Chromium executable to use (``$DLREF_CHROMIUM``, else Debian's), or None."""
    named = os.environ.get("DLREF_CHROMIUM")
    if named:
        return named if Path(named).exists() else shutil.which(named)
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@contextlib.contextmanager
def launch(executable: str) -> Iterator[Browser]:
    """Headless Chromium, started from ``executable`` by Playwright."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass(frozen=True)
class Mode:
    """How a reader sees the page: viewport, phone or desktop, light or dark scheme."""

    name: str
    width: int
    height: int
    mobile: bool = False
    dark: bool = False


LIGHT = Mode("light", 1280, 900)
DARK = Mode("dark", 1280, 900, dark=True)
PHONE = Mode("phone", 390, 844, mobile=True)

# True once overrides/partials/scroll-regions.html has rendered every block that is rendered on
# demand (each then has its real height) and marked the boxes that scroll sideways, and no font
# is loading: a font that arrives later (rendering a block deep in the page can ask for the math
# font) takes the mark away and starts a new pass, and until then a block skipped since the last
# pass keeps the height it had with the font standing in (3 px on the RNN page, seen once under
# the load of `make test`).
SCROLL_REGIONS_MARKED = (
    "document.documentElement.getAttribute('data-dlref-scroll-regions') === 'marked'"
    " && document.fonts.status === 'loaded'"
)


@dataclass
class Visit:
    """What loading one page showed and cost."""

    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    third_party: list[str] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)  # url -> HTTP status
    urls: list[str] = field(default_factory=list)  # every request, in order
    served: int = 0  # bytes as transferred (body as sent + headers)
    raw: int = 0  # the same files uncompressed (size on disk)

    @property
    def problems(self) -> list[str]:
        return [
            *self.console_errors,
            *self.failed_requests,
            *(f"third-party request: {u}" for u in self.third_party),
        ]


def _local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("file", "data", "blob", "about") or parts.hostname == "127.0.0.1"


class Tab:
    """One page in its own browser context, recording a :class:`Visit` per navigation."""

    def __init__(self, browser: Browser, mode: Mode = LIGHT, site: Path | None = None) -> None:
        self.site = site
        self.context: BrowserContext = browser.new_context(
            viewport={"width": mode.width, "height": mode.height},
            device_scale_factor=1,
            is_mobile=mode.mobile,
            has_touch=mode.mobile,
            color_scheme="dark" if mode.dark else "light",
            service_workers="block",
        )
        self.page: Page = self.context.new_page()
        self.visit = Visit()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda err: self.visit.console_errors.append(f"uncaught: {err}"))
        self.page.on("request", self._request)
        self.page.on("requestfailed", self._failed)
        self.page.on("requestfinished", self._finished)
        self.page.on("response", self._response)

    def _console(self, message: object) -> None:
        from playwright.sync_api import ConsoleMessage

        assert isinstance(message, ConsoleMessage)
        if message.type == "error":
            where = message.location.get("url", "")
            self.visit.console_errors.append(f"console error: {message.text} ({where})")

    def _request(self, request: Request) -> None:
        self.visit.urls.append(request.url)
        if not _local(request.url):
            self.visit.third_party.append(request.url)

    def _failed(self, request: Request) -> None:
        # Chromium cancels a page's favicon request when the test moves on (net::ERR_ABORTED):
        # that is the browser's choice, not a missing file (a missing one fails as not found).
        if request.url.endswith("favicon.png") and "ERR_ABORTED" in str(request.failure):
            return
        if _local(request.url):
            self.visit.failed_requests.append(f"failed: {request.url} ({request.failure})")

    def _response(self, response: Response) -> None:
        self.visit.statuses[response.url] = response.status
        if response.status >= 400:
            self.visit.failed_requests.append(f"HTTP {response.status}: {response.url}")

    def _finished(self, request: Request) -> None:
        if request.url.startswith(("data:", "blob:")):
            return
        with contextlib.suppress(Exception):  # the page may be closing
            sizes = request.sizes()
            self.visit.served += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        if self.site is not None:
            self.visit.raw += self._size_on_disk(request.url)

    def _size_on_disk(self, url: str) -> int:
        assert self.site is not None
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = Path(unquote(parts.path))
        elif parts.hostname == "127.0.0.1":
            rel = unquote(parts.path).lstrip("/")
            path = self.site / rel
            if rel == "" or rel.endswith("/"):
                path = path / "index.html"
        else:
            return 0
        return path.stat().st_size if path.is_file() else 0

    def goto(self, url: str, *, settle: bool = True) -> Visit:
        """Load ``url`` as a new visit; waits for the load event and, with ``settle``, for the
        network to go quiet (scripts, fonts and the search worker loaded)."""
        self.visit = Visit()
        self.page.goto(url, wait_until="load")
        if settle:
            with contextlib.suppress(Exception):
                self.page.wait_for_load_state("networkidle", timeout=10_000)
        return self.visit

    def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=False)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.context.close()
