"""``DLREF_STYLES_AS_SHIPPED=1``: build the site as the theme and the plugins make it.

Some of the build's hooks change what a page costs to load without changing how it looks:
overrides/hooks/styles.py (the purged style sheets, tables wrapped at build time, bare line
numbers, Pygments' name spans without their class), mathml.py (Temml's font cut down to the
glyphs used), figures.py (SVGO on the figures) and minify.py (the pages' whitespace, our inline
scripts). With this variable set, each of them leaves its part as the theme, the plugins and our
partials write it. tests/site/test_styles.py builds the site that way a second time and
tools/compare_screens.py compares screenshots of the two builds, to the pixel.
"""

from __future__ import annotations

import os

VARIABLE = "DLREF_STYLES_AS_SHIPPED"


def as_shipped() -> bool:
    """Whether this build is the as-shipped one (``DLREF_STYLES_AS_SHIPPED=1``)."""
    return os.environ.get(VARIABLE) == "1"
