"""Register sybil: every Python block in docs/ and every docstring example in dlref/ is a test.

It lives at the repository root because sybil's collection hook must see both folders.
"""

import matplotlib

matplotlib.use("svg")  # no display here; the pages' figures are SVG anyway

from tests.sybil_setup import docs_sybil, docstrings_sybil

pytest_collect_file = (docs_sybil() + docstrings_sybil()).pytest()
