"""tools/minify_html.py: the pages lose only runs of whitespace a reader never sees, the build
fails if the minifier changes anything else, and each page is minified once.

(That every page of the built site is minified, and looks the same to the pixel: tests/site/
test_minify.py and tests/site/test_styles.py.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.node_steps import record_batches
from tools import minify_html

PAGE = """<!doctype html>
<html lang="zh">
  <head>
    <script>
      var a  =  1;   // program text keeps its spaces
    </script>
  </head>
  <body>
    <nav class="md-nav ">
      <input class="md-toggle" type="checkbox" id="t" checked>
      <p>段落    没有结束标签
      <p>第二段 <code>a   b</code>   <em>强调</em>
    </nav>
    <pre><code>x  =  1
    y</code></pre>
    <textarea>  a  </textarea>
    <math><mrow><mi>x</mi>   <mspace width="0.1667em"/>   <mi>y</mi></mrow></math>
  </body>
</html>
"""

MINIFIED = """<!doctype html>
<html lang="zh">
<head>
<script>
var a  =  1;   // program text keeps its spaces
</script>
</head>
<body>
<nav class="md-nav">
<input class="md-toggle" type="checkbox" id="t" checked>
<p>段落 没有结束标签
<p>第二段 <code>a   b</code> <em>强调</em>
</nav>
<pre><code>x  =  1
    y</code></pre>
<textarea>  a  </textarea>
<math><mrow><mi>x</mi> <mspace width="0.1667em"/> <mi>y</mi></mrow></math>
</body>
</html>
"""


def test_only_runs_of_whitespace_that_do_not_show_are_collapsed(tmp_path: Path) -> None:
    """A run becomes one space or one line break, never nothing; pre, code and textarea keep
    theirs, and a script all but the whitespace at its ends; no closing tag is added, no quote
    or slash dropped, a bare boolean attribute stays bare."""
    done, from_cache = minify_html.minify({"p.html": PAGE}, tmp_path)
    assert from_cache == 0
    assert done["p.html"] == MINIFIED
    assert minify_html.first_difference(PAGE, MINIFIED) is None


@pytest.mark.parametrize(
    ("after", "what"),
    [
        (PAGE.replace('lang="zh"', 'lang="en"'), "lang"),  # an attribute's value
        (PAGE.replace(" checked>", ">"), "checked"),  # an attribute
        (PAGE.replace("段落    没有", "段落没有"), "段落"),  # a run removed, not collapsed
        (PAGE.replace("a   b", "a b"), "a   b"),  # whitespace in code
        (PAGE.replace("x  =  1", "x = 1"), "x  =  1"),  # ... and in pre
        (PAGE.replace("var a  =  1", "var a = 1"), "var a"),  # ... and in a script
        (PAGE.replace('"0.1667em"/>', '"0.1667em">'), "mspace"),  # the slash that closes it
        (PAGE.replace("<em>强调</em>", "<em>强调</em></p>"), "'end', 'p'"),  # a tag added
    ],
)
def test_any_other_change_is_found(after: str, what: str) -> None:
    difference = minify_html.first_difference(PAGE, after)
    assert difference is not None and what in difference, difference


def test_class_lists_and_whitespace_runs_are_no_change() -> None:
    before = '<div class=" a  b ">x \n\t y</div>'
    assert minify_html.first_difference(before, '<div class="a b">x\ny</div>') is None
    assert minify_html.first_difference(before, '<div class="b a">x y</div>') is not None


def test_a_minifier_that_changes_more_than_whitespace_fails_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        minify_html,
        "run_minifier",
        lambda pages: {n: h.replace("</p>", "") for n, h in pages.items()},
    )
    with pytest.raises(RuntimeError, match=r"minifying p\.html changed more than whitespace"):
        minify_html.minify({"p.html": "<p>a</p>"}, tmp_path)
    assert not list(tmp_path.rglob("*.html")), "a wrong answer was cached"


def test_each_page_is_minified_once_then_comes_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = record_batches(monkeypatch, minify_html, "run_minifier")
    pages = {"a.html": "<p>a  \n  b</p>", "b.html": "<p>c    d</p>"}
    first, _ = minify_html.minify(pages, tmp_path)
    again, from_cache = minify_html.minify(pages, tmp_path)  # the next build
    assert again == first == {"a.html": "<p>a b</p>", "b.html": "<p>c d</p>"}
    assert from_cache == 2
    edited = {**pages, "b.html": "<p>c    e</p>"}  # a prose edit to one page
    done, from_cache = minify_html.minify(edited, tmp_path)
    assert from_cache == 1 and done["b.html"] == "<p>c e</p>"
    assert asked == [["a.html", "b.html"], ["b.html"]]  # node ran twice, for what was new


def test_the_cache_key_covers_the_options_the_script_and_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = minify_html._setup_digest()
    assert minify_html._setup_digest() == key
    changes: list[tuple[str, Any]] = [
        ("OPTIONS", {**minify_html.OPTIONS, "removeComments": True}),
        ("KEEP", []),
    ]
    for name, value in changes:
        with monkeypatch.context() as m:
            m.setattr(minify_html, name, value)
            assert minify_html._setup_digest() != key, name
    script = tmp_path / "minify_html.cjs"
    script.write_text(minify_html.SCRIPT.read_text(encoding="utf-8") + "\n// changed\n")
    monkeypatch.setattr(minify_html, "SCRIPT", script)
    assert minify_html._setup_digest() != key
    package = tmp_path / "html-minifier-terser"
    package.mkdir()
    (package / "package.json").write_text('{"version": "0.0.0"}')
    monkeypatch.setattr(minify_html, "MINIFIER", package)
    monkeypatch.setattr(minify_html, "SCRIPT", minify_html.ROOT / "tools" / "minify_html.cjs")
    assert minify_html._setup_digest() != key
