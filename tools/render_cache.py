"""Caches for pure steps of every page's build: code highlighting, the search-content marks and
the math hook's formulas and fonts (:func:`cache_mathml`), so that a build after a prose edit
does not redo them for the pages that did not change.

* ``pymdownx.highlight.Highlight.highlight`` turns a code block's source into HTML with
  Pygments (every page block, markdown-exec's source tabs, the API listings). Its output is a
  function of its arguments, the highlighter's settings (its attributes but the Markdown
  instance) and the installed packages (Pygments, pymdown-extensions, lexer plugins). The one
  side effect it can have, storing an HTML title in the Markdown stash, is watched: a call that
  stored something is not cached.
* markdown-exec's ``MarkdownConverter.convert`` turns a block's output (and its source tabs)
  into HTML through a new Markdown instance with every configured extension, for each of the
  site's executed blocks, cached output or not (:func:`cache_exec_markdown`).
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
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from tools.exec_cache import _write_atomic, touch

FORMAT = 2  # bump when the entries' meaning changes (2: font subsets keep the source's date)


class Counts:
    def __init__(self) -> None:
        self.hits = 0
        self.misses = 0


def _read(path: Path) -> str | None:
    """The entry at ``path`` (marked as used), or None when there is none or it is not text."""
    try:
        text = path.read_bytes().decode("utf-8")  # bytes: no newline translation
    except (OSError, UnicodeDecodeError):
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


def cache_mathml(module: ModuleType, directory: Path) -> Counts | None:
    """Put a cache in front of the math hook's renderer (``overrides/hooks/mathml.py``, its
    ``Temml`` class) and of its font subsetters (``subset_font``, STIX Two Math, and
    ``subset_temml_font``, Temml's own font).

    A formula's MathML is a function of its TeX, display or inline, Temml
    (``node_modules/temml/package.json``, pinned by package-lock.json), the renderer script and
    node's version. node starts only when a formula is not in the cache; a formula Temml cannot
    render is never stored (the hook logs it as an error on every build). A cut-down font is a
    function of its characters, the whole font file and fontTools' version."""
    original = getattr(module, "_UncachedTemml", None) or getattr(module, "Temml", None)
    subset = getattr(module, "_uncached_subset_font", None) or getattr(module, "subset_font", None)
    temml, renderer = getattr(module, "TEMML", None), getattr(module, "RENDERER", None)
    font = getattr(module, "FONT_SOURCE", None)
    temml_subset = getattr(module, "_uncached_subset_temml_font", None) or getattr(
        module, "subset_temml_font", None
    )
    temml_font = getattr(module, "TEMML_FONT_SOURCE", None)
    needed = (original, subset, temml, renderer, font, temml_subset, temml_font)
    if any(thing is None for thing in needed):
        return None
    module._UncachedTemml = original  # type: ignore[attr-defined]
    module._uncached_subset_font = subset  # type: ignore[attr-defined]
    module._uncached_subset_temml_font = temml_subset  # type: ignore[attr-defined]
    package = Path(temml) / "package.json"
    node = shutil.which("node")
    node_version = (
        subprocess.run([node, "--version"], capture_output=True, text=True).stdout if node else ""
    )
    base = _key(
        FORMAT,
        hashlib.sha256(package.read_bytes()).hexdigest() if package.is_file() else None,
        hashlib.sha256(Path(renderer).read_bytes()).hexdigest(),
        node_version,
    )
    counts = Counts()

    class CachedTemml:
        def __init__(self) -> None:
            self.real: Any = None  # the node process, started on the first miss

        def render(self, tex: str, display: bool) -> dict[str, str]:
            key = _key(base, tex, display)
            path = directory / "mathml" / key[:2] / f"{key}.json"
            cached = _read(path)
            if cached is not None:
                counts.hits += 1
                return dict(json.loads(cached))
            if self.real is None:
                self.real = original()
            answer: dict[str, str] = self.real.render(tex, display)
            counts.misses += 1
            if "error" not in answer:
                _write_atomic(path, json.dumps(answer, ensure_ascii=False))
            return answer

        def close(self) -> None:
            if self.real is not None:
                self.real.close()

    module.Temml = CachedTemml  # type: ignore[attr-defined]
    module.subset_font = _cached_subset(directory, Path(font), subset)  # type: ignore[attr-defined]
    module.subset_temml_font = _cached_subset(  # type: ignore[attr-defined]
        directory, Path(temml_font), temml_subset
    )
    return counts


def _cached_subset(
    directory: Path, source: Path, subset: Callable[[str], bytes]
) -> Callable[[str], bytes]:
    """``subset`` (a font file cut down to some characters) with its answers kept under a key of
    the characters, the whole font file (``source``) and fontTools' version."""

    def cached(characters: str) -> bytes:
        import fontTools

        key = _key(
            FORMAT,
            characters,
            hashlib.sha256(source.read_bytes()).hexdigest() if source.is_file() else None,
            fontTools.version,
        )
        path = directory / "math-font" / key[:2] / f"{key}.woff2"
        try:
            data = path.read_bytes()
        except OSError:
            data = subset(characters)
            _write_atomic(path, data)
        else:
            touch(path)
        return bytes(data)

    return cached


_EXEC_CONVERT: list[Callable[..., Any]] = []
PLACEHOLDER = re.compile(r'<div class="[0-9a-f-]{36}"></div>')  # markdown-exec's uuid4 stash


def cache_exec_markdown(directory: Path, facts: dict[str, Any]) -> Counts:
    """Put a cache in front of markdown-exec's ``MarkdownConverter.convert`` (a block's output
    as Markdown to HTML, in a Markdown instance made for it with the configured extensions).

    Its HTML is a function of the text, the stashed HTML it puts back (an HTML block's output
    next to its source tabs: the placeholders are random, so the key holds them by position),
    the prefix it gives every id (``exec-N--``, where N counts conversions in the whole build:
    a hit counts too, so the ids that follow are the same as in a clean build), whether headings
    go to the table of contents, and the configuration: ``facts`` (mkdocs.yml, ``DLREF_*``
    settings, every installed package's version, Python: :func:`tools.api_cache.base_facts`).
    A conversion that reported a heading to the page's table of contents is not stored."""
    from markdown_exec._internal import rendering
    from markdown_exec._internal.processors import InsertHeadings

    converter = rendering.MarkdownConverter
    if not _EXEC_CONVERT:
        _EXEC_CONVERT.append(converter.convert)
    original = _EXEC_CONVERT[0]
    counts = Counts()
    base = _key(FORMAT, facts)

    def convert(
        self: Any, text: str, stash: dict[str, str] | None = None, id_prefix: str | None = None
    ) -> Any:
        from markupsafe import Markup

        order = {p: f"<placeholder {i}>" for i, p in enumerate(PLACEHOLDER.findall(text))}
        keyed_text = PLACEHOLDER.sub(lambda m: order[m.group(0)], text)
        keyed_stash = sorted((order.get(k, k), v) for k, v in (stash or {}).items())
        prefix = id_prefix if id_prefix is not None else f"exec-{converter.counter + 1}--"
        key = _key(base, keyed_text, keyed_stash, prefix, self._update_toc)
        path = directory / "exec-markdown" / key[:2] / f"{key}.html"
        cached = _read(path)
        if cached is not None:
            counts.hits += 1
            converter.counter += 1  # as the conversion would: the next block's ids follow
            if self._update_toc:  # as _mimic does on every conversion
                rendering._register_headings_processors(self._original_md)
            return Markup(cached)  # HTML markdown-exec made
        markup = original(self, text, stash=stash, id_prefix=id_prefix)
        counts.misses += 1
        md = self._original_md
        inserter = md.treeprocessors[InsertHeadings.name] if self._update_toc else None
        if inserter is None or not inserter.headings.get(markup):
            _write_atomic(path, str(markup))
        return markup

    converter.convert = convert  # type: ignore[method-assign]
    return counts
