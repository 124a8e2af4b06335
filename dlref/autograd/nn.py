r"""A multilayer perceptron built from ``Value`` scalars.

讲解见站点页面「反向传播」 docs/basics/backpropagation.md.

The same structure as `torch.nn`, scalar by scalar: a ``Neuron`` computes
$\phi(w \cdot x + b)$, a ``Layer`` is a list of neurons, an ``MLP`` a list of layers;
each lists its ``parameters`` and can ``zero_grad`` them.
"""

from __future__ import annotations

import math
import operator
import random
from collections.abc import Sequence

from dlref.autograd.engine import Number, Value


def _is_positive_int(k: object) -> bool:
    """An integer >= 1: an int or a NumPy integer, not a bool (True is an int in Python)."""
    if isinstance(k, bool):
        return False
    try:
        return operator.index(k) >= 1  # type: ignore[arg-type]  # int, np.int64, ...; not 2.0
    except TypeError:
        return False


class Module:
    r"""Base class: something with parameters (``Value`` leaves) to train.

    See Also
    --------
    torch.nn.Module : ``parameters()`` and ``zero_grad()`` there too.
    """

    def parameters(self) -> list[Value]:
        r"""The trainable ``Value`` leaves, in a fixed order."""
        return []

    def zero_grad(self) -> None:
        r"""Set every parameter's ``grad`` to 0.0 (PyTorch: ``module.zero_grad()``, which sets
        it to ``None`` by default)."""
        for p in self.parameters():
            p.grad = 0.0


class Neuron(Module):
    r"""One neuron: $\tanh(w \cdot x + b)$, or $w \cdot x + b$ when ``nonlin=False``.

    Weights and bias start uniform in $[-1/\sqrt{n_{in}}, 1/\sqrt{n_{in}}]$, the range
    `torch.nn.Linear` uses.

    Parameters
    ----------
    nin : int
        Number of inputs, at least 1.
    nonlin : bool, default True
        Apply $\tanh$ to the weighted sum.
    rng : random.Random, optional
        Source of the initial weights; ``random.Random(0)`` if omitted (reproducible).

    Raises
    ------
    ValueError
        If ``nin < 1``, or when called with a number of inputs other than ``nin``.

    See Also
    --------
    torch.nn.Linear : a layer of such neurons, without the activation.

    Examples
    --------
    >>> import random
    >>> from dlref.autograd import Neuron
    >>> n = Neuron(2, rng=random.Random(0))
    >>> len(n.parameters())
    3
    >>> -1.0 < n([1.0, -2.0]).data < 1.0
    True
    """

    def __init__(self, nin: int, nonlin: bool = True, *, rng: random.Random | None = None) -> None:
        if nin < 1:
            raise ValueError(f"a neuron needs at least one input, got nin={nin}")
        rng = rng if rng is not None else random.Random(0)
        bound = 1.0 / math.sqrt(nin)
        self.w = [Value(rng.uniform(-bound, bound), f"w{i}") for i in range(nin)]
        self.b = Value(rng.uniform(-bound, bound), "b")
        self.nonlin = nonlin

    def __call__(self, x: Sequence[Value | Number]) -> Value:
        if len(x) != len(self.w):
            raise ValueError(f"expected {len(self.w)} inputs, got {len(x)}")
        act = self.b
        for wi, xi in zip(self.w, x, strict=True):
            act = act + wi * xi
        return act.tanh() if self.nonlin else act

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]


class Layer(Module):
    r"""``nout`` neurons that read the same ``nin`` inputs (a fully connected layer).

    Parameters
    ----------
    nin, nout : int
        Number of inputs and of neurons (outputs).
    nonlin : bool, default True
        Whether the neurons apply $\tanh$.
    rng : random.Random, optional
        Source of the initial weights.

    Raises
    ------
    ValueError
        If ``nin < 1`` or ``nout < 1``.

    See Also
    --------
    torch.nn.Linear : the same layer on tensors (followed by ``torch.tanh``).
    """

    def __init__(
        self, nin: int, nout: int, nonlin: bool = True, *, rng: random.Random | None = None
    ) -> None:
        if nout < 1:
            raise ValueError(f"a layer needs at least one neuron, got nout={nout}")
        rng = rng if rng is not None else random.Random(0)
        self.neurons = [Neuron(nin, nonlin, rng=rng) for _ in range(nout)]

    def __call__(self, x: Sequence[Value | Number]) -> list[Value]:
        return [n(x) for n in self.neurons]

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]


class MLP(Module):
    r"""A multilayer perceptron: $\tanh$ hidden layers and a linear output layer.

    Parameters
    ----------
    nin : int
        Number of inputs, at least 1.
    nouts : sequence of int
        The width of each layer, each at least 1, at least one layer; the last one is the
        output layer (no $\tanh$).
    seed : int, default 0
        Seed of the initial weights.

    Raises
    ------
    ValueError
        If ``nin < 1``, ``nouts`` is not a sequence or is empty, or a width is not a positive
        int; when called with a number of inputs other than ``nin``.

    See Also
    --------
    torch.nn.Sequential : ``Sequential(Linear, Tanh, ..., Linear)`` is the same network.

    Examples
    --------
    >>> from dlref.autograd import MLP
    >>> model = MLP(2, [8, 8, 1])
    >>> len(model.parameters())  # (2*8 + 8) + (8*8 + 8) + (8*1 + 1)
    105
    >>> out = model([0.5, -1.0])
    >>> len(out)
    1
    >>> out[0].backward()
    >>> all(p.grad != 0.0 for p in model.layers[-1].parameters())
    True
    """

    def __init__(self, nin: int, nouts: Sequence[int], *, seed: int = 0) -> None:
        widths = nouts if isinstance(nouts, Sequence) else []  # MLP(2, 8) too: a clear error
        if not widths or not all(_is_positive_int(k) for k in widths):
            raise ValueError(f"nouts must be a non-empty sequence of positive ints, got {nouts!r}")
        rng = random.Random(seed)
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], nonlin=i != last, rng=rng) for i in range(len(nouts))
        ]

    def __call__(self, x: Sequence[Value | Number]) -> list[Value]:
        out: Sequence[Value | Number] = x
        for layer in self.layers:
            out = layer(out)
        return list(out)  # type: ignore[arg-type]  # after one layer, all are Values

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]
