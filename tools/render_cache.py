"""Caches for two pure steps of every page's build: code highlighting and the search-content
marks, so that a build after a prose edit does not redo them for the pages that did not change.

* ``pymdownx.highlight.Highlight.highlight`` turns a code block's source into HTML with
  Pygments (every page block, markdown-exec's source tabs, the API listings). Its output is a
  function of its arguments, the highlighter's settings (its attributes but the Markdown
  instance) and the installed packages (Pygments, pymdown-extensions, lexer plugins). The one
  side effect it can have, storing an HTML title in the Markdown stash, is watched: a call that
  stored something is not cached.
* ``mark_unsearchable(html)`` of ``overrides/hooks/search_content.py`` marks what the search
  index leaves out. It is a function of the page's HTML and of that file's code: the key holds
  the HTML and the file's SHA-256 (with Python's version, for its HTML parser).

Each result is kept under a key made of all its inputs, in the block cache's folder
(``build/exec-cache/highlight/`` and ``.../search-marks/``; a clean build has an empty one),
content-addressed, written atomically, pruned with it (tools/exec_cache.py).
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from tools.exec_cache import _write_atomic, touch

FORMAT = 1  # bump when the entries' meaning changes


class Counts:
    def __init__(self) -> None:
        self.hits = 0
        self.misses = 0


def _read(path: Path) -> str | None:
    try:
        text = path.read_bytes().decode("utf-8")  # bytes: no newline translation
    except OSError:
        return None
    touch(path)
    return text


def _key(*facts: Any) -> str:
    text = json.dumps(facts, ensure_ascii=False, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


_HIGHLIGHT: list[Callable[..., str]] = []


def cache_highlighting(directory: Path, distributions: list[str]) -> Counts:
    """Put a cache in front of ``Highlight.highlight``; installing again replaces it."""
    from pymdownx.highlight import Highlight

    if not _HIGHLIGHT:
        _HIGHLIGHT.append(Highlight.highlight)
    original = _HIGHLIGHT[0]
    counts = Counts()
    base = _key(FORMAT, sys.version, distributions)

    def highlight(self: Any, src: str, language: str, *args: Any, **kwargs: Any) -> str:
        settings = {k: v for k, v in vars(self).items() if k != "md"}
        key = _key(base, src, language, args, kwargs, settings)
        path = directory / "highlight" / key[:2] / f"{key}.html"
        cached = _read(path)
        if cached is not None:
            counts.hits += 1
            return cached
        stash = getattr(getattr(self, "md", None), "htmlStash", None)
        stored = len(stash.rawHtmlBlocks) if stash is not None else 0
        html = original(self, src, language, *args, **kwargs)
        counts.misses += 1
        if stash is None or len(stash.rawHtmlBlocks) == stored:
            _write_atomic(path, str(html))
        return html

    Highlight.highlight = highlight  # type: ignore[method-assign]
    return counts


def cache_search_marks(module: ModuleType, directory: Path) -> Counts:
    """Put a cache in front of ``module.mark_unsearchable`` (the search-content hook)."""
    original = getattr(module, "_uncached_mark_unsearchable", None) or module.mark_unsearchable
    module._uncached_mark_unsearchable = original  # type: ignore[attr-defined]
    counts = Counts()
    source = Path(str(module.__file__)).read_bytes()
    base = _key(FORMAT, sys.version, hashlib.sha256(source).hexdigest())

    def mark_unsearchable(content: str) -> str:
        key = _key(base, content)
        path = directory / "search-marks" / key[:2] / f"{key}.html"
        cached = _read(path)
        if cached is not None:
            counts.hits += 1
            return cached
        marked = str(original(content))
        counts.misses += 1
        _write_atomic(path, marked)
        return marked

    module.mark_unsearchable = mark_unsearchable  # type: ignore[attr-defined]
    return counts
