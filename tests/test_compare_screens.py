"""tools/compare_screens.py: when two screenshots count as different."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from tools.compare_screens import RASTER_NOISE, differing_pixels


def png(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8)).save(out, format="PNG")
    return out.getvalue()


BASE = np.full((20, 30, 3), 45)  # a dark page's background


def test_antialiasing_noise_is_not_a_difference() -> None:
    """The noise seen on a rounded corner: a column of pixels one or two levels off."""
    noisy = BASE.copy()
    noisy[5:15, 7, 0] += 2
    noisy[5:15, 7, 2] -= 1
    assert RASTER_NOISE >= 2
    assert differing_pixels(png(BASE), png(noisy)) == (0, None)
    # With no tolerance (figures), the same pixels count.
    count, mask = differing_pixels(png(BASE), png(noisy), noise=0)
    assert count == 10 and mask is not None
    assert np.asarray(mask)[5:15, 7].all() and np.asarray(mask).sum() == 10 * 255


def test_a_changed_colour_or_a_moved_edge_is_a_difference() -> None:
    recoloured = BASE.copy()
    recoloured[2:4, 3:6] = BASE[0, 0] + (RASTER_NOISE + 1, 0, 0)
    assert differing_pixels(png(BASE), png(recoloured))[0] == 6
    moved = BASE.copy()
    moved[:, 10] = 200  # a one-pixel line
    assert differing_pixels(png(BASE), png(moved))[0] == 20


def test_screenshots_of_different_sizes_differ_everywhere() -> None:
    taller = np.full((25, 30, 3), 45)
    assert differing_pixels(png(BASE), png(taller)) == (25 * 30, None)
