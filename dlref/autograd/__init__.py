"""Backpropagation from scratch: a scalar autograd engine, a tiny neural network library on top,
and drawings of the computation graph.

讲解见站点页面「反向传播」 docs/basics/backpropagation.md.

* ``Value`` (``engine.py``): a scalar that records its computation graph; ``backward()``;
* ``Neuron``, ``Layer``, ``MLP`` (``nn.py``): a multilayer perceptron of Values;
* ``draw_graph``, ``draw_torch_graph`` (``draw.py``): the graph as a figure, no graphviz;
  ``draw_side_by_side``: a ``Value`` graph next to PyTorch's graph of the same expression.
"""

from dlref.autograd.draw import draw_graph, draw_side_by_side, draw_torch_graph
from dlref.autograd.engine import Value
from dlref.autograd.nn import MLP, Layer, Module, Neuron

# The data maker moved to dlref.data; the old name stays so that code written as
# ``from dlref.autograd import make_moons`` keeps working (tests/test_data.py checks that it is
# the same function). Nothing in this repository imports it from here.
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
