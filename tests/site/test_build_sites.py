"""tools/build_sites.py: the variants `make test` builds after site/ run no page code of their
own: every block's output comes from the cache the first build filled (the configurations differ
only in settings no block reads; a block that mentions the environment is keyed on them)."""

from __future__ import annotations

import json
import os

import pytest

from tools.build_sites import stats_file
from tools.sitecheck import ROOT


@pytest.mark.parametrize("variable", ["DLREF_OFFLINE_SITE_DIR", "DLREF_HOSTED_SITE_DIR"])
def test_a_variant_takes_every_block_from_the_cache(variable: str) -> None:
    given = os.environ.get(variable)
    if not given or not stats_file(ROOT / given).is_file():
        pytest.skip(f"{variable} was not built by tools/build_sites.py (make test does)")
    stats = json.loads(stats_file(ROOT / given).read_text(encoding="utf-8"))
    assert stats["run"] == 0 and stats["from_cache"] > 0, stats
