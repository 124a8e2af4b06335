r"""Dropout: zero random elements during training, and rescale the rest (inverted dropout).

讲解见站点页面「Dropout」 docs/components/dropout.md。
"""

from __future__ import annotations

import torch
from torch import Tensor

from dlref.functional._validation import check_dropout_p, check_floating

__all__ = ["dropout"]


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

    The mask is drawn exactly as PyTorch draws it on the CPU. ``torch.nn.functional.dropout``
    calls ATen's ``dropout``, which on the CPU (its fused ``native_dropout`` kernel is used only
    on CUDA and other accelerators) runs ``noise = empty_like(input); noise.bernoulli_(1 - p);
    noise.div_(1 - p); input * noise``. dlref makes the same calls in the same order:
    ``torch.empty_like(input).bernoulli_(1 - p)``, then ``mask / (1 - p)``, then the product.
    ``bernoulli_`` with a float probability is what decides the random stream, and it is not the
    same on every CPU: on Intel CPUs PyTorch fills it with MKL's generator, elsewhere (AMD, ARM)
    with its own default kernel. Because dlref calls that very function, it takes the same branch
    as PyTorch on every machine, and under the same seed dlref and PyTorch draw the same mask on
    any CPU vendor (checked in the tests). The mask itself differs between vendors for both: a
    page shows its statistics, never a literal mask. Other ways to draw it, such as
    ``torch.rand_like(input) < 1 - p`` or ``torch.bernoulli(probabilities)`` (a tensor of
    probabilities takes another kernel), draw other masks. ``empty_like`` also keeps the
    input's memory layout, so a transposed input gets the same mask as in PyTorch.

    NaN and $\pm\infty$ pass through a kept element scaled like any number, and a dropped one
    becomes $0 \cdot x$: NaN for $x$ NaN or $\pm\infty$, as in PyTorch (the same product).

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
    check_dropout_p(p)
    check_floating(input, "input")
    if not training or p == 0.0 or input.numel() == 0:
        return input
    if p == 1.0:
        # Every element is dropped, and m / (1 - p) would be 0 / 0. Multiplying by 0 (rather than
        # returning zeros) keeps the graph connected: the gradient is zeros, as in PyTorch.
        scale = torch.zeros((), dtype=input.dtype, device=input.device)
    else:
        mask = torch.empty_like(input).bernoulli_(
            1 - p
        )  # m_i ~ Bernoulli(1 - p), as torch draws it
        scale = mask / (1 - p)  # m_i / (1 - p)
    return input.mul_(scale) if inplace else input * scale  # y_i = x_i m_i / (1 - p)
