r"""Dropout as a module: active after ``train()``, the identity after ``eval()``.

讲解见站点页面「暂退法 (dropout)」 docs/components/dropout.md。
"""

from __future__ import annotations

from torch import Tensor, nn

from dlref.functional._validation import check_dropout_p
from dlref.functional.dropout import dropout

__all__ = ["Dropout"]


class Dropout(nn.Module):
    r"""Zero each element with probability ``p`` in training mode and scale the rest by $1/(1-p)$.

    The module calls :func:`dlref.functional.dropout` with ``training=self.training``, so
    ``model.train()`` turns dropout on and ``model.eval()`` turns it into the identity.

    Parameters
    ----------
    p : float, default 0.5
        Probability of zeroing an element, in $[0, 1]$.
    inplace : bool, default False
        Modify the input in place.

    Raises
    ------
    ValueError
        If ``p`` is outside $[0, 1]$ (raised by the constructor, with PyTorch's message).

    Notes
    -----
    Shape: any input shape; the output has the same shape.

    See Also
    --------
    torch.nn.Dropout : the PyTorch module this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref.nn
    >>> drop = dlref.nn.Dropout(p=0.5)
    >>> drop
    Dropout(p=0.5, inplace=False)
    >>> x = torch.ones(8)
    >>> _ = torch.manual_seed(0)
    >>> sorted(set(drop(x).tolist()))  # training mode: zeros and 1 / 0.5
    [0.0, 2.0]
    >>> _ = drop.eval()
    >>> torch.equal(drop(x), x)
    True
    """

    p: float
    inplace: bool

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        check_dropout_p(p)
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """Apply dropout in training mode; return ``input`` unchanged in evaluation mode."""
        return dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
