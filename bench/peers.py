# ruff: noqa: N803, N806  (the book's names: X, X_exp, W_xh)
r"""The readable peers: Dive into Deep Learning's from-scratch code, written as the book writes it.

《动手学深度学习》（Dive into Deep Learning, PyTorch edition, https://d2l.ai, d2l-zh / d2l-en)
implements each model "from scratch" in a few lines of plain tensor operations and lets autograd
derive the backward. Those implementations are what a reader compares a reference
implementation with, so ``make bench`` (``bench/run.py``) times dlref against them as well as
against PyTorch. Each function below is written in the book's form, with the book's names:

- ``softmax``, ``cross_entropy``: softmax regression from scratch (d2l 3.6 / 4.4);
- ``relu``: multilayer perceptrons from scratch (d2l 4.2 / 5.2);
- ``dropout_layer``: dropout from scratch (d2l 4.6 / 5.6);
- ``squared_loss``: linear regression from scratch (d2l 3.2 / 3.4);
- ``RNNScratch``: recurrent neural networks from scratch (d2l-en 9.5);
- ``sigmoid``: the plain formula $1 / (1 + e^{-x})$ (the book calls ``torch.sigmoid``; this is
  the from-scratch form a reader would write).

They are written here, not copied. They are the peers' code as the book teaches it, including
what the book leaves out: ``softmax`` exponentiates the raw logits, so large logits overflow
(the book says so and points to the framework's stable loss); the performance page shows it.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

__all__ = [
    "RNNScratch",
    "cross_entropy",
    "dropout_layer",
    "relu",
    "sigmoid",
    "softmax",
    "squared_loss",
]


def softmax(X: Tensor) -> Tensor:
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition  # 这里应用了广播机制


def cross_entropy(y_hat: Tensor, y: Tensor) -> Tensor:
    return -torch.log(y_hat[range(len(y_hat)), y])


def relu(X: Tensor) -> Tensor:
    a = torch.zeros_like(X)
    return torch.max(X, a)


def dropout_layer(X: Tensor, dropout: float) -> Tensor:
    assert 0 <= dropout <= 1
    # 在本情况中，所有元素都被丢弃
    if dropout == 1:
        return torch.zeros_like(X)
    # 在本情况中，所有元素都被保留
    if dropout == 0:
        return X
    mask = (torch.rand(X.shape) > dropout).float()
    return mask * X / (1.0 - dropout)


def squared_loss(y_hat: Tensor, y: Tensor) -> Tensor:
    """均方损失"""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sigmoid(X: Tensor) -> Tensor:
    return 1 / (1 + torch.exp(-X))


class RNNScratch(nn.Module):
    """The RNN model implemented from scratch (the book's d2l.Module, as a torch nn.Module)."""

    def __init__(self, num_inputs: int, num_hiddens: int, sigma: float = 0.01) -> None:
        super().__init__()
        self.num_inputs, self.num_hiddens = num_inputs, num_hiddens
        self.W_xh = nn.Parameter(torch.randn(num_inputs, num_hiddens) * sigma)
        self.W_hh = nn.Parameter(torch.randn(num_hiddens, num_hiddens) * sigma)
        self.b_h = nn.Parameter(torch.zeros(num_hiddens))

    def forward(
        self, inputs: Tensor, state: tuple[Tensor] | None = None
    ) -> tuple[list[Tensor], Tensor]:
        if state is None:
            # 初始状态的形状：(batch_size, num_hiddens)
            state_ = torch.zeros((inputs.shape[1], self.num_hiddens), device=inputs.device)
        else:
            (state_,) = state
        outputs = []
        for X in inputs:  # inputs 的形状：(num_steps, batch_size, num_inputs)
            state_ = torch.tanh(
                torch.matmul(X, self.W_xh) + torch.matmul(state_, self.W_hh) + self.b_h
            )
            outputs.append(state_)
        return outputs, state_

    @torch.no_grad()
    def load_from(self, rnn: nn.RNN) -> RNNScratch:
        """Copy a one-layer ``torch.nn.RNN``'s weights (its two biases summed into ``b_h``)."""
        self.W_xh.copy_(rnn.weight_ih_l0.T)
        self.W_hh.copy_(rnn.weight_hh_l0.T)
        self.b_h.copy_(rnn.bias_ih_l0 + rnn.bias_hh_l0)
        return self
