r"""A scalar reverse-mode automatic differentiation engine, in the spirit of micrograd.

讲解见站点页面「反向传播」 docs/basics/backpropagation.md.

Every operation on a ``Value`` creates a new node that remembers its inputs and the
*local derivatives* of its output with respect to each input, computed during the forward pass.
``Value.backward`` then visits the graph once, from the output back to the leaves, and
applies the chain rule: a node passes ``local derivative * its own gradient`` to each input, and
an input used several times adds up what it receives.
"""

from __future__ import annotations

import math
import sys

__all__ = ["Value"]

Number = int | float

# The largest x whose e**x is a finite float: log(1.797...e308) = 709.78...
_EXP_MAX = math.log(sys.float_info.max)


class Value:
    r"""A scalar that records the operations applied to it, for reverse-mode differentiation.

    Arithmetic (``+ - * /``, also with a number on the left; ``**`` with a number exponent;
    unary ``-``) and the methods
    [`exp`][dlref.autograd.Value.exp], [`log`][dlref.autograd.Value.log],
    [`tanh`][dlref.autograd.Value.tanh], [`sigmoid`][dlref.autograd.Value.sigmoid],
    [`relu`][dlref.autograd.Value.relu] each return a new ``Value`` that stores its inputs and
    the local derivatives $\partial\,\mathrm{out} / \partial\,\mathrm{input}$:

    | operation | local derivatives |
    | --- | --- |
    | $a + b$, $a - b$ | $1$, $\pm 1$ |
    | $a \cdot b$ | $b$, $a$ |
    | $a / b$ | $1/b$, $-a/b^2$ |
    | $a^n$ | $n a^{n-1}$ |
    | $e^a$, $\log a$ | $e^a$, $1/a$ |
    | $\tanh a$, $\sigma(a)$ | $1 - \tanh^2 a$, $\sigma(a)(1 - \sigma(a))$ |
    | $\max(a, 0)$ | $1$ if $a > 0$ else $0$ (as PyTorch) |

    Parameters
    ----------
    data : int or float
        The value, stored as a finite Python float.
    label : str, default ""
        A name shown when the graph is drawn
        ([`draw_graph`][dlref.autograd.draw_graph]).

    Attributes
    ----------
    data : float
        The value computed by the forward pass.
    grad : float
        $\partial L / \partial\,\mathrm{self}$ accumulated by
        [`backward`][dlref.autograd.Value.backward] (0.0 at first).

    Raises
    ------
    TypeError
        If ``data`` is not a real number, an operand is not a number or a ``Value``, or an
        exponent is not a number.
    ValueError
        If ``data`` is NaN or infinite (also when an operation overflows) or, for ``/``, ``**``
        and ``log``, a local derivative is (``1 / x`` for a tiny ``x``); for ``log`` of a
        non-positive number, or a negative number to a fractional power.
    ZeroDivisionError
        For a division by zero, or ``0 ** n`` with ``n < 1``, ``n != 0`` (infinite value or
        derivative).
    OverflowError
        For ``exp`` of a number above $\log(\text{largest float}) \approx 709.78$, or an ``int``
        (``data`` or an operand) too large for a float.

    See Also
    --------
    torch.Tensor.backward : PyTorch's reverse mode, on tensors.

    Examples
    --------
    >>> from dlref.autograd import Value
    >>> x, w, y = Value(2.0), Value(1.0), Value(4.0)
    >>> loss = (x * w - y) ** 2
    >>> loss.backward()
    >>> loss.data, w.grad, x.grad
    (4.0, -8.0, -4.0)
    """

    # No per-instance __dict__: a node is six slots, and a graph has many nodes.
    __slots__ = ("_local", "_op", "_prev", "data", "grad", "label")

    def __init__(
        self,
        data: Number,
        label: str = "",
        _prev: tuple[Value, ...] = (),
        _local: tuple[float, ...] = (),
        _op: str = "",
    ) -> None:
        if data.__class__ is not float:  # the operations below always pass a float: fast path
            if not isinstance(data, (int, float)):
                kind = type(data).__name__  # type: ignore[unreachable]  # not per the hints
                raise TypeError(f"Value holds a real number (int or float), got {kind}")
            data = float(data)
        if not math.isfinite(data):
            raise ValueError(f"Value must be finite, got {data} (an overflow or an invalid input)")
        self.data = data
        self.grad = 0.0
        self.label = label
        self._prev = _prev  # the inputs this value was computed from
        self._local = _local  # d self / d input, one per input, filled in by the forward pass
        self._op = _op  # the operation's name, for drawing and repr

    def __repr__(self) -> str:
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    # ---- arithmetic: each line is the forward value and its local derivatives ------------------
    # ``/``, ``**`` and ``log`` can have an infinite local derivative where the value is finite
    # (1 / x near x = 0): they build their node with _checked, which refuses it.

    def __add__(self, other: Value | Number) -> Value:
        other = _wrap(other)
        return Value(self.data + other.data, "", (self, other), (1.0, 1.0), "+")

    def __sub__(self, other: Value | Number) -> Value:
        other = _wrap(other)
        return Value(self.data - other.data, "", (self, other), (1.0, -1.0), "-")

    def __mul__(self, other: Value | Number) -> Value:
        other = _wrap(other)
        return Value(self.data * other.data, "", (self, other), (other.data, self.data), "*")

    def __truediv__(self, other: Value | Number) -> Value:
        other = _wrap(other)
        a, b = self.data, other.data
        if b == 0.0:
            raise ZeroDivisionError(f"division by a Value equal to zero ({a:g} / 0)")
        # -(a / b) / b, not -a / (b * b): b * b underflows, to 0.0 for |b| < 1.5e-162
        return _checked(a / b, (self, other), (1.0 / b, -(a / b) / b), "/")

    def __pow__(self, n: Number) -> Value:
        if not isinstance(n, (int, float)):  # Value ** Value is not supported
            raise TypeError(f"the exponent must be an int or float, got {type(n).__name__}")
        x = self.data
        if x == 0.0 and n < 1 and n != 0:  # x**n or its derivative n*x**(n-1) is infinite
            raise ZeroDivisionError(f"0 ** {n}: the value or its derivative is infinite")
        if x < 0.0 and not float(n).is_integer():
            raise ValueError(f"a negative number ({x:g}) to a fractional power ({n}) is complex")
        try:  # float ** raises OverflowError where * and / return inf
            out, local = x**n, float(n * x ** (n - 1) if n != 0 else 0.0)
        except OverflowError:
            msg = f"{x:g} ** {n}: the value or its derivative overflows, a Value must be finite"
            raise ValueError(msg) from None
        return _checked(out, (self,), (local,), f"**{n:g}")

    def __neg__(self) -> Value:
        return Value(-self.data, "", (self,), (-1.0,), "neg")

    # A number on the left (2 * x, 1 - x, ...): Python asks the Value.
    def __radd__(self, other: Number) -> Value:
        return _wrap(other) + self

    def __rsub__(self, other: Number) -> Value:
        return _wrap(other) - self

    def __rmul__(self, other: Number) -> Value:
        return _wrap(other) * self

    def __rtruediv__(self, other: Number) -> Value:
        return _wrap(other) / self

    # ---- functions ----------------------------------------------------------------------------

    def exp(self) -> Value:
        r"""$e^x$, local derivative $e^x$ (the output itself)."""
        if self.data > _EXP_MAX:
            raise OverflowError(f"exp({self.data:g}) overflows a float (limit {_EXP_MAX:.6g})")
        e = math.exp(self.data)
        return Value(e, "", (self,), (e,), "exp")

    def log(self) -> Value:
        r"""Natural logarithm $\log x$, local derivative $1/x$; needs $x > 0$."""
        if self.data <= 0.0:
            raise ValueError(f"log needs a positive input, got {self.data:g}")
        return _checked(math.log(self.data), (self,), (1.0 / self.data,), "log")

    def tanh(self) -> Value:
        r"""$\tanh x$, local derivative $1 - \tanh^2 x$."""
        t = math.tanh(self.data)
        return Value(t, "", (self,), (1.0 - t * t,), "tanh")

    def sigmoid(self) -> Value:
        r"""$\sigma(x) = 1/(1 + e^{-x})$, local derivative $\sigma(x)(1 - \sigma(x))$."""
        x = self.data  # exp of a non-positive number only: no overflow for any x
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        return Value(s, "", (self,), (s * (1.0 - s),), "sigmoid")

    def relu(self) -> Value:
        r"""$\max(x, 0)$, local derivative $1$ for $x > 0$, else $0$ (PyTorch's choice at 0)."""
        return Value(max(self.data, 0.0), "", (self,), (float(self.data > 0),), "relu")

    # ---- the backward pass --------------------------------------------------------------------

    def topological_order(self) -> list[Value]:
        r"""Every node this value depends on, inputs before the nodes computed from them.

        An iterative depth-first search (an explicit stack instead of recursion), so a chain of
        any length works: a recursive search stops at Python's recursion limit (~1000).

        Returns
        -------
        list of Value
            Each node once, ``self`` last.
        """
        order: list[Value] = []
        seen: set[Value] = set()
        stack: list[tuple[Value, bool]] = [(self, False)]
        while stack:
            node, inputs_done = stack.pop()
            if inputs_done:  # second visit: all its inputs are already in `order`
                order.append(node)
            elif node not in seen:  # first visit: come back to it after its inputs
                seen.add(node)
                stack.append((node, True))
                # reversed: the first input is popped first, so inputs keep their order. A plain
                # loop: a generator expression here cost a generator object per node, about a
                # fifth of the whole backward pass in a profile of the MLP training step.
                for child in reversed(node._prev):
                    if child not in seen:
                        stack.append((child, False))
        return order

    def backward(self) -> None:
        r"""Add $\partial\,\mathrm{self} / \partial v$ to ``v.grad`` for every node $v$.

        Visits the nodes in reverse topological order, so a node's gradient is complete (all
        the paths through it summed) before it is passed on. By the chain rule,

        $$
        \frac{\partial L}{\partial x} = \sum_{u\,:\,x \to u}
            \frac{\partial L}{\partial u}\,\frac{\partial u}{\partial x}.
        $$

        Gradients *accumulate* across calls, as ``.grad`` does in PyTorch: call
        [`zero_grad`][dlref.autograd.Value.zero_grad] between steps.

        Examples
        --------
        >>> from dlref.autograd import Value
        >>> x = Value(3.0)
        >>> y = x * x + x  # x is used three times: the three paths add up
        >>> y.backward()
        >>> x.grad  # 2x + 1
        7.0
        >>> y.backward()  # a second call accumulates
        >>> x.grad
        14.0
        """
        order = self.topological_order()
        upstream: dict[Value, float] = {self: 1.0}  # d self / d node, in this call only
        for node in reversed(order):
            g = upstream.pop(node)  # complete: every node computed from it came before
            node.grad += g
            # Not zip(..., strict=True): on CPython 3.11 a keyword argument costs every call of
            # zip a dict of keyword arguments (close to twice the time of a positional call,
            # zip_call_ns in bench/autograd.json), once per node. On the MLP training step of
            # bench/bench_autograd.py that was over a fifth of backward() (mlp_step's
            # same_graph_backward_before_s against same_graph_backward_s there). The lengths
            # match anyway: each operation stores one local derivative per input (the tests
            # check it on random graphs).
            for child, local in zip(node._prev, node._local):  # noqa: B905
                upstream[child] = upstream.get(child, 0.0) + local * g

    def zero_grad(self) -> None:
        r"""Set ``grad`` to 0.0 on this value and every node it depends on."""
        for node in self.topological_order():
            node.grad = 0.0


def _checked(data: float, prev: tuple[Value, ...], local: tuple[float, ...], op: str) -> Value:
    r"""``Value(data, "", prev, local, op)``, or a ValueError if a number in it is not finite.

    An infinite local derivative would only show up later, as inf or NaN gradients after
    ``backward``; refusing it here names the operation and its inputs.
    """
    if not all(math.isfinite(d) for d in (data, *local)):
        inputs = ", ".join(f"{v.data:g}" for v in prev)
        derivatives = ", ".join(f"{d:g}" for d in local)
        raise ValueError(
            f"{op!r} of ({inputs}) gives value {data:g} and local derivatives ({derivatives}): "
            "a Value and its local derivatives must be finite (a float overflowed)"
        )
    return Value(data, "", prev, local, op)


def _wrap(x: Value | Number) -> Value:
    r"""A number becomes a constant leaf; anything else that is not a Value is an error."""
    if isinstance(x, Value):
        return x
    if isinstance(x, (int, float)):
        return Value(x)
    raise TypeError(f"cannot combine a Value with {type(x).__name__}")
