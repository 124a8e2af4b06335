"""How large a figure's labels show on a phone: one measure for the built site's SVG files
(tests/site/test_static.py) and for a figure as ``dlref.viz.figure_html`` returns it
(tests/autograd/test_draw.py)."""

from __future__ import annotations

import re

# A phone shows the text column this wide (CSS px; a 390 px screen less the page's margins) and
# shrinks a wider figure to fit.
PHONE_COLUMN_PX = 358


def phone_labels(svg: str) -> list[tuple[float, str]]:
    """Each label of ``svg`` with the size it shows at on a phone, in CSS px: the label's own
    size (sub- and superscripts, drawn at 70 %, are part of their label), as the SVG gives it,
    scaled by the width a phone shows the figure at. The built site writes the SVG's width in
    CSS px; matplotlib writes points (``pt``, 3/4 of a CSS px)."""
    root = re.search(r"<svg\b[^>]*>", svg)
    assert root, "no <svg> element"
    width_attr = re.search(r'\bwidth="([\d.]+)(pt)?"', root[0])
    assert width_attr, root[0]
    width = float(width_attr[1]) * (4 / 3 if width_attr[2] else 1)
    view_box = re.search(r'viewBox="[\d.-]+ [\d.-]+ ([\d.]+)', root[0])
    assert view_box, root[0]
    shrink = min(width, PHONE_COLUMN_PX) / float(view_box[1])
    labels = []
    for text in re.findall(r"<text\b.*?</text>", svg, re.S):
        sizes = [float(x) for x in re.findall(r"font-size:\s*([\d.]+)", text)]
        if sizes:
            words = "".join(re.findall(r">([^<]*)<", text)).strip()
            labels.append((max(sizes) * shrink, words))
    return labels
