"""A cache for the search plugin's index entries, page by page, so that a build after a prose
edit parses and segments (jieba) only the page that changed.

Material's search plugin turns each page into index entries
(``SearchIndex.add_entry_from_context``): it parses the page's HTML into sections, segments the
Chinese in each with jieba, and appends one entry per section. What it appends is a function of

* the page: its HTML (after every ``on_page_content`` hook), its URL, its table of contents
  (anchors and their URLs), its title and its front matter (``search``, ``tags``, ``title``);
* the code: the versions of mkdocs-material (the parser), jieba and backrefs (the segmentation),
  Python;
* jieba's dictionaries: the ``jieba_dict`` / ``jieba_dict_user`` files the plugin loads, by content.

The cache keeps each page's entries under a key made of all of these and hands them back when the
key matches; otherwise the plugin indexes the page as usual and the entries are stored. jieba
loads its dictionaries (about 1 s) only when a page actually needs segmenting: the plugin's
``load_userdict`` and ``set_dictionary`` calls are recorded and replayed before the first cut.

The entries live in the block cache's folder (``build/exec-cache/search/``; a clean build has an
empty one), content-addressed JSON written atomically, pruned with it (tools/exec_cache.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import multiprocessing
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tools.api_cache import Warnings
from tools.exec_cache import _write_atomic, touch

FORMAT = 1  # bump when the entries' meaning changes
PACKAGES = ("mkdocs-material", "jieba", "backrefs", "mkdocs")


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


class LazyJieba:
    """Stands in for the ``jieba`` module in the search plugin: dictionary calls are recorded
    (and part of the cache key) and made for real before the first segmentation.

    With a ``memo`` folder, each text's segmentation is also remembered (one JSON file per set
    of dictionaries and jieba version, :meth:`save` after the build): the glossary terms, which
    the search-content hook segments on every build, and the unchanged stretches of an edited
    page then need no jieba at all, and jieba loads its dictionaries only for new text."""

    def __init__(self, real: Any, memo: Path | None = None) -> None:
        self.real = real
        self.calls: list[tuple[str, str]] = []
        self.ready = False
        self.memo_dir = memo
        self.memo: dict[str, list[str]] | None = None
        self.memo_path: Path | None = None
        self.memo_hits = 0
        self.memo_added = 0
        self.child: Any = None  # (connection, process) of :meth:`preload`

    def preload(self) -> None:
        """Start jieba in a child process (forked: same jieba, same dictionary calls) that
        loads its dictionaries now, on another core, while this process renders pages; the
        segmentations are then asked of it. Its answers are jieba's own, so the index is the
        same; only when they are ready differs."""
        if self.ready or self.child is not None:
            return
        context = multiprocessing.get_context("fork")
        here, there = context.Pipe()
        process = context.Process(
            target=_serve, args=(there, self.real, list(self.calls)), daemon=True
        )
        process.start()
        there.close()
        self.child = (here, process)

    def close(self) -> None:
        if self.child is not None:
            here, process = self.child
            self.child = None
            with contextlib.suppress(OSError, EOFError):
                here.send(None)
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()

    def set_dictionary(self, path: str) -> None:
        self.calls.append(("set_dictionary", path))

    def load_userdict(self, path: str) -> None:
        self.calls.append(("load_userdict", path))

    def dictionaries(self) -> list[tuple[str, str, str]]:
        return [
            (name, path, hashlib.sha256(Path(path).read_bytes()).hexdigest())
            for name, path in self.calls
        ]

    def _real_cut(self, *args: Any, **kwargs: Any) -> Any:
        if self.child is not None and len(args) == 1 and not kwargs:
            here, _ = self.child
            here.send(args[0])
            return iter(here.recv())
        if not self.ready:
            self.ready = True
            for name, path in self.calls:
                getattr(self.real, name)(path)
        return self.real.cut(*args, **kwargs)

    def _memo(self) -> dict[str, list[str]]:
        if self.memo is None:
            assert self.memo_dir is not None
            facts = [FORMAT, _version("jieba"), self.dictionaries()]
            name = hashlib.sha256(json.dumps(facts).encode()).hexdigest()
            self.memo_path = self.memo_dir / f"jieba-{name}.json"
            try:
                loaded = json.loads(self.memo_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                loaded = None
            self.memo = loaded if isinstance(loaded, dict) else {}
            touch(self.memo_path)
        return self.memo

    def cut(self, sentence: Any, *args: Any, **kwargs: Any) -> Any:
        if self.memo_dir is None or args or kwargs or not isinstance(sentence, bytes | str):
            return self._real_cut(sentence, *args, **kwargs)
        text = sentence.decode("utf-8") if isinstance(sentence, bytes) else sentence
        memo = self._memo()
        if text in memo:
            self.memo_hits += 1
            return iter(memo[text])
        words = list(self._real_cut(sentence))
        memo[text] = words
        self.memo_added += 1
        return iter(words)

    def save(self) -> None:
        """Write the remembered segmentations, if this build added any."""
        if self.memo_added and self.memo is not None and self.memo_path is not None:
            _write_atomic(self.memo_path, json.dumps(self.memo, ensure_ascii=False))


def _serve(connection: Any, real: Any, calls: list[tuple[str, str]]) -> None:
    """The child of :meth:`LazyJieba.preload`: jieba with the recorded dictionary calls,
    segmenting what it is sent until it is sent None."""
    for name, path in calls:
        getattr(real, name)(path)
    real.initialize()
    while (sentence := connection.recv()) is not None:
        connection.send(list(real.cut(sentence)))


def _toc(items: Any) -> list[Any]:
    return [[item.id, item.url, item.title, _toc(item.children)] for item in items]


class SearchCache:
    def __init__(self, directory: Path, jieba: LazyJieba | None) -> None:
        self.directory = directory
        self.jieba = jieba
        self.hits = 0
        self.misses = 0
        self._base: str | None = None

    def base(self) -> str:
        if self._base is None:
            facts = {
                "format": FORMAT,
                "python": sys.version,
                "packages": {name: _version(name) for name in PACKAGES},
                "dictionaries": self.jieba.dictionaries() if self.jieba else None,
            }
            self._base = hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()
        return self._base

    def key(self, page: Any) -> str:
        facts = [
            self.base(),
            page.url,
            page.title,
            json.dumps(page.meta, sort_keys=True, default=repr, ensure_ascii=False),
            _toc(page.toc),
            page.content,
        ]
        text = json.dumps(facts, ensure_ascii=False, default=repr)
        return hashlib.sha256(text.encode()).hexdigest()

    def add(self, index: Any, page: Any, original: Callable[[Any, Any], None]) -> None:
        key = self.key(page)
        path = self.directory / "search" / key[:2] / f"{key}.json"
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            entries = None
        if isinstance(entries, list):
            touch(path)
            index.entries.extend(entries)
            self.hits += 1
            return
        before = len(index.entries)
        with Warnings() as warned:
            original(index, page)
        self.misses += 1
        if not warned.count:  # never stored: a build from the cache must warn as this one did
            # default=str as the plugin writes its index: a value JSON lacks comes back as the
            # same text
            _write_atomic(path, json.dumps(index.entries[before:], ensure_ascii=False, default=str))


_ORIGINAL: list[Callable[[Any, Any], None]] = []


def install(directory: Path) -> SearchCache:
    """Put a :class:`SearchCache` in front of the search plugin's page indexing (and jieba's
    dictionary loading behind a :class:`LazyJieba`); installing again replaces it."""
    from material.plugins.search import plugin

    jieba = plugin.jieba
    if isinstance(jieba, LazyJieba):
        jieba = jieba.real
    lazy = LazyJieba(jieba, directory / "search") if jieba is not None else None
    plugin.jieba = lazy
    cache = SearchCache(directory, lazy)
    if not _ORIGINAL:
        _ORIGINAL.append(plugin.SearchIndex.add_entry_from_context)
    original = _ORIGINAL[0]

    def add_entry_from_context(index: Any, page: Any) -> None:
        search = page.meta.get("search") or {}
        if search.get("exclude"):
            return
        cache.add(index, page, original)

    plugin.SearchIndex.add_entry_from_context = add_entry_from_context
    return cache
