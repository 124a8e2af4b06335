"""The package's layout: lesson modules share private helpers only through private modules."""

from __future__ import annotations

import ast
from pathlib import Path

DLREF = Path(__file__).resolve().parents[1] / "dlref"

# No exceptions: every lesson file imports only public names from another lesson file.
PENDING: set[tuple[str, str, str]] = set()


def _is_private_module(module: str) -> bool:
    return any(part.startswith("_") and part != "__init__" for part in module.split("."))


def _is_private_name(name: str) -> bool:
    return name.startswith("_")


def test_lesson_modules_import_no_private_name_from_another_lesson() -> None:
    found = set()
    for path in sorted(DLREF.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("dlref"):
                continue
            module = node.module or ""
            if _is_private_module(module):
                continue  # dlref.functional._validation and the like: the shared private helpers
            for alias in node.names:
                if _is_private_name(alias.name):
                    found.add((path.relative_to(DLREF).as_posix(), module, alias.name))
    assert found <= PENDING, sorted(found - PENDING)


def test_data_makers_live_in_the_data_module() -> None:
    import dlref.autograd.nn
    import dlref.data

    assert "make_moons" not in vars(dlref.autograd.nn)
    assert dlref.data.make_moons.__module__ == "dlref.data"
