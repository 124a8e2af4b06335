r"""The affine map $y = x W^\top + b$, the building block of every layer.

讲解见站点页面「神经元与激活函数」 docs/components/neurons-activations.md（一层神经元就是它加一个
激活函数）；「循环神经网络」 docs/sequence/rnn.md 的每一步是两个线性变换之和。
"""

from __future__ import annotations

import torch
from torch import Tensor

from dlref.functional._validation import check_floating

__all__ = ["linear"]


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    r"""Apply an affine map to the last dimension of ``input``: $y = x W^\top + b$.

    For one input vector $x \in \mathbb{R}^{\text{in}}$ and a weight matrix
    $W \in \mathbb{R}^{\text{out} \times \text{in}}$,

    $$
    y_j = \sum_{k=1}^{\text{in}} x_k W_{jk} + b_j, \qquad j = 1, \dots, \text{out}.
    $$

    Every leading dimension of ``input`` is a batch dimension: the same $W$ and $b$ are applied
    to each vector along the last dimension.

    Parameters
    ----------
    input : Tensor
        Floating-point input $x$ of shape $(*, \text{in})$; $*$ is any number of leading
        dimensions, including none (a single vector).
    weight : Tensor
        $W$ of shape $(\text{out}, \text{in})$, or $(\text{in})$ for a single output without
        an output dimension.
    bias : Tensor or None, default None
        $b$ of shape $(\text{out})$ (or 0-d when ``weight`` is 1-d). ``None`` means no bias.

    Returns
    -------
    Tensor
        $y$ of shape $(*, \text{out})$, or $(*)$ when ``weight`` is 1-d.

    Raises
    ------
    TypeError
        If ``input``, ``weight`` or ``bias`` is not a floating-point tensor.
    ValueError
        If ``input`` is 0-d, ``weight`` is not 1-d or 2-d, the last dimension of ``input`` is
        not ``in``, or ``bias`` does not have shape $(\text{out})$. Unlike PyTorch, a bias that
        merely broadcasts (a scalar for a 2-d weight) is refused: no silent broadcast.

    Notes
    -----
    Shape: input $(*, \text{in})$, weight $(\text{out}, \text{in})$, bias $(\text{out})$,
    output $(*, \text{out})$.

    For a 2-d input, a 2-d weight and a bias the whole map is one ``torch.addmm`` call (a fused
    $b + x W^\top$); otherwise it is ``input @ weight.T`` followed by the bias addition.

    See Also
    --------
    torch.nn.functional.linear : the PyTorch function this mirrors.
    dlref.nn.Linear : the module that owns $W$ and $b$ as parameters.

    Examples
    --------
    >>> import torch
    >>> import dlref.functional as F
    >>> x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> w = torch.tensor([[1.0, 0.0], [1.0, 1.0], [0.0, 2.0]])
    >>> F.linear(x, w, torch.tensor([0.5, 0.0, -1.0])).tolist()
    [[1.5, 3.0, 3.0], [3.5, 7.0, 7.0]]
    >>> torch.allclose(F.linear(x, w), torch.nn.functional.linear(x, w))
    True
    """
    check_floating(input, "input")
    check_floating(weight, "weight")
    if input.dim() == 0:
        raise ValueError("input must have at least 1 dimension (the features), got a 0-d tensor")
    if weight.dim() not in (1, 2):
        raise ValueError(
            f"weight must be 2-d (out_features, in_features) or 1-d (in_features), "
            f"got shape {tuple(weight.shape)}"
        )
    if input.shape[-1] != weight.shape[-1]:
        raise ValueError(
            f"input shape {tuple(input.shape)} and weight shape {tuple(weight.shape)} do not "
            f"match: the last dimension of input ({input.shape[-1]}) must equal in_features "
            f"({weight.shape[-1]})"
        )
    if bias is not None:
        check_floating(bias, "bias")
        expected = tuple(weight.shape[:-1])  # (out,) for a 2-d weight, () for a 1-d weight
        if tuple(bias.shape) != expected:
            raise ValueError(
                f"bias shape {tuple(bias.shape)} does not match weight shape "
                f"{tuple(weight.shape)}: expected bias of shape {expected}"
            )
    if input.dim() == 2 and weight.dim() == 2 and bias is not None:
        return torch.addmm(bias, input, weight.t())  # b + x W^T in one fused call
    output = input.matmul(weight.t())  # .t() of a 1-d tensor is the tensor itself
    return output if bias is None else output + bias
