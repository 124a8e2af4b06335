"""Register sybil: every Python block in docs/ and every docstring example in dlref/ is a test.

It lives at the repository root because sybil's collection hook must see both folders.
"""

import os

import matplotlib
from hypothesis import settings

# No display here, and the pages' figures are SVG anyway (before any pyplot). The pages' drawing
# code ends in plt.show() (for a reader's notebook or desktop): with svg it opens no window.
matplotlib.use("svg")

from tests.sybil_setup import docs_sybil, docstrings_sybil

# tests/reuse.py: a warm run reports the stored pass of a page or browser test whose inputs
# are all unchanged (and says so) instead of running it again. pytester: its own tests.
pytest_plugins = ["tests.reuse", "pytester"]

# Property tests draw the same examples on every run (derandomize): a test suite that passes
# must pass again on the same sources, in CI as here. `HYPOTHESIS_PROFILE=explore make test`
# draws fresh random examples instead, to look for new failures.
settings.register_profile("dlref", derandomize=True, database=None)
settings.register_profile("explore")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dlref"))

pytest_collect_file = (docs_sybil() + docstrings_sybil()).pytest()
