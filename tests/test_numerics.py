"""tools/numerics.py: the matrix fails where an executed block prints something else in another
numeric environment, and lets a figure's coordinates differ by rounding only.

The records are built by hand here in the form tools/exec_cache.py writes them
(``DLREF_EXEC_RECORD``); the matrix itself runs in ``make test-numerics``.
"""

from __future__ import annotations

from tools.numerics import MOVE_PT, compare_outputs, environments

SVG = (
    '<svg role="img" aria-label="{alt}" width="100pt"><path d="M 10 {y} L 20 30"/>'
    '<text x="5" y="7">{label}</text></svg>'
)


def _record(*outputs: str, page: str = "p.md") -> list[dict[str, object]]:
    return [
        {"page": page, "block": k + 1, "first_line": f"line {k + 1}", "output": out}
        for k, out in enumerate(outputs)
    ]


def _figure(y: float = 20.0, label: str = "0.1", alt: str = "损失曲线") -> str:
    return "<figure>" + SVG.format(y=y, label=label, alt=alt) + "</figure>\n"


def test_the_same_outputs_pass() -> None:
    record = _record("| 中位数 | 0.16 |\n", _figure())
    assert compare_outputs(record, record) == ([], [])


def test_a_printed_number_that_changes_is_a_difference_naming_the_block() -> None:
    native = _record("种子 0–19：\n差距在 17/20 个种子上变小\n")
    other = _record("种子 0–19：\n差距在 18/20 个种子上变小\n")
    differences, moved = compare_outputs(native, other)
    assert moved == []
    assert len(differences) == 1
    assert "p.md block 1 (line 1)" in differences[0]
    assert differences[0].endswith(
        "native '差距在 17/20 个种子上变小', here '差距在 18/20 个种子上变小'"
    )


def test_a_figure_may_move_by_rounding_but_not_change_its_text() -> None:
    native = _record(_figure(y=20.0))
    assert compare_outputs(native, _record(_figure(y=20.000001))) == ([], [])
    differences, moved = compare_outputs(native, _record(_figure(y=20 + 2 * MOVE_PT)))
    assert differences == []
    assert moved == [f"p.md block 1 (line 1), figure 1: an element moved {2 * MOVE_PT:.1f} pt"]
    differences, _ = compare_outputs(native, _record(_figure(label="0.2")))
    assert differences == ["p.md block 1 (line 1), figure 1: text '0.1' -> '0.2'"]
    differences, _ = compare_outputs(native, _record(_figure(alt="中位数 0.34")))
    assert differences == ["p.md block 1 (line 1), figure 1: text '损失曲线' -> '中位数 0.34'"]


def test_a_figure_with_other_elements_is_a_difference() -> None:
    native = _record(_figure())
    other = _record(_figure().replace("<path", '<path d="M 1 1"/><path'))
    differences, _ = compare_outputs(native, other)
    assert differences == ["p.md block 1 (line 1), figure 1: the drawing has other elements"]


def test_text_around_a_figure_is_compared_as_text() -> None:
    native = _record("最终是 0.163\n" + _figure())
    other = _record("最终是 0.161\n" + _figure(y=20.3))
    differences, moved = compare_outputs(native, other)
    assert differences == ["p.md block 1 (line 1): native '最终是 0.163', here '最终是 0.161'"]
    assert moved == []


def test_builds_that_ran_other_blocks_are_a_difference() -> None:
    differences, _ = compare_outputs(_record("a", "b"), _record("a"))
    assert differences == ["the builds executed different blocks"]


def test_the_matrix_always_has_the_thread_environment() -> None:
    names = [e.name for e in environments("AVX512")]
    assert "threads-2" in names
    assert all(e.variables for e in environments("AVX512"))
