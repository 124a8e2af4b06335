"""Copy the front-end assets the site needs from node_modules/ into docs/assets/vendor/.

Run by `make` after `npm ci`. Only what a page uses is copied:

* Temml's stylesheet (formulas are typeset as MathML at build time by
  overrides/hooks/mathml.py, so no page runs math JavaScript), rewritten to draw formulas in the
  site's own math font: STIX Two Math, which that hook cuts down at build time to the characters
  the formulas use and writes next to the stylesheet (``STIXTwoMath-dlref.woff2``). Temml's own
  small font (``Temml.woff2``, for primes and script capitals) comes along; a browser fetches a
  font only for a page that shows one of its characters. With them, their licences.
* iframe-worker's shim, which lets the offline copy's search run from file://.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMML = ROOT / "node_modules" / "temml" / "dist"
STIX = ROOT / "node_modules" / "@fontsource" / "stix-two-math"
DST = ROOT / "docs" / "assets" / "vendor" / "temml"

# Temml-Local.css asks for the reader's installed math fonts; the site brings its own, so that a
# formula looks the same on every system (and renders well on one without any math font).
LOCAL_FONTS = "font-family: \"Cambria Math\", 'STIXTwoMath-Regular', 'NotoSansMath-Regular', math;"
OWN_FONT = 'font-family: "dlref STIX Two Math", math;'
FONT_FACE = """/* The site's math font: STIX Two Math (SIL Open Font License 1.1, see STIX-LICENSE),
   cut down to the characters the site's formulas use by overrides/hooks/mathml.py at build
   time. */
@font-face {
  font-family: "dlref STIX Two Math";
  src: url("STIXTwoMath-dlref.woff2") format("woff2");
  font-weight: normal;
  font-style: normal;
}

"""


def main() -> None:
    vendor_temml()
    vendor_iframe_worker()


def vendor_temml() -> None:
    if not TEMML.is_dir() or not STIX.is_dir():
        raise SystemExit(f"{TEMML} or {STIX} is missing: run `npm ci` first")
    if DST.exists():
        shutil.rmtree(DST)
    DST.mkdir(parents=True)
    css = (TEMML / "Temml-Local.css").read_text(encoding="utf-8")
    if css.count(LOCAL_FONTS) != 1:
        raise SystemExit(
            "Temml-Local.css changed its font-family rule: update tools/vendor_assets.py"
        )
    css = FONT_FACE + css.replace(LOCAL_FONTS, OWN_FONT)
    (DST / "temml.css").write_text(css, encoding="utf-8")
    shutil.copy2(TEMML / "Temml.woff2", DST / "Temml.woff2")
    shutil.copy2(TEMML.parent / "LICENSE", DST / "LICENSE")
    shutil.copy2(STIX / "LICENSE", DST / "STIX-LICENSE")
    # The KaTeX copy of earlier builds (its stylesheet and fonts), if this checkout still has it.
    shutil.rmtree(DST.parent / "katex", ignore_errors=True)
    print(f"vendored Temml's stylesheet into {DST.relative_to(ROOT)}")


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
