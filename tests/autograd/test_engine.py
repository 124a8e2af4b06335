"""dlref.autograd.engine against torch autograd: values and gradients in float64."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from typing import Any

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlref.autograd import Value

TOL = 1e-9

# ---- random expression graphs ------------------------------------------------------------------
# A program is a list of leaves and a list of steps (op, operand indices, exponent). The steps are
# replayed on Value and on float64 tensors; an op whose input is outside its domain (log of a
# non-positive number, division by ~0, ...) is replaced by tanh, the same way for both.

BINARY = ["add", "sub", "mul", "div", "radd", "rsub", "rmul", "rdiv"]
UNARY = ["neg", "exp", "log", "tanh", "sigmoid", "relu", "pow"]
EXPONENTS = [2, 3, -1, 0.5, 1.5, -2.0, 0]


def _apply(op: str, a: Any, b: Any, n: float, c: float) -> Any:
    """One step on either engine: ``a``, ``b`` are nodes, ``c`` a Python number."""
    ops: dict[str, Callable[[], Any]] = {
        "add": lambda: a + b,
        "sub": lambda: a - b,
        "mul": lambda: a * b,
        "div": lambda: a / b,
        "radd": lambda: c + a,
        "rsub": lambda: c - a,
        "rmul": lambda: c * a,
        "rdiv": lambda: c / a,
        "neg": lambda: -a,
        "exp": lambda: a.exp(),
        "log": lambda: a.log(),
        "tanh": lambda: a.tanh(),
        "sigmoid": lambda: a.sigmoid(),
        "relu": lambda: a.relu(),
        "pow": lambda: a**n,
    }
    return ops[op]()


def _safe(op: str, a: float, b: float, n: float) -> str:
    """The op actually applied: out-of-domain or exploding steps become tanh."""
    if op == "div" and abs(b) < 0.1:
        return "tanh"
    if op == "rdiv" and abs(a) < 0.1:
        return "tanh"
    if op == "log" and a < 0.1:
        return "tanh"
    if op == "exp" and a > 5:
        return "tanh"
    if op == "pow" and (abs(a) < 0.1 or abs(a) > 10 or (a < 0 and not float(n).is_integer())):
        return "tanh"
    return op


@st.composite
def programs(draw: st.DrawFn) -> tuple[list[float], list[tuple[str, int, int, float, float]]]:
    values = st.floats(-3, 3, allow_nan=False).filter(lambda v: abs(v) > 1e-3)
    leaves = draw(st.lists(values, min_size=1, max_size=4))
    steps = []
    for k in range(draw(st.integers(1, 14))):
        size = len(leaves) + k
        op = draw(st.sampled_from(BINARY + UNARY))
        i, j = draw(st.integers(0, size - 1)), draw(st.integers(0, size - 1))
        steps.append((op, i, j, draw(st.sampled_from(EXPONENTS)), draw(values)))
    return leaves, steps


def _run(leaves: list[float], steps: list[tuple[str, int, int, float, float]]) -> None:
    ours: list[Value] = [Value(v) for v in leaves]
    theirs = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in leaves]
    for op, i, j, n, c in steps:
        op = _safe(op, ours[i].data, ours[j].data, n)
        ours.append(_apply(op, ours[i], ours[j], n, c))
        theirs.append(_apply(op, theirs[i], theirs[j], n, c))
    # The output uses every node once more: reuse everywhere, and every leaf has a gradient.
    out_ours, out_theirs = ours[0], theirs[0]
    for a, b in zip(ours[1:], theirs[1:], strict=True):
        out_ours, out_theirs = out_ours + a.tanh(), out_theirs + b.tanh()
    # backward() zips each node's inputs with its local derivatives without a length check.
    assert all(len(v._prev) == len(v._local) for v in out_ours.topological_order())
    out_ours.backward()
    out_theirs.backward()
    for a, b in zip(ours, theirs, strict=True):
        assert a.data == pytest.approx(b.item(), rel=TOL, abs=TOL)
    for a, b in zip(ours[: len(leaves)], theirs[: len(leaves)], strict=True):
        assert b.grad is not None
        assert a.grad == pytest.approx(b.grad.item(), rel=TOL, abs=TOL)


@settings(max_examples=300, deadline=None)
@given(programs())
def test_random_graphs_match_torch(program: Any) -> None:
    _run(*program)


@pytest.mark.parametrize("op", BINARY + UNARY)
def test_each_op_matches_torch(op: str) -> None:
    for a, b in [(0.7, 1.3), (2.0, -0.5), (1.5, 2.5)]:
        for n in EXPONENTS:
            if _safe(op, a, b, n) == op:
                _run([a, b], [(op, 0, 1, n, -1.25)])


@pytest.mark.parametrize("x", [-800.0, -30.0, -1e-8, 0.0, 1e-8, 30.0, 800.0])
def test_sigmoid_tanh_relu_extremes_match_torch(x: float) -> None:
    for name in ["sigmoid", "tanh", "relu"]:
        v = Value(x)
        out = getattr(v, name)()
        out.backward()
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        ref = getattr(t, name)()
        ref.backward()
        assert t.grad is not None
        assert out.data == pytest.approx(ref.item(), rel=1e-12, abs=1e-300)
        assert v.grad == pytest.approx(t.grad.item(), rel=1e-12, abs=1e-300)


# ---- the worked example and reuse --------------------------------------------------------------


def test_linear_model_example() -> None:
    x, w, y = Value(2.0), Value(1.0), Value(4.0)
    loss = (x * w - y) ** 2
    loss.backward()
    # d/dw (xw - y)^2 = 2 (xw - y) x, d/dx = 2 (xw - y) w, d/dy = -2 (xw - y)
    assert (loss.data, w.grad, x.grad, y.grad) == (4.0, -8.0, -4.0, 4.0)


def test_reused_value_accumulates_over_paths() -> None:
    x = Value(3.0)
    y = x * x * x + x / x - x  # x appears five times
    y.backward()
    assert x.grad == pytest.approx(3 * 3.0**2 - 1)
    a = Value(1.5)
    b = a + a  # both operands are the same node
    b.backward()
    assert a.grad == 2.0


def test_backward_twice_accumulates_like_torch() -> None:
    x = Value(0.3)
    h = (x * 2.0).tanh()  # an intermediate node, so a naive reuse of .grad would be wrong
    out = h * h + h
    out.backward()
    out.backward()
    t = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    ht = (t * 2.0).tanh()
    ref = ht * ht + ht
    ref.backward(retain_graph=True)
    ref.backward()
    assert t.grad is not None
    assert x.grad == pytest.approx(t.grad.item(), rel=1e-12)


def test_backward_from_an_intermediate_node() -> None:
    x = Value(2.0)
    h = x * x
    out = h + 1.0
    h.backward()
    assert (x.grad, h.grad, out.grad) == (4.0, 1.0, 0.0)


def test_zero_grad_resets_the_whole_graph() -> None:
    x, w = Value(2.0), Value(-1.0)
    out = (x * w).exp() + w
    out.backward()
    assert x.grad != 0.0 and w.grad != 0.0
    out.zero_grad()
    assert all(v.grad == 0.0 for v in out.topological_order())
    out.backward()
    first = w.grad
    out.zero_grad()
    out.backward()
    assert w.grad == first


def test_topological_order_puts_inputs_first_once() -> None:
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a  # a reached twice, and through a longer path
    e = d * c
    order = e.topological_order()
    assert len(order) == len(set(order)) == 5
    index = {v: k for k, v in enumerate(order)}
    assert all(index[i] < index[v] for v in order for i in v._prev)
    assert order[-1] is e


# ---- large graphs: no recursion --------------------------------------------------------------


N = 100_000


def test_deep_chain_has_no_recursion_limit() -> None:
    assert sys.getrecursionlimit() * 10 < N  # far beyond what recursion could reach
    x = Value(0.5)
    v = x
    for i in range(N):  # N operations: half add 1, half multiply by c
        v = v * 1.00001 if i % 2 else v + 1.0
    v.backward()
    assert x.grad == pytest.approx(1.00001 ** (N // 2), rel=1e-9)
    assert len(v.topological_order()) == 2 * N + 1  # x, each op and its constant operand


def _tree_sum(values: list[Value]) -> Value:
    """Add pairwise: depth log2(n), width n."""
    while len(values) > 1:
        pairs = [values[k] + values[k + 1] for k in range(0, len(values) - 1, 2)]
        values = pairs + ([values[-1]] if len(values) % 2 else [])
    return values[0]


def test_wide_graph() -> None:
    leaves = [Value(float(k % 7)) for k in range(N)]
    out = _tree_sum([leaf * float(k % 5) for k, leaf in enumerate(leaves)])
    out.backward()
    assert out.data == sum(float(k % 7) * float(k % 5) for k in range(N))
    assert all(leaf.grad == float(k % 5) for k, leaf in enumerate(leaves))


def test_one_value_used_n_times() -> None:
    x = Value(0.25)
    out = _tree_sum([x * float(k) for k in range(N)])
    out.backward()
    assert x.grad == float(sum(range(N)))


# ---- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: Value("1.0"), TypeError, "real number"),  # type: ignore[arg-type]
        (lambda: Value(torch.tensor(1.0)), TypeError, "real number"),  # type: ignore[arg-type]
        (lambda: Value(math.nan), ValueError, "finite"),
        (lambda: Value(math.inf), ValueError, "finite"),
        (lambda: Value(0.0).log(), ValueError, "positive"),
        (lambda: Value(-1.0).log(), ValueError, "positive"),
        (lambda: Value(2.0) ** Value(2.0), TypeError, "exponent"),  # type: ignore[operator]
        (lambda: Value(2.0) ** "2", TypeError, "exponent"),  # type: ignore[operator]
        (lambda: Value(0.0) ** -1, ZeroDivisionError, "infinite"),
        (lambda: Value(0.0) ** 0.5, ZeroDivisionError, "infinite"),
        (lambda: Value(-2.0) ** 0.5, ValueError, "complex"),
        (lambda: Value(1.0) / Value(0.0), ZeroDivisionError, "zero"),
        (lambda: 1.0 / Value(0.0), ZeroDivisionError, "zero"),
        (lambda: Value(1.0) + "a", TypeError, "cannot combine"),  # type: ignore[operator]
        (lambda: Value(1000.0).exp(), OverflowError, "overflows"),
        (lambda: Value(1e200) * 1e200, ValueError, "finite"),
    ],
)
def test_errors(make: Callable[[], Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        make()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        # The value is finite, the local derivative -a / b**2 is not.
        (lambda: Value(1.0) / Value(1e-200), r"'/' of \(1, 1e-200\) gives value 1e\+200"),
        (lambda: 1.0 / Value(1e-170), r"'/' of \(1, 1e-170\)"),
        (lambda: Value(0.0) / Value(5e-324), r"local derivatives \(inf, -0\)"),
        (lambda: Value(1e300) / Value(1e-300), "gives value inf"),
        (lambda: Value(1e200) ** 2, r"1e\+200 \*\* 2: the value or its derivative overflows"),
        (lambda: Value(1e-310) ** -1, r"1e-310 \*\* -1"),
        (lambda: Value(1e-300) ** -0.5, r"1e-300 \*\* -0.5"),  # only the derivative overflows
        (lambda: Value(1.0001) ** 7e6, r"local derivatives \(inf\)"),  # n * x**(n-1) overflows
        (lambda: Value(5e-324).log(), r"'log' of \(4.94066e-324\) gives value -744.44"),
    ],
)
def test_overflow_names_the_operation(make: Callable[[], Value], message: str) -> None:
    """An overflow in the value or a local derivative is a ValueError, not a ZeroDivisionError
    from an underflow inside, an OverflowError from ``**`` or an inf stored for backward."""
    with pytest.raises(ValueError, match="must be finite") as info:
        make()
    assert info.match(message)


def test_division_by_a_tiny_number() -> None:
    """b * b underflows to 0 for |b| < 1.5e-162, but -a / b**2 is finite here."""
    a, b = Value(1e-200), Value(1e-170)
    out = a / b
    out.backward()
    assert out.data == pytest.approx(1e-30, rel=1e-15)
    assert a.grad == pytest.approx(1e170, rel=1e-15)
    assert b.grad == pytest.approx(-1e140, rel=1e-15)


def test_exp_up_to_the_largest_float() -> None:
    limit = math.log(sys.float_info.max)  # 709.78...
    for x in [709.5, limit]:
        v = Value(x)
        out = v.exp()
        out.backward()
        assert out.data == v.grad == math.exp(x)
    with pytest.raises(OverflowError, match="overflows a float"):
        Value(math.nextafter(limit, math.inf)).exp()


def test_edge_values() -> None:
    zero = Value(0.0)
    (zero**0).backward()  # x**0 = 1 everywhere, derivative 0
    assert zero.grad == 0.0
    (zero**2).backward()
    assert zero.grad == 0.0
    neg = Value(-2.0)
    out = neg**3
    out.backward()
    assert (out.data, neg.grad) == (-8.0, 12.0)
    assert repr(Value(1.5)) == "Value(data=1.5, grad=0)"
