"""A cache for mkdocstrings' rendered API entries, so that a build after a prose edit does not
render the API pages' templates again.

For every ``::: identifier`` block, mkdocstrings collects the object (griffe reads dlref's
source) and renders it through mkdocstrings-python's Jinja templates: docstrings converted from
Markdown, signatures and the source listing highlighted. The rendering (``PythonHandler.render``)
is most of the API pages' cost. Its output, the HTML and the headings it reports for the table of
contents and for autorefs, is a function of

* the object and how it is shown: its identifier, the options (global and the block's own),
  the locale, the page it is rendered on;
* the sources: every file of ``dlref`` (docstrings, signatures, the source listings);
* the configuration: ``mkdocs.yml`` (Markdown extensions, handler options), the theme
  overrides (``overrides/``, where templates could be overridden), the ``DLREF_*`` settings;
* the code: every installed distribution's version (mkdocstrings, its Python handler, griffe,
  Markdown, pymdown-extensions, Pygments, Jinja, the theme...) and Python's.

The cache keeps each rendering under a key made of all of these. Collection is deferred too:
``collect`` hands back a :class:`Deferred` stand-in, and griffe reads dlref (about 3 s) only when
a rendering is not in the cache. Besides the HTML and the headings, an entry keeps the aliases
mkdocstrings registers for each heading with autorefs and the inventory (``get_aliases``, which
needs griffe's collection), so a build whose entries all come from the cache never loads griffe.
Entries are stored only when neither the loading nor the rendering logged a warning, so a build
from the cache warns exactly as a clean one does. Entries live in the block cache's folder
(``build/exec-cache/api/``; a clean build has an empty one), content-addressed JSON written
atomically, pruned with it (tools/exec_cache.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from markupsafe import Markup
from mkdocstrings import CollectionError

from tools.exec_cache import HARNESS, ROOT, _tree_digest, _write_atomic, touch

FORMAT = 2  # bump when the entries' meaning changes (2: aliases of the headings)

Render = Callable[..., str]
Collect = Callable[..., Any]
Aliases = Callable[[Any, str], tuple[str, ...]]


class Deferred:
    """What ``collect`` hands back in place of griffe's object: the identifier and the options
    to collect it with, when a rendering has to be made after all."""

    def __init__(self, identifier: str, options: Any) -> None:
        self.path = identifier
        self.options = options


def base_facts(root: Path = ROOT) -> dict[str, Any]:
    config = root / "mkdocs.yml"
    overrides = root / "overrides"
    return {
        "format": FORMAT,
        "python": sys.version,
        "distributions": sorted(
            f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions()
        ),
        "dlref": _tree_digest(root / "dlref"),
        "mkdocs.yml": hashlib.sha256(config.read_bytes()).hexdigest() if config.is_file() else None,
        "overrides": _tree_digest(overrides) if overrides.is_dir() else None,
        "settings": sorted(
            (k, v) for k, v in os.environ.items() if k.startswith("DLREF_") and k not in HARNESS
        ),
    }


def _value(value: Any) -> list[Any] | None:
    """A heading's attribute value or text, with whether it is markupsafe ``Markup`` (trusted
    HTML, which the table of contents does not escape) or plain text (which it does)."""
    if value is None:
        return None
    return [str(value), isinstance(value, Markup)]


def _restore(stored: list[Any] | None) -> Any:
    if stored is None:
        return None
    text, markup = stored
    return Markup(text) if markup else text


def _heading_to_json(el: Element) -> dict[str, Any] | None:
    """A heading as JSON, types kept; None for one with child elements (not stored)."""
    if len(el):
        return None
    return {
        "tag": el.tag,
        "attrib": [[k, _value(v)] for k, v in el.attrib.items()],
        "text": _value(el.text),
        "tail": _value(el.tail),
    }


def _heading_from_json(stored: dict[str, Any]) -> Element:
    el = Element(stored["tag"], {k: _restore(v) for k, v in stored["attrib"]})
    el.text = _restore(stored["text"])
    el.tail = _restore(stored["tail"])
    return el


class ApiCache:
    def __init__(self, directory: Path, facts: dict[str, Any] | None = None) -> None:
        self.directory = directory
        self.facts = facts if facts is not None else base_facts()
        self.base = hashlib.sha256(json.dumps(self.facts, sort_keys=True).encode()).hexdigest()
        self.hits = 0
        self.misses = 0
        self.loads = 0  # collections griffe really made (it reads dlref at the first)
        self.load_warned = False  # griffe logged a warning while collecting: store nothing
        self.aliases: dict[str, tuple[str, ...]] = {}  # heading id -> aliases, from entries
        self.options: Any = None  # the last options collected with

    # -- collection, deferred ------------------------------------------------------------------
    def collect(self, original: Collect, handler: Any, identifier: str, options: Any) -> Any:
        if options == {}:  # mkdocstrings' fallback collection: left as it is
            return original(handler, identifier, options)
        self.options = options
        return Deferred(identifier, options)

    def _collect_now(self, original: Collect, handler: Any, data: Deferred) -> Any:
        with Warnings() as warned:
            collected = original(handler, data.path, data.options)
        self.loads += 1
        if warned.count:
            self.load_warned = True
        return collected

    def get_aliases(
        self, original: Aliases, collect: Collect, handler: Any, identifier: str
    ) -> tuple[str, ...]:
        """What ``handler.get_aliases`` answers with griffe's collection: from the entries
        while griffe has not read dlref, else from griffe."""
        module = identifier.split("(", 1)[0].split(".", 1)[0]
        if module not in handler._modules_collection:
            if identifier in self.aliases:
                return self.aliases[identifier]
            if self.options is not None:  # not from an entry: collect, as without the cache
                # A module griffe cannot find or resolve (``torch``, a typo) was not collected
                # without the cache either, and the handler answers () for it. Anything else
                # is a bug in dlref's sources or here, and stops the build.
                with contextlib.suppress(CollectionError):
                    self._collect_now(collect, handler, Deferred(module, self.options))
        return original(handler, identifier)

    # -- rendering -------------------------------------------------------------------------------
    def render(
        self,
        original: Render,
        handler: Any,
        data: Any,
        options: Any,
        locale: str | None,
        collect: Collect | None = None,
        get_aliases: Aliases | None = None,
    ) -> str:
        md = getattr(handler, "_md", None)
        relpath = md.treeprocessors["relpath"] if md and "relpath" in md.treeprocessors else None
        page = getattr(getattr(relpath, "file", None), "src_uri", None)
        identifier = data.path
        facts = [self.base, identifier, repr(options), locale, page]
        key = hashlib.sha256(json.dumps(facts, default=repr).encode()).hexdigest()
        path = self.directory / "api" / key[:2] / f"{key}.json"
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            entry = None
        if isinstance(entry, dict) and "html" in entry and "aliases" in entry:
            touch(path)
            handler._headings.extend(_heading_from_json(h) for h in entry["headings"])
            self.aliases.update((k, tuple(v)) for k, v in entry["aliases"].items())
            self.hits += 1
            return str(entry["html"])
        if isinstance(data, Deferred):
            if collect is None:
                raise TypeError("a deferred collection needs the handler's collect")
            try:
                data = self._collect_now(collect, handler, data)
            except Exception as error:
                if type(error).__name__ != "CollectionError":
                    raise
                # As mkdocstrings reports a failed collection (extension.py, _process_block).
                from mkdocs.exceptions import PluginError

                logging.getLogger("mkdocs.plugins.mkdocstrings").error("%s", error)
                raise PluginError(f"Could not collect '{identifier}'") from error
        before = len(handler._headings)
        with Warnings() as warned:
            html = original(handler, data, options, locale=locale)
        new = handler._headings[before:]
        headings = [_heading_to_json(h) for h in new]
        self.misses += 1
        if warned.count or self.load_warned or None in headings or data.path != identifier:
            # Not stored: a build from the cache must warn as this one did; a heading with
            # child elements is not one this cache knows how to keep.
            return html
        aliases = {
            h.get("id"): list(get_aliases(handler, h.get("id"))) if get_aliases else []
            for h in new
            if h.get("id")
        }
        entry = {
            "identifier": identifier,
            "page": page,
            "html": str(html),
            "headings": headings,
            "aliases": aliases,
        }
        _write_atomic(path, json.dumps(entry, ensure_ascii=False))
        return html


class Warnings(logging.Handler):
    """Counts the warnings and errors logged while it is open (any logger: MkDocs' own do not
    propagate to the root logger, so it listens there too)."""

    LOGGERS = ("", "mkdocs")

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1

    def __enter__(self) -> Warnings:
        for name in self.LOGGERS:
            logging.getLogger(name).addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        for name in self.LOGGERS:
            logging.getLogger(name).removeHandler(self)


_ORIGINAL: dict[str, Any] = {}


def install(directory: Path) -> ApiCache:
    """Put an :class:`ApiCache` in front of mkdocstrings-python's collection, rendering and
    aliases; installing again (another build in this process) replaces it."""
    from mkdocstrings_handlers.python._internal.handler import PythonHandler

    cache = ApiCache(directory)
    for name in ("render", "collect", "get_aliases"):
        _ORIGINAL.setdefault(name, getattr(PythonHandler, name))
    original_render, original_collect, original_aliases = (
        _ORIGINAL["render"],
        _ORIGINAL["collect"],
        _ORIGINAL["get_aliases"],
    )

    def collect(self: Any, identifier: str, options: Any) -> Any:
        return cache.collect(original_collect, self, identifier, options)

    def get_aliases(self: Any, identifier: str) -> tuple[str, ...]:
        return cache.get_aliases(original_aliases, original_collect, self, identifier)

    def render(self: Any, data: Any, options: Any, locale: str | None = None) -> str:
        return cache.render(
            original_render, self, data, options, locale, original_collect, original_aliases
        )

    PythonHandler.render = render  # type: ignore[method-assign]
    PythonHandler.collect = collect  # type: ignore[method-assign]
    PythonHandler.get_aliases = get_aliases  # type: ignore[method-assign]
    return cache
