"""Shared by the tests of the build's node steps (tools/node_batch.py)."""

from __future__ import annotations

from types import ModuleType

import pytest


def record_batches(
    monkeypatch: pytest.MonkeyPatch, module: ModuleType, step: str
) -> list[list[str]]:
    """Replace ``module.<step>``, a node step that takes ``{name: text}``, by one that records
    the names of each batch it is given (sorted) before it runs the real step; the list they
    are recorded in. A batch is one node process."""
    batches: list[list[str]] = []
    real = getattr(module, step)

    def recorded(texts: dict[str, str]) -> dict[str, str]:
        batches.append(sorted(texts))
        result: dict[str, str] = real(texts)
        return result

    monkeypatch.setattr(module, step, recorded)
    return batches
