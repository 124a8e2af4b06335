r"""Activation modules: each one calls its function in :mod:`dlref.functional`.

讲解见站点页面「神经元与激活函数」（docs/components/neurons-activations.md）和
「Softmax 与交叉熵」（docs/classification/softmax-cross-entropy.md）。

A module stores the function's options (``negative_slope``, ``dim``, ``inplace``, ...) when it is
built, so that it can sit in an ``nn.Sequential`` between layers. Constructor arguments,
defaults and ``repr`` are those of :mod:`torch.nn`. None of them has parameters or buffers.
"""

from __future__ import annotations

from torch import Tensor, nn

from dlref.functional.activation import elu, gelu, leaky_relu, relu, sigmoid, silu, softplus, tanh
from dlref.functional.softmax import log_softmax, softmax

__all__ = [
    "ELU",
    "GELU",
    "LeakyReLU",
    "LogSoftmax",
    "ReLU",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Tanh",
]


def _inplace_repr(inplace: bool, first: bool) -> str:
    """torch's ``extra_repr`` shows ``inplace=True`` only when it is set."""
    if not inplace:
        return ""
    return "inplace=True" if first else ", inplace=True"


class ReLU(nn.Module):
    r"""$\max(0, x)$ elementwise: calls :func:`dlref.functional.relu`.

    Parameters
    ----------
    inplace : bool, default False
        Overwrite the input with the result (as in PyTorch; refused on a leaf that requires
        grad).

    Notes
    -----
    Shape: any input shape $(*)$; the output has the same shape.

    See Also
    --------
    torch.nn.ReLU : The PyTorch module this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref.nn
    >>> dlref.nn.ReLU(), dlref.nn.ReLU(inplace=True)
    (ReLU(), ReLU(inplace=True))
    >>> dlref.nn.ReLU()(torch.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """

    inplace: bool

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return relu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace, first=True)


class LeakyReLU(nn.Module):
    r"""$x$ for $x > 0$, ``negative_slope`` $\cdot\, x$ otherwise: calls
    :func:`dlref.functional.leaky_relu`.

    Parameters
    ----------
    negative_slope : float, default 0.01
        The slope for $x \le 0$.
    inplace : bool, default False
        Overwrite the input with the result.

    Notes
    -----
    Shape: any input shape $(*)$; the output has the same shape.

    See Also
    --------
    torch.nn.LeakyReLU : The PyTorch module this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref.nn
    >>> m = dlref.nn.LeakyReLU(0.1)
    >>> m
    LeakyReLU(negative_slope=0.1)
    >>> m(torch.tensor([-2.0, 3.0]))
    tensor([-0.2000,  3.0000])
    """

    negative_slope: float
    inplace: bool

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + _inplace_repr(self.inplace, first=False)


class ELU(nn.Module):
    r"""$x$ for $x > 0$, $\alpha(e^x - 1)$ otherwise: calls :func:`dlref.functional.elu`.

    Parameters
    ----------
    alpha : float, default 1.0
        The value $-\alpha$ approached as $x \to -\infty$.
    inplace : bool, default False
        Overwrite the input with the result.

    Notes
    -----
    Shape: any input shape $(*)$; the output has the same shape.

    See Also
    --------
    torch.nn.ELU : The PyTorch module this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref.nn
    >>> m = dlref.nn.ELU(alpha=0.5, inplace=True)
    >>> m
    ELU(alpha=0.5, inplace=True)
    >>> [round(v, 4) for v in m(torch.tensor([-1.0, 2.0], dtype=torch.float64)).tolist()]
    [-0.3161, 2.0]
    """

    alpha: float
    inplace: bool

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + _inplace_repr(self.inplace, first=False)


class GELU(nn.Module):
    r"""$x\,\Phi(x)$, or its tanh approximation: calls :func:`dlref.functional.gelu`.

    Parameters
    ----------
    approximate : {'none', 'tanh'}, default 'none'
        Which form to compute. As in PyTorch, a wrong value is accepted at construction and
        reported when the module is called; dlref raises a ``ValueError`` naming the two
        choices (PyTorch a ``RuntimeError``).

    Notes
    -----
    Shape: any input shape $(*)$; the output has the same shape.

    See Also
    --------
    torch.nn.GELU : The PyTorch module this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref.nn
    >>> dlref.nn.GELU(), dlref.nn.GELU(approximate="tanh")
    (GELU(approximate='none'), GELU(approximate='tanh'))
    >>> round(dlref.nn.GELU()(torch.tensor(1.0, dtype=torch.float64)).item(), 4)
    0.8413
    """

    approximate: str

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(nn.Module):
    r"""$x\,\sigma(x)$ elementwise (swish): calls :func:`dlref.functional.silu`.

    Parameters
    ----------
    inplace : bool, default False
        Overwrite the input with the result.

    Notes
    -----
    Shape: any input shape $(*)$; the output has the same shape.

    See Also
    --------
    torch.nn.SiLU : The PyTorch module this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref.nn
    >>> dlref.nn.SiLU()
    SiLU()
    >>> round(dlref.nn.SiLU()(torch.tensor(1.0, dtype=torch.float64)).item(), 4)
    0.7311
    """

    inplace: bool

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return silu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace, first=True)


class Softplus(nn.Module):
    r"""$\frac{1}{\beta}\log(1 + e^{\beta x})$, linear above the threshold: calls
    :func:`dlref.functional.softplus`.

    Parameters
    ----------
    beta : float, default 1.0
        Sharpness $\beta$.
    threshold : float, default 20.0
        Above ``beta * input > threshold`` the result is the input itself.

    Notes
    -----
    Shape: any input shape $(*)$; the output has the same shape.

    See Also
    --------
    torch.nn.Softplus : The PyTorch module this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref.nn
    >>> dlref.nn.Softplus(beta=2.0)
    Softplus(beta=2.0, threshold=20.0)
    >>> round(dlref.nn.Softplus()(torch.tensor(0.0, dtype=torch.float64)).item(), 4)
    0.6931
    """

    beta: float
    threshold: float

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:
        return softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Sigmoid(nn.Module):
    r"""$\sigma(x) = 1 / (1 + e^{-x})$ elementwise: calls :func:`dlref.functional.sigmoid`.

    Notes
    -----
    Shape: any input shape $(*)$; the output has the same shape.

    See Also
    --------
    torch.nn.Sigmoid : The PyTorch module this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref.nn
    >>> dlref.nn.Sigmoid()(torch.tensor([0.0]))
    tensor([0.5000])
    """

    def forward(self, input: Tensor) -> Tensor:
        return sigmoid(input)


class Tanh(nn.Module):
    r"""$\tanh x$ elementwise: calls :func:`dlref.functional.tanh`.

    Notes
    -----
    Shape: any input shape $(*)$; the output has the same shape.

    See Also
    --------
    torch.nn.Tanh : The PyTorch module this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref.nn
    >>> dlref.nn.Tanh()(torch.tensor([0.0, 1e4]))
    tensor([0., 1.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return tanh(input)


class Softmax(nn.Module):
    r"""Softmax along ``dim``: calls :func:`dlref.functional.softmax`.

    Parameters
    ----------
    dim : int, optional
        The dimension that sums to 1. If omitted, PyTorch's deprecated implicit choice is
        used when the module is called, with a ``UserWarning``: always pass ``dim``.

    Notes
    -----
    Shape: any input shape $(*)$; the output has the same shape.

    See Also
    --------
    torch.nn.Softmax : The PyTorch module this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref.nn
    >>> m = dlref.nn.Softmax(dim=1)
    >>> m
    Softmax(dim=1)
    >>> m(torch.tensor([[0.0, 0.0]]))
    tensor([[0.5000, 0.5000]])
    """

    dim: int | None

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        # _stacklevel=5 as in torch.nn.Softmax: a missing-dim warning points at the same frame
        # as PyTorch's (Module.__call__ in torch/nn/modules/module.py)
        return softmax(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(nn.Module):
    r"""Log-softmax along ``dim``: calls :func:`dlref.functional.log_softmax`.

    Parameters
    ----------
    dim : int, optional
        The class dimension. If omitted, PyTorch's deprecated implicit choice is used when the
        module is called, with a ``UserWarning``: always pass ``dim``.

    Notes
    -----
    Shape: any input shape $(*)$; the output has the same shape.

    See Also
    --------
    torch.nn.LogSoftmax : The PyTorch module this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref.nn
    >>> m = dlref.nn.LogSoftmax(dim=0)
    >>> m
    LogSoftmax(dim=0)
    >>> m(torch.tensor([0.0, 200.0]))
    tensor([-200.,    0.])
    """

    dim: int | None

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return log_softmax(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
