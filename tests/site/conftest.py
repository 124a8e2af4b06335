"""Fixtures for the built-site tests: the site, its variants, and a headless browser.

`make test` builds, before these tests start, the site (``site/``), the offline copy
(``site-offline/``), the published configuration (``build/site-hosted/``) and a second clean
build for the reproducibility test (``build/site-again/``), and points the tests at them with
``DLREF_SITE_DIR``, ``DLREF_OFFLINE_SITE_DIR``, ``DLREF_HOSTED_SITE_DIR`` and
``DLREF_SECOND_BUILD_DIR``. Whatever is not given is built here, into a temporary folder: run
on their own (``pytest tests/site``) the tests build everything they need.

Under pytest-xdist each worker has its own session fixtures (browser, server, parsed pages);
`make test` distributes by class and module (``--dist loadscope``, see ``test_browser.py``).

Browser tests (marker ``browser``) drive Debian's Chromium with Playwright (its own browser
download does not work here: ``executable_path`` points it at ``/usr/bin/chromium``, or at
``$DLREF_CHROMIUM``). Where there is no Chromium they are skipped with a message, unless
``DLREF_REQUIRE_BROWSER=1`` (CI sets it after installing Chromium), where a missing browser is an
error instead.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from playwright.sync_api import Browser

from tools.serve_site import serve
from tools.sitecheck import HOSTED_ENV, ROOT, Page, build_site, clean_build, pages
from tools.visit import find_chromium, launch

ARTIFACTS = ROOT / "test-artifacts"


def load_hook(name: str) -> ModuleType:
    """One of the build's hooks, ``overrides/hooks/<name>.py``, loaded as MkDocs loads it."""
    path = ROOT / "overrides" / "hooks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"dlref_hook_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
def hosted_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The configuration the Pages workflow publishes, with ``HOSTED_ENV``'s addresses
    (``$DLREF_HOSTED_SITE_DIR``, or a fresh strict build)."""
    return _site_from_env("DLREF_HOSTED_SITE_DIR") or build_site(
        tmp_path_factory.mktemp("hosted") / "site-hosted", extra_env=HOSTED_ENV
    )


@pytest.fixture(scope="session")
def second_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second clean build of the same sources: a new ``mkdocs build`` process with empty
    jieba and matplotlib caches (``$DLREF_SECOND_BUILD_DIR``, which `make test` builds with
    ``tools/build_sites.py --clean`` while it builds ``site/``; or built here)."""
    return _site_from_env("DLREF_SECOND_BUILD_DIR") or clean_build(
        tmp_path_factory.mktemp("again") / "site-again"
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
    with launch(chromium) as b:
        yield b


@pytest.fixture(scope="session")
def base_url(site: Path) -> Iterator[str]:
    """The site served on 127.0.0.1 at a free port."""
    with serve(site) as url:
        yield url
