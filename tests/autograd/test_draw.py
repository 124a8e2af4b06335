"""dlref.autograd.draw: the layered layout and the drawings of both graphs."""

from __future__ import annotations

import itertools

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import dlref.viz
from dlref.autograd import Value, draw, draw_graph, draw_side_by_side, draw_torch_graph
from dlref.autograd.draw import _crosses, _layers, _route, _torch_graph
from tests.phone import phone_labels


@st.composite
def dags(draw: st.DrawFn) -> tuple[list[int], dict[int, list[int]]]:
    n = draw(st.integers(1, 25))
    inputs = {k: draw(st.lists(st.integers(0, k - 1), max_size=3)) if k else [] for k in range(n)}
    return list(range(n)), inputs


@settings(max_examples=100, deadline=None)
@given(dags())
def test_layers_put_every_input_in_an_earlier_column(
    dag: tuple[list[int], dict[int, list[int]]],
) -> None:
    order, inputs = dag
    columns = _layers(order, inputs.__getitem__)
    column = {n: c for c, col in enumerate(columns) for n in col}
    assert sorted(column) == order  # every node exactly once
    for node in order:
        assert all(column[i] < column[node] for i in inputs[node])
        if inputs[node]:  # as far left as possible
            assert column[node] == 1 + max(column[i] for i in inputs[node])
        else:
            assert column[node] == 0


def _example() -> tuple[Value, Value, torch.Tensor, torch.Tensor]:
    x, w, y = Value(2.0, "x"), Value(1.0, "w"), Value(4.0, "y")
    loss = (x * w - y) ** 2
    loss.backward()
    wt = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    loss_t = (2.0 * wt - 4.0) ** 2
    loss_t.backward()
    return loss, w, loss_t, wt


def test_draw_graph_shows_every_node() -> None:
    loss, _, _, _ = _example()
    fig = draw_graph(loss, show_local=True, title="t")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert len(fig.axes[0].patches) == 6 + 5  # six boxes, five arrows
    nodes = [t for t in texts if "\n" in t]
    edges = [t for t in texts if "\n" not in t]
    assert sorted(nodes) == sorted(
        [
            "x\ndata 2\ngrad −4",
            "w\ndata 1\ngrad −8",
            "y\ndata 4\ngrad 4",
            "×\ndata 2\ngrad −4",
            "−\ndata −2\ngrad −4",
            "**2\ndata 4\ngrad 1",
        ]
    )
    # Local derivatives: d(xw)/dx = w, d(xw)/dw = x, d(a - y)/da = 1, /dy = -1, d(r**2)/dr = 2r.
    assert sorted(edges) == sorted(["1", "2", "1", "−1", "−4"])
    html = dlref.viz.figure_html(fig, alt="图", caption="测试图")
    assert "grad −8" in html  # text stays text in the SVG


def test_labels_name_the_operation() -> None:
    x = Value(2.0, "x")
    yhat = x * 3.0
    yhat.label = "ŷ"
    texts = [t.get_text() for t in draw_graph(yhat).axes[0].texts]
    assert "ŷ  (×)\ndata 6\ngrad 0" in texts
    assert "const\ndata 3\ngrad 0" in texts


def test_draw_graph_without_grad() -> None:
    loss, _, _, _ = _example()
    texts = [t.get_text() for t in draw_graph(loss, show_grad=False).axes[0].texts]
    assert not any("grad" in t for t in texts)


def test_torch_graph_nodes() -> None:
    _, _, loss_t, wt = _example()
    graph = _torch_graph(loss_t, {"w": wt})
    names = [type(f).__name__ for f in graph.order]
    assert names == ["AccumulateGrad", "MulBackward0", "SubBackward0", "PowBackward0"]
    assert graph.text(graph.order[0]) == "AccumulateGrad\nw: data 1\ngrad −8"
    fig = draw_torch_graph(loss_t, names={"w": wt})
    assert len(fig.axes[0].patches) == 4 + 3


def test_torch_graph_of_tensors_shows_shapes() -> None:
    W = torch.zeros(3, 2, requires_grad=True)
    out = (torch.ones(4, 2) @ W.T).sum()
    graph = _torch_graph(out, {"W": W})
    assert "W: shape (3, 2)" in graph.text(graph.order[0])


def test_side_by_side() -> None:
    loss, _, loss_t, wt = _example()
    fig = draw_side_by_side(loss, loss_t, names={"w": wt})
    assert [ax.get_title() for ax in fig.axes] == ["dlref.autograd", "PyTorch (grad_fn)"]


def test_torch_graph_needs_grad_fn() -> None:
    with pytest.raises(ValueError, match="no grad_fn"):
        draw_torch_graph(torch.tensor(1.0, requires_grad=True))
    with pytest.raises(ValueError, match="no grad_fn"):
        draw_torch_graph(torch.tensor(1.0) * 2)


def test_side_by_side_stacked_puts_torch_below() -> None:
    loss, _, loss_t, wt = _example()
    fig = draw_side_by_side(loss, loss_t, names={"w": wt}, stacked=True)
    top, bottom = (ax.get_position() for ax in fig.axes)
    assert bottom.y1 <= top.y0
    assert top.width >= bottom.width  # the same scale: PyTorch's graph has fewer columns


def test_text_stays_readable_on_a_phone() -> None:
    """The page's graphs keep every label at 8.5 px or more on a phone, at most 5.4 in wide."""
    loss, _, _, _ = _example()
    x, w, y = Value(2.0, "x"), Value(1.0, "w"), Value(4.0, "y")
    loss3 = (x * w - y) ** 2
    loss3.backward()
    xt, wt3, yt = (
        torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (2.0, 1.0, 4.0)
    )
    loss3_t = (xt * wt3 - yt) ** 2  # the page's graph: three AccumulateGrad leaves
    figures = [
        draw_graph(loss, show_local=True),
        draw_torch_graph(loss3_t, names={"x": xt, "w": wt3, "y": yt}),
        draw_side_by_side(loss3, loss3_t, names={"x": xt, "w": wt3, "y": yt}, stacked=True),
    ]
    for fig in figures:
        assert fig.get_figwidth() <= 5.4
        html = dlref.viz.figure_html(fig, alt="图", caption="手机上的字号")
        assert min(px for px, _ in phone_labels(html)) >= 8.5


def test_boxes_hold_their_text() -> None:
    """A column's boxes are as wide as its widest text: every node's text fits inside its box."""
    loss, _, loss_t, wt = _example()
    fig = draw_side_by_side(loss, loss_t, names={"w": wt}, stacked=True)
    fig.canvas.draw()  # a renderer for the extents
    for ax in fig.axes:
        boxes = [p.get_window_extent() for p in ax.patches if hasattr(p, "get_boxstyle")]
        nodes = [t.get_window_extent() for t in ax.texts if t.get_bbox_patch() is None]
        assert len(boxes) == len(nodes)
        for text in nodes:
            assert any(
                b.x0 < text.x0 and text.x1 < b.x1 and b.y0 < text.y0 and text.y1 < b.y1
                for b in boxes
            )
    top, bottom = fig.axes
    # stacked, the columns line up: the leaves' boxes are as wide as PyTorch's AccumulateGrad
    widths = [
        {round(p.get_width(), 6) for p in ax.patches if hasattr(p, "get_boxstyle")}
        for ax in (top, bottom)
    ]
    assert widths[0] == widths[1]


def test_crosses_means_through_the_inside() -> None:
    box = (0.0, 0.0, 2.0, 1.0)
    assert _crosses((-1, 0.5), (3, 0.5), box)  # straight through
    assert _crosses((-1, -1), (1, 0.5), box)  # into a corner
    assert not _crosses((2, 0.5), (4, 0.5), box)  # leaving from its edge
    assert not _crosses((-1, 1.2), (3, 1.2), box)  # above it
    assert not _crosses((-1, 0.0), (3, 0.0), box)  # along its edge
    assert not _crosses((-1, -2), (3, -0.1), box)  # below it, slanted


def test_a_free_arrow_is_straight_and_a_blocked_one_goes_around() -> None:
    skipped = [(3.6, 1.7, 6.2, 3.0)]  # the box of the column the arrow skips
    assert _route((2.6, 0.65), (7.2, 0.65), skipped) == [(2.6, 0.65), (7.2, 0.65)]
    route = _route((2.6, 0.65), (7.2, 2.35), skipped)
    assert len(route) == 4 and route[1][0] == 3.6 and route[2][0] == 6.2
    assert route[1][1] == route[2][1] < 1.7  # under the box, not through it
    for a, b in itertools.pairwise(route):
        assert not _crosses(a, b, skipped[0])


def test_no_arrow_of_the_pages_graphs_crosses_a_box(monkeypatch: pytest.MonkeyPatch) -> None:
    """In (x * w - y) ** 2 the arrow y -> r skips the column of x * w; it used to clip that box."""
    routes: list[list[tuple[float, float]]] = []

    def recording(*args: object) -> list[tuple[float, float]]:
        route = _route(*args)  # type: ignore[arg-type]
        routes.append(route)
        return route

    monkeypatch.setattr(draw, "_route", recording)
    loss, _, loss_t, wt = _example()
    for drawing in (
        lambda: draw_graph(loss, show_local=True),
        lambda: draw_torch_graph(loss_t, names={"w": wt}),
    ):
        routes.clear()
        fig = drawing()
        eps = 1e-9  # an arrow starts and ends on a box's edge
        boxes = [
            (p.get_x() + eps, p.get_y() + eps, p.get_x() + p.get_width() - eps,
             p.get_y() + p.get_height() - eps)
            for p in fig.axes[0].patches
            if hasattr(p, "get_boxstyle")
        ]  # fmt: skip
        assert routes, "no arrows recorded"
        if fig.axes[0].texts[0].get_text().startswith("x"):  # dlref's graph: y -> r went around
            assert sum(len(r) == 4 for r in routes) == 1
        for route in routes:
            for a, b in itertools.pairwise(route):
                assert not any(_crosses(a, b, box) for box in boxes), (route, boxes)
