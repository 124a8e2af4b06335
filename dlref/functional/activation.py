r"""Activation functions: the nonlinearities between layers, from ``exp``, ``erf`` and ``clamp``.

讲解见站点页面「神经元与激活函数」（docs/components/neurons-activations.md）。

Each activation is a small ``torch.autograd.Function``: ``forward`` computes the value from tensor
primitives, and ``backward`` is the derivative written out by hand, next to it (the formula the
page derives). Three things decide how it is written:

* **numerical stability**: ``exp`` overflows to ``inf`` above about 709 (float64) or 88
  (float32). Either ``exp`` only sees a number $\le 0$ (tanh, elu, softplus), or the overflow is
  harmless: $1 / (1 + \infty) = 0$ is exactly the limit the sigmoid needs;
* **the gradient at the kink**: ``relu`` has no derivative at 0, so PyTorch *chooses* one (0).
  Each ``backward`` below gives the kink PyTorch's value;
* **cost**: one fused PyTorch kernel reads the input once and writes the output once. Written
  with primitives, every step is another pass over memory, and every new tensor is another
  allocation (on the benchmark machine a fresh 4 MB tensor costs as much as several passes:
  the memory must be handed over by the operating system). So the forward allocates one
  temporary and updates it *in place* (``add_``, ``mul_``, ...), the backward uses the saved
  output where the derivative is a function of it ($\sigma' = \sigma(1 - \sigma)$) and builds
  masks by arithmetic: on the benchmark machine ``torch.where`` and ``bool`` masks cost 10 to 40
  times more than a multiplication (docs/performance.md has the measurements).

Second derivatives (``torch.autograd.gradgradcheck``) work too. A ``Function`` only saves
inputs and outputs (or masks, whose derivative is 0), and where the fastest backward updates a
temporary in place, the backward has two forms of one formula (``_recorded`` below): while
autograd records the backward itself (``create_graph=True``, a second derivative is coming),
the formula is written out of place, so that autograd can differentiate it; otherwise (every
ordinary ``loss.backward()``) the same formula runs in place in one buffer.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor

from dlref.functional._validation import check_floating, check_tensor

__all__ = ["elu", "gelu", "leaky_relu", "relu", "sigmoid", "silu", "softplus", "tanh"]

# e^x is computed as 2^(x log2 e). Mathematically the same number; in floating point the product
# x log2 e is rounded once (relative error about |x| times machine epsilon, far below the float64
# test tolerance). The reason is cost: on the benchmark machine torch's exp2 kernel is about 3
# times faster than its exp kernel (0.29 ms against 0.85 ms for 10^6 float32 numbers), and the
# multiplication by log2 e replaces a negation the formula needs anyway.
LOG2_E = math.log2(math.e)


def _logistic(x: Tensor, inplace: bool = False) -> Tensor:
    r"""$\sigma(x) = 1 / (1 + e^{-x})$, without autograd (for the ``forward`` functions).

    One allocation (``x * -log2 e``; none with ``inplace=True``, which overwrites ``x``), then
    three steps in place. For $x < -88$ (float32) $e^{-x}$ overflows to ``inf`` and
    $1 / (1 + \infty) = 0$: the correct limit, no NaN.
    """
    scaled = x.mul_(-LOG2_E) if inplace else x.mul(-LOG2_E)  # -x log2 e
    return scaled.exp2_().add_(1).reciprocal_()  # 1 / (1 + 2^{-x log2 e})


def _recorded() -> bool:
    """Is autograd recording this backward (``create_graph=True``, for a second derivative)?

    Inside ``backward`` grad mode is on only then. A recorded operation may save its result for
    its own backward (``exp2_`` saves $2^x$), and updating that result in place afterwards would
    corrupt the second derivative (autograd refuses it). So a backward that computes in place
    first asks this, and uses its out-of-place form when the answer is yes.
    """
    return torch.is_grad_enabled()


def _step(x: Tensor) -> Tensor:
    r"""$[x > 0]$ as 1.0 or 0.0 in ``x``'s dtype: the derivative of ReLU, as numbers.

    ``sign`` gives $-1$, 0 or 1; clamping at 0 keeps the 1s. Two arithmetic passes: on the
    benchmark machine several times cheaper than ``(x > 0).to(x.dtype)`` (a bool tensor, then a
    slow cast) or ``torch.where``. The step function has derivative 0, so a second derivative
    through it is correctly 0.
    """
    return x.sign().clamp_min_(0)


# ---- sigmoid ----------------------------------------------------------------------------------
class _Sigmoid(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        y = _logistic(x)  # 1 / (1 + e^{-x}): one allocation, three steps in place
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        y: Tensor = ctx.saved_tensors[0]
        return (1 - y).mul_(y).mul_(grad)  # σ'(x) = σ(x) (1 - σ(x)): from the output, no exp


def sigmoid(input: Tensor) -> Tensor:
    r"""Logistic sigmoid, squashing any real number into $(0, 1)$.

    $$
    \sigma(x) = \frac{1}{1 + e^{-x}}, \qquad \sigma'(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr)
    $$

    For very negative $x$, $e^{-x}$ overflows to ``inf`` (below about $-88$ in float32) and
    $1 / (1 + \infty) = 0$, which is the correct limit: $\sigma(\pm 10^4)$ is exactly 1 or 0 and
    never NaN. The derivative is computed from the saved output $\sigma(x)$, so the backward
    pass needs no ``exp``. $e^{-x}$ is computed as $2^{-x \log_2 e}$ (a faster kernel, see the
    module docstring).

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
        m = x.abs().mul_(-2).expm1_()  # m = e^{-2|x|} - 1 in (-1, 0]: exp of a number <= 0
        # -tanh|x| = m / (m + 2) = 1 / (1 + 2/m), computed in place (2/m is -inf at m = -0.0,
        # giving -0.0). copysign gives it the sign of x (tanh is odd), dropping the minus sign
        # on the way; tanh(-0.0) stays -0.0, as in torch.
        y = m.reciprocal_().mul_(2).add_(1).reciprocal_().copysign_(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        y: Tensor = ctx.saved_tensors[0]
        return y.square().neg_().add_(1).mul_(grad)  # tanh'(x) = 1 - tanh(x)^2: from the output


def tanh(input: Tensor) -> Tensor:
    r"""Hyperbolic tangent, squashing any real number into $(-1, 1)$.

    $$
    \tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}
    = \operatorname{sign}(x)\,\frac{1 - e^{-2|x|}}{1 + e^{-2|x|}}
    = \operatorname{sign}(x)\,\frac{-m}{2 + m}, \quad m = e^{-2|x|} - 1
    $$

    Only $e^{-2|x|} \le 1$ is computed, so nothing overflows; $m$ is computed with ``expm1``,
    which stays accurate when $x$ is tiny (``1 - exp(-2|x|)`` would cancel to 0). The derivative
    $1 - \tanh^2(x)$ is computed from the saved output.

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
        y: Tensor = ctx.saved_tensors[0]
        # 1 where the output is positive, 0 where it is 0 (which includes the kink x = 0, as in
        # PyTorch): the sign of a number >= 0.
        return y.sign().mul_(grad)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    r"""Rectified linear unit: keep positive values, replace the rest with 0.

    $$
    \operatorname{ReLU}(x) = \max(0, x), \qquad
    \frac{d}{dx}\operatorname{ReLU}(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}
    $$

    The derivative at the kink $x = 0$ is 0, as in PyTorch. NaN stays NaN (its gradient is NaN,
    where PyTorch passes the incoming gradient through).

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
    tensor([0., 0., 3.], grad_fn=<_ReLUBackward>)
    >>> y.sum().backward()
    >>> x.grad
    tensor([0., 0., 1.])
    """
    check_tensor(input, "input")
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
        # For a <= 1, max(x, a x) is x where x > 0 and a x where x <= 0 (for a > 1 it is the
        # min): exact, one allocation, no mask.
        ax = x * negative_slope
        return ax.clamp_min_(x) if negative_slope <= 1 else ax.clamp_max_(x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        (x,) = ctx.saved_tensors
        a = ctx.negative_slope
        # 1 where x > 0, a where x <= 0 (a at the kink, as in PyTorch).
        if 0 <= a <= 1:
            # sign(x) is -1, 0 or 1; clamping it at a turns -1 and 0 into a and keeps 1: the
            # derivative in two passes over one buffer (a mask would take four).
            return x.sign().clamp_min_(a).mul_(grad), None
        return _step(x).mul_(1 - a).add_(a).mul_(grad), None  # any a: a + (1 - a) [x > 0]


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    r"""Leaky ReLU: like ReLU, but negative inputs keep a small slope instead of 0.

    $$
    \operatorname{LeakyReLU}(x) = \begin{cases} x & x > 0 \\ a\,x & x \le 0 \end{cases},
    \qquad
    \frac{d}{dx} = \begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}
    $$

    with $a$ the ``negative_slope``. The derivative at 0 is $a$, as in PyTorch. For $a \le 1$
    the value is computed as $\max(x, a x)$ (for $a > 1$ as $\min(x, a x)$): the same numbers
    without a mask.

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
    out: Tensor = _LeakyReLU.apply(input, negative_slope)  # type: ignore[no-untyped-call]
    return out


# ---- elu --------------------------------------------------------------------------------------
class _ELU(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, alpha: float) -> Tensor:
        # The two branches never overlap, so they add: x where x > 0, plus α(e^x - 1) where
        # x <= 0. exp only sees min(x, 0) <= 0, so it cannot overflow; expm1 (as in PyTorch)
        # stays accurate for tiny |x|.
        ctx.save_for_backward(x)
        ctx.alpha = alpha
        negative = x.clamp_max(0).expm1_().mul_(alpha)  # α(e^{min(x,0)} - 1): 0 where x > 0
        if 0 <= alpha <= 1:
            # For x <= 0, α(e^x - 1) >= e^x - 1 >= x (e^x >= 1 + x), and for x > 0 it is 0 < x:
            # so ELU(x) = max(α(e^{min(x,0)} - 1), x), taken in place (no second buffer).
            return negative.clamp_min_(x)
        return negative.add_(x.clamp_min(0))  # any α: add the branch for x > 0

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        (x,) = ctx.saved_tensors
        alpha = ctx.alpha
        # 1 where x > 0, α e^x where x <= 0 (α at the kink, as in PyTorch). Recomputing e^x
        # costs one exp2 pass; saving the output instead would keep one more full-size tensor
        # alive until the backward.
        e = x.clamp_max(0).mul_(LOG2_E).exp2_()  # e^{min(x, 0)}: 1 where x > 0
        if alpha == 1 and not _recorded():
            # With α = 1 the two branches meet at 0 (e^0 = 1): the derivative is e^{min(x, 0)},
            # and e is updated in place.
            return e.mul_(grad), None
        # Any α: (1 - α) [x > 0] + α e^{min(x, 0)}.
        return _step(x).mul_(1 - alpha).add_(e, alpha=alpha).mul_(grad), None


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    r"""Exponential linear unit: identity for positive inputs, a smooth saturation to $-\alpha$.

    $$
    \operatorname{ELU}(x) = \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases},
    \qquad
    \frac{d}{dx} = \begin{cases} 1 & x > 0 \\ \alpha\,e^{x} & x \le 0 \end{cases}
    $$

    The derivative at 0 is $\alpha$, as in PyTorch. $e^x - 1$ is computed with ``expm1`` (as
    PyTorch does), accurate for tiny $|x|$; it only sees $\min(x, 0)$, so it cannot overflow.

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
    out: Tensor = _ELU.apply(input, alpha)  # type: ignore[no-untyped-call]
    return out


# ---- gelu -------------------------------------------------------------------------------------
SQRT1_2 = math.sqrt(0.5)
# φ(x) = e^{-x²/2} / √(2π) = 2^{-x² log2(e) / 2 - log2 √(2π)}: the constant goes into the exponent.
LOG2_SQRT_2PI = math.log2(math.sqrt(2 * math.pi))
SQRT_2_PI = math.sqrt(2 / math.pi)  # √(2/π), the scale inside the tanh approximation
GELU_CUBIC = 0.044715


class _GELU(torch.autograd.Function):
    # Returns Φ(x) as a second output: the backward needs it, and a tensor saved for backward
    # must be an input or an output for the gradient itself to be differentiable (double
    # backward). gelu() hands only the first output to the caller.
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> tuple[Tensor, Tensor]:
        cdf = x.mul(SQRT1_2).erf_().add_(1).mul_(0.5)  # Φ(x) = (1 + erf(x / √2)) / 2
        ctx.save_for_backward(x, cdf)
        ctx.set_materialize_grads(False)  # grad_cdf stays None unless someone uses Φ(x)
        return x * cdf, cdf

    @staticmethod
    def backward(ctx: Any, grad: Tensor | None, grad_cdf: Tensor | None) -> Tensor | None:
        x: Tensor
        cdf: Tensor
        x, cdf = ctx.saved_tensors
        # φ(x) = Φ'(x) as one power of 2: 2^{-x² log2(e) / 2 - log2 √(2π)}
        pdf = x.square().mul_(-LOG2_E / 2).sub_(LOG2_SQRT_2PI).exp2_()
        if grad_cdf is None and grad is not None and not _recorded():
            return pdf.mul_(x).add_(cdf).mul_(grad)  # (x Φ(x))' = x φ(x) + Φ(x), in place
        # Recorded (double backward) or Φ(x) used by the caller: exp2_ saved pdf, keep it intact.
        grad_x = None
        if grad is not None:  # (x Φ(x))' = Φ(x) + x φ(x)
            grad_x = (x * pdf).add_(cdf).mul_(grad)
        if grad_cdf is not None:  # only in double backward
            grad_x = pdf * grad_cdf if grad_x is None else grad_x + pdf * grad_cdf
        return grad_x


class _GELUTanh(torch.autograd.Function):
    # ½(1 + tanh u) = σ(2u), so the tanh approximation is x σ(2u): one exp2 instead of a tanh.
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        ctx.save_for_backward(x)
        two_u = x.square().mul_(GELU_CUBIC).add_(1).mul_(x).mul_(2 * SQRT_2_PI)  # 2u
        return _logistic(two_u, inplace=True).mul_(x)  # x σ(2u), in the one allocation

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        x2 = x * x
        two_u = (x2 * GELU_CUBIC).add_(1).mul_(x).mul_(2 * SQRT_2_PI)  # 2u
        two_du = x2.mul_(3 * GELU_CUBIC).add_(1).mul_(2 * SQRT_2_PI)  # (2u)' = 2√(2/π)(1 + 3c x²)
        s = sigmoid(two_u)  # the Function, so that double backward sees σ'
        # (x σ(2u))' = σ(2u) + x σ(2u) (1 - σ(2u)) (2u)'
        return (1 - s).mul_(s).mul_(x).mul_(two_du).add_(s).mul_(grad)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    r"""Gaussian error linear unit: the input weighted by the standard normal CDF of itself.

    $$
    \operatorname{GELU}(x) = x\,\Phi(x)
    = \frac{x}{2}\left(1 + \operatorname{erf}\frac{x}{\sqrt 2}\right), \qquad
    \frac{d}{dx} = \Phi(x) + x\,\varphi(x), \quad \varphi(x) = \frac{e^{-x^2/2}}{\sqrt{2\pi}}
    $$

    With ``approximate='tanh'`` the CDF is replaced by the tanh approximation

    $$
    \operatorname{GELU}(x) \approx \frac{x}{2}\left(1 + \tanh u\right) = x\,\sigma(2u),
    \qquad u = \sqrt{2/\pi}\,(x + 0.044715\,x^3),
    $$

    computed in the sigmoid form ($\frac12(1 + \tanh u) = \sigma(2u)$), which needs one
    exponential.

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
        value: Tensor = _GELU.apply(input)[0]  # type: ignore[no-untyped-call]
        return value
    if approximate == "tanh":
        out: Tensor = _GELUTanh.apply(input)  # type: ignore[no-untyped-call]
        return out
    raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")


# ---- softplus ---------------------------------------------------------------------------------
class _Softplus(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, beta: float, threshold: float) -> Tensor:
        z = x * beta
        # 1.0 where βx > threshold (there the result is x itself), else 0.0: _step, in place
        linear = (z - threshold).sign_().clamp_min_(0)
        # log(1 + e^z) / β with z clamped at the threshold: e^{20} is the largest exp taken.
        smooth = z.clamp_max_(threshold).mul_(LOG2_E).exp2_().log1p_().div_(beta)
        ctx.save_for_backward(x, linear)  # a mask: its derivative is 0, safe to save
        ctx.beta = beta
        # lerp(a, b, w) = a + w (b - a), and exactly b at w = 1: x where linear, else smooth.
        return smooth.lerp_(x, linear)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        x, linear = ctx.saved_tensors
        # softplus'(x) = σ(βx) below the threshold and 1 above it. σ < 1, and linear is 1 above
        # the threshold and 0 below, so the derivative is max(σ(βx), linear).
        if _recorded():
            s = sigmoid(x * ctx.beta)  # the Function, so that the second derivative sees σ'
            return torch.maximum(s, linear) * grad, None, None
        s = _logistic(x * ctx.beta, inplace=True)  # σ(βx) in the one buffer x β
        return s.clamp_min_(linear).mul_(grad), None, None


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
    out: Tensor = _Softplus.apply(input, beta, threshold)  # type: ignore[no-untyped-call]
    return out


# ---- silu -------------------------------------------------------------------------------------
class _SiLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        y = _logistic(x).mul_(x)  # x σ(x)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        x: Tensor
        y: Tensor
        x, y = ctx.saved_tensors
        # (x σ)' = σ + x σ (1 - σ) = σ + y (1 - σ), with y = x σ the saved output.
        if _recorded():
            s = sigmoid(x)  # the Function, so that the second derivative sees σ'
            return (s + y * (1 - s)) * grad
        # σ is recomputed, as PyTorch does (saving it would keep one more buffer alive), and
        # σ + y (1 - σ) is lerp(σ, 1, y) = σ + y (1 - σ): one pass, in place.
        s = _logistic(x)
        return s.lerp_(torch.ones((), dtype=s.dtype, device=s.device), y).mul_(grad)


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
    out: Tensor = _SiLU.apply(input)  # type: ignore[no-untyped-call]
    return out


# ---- helpers --------------------------------------------------------------------------------


def _as_floating(input: Tensor, name: str) -> Tensor:
    """``input`` itself if floating, integers as the default float dtype (as torch.sigmoid does)."""
    check_tensor(input, "input")
    if input.is_floating_point():
        return input
    if input.dtype == torch.bool or input.is_complex():
        raise TypeError(f"{name} expects a real floating or integer tensor, got {input.dtype}")
    return input.to(torch.get_default_dtype())
