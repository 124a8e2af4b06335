r"""Activation functions: the nonlinearities between layers, from ``exp``, ``erf`` and ``where``.

讲解见站点页面「神经元与激活函数」（docs/components/neurons-activations.md）。

Two things make the difference between a formula and a usable activation:

* **numerical stability**: ``exp`` overflows to ``inf`` for arguments above about 709 (float64)
  or 88 (float32). Each function below only ever calls ``exp`` on a non-positive number;
* **the gradient at the kink**: ``relu`` has no derivative at 0, so PyTorch *chooses* one (0).
  Autograd differentiates the branch that ``torch.where`` selects, so the comparison
  (``x > 0`` or ``x <= 0``) decides which value the kink gets; each choice below matches PyTorch.

``where`` evaluates both branches. A branch that is not selected must still be finite, or its
``inf``/``nan`` gradient times 0 poisons the result (``inf * 0 = nan``); hence the masked inputs.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from dlref.functional._validation import check_floating, check_tensor

__all__ = ["elu", "gelu", "leaky_relu", "relu", "sigmoid", "silu", "softplus", "tanh"]


def sigmoid(input: Tensor) -> Tensor:
    r"""Logistic sigmoid, squashing any real number into $(0, 1)$.

    $$
    \sigma(x) = \frac{1}{1 + e^{-x}} =
    \begin{cases}
    \dfrac{1}{1 + e^{-x}} & x \ge 0 \\[1ex]
    \dfrac{e^{x}}{1 + e^{x}} & x < 0
    \end{cases}
    $$

    Both forms are the same function; the one chosen only calls $e^{-|x|} \le 1$, which never
    overflows, so $\sigma(\pm 10^4)$ is exactly 1 or 0 and never NaN.

    Parameters
    ----------
    input : Tensor
        Any shape; a floating or integer dtype (integers give the default float dtype).

    Returns
    -------
    Tensor
        Same shape as ``input``.

    Raises
    ------
    TypeError
        If ``input`` is not a tensor, or is a bool or complex tensor.

    See Also
    --------
    torch.nn.functional.sigmoid : The PyTorch function this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref.functional as F
    >>> F.sigmoid(torch.tensor([-1e4, 0.0, 1e4]))
    tensor([0.0000, 0.5000, 1.0000])
    >>> x = torch.linspace(-30, 30, 61, dtype=torch.float64)
    >>> torch.allclose(F.sigmoid(x), torch.sigmoid(x), rtol=1e-12, atol=1e-300)
    True
    """
    x = _as_floating(input, "sigmoid")
    positive = x >= 0
    e = torch.exp(torch.where(positive, -x, x))  # e^{-|x|} in (0, 1]: cannot overflow
    return torch.where(positive, 1 / (1 + e), e / (1 + e))


def tanh(input: Tensor) -> Tensor:
    r"""Hyperbolic tangent, squashing any real number into $(-1, 1)$.

    $$
    \tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}
    = \operatorname{sign}(x)\,\frac{1 - e^{-2|x|}}{1 + e^{-2|x|}}
    = \operatorname{sign}(x)\,\frac{-m}{2 + m}, \quad m = e^{-2|x|} - 1
    $$

    Only $e^{-2|x|} \le 1$ is computed, so nothing overflows; $m$ is computed with ``expm1``,
    which stays accurate when $x$ is tiny (``1 - exp(-2|x|)`` would cancel to 0).

    Parameters
    ----------
    input : Tensor
        Any shape; a floating or integer dtype (integers give the default float dtype).

    Returns
    -------
    Tensor
        Same shape as ``input``.

    Raises
    ------
    TypeError
        If ``input`` is not a tensor, or is a bool or complex tensor.

    See Also
    --------
    torch.nn.functional.tanh : The PyTorch function this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref.functional as F
    >>> F.tanh(torch.tensor([-1e4, 0.0, 1e4]))
    tensor([-1.,  0.,  1.])
    >>> x = torch.tensor([1e-10, 0.5, 3.0], dtype=torch.float64)
    >>> torch.allclose(F.tanh(x), torch.tanh(x), rtol=1e-12, atol=0)
    True
    """
    x = _as_floating(input, "tanh")
    positive = x >= 0
    m = torch.expm1(torch.where(positive, -2 * x, 2 * x))  # e^{-2|x|} - 1, in (-1, 0]
    magnitude = -m / (2 + m)  # tanh(|x|)
    return torch.where(positive, magnitude, -magnitude)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    r"""Rectified linear unit: keep positive values, replace the rest with 0.

    $$
    \operatorname{ReLU}(x) = \max(0, x), \qquad
    \frac{d}{dx}\operatorname{ReLU}(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}
    $$

    The derivative at the kink $x = 0$ is 0, as in PyTorch. NaN stays NaN.

    Parameters
    ----------
    input : Tensor
        Any shape and real dtype (integers too, as in PyTorch).
    inplace : bool, default False
        Overwrite ``input`` with the result and return it.

    Returns
    -------
    Tensor
        Same shape and dtype as ``input`` (``input`` itself when ``inplace=True``).

    Raises
    ------
    TypeError
        If ``input`` is not a tensor.

    See Also
    --------
    torch.nn.functional.relu : The PyTorch function this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref.functional as F
    >>> x = torch.tensor([-2.0, 0.0, 3.0], requires_grad=True)
    >>> y = F.relu(x)
    >>> y
    tensor([0., 0., 3.], grad_fn=<MaskedFillBackward0>)
    >>> y.sum().backward()
    >>> x.grad
    tensor([0., 0., 1.])
    """
    check_tensor(input, "input")
    not_positive = input <= 0  # NaN <= 0 is False: NaN passes through, as in torch
    if inplace:
        return input.masked_fill_(not_positive, 0)
    return input.masked_fill(not_positive, 0)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    r"""Leaky ReLU: like ReLU, but negative inputs keep a small slope instead of 0.

    $$
    \operatorname{LeakyReLU}(x) = \begin{cases} x & x > 0 \\ a\,x & x \le 0 \end{cases},
    \qquad
    \frac{d}{dx} = \begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}
    $$

    with $a$ the ``negative_slope``. The derivative at 0 is $a$, as in PyTorch.

    Parameters
    ----------
    input : Tensor
        Any shape; floating dtype.
    negative_slope : float, default 0.01
        The slope $a$ for $x \le 0$.
    inplace : bool, default False
        Overwrite ``input`` with the result and return it.

    Returns
    -------
    Tensor
        Same shape and dtype as ``input`` (``input`` itself when ``inplace=True``).

    Raises
    ------
    TypeError
        If ``input`` is not a floating-point tensor.

    See Also
    --------
    torch.nn.functional.leaky_relu : The PyTorch function this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref.functional as F
    >>> F.leaky_relu(torch.tensor([-2.0, 0.0, 3.0]), negative_slope=0.1)
    tensor([-0.2000,  0.0000,  3.0000])
    """
    check_floating(input, "input")
    if inplace:
        return input.copy_(leaky_relu(input.clone(), negative_slope))
    return torch.where(input > 0, input, input * negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    r"""Exponential linear unit: identity for positive inputs, a smooth saturation to $-\alpha$.

    $$
    \operatorname{ELU}(x) = \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases},
    \qquad
    \frac{d}{dx} = \begin{cases} 1 & x > 0 \\ \alpha\,e^{x} & x \le 0 \end{cases}
    $$

    The derivative at 0 is $\alpha$, as in PyTorch. $e^x - 1$ is computed with ``expm1`` (as
    PyTorch does), accurate for tiny $|x|$; it only sees $x \le 0$, so it cannot overflow.

    Parameters
    ----------
    input : Tensor
        Any shape; floating dtype.
    alpha : float, default 1.0
        The value $-\alpha$ that ELU approaches as $x \to -\infty$.
    inplace : bool, default False
        Overwrite ``input`` with the result and return it.

    Returns
    -------
    Tensor
        Same shape and dtype as ``input`` (``input`` itself when ``inplace=True``).

    Raises
    ------
    TypeError
        If ``input`` is not a floating-point tensor.

    See Also
    --------
    torch.nn.functional.elu : The PyTorch function this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref.functional as F
    >>> x = torch.tensor([-1e4, -1.0, 0.0, 2.0], dtype=torch.float64)
    >>> [round(v, 4) for v in F.elu(x).tolist()]
    [-1.0, -0.6321, 0.0, 2.0]
    """
    check_floating(input, "input")
    if inplace:
        return input.copy_(elu(input.clone(), alpha))
    positive = input > 0
    negative_part = alpha * torch.expm1(torch.where(positive, 0, input))  # exp never sees x > 0
    return torch.where(positive, input, negative_part)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    r"""Gaussian error linear unit: the input weighted by the standard normal CDF of itself.

    $$
    \operatorname{GELU}(x) = x\,\Phi(x)
    = \frac{x}{2}\left(1 + \operatorname{erf}\frac{x}{\sqrt 2}\right)
    $$

    With ``approximate='tanh'`` the CDF is replaced by the tanh approximation

    $$
    \operatorname{GELU}(x) \approx \frac{x}{2}\left(1 + \tanh\!\left(\sqrt{2/\pi}\,
    (x + 0.044715\,x^3)\right)\right).
    $$

    Parameters
    ----------
    input : Tensor
        Any shape; floating dtype.
    approximate : {'none', 'tanh'}, default 'none'
        ``'none'``: the exact form with ``erf``; ``'tanh'``: the tanh approximation.

    Returns
    -------
    Tensor
        Same shape and dtype as ``input``.

    Raises
    ------
    TypeError
        If ``input`` is not a floating-point tensor.
    ValueError
        If ``approximate`` is neither ``'none'`` nor ``'tanh'``.

    See Also
    --------
    torch.nn.functional.gelu : The PyTorch function this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref.functional as F
    >>> x = torch.tensor([-3.0, 0.0, 1.0], dtype=torch.float64)
    >>> [round(v, 4) for v in F.gelu(x).tolist()]
    [-0.004, 0.0, 0.8413]
    >>> round(F.gelu(torch.tensor(1.0), approximate="tanh").item(), 4)
    0.8412
    """
    check_floating(input, "input")
    if approximate == "none":
        return input * 0.5 * (1 + torch.erf(input / math.sqrt(2)))
    if approximate == "tanh":
        inner = math.sqrt(2 / math.pi) * (input + 0.044715 * input**3)
        return 0.5 * input * (1 + tanh(inner))
    raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    r"""Softplus: a smooth ReLU, $\frac{1}{\beta}\log(1 + e^{\beta x})$.

    $$
    \operatorname{Softplus}(x) = \begin{cases}
    \dfrac{1}{\beta}\log\left(1 + e^{\beta x}\right) & \beta x \le \text{threshold} \\[1ex]
    x & \beta x > \text{threshold}
    \end{cases}
    $$

    Above the threshold $\log(1 + e^{\beta x})$ and $\beta x$ agree to within $e^{-20}$, so the
    function reverts to the identity there (and $e^{\beta x}$ is never evaluated where it could
    overflow). The derivative is $\sigma(\beta x)$ below the threshold and 1 above, as in PyTorch.

    Parameters
    ----------
    input : Tensor
        Any shape; floating dtype.
    beta : float, default 1.0
        Sharpness $\beta$: larger values are closer to ReLU.
    threshold : float, default 20.0
        Above ``beta * input > threshold`` the result is ``input`` itself.

    Returns
    -------
    Tensor
        Same shape and dtype as ``input``.

    Raises
    ------
    TypeError
        If ``input`` is not a floating-point tensor.

    See Also
    --------
    torch.nn.functional.softplus : The PyTorch function this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref.functional as F
    >>> x = torch.tensor([-1e4, 0.0, 1e4], dtype=torch.float64)
    >>> [round(v, 4) for v in F.softplus(x).tolist()]
    [0.0, 0.6931, 10000.0]
    """
    check_floating(input, "input")
    scaled = input * beta
    linear = scaled > threshold
    smooth = torch.log1p(torch.exp(torch.where(linear, 0, scaled))) / beta
    return torch.where(linear, input, smooth)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    r"""Sigmoid linear unit (also called swish): the input times its own sigmoid.

    $$
    \operatorname{SiLU}(x) = x\,\sigma(x), \qquad
    \frac{d}{dx} = \sigma(x)\,\bigl(1 + x\,(1 - \sigma(x))\bigr)
    $$

    Parameters
    ----------
    input : Tensor
        Any shape; floating dtype.
    inplace : bool, default False
        Overwrite ``input`` with the result and return it.

    Returns
    -------
    Tensor
        Same shape and dtype as ``input`` (``input`` itself when ``inplace=True``).

    Raises
    ------
    TypeError
        If ``input`` is not a floating-point tensor.

    See Also
    --------
    torch.nn.functional.silu : The PyTorch function this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref.functional as F
    >>> x = torch.tensor([-1e4, 0.0, 1.0], dtype=torch.float64)
    >>> [round(v, 4) for v in F.silu(x).tolist()]
    [-0.0, 0.0, 0.7311]
    """
    check_floating(input, "input")
    if inplace:
        return input.copy_(silu(input.clone()))
    return input * sigmoid(input)


# ---- helpers --------------------------------------------------------------------------------


def _as_floating(input: Tensor, name: str) -> Tensor:
    """``input`` itself if floating, integers as the default float dtype (as torch.sigmoid does)."""
    check_tensor(input, "input")
    if input.is_floating_point():
        return input
    if input.dtype == torch.bool or input.is_complex():
        raise TypeError(f"{name} expects a real floating or integer tensor, got {input.dtype}")
    return input.to(torch.get_default_dtype())
