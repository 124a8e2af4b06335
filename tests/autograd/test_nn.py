"""dlref.autograd.nn: the MLP's gradients against torch, and training on two moons."""

from __future__ import annotations

import random

import pytest
import torch

from dlref.autograd import MLP, Layer, Neuron, Value
from dlref.data import make_moons


def _hinge(model: MLP, points: list[list[float]], y: list[int]) -> Value:
    losses = [(1.0 - yi * model(xi)[0]).relu() for xi, yi in zip(points, y, strict=True)]
    return sum(losses, Value(0.0)) / len(losses)


def test_parameter_counts_and_shapes() -> None:
    model = MLP(3, [4, 5, 2])
    assert len(model.parameters()) == (3 * 4 + 4) + (4 * 5 + 5) + (5 * 2 + 2)
    assert [len(layer.neurons) for layer in model.layers] == [4, 5, 2]
    assert [n.nonlin for layer in model.layers for n in layer.neurons[:1]] == [True, True, False]
    assert len(model([0.1, 0.2, 0.3])) == 2
    assert len(Layer(2, 3).parameters()) == 9


def test_init_range_and_seed() -> None:
    a, b, c = MLP(4, [8, 1], seed=1), MLP(4, [8, 1], seed=1), MLP(4, [8, 1], seed=2)
    data = [p.data for p in a.parameters()]
    assert data == [p.data for p in b.parameters()]
    assert data != [p.data for p in c.parameters()]
    assert all(abs(w) <= 0.5 for w in data[:40])  # first layer: 1/sqrt(4)


def test_mlp_gradients_match_torch() -> None:
    X, y = make_moons(12, noise=0.2, seed=3)
    model = MLP(2, [5, 4, 1], seed=3)
    loss = _hinge(model, X, y)
    loss.backward()
    # The same network with torch tensors holding the same weights.
    layers = []
    for layer in model.layers:
        W = torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64)
        b = torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64)
        layers.append((W.requires_grad_(), b.requires_grad_()))
    h = torch.tensor(X, dtype=torch.float64)
    for k, (W, b) in enumerate(layers):
        h = h @ W.T + b
        h = h.tanh() if k < len(layers) - 1 else h
    ref = torch.relu(1.0 - torch.tensor(y, dtype=torch.float64) * h[:, 0]).mean()
    ref.backward()
    assert loss.data == pytest.approx(ref.item(), rel=1e-12)
    for layer, (W, b) in zip(model.layers, layers, strict=True):
        assert W.grad is not None and b.grad is not None
        ours_W = torch.tensor([[w.grad for w in n.w] for n in layer.neurons], dtype=torch.float64)
        ours_b = torch.tensor([n.b.grad for n in layer.neurons], dtype=torch.float64)
        torch.testing.assert_close(ours_W, W.grad, rtol=1e-10, atol=1e-12)
        torch.testing.assert_close(ours_b, b.grad, rtol=1e-10, atol=1e-12)


def test_training_reduces_loss_and_fits() -> None:
    X, y = make_moons(40, noise=0.1, seed=0)
    model = MLP(2, [8, 8, 1], seed=0)
    losses = []
    for _ in range(25):
        loss = _hinge(model, X, y)
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.3 * p.grad
        losses.append(loss.data)
    assert losses[-1] < 0.5 * losses[0]
    accuracy = sum((model(xi)[0].data > 0) == (yi > 0) for xi, yi in zip(X, y, strict=True))
    assert accuracy / len(y) >= 0.8


def test_zero_grad_on_parameters() -> None:
    model = MLP(2, [3, 1])
    model([1.0, 2.0])[0].backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_errors() -> None:
    with pytest.raises(ValueError, match="at least one input"):
        Neuron(0)
    with pytest.raises(ValueError, match="expected 2 inputs, got 3"):
        Neuron(2, rng=random.Random(0))([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="expected 2 inputs, got 1"):
        MLP(2, [3, 1])([1.0])
    with pytest.raises(ValueError, match=r"a layer needs at least one neuron, got nout=0"):
        Layer(2, 0)


@pytest.mark.parametrize("nouts", [[], [0, 1], [4, 0], [3, -1], [2.0, 1], (), 8, [True]])
def test_mlp_needs_positive_widths(nouts: object) -> None:
    """Not a network without parameters, nor an error that blames the next layer."""
    with pytest.raises(ValueError, match=r"nouts must be a non-empty sequence of positive ints"):
        MLP(2, nouts)  # type: ignore[arg-type]


def test_mlp_takes_numpy_integer_widths() -> None:
    import numpy as np

    model = MLP(2, [np.int64(3), 1])  # type: ignore[list-item]
    assert [len(layer.neurons) for layer in model.layers] == [3, 1]
