"""The Chinese prose rules of contributing.md, checked with AutoCorrect: ``make lint`` runs it.

    python tools/lint_prose.py [FILE.md ...]

Without arguments it checks ``README.md`` and every page under ``docs/``. AutoCorrect
(``autocorrect-py`` on PyPI, the Python binding of huacnlee/autocorrect; pinned in
constraints.txt) knows the rules the pages follow: a space between Chinese and Latin text or
numbers, full-width punctuation inside Chinese text, half-width punctuation inside English.
Its configuration is ``.autocorrectrc`` at the top of the repository: code blocks are code, not
prose, and are left alone.

One thing is ours. AutoCorrect reads Markdown as CommonMark, where a line indented by four
spaces outside a list is code: the body of every admonition and content tab (``!!!``, ``???``,
``===``), so it would skip them without a word (tests/test_lint_prose.py shows it). Each line is
checked with its leading whitespace removed, which keeps the line numbers, turns those bodies
back into prose and leaves fenced code fenced.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

import autocorrect_py as autocorrect

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".autocorrectrc"


def default_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def problems(text: str, name: str) -> list[str]:
    """Each line AutoCorrect would change, as ``name:line:col: old -> new``."""
    unindented = "\n".join(line.lstrip() for line in text.split("\n"))
    result = autocorrect.lint_for(unindented, name)
    return [f"{name}:{r.line}:{r.col}: {r.old.strip()}  ->  {r.new.strip()}" for r in result.lines]


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="Markdown files (default: all)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    autocorrect.load_config(CONFIG.read_text(encoding="utf-8"))
    files = args.files or default_files()
    found = [
        line for path in files for line in problems(path.read_text(encoding="utf-8"), _shown(path))
    ]
    for line in found:
        print(line)
    if found:
        print(
            f"{len(found)} line(s) break the prose rules (docs/contributing.md); "
            "AutoCorrect's fix is shown after each arrow."
        )
        return 1
    print(f"prose: {len(files)} files follow the spacing and punctuation rules")
    return 0


def _shown(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


if __name__ == "__main__":
    sys.exit(main())
