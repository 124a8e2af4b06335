"""Every lesson page's notebook (tools/notebooks.py) runs from top to bottom in a fresh kernel,
in an empty folder, with dlref installed and nothing else from the repository.

"Installed" is a copy of the ``dlref`` package (what its wheel holds) in a folder of its own,
first on the kernel's ``PYTHONPATH``: ``Path(dlref.__file__).parent.parent`` is then that
folder, not the repository, so a page that reads a repository file (``bench/*.json``) fails
here as it would on a reader's machine. The kernel is ipykernel's, started by nbclient;
matplotlib uses the kernel's own backend (``MPLBACKEND`` is unset), as for a reader.

A notebook that ran to the end is remembered in the block cache's folder (``build/exec-cache/``,
tools/exec_cache.py) under its code cells and the same fingerprint as the build's blocks: dlref's
sources, the lock files, the Python and torch versions, torch's CPU capability and the numerics
variables. Run again with all of these unchanged (a prose edit changes none), it is not run
again; anything else runs it. On a fresh clone (CI) every notebook runs.
``DLREF_NOTEBOOK_CACHE=off`` runs them all anyway.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from tools.exec_cache import DEFAULT_DIR, fingerprint, touch
from tools.notebooks import (
    FONT_MODULE,
    INSTALL_FROM_REPO,
    is_lesson,
    jupytext_markdown,
    page_notebook,
)

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
LESSONS = sorted(
    p.relative_to(DOCS).as_posix()
    for p in DOCS.rglob("*.md")
    if is_lesson(p.relative_to(DOCS).as_posix())
)
# Lesson pages that read a file from the repository: their notebook cannot run on a reader's
# machine. Each must move that part to a page that is not a lesson (the performance page) or
# compute it. The test checks that the notebook fails on exactly that file, then reports an
# expected failure; once the page is fixed, the notebook runs and the test fails until its
# entry here is removed.
READS_REPOSITORY_FILES: dict[str, str] = {}  # none today: the backprop page's cost section
# moved to the performance page, which is not a lesson
TIMEOUT = 600  # seconds per cell


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding only the dlref package, as ``pip install dlref`` leaves it."""
    lib = tmp_path_factory.mktemp("lib")
    shutil.copytree(
        ROOT / "dlref", lib / "dlref", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    return lib


def test_there_are_lesson_pages() -> None:
    assert len(LESSONS) >= 9, LESSONS


def _ran_before(nb: Any) -> Path | None:
    """Where a successful run of this notebook's code is recorded (None: always run)."""
    if os.environ.get("DLREF_NOTEBOOK_CACHE") == "off":
        return None
    directory = Path(os.environ.get("DLREF_EXEC_CACHE") or DEFAULT_DIR)
    code = [(c.source, c.metadata.get("tags")) for c in nb.cells if c.cell_type == "code"]
    key = json.dumps([code, fingerprint(ROOT, directory)], sort_keys=True)
    return directory / "notebooks" / f"{hashlib.sha256(key.encode()).hexdigest()}.json"


@pytest.mark.parametrize("page", LESSONS)
def test_the_notebook_runs_top_to_bottom(page: str, installed: Path, tmp_path: Path) -> None:
    from nbclient import NotebookClient

    nb = page_notebook((DOCS / page).read_text(encoding="utf-8"), page)
    record = _ran_before(nb)
    if record is not None and record.is_file():
        touch(record)
        return  # this very code ran to the end with these very dependencies
    folder = tmp_path / "empty"
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "PYTHONPATH")}
    env["PYTHONPATH"] = str(installed)
    client = NotebookClient(
        nb,
        timeout=TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
    )
    if page in READS_REPOSITORY_FILES:
        from nbclient.exceptions import CellExecutionError

        name = READS_REPOSITORY_FILES[page]
        with pytest.raises(CellExecutionError, match=f"FileNotFoundError.*{re.escape(name)}"):
            client.execute(env=env, cwd=str(folder))
        pytest.xfail(f"{page} reads {name} from the repository: its notebook cannot run")
    client.execute(env=env, cwd=str(folder))
    figures = [cell for cell in nb.cells if cell.source.endswith("plt.show()")]
    assert figures or 'html="1"' not in (DOCS / page).read_text(encoding="utf-8")
    for cell in figures:
        images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        assert images, f"a figure cell displayed no figure:\n{cell.source[:200]}"
    if record is not None:
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps({"page": page, "cells": len(nb.cells)}) + "\n")


def test_every_python_block_becomes_a_cell_in_page_order() -> None:
    page = (
        "# 标题\n\n文字。\n\n"
        '```python exec="on" html="1" session="s" source="tabbed-right" tabs="画图代码|图"\n'
        "from dlref.viz import figure_html  # markdown-exec: hide\n"
        "fig = draw()\nplt.show()\n"
        'print(figure_html(fig, alt="a", caption="b"))  # markdown-exec: hide  # fmt: skip\n'
        "```\n\n"
        "```pycon\n>>> a = 1\n>>> a + 1\n2\n>>> b = a\n```\n\n"
        '!!! warning "常见错误"\n\n    说明。\n\n    ```pycon\n    >>> a * 3\n    3\n    ```\n\n'
        '=== "标签"\n\n    ```python\n    c = 3\n    ```\n\n'
        '```python exec="on" session="s"\nx = 1  # markdown-exec: hide\nprint(x)\n```\n\n'
        '```python exec="on" session="s" result="text"\nprint(2)\n```\n\n'
        "```bash\nmake test\n```\n\n"
        "## 练习\n\n1. 预测。\n\n"
        '??? success "参考答案"\n\n    ```python\n    assert a == 1\n    ```\n\n'
        '<!-- skip: next if(True, reason="需要 GPU") -->\n```python\nx.cuda()\n```\n'
    )
    nb = page_notebook(page, "basics/x.md")
    code = [c.source for c in nb.cells if c.cell_type == "code"][1:]  # after the setup cell
    assert code == [
        "fig = draw()\nplt.show()",
        "a = 1\na + 1",
        "b = a",
        "a * 3",
        "c = 3",
        "%%show markdown\nx = 1\nprint(x)",
        "print(2)",
    ]
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "**常见错误**" in markdown and "**标签**" in markdown
    assert "<details><summary>参考答案</summary>" in markdown and "assert a == 1" in markdown
    assert "```bash\nmake test\n```" in markdown
    assert "需要 GPU" in markdown and "x.cuda()" in markdown


def test_links_point_to_the_site_or_become_text() -> None:
    text = (
        "见[反向传播](../basics/backpropagation.md#链式法则)"
        "与[`dropout`][dlref.functional.dropout]。"
    )
    hosted = jupytext_markdown(text, "components/dropout.md", "https://example.org/dlref/")
    assert "[反向传播](https://example.org/dlref/basics/backpropagation/#链式法则)" in hosted
    assert "`dropout`" in hosted and "[dlref." not in hosted
    assert "见反向传播与`dropout`。" in jupytext_markdown(text, "components/dropout.md", "")


def test_headings_lose_attribute_lists_and_links_to_this_page_go_to_the_site() -> None:
    """Jupyter shows ``{ #id }`` as text and makes no MkDocs slugs: a link to a heading of the
    page goes to the published page, or is plain text without a site."""
    page = "# 页 { #top }\n\n## 梯度 { #gradient }\n\n见[梯度](#gradient)与[页](x.md#top)。\n"
    hosted = jupytext_markdown(page, "classification/x.md", "https://example.org/dlref/")
    assert "# 页\n\n## 梯度\n" in hosted and "{" not in hosted
    url = "https://example.org/dlref/classification/x/"
    assert f"见[梯度]({url}#gradient)与[页]({url}#top)。" in hosted
    assert "见梯度与页。" in jupytext_markdown(page, "classification/x.md", "")
    assert "「页」" in page_notebook(page, "classification/x.md").cells[0].source


def test_only_the_answers_stay_collapsed() -> None:
    """A collapsible that is not an exercise's answer (a source listing) runs like the page."""
    page = (
        '??? note "源码（展开）"\n\n    ```python exec="on"\n    print(1)\n    ```\n\n'
        "???+ tip\n    ```python\n    a = 1\n    ```\n\n"
        '??? success "参考答案"\n\n    ```python\n    assert a == 1\n    ```\n'
    )
    nb = page_notebook(page, "basics/x.md")
    code = [c.source for c in nb.cells if c.cell_type == "code"][1:]
    assert code == ["%%show markdown\nprint(1)", "a = 1"]
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "**源码（展开）**" in markdown and "**提示**" in markdown
    assert "<details><summary>参考答案</summary>" in markdown and "assert a == 1" in markdown
    assert "<details><summary>源码" not in markdown


def test_code_keeps_its_blank_lines() -> None:
    """Runs of blank lines become one in the prose only: code is left as it is."""
    code = 'def f():\n    return """a\n\n\nb"""\n\n\nclass C:\n    pass'
    page = f"# 页\n\n\n\n文字。\n\n```python\n{code}\n```\n\n```text\nx\n\n\n\ny\n```\n"
    nb = page_notebook(page, "basics/x.md")
    assert [c.source for c in nb.cells[1:]] == [
        "# 页\n\n文字。",
        code,
        "```text\nx\n\n\n\ny\n```",
    ]


def test_no_code_is_rewritten_as_links() -> None:
    """Links and cross-references are rewritten in the prose only: never in a code cell (a
    tagged one included), a fence shown as Markdown, or inline code."""
    page = (
        "```pycon\n"
        '>>> d = {"a": [1]}\n>>> d["a"][5]\nTraceback (most recent call last):\n'
        "    ...\nIndexError: list index out of range\n```\n\n"
        "```text\n[页](x.md) 与 [x][dlref.x]\n```\n\n"
        "~~~text\n[页](#a)\n~~~\n\n"
        '文字里的 `d["a"][5]`、[`f`][dlref.f] 与[页](x.md)。\n'
    )
    nb = page_notebook(page, "basics/x.md", site_url="https://example.org/dlref/")
    code = [(c.source, c.metadata.get("tags")) for c in nb.cells if c.cell_type == "code"]
    assert code[1:] == [('d = {"a": [1]}', None), ('d["a"][5]', ["raises-exception"])]
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "```text\n[页](x.md) 与 [x][dlref.x]\n```" in markdown
    assert "~~~text\n[页](#a)\n~~~" in markdown
    site = "https://example.org/dlref/basics/x/"
    assert f'文字里的 `d["a"][5]`、`f` 与[页]({site})。' in markdown


def test_a_fence_shown_as_markdown_is_not_closed_by_one_inside() -> None:
    page = '````markdown\n```python exec="on"\nprint(1)\n```\n````\n\n文字。\n'
    nb = page_notebook(page, "basics/x.md")
    assert [c.source for c in nb.cells[1:]] == [
        '````markdown\n```python exec="on"\nprint(1)\n```\n````',
        "文字。",
    ]


def test_a_skip_before_a_container_skips_its_first_block_only() -> None:
    """As sybil does: the skip comment is for the next block, the container's first."""
    page = (
        '<!-- skip: next if(True, reason="需要 GPU") -->\n'
        '!!! note "GPU"\n\n    ```python\n    x.cuda()\n    ```\n\n'
        "```python\ny = 1\n```\n"
    )
    nb = page_notebook(page, "basics/x.md")
    assert [c.source for c in nb.cells if c.cell_type == "code"][1:] == ["y = 1"]
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "需要 GPU" in markdown and "x.cuda()" in markdown


def test_no_cell_is_blank() -> None:
    """jupytext makes a blank cell before a block that starts the page, for one."""
    page = '```text\nmake\n```\n\n??? success "参考答案"\n\n    答案。\n\n'
    nb = page_notebook(page, "basics/x.md")
    assert all(cell.source.strip() for cell in nb.cells)


def test_the_first_cell_installs_from_the_repository_setting() -> None:
    nb = page_notebook("# 页\n", "basics/x.md", repo_url="https://example.org/owner/dlref")
    first = nb.cells[0].source
    assert "REPO_URL = 'https://example.org/owner/dlref'" in first
    assert INSTALL_FROM_REPO in first
    compile(first.replace("%%", "#"), "first cell", "exec")


def _install_part(first_cell: str) -> str:
    """The first cell up to where it defines ``%%show`` (which needs IPython)."""
    return first_cell.split("\n# %%show")[0]


@pytest.mark.parametrize(
    ("missing", "installs"), [((), False), (("dlref",), True), ((FONT_MODULE,), True)]
)
def test_the_first_cell_installs_dlref_with_viz_when_either_is_missing(
    monkeypatch: pytest.MonkeyPatch, missing: tuple[str, ...], installs: bool
) -> None:
    """A figure cell needs the viz extra's font: a service with dlref but not the font (or with
    neither) installs ``dlref[viz]``; one with both installs nothing."""
    import importlib.util
    import subprocess

    url = "https://example.org/owner/dlref"
    setup = _install_part(page_notebook("# 页\n", "basics/x.md", repo_url=url).cells[0].source)
    find_spec = importlib.util.find_spec
    assert find_spec("dlref") and find_spec(FONT_MODULE)  # both here: "missing" is made up
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name in missing else find_spec(name)
    )
    calls: list[list[str]] = []
    monkeypatch.setattr(subprocess, "check_call", calls.append)
    exec(compile(setup, "first cell", "exec"), {})
    pip = [sys.executable, "-m", "pip", "install", f"dlref[viz] @ git+{url}"]
    assert calls == ([pip] if installs else [])


def test_without_a_repository_the_first_cell_says_how_to_install(tmp_path: Path) -> None:
    import subprocess

    first = page_notebook("# 页\n", "basics/x.md").cells[0].source
    # A Python without dlref: an empty folder as the only place to import from.
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", _install_part(first)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode != 0
    assert "ImportError" in done.stderr
    assert 'pip install "<克隆下来的目录>[viz]"' in done.stderr  # the figures need the extra
    assert "Python ≥ 3.10" in done.stderr and "≥ 2.4 且 < 3" in done.stderr  # pyproject.toml's
    # The README section it sends the reader to (for a CPU-only torch) is there.
    (section,) = re.findall(r"README 的「(.+?)」一节", done.stderr)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"\n## {section}\n" in readme and "CPU" in readme.split(f"## {section}")[1]


def test_the_same_page_gives_the_same_notebook() -> None:
    from tools.notebooks import notebook_json

    page = (DOCS / LESSONS[0]).read_text(encoding="utf-8")
    assert notebook_json(page_notebook(page, LESSONS[0])) == notebook_json(
        page_notebook(page, LESSONS[0])
    )


@pytest.mark.parametrize("page", LESSONS)
def test_no_python_block_of_a_lesson_page_is_left_as_text(page: str) -> None:
    """Every Python block outside the collapsed answers is a code cell of the notebook."""
    text = (DOCS / page).read_text(encoding="utf-8")
    nb = page_notebook(text, page)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            prose = re.sub(r"<details>.*?</details>", "", cell.source, flags=re.DOTALL)
            assert not re.search(r"^\s*`{3,}(python|py|pycon)\b", prose, re.MULTILINE), (
                f"{page}: a Python block stayed Markdown:\n{cell.source[:300]}"
            )
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert len(code) > 1


@pytest.mark.parametrize("page", LESSONS)
def test_the_notebook_shows_nothing_only_the_site_understands(page: str) -> None:
    """No blank cell, no heading attribute list, no link to a heading slug Jupyter lacks."""
    nb = page_notebook((DOCS / page).read_text(encoding="utf-8"), page)
    for cell in nb.cells:
        assert cell.source.strip(), f"{page}: a blank cell"
        if cell.cell_type == "markdown":
            assert not re.search(r"^#+ .*\{ *#[^}]*\}$", cell.source, re.MULTILINE), cell.source
            assert "](#" not in re.sub(r"```.*?```", "", cell.source, flags=re.DOTALL), page
