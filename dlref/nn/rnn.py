r"""The Elman recurrent network: one step of the recurrence, and the RNN that repeats it.

讲解见站点页面「循环神经网络」 docs/sequence/rnn.md。

One step reads the input $x_t$ and the previous hidden state $h_{t-1}$:

$$
h_t = f\left(x_t W_{ih}^\top + b_{ih} + h_{t-1} W_{hh}^\top + b_{hh}\right),
\qquad f = \tanh \text{ or } \operatorname{ReLU}.
$$

The file reads in the order of the page:

1. the formula, stated once, in two parts: :func:`input_part`
   $u_t = x_t W_{ih}^\top + b_{ih} + b_{hh}$ (everything that does not read $h$) and
   :func:`step` $h_t = f(u_t + h_{t-1} W_{hh}^\top)$;
2. :class:`RNNCell`: one step, ``step(input_part(x), h)``;
3. :func:`direction_reference`: the same step repeated over a sequence, one time step after the
   other (the reference form);
4. two marked sections with the fast forms that are themselves lessons. The first,
   :func:`direction_hoisted`, computes the input part for all $L$ time steps in one matrix
   product before the loop, so that only $h_{t-1} W_{hh}^\top$ stays inside it. The second,
   :func:`direction_bptt`, keeps that forward and writes the loop's backward out as the page
   derives it (backpropagation through time), with $W_{hh}$'s gradient as one matrix product
   over all steps. The tests prove both equal to the reference: values, gradients and second
   derivatives;
5. :class:`RNN`: layers and directions around the second fast form (layer $k+1$ reads the
   hidden states of layer $k$; a bidirectional layer runs a second recurrence backwards in
   time).

Everything is tensor arithmetic (``linear``, ``addmm``, ``tanh``/``relu``, ``stack``) and
autograd, plus the one backward written by hand; PyTorch's fused RNN kernels are never called.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor, nn

from dlref.functional._validation import check_size, check_tensor
from dlref.functional.dropout import dropout as dropout_fn
from dlref.functional.linear import linear

__all__ = [
    "RNN",
    "RNNCell",
    "direction_bptt",
    "direction_hoisted",
    "direction_reference",
    "input_part",
    "relu_backward",
    "step",
    "tanh_backward",
]

Activation = Callable[[Tensor], Tensor]

NONLINEARITIES: dict[str, Activation] = {"tanh": torch.tanh, "relu": torch.relu}


def _activation(nonlinearity: str) -> Activation:
    if nonlinearity not in NONLINEARITIES:
        raise ValueError(f"Unknown nonlinearity {nonlinearity!r}. Select from 'tanh' or 'relu'.")
    return NONLINEARITIES[nonlinearity]


def _check_positive_int(value: object, name: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be greater than zero, got {value}")


def _check_dtype(input: Tensor, weight: Tensor, name: str = "input") -> None:
    if not input.is_floating_point():
        raise TypeError(f"{name} must have a floating-point dtype, got {input.dtype}")
    if input.dtype != weight.dtype:
        raise TypeError(
            f"{name} dtype {input.dtype} does not match the parameters' dtype {weight.dtype}; "
            f"convert one of them (e.g. {name}.to({weight.dtype}))"
        )


# ---- the formula, stated once --------------------------------------------------------------------


def input_part(
    x: Tensor, weight_ih: Tensor, bias_ih: Tensor | None, bias_hh: Tensor | None
) -> Tensor:
    r"""The part of a step that does not read $h$: $u = x W_{ih}^\top + b_{ih} + b_{hh}$.

    Both biases are added here, once, since neither depends on $h$. ``x`` may hold one time step
    $(N, H_\text{in})$ or any number of rows, e.g. all $L N$ of a sequence (see
    :func:`direction_hoisted`). Without biases (both ``None``) $u = x W_{ih}^\top$; one bias
    alone raises ``ValueError`` (an RNN has both or neither).
    """
    if (bias_ih is None) != (bias_hh is None):  # an RNN has both biases or neither
        missing = "bias_hh" if bias_hh is None else "bias_ih"
        raise ValueError(f"input_part takes both biases or neither; {missing} is None")
    bias = None if bias_ih is None or bias_hh is None else bias_ih + bias_hh
    return linear(x, weight_ih, bias)


def step(u: Tensor, h: Tensor, weight_hh_t: Tensor, act: Activation) -> Tensor:
    r"""One step of the recurrence from its input part: $h' = f(u + h W_{hh}^\top)$.

    ``u`` is :func:`input_part` of this step's input, ``h`` the previous hidden state $(N, H)$,
    ``weight_hh_t`` is $W_{hh}^\top$ (``weight_hh.t()``, a view, no copy). The caller transposes,
    so that over a sequence it does so once rather than at every step: each ``.t()`` of a
    parameter is one more autograd node for the backward to run.
    """
    return act(torch.addmm(u, h, weight_hh_t))  # addmm(u, h, W^T) = u + h W^T in one call


class RNNCell(nn.Module):
    r"""One step of an Elman RNN: $h' = f(x W_{ih}^\top + b_{ih} + h W_{hh}^\top + b_{hh})$.

    $f$ is $\tanh$, or ReLU with ``nonlinearity='relu'``.

    Parameters
    ----------
    input_size : int
        Size $H_\text{in}$ of the input $x$.
    hidden_size : int
        Size $H$ of the hidden state $h$.
    bias : bool, default True
        Learn the biases $b_{ih}$ and $b_{hh}$; ``False`` registers them as ``None``.
    nonlinearity : {'tanh', 'relu'}, default 'tanh'
        The activation applied to the sum.
    device, dtype : optional
        Device and dtype of the parameters.

    Attributes
    ----------
    weight_ih : torch.nn.Parameter
        $W_{ih}$, shape $(H, H_\text{in})$.
    weight_hh : torch.nn.Parameter
        $W_{hh}$, shape $(H, H)$.
    bias_ih, bias_hh : torch.nn.Parameter or None
        $b_{ih}$ and $b_{hh}$, shape $(H)$.

    Raises
    ------
    ValueError
        At construction, if ``input_size`` or ``hidden_size`` is negative (PyTorch's ``RNNCell``
        fails inside ``torch.empty`` with a ``RuntimeError``; 0 is allowed, as in PyTorch, and
        gives weights with no entries) or ``nonlinearity`` is not ``'tanh'`` or ``'relu'``
        (PyTorch's ``RNNCell`` only fails at the first forward call); in ``forward``, if the
        input or hidden state has the wrong number of dimensions or the wrong shape.
    TypeError
        At construction, if ``input_size`` or ``hidden_size`` is not an integer, or is a
        ``bool`` (PyTorch's ``RNNCell`` takes ``True`` as 1); in ``forward``, if the input or
        ``hx`` is not floating point or its dtype is not the parameters' dtype (the message names
        which).

    Notes
    -----
    Shape: input $(N, H_\text{in})$ or unbatched $(H_\text{in})$; ``hx`` $(N, H)$ or $(H)$,
    zeros if omitted; output $(N, H)$ or $(H)$.

    Every parameter is initialized from $\mathcal{U}(-1/\sqrt{H}, 1/\sqrt{H})$, in the order
    ``weight_ih, weight_hh, bias_ih, bias_hh`` (PyTorch's order, so the same seed gives the same
    parameters).

    See Also
    --------
    torch.nn.RNNCell : the PyTorch module this mirrors.
    step, input_part : the formula this module evaluates.
    RNN : the same step run over a sequence.

    Examples
    --------
    >>> import torch
    >>> import dlref.nn
    >>> cell = dlref.nn.RNNCell(3, 2)
    >>> cell
    RNNCell(3, 2)
    >>> h = cell(torch.randn(5, 3))  # batch of 5, hidden state starts at zero
    >>> cell(torch.randn(5, 3), h).shape
    torch.Size([5, 2])
    >>> ref = torch.nn.RNNCell(3, 2)
    >>> _ = ref.load_state_dict(cell.state_dict())
    >>> x = torch.randn(3)  # unbatched
    >>> torch.allclose(cell(x), ref(x))
    True
    """

    input_size: int
    hidden_size: int
    bias: bool
    nonlinearity: str
    weight_ih: nn.Parameter
    weight_hh: nn.Parameter
    bias_ih: nn.Parameter | None
    bias_hh: nn.Parameter | None

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        self._act = _activation(nonlinearity)
        check_size(input_size, "input_size")
        check_size(hidden_size, "hidden_size")
        factory: dict[str, Any] = {"device": device, "dtype": dtype}
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.nonlinearity = nonlinearity
        self.weight_ih = nn.Parameter(torch.empty(hidden_size, input_size, **factory))
        self.weight_hh = nn.Parameter(torch.empty(hidden_size, hidden_size, **factory))
        if bias:
            self.bias_ih = nn.Parameter(torch.empty(hidden_size, **factory))
            self.bias_hh = nn.Parameter(torch.empty(hidden_size, **factory))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        r"""Draw every parameter from $\mathcal{U}(-1/\sqrt{H}, 1/\sqrt{H})$."""
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0.0
        with torch.no_grad():
            for weight in self.parameters():
                weight.uniform_(-bound, bound)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        r"""Return $h'$ for one step; ``hx`` defaults to zeros."""
        check_tensor(input, "input")
        if input.dim() not in (1, 2):
            raise ValueError(f"RNNCell: Expected input to be 1D or 2D, got {input.dim()}D instead")
        _check_dtype(input, self.weight_ih)
        batched = input.dim() == 2
        x = input if batched else input.unsqueeze(0)
        if x.shape[1] != self.input_size:
            raise ValueError(
                f"RNNCell: input shape {tuple(input.shape)} does not match input_size="
                f"{self.input_size}: the last dimension must be {self.input_size}"
            )
        expected = (x.shape[0], self.hidden_size) if batched else (self.hidden_size,)
        if hx is None:
            h = x.new_zeros(x.shape[0], self.hidden_size)
        else:
            if tuple(hx.shape) != expected:
                raise ValueError(
                    f"RNNCell: hx shape {tuple(hx.shape)} does not match: expected {expected} "
                    f"for input of shape {tuple(input.shape)}"
                )
            _check_dtype(hx, self.weight_ih, "hx")
            h = hx if batched else hx.unsqueeze(0)
        u = input_part(x, self.weight_ih, self.bias_ih, self.bias_hh)  # x W_ih^T + b_ih + b_hh
        h_next = step(u, h, self.weight_hh.t(), self._act)  # act(u + h W_hh^T)
        return h_next if batched else h_next.squeeze(0)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if self.nonlinearity != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s


# ---- the reference form: the step, repeated over time --------------------------------------------


def direction_reference(
    inputs: Tensor,
    h: Tensor,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None,
    bias_hh: Tensor | None,
    act: Activation,
    reverse: bool = False,
) -> tuple[Tensor, Tensor]:
    r"""Run one direction of one layer over a sequence: the cell's step at every time step.

    $$
    h_t = f\left(x_t W_{ih}^\top + b_{ih} + b_{hh} + h_{t-1} W_{hh}^\top\right),
    \qquad t = 1, \dots, L
    $$

    (or $t = L, \dots, 1$ when ``reverse``), exactly as :class:`RNNCell` computes one step.

    Parameters
    ----------
    inputs : Tensor
        The sequence $(L, N, H_\text{in})$, time first.
    h : Tensor
        The initial hidden state $h_0$, $(N, H)$.
    weight_ih, weight_hh : Tensor
        $W_{ih}$ $(H, H_\text{in})$ and $W_{hh}$ $(H, H)$.
    bias_ih, bias_hh : Tensor or None
        $b_{ih}$ and $b_{hh}$ $(H)$, or ``None`` for none.
    act : callable
        $f$, e.g. ``torch.tanh``.
    reverse : bool, default False
        Run from the last time step to the first.

    Returns
    -------
    tuple of Tensor
        Every hidden state $(L, N, H)$ (in time order, also when ``reverse``) and the last one
        computed, $(N, H)$.

    See Also
    --------
    direction_hoisted : the same numbers, with the input part moved out of the loop.
    """
    xs = inputs.unbind(0)  # x_1, ..., x_L
    weight_hh_t = weight_hh.t()
    states: list[Tensor] = [h] * len(xs)  # placeholders, each overwritten below
    order = range(len(xs) - 1, -1, -1) if reverse else range(len(xs))
    for t in order:
        h = step(input_part(xs[t], weight_ih, bias_ih, bias_hh), h, weight_hh_t, act)
        states[t] = h
    return torch.stack(states), h


# ==== Fast form: the input part hoisted out of the time loop ======================================
# A lesson of its own (page「循环神经网络」): the input part u_t does not depend on h, so all L of
# them can be computed before the loop, in one (L*N, H_in) x (H_in, H) matrix product instead of L
# small ones. Only h_{t-1} W_hh^T, which does depend on the previous step, stays in the loop.
# tests/nn/test_rnn.py proves it equal to direction_reference: values, gradients, second
# derivatives.


def direction_hoisted(
    inputs: Tensor,
    h: Tensor,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None,
    bias_hh: Tensor | None,
    act: Activation,
    reverse: bool = False,
) -> tuple[Tensor, Tensor]:
    r"""The same as :func:`direction_reference`, with every input part computed before the loop.

    $U = X W_{ih}^\top + b_{ih} + b_{hh}$ for the whole sequence ($X$ is the $(L N, H_\text{in})$
    matrix of all inputs; the $N$ rows of $U$ for step $t$ are $u_t$), then
    $h_t = f(u_t + h_{t-1} W_{hh}^\top)$ with the same :func:`step`. Same arguments and results
    as :func:`direction_reference`.
    """
    seq_len, batch, features = inputs.shape
    u_all = input_part(inputs.reshape(seq_len * batch, features), weight_ih, bias_ih, bias_hh)
    # unbind gives one (N, H) tensor per step. Its backward stacks the L step gradients into
    # the (L, N, H) gradient once. Indexing u_all[t] in the loop would compute the same
    # numbers, but each index's backward writes its gradient into a full-size (L, N, H)
    # zero tensor and autograd sums the L of them: L times the memory traffic, and a
    # backward slower than PyTorch's (measured in bench/bench_rnn.py).
    u = u_all.view(seq_len, batch, weight_hh.shape[0]).unbind(0)
    weight_hh_t = weight_hh.t()
    states: list[Tensor] = [h] * seq_len  # placeholders, each overwritten below
    order = range(seq_len - 1, -1, -1) if reverse else range(seq_len)
    for t in order:
        h = step(u[t], h, weight_hh_t, act)
        states[t] = h
    # One stack at the end (its backward is one unbind) rather than writing each state into
    # a preallocated output tensor, which autograd would have to track step by step.
    return torch.stack(states), h


# ==== Fast form 2: backpropagation through time, written out ======================================
# A lesson of its own (page「循环神经网络」, section「手写随时间反向传播」): the backward that
# autograd assembles from L copies of addmm's and tanh's backward, written as the page derives it.
# In the page's notation (u_t the input part, a_t = u_t + h_{t-1} W_hh^T the pre-activation,
# h_t = f(a_t)), going back from the last step,
# delta_t = dL/da_t = (dL_t/dh_t + delta_{t+1} W_hh) * f'(a_t); and W_hh's gradient,
# sum_t delta_t^T h_{t-1}, is one matrix product of all the deltas and the states before them,
# stacked, where autograd computes L small products and adds them up one by one. The arithmetic
# is the same; what it saves (one matrix product per step instead of two, one autograd node
# instead of 2L, no running sum of L weight gradients) is measured against direction_hoisted
# (autograd's backward of the same forward) by `bench/bench_rnn.py --variants`, and against
# torch.nn.RNN by `make bench` (docs/performance.md#rnn). tests/nn/test_rnn.py proves it equal to
# direction_reference: values, gradients, second derivatives.


def tanh_backward(g: Tensor, h: Tensor) -> Tensor:
    r"""$g \odot \tanh'(a)$, read off the output $h = \tanh(a)$: $\tanh'(a) = 1 - h^2$."""
    return g * (1 - h * h)


def relu_backward(g: Tensor, h: Tensor) -> Tensor:
    r"""$g \odot \operatorname{ReLU}'(a)$, read off the output $h = \operatorname{ReLU}(a)$.

    $\operatorname{ReLU}'(a)$ is 1 where $a > 0$ (there $h > 0$) and 0 elsewhere (at $a = 0$,
    where it has no derivative, 0 as in PyTorch). Where $h \le 0$ the gradient is set to 0 rather
    than multiplied by 0, as in PyTorch: an infinite $g$ gives 0 there, not NaN, and $g$ passes
    where $h$ is NaN.
    """
    return g.masked_fill(h <= 0, 0.0)


# The backward needs only the states the forward returns: f'(a) is read off h = f(a).
ACTIVATION_BACKWARD: dict[Activation, Callable[[Tensor, Tensor], Tensor]] = {
    torch.tanh: tanh_backward,
    torch.relu: relu_backward,
}


class _Recurrence(torch.autograd.Function):
    r"""$h_t = f(u_t + h_{t-1} W_{hh}^\top)$ over the sequence, with BPTT as its backward.

    $u_t$ is the input part and $a_t = u_t + h_{t-1} W_{hh}^\top$ the pre-activation. With
    ``reverse`` time runs the other way: "the step before $t$" is $t + 1$, and the first step
    computed is $t = L$.
    """

    @staticmethod
    def forward(
        ctx: Any, u: Tensor, h: Tensor, weight_hh: Tensor, act: Activation, reverse: bool
    ) -> Tensor:
        h0, weight_hh_t = h, weight_hh.t()
        states: list[Tensor] = [h] * u.shape[0]  # placeholders, each overwritten below
        order = range(u.shape[0] - 1, -1, -1) if reverse else range(u.shape[0])
        for t in order:
            # u[t] is cheap here: forward runs without autograd, so indexing records nothing
            h = step(u[t], h, weight_hh_t, act)  # the same step as every other form
            states[t] = h
        output = torch.stack(states)
        ctx.save_for_backward(output, h0, weight_hh)
        ctx.act, ctx.reverse = act, reverse
        return output

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, Tensor | None, Tensor | None, None, None]:
        states, h0, weight_hh = ctx.saved_tensors
        activation_backward = ACTIVATION_BACKWARD[ctx.act]
        seq_len = states.shape[0]
        order = range(seq_len) if ctx.reverse else range(seq_len - 1, -1, -1)  # last step first
        deltas: list[Tensor] = [grad[0]] * seq_len  # placeholders, each overwritten below
        grad_prev = torch.zeros_like(grad[0])  # delta_{t+1} W_hh: nothing after the last step
        reads_h0 = order[-1]  # the step that read h_0 (t = 1, or t = L when reverse)
        for t in order:
            # delta_t = dL/da_t = (dL_t/dh_t + delta_{t+1} W_hh) * f'(a_t), dL_t/dh_t = grad[t]
            deltas[t] = activation_backward(grad[t] + grad_prev, states[t])
            if t != reads_h0 or ctx.needs_input_grad[1]:  # skip h_0's product if none is asked
                grad_prev = deltas[t] @ weight_hh  # to h_{t-1}, through a_t = ... + h_{t-1} W_hh^T
        # After the loop grad_prev = delta_1 W_hh (delta_L W_hh when reverse): dL/dh_0.
        grad_h0 = grad_prev if ctx.needs_input_grad[1] else None
        delta = torch.stack(deltas)  # (L, N, H): dL/da_t, which is also dL/du_t
        grad_weight_hh = None
        if ctx.needs_input_grad[2]:  # as autograd does: no product for a gradient nobody needs
            # h_{t-1} for every t: h_0 for the first step computed, else the state computed before
            rest = states[1:] if ctx.reverse else states[:-1]  # every state a later step read
            before = torch.cat([rest, h0[None]]) if ctx.reverse else torch.cat([h0[None], rest])
            # sum_t delta_t^T h_{t-1}, over time and samples at once: one (H, LN) x (LN, H) product
            grad_weight_hh = delta.flatten(0, 1).t() @ before.flatten(0, 1)
        return delta, grad_h0, grad_weight_hh, None, None


def direction_bptt(
    inputs: Tensor,
    h: Tensor,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None,
    bias_hh: Tensor | None,
    act: Activation,
    reverse: bool = False,
) -> tuple[Tensor, Tensor]:
    r"""The same as :func:`direction_hoisted`, with backpropagation through time written out.

    The forward is :func:`direction_hoisted`'s. The backward of the loop is the page's
    derivation, in the page's notation: $u_t$ is the input part and
    $a_t = u_t + h_{t-1} W_{hh}^\top$ the pre-activation, $h_t = f(a_t)$. From the last step
    back to the first,

    $$
    \delta_t = \frac{\partial \mathcal{L}}{\partial a_t}
             = \Bigl(\frac{\partial \mathcal{L}_t}{\partial h_t}
               + \delta_{t+1} W_{hh}\Bigr) \odot f'(a_t),
    \qquad
    \frac{\partial \mathcal{L}}{\partial W_{hh}} = \sum_{t=1}^{L} \delta_t^\top h_{t-1},
    $$

    where $\partial \mathcal{L}_t / \partial h_t$ is the gradient arriving at output $t$
    ($\delta_{L+1} = 0$) and $f'(a_t)$ is read off $h_t$ ($1 - h_t^2$ for tanh). The sum over
    $t$ is one matrix product of the $(L N, H)$ stacked deltas and previous states. $u_t$ enters
    $a_t$ with factor 1, so $\delta_t$ is also the gradient of $u_t$, from which autograd
    continues into $W_{ih}$, the biases and the input; the gradient of $h_0$ is
    $\delta_1 W_{hh}$. With ``reverse`` time runs backwards: $a_t$ reads $h_{t+1}$, the deltas
    are computed from $t = 1$ up, $W_{hh}$'s gradient is $\sum_t \delta_t^\top h_{t+1}$ (with
    $h_{L+1} = h_0$) and $h_0$'s gradient is $\delta_L W_{hh}$. Same arguments and results as
    :func:`direction_reference`; ``act`` must be ``torch.tanh`` or ``torch.relu`` (the two
    derivatives written here).
    """
    if act not in ACTIVATION_BACKWARD:
        raise ValueError(
            f"direction_bptt writes the derivative of torch.tanh and torch.relu only, got {act!r};"
            f" direction_hoisted takes any activation"
        )
    seq_len, batch, features = inputs.shape
    u = input_part(inputs.reshape(seq_len * batch, features), weight_ih, bias_ih, bias_hh)
    saved: Tensor = _Recurrence.apply(  # type: ignore[no-untyped-call]
        u.view(seq_len, batch, weight_hh.shape[0]), h, weight_hh, act, reverse
    )
    # The Function saves its output for the backward, so a caller that changed it in place
    # would make the backward fail; torch.nn.RNN allows that, so the caller gets a copy.
    states = saved.clone()
    return states, states[0] if reverse else states[-1]


# ---- the module: layers and directions around the fast forms -------------------------------------


class RNN(nn.Module):
    r"""A multi-layer Elman RNN over whole sequences, optionally bidirectional.

    For layer $k$ and time step $t$,

    $$
    h_t^{(k)} = f\left(x_t^{(k)} W_{ih}^{(k)\top} + b_{ih}^{(k)}
    + h_{t-1}^{(k)} W_{hh}^{(k)\top} + b_{hh}^{(k)}\right),
    $$

    where $f$ is $\tanh$ (ReLU with ``nonlinearity='relu'``), $x_t^{(0)}$ is the input and
    $x_t^{(k)}$ for $k > 0$ is the output of layer $k-1$ at step $t$ (with dropout applied to it
    in training mode if ``dropout > 0``). A bidirectional layer also runs a second recurrence
    from $t = L$ down to $t = 1$ with its own parameters (suffix ``_reverse``), and its output
    at step $t$ is the two hidden states concatenated.

    Parameters
    ----------
    input_size : int
        Size $H_\text{in}$ of each input vector.
    hidden_size : int
        Size $H$ of the hidden state.
    num_layers : int, default 1
        Number of stacked layers.
    nonlinearity : {'tanh', 'relu'}, default 'tanh'
        The activation.
    bias : bool, default True
        Learn the biases $b_{ih}$, $b_{hh}$.
    batch_first : bool, default False
        Input and output are $(N, L, \cdot)$ instead of $(L, N, \cdot)$. ``h_0`` and ``h_n``
        keep the batch in the middle either way, as in PyTorch.
    dropout : float, default 0.0
        Dropout probability on the outputs of every layer except the last, in training mode.
    bidirectional : bool, default False
        Add a reverse-direction recurrence to every layer.
    device, dtype : optional
        Device and dtype of the parameters.

    Attributes
    ----------
    weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k} : torch.nn.Parameter
        Parameters of layer $k$, with PyTorch's names (and ``..._reverse`` for the reverse
        direction), so a ``state_dict`` loads into ``torch.nn.RNN`` and back. ``weight_ih_l0``
        has shape $(H, H_\text{in})$, ``weight_ih_l{k}`` for $k > 0$ has shape $(H, D H)$,
        ``weight_hh_l{k}`` $(H, H)$, biases $(H)$.

    Raises
    ------
    TypeError
        If ``input_size``, ``hidden_size`` or ``num_layers`` is not an int or is a ``bool``
        (``torch.nn.RNN`` takes ``True`` as 1 for ``input_size`` and ``num_layers``), ``bias``
        or ``batch_first`` is not a ``bool`` (as in ``torch.nn.RNN``), the input's dtype is not
        the parameters' dtype, the input is a ``PackedSequence``, or ``hx`` is not of the
        parameters' floating-point dtype.
    ValueError
        At construction: a size that is not positive, ``dropout`` outside $[0, 1]$, an unknown
        ``nonlinearity``. In ``forward``: input not 2-d/3-d, wrong feature size, empty
        sequence, ``hx`` of the wrong shape (the message names the expected and the actual
        shape).

    Warns
    -----
    UserWarning
        If ``dropout > 0`` and ``num_layers == 1`` (dropout is only applied between layers), with
        PyTorch's message.

    Notes
    -----
    Shape, with $D = 2$ if bidirectional else $1$:

    * input: $(L, N, H_\text{in})$, $(N, L, H_\text{in})$ if ``batch_first``, or unbatched
      $(L, H_\text{in})$;
    * ``hx`` ($h_0$): $(D \cdot \text{num\_layers}, N, H)$ or unbatched
      $(D \cdot \text{num\_layers}, H)$; zeros if omitted;
    * output: $(L, N, D H)$ (or $(N, L, D H)$, or $(L, D H)$): the last layer's hidden state at
      every step;
    * $h_n$: same shape as $h_0$, the final hidden state of every layer and direction.

    Every parameter is initialized from $\mathcal{U}(-1/\sqrt{H}, 1/\sqrt{H})$ in PyTorch's
    parameter order, so under the same seed dlref and PyTorch draw the same numbers. A
    ``PackedSequence`` input is not supported: pad the sequences instead.

    See Also
    --------
    torch.nn.RNN : the PyTorch module this mirrors.
    RNNCell : one step of the recurrence.
    direction_reference : one layer and direction, step by step (the reference form).
    direction_hoisted : the same, with the input part computed before the loop.
    direction_bptt : the same, with the backward written out; this module runs it.

    Examples
    --------
    >>> import torch
    >>> import dlref.nn
    >>> rnn = dlref.nn.RNN(3, 4, num_layers=2, bidirectional=True)
    >>> rnn
    RNN(3, 4, num_layers=2, bidirectional=True)
    >>> x = torch.randn(7, 5, 3)  # (L, N, H_in)
    >>> output, h_n = rnn(x)
    >>> output.shape, h_n.shape
    (torch.Size([7, 5, 8]), torch.Size([4, 5, 4]))
    >>> ref = torch.nn.RNN(3, 4, num_layers=2, bidirectional=True)
    >>> _ = ref.load_state_dict(rnn.state_dict())
    >>> torch.allclose(ref(x)[0], output, atol=1e-6)
    True
    """

    input_size: int
    hidden_size: int
    num_layers: int
    nonlinearity: str
    bias: bool
    batch_first: bool
    dropout: float
    bidirectional: bool

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        self._act = _activation(nonlinearity)
        _check_positive_int(input_size, "input_size")
        _check_positive_int(hidden_size, "hidden_size")
        _check_positive_int(num_layers, "num_layers")
        for flag, name in ((bias, "bias"), (batch_first, "batch_first")):
            if not isinstance(flag, bool):  # as torch.nn.RNN checks: bias=1 is a slip, not True
                raise TypeError(f"{name} should be of type bool, got: {type(flag).__name__}")
        if isinstance(dropout, bool) or not 0.0 <= dropout <= 1.0:
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability of "
                f"an element being zeroed, got {dropout}"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                "dropout expects num_layers greater than 1, but got "
                f"dropout={dropout} and num_layers={num_layers}",
                UserWarning,
                stacklevel=2,
            )
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.nonlinearity = nonlinearity
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        num_directions = 2 if bidirectional else 1

        factory: dict[str, Any] = {"device": device, "dtype": dtype}
        # Registered in PyTorch's order: layer by layer, forward direction before reverse, and
        # weight_ih, weight_hh, bias_ih, bias_hh within one direction. parameters() (and so the
        # initialization and an optimizer's parameter list) follow the same order as torch.nn.RNN.
        self._names: list[list[str]] = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else hidden_size * num_directions
            for direction in range(num_directions):
                suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                shapes: dict[str, tuple[int, ...]] = {
                    "weight_ih": (hidden_size, layer_input),
                    "weight_hh": (hidden_size, hidden_size),
                }
                if bias:
                    shapes |= {"bias_ih": (hidden_size,), "bias_hh": (hidden_size,)}
                for name, shape in shapes.items():
                    self.register_parameter(
                        name + suffix, nn.Parameter(torch.empty(shape, **factory))
                    )
                self._names.append([name + suffix for name in shapes])
        self.reset_parameters()

    def reset_parameters(self) -> None:
        r"""Draw every parameter from $\mathcal{U}(-1/\sqrt{H}, 1/\sqrt{H})$."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        with torch.no_grad():
            for weight in self.parameters():
                weight.uniform_(-bound, bound)

    @property
    def all_weights(self) -> list[list[nn.Parameter]]:
        """The parameters grouped per layer and direction, like ``torch.nn.RNN.all_weights``."""
        return [[getattr(self, name) for name in names] for names in self._names]

    def _direction(
        self, layer_input: Tensor, h: Tensor, params: list[nn.Parameter], reverse: bool
    ) -> tuple[Tensor, Tensor]:
        """Run one direction of one layer over the sequence; return all states and the last."""
        b_ih, b_hh = (params[2], params[3]) if self.bias else (None, None)
        return direction_bptt(layer_input, h, params[0], params[1], b_ih, b_hh, self._act, reverse)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        r"""Run the RNN over ``input``; return ``(output, h_n)``."""
        if isinstance(input, nn.utils.rnn.PackedSequence):
            raise TypeError(
                "dlref.nn.RNN does not support PackedSequence input; pad the sequences to a "
                "common length (torch.nn.utils.rnn.pad_sequence) and pass a tensor"
            )
        check_tensor(input, "input")
        if input.dim() not in (2, 3):
            raise ValueError(
                f"RNN: Expected input to be 2D or 3D, got {input.dim()}D tensor instead"
            )
        weights = self.all_weights
        _check_dtype(input, weights[0][0])
        batched = input.dim() == 3
        if input.shape[-1] != self.input_size:
            raise ValueError(
                f"RNN: input shape {tuple(input.shape)} does not match input_size="
                f"{self.input_size}: input.size(-1) must be {self.input_size}"
            )
        # Work time-major, (L, N, H_in), with a batch dimension even for unbatched input.
        if not batched:
            x = input.unsqueeze(1)
        else:
            x = input.transpose(0, 1) if self.batch_first else input
        seq_len, batch = x.shape[0], x.shape[1]
        if seq_len == 0:
            raise ValueError(
                f"RNN: the sequence length must be at least 1, got input of shape "
                f"{tuple(input.shape)}"
            )

        num_directions = 2 if self.bidirectional else 1
        state_shape = (self.num_layers * num_directions, batch, self.hidden_size)
        if hx is None:
            h0 = x.new_zeros(state_shape)
        else:
            expected = state_shape if batched else (state_shape[0], state_shape[2])
            if tuple(hx.shape) != expected:
                raise ValueError(
                    f"RNN: hx shape {tuple(hx.shape)} does not match: expected {expected} "
                    f"(num_layers * num_directions, {'batch, ' if batched else ''}hidden_size) "
                    f"for input of shape {tuple(input.shape)}"
                )
            _check_dtype(hx, weights[0][0], "hx")
            h0 = hx if batched else hx.unsqueeze(1)

        layer_input = x
        last_states: list[Tensor] = []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(num_directions):
                index = layer * num_directions + direction
                out, h_last = self._direction(
                    layer_input, h0[index], weights[index], reverse=direction == 1
                )
                outputs.append(out)
                last_states.append(h_last)
            layer_input = outputs[0] if num_directions == 1 else torch.cat(outputs, dim=2)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                layer_input = dropout_fn(layer_input, self.dropout, training=True)

        output, h_n = layer_input, torch.stack(last_states)
        if not batched:
            return output.squeeze(1), h_n.squeeze(1)
        return (output.transpose(0, 1) if self.batch_first else output), h_n

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        if self.nonlinearity != "tanh":  # torch.nn.RNN's repr leaves it out; dlref shows it
            s += f", nonlinearity={self.nonlinearity}"
        return s
