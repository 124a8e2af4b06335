r"""Dropout: zero random elements during training, and rescale the rest (inverted dropout).

讲解见站点页面「Dropout」 docs/components/dropout.md。
"""

from __future__ import annotations

import torch
from torch import Tensor

from dlref.functional._validation import check_floating

__all__ = ["dropout"]


def _check_dropout_p(p: float) -> None:
    """The message PyTorch uses, so a user sees the same words from both libraries."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    r"""Zero each element with probability ``p`` in training, and scale the survivors by $1/(1-p)$.

    With an independent mask $m_i \sim \text{Bernoulli}(1 - p)$ per element,

    $$
    y_i = \frac{m_i\, x_i}{1 - p}, \qquad
    \mathbb{E}[y_i] = \frac{(1 - p)\, x_i}{1 - p} = x_i .
    $$

    Scaling during training (*inverted* dropout) keeps the expected activation unchanged, so at
    evaluation time the layer is simply the identity. The gradient is the same mask:
    $\partial y_i / \partial x_i = m_i / (1 - p)$.

    Parameters
    ----------
    input : Tensor
        Floating-point tensor of any shape.
    p : float, default 0.5
        Probability of zeroing an element, in $[0, 1]$. ``p = 1`` gives all zeros (no division by
        zero); ``p = 0`` returns ``input`` unchanged.
    training : bool, default True
        Apply dropout only when true; otherwise return ``input`` itself (the same tensor object).
    inplace : bool, default False
        Multiply ``input`` in place by the scaled mask and return it.

    Returns
    -------
    Tensor
        Same shape and dtype as ``input``.

    Raises
    ------
    ValueError
        If ``p`` is outside $[0, 1]$: "dropout probability has to be between 0 and 1, but got ...".
    TypeError
        If ``input`` is not floating point.

    Notes
    -----
    Shape: any; the output has the input's shape.

    The mask is drawn as PyTorch's CPU kernel draws it:
    ``torch.empty_like(input).bernoulli_(1 - p)`` divided by $1 - p$, then multiplied into
    ``input``. With torch 2.13 on the CPU this consumes the random stream exactly like
    ``torch.nn.functional.dropout``, so the same seed gives the same mask (checked in the
    tests). That is a property of the current PyTorch kernel, not a promise: on a GPU PyTorch
    uses a fused kernel with its own random stream. What dlref guarantees, and tests, are the
    statistics: the zero fraction is about $p$, survivors are $x \cdot (1/(1-p))$, the expectation
    is preserved, and the gradient is the mask divided by $1 - p$.

    See Also
    --------
    torch.nn.functional.dropout : the PyTorch function this mirrors.
    dlref.nn.Dropout : the module form, which follows ``train()`` / ``eval()``.

    Examples
    --------
    >>> import torch
    >>> import dlref.functional as F
    >>> x = torch.ones(10_000)
    >>> _ = torch.manual_seed(0)
    >>> y = F.dropout(x, p=0.2)
    >>> sorted(set(y.tolist()))  # zeros and 1 / 0.8
    [0.0, 1.25]
    >>> round((y == 0).float().mean().item(), 2)
    0.2
    >>> F.dropout(x, p=0.2, training=False) is x
    True
    """
    _check_dropout_p(p)
    check_floating(input, "input")
    if not training or p == 0.0 or input.numel() == 0:
        return input
    if p == 1.0:
        # Every element is dropped; multiplying by 0 (rather than returning zeros) keeps the
        # graph connected, so the gradient is a tensor of zeros as in PyTorch.
        scale = torch.zeros((), dtype=input.dtype, device=input.device)
    else:
        scale = torch.empty_like(input).bernoulli_(1.0 - p)  # m_i ~ Bernoulli(1 - p)
        scale.div_(1.0 - p)  # m_i / (1 - p)
    return input.mul_(scale) if inplace else input * scale
