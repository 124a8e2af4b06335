"""Serve a built site on 127.0.0.1 as a static host serves it: text gzip-compressed when the
browser accepts it, and the site's own 404.html for a missing path (GitHub Pages does both).
Python's ``http.server`` alone sends every file uncompressed, which is not what readers get.

    python tools/serve_site.py SITE [--port 8000] [--no-gzip]

Used by the browser tests, ``tools/site_report.py`` and ``tools/audit.py`` through
:func:`serve`.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

COMPRESSIBLE = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map", ".inv"}


@functools.lru_cache(maxsize=256)
def _gzipped(path: Path, mtime_ns: int, size: int) -> bytes:
    """A file's gzip body, compressed once per version of the file rather than per request
    (every first visit fetches the same stylesheets and scripts)."""
    return gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)


class Handler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzip-compressed when ``compress`` and the browser accepts it; the site's
    404.html with status 404 for a missing path."""

    compress = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

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
def serve(directory: Path, *, compress: bool = True, port: int = 0) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port unless ``port``); yields the base URL
    (ending in /)."""
    handler_class = type("Handler", (Handler,), {"compress": compress})
    handler = functools.partial(handler_class, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--no-gzip", action="store_true")
    args = parser.parse_args()
    with serve(args.site, compress=not args.no_gzip, port=args.port) as url:
        print(
            f"serving {args.site} at {url} (gzip {'off' if args.no_gzip else 'on'}); Ctrl-C stops"
        )
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
