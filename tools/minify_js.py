"""The theme overrides' inline scripts, minified with terser when the pages are built.

    python tools/minify_js.py FILE.js [--cache DIR]

Four scripts of ours are inline in every page (overrides/partials/: the palette's head script and
toggle, the search index on demand, the keyboard-scrollable regions). Their source is written to
be read: names that say what they hold, one statement a line, indentation. In the built pages
each sits inside ``{% filter minify_js %}`` (the ``minify_js`` filter, overrides/hooks/minify.py),
which hands the rendered script to :func:`minify`: terser (``node_modules/terser``, pinned in
package-lock.json; ``tools/minify_js.cjs``) drops the whitespace and shortens local names, with
its default compression. Global names (``__dlref_palette``, material's ``__md_get``), property
names and strings stay as written, so the scripts still meet each other and the theme. The
readable source stays in the partials; the pages carry about half the bytes (measured by
``make report``). The browser tests run the minified scripts (tests/site/test_palette.py, the
search and scrolling tests in tests/site/test_browser.py).

**Cached.** A script's output is a function of its text, the options and the pinned package,
and is cached under a hash of them (``<block cache>/minify-js/``, see tools/exec_cache.py): node
starts only for a script that changed, once per build.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools import node_batch
from tools.exec_cache import cache_directory

ROOT = Path(__file__).resolve().parent.parent
TERSER = ROOT / "node_modules" / "terser"
SCRIPT = ROOT / "tools" / "minify_js.cjs"
FORMAT = 1  # bump when the entries' meaning changes

# terser's minify options (its README). Compression and local-name mangling as terser defaults
# them; top-level names are not mangled (``toplevel`` stays off): an inline script's top level is
# the page's global scope, shared with the other scripts. No comments in the output.
OPTIONS: dict[str, Any] = {"compress": True, "mangle": True, "format": {"comments": False}}


def _setup_digest() -> str:
    """What every script's output depends on besides the script."""
    return node_batch.setup_digest(FORMAT, TERSER, SCRIPT, OPTIONS)


def run_terser(scripts: dict[str, str]) -> dict[str, str]:
    """terser under node: each of ``scripts`` (name -> JavaScript) minified."""
    request = {
        "options": OPTIONS,
        "scripts": [{"name": name, "code": code} for name, code in scripts.items()],
    }
    answer = node_batch.run(SCRIPT, TERSER, request, tool="terser", task="minifies inline scripts")
    minified = {script["name"]: script["code"] for script in answer["scripts"]}
    return node_batch.check_answer(minified, scripts, tool="terser")


def minify(scripts: dict[str, str], cache: Path) -> tuple[dict[str, str], int]:
    """``scripts`` (name -> JavaScript) minified, each from ``cache`` when it has it; how many
    did."""
    return node_batch.each_cached(scripts, cache / "minify-js", ".js", _setup_digest(), run_terser)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", type=Path, help="a JavaScript file; its minified text is printed")
    parser.add_argument("--cache", type=Path, default=None, help="default: the block cache's")
    args = parser.parse_args()
    code = args.file.read_text(encoding="utf-8")
    minified, _ = minify({args.file.name: code}, args.cache or cache_directory())
    print(minified[args.file.name])


if __name__ == "__main__":
    main()
