"""Every HTML page of the built sites has its runs of whitespace collapsed where they do not
show (overrides/hooks/minify.py, tools/minify_html.py; the minifier's rules and its check are
tested in tests/test_minify_html.py, the pages' looks in tests/site/test_styles.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

# The elements whose whitespace is kept (tools/minify_html.py VERBATIM), removed with their
# content before looking for runs.
VERBATIM = re.compile(r"<(pre|code|textarea|script|style)[\s>].*?</\1>", re.DOTALL)
TAG = re.compile(r"<[^>]*>")  # attribute values are left as they are
RUN = re.compile(r"\s{2,}")


def runs_left(html: str) -> list[str]:
    """The runs of two or more whitespace characters in text outside the verbatim elements,
    each with the text around it."""
    rest = TAG.sub("<>", VERBATIM.sub("<>", html))
    return [repr(rest[max(m.start() - 30, 0) : m.end() + 30]) for m in RUN.finditer(rest)]


def test_the_check_finds_runs_only_outside_the_verbatim_elements() -> None:
    assert runs_left('<p>a <code>x  y</code>\n<pre class="p">\n  z</pre></p>') == []
    assert len(runs_left("<p>a  <code>x</code></p>\n  <p>b</p>")) == 2
    assert runs_left('<a title="  t">x</a>') == []


@pytest.mark.parametrize("which", ["site", "offline_site"])
def test_every_page_is_minified(which: str, request: pytest.FixtureRequest) -> None:
    built: Path = request.getfixturevalue(which)
    files = sorted(built.rglob("*.html"))
    assert len(files) > 20
    left = {
        p.relative_to(built).as_posix(): r[:3]
        for p in files
        if (r := runs_left(p.read_text(encoding="utf-8")))
    }
    assert not left, left
