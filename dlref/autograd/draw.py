r"""Draw a computation graph with matplotlib: no graphviz, the layout is done here.

讲解见站点页面「反向传播」 docs/basics/backpropagation.md.

The layout is *layered by topological depth*: a leaf sits in column 0 and every other node one
column right of its deepest input, so every arrow points right, from inputs to outputs. Within a
column, nodes are ordered by the mean row of their neighbours (the barycenter heuristic), which
removes most crossings in small graphs. The boxes of a column are as wide as its widest line of
text, so a graph takes no more width than its labels need. An arrow that skips a column and
would cross a box there runs along a free row instead (:func:`_route`). ``draw_graph`` draws a
``Value`` graph; ``draw_torch_graph`` draws the graph PyTorch records for a tensor (its ``grad_fn``
chain), with the same layout, so the two can be compared side by side.

Matplotlib is imported only when a function here is called. A page turns the figure into an
inline SVG with ``dlref.viz.figure_html``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, NamedTuple

from dlref.autograd.engine import Value

__all__ = ["draw_graph", "draw_side_by_side", "draw_torch_graph"]

# Node box height and spacing, in data units; SCALE inches per unit. A box is as wide as the
# widest line of text in its column plus PAD_X on each side, and at least MIN_BOX_W. Columns
# are GAP_X apart. draw_graph leaves GAP_X_LABELLED, room for a local derivative on each arrow
# with the arrow's ends still visible, whether or not it shows them: a graph drawn before and
# after backward() keeps one layout.
BOX_H, GAP_Y, SCALE = 1.3, 0.4, 0.5
PAD_X, MIN_BOX_W, GAP_X, GAP_X_LABELLED = 0.13, 1.4, 0.46, 0.9
# Text sizes in points. A figure shows at its natural size while it fits the text column, and
# shrinks to fit a phone's (358 CSS px): PyTorch's graph on the backpropagation page, four
# columns as wide as their names (AccumulateGrad, MulBackward0, ...), is 5.1 in wide, so 9 pt
# shows as 12 px on a desktop and 8.7 px on a phone.
NODE_FONT, EDGE_FONT, TITLE_FONT = 9.0, 9.0, 10.0
# Operations as a figure writes them: the signs of print, and the minus sign (U+2212), as the
# figures' axes write negative numbers, not the hyphen of code.
OP_NAMES = {"*": "×", "/": "÷", "-": "−", "neg": "−x"}


def _number(x: float) -> str:
    """``x`` to 4 significant digits, a negative one with the minus sign (U+2212)."""
    return f"{x:.4g}".replace("-", "\u2212")


def _layers(order: Sequence[Hashable], inputs: Callable[[Any], Sequence[Any]]) -> list[list[Any]]:
    r"""Columns of nodes: column of a node = 1 + the deepest column among its inputs."""
    depth: dict[Hashable, int] = {}
    for node in order:  # inputs come first in a topological order
        depth[node] = 1 + max((depth[i] for i in inputs(node)), default=-1)
    columns: list[list[Any]] = [[] for _ in range(max(depth.values()) + 1)]
    for node in order:
        columns[depth[node]].append(node)
    # Barycenter sweeps: order each column by the mean row of its neighbours in other columns.
    outputs: dict[Hashable, list[Any]] = {node: [] for node in order}
    for node in order:
        for i in inputs(node):
            outputs[i].append(node)
    for _ in range(2):
        for sweep, neighbours in ((columns, inputs), (columns[::-1], outputs.__getitem__)):
            row = {n: r for col in columns for r, n in enumerate(col)}
            for col in sweep:
                col.sort(key=lambda n: _mean([row[m] for m in neighbours(n)], row[n]))
                row.update({n: r for r, n in enumerate(col)})
    return columns


def _text_width(text: str, size: float) -> float:
    r"""Width of the widest line of ``text`` at ``size`` points, in data units."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    prop = FontProperties(size=size)  # the family of rcParams, as ax.text uses
    points = max(
        text_to_path.get_text_width_height_descent(line, prop, ismath=False)[0]
        for line in text.split("\n")
    )
    return points / 72 / SCALE


def _extent(columns: list[list[Any]], widths: Sequence[float], gap: float) -> tuple[float, float]:
    r"""Width and height of the drawing, in data units (``widths``: of each column's boxes)."""
    tallest = max(len(c) for c in columns)
    return sum(widths) + gap * (len(columns) - 1), tallest * (BOX_H + GAP_Y) - GAP_Y


def _mean(xs: list[int], default: int) -> float:
    return sum(xs) / len(xs) if xs else float(default)


Point = tuple[float, float]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def _crosses(a: Point, b: Point, box: Box) -> bool:
    r"""Whether the segment from ``a`` to ``b`` passes through the inside of ``box``
    (Liang–Barsky clipping: the part of the segment inside each slab, intersected)."""
    t0, t1 = 0.0, 1.0
    for p, d, low, high in (
        (a[0], b[0] - a[0], box[0], box[2]),
        (a[1], b[1] - a[1], box[1], box[3]),
    ):
        if d == 0:
            if not low < p < high:
                return False
            continue
        lo, hi = sorted(((low - p) / d, (high - p) / d))
        t0, t1 = max(t0, lo), min(t1, hi)
    return t0 < t1


def _route(start: Point, end: Point, between: Sequence[Box]) -> list[Point]:
    r"""The points an arrow from ``start`` to ``end`` passes through, avoiding the boxes of the
    columns it skips (``between``, left to right in one band ``[x0, x1]``).

    The straight line when it is free. Otherwise the arrow crosses the skipped columns along one
    row at height $h$: $\text{start} \to (x_0, h) \to (x_1, h) \to \text{end}$, the diagonals in
    the gaps between columns. $h$ is the free height (a box's edge plus half a row gap, or the
    height of either end) nearest to both ends, the gentler of two equally near.
    """
    if not any(_crosses(start, end, box) for box in between):
        return [start, end]
    x0, x1 = min(b[0] for b in between), max(b[2] for b in between)
    heights = [start[1], end[1]]
    heights += [h for b in between for h in (b[1] - GAP_Y / 2, b[3] + GAP_Y / 2)]
    free = [h for h in heights if not any(_crosses((x0, h), (x1, h), b) for b in between)]
    h = min(
        free,
        key=lambda h: (
            abs(h - start[1]) + abs(h - end[1]),
            max(abs(h - start[1]), abs(h - end[1])),
            h,
        ),
    )
    return [start, (x0, h), (x1, h), end]


class _Graph(NamedTuple):
    r"""What the drawing needs to know about a graph, whatever recorded it."""

    order: list[Any]  # topological order: inputs first
    inputs: Callable[[Any], Sequence[Any]]
    text: Callable[[Any], str]  # the lines in a node's box
    color: Callable[[Any], str]
    edge_text: Callable[[Any, int], str] | None = None  # label of the k-th input's arrow

    def columns(self) -> list[list[Any]]:
        return _layers(self.order, self.inputs)

    def box_widths(self) -> list[float]:
        r"""Width of each column's boxes: its widest text plus the margins, in data units."""
        return [
            max([MIN_BOX_W] + [_text_width(self.text(n), NODE_FONT) + 2 * PAD_X for n in col])
            for col in self.columns()
        ]


def _figure(
    graphs: Sequence[_Graph],
    titles: Sequence[str | None],
    widths: Sequence[Sequence[float]],
    gap: float,
    stacked: bool = False,
) -> tuple[Any, list[Any]]:
    """A figure with one axes per graph (in a row, or stacked), one data unit = SCALE inches.

    ``widths[k]`` are the box widths of the columns of ``graphs[k]``, ``gap`` the space between
    columns."""
    import matplotlib.pyplot as plt

    sizes = [_extent(g.columns(), w, gap) for g, w in zip(graphs, widths, strict=True)]
    pad = 0.5 if any(titles) else 0.2
    if stacked:
        width = max(w for w, _ in sizes) * SCALE + 0.2
        height = sum(h * SCALE + pad for _, h in sizes)
        fig, axes = plt.subplots(
            len(graphs),
            1,
            figsize=(width, height),
            height_ratios=[h for _, h in sizes],
            squeeze=False,
            layout="constrained",  # the axes fill the figure: no default margins
        )
    else:
        width = sum(w for w, _ in sizes) * SCALE + 0.3 * len(graphs)
        height = max(h for _, h in sizes) * SCALE + pad
        fig, axes = plt.subplots(
            1,
            len(graphs),
            figsize=(width, height),
            width_ratios=[w for w, _ in sizes],
            squeeze=False,
            layout="constrained",  # the axes fill the figure: no default margins
        )
    return fig, list(axes.flat)


def _draw(
    graph: _Graph,
    ax: Any,
    title: str | None,
    gap: float,
    widths: Sequence[float] | None = None,
) -> Any:
    r"""Lay out the graph in columns ``gap`` apart and draw boxes and arrows on ``ax``.

    ``widths``: the box width of each column; by default each column's own
    (``graph.box_widths()``)."""
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
    from matplotlib.path import Path

    columns = graph.columns()
    widths = graph.box_widths() if widths is None else widths
    width, height = _extent(columns, widths, gap)
    pos: dict[Hashable, tuple[float, float]] = {}
    column: dict[Hashable, int] = {}
    left = 0.0  # of the current column
    for c, col in enumerate(columns):
        top = (height + len(col) * (BOX_H + GAP_Y) - GAP_Y) / 2  # centre the column vertically
        for r, node in enumerate(col):
            pos[node] = (left + widths[c] / 2, top - r * (BOX_H + GAP_Y) - BOX_H / 2)
            column[node] = c
        left += widths[c] + gap

    def node_box(n: Hashable) -> Box:
        half = widths[column[n]] / 2
        return (pos[n][0] - half, pos[n][1] - BOX_H / 2, pos[n][0] + half, pos[n][1] + BOX_H / 2)

    for node in graph.order:
        x, y = pos[node]
        box = node_box(node)
        style = "round,pad=0,rounding_size=0.15"
        ax.add_patch(
            FancyBboxPatch(
                box[:2], box[2] - box[0], BOX_H, boxstyle=style, fc=graph.color(node), ec="0.25"
            )
        )
        ax.text(
            x, y, graph.text(node), ha="center", va="center", fontsize=NODE_FONT, linespacing=1.25
        )
        for k, i in enumerate(graph.inputs(node)):
            start, end = (node_box(i)[2], pos[i][1]), (box[0], y)
            skipped = [node_box(n) for n in graph.order if column[i] < column[n] < column[node]]
            points = _route(start, end, skipped)
            arrow = FancyArrowPatch(
                path=Path(points), arrowstyle="-|>", mutation_scale=9, color="0.3"
            )
            ax.add_patch(arrow)
            if graph.edge_text is not None:  # the label sits in the middle of the arrow
                a, b = points[len(points) // 2 - 1], points[len(points) // 2]
                middle = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
                backing = {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"}
                label = graph.edge_text(node, k)
                ax.text(
                    *middle,
                    label,
                    ha="center",
                    va="center",
                    fontsize=EDGE_FONT,
                    c="#a33",
                    bbox=backing,
                )
    ax.set_xlim(-0.05, width + 0.05)
    ax.set_ylim(-0.05, height + 0.05)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=TITLE_FONT)
    return ax.figure


def _value_graph(root: Value, show_grad: bool, show_local: bool) -> _Graph:
    def text(v: Value) -> str:
        op = OP_NAMES.get(v._op, v._op)
        name = f"{v.label}  ({op})" if v.label and op else (v.label or op or "const")
        lines = [name, f"data {_number(v.data)}"]
        if show_grad:
            lines.append(f"grad {_number(v.grad)}")
        return "\n".join(lines)

    def edge(v: Value, k: int) -> str:
        return _number(v._local[k])

    return _Graph(
        root.topological_order(),
        lambda v: v._prev,
        text,
        lambda v: "#f7f7f7" if v._prev else "#dbe6f6",  # leaves shaded blue
        edge if show_local else None,
    )


def _torch_graph(output: Any, names: Mapping[str, Any] | None) -> _Graph:
    fn = getattr(output, "grad_fn", None)
    if fn is None:
        raise ValueError("output has no grad_fn: it is a leaf or was computed without grad")
    label = {id(t): n for n, t in (names or {}).items()}

    def inputs(f: Any) -> list[Any]:
        return [g for g, _ in f.next_functions if g is not None]

    # The same iterative post-order search as Value.topological_order.
    order: list[Any] = []
    seen: set[Any] = set()
    stack: list[tuple[Any, bool]] = [(fn, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((g, False) for g in reversed(inputs(node)) if g not in seen)

    def text(f: Any) -> str:
        var = getattr(f, "variable", None)  # only AccumulateGrad nodes hold a tensor
        if var is None:
            return type(f).__name__
        name = label.get(id(var), "leaf")
        if var.numel() != 1:
            return f"AccumulateGrad\n{name}: shape {tuple(var.shape)}"
        grad = "None" if var.grad is None else _number(var.grad.item())
        return f"AccumulateGrad\n{name}: data {_number(var.item())}\ngrad {grad}"

    return _Graph(order, inputs, text, lambda f: "#dbe6f6" if hasattr(f, "variable") else "#fdf1dc")


def _own_axes(graph: _Graph, title: str | None, gap: float) -> Any:
    r"""The axes of a new figure sized to ``graph``."""
    return _figure([graph], [title], [graph.box_widths()], gap)[1][0]


def draw_graph(
    root: Value,
    *,
    ax: Any = None,
    show_grad: bool = True,
    show_local: bool = False,
    title: str | None = None,
) -> Any:
    r"""Draw the computation graph of a [`Value`][dlref.autograd.Value]: operation, value, gradient.

    Each node is a box with its label and operation (``×`` for ``*``), its ``data`` and its
    ``grad``; leaves are shaded. An arrow goes from each input to the node computed from it; with
    ``show_local=True`` it carries the local derivative $\partial\,\mathrm{node} /
    \partial\,\mathrm{input}$ that [`backward`][dlref.autograd.Value.backward] multiplies by.

    Parameters
    ----------
    root : Value
        The output; everything it depends on is drawn.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure sized to the graph.
    show_grad : bool, default True
        Print ``grad`` in each node.
    show_local : bool, default False
        Print the local derivative on each arrow.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure
        The figure that holds the drawing, for
        [`dlref.viz.figure_html`][dlref.viz.figure_html].

    See Also
    --------
    draw_torch_graph : the same for a PyTorch tensor's ``grad_fn`` graph.

    Examples
    --------
    >>> import dlref.viz
    >>> from dlref.autograd import Value, draw_graph
    >>> x, w = Value(2.0, "x"), Value(1.0, "w")
    >>> loss = (x * w - 4.0) ** 2
    >>> loss.backward()
    >>> html = dlref.viz.figure_html(draw_graph(loss), alt="计算图", caption="损失的计算图")
    >>> "grad −8" in html  # w's box (negative numbers with the minus sign)
    True
    """
    graph = _value_graph(root, show_grad, show_local)
    gap = GAP_X_LABELLED
    return _draw(graph, _own_axes(graph, title, gap) if ax is None else ax, title, gap)


def draw_torch_graph(
    output: Any,
    *,
    names: Mapping[str, Any] | None = None,
    ax: Any = None,
    title: str | None = None,
) -> Any:
    r"""Draw the backward graph PyTorch recorded for ``output``, laid out like ``draw_graph``.

    The nodes are ``output.grad_fn`` and every function reachable through ``next_functions``
    (``MulBackward0``, ``PowBackward0``, ...). A leaf tensor that requires grad appears as an
    ``AccumulateGrad`` node, the step that adds into its ``.grad``; its value and ``.grad`` are
    shown. Tensors that do not require grad are not in PyTorch's graph at all. PyTorch stores
    the edges pointing backward; they are drawn forward here, inputs on the left, to compare
    with [`draw_graph`][dlref.autograd.draw_graph].

    Parameters
    ----------
    output : torch.Tensor
        A tensor with a ``grad_fn`` (the result of operations on tensors that require grad).
    names : mapping of str to torch.Tensor, optional
        Names for leaf tensors, shown in their ``AccumulateGrad`` boxes.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure sized to the graph.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``output`` has no ``grad_fn`` (a leaf, or computed without grad).

    See Also
    --------
    torchviz.make_dot : draws the same graph with graphviz.

    Examples
    --------
    >>> import torch
    >>> import dlref.viz
    >>> from dlref.autograd import draw_torch_graph
    >>> w = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    >>> loss = (2.0 * w - 4.0) ** 2
    >>> fig = draw_torch_graph(loss, names={"w": w})
    >>> "PowBackward0" in dlref.viz.figure_html(fig, alt="图", caption="PyTorch 的图")
    True
    """
    graph = _torch_graph(output, names)
    return _draw(graph, _own_axes(graph, title, GAP_X) if ax is None else ax, title, GAP_X)


def draw_side_by_side(
    root: Value,
    output: Any,
    *,
    names: Mapping[str, Any] | None = None,
    titles: tuple[str, str] = ("dlref.autograd", "PyTorch (grad_fn)"),
    stacked: bool = False,
) -> Any:
    r"""Draw a [`Value`][dlref.autograd.Value] graph and PyTorch's graph of the same expression.

    Parameters
    ----------
    root : Value
        Output of the expression computed with [`Value`][dlref.autograd.Value].
    output : torch.Tensor
        Output of the same expression computed with tensors.
    names : mapping of str to torch.Tensor, optional
        Names of PyTorch's leaf tensors (see [`draw_torch_graph`][dlref.autograd.draw_torch_graph]).
    titles : tuple of str
        Titles of the two panels.
    stacked : bool, default False
        Put PyTorch's graph below instead of to the right (larger text on a narrow page).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import torch
    >>> from dlref.autograd import Value, draw_side_by_side
    >>> w = Value(1.0, "w")
    >>> wt = torch.tensor(1.0, requires_grad=True)
    >>> fig = draw_side_by_side((2.0 * w).tanh(), (2.0 * wt).tanh(), names={"w": wt})
    >>> len(fig.axes)
    2
    """
    graphs = [_value_graph(root, True, False), _torch_graph(output, names)]
    # Column c of both graphs gets the same width, the wider of the two: stacked, the columns
    # line up; in a row, the boxes of one depth have one size.
    own = [g.box_widths() for g in graphs]
    shared = [max(w[c] for w in own if c < len(w)) for c in range(max(len(w) for w in own))]
    widths = [shared[: len(w)] for w in own]
    fig, axes = _figure(graphs, titles, widths, GAP_X, stacked)
    for graph, ax, title, w in zip(graphs, axes, titles, widths, strict=True):
        _draw(graph, ax, title, GAP_X, w)
    return fig
