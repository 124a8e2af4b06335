r"""Embeddings: looking up rows of a table by integer index, and one-hot vectors.

讲解见站点页面「字符级 RNN：hello → ohlol」 docs/sequence/char-rnn-hello.md（写法三：用嵌入代替
one-hot 输入），API 页 docs/api/functional/layers.md。

Looking up row $i$ of a table $W$ is the same as multiplying the one-hot vector $e_i$ by $W$:
$e_i^\top W = W_{i,:}$. The lookup is just the cheap way to compute that product, and its gradient
is the product's gradient: the upstream gradient of each position is added into the row it read.
"""

from __future__ import annotations

import torch
from torch import Tensor

from dlref.functional._validation import check_int, check_tensor, normalize_padding_idx

__all__ = ["embedding", "one_hot"]

INDEX_DTYPES = (torch.int64, torch.int32)


def _check_indices(input: Tensor, num_embeddings: int) -> None:
    """Raise unless ``input`` holds int32/int64 indices in ``[0, num_embeddings)``."""
    if not isinstance(input, Tensor):
        raise TypeError(f"input must be a torch.Tensor of indices, got {type(input).__name__}")
    if input.dtype not in INDEX_DTYPES:
        raise TypeError(
            f"embedding indices must have an integer dtype (torch.int64 or torch.int32), "
            f"got {input.dtype}"
        )
    if input.numel() == 0:
        return
    low, high = int(input.min()), int(input.max())
    if low < 0 or high >= num_embeddings:
        bad = low if low < 0 else high
        raise IndexError(
            f"index {bad} is out of range for an embedding table with "
            f"num_embeddings={num_embeddings}: valid indices are 0 to {num_embeddings - 1}"
        )


def _renorm_(weight: Tensor, indices: Tensor, max_norm: float, norm_type: float) -> None:
    r"""Shrink, in place, each referenced row whose norm exceeds ``max_norm`` to norm ``max_norm``.

    Same rule as PyTorch's ``embedding_renorm_``: a row $w$ with $\lVert w \rVert_p > m$ becomes
    $w \cdot m / (\lVert w \rVert_p + 10^{-7})$. It changes the table itself and is not part of the
    autograd graph.
    """
    with torch.no_grad():
        # The rows that occur in indices, each once (a sorted unique).
        rows = torch.bincount(indices.reshape(-1), minlength=weight.shape[0]).nonzero().squeeze(1)
        norms = torch.linalg.vector_norm(weight[rows], ord=norm_type, dim=1)
        too_long = norms > max_norm
        rows, norms = rows[too_long], norms[too_long]
        # In float64, as PyTorch computes it (it reads each norm out as a double): in float32
        # the + 1e-7 and the division would round differently and change the last bit. A
        # tensor for max_norm, so that this is one correctly rounded division, as in PyTorch
        # (a Python number over a tensor is computed as number * reciprocal: two roundings).
        scale = torch.tensor(max_norm, dtype=torch.float64) / (norms.double() + 1e-7)
        weight[rows] = weight[rows] * scale.unsqueeze(1).to(weight.dtype)


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    r"""Look up rows of the table ``weight`` by the integer indices in ``input``.

    For an index $i$ the output is the row $W_{i,:}$, the same as the one-hot product
    $e_i^\top W$. Its gradient with respect to the table adds each position's upstream gradient
    $g$ into the row it read:

    $$
    \frac{\partial L}{\partial W_{r,:}} = \sum_{\text{positions } t:\ i_t = r} g_t .
    $$

    With ``padding_idx`` $= p$ the row $W_{p,:}$ still takes part in the forward pass but its
    gradient is always zero, so an optimizer never moves it (PyTorch's meaning; the row is not
    forced to zero here: :class:`dlref.nn.Embedding` zeros it at initialization). With
    ``scale_grad_by_freq`` each position's gradient is divided by the number of times its index
    occurs in ``input``.

    Parameters
    ----------
    input : Tensor
        Indices, dtype ``torch.int64`` or ``torch.int32``, any shape $(*)$, values in
        $[0, \text{num\_embeddings})$.
    weight : Tensor
        The table, shape $(\text{num\_embeddings}, \text{embedding\_dim})$.
    padding_idx : int or None, default None
        Row whose gradient is zero. A negative value counts from the end, as in PyTorch
        (``-1`` is the last row).
    max_norm : float or None, default None
        If given, every row referenced by ``input`` whose ``norm_type``-norm exceeds
        ``max_norm`` is rescaled **in place** in ``weight`` (under ``torch.no_grad()``) to norm
        ``max_norm`` before the lookup, with PyTorch's rule
        $w \cdot m / (\lVert w\rVert + 10^{-7})$.
    norm_type : float, default 2.0
        The $p$ of the $p$-norm used with ``max_norm``.
    scale_grad_by_freq : bool, default False
        Divide each position's gradient by the frequency of its index in this ``input``.
    sparse : bool, default False
        PyTorch can return the table's gradient as a sparse tensor. dlref always returns a dense
        gradient; ``sparse=True`` raises ``NotImplementedError``.

    Returns
    -------
    Tensor
        Shape $(*, \text{embedding\_dim})$: ``input``'s shape with the row dimension appended.

    Raises
    ------
    TypeError
        If the indices are not int64/int32, or ``weight`` is not a tensor.
    IndexError
        If an index is negative or not smaller than ``num_embeddings`` (the message names it).
    ValueError
        If ``weight`` is not 2-d or ``padding_idx`` is outside $[-n, n)$.
    NotImplementedError
        If ``sparse=True``.

    Notes
    -----
    Shape: input $(*)$, weight $(n, d)$, output $(*, d)$.

    The zero and scaled gradients are applied by a gradient hook on the looked-up rows: the
    forward values are exactly the rows of ``weight``, only the gradient on its way back to the
    table is set to 0 (padding) or divided by how often the row was read (frequency scaling).
    The padding positions' gradient is 0 even where the incoming gradient is inf or NaN, as in
    PyTorch.

    See Also
    --------
    torch.nn.functional.embedding : the PyTorch function this mirrors.
    dlref.nn.Embedding : the module that owns the table.
    one_hot : the one-hot vectors that the lookup replaces.

    Examples
    --------
    >>> import torch
    >>> import dlref.functional as F
    >>> table = torch.tensor([[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> idx = torch.tensor([[1, 2], [0, 1]])
    >>> out = F.embedding(idx, table, padding_idx=0)
    >>> out.tolist()
    [[[1.0, 2.0], [3.0, 4.0]], [[0.0, 0.0], [1.0, 2.0]]]
    >>> out.sum().backward()
    >>> table.grad.tolist()  # row 1 was read twice; the padding row gets no gradient
    [[0.0, 0.0], [2.0, 2.0], [1.0, 1.0]]
    """
    check_tensor(weight, "weight")
    if weight.dim() != 2:
        raise ValueError(
            f"weight must be 2-d (num_embeddings, embedding_dim), got shape {tuple(weight.shape)}"
        )
    if sparse:
        raise NotImplementedError(
            "sparse=True (a sparse gradient for the table) is not implemented in dlref; "
            "use sparse=False: the gradient is the same, stored densely"
        )
    num_embeddings = weight.shape[0]
    _check_indices(input, num_embeddings)
    padding_idx = normalize_padding_idx(padding_idx, num_embeddings)
    if max_norm is not None:
        _renorm_(weight, input, max_norm, norm_type)

    flat = input.reshape(-1)
    rows = weight.index_select(0, flat)  # (M, d): one row per position

    if rows.requires_grad and (padding_idx is not None or scale_grad_by_freq):
        # The gradient on its way back to the table, one row per position: divided by how often
        # the row was read (frequency scaling), and 0 at the padding positions. The 0 is set
        # with masked_fill, not multiplied in: an inf or NaN arriving at a padding position
        # would give 0 * inf = NaN, where PyTorch leaves the padding row's gradient 0.
        counts = (
            torch.bincount(flat, minlength=num_embeddings)[flat] if scale_grad_by_freq else None
        )
        padding = flat == padding_idx if padding_idx is not None else None

        def to_table(grad: Tensor) -> Tensor:
            if counts is not None:
                grad = grad / counts.to(grad.dtype).unsqueeze(1)
            if padding is not None:
                grad = grad.masked_fill(padding.unsqueeze(1), 0.0)
            return grad

        rows.register_hook(to_table)  # type: ignore[no-untyped-call]

    return rows.reshape(*input.shape, weight.shape[1])


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    r"""Turn class indices into one-hot vectors: index $i$ becomes $e_i$.

    $$
    \text{out}[\dots, c] = \begin{cases} 1 & c = \text{tensor}[\dots] \\ 0 & \text{otherwise}
    \end{cases}
    $$

    Parameters
    ----------
    tensor : Tensor
        Class indices, dtype ``torch.int64``, any shape $(*)$ including 0-d.
    num_classes : int, default -1
        Length $C$ of each vector. ``-1`` infers $C$ as ``tensor.max() + 1``.

    Returns
    -------
    Tensor
        dtype ``torch.int64``, shape $(*, C)$.

    Raises
    ------
    TypeError
        If ``tensor`` is not int64 (PyTorch also accepts only ``LongTensor``), or
        ``num_classes`` is not an integer.
    ValueError
        If an index is negative, an index is not smaller than ``num_classes``,
        ``num_classes`` is below -1, or $C$ must be inferred from an empty tensor.

    Notes
    -----
    Shape: input $(*)$, output $(*, C)$. The vectors are one comparison of ``tensor`` (with a new
    last dimension) against ``arange(C)``, broadcast.

    One difference from PyTorch: an empty ``tensor`` with ``num_classes=0`` gives an empty
    result of shape $(*, 0)$, the number of classes being given; PyTorch raises "Can not infer
    total number of classes from empty tensor" for it, as for ``num_classes=-1``.

    See Also
    --------
    torch.nn.functional.one_hot : the PyTorch function this mirrors.
    embedding : multiplying a one-hot vector by a table is a row lookup.

    Examples
    --------
    >>> import torch
    >>> import dlref.functional as F
    >>> F.one_hot(torch.tensor([0, 2, 1])).tolist()
    [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
    >>> F.one_hot(torch.tensor(1), num_classes=4).tolist()
    [0, 1, 0, 0]
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"tensor must be a torch.Tensor, got {type(tensor).__name__}")
    if tensor.dtype != torch.int64:
        raise TypeError(f"one_hot needs an int64 (torch.long) index tensor, got {tensor.dtype}")
    num_classes = check_int(num_classes, "num_classes")
    if num_classes < -1:
        raise ValueError(
            f"num_classes must be -1 (infer it) or a non-negative integer, got {num_classes}"
        )
    if tensor.numel() > 0 and int(tensor.min()) < 0:
        raise ValueError(f"class values must be non-negative, got {int(tensor.min())}")
    if num_classes == -1:
        if tensor.numel() == 0:
            raise ValueError(
                "cannot infer the number of classes from an empty tensor; pass num_classes"
            )
        num_classes = int(tensor.max()) + 1
    elif tensor.numel() > 0 and int(tensor.max()) >= num_classes:
        raise ValueError(
            f"class value {int(tensor.max())} is out of range for num_classes={num_classes}: "
            f"values must be smaller than num_classes"
        )
    classes = torch.arange(num_classes, device=tensor.device)
    return (tensor.unsqueeze(-1) == classes).long()
