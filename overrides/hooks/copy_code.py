"""MkDocs hook: the copy button of a Python session copies the code only, ready to run.

A ``pycon`` block shows a session: each line of code after a prompt (``>>> `` or ``... ``), and
after it what the code printed (or a traceback). Copied as shown, the prompts and the printed
lines are not Python: pasted into a script, a notebook cell or the plain REPL it fails at the
first ``>>>``.

mkdocs-material's copy button copies the code element's ``innerText``, and sets the attribute
``data-md-copying`` on the element while it reads it (the theme uses this to leave its code
annotations out). ``extra.css`` hides, under that attribute, Pygments' prompt spans
(``<span class="gp">``) and every line that is not code. For that, this hook
(``on_page_content``, on the lesson pages and the API pages' docstring examples alike) wraps
each line of a ``pycon`` block that does not start with a prompt, its newline included, in
``<span class="dlref-output">``: a printed line leaves no blank line behind in the copy. What
the reader sees does not change (the span has no style of its own).

Pygments closes every token's span at the end of a line, so each line is complete HTML on its
own; a line that is not (a span left open) stops the build rather than wrap half a tag.
tests/site/test_hooks.py checks the wrapping; tests/site/test_static.py that the copy of every
``pycon`` block on the site compiles as Python; tests/site/test_browser.py that the browser's
``innerText`` under the attribute is that copy.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from mkdocs.exceptions import PluginError

# A pycon block as pymdownx.highlight writes it (its code element's content is group 2).
PYCON = re.compile(
    r'(<div class="language-pycon highlight"><pre><span></span><code>)(.*?)(</code></pre></div>)',
    re.S,
)
PROMPT = '<span class="gp">'
OUTPUT = "dlref-output"
TAG = re.compile(r"<(/?)span\b")


def _balanced(line: str) -> bool:
    depth = 0
    for closing in TAG.findall(line):
        depth += -1 if closing else 1
        if depth < 0:
            return False
    return depth == 0


def mark_output_lines(code: str) -> str:
    """The HTML ``code`` of a pycon block with each line that is not code (no prompt at its
    start) wrapped, newline included, in ``<span class="dlref-output">``."""
    lines = code.split("\n")
    marked = []
    for number, line in enumerate(lines):
        end = "" if number == len(lines) - 1 else "\n"
        if line.startswith(PROMPT) or not (line or end):
            marked.append(line + end)
            continue
        if not _balanced(line):
            raise PluginError(f"a pycon block's line is not complete HTML on its own: {line!r}")
        marked.append(f'<span class="{OUTPUT}">{line}{end}</span>')
    return "".join(marked)


class _Copy(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hiding: list[bool] = []  # one entry per open span: is it (or one around it) hidden?
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "span":
            classes = (dict(attrs).get("class") or "").split()
            hidden = "gp" in classes or OUTPUT in classes
            self.hiding.append(hidden or (bool(self.hiding) and self.hiding[-1]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self.hiding:
            self.hiding.pop()

    def handle_data(self, data: str) -> None:
        if not (self.hiding and self.hiding[-1]):
            self.text.append(data)


def copied_text(code: str) -> str:
    """What the copy button copies from a pycon block whose code element holds ``code`` (this
    hook's output): the text without prompts and printed lines, trailing whitespace trimmed as
    the theme trims it."""
    parser = _Copy()
    parser.feed(code)
    parser.close()
    return "".join(parser.text).rstrip()


def on_page_content(html: str, **kwargs: Any) -> str:
    return PYCON.sub(lambda m: m[1] + mark_output_lines(m[2]) + m[3], html)
