"""MkDocs hook: the pages' HTML without the runs of whitespace a reader never sees.

After the build (``on_post_build``, last of the hooks), every HTML file of the site has its runs
of whitespace collapsed to one space or line break by html-minifier-terser, except where
whitespace shows (``pre``, ``code``, ``textarea``) or is program text (``script``, ``style``):
10 to 17 KB less on an API page's first visit. Cached per page; the rules and the checks are in
tools/minify_html.py.

With ``DLREF_STYLES_AS_SHIPPED=1`` the hook does nothing, like the styles hook: the pages are as
the theme and the plugins write them, for a build to compare screenshots with
(tools/compare_screens.py, tests/site/test_styles.py).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from tools import minify_html
from tools.exec_cache import cache_directory

log = logging.getLogger("mkdocs.hooks.minify")


@event_priority(-200)  # after every hook that reads or writes the pages (styles: -100)
def on_post_build(config: Any) -> None:
    if os.environ.get("DLREF_STYLES_AS_SHIPPED") == "1":
        return
    done = minify_html.minify_site(Path(config["site_dir"]), cache_directory())
    log.info(
        "HTML whitespace collapsed in %.2f s: %d files, %.1f KB (was %.1f), %d from the cache",
        done.seconds,
        done.files,
        done.after / 1e3,
        done.before / 1e3,
        done.from_cache,
    )
