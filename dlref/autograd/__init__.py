"""Backpropagation from scratch: a scalar autograd engine, a tiny neural network library on top,
and drawings of the computation graph.

讲解见站点页面「反向传播」 docs/basics/backpropagation.md.

* ``Value`` (``engine.py``): a scalar that records its computation graph; ``backward()``;
* ``Neuron``, ``Layer``, ``MLP`` (``nn.py``): a multilayer perceptron of Values;
* ``draw_graph``, ``draw_torch_graph`` (``draw.py``): the graph as a figure, no graphviz.
"""

from dlref.autograd.draw import draw_graph, draw_side_by_side, draw_torch_graph
from dlref.autograd.engine import Value
from dlref.autograd.nn import MLP, Layer, Module, Neuron

# The data maker lives in dlref.data; this name stays for docs/api/autograd.md and
# bench/bench_autograd.py, which import it from here.
from dlref.data import make_moons

__all__ = [
    "MLP",
    "Layer",
    "Module",
    "Neuron",
    "Value",
    "draw_graph",
    "draw_side_by_side",
    "draw_torch_graph",
    "make_moons",
]
