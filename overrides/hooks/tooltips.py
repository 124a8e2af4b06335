"""MkDocs hook: cross-reference tooltips without the API headings' indentation.

A link to an API object (``[`RNN`][dlref.nn.RNN]``) is written by mkdocs-autorefs with a
``title`` attribute, the tooltip a browser shows on hover. Its text is the object's heading as
mkdocstrings-python's template writes it, indentation included: the links carried
``title="            dlref.nn.RNN"`` (120 of them on the site). The text itself is right; this
hook only strips the whitespace around it, once autorefs has written the links (``on_env``, at
priority -50) and the page is rendered (``on_post_page``). tests/site/test_static.py checks that
no title on the site starts or ends with whitespace.
"""

from __future__ import annotations

import re
from typing import Any

# <a class="autorefs ..." title="  text  ">: autorefs writes class, then title.
AUTOREFS_TITLE = re.compile(r'(<a class="autorefs[^"]*" title=")\s*([^"]*?)\s*(")')


def strip_titles(html: str) -> str:
    """Every autorefs link's title without the whitespace around it."""
    return AUTOREFS_TITLE.sub(r"\1\2\3", html)


def on_post_page(output: str, **kwargs: Any) -> str:
    return strip_titles(output)
