"""A Jupyter notebook of every lesson page, generated from the page's Markdown at build time.

jupytext reads the Markdown and makes the cells: prose becomes Markdown cells, each top-level
```` ```python ```` fence a code cell, in page order. What jupytext does not know is MkDocs'
and pymdown's syntax, so :func:`jupytext_markdown` first rewrites the page into the Markdown
jupytext reads:

* ``>>>`` blocks (``pycon``) become code cells without the expected output, split after every
  example that shows an output, so each cell displays what the page shows;
* executed blocks (markdown-exec, ``exec="on"``) become code cells whose output is shown as the
  page shows it: a figure (``html="1"``) is the code the page shows, which ends in
  ``plt.show()`` (its hidden lines, which print the figure as the page's HTML, are left out);
  ``%%show markdown`` for a printed table or source listing, plain ``print`` for
  ``result="text"``; in those, lines marked ``# markdown-exec: hide`` run too (the marker is
  dropped);
* admonitions (``!!!``), content tabs (``===``) and collapsible blocks (``???``) become a bold
  title and their content, their code blocks cells like any other; only the exercises' answers
  (``??? success``, 「参考答案」) stay collapsed, as HTML ``<details>`` in a Markdown cell: the
  answer is there to compare with, and it does not run when the notebook runs top to bottom;
* a block that sybil skips (``<!-- skip: next ... -->``; before a container, its first block)
  is shown, not run, with its reason;
* fences of other languages stay Markdown, as they are;
* in the prose (never in code), headings lose their attribute lists (``{ #id }``), links to
  pages and to headings of the same page point to the published site (``site_url``) or become
  plain text (Jupyter does not make MkDocs' heading anchors), and API cross-references
  (``[text][dlref.x]``) become plain text; runs of blank lines become one.

The first cell installs dlref with its ``viz`` extra (the figures' matplotlib and CJK font) when
either is missing (a hosted notebook service), from the repository the site links to
(``repo_url``, set from ``DLREF_REPO_URL``); without one it says how to install it by hand. It
also defines ``%%show``.
"""

from __future__ import annotations

import doctest
import hashlib
import importlib.metadata
import json
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LESSON_SECTIONS = ("basics", "components", "classification", "sequence")
LINK_TEXT = "下载本页 notebook"

# Either may be indented by whole steps of four spaces: inside a list item (the exercises).
FENCE = re.compile(r"^(?P<indent>(?:    )*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)$")
CONTAINER = re.compile(
    r"^(?P<indent>(?:    )*)(?P<kind>!!!|\?\?\?\+?|===)"
    r'[ \t]*(?P<type>[\w-]*)[ \t]*(?:"(?P<title>[^"]*)")?\s*$'
)
SKIP_NEXT = re.compile(r"<!--\s*skip:\s*next\b(?P<args>[^>]*)-->")
REASON = re.compile(r"""reason\s*=\s*(["'])(?P<reason>.*?)\1""")
ATTRIBUTE = re.compile(r"""(?P<key>[\w-]+)\s*=\s*"(?P<value>[^"]*)\"""")
# attr_list after a heading: ``## 标题 { #slug }`` (an id, a class or a key=value first).
HEADING_ATTRIBUTES = re.compile(
    r"^(?P<heading>#{1,6}[ \t].*?)[ \t]*\{:?[ \t]*(?:[#.]|[\w-]+=)[^{}\n]*\}[ \t]*$"
)
# In a line of prose, one of: an inline code span (left as it is, so ``d["a"][5]`` in it is no
# cross-reference), a link to a page (``[text](x.md#a)``) or to a heading of this page
# (``[text](#a)``), an API cross-reference (``[text][dlref.x]``).
LINK = re.compile(
    r"(?P<code>(?P<ticks>`+).+?(?<!`)(?P=ticks)(?!`))"
    r"|\[(?P<text>[^\]\n]+)\]"
    r"(?:\((?P<target>[^)\s#]+\.md)?(?P<anchor>#[^)\s]*)?\)|\[(?P<ref>[\w.]+)\])"
)
HIDE_MARKER = re.compile(r"[ \t]*# markdown-exec: hide(?:[ \t]+# fmt: skip)?[ \t]*$", re.MULTILINE)
HIDDEN_LINE = re.compile(r"^.*# markdown-exec: hide\b.*(?:\n|$)", re.MULTILINE)
TITLES = {"abstract": "要点", "warning": "注意", "tip": "提示", "note": "注", "success": "答案"}
ANSWER = "success"  # the type of an exercise's 「参考答案」: the only ``???`` that stays collapsed
# The import name of the CJK font package of dlref's viz extra: dlref.viz needs it for a figure.
FONT_MODULE = "cvttf_NotoSansCJK_Regular"

SETUP_INSTALL = """# 第一格：准备环境。本 notebook 由网页「{title}」生成，
# 需要 dlref 及其 viz 附加依赖（画图用的 matplotlib 与中文字体包）：
# Python ≥ 3.10，torch ≥ 2.4 且 < 3（已经装好的 torch 原样保留）。
# 在装好这些的环境里它什么也不做；在 Colab 等托管的 notebook 服务上，缺少时从仓库安装。
import importlib
import importlib.util
import subprocess
import sys

REPO_URL = {repo_url!r}  # 网站的仓库链接（构建时的 DLREF_REPO_URL）
# dlref，以及它的 viz 附加依赖里画图要用的中文字体包
NEEDED = ("dlref", "{font}")
if any(importlib.util.find_spec(name) is None for name in NEEDED):
{install}
"""
INSTALL_FROM_REPO = """    subprocess.check_call(
        [sys.executable, "-m", "pip", "install", f"dlref[viz] @ git+{REPO_URL}"]
    )
    importlib.invalidate_caches()  # 刚装好的包，这个进程里就能 import"""
INSTALL_BY_HAND = """    raise ImportError(
        "没有安装 dlref 或它的 viz 附加依赖，构建这份 notebook 时也没有设置仓库地址"
        "（DLREF_REPO_URL）。手动安装：git clone <dlref 仓库地址>，然后"
        ' pip install "<克隆下来的目录>[viz]"（需要 Python ≥ 3.10；已有的 torch 满足'
        " ≥ 2.4 且 < 3 就原样保留；只用 CPU 时怎样先装 CPU 版的 torch，见仓库 README 的"
        "「把 dlref 装进已有的 Python 环境（不替换你的 torch）」一节），再重新运行这一格。"
    )"""
SETUP_SHOW = """
# %%show markdown：运行格子里的代码，把它打印的 Markdown（表格、源码）像网页上那样显示出来。
import contextlib
import io

from IPython import get_ipython
from IPython.core.magic import register_cell_magic
from IPython.display import Markdown, display


@register_cell_magic
def show(line: str, cell: str) -> None:  # line: "markdown", what the cell prints
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        get_ipython().ex(cell)
    display(Markdown(printed.getvalue()))
"""


def is_lesson(src_uri: str) -> bool:
    """A lesson page: a page in one of the course's sections (not the index, API or appendix)."""
    return src_uri.split("/", 1)[0] in LESSON_SECTIONS and src_uri.endswith(".md")


def notebook_uri(src_uri: str) -> str:
    """``components/dropout.md`` -> ``components/dropout.ipynb`` (next to the page)."""
    return src_uri[: -len(".md")] + ".ipynb"


@dataclass
class _Fence:
    info: str
    body: list[str]
    marker: str = "```"

    @property
    def language(self) -> str:
        return self.info.split(maxsplit=1)[0].lower() if self.info.strip() else ""

    @property
    def attributes(self) -> dict[str, str]:
        return {m["key"]: m["value"] for m in ATTRIBUTE.finditer(self.info)}

    @property
    def code(self) -> str:
        return "\n".join(self.body)


def _fenced(info: str, code: str, marker: str = "```") -> str:
    """A fenced block as one string: a single item of the output, so nothing that works on
    lines of prose (links, blank lines) ever touches code. The fence is the page's own, made
    longer while a line of the code starts with it: a fence inside does not close it."""
    fence = marker
    while any(line.lstrip().startswith(fence) for line in code.split("\n")):
        fence += fence[0]
    return f"{fence}{info}\n{code}\n{fence}" if code else f"{fence}{info}\n{fence}"


def _python_fence(code: str, raises: bool = False) -> list[str]:
    # A cell that shows an exception on purpose (a doctest traceback) carries Jupyter's
    # "raises-exception" tag: running the notebook goes on past it.
    info = ' tags=["raises-exception"]' if raises else ""
    return ["", _fenced(f"python{info}", code.rstrip("\n")), ""]


def _markdown_region(lines: list[str]) -> list[str]:
    """Lines jupytext must keep in one Markdown cell, code fences included."""
    return ["", "<!-- #region -->", *lines, "<!-- #endregion -->", ""]


def _doctest_cells(source: str) -> list[tuple[str, bool]]:
    """A ``>>>`` session as code cells: each cell ends with an example that shows an output;
    an example that raises on purpose is a cell of its own, marked so."""
    cells: list[tuple[str, bool]] = []
    current: list[str] = []
    for example in doctest.DocTestParser().get_examples(source):
        if example.exc_msg is not None:
            if current:
                cells.append(("\n".join(current), False))
                current = []
            cells.append((example.source.rstrip("\n"), True))
            continue
        current.append(example.source.rstrip("\n"))
        if example.want:
            cells.append(("\n".join(current), False))
            current = []
    if current:
        cells.append(("\n".join(current), False))
    return cells


def _code_cells(fence: _Fence) -> list[tuple[str, bool]]:
    """The code cells for one Python fence (none for another language)."""
    language = fence.language
    code = fence.code
    if language not in ("python", "py", "pycon"):
        return []
    if language == "pycon" or code.lstrip().startswith(">>>"):
        return _doctest_cells(code + "\n")
    attributes = fence.attributes
    if attributes.get("exec") in ("on", "1", "true"):
        if attributes.get("html") in ("1", "on", "true"):
            # A figure: the code the page shows, which ends in plt.show(). The hidden lines
            # print the figure as the page's HTML; the kernel shows it without them.
            return [(HIDDEN_LINE.sub("", code).rstrip("\n"), False)]
        code = HIDE_MARKER.sub("", code)
        if not attributes.get("result") and "print(" in code:
            code = "%%show markdown\n" + code
    return [(code, False)]


def _split_blocks(lines: list[str]) -> list[tuple[str, Any]]:
    """Top-level items of (dedented) Markdown: ("line", text), ("fence", _Fence),
    ("container", (kind, type, title, body lines))."""
    items: list[tuple[str, Any]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = FENCE.match(line)
        container = CONTAINER.match(line)
        if fence:
            marker, indent = fence["fence"], fence["indent"]
            body = []
            i += 1
            while i < len(lines) and not (
                lines[i][len(indent) :].startswith(marker[0] * len(marker))
                and lines[i].strip().strip(marker[0]).strip() == ""
            ):
                body.append(lines[i][len(indent) :] if lines[i].startswith(indent) else lines[i])
                i += 1
            items.append(("fence", _Fence(fence["info"], body, marker)))
            i += 1
        elif container:
            inner = container["indent"] + "    "
            body = []
            i += 1
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith(inner)):
                body.append(lines[i][len(inner) :])
                i += 1
            while body and not body[-1].strip():
                body.pop()
            items.append(
                ("container", (container["kind"], container["type"], container["title"], body))
            )
        else:
            items.append(("line", line))
            i += 1
    return items


def _flatten(
    lines: list[str],
    prose: Callable[[str], str],
    *,
    runnable: bool = True,
    skip_reason: str | None = None,
) -> list[str]:
    """The Markdown jupytext reads for these lines: prose lines passed through ``prose``, each
    fenced block one item (see :func:`_fenced`). ``skip_reason``: a skip comment just before
    the container these lines are the content of."""
    out: list[str] = []
    for kind, item in _split_blocks(lines):
        if kind == "line":
            skip = SKIP_NEXT.search(item)
            if skip:
                reason = REASON.search(skip["args"])
                skip_reason = reason["reason"] if reason else "测试时跳过"
            out.append(prose(item))
        elif kind == "fence":
            cells = _code_cells(item) if runnable else []
            original = _fenced(item.info, item.code, item.marker)
            if skip_reason is not None and cells:
                out += _markdown_region([f"（下面的代码不运行：{skip_reason}）", "", original])
            elif cells:
                for cell, raises in cells:
                    out += _python_fence(cell, raises)
            else:
                out += _markdown_region([original])
            skip_reason = None
        else:
            out += _container(*item, prose, runnable=runnable, skip_reason=skip_reason)
            # sybil skips the next block, which is the container's first: not one after it.
            skip_reason = None
    return out


def _container(
    kind: str,
    kind_type: str,
    title: str | None,
    body: list[str],
    prose: Callable[[str], str],
    *,
    runnable: bool,
    skip_reason: str | None,
) -> list[str]:
    """An admonition, a content tab or a collapsible block: its title in bold and its content,
    runnable like the rest of the page; an exercise's answer collapsed and inert instead."""
    heading = prose(title if title is not None else TITLES.get(kind_type, kind_type))
    # An answer is there to compare with after the exercise: it neither shows nor runs before.
    # Any other collapsible (a source listing to expand) is part of the lesson: it runs.
    if kind.startswith("???") and kind_type == ANSWER:
        inner = _flatten(body, prose, runnable=False, skip_reason=skip_reason)
        details = [
            f"<details><summary>{heading}</summary>",
            "",
            *_unregion(inner),
            "",
            "</details>",
        ]
        return [*_markdown_region(details), ""]
    inner = _flatten(body, prose, runnable=runnable, skip_reason=skip_reason)
    return ["", f"**{heading}**" if heading else "", "", *inner, ""]


def _unregion(lines: list[str]) -> list[str]:
    return [line for line in lines if line not in ("<!-- #region -->", "<!-- #endregion -->")]


def _page_url(page_uri: str, site_url: str) -> str:
    """Where the site publishes a page: ``basics/x.md`` -> ``{site_url}/basics/x/``."""
    path = "" if page_uri == "index.md" else page_uri[: -len(".md")] + "/"
    path = path[: -len("index/")] if path.endswith("/index/") else path
    return f"{site_url.rstrip('/')}/{path}"


def _prose(line: str, src_uri: str, site_url: str) -> str:
    """A line of prose as Jupyter should show it (see the module docstring)."""

    def link(m: re.Match[str]) -> str:
        if m["code"] is not None or not (m["target"] or m["anchor"] or m["ref"]):
            return m[0]
        if m["ref"] is not None or not site_url:
            return m["text"]
        # A heading anchor is MkDocs' slug: it exists on the published page, not in Jupyter.
        target = src_uri
        if m["target"]:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(src_uri), m["target"]))
        return f"[{m['text']}]({_page_url(target, site_url)}{m['anchor'] or ''})"

    return LINK.sub(link, HEADING_ATTRIBUTES.sub(r"\g<heading>", line))


def _single_blank_lines(lines: list[str]) -> list[str]:
    """No run of blank lines in the prose: jupytext ends a Markdown cell at two blank lines.
    Code keeps its own (two blank lines between functions, a string's empty lines): each
    fenced block is a single item (:func:`_fenced`)."""
    out: list[str] = []
    for line in lines:
        blank = not line.strip()
        if not (blank and out and not out[-1]):
            out.append("" if blank else line)
    return out


def jupytext_markdown(page: str, src_uri: str = "", site_url: str = "") -> str:
    """The page rewritten into the Markdown jupytext reads (see the module docstring)."""
    lines = _flatten(page.split("\n"), lambda line: _prose(line, src_uri, site_url))
    return "\n".join(_single_blank_lines(lines))


def _title(page: str) -> str:
    m = re.search(r"^# (.+)$", page, re.MULTILINE)
    return HEADING_ATTRIBUTES.sub(r"\g<heading>", m[0])[len("# ") :].strip() if m else ""


def page_notebook(page: str, src_uri: str, *, repo_url: str = "", site_url: str = "") -> Any:
    """The notebook of a lesson page (an ``nbformat`` notebook node)."""
    import jupytext
    import nbformat

    nb = jupytext.reads(jupytext_markdown(page, src_uri, site_url), fmt="md")
    # jupytext makes a blank Markdown cell before a block that starts the text, for one: it
    # shows nothing, so it is left out.
    nb.cells = [cell for cell in nb.cells if cell.source.strip()]
    install = INSTALL_FROM_REPO if repo_url else INSTALL_BY_HAND
    setup = SETUP_INSTALL.format(
        title=_title(page), repo_url=repo_url, font=FONT_MODULE, install=install
    )
    nb.cells.insert(0, nbformat.v4.new_code_cell(setup + SETUP_SHOW.rstrip("\n")))
    for i, cell in enumerate(nb.cells):
        tags = cell.metadata.get("tags")
        cell.metadata = {"tags": tags} if tags else {}
        cell.id = f"cell-{i}"  # not random: same page, same notebook
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    nbformat.validate(nb)
    return nb


def notebook_json(nb: Any) -> str:
    """The notebook file's text: nbformat's layout, stable from run to run."""
    import nbformat

    return nbformat.writes(nb) + "\n"


def link_markdown(src_uri: str) -> str:
    """The line under a lesson page's title: a link that downloads its notebook."""
    name = posixpath.basename(notebook_uri(src_uri))
    return f'[{LINK_TEXT}]({name}){{ download="{name}" .dlref-notebook }}'


def add_link(markdown: str, src_uri: str) -> str:
    """The page with the notebook link right under its title (or at the top without one)."""
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("# "):
            return "\n".join([*lines[: i + 1], "", link_markdown(src_uri), *lines[i + 1 :]])
    return link_markdown(src_uri) + "\n\n" + markdown


def cached_notebook_json(
    page: str, src_uri: str, *, repo_url: str, site_url: str, cache_dir: Path
) -> str:
    """:func:`notebook_json` of :func:`page_notebook`, kept in ``cache_dir`` under everything
    it is made from (the page, the settings, this module and jupytext's and nbformat's
    versions): a build after an edit of another page does not even import jupytext."""
    from tools.exec_cache import _write_atomic, touch

    inputs = json.dumps(
        [
            page,
            src_uri,
            repo_url,
            site_url,
            Path(__file__).read_text(encoding="utf-8"),
            importlib.metadata.version("jupytext"),
            importlib.metadata.version("nbformat"),
        ]
    )
    path = cache_dir / "notebook-files" / f"{hashlib.sha256(inputs.encode()).hexdigest()}.ipynb"
    if path.is_file():
        touch(path)
        return path.read_text(encoding="utf-8")
    text = notebook_json(page_notebook(page, src_uri, repo_url=repo_url, site_url=site_url))
    _write_atomic(path, text)
    return text
