r"""Dropout: zero random elements during training, and rescale the rest (inverted dropout).

讲解见站点页面「暂退法 (dropout)」 docs/components/dropout.md。
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
        If ``input`` is not floating point, ``p`` is not a real number, or ``training`` is not
        a bool.

    Notes
    -----
    Shape: any; the output has the input's shape.

    The mask is drawn by comparing uniform numbers with $p$: $u_i \sim U[0, 1)$ and
    $m_i = [u_i \ge p]$, so $P(m_i = 1) = P(u_i \ge p) = 1 - p$. The uniform numbers are always
    float32 (24 random bits each, whatever the input's dtype), so the keep probability is $1 - p$
    to within $2^{-24}$, and one seed gives the same mask for every dtype. On the CPU,
    ``torch.rand`` takes its numbers from PyTorch's own Mersenne Twister one after another, with
    no SIMD, MKL or multi-threaded path, so one seed draws the same mask on any CPU (the tests
    check it under every SIMD level and thread count of ``make test-numerics``).

    PyTorch draws its mask another way, so under one seed dlref and
    ``torch.nn.functional.dropout`` drop different elements; the distribution, the scaling and
    the gradient are the same, and the tests check each. On the CPU, PyTorch's ``dropout`` runs
    ``empty_like(input).bernoulli_(1 - p)``, and that kernel depends on the CPU vendor (MKL's
    generator on Intel, its own double-precision draw elsewhere), so PyTorch's masks also differ
    between machines. Its cost against ``torch.rand`` is timed in ``make bench`` and printed on
    the performance page.

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
    p = check_dropout_p(p)
    check_floating(input, "input")
    if not isinstance(training, bool):  # as PyTorch checks: training="no" would be True
        raise TypeError(f"training must be a bool, got {training!r} ({type(training).__name__})")
    if not training or p == 0.0 or input.numel() == 0:
        return input
    if p == 1.0:
        # Every element is dropped, and m / (1 - p) would be 0 / 0. Multiplying by 0 (rather than
        # returning zeros) keeps the graph connected: the gradient is zeros, as in PyTorch.
        scale = torch.zeros((), dtype=input.dtype, device=input.device)
    else:
        # m_i = [u_i >= p] with u_i ~ U[0, 1), so m_i = 1 with probability 1 - p. The uniform
        # numbers are drawn in float32 whatever the input's dtype, so one seed gives one mask.
        mask = (torch.rand_like(input, dtype=torch.float32) >= p).to(input.dtype)
        scale = mask / (1 - p)  # m_i / (1 - p)
    return input.mul_(scale) if inplace else input * scale  # y_i = x_i m_i / (1 - p)
