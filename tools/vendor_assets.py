"""Copy the front-end assets the site needs from node_modules/ into docs/assets/vendor/.

Run by `make` after `npm ci`. Only what a page uses is copied: KaTeX's stylesheet and its WOFF2
fonts (formulas are typeset at build time by overrides/hooks/katex.py, so no page runs KaTeX's
script); and iframe-worker's shim, which lets the offline copy's search run from file://. The
stylesheet is rewritten to list only the WOFF2 files, so the site ships no font file that no
browser would ask for.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "node_modules" / "katex" / "dist"
DST = ROOT / "docs" / "assets" / "vendor" / "katex"

# `,url(fonts/X.woff) format("woff")` and the same for .ttf: dropped, WOFF2 stays.
OTHER_FORMATS = re.compile(r',url\(fonts/[^)]+\.(?:woff|ttf)\) format\("(?:woff|truetype)"\)')


def main() -> None:
    if not SRC.is_dir():
        raise SystemExit(f"{SRC} is missing: run `npm ci` first")
    if DST.exists():
        shutil.rmtree(DST)
    (DST / "fonts").mkdir(parents=True)
    css = (SRC / "katex.min.css").read_text(encoding="utf-8")
    css, n = OTHER_FORMATS.subn("", css)
    if n == 0 or ".woff)" in css or ".ttf)" in css:
        raise SystemExit(
            "katex.min.css changed its @font-face layout: update tools/vendor_assets.py"
        )
    (DST / "katex.min.css").write_text(css, encoding="utf-8")
    for font in sorted((SRC / "fonts").glob("*.woff2")):
        shutil.copy2(font, DST / "fonts" / font.name)
    license_file = SRC.parent / "LICENSE"
    if license_file.exists():
        shutil.copy2(license_file, DST / "LICENSE")
    print(f"vendored KaTeX into {DST.relative_to(ROOT)}")
    vendor_iframe_worker()


def vendor_iframe_worker() -> None:
    """The iframe-worker shim: the offline copy's search worker runs in an iframe on file://."""
    src = ROOT / "node_modules" / "iframe-worker"
    dst = ROOT / "docs" / "assets" / "vendor" / "iframe-worker"
    if dst.exists():
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    shutil.copy2(src / "shim" / "index.js", dst / "shim.js")
    shutil.copy2(src / "LICENSE", dst / "LICENSE")
    print(f"vendored iframe-worker into {dst.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
