"""tools/optimize_svg.py: SVGO keeps every coordinate matplotlib wrote, and each figure is
optimized once.

(That every figure of the site draws the same pixels after it: tests/site/test_styles.py.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.node_steps import record_batches
from tools import optimize_svg

FIGURE = """<?xml version="1.0" encoding="utf-8"?>
<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="404.210625pt" height="236.765345pt" \
viewBox="0 0 404.210625 236.765345" xmlns="http://www.w3.org/2000/svg" version="1.1">
 <!-- a comment -->
 <defs>
  <style type="text/css">*{stroke-linejoin: round; stroke-linecap: butt}</style>
 </defs>
 <g id="figure_1">
  <g id="patch_1">
   <path d="M 39.890625 198.265345
L 397.010625 198.265345
L 397.010625 9.769345
z
" style="fill: none"/>
  </g>
  <g transform="translate(48.423352 214.365345)">
   <text x="0" y="-0.965625" style="font-size: 10px">损失</text>
  </g>
 </g>
</svg>
"""
NUMBER = re.compile(r"-?\\d+\\.\\d+")


def test_svgo_keeps_every_number_and_drops_what_draws_nothing(tmp_path: Path) -> None:
    done, from_cache = optimize_svg.optimize({"f": FIGURE}, tmp_path)
    svg = done["f"]
    assert from_cache == 0
    assert len(svg) < 0.8 * len(FIGURE)
    assert "<!--" not in svg and "<?xml" not in svg and "\\n" not in svg
    # Every decimal matplotlib wrote is still there, as written (the width and height in pt
    # become the same lengths in px: 404.210625 pt = 538.9475 px).
    kept = set(NUMBER.findall(svg))
    assert set(NUMBER.findall(FIGURE)) - {"404.210625", "236.765345"} <= kept
    assert 'viewBox="0 0 404.210625 236.765345"' in svg
    assert "translate(48.423352 214.365345)" in svg  # transforms as written
    assert "M39.890625 198.265345H397.010625V9.769345z" in svg  # absolute, exact
    assert ">损失</text>" in svg


def test_each_figure_is_optimized_once_then_comes_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = record_batches(monkeypatch, optimize_svg, "run_svgo")
    files = {"a": FIGURE, "b": FIGURE.replace("损失", "准确率")}
    first, _ = optimize_svg.optimize(files, tmp_path)
    again, from_cache = optimize_svg.optimize(files, tmp_path)  # the next build
    assert again == first and from_cache == 2
    changed = {**files, "b": FIGURE.replace("损失", "误差")}
    done, from_cache = optimize_svg.optimize(changed, tmp_path)
    assert from_cache == 1 and ">误差</text>" in done["b"]
    assert asked == [["a", "b"], ["b"]]


def test_the_cache_key_covers_the_configuration_the_script_and_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = optimize_svg._setup_digest()
    assert optimize_svg._setup_digest() == key
    changed: dict[str, Any] = {**optimize_svg.CONFIG, "floatPrecision": 3}
    with monkeypatch.context() as m:
        m.setattr(optimize_svg, "CONFIG", changed)
        assert optimize_svg._setup_digest() != key
    script = tmp_path / "optimize_svg.cjs"
    script.write_text(optimize_svg.SCRIPT.read_text(encoding="utf-8") + "\\n// changed\\n")
    with monkeypatch.context() as m:
        m.setattr(optimize_svg, "SCRIPT", script)
        assert optimize_svg._setup_digest() != key
    package = tmp_path / "svgo"
    package.mkdir()
    (package / "package.json").write_text('{"version": "0.0.0"}')
    monkeypatch.setattr(optimize_svg, "SVGO", package)
    assert optimize_svg._setup_digest() != key
