"""The build's own MkDocs hooks (``hooks:`` in mkdocs.yml).

* Executed code blocks go through :mod:`tools.exec_cache`: a build after a prose edit takes
  every block's output from the cache instead of running it.
* The search plugin's index entries go through :mod:`tools.search_cache`: after a prose edit,
  only the edited page is parsed and segmented (jieba loads its dictionaries only then).
* mkdocstrings' rendered API entries go through :mod:`tools.api_cache`, code highlighting and
  the search-content hook's marks (``overrides/hooks/search_content.py``, its
  ``mark_unsearchable``) and KaTeX's formulas (``overrides/hooks/katex.py``) through
  :mod:`tools.render_cache`.
* Every lesson page gets a notebook of itself (:mod:`tools.notebooks`), next to it in the site,
  and a link to it under its title.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mkdocs.plugins import event_priority

from tools import api_cache, exec_cache, notebooks, render_cache, search_cache

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
    _state["marks"] = _state["katex"] = None
    for name, module in config["hooks"].items():
        if name.endswith("search_content.py") and hasattr(module, "mark_unsearchable"):
            _state["marks"] = render_cache.cache_search_marks(module, directory)
        if name.endswith("katex.py"):
            _state["katex"] = render_cache.cache_katex(module, directory)
    return config


def on_files(files: Any, config: Any) -> Any:
    """A generated notebook file for each lesson page (so links to it are checked)."""
    from mkdocs.structure.files import File

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
        ("search marks", _state["marks"]),
        ("KaTeX", _state["katex"]),
    ):
        if counts is not None:
            log.info("%s cache: %d from the cache, %d computed", name, counts.hits, counts.misses)
    exec_cache.prune(cache.directory)
    stats_file = os.environ.get("DLREF_EXEC_STATS")
    if stats_file:
        Path(stats_file).write_text(json.dumps(cache.stats.as_dict()) + "\n", encoding="utf-8")
