"""How sybil reads the pages in docs/ and the docstrings in dlref/.

The stock markdown parser only collects blocks whose info string is exactly ``python``; the pages
also use ``py``, ``pycon`` and attributes such as ``python exec="on" html="1"`` (markdown-exec).
:data:`PYTHON_FENCE` takes the first word of the info string and ignores the rest, so every
Python block on a page is collected. ``tests/test_docs_collection.py`` checks that nothing is
missed, by comparing with an independent count of the fences.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from doctest import ELLIPSIS, NORMALIZE_WHITESPACE
from pathlib import Path

from sybil import Document, Region, Sybil
from sybil.evaluators.doctest import DocTestEvaluator
from sybil.evaluators.python import PythonEvaluator
from sybil.parsers.abstract import DocTestStringParser
from sybil.parsers.markdown import ClearNamespaceParser, SkipParser
from sybil.parsers.markdown.lexers import RawFencedCodeBlockLexer
from sybil.parsers.rest import DocTestParser as DocstringDocTestParser

ROOT = Path(__file__).resolve().parent.parent
PYTHON_LANGUAGES = ("python", "py", "pycon")
DOCTEST_FLAGS = ELLIPSIS | NORMALIZE_WHITESPACE

# The info string: a language word, then anything (markdown-exec attributes), then the newline.
PYTHON_FENCE = re.compile(
    r"(?P<language>" + "|".join(PYTHON_LANGUAGES) + r")(?![\w-])(?P<attributes>[^\n]*)$\n",
    re.MULTILINE,
)


class PythonBlockParser:
    """Collect every Python fenced block: ``>>>`` sessions as doctests, the rest as code."""

    def __init__(self) -> None:
        self.lexer = RawFencedCodeBlockLexer(info_pattern=PYTHON_FENCE)
        self.doctest = DocTestStringParser(DocTestEvaluator(DOCTEST_FLAGS))
        self.code = PythonEvaluator()

    def __call__(self, document: Document) -> Iterable[Region]:
        for region in self.lexer(document):
            source = region.lexemes["source"]
            region.parsed = source
            if source.lstrip().startswith(">>>"):
                for example in self.doctest(source, document.path):
                    example.adjust(region, source)
                    yield example
            else:
                region.evaluator = self.code
                yield region


def docs_sybil() -> Sybil:
    return Sybil(
        parsers=[PythonBlockParser(), SkipParser(), ClearNamespaceParser()],
        path=str(ROOT / "docs"),
        patterns=["*.md"],
        setup=_setup_page,
        teardown=_teardown_page,
        name="docs",
    )


def docstrings_sybil() -> Sybil:
    return Sybil(
        parsers=[DocstringDocTestParser(optionflags=DOCTEST_FLAGS)],
        path=str(ROOT / "dlref"),
        patterns=["*.py"],
        setup=_setup_page,
        teardown=_teardown_page,
        name="docstrings",
    )


def _setup_page(namespace: dict[str, object]) -> None:
    import torch

    # Every page starts from the same random state, as it does in the build.
    torch.manual_seed(0)
    namespace["__name__"] = "__main__"


def _teardown_page(namespace: dict[str, object]) -> None:
    import matplotlib.pyplot as plt

    plt.close("all")
