"""Drive headless Chromium over the DevTools protocol, and serve a built site on 127.0.0.1.

Standard library only. Chromium is started with ``--remote-debugging-pipe``: commands go in on
its file descriptor 3 and answers come out on 4, as NUL-terminated JSON. No port is opened, no
driver binary is needed, and no browser is downloaded: it is Debian's ``chromium`` (or the one
named by ``$DLREF_CHROMIUM``).

Every visit records what a reader's browser would show or hide: console errors and uncaught
exceptions, requests that failed or returned an error status, requests to any host other than
the site's own (the browser also resolves every other host name to nothing, so no test traffic
leaves the machine), and the bytes transferred.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import functools
import gzip
import http.server
import itertools
import json
import os
import select
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# The flags this machine needs (see the project notes): headless, no sandbox as root, no GPU,
# and none of Chromium's own background connections.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
    "--hide-scrollbars",
    "--font-render-hinting=none",
    # Any host but the loopback one resolves to nothing: a third-party request fails fast here
    # (and is reported), instead of reaching the network.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--remote-debugging-pipe",
]


def find_chromium() -> str | None:
    """The Chromium executable to use, or None when the machine has none."""
    named = os.environ.get("DLREF_CHROMIUM")
    if named:
        return named if Path(named).exists() else shutil.which(named)
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class BrowserError(RuntimeError):
    pass


class Browser:
    """One headless Chromium process, talked to over a pipe."""

    def __init__(self, executable: str, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="dlref-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire_fds() -> None:  # in the child: its fd 3 reads commands, fd 4 writes answers
            high_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
            high_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self.log = open(Path(self.profile) / "stderr.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=self.log,
            pass_fds=(3, 4),
            preexec_fn=wire_fds,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._ids = itertools.count(1)
        self._buffer = b""
        self._answers: dict[int, dict[str, Any]] = {}
        self.listeners: list[Callable[[dict[str, Any]], None]] = []
        self.version = self.send("Browser.getVersion")["product"]

    # -- protocol ------------------------------------------------------------------------------
    def _read(self, timeout: float) -> dict[str, Any] | None:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._from_browser], [], [], timeout)
            if not ready:
                return None
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise BrowserError(f"Chromium exited:\n{self._stderr_tail()}")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        if "id" in message:
            self._answers[message["id"]] = message
        elif "method" in message:
            for listener in list(self.listeners):  # a listener may send commands itself
                listener(message)
        return message

    def _stderr_tail(self) -> str:
        self.log.flush()
        return (Path(self.profile) / "stderr.log").read_text(errors="replace")[-2000:]

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        """Send one command and wait for its answer (events seen meanwhile are dispatched)."""
        msg_id = next(self._ids)
        message: dict[str, Any] = {"id": msg_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while msg_id not in self._answers:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(f"no answer to {method} within {self.timeout} s")
            self._read(left)
        answer = self._answers.pop(msg_id)
        if "error" in answer:
            raise BrowserError(f"{method}: {answer['error']}")
        result: dict[str, Any] = answer.get("result", {})
        return result

    def pump(self, seconds: float) -> None:
        """Dispatch events for ``seconds``."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self._read(left)

    def wait_until(self, condition: Callable[[], bool], timeout: float, step: float = 0.05) -> bool:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                return False
            self.pump(step)
        return True

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.send("Browser.close")
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_browser, self._from_browser):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    # -- tabs ----------------------------------------------------------------------------------
    def new_tab(
        self,
        *,
        width: int = 1280,
        height: int = 900,
        mobile: bool = False,
        dark: bool = False,
        allowed_hosts: tuple[str, ...] = ("127.0.0.1",),
    ) -> Tab:
        """A tab in a fresh browser context (empty cache and storage: a first visit)."""
        context = self.send("Target.createBrowserContext", {"disposeOnDetach": True})
        target = self.send(
            "Target.createTarget",
            {"url": "about:blank", "browserContextId": context["browserContextId"]},
        )
        session = self.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
        )
        tab = Tab(self, session["sessionId"], target["targetId"], allowed_hosts)
        tab.setup(width=width, height=height, mobile=mobile, dark=dark)
        return tab


@dataclass
class Request:
    url: str
    session: str
    status: int | None = None
    bytes: int = 0
    failed: str | None = None
    done: bool = False


@dataclass
class Visit:
    """What happened while one page was loading."""

    url: str
    requests: dict[str, Request] = field(default_factory=dict)
    console_errors: list[str] = field(default_factory=list)

    @property
    def failed_requests(self) -> list[str]:
        bad = []
        for r in self.requests.values():
            if r.failed and r.failed != "net::ERR_ABORTED":
                bad.append(f"{r.url}: {r.failed}")
            elif r.status is not None and r.status >= 400:
                bad.append(f"{r.url}: HTTP {r.status}")
        return sorted(bad)

    @property
    def transferred(self) -> int:
        return sum(r.bytes for r in self.requests.values())


class Tab:
    def __init__(
        self, browser: Browser, session: str, target: str, allowed_hosts: tuple[str, ...]
    ) -> None:
        self.browser = browser
        self.session = session
        self.target = target
        self.allowed_hosts = allowed_hosts
        self.sessions = {session}  # the page and the workers it starts
        self.visit = Visit("about:blank")
        self.third_party: list[str] = []
        browser.listeners.append(self._on_event)

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        return self.browser.send(method, params, session or self.session)

    def _enable(self, session: str) -> None:
        for domain in ("Network", "Runtime", "Log"):
            with contextlib.suppress(BrowserError):  # a worker has no Log domain in some builds
                self.browser.send(f"{domain}.enable", {}, session)
        with contextlib.suppress(BrowserError):
            self.browser.send("Network.setCacheDisabled", {"cacheDisabled": True}, session)
        with contextlib.suppress(BrowserError):
            self.browser.send("Runtime.runIfWaitingForDebugger", {}, session)

    def setup(self, *, width: int, height: int, mobile: bool, dark: bool) -> None:
        self.send("Page.enable")
        self._enable(self.session)
        self.send(
            "Target.setAutoAttach",
            {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": True},
        )
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
        )
        if mobile:
            self.send("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
        self.send(
            "Emulation.setEmulatedMedia",
            {"features": [{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]},
        )

    def _on_event(self, event: dict[str, Any]) -> None:
        session = event.get("sessionId")
        method = event["method"]
        params = event.get("params", {})
        if method == "Target.attachedToTarget" and session in self.sessions:
            child = params["sessionId"]
            self.sessions.add(child)
            self._enable(child)
            return
        if session not in self.sessions:
            return
        visit = self.visit
        if method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            # A request id is unique in the browser; a worker's own script is announced in the
            # page's session and answered in the worker's.
            visit.requests[params["requestId"]] = Request(url, session)
            parts = urlsplit(url)
            if parts.scheme in ("http", "https", "ws", "wss", "ftp") and (
                parts.hostname not in self.allowed_hosts
            ):
                self.third_party.append(url)
        elif method == "Network.responseReceived":
            r = visit.requests.get(params["requestId"])
            if r is not None:
                r.status = int(params["response"].get("status") or 0) or None
        elif method == "Network.loadingFinished":
            r = visit.requests.get(params["requestId"])
            if r is not None:
                r.bytes = int(params.get("encodedDataLength", 0))
                r.done = True
        elif method == "Network.loadingFailed":
            r = visit.requests.get(params["requestId"])
            if r is not None:
                r.failed = params.get("errorText") or "failed"
                r.done = True
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            visit.console_errors.append(f"console.{params['type']}: {text}")
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            visit.console_errors.append(f"uncaught: {text}")
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            entry = params["entry"]
            visit.console_errors.append(
                f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}"
            )

    def _pending(self) -> int:
        return sum(
            1 for r in self.visit.requests.values() if not r.done and not r.url.startswith("data:")
        )

    def settle(self, quiet: float = 0.5, timeout: float = 15.0) -> None:
        """Wait until no request has been in flight for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            self.browser.pump(0.05)
            if self._pending():
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= quiet:
                return

    def goto(self, url: str, *, timeout: float = 30.0) -> Visit:
        """Load ``url`` and wait for the load event and for the network to go quiet."""
        self.visit = Visit(url)
        self.third_party = []
        loaded = False

        def on_load(event: dict[str, Any]) -> None:
            nonlocal loaded
            if event["method"] == "Page.loadEventFired" and event.get("sessionId") == self.session:
                loaded = True

        self.browser.listeners.append(on_load)
        try:
            result = self.send("Page.navigate", {"url": url})
            if result.get("errorText"):
                raise BrowserError(f"{url}: {result['errorText']}")
            if not self.browser.wait_until(lambda: loaded, timeout):
                raise BrowserError(f"{url}: no load event within {timeout} s")
        finally:
            self.browser.listeners.remove(on_load)
        self.settle()
        return self.visit

    def eval(self, expression: str, *, await_promise: bool = False) -> Any:
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": await_promise},
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression[:80]}...: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 10.0) -> Any:
        """Poll a JS expression until it is truthy; returns its last value."""
        value: Any = None

        def check() -> bool:
            nonlocal value
            value = self.eval(expression)
            return bool(value)

        self.browser.wait_until(check, timeout, step=0.1)
        return value

    def type_text(self, text: str) -> None:
        """Type into the focused element as a reader would (an IME commit, then a key release)."""
        self.send("Input.insertText", {"text": text})
        for kind in ("keyDown", "keyUp"):
            self.send(
                "Input.dispatchKeyEvent",
                {"type": kind, "key": "End", "code": "End", "windowsVirtualKeyCode": 35},
            )

    def screenshot(self, path: Path, *, max_height: int = 6000) -> None:
        """Save a PNG of the whole page (up to ``max_height`` CSS pixels tall)."""
        size = self.eval(
            "[document.documentElement.clientWidth,"
            " Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)]"
        )
        width, height = int(size[0]), min(int(size[1]), max_height)
        shot = self.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "optimizeForSpeed": True,  # the same pixels, encoded faster (a larger file)
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
            },
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        with contextlib.suppress(ValueError):
            self.browser.listeners.remove(self._on_event)
        with contextlib.suppress(BrowserError):
            self.browser.send("Target.closeTarget", {"targetId": self.target})


# -- serving the site ------------------------------------------------------------------------
COMPRESSIBLE = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map", ".inv"}


@functools.lru_cache(maxsize=256)
def _gzipped(path: Path, mtime_ns: int, size: int) -> bytes:
    """A file's gzip body, compressed once per version of the file rather than per request
    (every first visit fetches the same search index and scripts)."""
    return gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files as a static host serves them: text gzip-compressed when the browser accepts
    it, and the site's own 404.html for a missing path (GitHub Pages does both)."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    compress = True

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        accepts = self.compress and "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.is_file() and path.suffix in COMPRESSIBLE):
            super().do_GET()
            return
        body = _gzipped(path, path.stat().st_mtime_ns, path.stat().st_size)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)


@contextlib.contextmanager
def serve(directory: Path, *, compress: bool = True) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 at a free port; yields the base URL (ending in /)."""
    handler_class = type("Handler", (_Handler,), {"compress": compress})
    handler = functools.partial(handler_class, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
