"""tools/lint_prose.py: AutoCorrect finds prose that breaks the spacing and punctuation rules,
also inside admonitions and exercise answers, and leaves code alone.

(That README.md and docs/ follow the rules is `make lint` itself.)"""

from __future__ import annotations

from pathlib import Path

import autocorrect_py as autocorrect
import pytest

from tools import lint_prose

BAD = "这是PyTorch的例子,看看3个数."
GOOD = "这是 PyTorch 的例子，看看 3 个数。"


@pytest.fixture(autouse=True)
def _config() -> None:
    autocorrect.load_config(lint_prose.CONFIG.read_text(encoding="utf-8"))


def test_a_line_that_breaks_the_rules_is_reported_with_its_fix() -> None:
    found = lint_prose.problems(f"# 标题\n\n{GOOD}\n\n{BAD}\n", "page.md")
    assert found == [f"page.md:5:1: {BAD}  ->  {GOOD}"]


def test_prose_inside_admonitions_and_exercise_answers_is_checked() -> None:
    text = (
        f'!!! note "提示"\n\n    {BAD}\n\n'
        f'1. 题目。\n\n    ??? success "参考答案"\n\n        {BAD}\n'
    )
    # Why the lines are unindented first: AutoCorrect alone reads the admonition's body as code.
    assert [r.line for r in autocorrect.lint_for(text, "page.md").lines] == [9]
    found = lint_prose.problems(text, "page.md")
    assert [line.split(":")[1] for line in found] == ["3", "9"]


def test_code_is_not_prose() -> None:
    text = (
        f"```python\nx = 1  # {BAD}\n```\n\n"
        f'1. 题目。\n\n    ??? success "参考答案"\n\n'
        f"        ```python\n        pairs = []  # (输入, 目标)\n        ```\n\n"
        f"正文里的 `{BAD}` 是行内代码。\n"
    )
    assert lint_prose.problems(text, "page.md") == []


def test_main_fails_on_a_bad_file_and_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good, bad = tmp_path / "good.md", tmp_path / "bad.md"
    good.write_text(GOOD + "\n", encoding="utf-8")
    bad.write_text(BAD + "\n", encoding="utf-8")
    assert lint_prose.main([str(good)]) == 0
    assert lint_prose.main([str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:1:1: {BAD}" in out
    assert "1 line(s) break the prose rules" in out
