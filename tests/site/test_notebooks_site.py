"""Every lesson page links a notebook of itself under its title, and the notebook is in the
built site next to the page (and so in the offline copy and its zip), as tools/notebooks.py
makes it from the page for that build's settings (the hosted build's carries its repository)."""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

import pytest

from tools.notebooks import LINK_TEXT, is_lesson, notebook_json, notebook_uri, page_notebook
from tools.sitecheck import HOSTED_ENV, ROOT

DOCS = ROOT / "docs"
LESSONS = sorted(
    p.relative_to(DOCS).as_posix()
    for p in DOCS.rglob("*.md")
    if is_lesson(p.relative_to(DOCS).as_posix())
)
LINK = re.compile(r'<a [^>]*href="(?P<href>[^"]+\.ipynb)"[^>]*>' + LINK_TEXT + "</a>")


def _page_html(site: Path, page: str) -> Path:
    stem = page[: -len(".md")]
    pretty = site / stem / "index.html"
    return pretty if pretty.is_file() else site / f"{stem}.html"


def _expected(page: str, repo_url: str, site_url: str) -> str:
    text = (DOCS / page).read_text(encoding="utf-8")
    return notebook_json(page_notebook(text, page, repo_url=repo_url, site_url=site_url))


@pytest.mark.parametrize("page", LESSONS)
def test_the_page_links_its_notebook_under_the_title(site: Path, page: str) -> None:
    html = _page_html(site, page).read_text(encoding="utf-8")
    links = LINK.findall(html)
    assert len(links) == 1, f"{page}: {len(links)} links 「{LINK_TEXT}」"
    title = html.index("<h1")
    assert title < html.index(LINK_TEXT), "the link comes after the page title"
    target = (_page_html(site, page).parent / links[0]).resolve()
    assert target == (site / notebook_uri(page)).resolve()


@pytest.mark.parametrize("page", LESSONS)
def test_the_notebook_is_the_pages(site: Path, hosted_site: Path, page: str) -> None:
    repo_url = os.environ.get("DLREF_REPO_URL", "")
    site_url = os.environ.get("DLREF_SITE_URL", "")
    built = (site / notebook_uri(page)).read_text(encoding="utf-8")
    assert built == _expected(page, repo_url, site_url)
    hosted = (hosted_site / notebook_uri(page)).read_text(encoding="utf-8")
    assert hosted == _expected(page, HOSTED_ENV["DLREF_REPO_URL"], HOSTED_ENV["DLREF_SITE_URL"])
    assert f"REPO_URL = {HOSTED_ENV['DLREF_REPO_URL']!r}" in hosted


def test_the_offline_copy_and_its_zip_carry_the_notebooks(offline_site: Path) -> None:
    for page in LESSONS:
        assert (offline_site / notebook_uri(page)).is_file(), page
        html = _page_html(offline_site, page).read_text(encoding="utf-8")
        assert len(LINK.findall(html)) == 1, page
    archive = ROOT / "site-offline.zip"
    if os.environ.get("DLREF_OFFLINE_SITE_DIR") and archive.is_file():
        names = set(zipfile.ZipFile(archive).namelist())
        missing = [p for p in LESSONS if not any(n.endswith(notebook_uri(p)) for n in names)]
        assert not missing, f"not in {archive.name}: {missing}"


def test_only_lesson_pages_have_notebooks(site: Path) -> None:
    notebooks = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.ipynb"))
    assert notebooks == sorted(notebook_uri(p) for p in LESSONS)
