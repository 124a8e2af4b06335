r"""Activation functions: the nonlinearities between layers, each one its formula.

讲解见站点页面「神经元与激活函数」（docs/components/neurons-activations.md）。

Each activation is a small ``torch.autograd.Function``. ``forward`` is the formula of the page,
written with plain, out-of-place torch operations; ``backward`` is the textbook derivative,
next to it. Because the backward is itself made of differentiable torch operations on tensors
that ``forward`` saved (its input or its output), autograd can differentiate it again:
second derivatives (``create_graph=True``, ``torch.autograd.gradgradcheck``) need no second copy.

Two things decide the details:

* **numerical stability**: ``exp`` overflows to ``inf`` above about 709 (float64) or 88
  (float32). Either the overflow is harmless ($1 / (1 + \infty) = 0$ is exactly the limit the
  sigmoid needs), or ``exp`` only sees a number $\le 0$ (tanh, elu);
* **the gradient at a kink**: ``relu`` has no derivative at 0, so PyTorch *chooses* one (0).
  Each ``backward`` below gives the kink, and NaN, PyTorch's value.

Where a derivative is a function of the output ($\sigma' = \sigma(1 - \sigma)$,
$\tanh' = 1 - \tanh^2$), the backward uses the saved output and needs no second ``exp``.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor

from dlref.functional._validation import check_floating, check_number, check_tensor

__all__ = ["elu", "gelu", "leaky_relu", "relu", "sigmoid", "silu", "softplus", "tanh"]


# ---- sigmoid ----------------------------------------------------------------------------------
class _Sigmoid(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        # σ(x) = 1 / (1 + e^{-x}). For x < -88 (float32) e^{-x} overflows to inf, and
        # 1 / (1 + inf) = 0 is the correct limit: no NaN.
        y = 1 / (1 + torch.exp(-x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        y: Tensor
        (y,) = ctx.saved_tensors
        return grad * y * (1 - y)  # σ'(x) = σ(x) (1 - σ(x)): from the output, no exp


def sigmoid(input: Tensor) -> Tensor:
    r"""Logistic sigmoid, squashing any real number into $(0, 1)$.

    $$
    \sigma(x) = \frac{1}{1 + e^{-x}}, \qquad \sigma'(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr)
    $$

    For very negative $x$, $e^{-x}$ overflows to ``inf`` (below about $-88$ in float32) and
    $1 / (1 + \infty) = 0$, which is the correct limit: $\sigma(\pm 10^4)$ is exactly 1 or 0 and
    never NaN. The derivative is computed from the saved output $\sigma(x)$, so the backward
    pass needs no ``exp``. NaN gives NaN, value and gradient, as in PyTorch.

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
    out: Tensor = _Sigmoid.apply(x)  # type: ignore[no-untyped-call]
    return out


# ---- tanh -------------------------------------------------------------------------------------
class _Tanh(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        # tanh is odd: tanh(x) = sign(x) tanh|x|, and for a = |x| >= 0
        # tanh a = (1 - e^{-2a}) / (1 + e^{-2a}) = -m / (2 + m) with m = e^{-2a} - 1 in (-1, 0]:
        # exp only sees -2a <= 0, and expm1 keeps m accurate when x is tiny.
        m = torch.expm1(-2 * x.abs())
        y = torch.copysign(-m / (2 + m), x)  # the sign of x; tanh(-0.0) = -0.0 as in torch
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        y: Tensor
        (y,) = ctx.saved_tensors
        return grad * (1 - y * y)  # tanh'(x) = 1 - tanh(x)^2: from the output


def tanh(input: Tensor) -> Tensor:
    r"""Hyperbolic tangent, squashing any real number into $(-1, 1)$.

    $$
    \tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}
    = \operatorname{sign}(x)\,\frac{1 - e^{-2|x|}}{1 + e^{-2|x|}}
    = \operatorname{sign}(x)\,\frac{-m}{2 + m}, \quad m = e^{-2|x|} - 1
    $$

    Only $e^{-2|x|} \le 1$ is computed, so nothing overflows; $m$ is computed with ``expm1``,
    which stays accurate when $x$ is tiny (``1 - exp(-2|x|)`` would cancel to 0). The derivative
    $1 - \tanh^2(x)$ is computed from the saved output. NaN gives NaN, value and gradient.

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
    out: Tensor = _Tanh.apply(x)  # type: ignore[no-untyped-call]
    return out


# ---- relu -------------------------------------------------------------------------------------
class _ReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        y = x.clamp_min(0)  # max(x, 0); NaN stays NaN
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        # 0 where the output is <= 0 (x <= 0, the kink x = 0 included), else 1, as PyTorch
        # defines it. NaN is not <= 0, so at NaN the gradient passes through, as in PyTorch.
        return grad.masked_fill(y <= 0, 0)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    r"""Rectified linear unit: keep positive values, replace the rest with 0.

    $$
    \operatorname{ReLU}(x) = \max(0, x), \qquad
    \frac{d}{dx}\operatorname{ReLU}(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}
    $$

    The derivative at the kink $x = 0$ is 0, as in PyTorch. NaN stays NaN, and its gradient
    is the incoming gradient (PyTorch zeroes the gradient where the output is $\le 0$, and
    NaN is not), as in PyTorch.

    The second derivative is 0 wherever it exists, and the backward depends on $x$ only
    through the mask: with ``create_graph=True`` the gradient it returns is connected to the
    graph only through the incoming gradient. When that does not depend on $x$ either,
    the gradient does not require grad, and differentiating it again with respect to $x$
    raises autograd's "does not require grad" error, where PyTorch's gives zeros.

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
        If ``input`` is not a tensor, or is bool or complex (PyTorch refuses both too).

    See Also
    --------
    torch.nn.functional.relu : The PyTorch function this mirrors.

    Examples
    --------
    >>> import torch
    >>> import dlref.functional as F
    >>> x = torch.tensor([-2.0, 0.0, 3.0, float("nan")], requires_grad=True)
    >>> y = F.relu(x)
    >>> y
    tensor([0., 0., 3., nan], grad_fn=<_ReLUBackward>)
    >>> y.sum().backward()
    >>> x.grad
    tensor([0., 0., 1., 1.])
    """
    _check_real(input, "relu")  # integers are kept as they are, as in PyTorch
    if inplace:  # compute, then write back: autograd records the copy
        return input.copy_(relu(input.clone()))
    out: Tensor = _ReLU.apply(input)  # type: ignore[no-untyped-call]
    return out


# ---- leaky_relu -------------------------------------------------------------------------------
class _LeakyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, negative_slope: float) -> Tensor:
        ctx.save_for_backward(x)
        ctx.negative_slope = negative_slope
        return torch.where(x > 0, x, negative_slope * x)  # x where x > 0, a x elsewhere

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        (x,) = ctx.saved_tensors
        # 1 where x > 0, a elsewhere (a at the kink and at NaN, as in PyTorch)
        return torch.where(x > 0, grad, ctx.negative_slope * grad), None


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    r"""Leaky ReLU: like ReLU, but negative inputs keep a small slope instead of 0.

    $$
    \operatorname{LeakyReLU}(x) = \begin{cases} x & x > 0 \\ a\,x & x \le 0 \end{cases},
    \qquad
    \frac{d}{dx} = \begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}
    $$

    with $a$ the ``negative_slope``. This piecewise form is what PyTorch's kernel computes; its
    documentation writes $\max(0, x) + a \min(0, x)$, equal in value for every $a$ (unlike
    $\max(a x, x)$, which holds only for $a \le 1$). The derivative at 0 is $a$, as in PyTorch;
    so is the derivative at NaN (whose value stays NaN).

    Its second derivative is 0 wherever it exists; as for :func:`relu`, the gradient depends on
    $x$ only through the comparison $x > 0$, so differentiating it again with respect to $x$
    alone raises where PyTorch's gives zeros.

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
        If ``input`` is not a floating-point tensor, or ``negative_slope`` is not a real
        number: an int, a float or a 0-d tensor (PyTorch refuses a tensor with a dimension too).

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
    negative_slope = check_number(negative_slope, "negative_slope")
    if inplace:
        return input.copy_(leaky_relu(input.clone(), negative_slope))
    out: Tensor = _LeakyReLU.apply(input, negative_slope)  # type: ignore[no-untyped-call]
    return out


# ---- elu --------------------------------------------------------------------------------------
class _ELU(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, alpha: float) -> Tensor:
        ctx.save_for_backward(x)
        ctx.alpha = alpha
        # α(e^x - 1) where x <= 0, x elsewhere. exp only sees min(x, 0) <= 0, so it cannot
        # overflow in the branch that is not taken; expm1 (as in PyTorch) stays accurate for
        # tiny |x|.
        return torch.where(x <= 0, alpha * torch.expm1(x.clamp_max(0)), x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        (x,) = ctx.saved_tensors
        # α e^x where x <= 0 (α at the kink, as in PyTorch), 1 elsewhere (NaN included)
        return torch.where(x <= 0, ctx.alpha * torch.exp(x.clamp_max(0)) * grad, grad), None


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    r"""Exponential linear unit: identity for positive inputs, a smooth saturation to $-\alpha$.

    $$
    \operatorname{ELU}(x) = \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases},
    \qquad
    \frac{d}{dx} = \begin{cases} 1 & x > 0 \\ \alpha\,e^{x} & x \le 0 \end{cases}
    $$

    The derivative at 0 is $\alpha$, as in PyTorch. $e^x - 1$ is computed with ``expm1`` (as
    PyTorch does), accurate for tiny $|x|$; it only sees $\min(x, 0)$, so it cannot overflow.
    NaN stays NaN with gradient 1, as in PyTorch.

    Second derivatives agree with PyTorch except at the kink $x = 0$: there the derivative of
    the backward continues the branch the first derivative chose ($\alpha e^0 = \alpha$),
    where PyTorch's double backward gives 0 (``tests/functional/test_activation.py`` pins it).

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
        If ``input`` is not a floating-point tensor, or ``alpha`` is not a real
        number: an int, a float or a 0-d tensor (PyTorch refuses a tensor with a dimension too).

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
    alpha = check_number(alpha, "alpha")
    if inplace:
        return input.copy_(elu(input.clone(), alpha))
    out: Tensor = _ELU.apply(input, alpha)  # type: ignore[no-untyped-call]
    return out


# ---- gelu -------------------------------------------------------------------------------------
SQRT_2 = math.sqrt(2.0)
SQRT_2PI = math.sqrt(2 * math.pi)
SQRT_2_OVER_PI = math.sqrt(2 / math.pi)  # √(2/π), the scale inside the tanh approximation
GELU_CUBIC = 0.044715


class _GELU(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        ctx.save_for_backward(x)
        cdf = (1 + torch.erf(x / SQRT_2)) / 2  # Φ(x), the standard normal CDF
        return x * cdf

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        x: Tensor
        (x,) = ctx.saved_tensors
        cdf = (1 + torch.erf(x / SQRT_2)) / 2  # Φ(x)
        pdf = torch.exp(-x * x / 2) / SQRT_2PI  # Φ'(x), the standard normal density
        return grad * (cdf + x * pdf)  # (x Φ(x))' = Φ(x) + x Φ'(x)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    r"""Gaussian error linear unit: the input weighted by the standard normal CDF of itself.

    $$
    \operatorname{GELU}(x) = x\,\Phi(x)
    = \frac{x}{2}\left(1 + \operatorname{erf}\frac{x}{\sqrt 2}\right),
    $$

    $$
    \frac{d}{dx} = \Phi(x) + x\,\Phi'(x), \quad \Phi'(x) = \frac{e^{-x^2/2}}{\sqrt{2\pi}}
    $$

    with $\Phi$ the standard normal CDF and $\Phi'$ its density.

    With ``approximate='tanh'`` the CDF is replaced by the tanh approximation

    $$
    \operatorname{GELU}(x) \approx \frac{x}{2}\left(1 + \tanh u\right),
    \qquad u = \sqrt{2/\pi}\,(x + 0.044715\,x^3),
    $$

    built from this module's [`tanh`][dlref.functional.tanh], whose derivative autograd chains.

    At $x = -\infty$ both forms give NaN ($-\infty \cdot 0$), and the gradient at $\pm\infty$
    is NaN ($\infty \cdot 0$ again), as in PyTorch. At $x = +\infty$ the value is $+\infty$,
    the limit, as PyTorch gives in float64. In float32 (and bfloat16) PyTorch's CPU result there
    depends on the machine, not only on the kernel it selects: measured on two machines, an
    AVX-512 CPU gave NaN for every tensor of two or more elements whichever kernel was selected
    (a one-element tensor got $+\infty$), an AVX2 CPU gave $+\infty$. dlref gives $+\infty$
    on every machine (``tests/functional/test_activation.py`` pins it).

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
        out: Tensor = _GELU.apply(input)  # type: ignore[no-untyped-call]
        return out
    if approximate == "tanh":
        u = SQRT_2_OVER_PI * (input + GELU_CUBIC * input**3)
        return input / 2 * (1 + tanh(u))
    raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")


# ---- softplus ---------------------------------------------------------------------------------
class _Softplus(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, beta: float, threshold: float) -> Tensor:
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        z = beta * x
        # log(1 + e^{βx}) / β, and x itself above the threshold, where the two agree to within
        # e^{-threshold} (and e^{βx} could overflow)
        return torch.where(z > threshold, x, torch.log1p(torch.exp(z)) / beta)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        (x,) = ctx.saved_tensors
        z = ctx.beta * x
        # softplus'(x) = σ(βx) below the threshold, 1 above it; dlref's sigmoid, so that a
        # second derivative sees σ' = σ (1 - σ)
        return torch.where(z > ctx.threshold, grad, sigmoid(z) * grad), None, None


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    r"""Softplus: a smooth ReLU, $\frac{1}{\beta}\log(1 + e^{\beta x})$.

    $$
    \operatorname{Softplus}(x) = \begin{cases}
    \dfrac{1}{\beta}\log\left(1 + e^{\beta x}\right) & \beta x \le \text{threshold} \\[1ex]
    x & \beta x > \text{threshold}
    \end{cases}
    $$

    $$
    \frac{d}{dx} = \begin{cases} \sigma(\beta x) & \beta x \le \text{threshold} \\
    1 & \beta x > \text{threshold} \end{cases}
    $$

    Above the threshold $\log(1 + e^{\beta x})$ and $\beta x$ agree to within
    $e^{-\text{threshold}}$, so the function reverts to the identity there, as in PyTorch.
    ``log1p`` keeps $\log(1 + e^{\beta x})$ accurate where $e^{\beta x}$ is tiny.

    Second derivatives agree with PyTorch except at exactly $\beta x = \text{threshold}$:
    there the derivative of the backward is $\beta\,\sigma'(\beta x)$, continuing the branch
    the first derivative chose, where PyTorch's double backward gives 0 (pinned by a test).

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
        If ``input`` is not a floating-point tensor, or ``beta`` or ``threshold`` is not a real
        number: an int, a float or a 0-d tensor (PyTorch refuses a tensor with a dimension too).

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
    beta, threshold = check_number(beta, "beta"), check_number(threshold, "threshold")
    out: Tensor = _Softplus.apply(input, beta, threshold)  # type: ignore[no-untyped-call]
    return out


# ---- silu -------------------------------------------------------------------------------------
class _SiLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        ctx.save_for_backward(x)
        return x * sigmoid(x)  # x σ(x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        x: Tensor
        (x,) = ctx.saved_tensors
        s = sigmoid(x)  # recomputed, as PyTorch does; dlref's, so a second derivative sees σ'
        return grad * s * (1 + x * (1 - s))  # (x σ)' = σ + x σ (1 - σ) = σ (1 + x (1 - σ))


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    r"""Sigmoid linear unit (also called swish): the input times its own sigmoid.

    $$
    \operatorname{SiLU}(x) = x\,\sigma(x), \qquad
    \frac{d}{dx} = \sigma(x)\,\bigl(1 + x\,(1 - \sigma(x))\bigr)
    $$

    At $x = -\infty$ the value is NaN ($-\infty \cdot 0$), and the gradient at $\pm\infty$
    is NaN, as in PyTorch.

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
    out: Tensor = _SiLU.apply(input)  # type: ignore[no-untyped-call]
    return out


# ---- helpers --------------------------------------------------------------------------------


def _check_real(input: Tensor, name: str) -> None:
    """Raise ``TypeError`` unless ``input`` is a tensor of real numbers (floating or integer)."""
    check_tensor(input, "input")
    if input.dtype == torch.bool or input.is_complex():
        raise TypeError(f"{name} expects a real floating or integer tensor, got {input.dtype}")


def _as_floating(input: Tensor, name: str) -> Tensor:
    """``input`` itself if floating, integers as the default float dtype (as torch.sigmoid does)."""
    _check_real(input, name)
    if input.is_floating_point():
        return input
    return input.to(torch.get_default_dtype())
