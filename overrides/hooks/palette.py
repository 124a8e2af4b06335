"""MkDocs hook: material's palette stylesheet without the rule that restyled pages as they loaded.

mkdocs-material's palette component, when its script started on every page, set
``data-md-color-switching`` on ``<body>``, read the header's computed style (for the
``theme-color`` meta tag) and removed the attribute again a moment later. Its palette stylesheet
has one rule keyed on that attribute, ``[data-md-color-switching] * {transition-duration: 0s}``
(with ``:before`` and ``:after``): it stops colours from fading while the reader switches between
light and dark. Because of it, adding or removing the attribute invalidates the style of every
element on the page. Measured on the dropout page (Chromium's style-invalidation tracing, phone
viewport): with the rule, removing the attribute made the browser restyle all 5,758 elements
once more (110 ms unthrottled, which Lighthouse's mobile preset counts four times over); with
the rule renamed, that recalculation is gone.

Material's component no longer runs at all (``overrides/partials/palette.html`` does not name
it; ``partials/palette-toggle.html`` does its work, see there), so material never sets the
attribute now. After the build (``on_post_build``), the site's copy of the palette stylesheet
gets the same rule under another attribute, ``data-dlref-palette-switching``, which only
``partials/palette-toggle.html`` sets, and only around a switch the reader (or a change of the
system's colour preference) makes: the switch stays instant, the page load pays nothing. The
file keeps its name; only that attribute name changes.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

log = logging.getLogger("mkdocs.hooks.palette")

MATERIAL_ATTRIBUTE = "[data-md-color-switching]"
OWN_ATTRIBUTE = "[data-dlref-palette-switching]"


def rename_switching_rule(css: str) -> tuple[str, int]:
    """``css`` with material's switching attribute selector renamed; how many were renamed."""
    return css.replace(MATERIAL_ATTRIBUTE, OWN_ATTRIBUTE), css.count(MATERIAL_ATTRIBUTE)


def on_post_build(config: Any) -> None:
    sheets = sorted((Path(config["site_dir"]) / "assets" / "stylesheets").glob("palette.*.css"))
    renamed = 0
    for sheet in sheets:
        css, n = rename_switching_rule(sheet.read_text(encoding="utf-8"))
        if n:
            sheet.write_text(css, encoding="utf-8")
            renamed += n
    if not renamed:
        # A material release that renamed or dropped the rule: the partial's attribute does
        # nothing then, and this hook needs a look.
        log.error(f"no {MATERIAL_ATTRIBUTE} rule found in {[str(s) for s in sheets]}")
