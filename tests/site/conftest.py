"""Fixtures for the built-site tests: the site, its offline copy, and a headless browser.

`make test` builds the site once (`site/`) and the offline copy once (`site-offline/`) and points
these tests at them with ``DLREF_SITE_DIR`` and ``DLREF_OFFLINE_SITE_DIR``. Run on their own
(``pytest tests/site``) they build what they need into a temporary folder.

Browser tests (marker ``browser``) need Chromium. Where there is none they are skipped with a
message, unless ``DLREF_REQUIRE_BROWSER=1`` (CI sets it after installing Chromium), where a
missing browser is an error instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools.browser import Browser, find_chromium, serve
from tools.sitecheck import ROOT, Page, build_site, pages

ARTIFACTS = ROOT / "test-artifacts"


def _site_from_env(variable: str) -> Path | None:
    given = os.environ.get(variable)
    if not given:
        return None
    path = (ROOT / given).resolve()
    if not (path / "index.html").is_file():
        pytest.fail(f"{variable}={given}: no built site there (no index.html)")
    return path


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built site (``$DLREF_SITE_DIR``, or a fresh strict build)."""
    return _site_from_env("DLREF_SITE_DIR") or build_site(tmp_path_factory.mktemp("site") / "site")


@pytest.fixture(scope="session")
def offline_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The offline copy (``$DLREF_OFFLINE_SITE_DIR``, or a fresh offline build)."""
    return _site_from_env("DLREF_OFFLINE_SITE_DIR") or build_site(
        tmp_path_factory.mktemp("offline") / "site-offline", offline=True
    )


@pytest.fixture(scope="session")
def site_pages(site: Path) -> list[Page]:
    return pages(site)


@pytest.fixture(scope="session")
def chromium() -> str:
    found = find_chromium()
    if found is None:
        message = (
            "Chromium not found: browser tests skipped. Install Debian's chromium "
            "(`make browser-deps`, as root) or set DLREF_CHROMIUM to a Chromium executable."
        )
        if os.environ.get("DLREF_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " DLREF_REQUIRE_BROWSER=1 makes this an error.")
        pytest.skip(message)
    return found


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[Browser]:
    b = Browser(chromium)
    try:
        yield b
    finally:
        b.close()


@pytest.fixture(scope="session")
def base_url(site: Path) -> Iterator[str]:
    """The site served on 127.0.0.1 at a free port."""
    with serve(site) as url:
        yield url
