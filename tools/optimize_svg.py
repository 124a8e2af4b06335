"""The site's figures as smaller SVG files that draw the same pixels (SVGO).

    python tools/optimize_svg.py FILE.svg ...     (prints each file's size before and after)

matplotlib writes an SVG for a reader of the file: every element on its own indented line,
every path command on its own line, ``style`` blocks spelled out, a ``<g>`` around nearly every
element. overrides/hooks/figures.py writes each figure of a page to a file of its own; before it
does, :func:`optimize` runs SVGO (``node_modules/svgo``, pinned in package-lock.json;
``tools/optimize_svg.cjs``) over the page's figures, one node process per page, and each result
is cached under a hash of its input and the setup (``<block cache>/svgo/``, see
tools/exec_cache.py): a rebuild takes every figure it has made before from the cache.

**The same pixels** (:data:`CONFIG`). SVGO's default preset rounds path coordinates to 3
decimals, rewrites them relative to each other and converts transforms; measured on this site's
43 figures rendered by Chromium at twice their size, that changed pixels in every one (500 to
11,600 each). The settings here keep every number matplotlib wrote (6 decimals, absolute
coordinates, transforms, shapes and paths as they are) and let SVGO drop only what draws
nothing: whitespace, comments, the XML declaration, groups that carry nothing, defaults, and the
command letters a path repeats. Measured the same way: 0 of the 43 figures differ by a pixel,
2,213 KB became 1,798 KB. (Combining ``collapseRepeated`` with the other path shortenings
changed up to 19 pixels of 3 figures, so it stays off.) tests/site/test_styles.py renders every
figure of the site both ways and compares the pixels.
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
SVGO = ROOT / "node_modules" / "svgo"
SCRIPT = ROOT / "tools" / "optimize_svg.cjs"
FORMAT = 1  # bump when the entries' meaning changes

# SVGO's configuration (its documentation: preset-default and each plugin's parameters).
CONFIG: dict[str, Any] = {
    "multipass": False,
    "floatPrecision": 6,  # matplotlib writes 6 decimals: none is rounded away
    "plugins": [
        {
            "name": "preset-default",
            "params": {
                "overrides": {
                    "convertPathData": {
                        "floatPrecision": 6,
                        "transformPrecision": 8,
                        "forceAbsolutePath": True,  # relative coordinates add rounding
                        "applyTransforms": False,
                        "makeArcs": False,
                        "straightCurves": False,
                        "convertToQ": False,
                        "curveSmoothShorthands": False,
                        "removeUseless": False,
                        "collapseRepeated": False,
                    },
                    "cleanupNumericValues": {"floatPrecision": 6},
                    "convertTransform": False,
                    "mergePaths": False,
                    "convertShapeToPath": False,
                    "inlineStyles": False,
                }
            },
        }
    ],
}


def _setup_digest() -> str:
    """What every figure's output depends on besides the figure."""
    return node_batch.setup_digest(FORMAT, SVGO, SCRIPT, CONFIG)


def run_svgo(files: dict[str, str]) -> dict[str, str]:
    """SVGO under node: each of ``files`` (name -> SVG) optimized."""
    request = {"config": CONFIG, "files": [{"name": n, "svg": s} for n, s in files.items()]}
    answer = node_batch.run(SCRIPT, SVGO, request, tool="SVGO", task="optimizes the figures")
    optimized = {f["name"]: f["svg"] for f in answer["files"]}
    return node_batch.check_answer(optimized, files, tool="SVGO")


def optimize(files: dict[str, str], cache: Path) -> tuple[dict[str, str], int]:
    """``files`` (name -> SVG) optimized, each from ``cache`` when it has it; how many did."""
    return node_batch.each_cached(
        files, cache / "svgo", ".svg", _setup_digest(), lambda missing: run_svgo(missing)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", type=Path, nargs="+", help="SVG files (left as they are)")
    args = parser.parse_args()
    files = {str(p): p.read_text(encoding="utf-8") for p in args.files}
    done, _ = optimize(files, cache_directory())
    for name, svg in files.items():
        print(
            f"{name}: {len(svg.encode()) / 1e3:.1f} KB -> {len(done[name].encode()) / 1e3:.1f} KB"
        )


if __name__ == "__main__":
    main()
