"""The build's own MkDocs hooks (``hooks:`` in mkdocs.yml).

* Executed code blocks go through :mod:`tools.exec_cache`: a build after a prose edit takes
  every block's output from the cache instead of running it.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools import exec_cache

log = logging.getLogger("mkdocs.plugins.dlref")
_state: dict[str, Any] = {}


def on_config(config: Any) -> Any:
    _state["cache"] = exec_cache.install()
    return config


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    _state["cache"].start_page(page.file.src_uri)
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
    stats_file = os.environ.get("DLREF_EXEC_STATS")
    if stats_file:
        Path(stats_file).write_text(json.dumps(cache.stats.as_dict()) + "\n", encoding="utf-8")
