r"""The fully connected layer: a module that owns $W$ and $b$ and applies $y = x W^\top + b$.

讲解见站点页面「神经元与激活函数」 docs/components/neurons-activations.md（一层神经元就是它加一个
激活函数；这种初始化在深层网络里的效果在「数值稳定性」一节）；与 torch.nn.Linear 的核对在
「字符级 RNN：hello → ohlol」 docs/sequence/char-rnn-hello.md 与 tests/nn/test_linear.py。
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor, nn

from dlref.functional._validation import check_size
from dlref.functional.linear import linear

__all__ = ["Linear"]


class Linear(nn.Module):
    r"""Fully connected layer $y = x W^\top + b$ with learnable $W$ and $b$.

    Parameters
    ----------
    in_features : int
        Size $H_\text{in}$ of each input vector.
    out_features : int
        Size $H_\text{out}$ of each output vector.
    bias : bool, default True
        Learn an additive bias $b$; ``False`` registers ``bias`` as ``None``.
    device : torch.device or str or None, default None
        Device of the parameters.
    dtype : torch.dtype or None, default None
        Dtype of the parameters (the default dtype if ``None``).

    Attributes
    ----------
    weight : torch.nn.Parameter
        $W$, shape $(H_\text{out}, H_\text{in})$.
    bias : torch.nn.Parameter or None
        $b$, shape $(H_\text{out})$.

    Notes
    -----
    Shape: input $(*, H_\text{in})$, output $(*, H_\text{out})$.

    Initialization is PyTorch's: ``kaiming_uniform_(weight, a=sqrt(5))``, which works out to

    $$
    W_{jk},\ b_j \sim \mathcal{U}\!\left(-\tfrac{1}{\sqrt{H_\text{in}}},
    \tfrac{1}{\sqrt{H_\text{in}}}\right),
    $$

    because the Kaiming bound is $\sqrt{3}\cdot\text{gain}/\sqrt{H_\text{in}}$ with
    $\text{gain} = \sqrt{2 / (1 + a^2)} = \sqrt{1/3}$. dlref draws it directly with ``uniform_``
    in the same order (weight, then bias), so under the same seed the parameters equal those of
    ``torch.nn.Linear`` up to the rounding of the bound.

    The parameter names are PyTorch's, so ``state_dict`` loads in both directions.

    See Also
    --------
    torch.nn.Linear : the PyTorch module this mirrors.
    dlref.functional.linear : the function it calls.

    Examples
    --------
    >>> import torch
    >>> import dlref.nn
    >>> layer = dlref.nn.Linear(3, 2)
    >>> layer
    Linear(in_features=3, out_features=2, bias=True)
    >>> layer(torch.randn(4, 3)).shape
    torch.Size([4, 2])
    >>> ref = torch.nn.Linear(3, 2)
    >>> _ = ref.load_state_dict(layer.state_dict())
    >>> x = torch.randn(5, 3)
    >>> torch.allclose(layer(x), ref(x))
    True
    """

    in_features: int
    out_features: int
    weight: nn.Parameter
    bias: nn.Parameter | None

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        check_size(in_features, "in_features")
        check_size(out_features, "out_features")
        factory: dict[str, Any] = {"device": device, "dtype": dtype}
        self.in_features = in_features
        self.out_features = out_features
        self.weight = nn.Parameter(torch.empty(out_features, in_features, **factory))
        if bias:
            self.bias = nn.Parameter(torch.empty(out_features, **factory))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        r"""Draw $W$ and $b$ from $\mathcal{U}(-1/\sqrt{H_\text{in}}, 1/\sqrt{H_\text{in}})$."""
        bound = 1.0 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0
        with torch.no_grad():
            self.weight.uniform_(-bound, bound)
            if self.bias is not None:
                self.bias.uniform_(-bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        r"""Apply $y = x W^\top + b$ to the last dimension of ``input``."""
        return linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )
