"""No silent misses: every Python block on every page is collected by sybil, and every skip
states its reason."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.sybil_setup import ROOT, docs_sybil

PAGES = sorted((ROOT / "docs").rglob("*.md"))
FENCE_LINE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*(python|py|pycon)(?![\w-])", re.MULTILINE)


def _fence_starts(text: str) -> list[int]:
    return [m.start() for m in FENCE_LINE.finditer(text)]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_python_block_is_collected(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    starts = _fence_starts(text)
    document = docs_sybil().parse(page)
    example_starts = sorted(example.region.start for example in document)
    missed = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        if not any(start <= s < end for s in example_starts):
            line = text.count("\n", 0, start) + 1
            missed.append(f"{page.name}:{line}")
    assert not missed, f"Python blocks not collected by sybil: {missed}"


SKIP = re.compile(r"<!--\s*skip:\s*(?P<args>[^>]*?)\s*-->")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_skip_states_a_reason(page: Path) -> None:
    for m in SKIP.finditer(page.read_text(encoding="utf-8")):
        args = m.group("args")
        if args.startswith("end"):
            continue
        assert "reason=" in args, (
            f"{page.name}: `<!-- skip: {args} -->` has no reason; write "
            '`<!-- skip: next if(True, reason="…") -->` and say why in the text next to it'
        )


def test_collector_sees_fences_inside_tabs_and_admonitions(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# t\n\n"
        '=== "标签"\n\n    ```python exec="on" session="s"\n    x = 1\n    ```\n\n'
        '!!! note "注"\n\n    ```pycon\n    >>> 1 + 1\n    2\n    ```\n\n'
        "```py\ny = 2\n```\n",
        encoding="utf-8",
    )
    document = docs_sybil().parse(page)
    assert len(list(document)) == 3


def test_collector_sees_answers_in_collapsible_blocks(tmp_path: Path) -> None:
    """Exercises' answers: Python blocks indented in ``??? success "参考答案"`` (closed or
    ``???+`` open), also nested in another block, are collected and counted like any other."""
    page = tmp_path / "page.md"
    text = (
        "# t\n\n## 练习\n\n1. 预测输出。\n\n"
        '??? success "参考答案"\n\n    ```python\n    assert 1 + 1 == 2\n    ```\n\n'
        '???+ success "参考答案"\n\n    说明。\n\n    ```pycon\n    >>> 2 * 3\n    6\n    ```\n\n'
        '!!! question "练习 3"\n\n    题目。\n\n'
        '    ??? success "参考答案"\n\n'
        "        ```py\n        x = 4\n        assert x == 4\n        ```\n"
    )
    page.write_text(text, encoding="utf-8")
    document = docs_sybil().parse(page)
    examples = list(document)
    assert len(_fence_starts(text)) == 3
    assert len(examples) == 3
    namespace: dict[str, object] = {}
    for example in examples:  # they run, and their assertions hold
        example.namespace = namespace
        example.evaluate()
