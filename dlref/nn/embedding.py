r"""The embedding layer: a learnable table of vectors, one row per token.

讲解见站点页面「字符级 RNN：hello → ohlol」 docs/sequence/char-rnn-hello.md。
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from dlref.functional._validation import check_size, normalize_padding_idx
from dlref.functional.embedding import embedding

__all__ = ["Embedding"]


class Embedding(nn.Module):
    r"""A learnable table of ``num_embeddings`` vectors of size ``embedding_dim``, read by index.

    ``Embedding(n, d)(idx)`` returns ``weight[idx]``; see :func:`dlref.functional.embedding` for
    the gradient, ``padding_idx``, ``max_norm`` and ``scale_grad_by_freq``.

    Parameters
    ----------
    num_embeddings : int
        Number of rows $n$ (the vocabulary size).
    embedding_dim : int
        Size $d$ of each vector.
    padding_idx : int or None, default None
        Row initialized to zeros whose gradient is always zero. Negative values count from the
        end and are stored normalized (``-1`` becomes ``n - 1``), as in PyTorch.
    max_norm : float or None, default None
        Rescale, in place, looked-up rows whose norm exceeds this value.
    norm_type : float, default 2.0
        The $p$ of the norm used with ``max_norm``.
    scale_grad_by_freq : bool, default False
        Divide gradients by the frequency of each index in the batch.
    sparse : bool, default False
        Not implemented in dlref (dense gradients only): ``True`` raises
        ``NotImplementedError`` at construction.
    _weight : Tensor or None, default None
        Use this tensor (shape $(n, d)$) as the table instead of a random one; the padding row
        is then *not* zeroed, as in PyTorch.
    _freeze : bool, default False
        Create the table with ``requires_grad=False``.
    device, dtype : optional
        Device and dtype of a newly created table.

    Attributes
    ----------
    weight : torch.nn.Parameter
        The table, shape $(n, d)$, initialized from $\mathcal{N}(0, 1)$ with the padding row
        set to zero.

    Raises
    ------
    ValueError
        If ``padding_idx`` is outside $[-n, n)$ or ``_weight`` does not have shape $(n, d)$.
    NotImplementedError
        If ``sparse=True``.

    Notes
    -----
    Shape: input $(*)$ of int64/int32 indices, output $(*, d)$.

    See Also
    --------
    torch.nn.Embedding : the PyTorch module this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref.nn
    >>> _ = torch.manual_seed(0)
    >>> emb = dlref.nn.Embedding(4, 3, padding_idx=0)
    >>> emb
    Embedding(4, 3, padding_idx=0)
    >>> emb(torch.tensor([[0, 2], [3, 3]])).shape
    torch.Size([2, 2, 3])
    >>> emb.weight[0].tolist()
    [0.0, 0.0, 0.0]
    """

    num_embeddings: int
    embedding_dim: int
    padding_idx: int | None
    max_norm: float | None
    norm_type: float
    scale_grad_by_freq: bool
    sparse: bool
    weight: nn.Parameter

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Tensor | None = None,
        _freeze: bool = False,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        if sparse:
            raise NotImplementedError(
                "sparse=True (sparse gradients) is not implemented in dlref; "
                "use sparse=False: the gradient is the same, stored densely"
            )
        check_size(num_embeddings, "num_embeddings")
        check_size(embedding_dim, "embedding_dim")
        factory: dict[str, Any] = {"device": device, "dtype": dtype}
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = normalize_padding_idx(padding_idx, num_embeddings)
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            table = torch.empty(num_embeddings, embedding_dim, **factory)
            self.weight = nn.Parameter(table, requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError(
                    f"_weight shape {tuple(_weight.shape)} does not match num_embeddings and "
                    f"embedding_dim: expected {(num_embeddings, embedding_dim)}"
                )
            self.weight = nn.Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        r"""Draw the table from $\mathcal{N}(0, 1)$ and zero the padding row."""
        with torch.no_grad():
            self.weight.normal_(0.0, 1.0)
            if self.padding_idx is not None:
                self.weight[self.padding_idx].fill_(0.0)

    def forward(self, input: Tensor) -> Tensor:
        """Return the rows of the table selected by the indices in ``input``."""
        return embedding(
            input,
            self.weight,
            self.padding_idx,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
            self.sparse,
        )

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2.0:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        return s

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Tensor,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:
        r"""Create an ``Embedding`` whose table is ``embeddings`` (shape $(n, d)$).

        Parameters
        ----------
        embeddings : Tensor
            The table, 2-d. It is used as the parameter's data (not copied), as in PyTorch.
        freeze : bool, default True
            Keep the table fixed (``requires_grad=False``).
        padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse
            As in the constructor. The padding row is not zeroed.

        Returns
        -------
        Embedding

        Raises
        ------
        ValueError
            If ``embeddings`` is not 2-d.

        Examples
        --------
        >>> import torch
        >>> import dlref.nn
        >>> emb = dlref.nn.Embedding.from_pretrained(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
        >>> emb(torch.tensor([1])).tolist(), emb.weight.requires_grad
        ([[3.0, 4.0]], False)
        """
        if embeddings.dim() != 2:
            raise ValueError(
                f"embeddings must be 2-d (num_embeddings, embedding_dim), "
                f"got shape {tuple(embeddings.shape)}"
            )
        rows, cols = embeddings.shape
        return cls(
            num_embeddings=rows,
            embedding_dim=cols,
            _weight=embeddings,
            _freeze=freeze,
            padding_idx=padding_idx,
            max_norm=max_norm,
            norm_type=norm_type,
            scale_grad_by_freq=scale_grad_by_freq,
            sparse=sparse,
        )
