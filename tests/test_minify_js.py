"""tools/minify_js.py: our inline scripts are minified by terser, with the names other scripts
use kept; a script terser cannot read fails the build; each script is minified once; each of our
partials puts its whole script through the ``minify_js`` filter.

(The filter itself: tests/site/test_hooks.py. That the minified scripts work in the pages:
tests/site/test_palette.py and the search and scrolling tests of tests/site/test_browser.py run
them.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.node_steps import record_batches
from tools import minify_js

ROOT = Path(__file__).resolve().parent.parent
PARTIALS = ROOT / "overrides" / "partials"

SCRIPT = """
var __shared = {
  // a comment the page does not need
  chosen: function () { return 1; }
};
(function () {
  var localName = __shared.chosen() + __md_get("__palette");
  document.body.setAttribute("data-example", String(localName));
})();
"""


def test_whitespace_comments_and_local_names_go_globals_and_strings_stay(tmp_path: Path) -> None:
    done, from_cache = minify_js.minify({"s": SCRIPT}, tmp_path)
    code = done["s"]
    assert from_cache == 0
    assert len(code) < 0.7 * len(SCRIPT)
    assert "\n" not in code and "comment" not in code and "localName" not in code
    for kept in ("__shared", "chosen", "__md_get", '"__palette"', '"data-example"'):
        assert kept in code, kept


def test_a_script_terser_cannot_read_fails_and_nothing_is_cached(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match=r"terser failed .*broken"):
        minify_js.minify({"broken": "var = ;"}, tmp_path)
    assert not list(tmp_path.rglob("*.js")), "a failed script was cached"


def test_each_script_is_minified_once_then_comes_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = record_batches(monkeypatch, minify_js, "run_terser")
    first, _ = minify_js.minify({"s": SCRIPT}, tmp_path)
    again, from_cache = minify_js.minify({"s": SCRIPT}, tmp_path)
    assert again == first and from_cache == 1
    edited, from_cache = minify_js.minify({"s": SCRIPT.replace("1;", "2;")}, tmp_path)
    assert from_cache == 0 and edited != first
    assert asked == [["s"], ["s"]]


def test_the_cache_key_covers_the_options_the_script_and_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = minify_js._setup_digest()
    assert minify_js._setup_digest() == key
    with monkeypatch.context() as m:
        m.setattr(minify_js, "OPTIONS", {**minify_js.OPTIONS, "mangle": False})
        assert minify_js._setup_digest() != key
    script = tmp_path / "minify_js.cjs"
    script.write_text(minify_js.SCRIPT.read_text(encoding="utf-8") + "\n// changed\n")
    with monkeypatch.context() as m:
        m.setattr(minify_js, "SCRIPT", script)
        assert minify_js._setup_digest() != key
    package = tmp_path / "terser"
    package.mkdir()
    (package / "package.json").write_text('{"version": "0.0.0"}')
    monkeypatch.setattr(minify_js, "TERSER", package)
    assert minify_js._setup_digest() != key


def _filter_blocks(text: str) -> list[str]:
    return re.findall(
        r"<script>\{% filter minify_js %\}(.*?)\{% endfilter %\}</script>", text, re.S
    )


@pytest.mark.parametrize(
    "name", ["palette-head", "palette-toggle", "search-on-demand", "scroll-regions"]
)
def test_each_partial_s_script_goes_through_the_filter(name: str) -> None:
    """The whole script of each of our four partials is inside the filter, so a page carries it
    minified."""
    text = (PARTIALS / f"{name}.html").read_text(encoding="utf-8")
    blocks = _filter_blocks(text)
    assert len(blocks) == 1 and text.count("<script") == 1, name
