"""The build's own MkDocs hooks (``hooks:`` in mkdocs.yml).

* Executed code blocks go through :mod:`tools.exec_cache`: a build after a prose edit takes
  every block's output from the cache instead of running it.
* The search plugin's index entries go through :mod:`tools.search_cache`: after a prose edit,
  only the edited page is parsed and segmented (jieba loads its dictionaries only then).
* mkdocstrings' rendered API entries go through :mod:`tools.api_cache`, code highlighting and
  the search-content hook's marks (``overrides/hooks/search_content.py``, its
  ``mark_unsearchable``) and the formulas' MathML and font (``overrides/hooks/mathml.py``) through
  :mod:`tools.render_cache`.
* Every lesson page gets a notebook of itself (:mod:`tools.notebooks`), next to it in the site,
  and a link to it under its title.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mkdocs.plugins import event_priority

from tools import api_cache, exec_cache, notebooks, render_cache, search_cache

# The pages' drawing code ends in plt.show(), for a reader's notebook or desktop; the build
# shows nothing on a screen. svg before any page imports matplotlib (which reads MPLBACKEND
# then; importing it here would cost every build 0.2 s, one that runs no block too): plt.show()
# opens no window, and where a display is set it warns that the backend cannot show, which
# says nothing.
os.environ["MPLBACKEND"] = "svg"
warnings.filterwarnings("ignore", "FigureCanvasSVG is non-interactive", UserWarning)

log = logging.getLogger("mkdocs.plugins.dlref")
_state: dict[str, Any] = {}


@event_priority(100)  # before the search plugin's on_config loads jieba's user dictionary
def on_config(config: Any) -> Any:
    _state["cache"] = exec_cache.install()
    _state["search"] = search_cache.install(_state["cache"].directory)
    _state["api"] = api_cache.install(_state["cache"].directory)
    directory = _state["cache"].directory
    _state["highlight"] = render_cache.cache_highlighting(
        directory, _state["api"].facts["distributions"]
    )
    _state["exec markdown"] = render_cache.cache_exec_markdown(directory, _state["api"].facts)
    _state["marks"] = _state["math"] = None
    for name, module in config["hooks"].items():
        if name.endswith("search_content.py") and hasattr(module, "mark_unsearchable"):
            _state["marks"] = render_cache.cache_search_marks(module, directory)
        if name.endswith("mathml.py"):
            _state["math"] = render_cache.cache_mathml(module, directory)
    return config


def on_startup(command: str, dirty: bool) -> None:
    _state["command"] = command


def _pages_changed(files: Any) -> bool:
    """Whether a page's Markdown differs from the last build's (or there was none)."""
    sources = {f.src_uri: f.content_string for f in files.documentation_pages()}
    digest = hashlib.sha256(json.dumps(sources, sort_keys=True).encode()).hexdigest()
    record = _state["cache"].directory / "search" / "pages-last-built.txt"
    _state["pages"] = (record, digest)
    try:
        return record.read_text(encoding="utf-8") != digest
    except OSError:
        return True


def on_files(files: Any, config: Any) -> Any:
    """A generated notebook file for each lesson page (so links to it are checked). When a
    page changed since the last build, jieba starts loading its dictionaries in a child process
    (tools/search_cache.py, ``preload``): the changed page will need it, and rendering the pages
    before it takes longer than the loading."""
    from mkdocs.structure.files import File

    jieba = _state["search"].jieba
    if _state.get("command") == "build" and jieba is not None and _pages_changed(files):
        jieba.preload()

    for page in [f for f in files.documentation_pages() if notebooks.is_lesson(f.src_uri)]:
        content = notebooks.cached_notebook_json(
            page.content_string,
            page.src_uri,
            repo_url=config.get("repo_url") or "",
            site_url=config.get("site_url") or "",
            cache_dir=_state["cache"].directory,
        )
        files.append(File.generated(config, notebooks.notebook_uri(page.src_uri), content=content))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    _state["cache"].start_page(page.file.src_uri)
    if notebooks.is_lesson(page.file.src_uri):
        markdown = notebooks.add_link(markdown, page.file.src_uri)
    return markdown


@event_priority(-60)  # after the search-content hook's (-50), which segments the glossary terms
def on_post_build(config: Any) -> None:
    cache: exec_cache.ExecCache = _state["cache"]
    for warning in cache.warnings:
        log.warning("exec cache: %s", warning)
    s = cache.stats
    log.info(
        "exec cache (%s): %d blocks from the cache, %d run (%.1f s), %d run again to rebuild"
        " a session",
        cache.directory,
        s.from_cache,
        s.run,
        s.seconds_running,
        s.rerun_for_state,
    )
    search: search_cache.SearchCache = _state["search"]
    if "pages" in _state:
        record, digest = _state.pop("pages")
        exec_cache._write_atomic(record, digest)
    if search.jieba is not None:
        search.jieba.close()
        search.jieba.save()
        log.info(
            "jieba: %d texts segmented from the cache, %d segmented%s",
            search.jieba.memo_hits,
            search.jieba.memo_added,
            " (jieba loaded its dictionaries)" if search.jieba.ready else "",
        )
    log.info(
        "search cache: %d pages' index entries from the cache, %d pages indexed",
        search.hits,
        search.misses,
    )
    api: api_cache.ApiCache = _state["api"]
    log.info(
        "API cache: %d entries from the cache, %d rendered; griffe collected %d times",
        api.hits,
        api.misses,
        api.loads,
    )
    for name, counts in (
        ("highlighting", _state["highlight"]),
        ("block output HTML", _state["exec markdown"]),
        ("search marks", _state["marks"]),
        ("MathML", _state["math"]),
    ):
        if counts is not None:
            log.info("%s cache: %d from the cache, %d computed", name, counts.hits, counts.misses)
    # Unused entries are removed at most once a day: walking every entry costs a tenth of a
    # second or two on every build.
    stamp = cache.directory / "last-pruned"
    if not stamp.is_file() or time.time() - stamp.stat().st_mtime > 86400:
        exec_cache.prune(cache.directory)
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.touch()
    stats_file = os.environ.get("DLREF_EXEC_STATS")
    if stats_file:
        Path(stats_file).write_text(json.dumps(cache.stats.as_dict()) + "\n", encoding="utf-8")
    record_file = os.environ.get("DLREF_EXEC_RECORD")
    if record_file:  # what each executed block printed: tools/numerics.py compares the builds
        Path(record_file).write_text(
            json.dumps(cache.outputs, ensure_ascii=False, indent=0) + "\n", encoding="utf-8"
        )
