"""MkDocs hook: the pages' HTML without the runs of whitespace a reader never sees, and our inline
scripts minified.

The ``minify_js`` template filter (``on_env``) hands the text of a ``{% filter minify_js %}``
block to terser (tools/minify_js.py, cached per script): the partials in overrides/partials/
keep their scripts readable, the pages carry them minified.

After the build (``on_post_build``, last of the hooks), every HTML file of the site has its runs
of whitespace collapsed to one space or line break by html-minifier-terser, except where
whitespace shows (``pre``, ``code``, ``textarea``) or is program text (``script``, ``style``):
10 to 17 KB less on an API page's first visit. Cached per page; the rules and the checks are in
tools/minify_html.py.

With ``DLREF_STYLES_AS_SHIPPED=1`` the hook does nothing (the filter returns scripts as written),
like the styles hook: the pages are as the theme, the plugins and our partials write them, for a
build to compare screenshots with (tools/compare_screens.py, tests/site/test_styles.py).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from jinja2 import Environment
from mkdocs.plugins import event_priority

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from tools import minify_html, minify_js
from tools.as_shipped import as_shipped
from tools.exec_cache import cache_directory

log = logging.getLogger("mkdocs.hooks.minify")

_minified_scripts: dict[str, str] = {}  # this build's scripts (every page has the same four)


def minify_script(code: str) -> str:
    """``code`` (a rendered inline script) as terser minifies it; as written when as shipped."""
    if as_shipped():
        return code
    if code not in _minified_scripts:
        minified, _ = minify_js.minify({"script": code}, cache_directory())
        _minified_scripts[code] = minified["script"]
    return _minified_scripts[code]


def on_env(env: Environment, config: Any, files: Any) -> Environment:
    env.filters["minify_js"] = minify_script
    return env


@event_priority(-200)  # after every hook that reads or writes the pages (styles: -100)
def on_post_build(config: Any) -> None:
    if as_shipped():
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
