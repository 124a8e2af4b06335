"""dlref.nn.RNNCell and dlref.nn.RNN against torch.nn: values, gradients, state_dict, errors."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.flop_counter import FlopCounterMode

import dlref.functional
import dlref.nn
from dlref.nn import rnn as rnn_module

TOL64 = {"atol": 1e-12, "rtol": 1e-12}
TOL32 = {"atol": 2e-5, "rtol": 2e-5}


def _tol(dtype: torch.dtype) -> dict[str, float]:
    return TOL64 if dtype == torch.float64 else TOL32


def _pair(cls_ours, cls_ref, torch_to_dlref, *args, **kwargs):  # type: ignore[no-untyped-def]
    ours, ref = cls_ours(*args, **kwargs), cls_ref(*args, **kwargs)
    if torch_to_dlref:
        ours.load_state_dict(ref.state_dict())
    else:
        ref.load_state_dict(ours.state_dict())
    return ours, ref


def _outputs_and_grads(model, x, hx):  # type: ignore[no-untyped-def]
    """Run the model on fresh leaf copies; return outputs and gradients of a random projection."""
    x = x.clone().requires_grad_()
    hx = None if hx is None else hx.clone().requires_grad_()
    out = model(x) if hx is None else model(x, hx)
    outs = out if isinstance(out, tuple) else (out,)
    gen = torch.Generator().manual_seed(11)
    loss = sum((o * torch.randn(o.shape, generator=gen, dtype=o.dtype)).sum() for o in outs)
    model.zero_grad()
    loss.backward()
    grads = [x.grad] + ([] if hx is None else [hx.grad]) + [p.grad for p in model.parameters()]
    return outs, grads


def _assert_same(ours, ref, x, hx, dtype):  # type: ignore[no-untyped-def]
    outs_a, grads_a = _outputs_and_grads(ours, x, hx)
    outs_b, grads_b = _outputs_and_grads(ref, x, hx)
    for a, b in zip(outs_a, outs_b, strict=True):
        assert a.shape == b.shape
        torch.testing.assert_close(a, b, **_tol(dtype))
    for a, b in zip(grads_a, grads_b, strict=True):
        torch.testing.assert_close(a, b, **_tol(dtype))


# ---- RNNCell -------------------------------------------------------------------------------------


def test_cell_parameters_repr_and_init_match_torch() -> None:
    for kw in ({}, {"bias": False, "nonlinearity": "relu"}):
        torch.manual_seed(1)
        ours = dlref.nn.RNNCell(3, 4, **kw)
        torch.manual_seed(1)
        ref = torch.nn.RNNCell(3, 4, **kw)
        assert repr(ours) == repr(ref)
        names = [(n, p.shape) for n, p in ours.named_parameters()]
        assert names == [(n, p.shape) for n, p in ref.named_parameters()]
        for a, b in zip(ours.parameters(), ref.parameters(), strict=True):
            assert torch.equal(a, b)


def _parameter_summary(module: torch.nn.Module) -> list[tuple[object, ...]]:
    return [(n, p.shape, p.dtype, p.device) for n, p in module.named_parameters()]


def test_cell_device_and_dtype_reach_every_parameter_like_torch() -> None:
    """Built on the meta device (shapes without storage; the default, CPU, could not tell
    whether ``device=`` is used at all), every parameter has torch.nn.RNNCell's name, shape,
    dtype and device."""
    for kw in ({}, {"bias": False, "nonlinearity": "relu"}):
        ours = dlref.nn.RNNCell(3, 4, device="meta", dtype=torch.float64, **kw)
        ref = torch.nn.RNNCell(3, 4, device="meta", dtype=torch.float64, **kw)
        assert _parameter_summary(ours) == _parameter_summary(ref)
        assert all(p.device.type == "meta" for p in ours.parameters())


@settings(max_examples=60, deadline=None)
@given(
    batch=st.one_of(st.none(), st.integers(0, 4)),
    input_size=st.integers(1, 5),
    hidden_size=st.integers(1, 5),
    bias=st.booleans(),
    nonlinearity=st.sampled_from(["tanh", "relu"]),
    with_hx=st.booleans(),
    dtype=st.sampled_from([torch.float64, torch.float32]),
    torch_to_dlref=st.booleans(),
)
def test_cell_matches_torch(
    batch: int | None,
    input_size: int,
    hidden_size: int,
    bias: bool,
    nonlinearity: str,
    with_hx: bool,
    dtype: torch.dtype,
    torch_to_dlref: bool,
) -> None:
    ours, ref = _pair(
        dlref.nn.RNNCell,
        torch.nn.RNNCell,
        torch_to_dlref,
        input_size,
        hidden_size,
        bias=bias,
        nonlinearity=nonlinearity,
        dtype=dtype,
    )
    lead = () if batch is None else (batch,)
    torch.manual_seed(0)
    x = torch.randn(*lead, input_size, dtype=dtype)
    hx = torch.randn(*lead, hidden_size, dtype=dtype) if with_hx else None
    _assert_same(ours, ref, x, hx, dtype)


def test_cell_gradcheck() -> None:
    cell = dlref.nn.RNNCell(3, 4, dtype=torch.float64)
    x = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    h = torch.randn(2, 4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(cell, (x, h))
    assert torch.autograd.gradcheck(cell, (x[0], h[0]))


def test_cell_errors() -> None:
    cell = dlref.nn.RNNCell(3, 4)
    with pytest.raises(ValueError, match=r"Expected input to be 1D or 2D, got 3D instead"):
        cell(torch.randn(1, 2, 3))
    with pytest.raises(ValueError, match=r"input shape \(2, 5\) does not match input_size=3"):
        cell(torch.randn(2, 5))
    with pytest.raises(ValueError, match=r"hx shape \(3, 4\) does not match: expected \(2, 4\)"):
        cell(torch.randn(2, 3), torch.randn(3, 4))
    with pytest.raises(ValueError, match=r"hx shape \(1, 4\) does not match: expected \(4,\)"):
        cell(torch.randn(3), torch.randn(1, 4))
    with pytest.raises(TypeError, match=r"input dtype torch.float64 does not match"):
        cell(torch.randn(2, 3, dtype=torch.float64))
    with pytest.raises(TypeError, match=r"floating-point"):
        cell(torch.ones(2, 3, dtype=torch.long))
    with pytest.raises(TypeError, match=r"hx dtype torch.float64 does not match"):
        cell(torch.randn(2, 3), torch.randn(2, 4, dtype=torch.float64))
    with pytest.raises(TypeError, match=r"hx must have a floating-point dtype, got torch.int64"):
        cell(torch.randn(2, 3), torch.zeros(2, 4, dtype=torch.long))
    with pytest.raises(ValueError, match=r"Unknown nonlinearity 'sigmoid'. Select from 'tanh' or"):
        dlref.nn.RNNCell(3, 4, nonlinearity="sigmoid")


def test_cell_constructor_size_errors() -> None:
    """Where torch.nn.RNNCell fails inside torch.empty, dlref names the argument."""
    with pytest.raises(ValueError, match=r"hidden_size must be zero or greater, got -1"):
        dlref.nn.RNNCell(3, -1)
    with pytest.raises(ValueError, match=r"input_size must be zero or greater, got -2"):
        dlref.nn.RNNCell(-2, 4)
    with pytest.raises(TypeError, match=r"hidden_size should be of type int, got: float"):
        dlref.nn.RNNCell(3, 4.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"input_size should be of type int, got: str"):
        dlref.nn.RNNCell("3", 4)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"hidden_size should be of type int, got: bool"):
        dlref.nn.RNNCell(3, True)
    with pytest.raises(TypeError, match=r"input_size should be of type int, got: Tensor"):
        dlref.nn.RNNCell(torch.tensor(3.0), 4)  # type: ignore[arg-type]
    for args in ((3, -1), (-2, 4), (3, 4.0), (torch.tensor(3.0), 4)):  # torch refuses them too
        with pytest.raises((RuntimeError, TypeError)):
            torch.nn.RNNCell(*args)


@pytest.mark.parametrize("size", [np.int64(3), torch.tensor(3)], ids=["numpy", "tensor"])
def test_cell_accepts_any_integer_size(size: object) -> None:
    """Like torch.nn.RNNCell, any integer torch.empty takes is a size: NumPy's, a tensor's."""
    ours, theirs = dlref.nn.RNNCell(size, 4), torch.nn.RNNCell(size, 4)  # type: ignore[arg-type]
    assert ours.weight_ih.shape == theirs.weight_ih.shape == (4, 3)


@pytest.mark.parametrize(("input_size", "hidden_size"), [(3, 0), (0, 4)])
def test_cell_size_zero_builds_an_empty_cell_like_torch(input_size: int, hidden_size: int) -> None:
    """torch.nn.RNNCell accepts a size of 0 (RNN does not); so does dlref, with the same result."""
    ours, ref = _pair(dlref.nn.RNNCell, torch.nn.RNNCell, True, input_size, hidden_size)
    assert [p.shape for p in ours.parameters()] == [p.shape for p in ref.parameters()]
    x = torch.randn(2, input_size)
    torch.testing.assert_close(ours(x), ref(x))
    assert ours(x).shape == (2, hidden_size)


# ---- RNN -----------------------------------------------------------------------------------------


def test_rnn_parameter_names_order_and_shapes_match_torch() -> None:
    for kw in ({}, {"num_layers": 3, "bidirectional": True}, {"num_layers": 2, "bias": False}):
        ours, ref = dlref.nn.RNN(3, 4, **kw), torch.nn.RNN(3, 4, **kw)
        names = [(n, p.shape) for n, p in ours.named_parameters()]
        assert names == [(n, p.shape) for n, p in ref.named_parameters()]
        assert list(ours.state_dict()) == list(ref.state_dict())
        assert [[p.shape for p in group] for group in ours.all_weights] == [
            [p.shape for p in group] for group in ref.all_weights
        ]


def test_rnn_device_and_dtype_reach_every_parameter_like_torch() -> None:
    """As for the cell: on the meta device, every parameter of every layer and direction has
    torch.nn.RNN's name, shape, dtype and device."""
    for kw in ({}, {"num_layers": 3, "bidirectional": True}, {"num_layers": 2, "bias": False}):
        ours = dlref.nn.RNN(3, 4, device="meta", dtype=torch.float64, **kw)
        ref = torch.nn.RNN(3, 4, device="meta", dtype=torch.float64, **kw)
        assert _parameter_summary(ours) == _parameter_summary(ref)
        assert all(p.device.type == "meta" for p in ours.parameters())


def test_rnn_repr_matches_torch() -> None:
    kw = {
        "num_layers": 2,
        "bias": False,
        "batch_first": True,
        "dropout": 0.1,
        "bidirectional": True,
    }
    assert repr(dlref.nn.RNN(4, 3, **kw)) == repr(torch.nn.RNN(4, 3, **kw))
    assert repr(dlref.nn.RNN(4, 3)) == repr(torch.nn.RNN(4, 3))
    assert repr(dlref.nn.RNN(4, 3, nonlinearity="relu")) == "RNN(4, 3, nonlinearity=relu)"


def test_rnn_same_seed_same_init_as_torch() -> None:
    torch.manual_seed(3)
    ours = dlref.nn.RNN(5, 4, num_layers=2, bidirectional=True)
    torch.manual_seed(3)
    ref = torch.nn.RNN(5, 4, num_layers=2, bidirectional=True)
    for a, b in zip(ours.parameters(), ref.parameters(), strict=True):
        assert torch.equal(a, b)


def test_rnn_init_distribution() -> None:
    torch.manual_seed(0)
    hidden = 100
    rnn = dlref.nn.RNN(30, hidden, num_layers=2)
    bound = 1 / math.sqrt(hidden)
    values = torch.cat([p.detach().reshape(-1) for p in rnn.parameters()])
    assert values.abs().max().item() <= bound
    assert values.abs().max().item() > 0.99 * bound
    assert abs(values.var().item() / (bound**2 / 3) - 1) < 0.03  # U(-a, a): variance a^2/3
    assert abs(values.mean().item()) < 0.02 * bound


@settings(max_examples=100, deadline=None)
@given(
    seq_len=st.integers(1, 5),
    batch=st.one_of(st.none(), st.integers(0, 3)),  # None: unbatched (L, H_in) input
    input_size=st.integers(1, 4),
    hidden_size=st.integers(1, 4),
    num_layers=st.integers(1, 3),
    bidirectional=st.booleans(),
    batch_first=st.booleans(),
    bias=st.booleans(),
    nonlinearity=st.sampled_from(["tanh", "relu"]),
    with_hx=st.booleans(),
    dtype=st.sampled_from([torch.float64, torch.float64, torch.float32]),
    torch_to_dlref=st.booleans(),
)
def test_rnn_matches_torch(
    seq_len: int,
    batch: int | None,
    input_size: int,
    hidden_size: int,
    num_layers: int,
    bidirectional: bool,
    batch_first: bool,
    bias: bool,
    nonlinearity: str,
    with_hx: bool,
    dtype: torch.dtype,
    torch_to_dlref: bool,
) -> None:
    ours, ref = _pair(
        dlref.nn.RNN,
        torch.nn.RNN,
        torch_to_dlref,
        input_size,
        hidden_size,
        num_layers=num_layers,
        nonlinearity=nonlinearity,
        bias=bias,
        batch_first=batch_first,
        bidirectional=bidirectional,
        dtype=dtype,
    )
    torch.manual_seed(0)
    states = num_layers * (2 if bidirectional else 1)
    if batch is None:
        x = torch.randn(seq_len, input_size, dtype=dtype)
        hx = torch.randn(states, hidden_size, dtype=dtype) if with_hx else None
    else:
        shape = (batch, seq_len) if batch_first else (seq_len, batch)
        x = torch.randn(*shape, input_size, dtype=dtype)
        hx = torch.randn(states, batch, hidden_size, dtype=dtype) if with_hx else None
    _assert_same(ours, ref, x, hx, dtype)


def test_rnn_long_sequence_and_non_contiguous_input() -> None:
    ours, ref = _pair(dlref.nn.RNN, torch.nn.RNN, True, 3, 5, num_layers=2, dtype=torch.float64)
    torch.manual_seed(0)
    x = torch.randn(4, 50, 3, dtype=torch.float64).transpose(0, 1)  # (L, N, H_in), strided
    assert not x.is_contiguous()
    _assert_same(ours, ref, x, None, torch.float64)


def test_rnn_gradcheck() -> None:
    torch.manual_seed(0)
    rnn = dlref.nn.RNN(2, 3, num_layers=2, bidirectional=True, dtype=torch.float64)
    x = torch.randn(4, 2, 2, dtype=torch.float64, requires_grad=True)
    h = torch.randn(4, 2, 3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda x, h: rnn(x, h), (x, h))
    relu = dlref.nn.RNN(2, 3, nonlinearity="relu", batch_first=True, dtype=torch.float64)
    assert torch.autograd.gradcheck(lambda x: relu(x), (x,))


def test_rnn_equals_unrolled_cell() -> None:
    torch.manual_seed(0)
    rnn = dlref.nn.RNN(3, 4, dtype=torch.float64)
    cell = dlref.nn.RNNCell(3, 4, dtype=torch.float64)
    cell.load_state_dict({k.removesuffix("_l0"): v for k, v in rnn.state_dict().items()})
    x = torch.randn(6, 2, 3, dtype=torch.float64)
    h = torch.zeros(2, 4, dtype=torch.float64)
    steps = []
    for t in range(6):
        h = cell(x[t], h)
        steps.append(h)
    output, h_n = rnn(x)
    torch.testing.assert_close(output, torch.stack(steps), **TOL64)
    torch.testing.assert_close(h_n[0], h, **TOL64)


def test_rnn_bidirectional_output_halves() -> None:
    # Forward half of the last step and reverse half of the first step are the final states.
    rnn = dlref.nn.RNN(3, 4, bidirectional=True)
    output, h_n = rnn(torch.randn(5, 2, 3))
    assert torch.equal(output[-1, :, :4], h_n[0])
    assert torch.equal(output[0, :, 4:], h_n[1])


def test_rnn_dropout_train_and_eval() -> None:
    ours, ref = _pair(dlref.nn.RNN, torch.nn.RNN, True, 3, 4, num_layers=3, dropout=0.5)
    x = torch.randn(5, 2, 3)
    torch.manual_seed(0)
    a = ours(x)[0]
    torch.manual_seed(1)
    b = ours(x)[0]
    assert not torch.equal(a, b)  # training: a random mask between layers
    # Between layers, and only there: layer by layer with dlref's dropout on the outputs of the
    # first two layers, under the same seed, gives the same output.
    layers = [torch.nn.RNN(3 if layer == 0 else 4, 4) for layer in range(3)]
    for layer, one in enumerate(layers):
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(one, f"{name}_l0").data = getattr(ours, f"{name}_l{layer}").detach()
    torch.manual_seed(0)
    h = x
    for layer, one in enumerate(layers):
        h = one(h)[0]
        if layer < 2:
            h = dlref.functional.dropout(h, 0.5)
    torch.testing.assert_close(a, h, **TOL32)
    ours.eval()
    ref.eval()
    torch.testing.assert_close(ours(x)[0], ref(x)[0], **TOL32)
    assert torch.equal(ours(x)[0], ours(x)[0])  # evaluation: deterministic


def test_rnn_dropout_warning_for_one_layer() -> None:
    with pytest.warns(UserWarning, match=r"dropout=0.5 and num_layers=1"):
        dlref.nn.RNN(3, 4, dropout=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dlref.nn.RNN(3, 4, num_layers=2, dropout=0.5)


def test_rnn_constructor_errors() -> None:
    with pytest.raises(
        ValueError, match=r"Unknown nonlinearity 'gelu'. Select from 'tanh' or 'relu'"
    ):
        dlref.nn.RNN(3, 4, nonlinearity="gelu")
    with pytest.raises(ValueError, match=r"hidden_size must be greater than zero, got 0"):
        dlref.nn.RNN(3, 0)
    with pytest.raises(ValueError, match=r"num_layers must be greater than zero, got 0"):
        dlref.nn.RNN(3, 4, num_layers=0)
    with pytest.raises(ValueError, match=r"input_size must be greater than zero, got 0"):
        dlref.nn.RNN(0, 4)
    with pytest.raises(TypeError, match=r"hidden_size should be of type int, got: float"):
        dlref.nn.RNN(3, 4.0)  # type: ignore[arg-type]
    for p in (-0.1, 1.5, True):
        with pytest.raises(ValueError, match=r"dropout should be a number in range \[0, 1\]"):
            dlref.nn.RNN(3, 4, num_layers=2, dropout=p)
    for name, value in (("bias", 1), ("batch_first", 0), ("bias", None)):
        message = rf"{name} should be of type bool, got: {type(value).__name__}"
        for module in (dlref.nn.RNN, torch.nn.RNN):  # the same check, the same message
            with pytest.raises(TypeError, match=message):
                module(3, 4, **{name: value})


def test_rnn_forward_errors() -> None:
    rnn = dlref.nn.RNN(3, 4, num_layers=2)
    with pytest.raises(ValueError, match=r"Expected input to be 2D or 3D, got 1D tensor instead"):
        rnn(torch.randn(3))
    with pytest.raises(ValueError, match=r"input shape \(5, 2, 6\) does not match input_size=3"):
        rnn(torch.randn(5, 2, 6))
    with pytest.raises(ValueError, match=r"sequence length must be at least 1"):
        rnn(torch.randn(0, 2, 3))
    with pytest.raises(
        ValueError, match=r"hx shape \(2, 3, 4\) does not match: expected \(2, 2, 4\)"
    ):
        rnn(torch.randn(5, 2, 3), torch.randn(2, 3, 4))
    with pytest.raises(
        ValueError, match=r"hx shape \(1, 2, 4\) does not match: expected \(2, 2, 4\)"
    ):
        rnn(torch.randn(5, 2, 3), torch.randn(1, 2, 4))
    with pytest.raises(ValueError, match=r"hx shape \(2, 1, 4\) does not match: expected \(2, 4\)"):
        rnn(torch.randn(5, 3), torch.randn(2, 1, 4))  # unbatched input, batched hx
    with pytest.raises(ValueError, match=r"hx shape \(2, 4\) does not match: expected \(2, 2, 4\)"):
        rnn(torch.randn(5, 2, 3), torch.randn(2, 4))
    with pytest.raises(TypeError, match=r"input dtype torch.float64 does not match"):
        rnn(torch.randn(5, 2, 3, dtype=torch.float64))
    with pytest.raises(TypeError, match=r"hx dtype torch.float64 does not match.*hx\.to"):
        rnn(torch.randn(5, 2, 3), torch.randn(2, 2, 4, dtype=torch.float64))
    with pytest.raises(TypeError, match=r"hx must have a floating-point dtype, got torch.int64"):
        rnn(torch.randn(5, 2, 3), torch.zeros(2, 2, 4, dtype=torch.long))
    packed = torch.nn.utils.rnn.pack_sequence([torch.randn(3, 3), torch.randn(2, 3)])
    with pytest.raises(TypeError, match=r"does not support PackedSequence"):
        rnn(packed)  # type: ignore[arg-type]


def test_rnn_batch_first_hx_keeps_batch_in_the_middle() -> None:
    rnn = dlref.nn.RNN(3, 4, num_layers=2, batch_first=True)
    output, h_n = rnn(torch.randn(5, 7, 3), torch.zeros(2, 5, 4))
    assert output.shape == (5, 7, 4) and h_n.shape == (2, 5, 4)


# ---- the reference form and the two fast forms ---------------------------------------------------

FAST_FORMS = (rnn_module.direction_hoisted, rnn_module.direction_bptt)
DIRECTIONS = (rnn_module.direction_reference, *FAST_FORMS)


def _direction_args(
    seq_len: int, batch: int, input_size: int, hidden: int, bias: bool, seed: int
) -> list[torch.Tensor | None]:
    """Float64 leaves requiring grad: inputs, h0, weight_ih, weight_hh, bias_ih, bias_hh."""
    g = torch.Generator().manual_seed(seed)

    def leaf(*shape: int) -> torch.Tensor:
        return (torch.randn(*shape, generator=g, dtype=torch.float64) / 2).requires_grad_()

    biases: list[torch.Tensor | None] = [leaf(hidden), leaf(hidden)] if bias else [None, None]
    return [
        leaf(seq_len, batch, input_size),
        leaf(batch, hidden),
        leaf(hidden, input_size),
        leaf(hidden, hidden),
        *biases,
    ]


def _first_and_second_derivatives(direction, args, act, reverse):  # type: ignore[no-untyped-def]
    """Outputs, first derivatives of a random projection, and second derivatives of another."""
    leaves = [a for a in args if a is not None]
    output, h_last = direction(*args, act, reverse)
    g = torch.Generator().manual_seed(7)
    loss = (output * torch.randn(output.shape, generator=g, dtype=output.dtype)).sum() + (
        h_last * torch.randn(h_last.shape, generator=g, dtype=h_last.dtype)
    ).sum()
    grads = torch.autograd.grad(loss, leaves, create_graph=True)
    second = sum((gr * torch.randn(gr.shape, generator=g, dtype=gr.dtype)).sum() for gr in grads)
    # relu's second derivative is 0 everywhere (where it exists): some leaves may not reach it.
    seconds = torch.autograd.grad(second, leaves, allow_unused=True, materialize_grads=True)
    return (output, h_last), grads, seconds


@pytest.mark.parametrize("fast_form", FAST_FORMS, ids=lambda f: f.__name__)
@settings(max_examples=40, deadline=None)
@given(
    seq_len=st.integers(1, 6),
    batch=st.integers(0, 3),
    input_size=st.integers(1, 4),
    hidden=st.integers(1, 4),
    bias=st.booleans(),
    nonlinearity=st.sampled_from(["tanh", "relu"]),
    reverse=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_fast_form_equals_reference_form(
    fast_form,  # type: ignore[no-untyped-def]
    seq_len: int,
    batch: int,
    input_size: int,
    hidden: int,
    bias: bool,
    nonlinearity: str,
    reverse: bool,
    seed: int,
) -> None:
    """Values, gradients and second derivatives of the fast form equal the reference form's."""
    act = rnn_module.NONLINEARITIES[nonlinearity]
    args = _direction_args(seq_len, batch, input_size, hidden, bias, seed)
    ref = _first_and_second_derivatives(rnn_module.direction_reference, args, act, reverse)
    fast = _first_and_second_derivatives(fast_form, args, act, reverse)
    for group_ref, group_fast in zip(ref, fast, strict=True):
        for a, b in zip(group_ref, group_fast, strict=True):
            # One big matrix product and L small ones add in another order: last bits only.
            torch.testing.assert_close(b, a, **TOL64)


@pytest.mark.parametrize("direction", DIRECTIONS, ids=lambda f: f.__name__)
def test_direction_gradgradcheck(direction) -> None:  # type: ignore[no-untyped-def]
    args = _direction_args(4, 2, 3, 3, True, seed=1)
    leaves = tuple(a for a in args if a is not None)
    assert torch.autograd.gradcheck(lambda *t: direction(*t, torch.tanh, False), leaves)
    assert torch.autograd.gradgradcheck(lambda *t: direction(*t, torch.tanh, True), leaves)


@pytest.mark.parametrize("act", [torch.tanh, torch.relu], ids=lambda f: f.__name__)
def test_activation_backward_equals_torch_also_at_nan_and_inf(act) -> None:  # type: ignore[no-untyped-def]
    """g * f'(a) read off h = f(a) equals torch's backward of f (to the last bit or two: torch's
    tanh kernel may fuse the multiply-add), with NaN exactly where torch has NaN: an infinite g
    where ReLU is flat gives 0 (not inf * 0 = NaN), and g passes where h is NaN."""
    specials = torch.tensor([0.0, -0.0, 1.5, -1.5, 30.0, -30.0, math.inf, -math.inf, math.nan])
    a = specials.repeat_interleave(len(specials)).double().requires_grad_()
    g = specials.repeat(len(specials)).double()
    (expected,) = torch.autograd.grad(act(a), a, g)
    backward = rnn_module.ACTIVATION_BACKWARD[act]
    assert torch.equal(backward(g, act(a.detach())).isnan(), expected.isnan())
    torch.testing.assert_close(
        backward(g, act(a.detach())), expected, rtol=1e-15, atol=0, equal_nan=True
    )


def test_bptt_form_names_the_activations_it_differentiates() -> None:
    args = _direction_args(3, 2, 2, 2, True, seed=0)
    with pytest.raises(ValueError, match=r"torch\.tanh and torch\.relu only.*direction_hoisted"):
        rnn_module.direction_bptt(*args, torch.sigmoid)
    hoisted = rnn_module.direction_hoisted(*args, torch.sigmoid)  # any activation
    for a, b in zip(hoisted, rnn_module.direction_reference(*args, torch.sigmoid), strict=True):
        torch.testing.assert_close(a, b, **TOL64)


def test_rnn_module_runs_the_bptt_form() -> None:
    """The module's backward is the hand-written one: one node per layer and direction."""
    model = dlref.nn.RNN(3, 4, num_layers=2, bidirectional=True)
    output, _ = model(torch.randn(5, 2, 3))
    nodes, todo = set(), [output.grad_fn]
    while todo:
        node = todo.pop()
        if node is not None and node not in nodes:
            nodes.add(node)
            todo.extend(next_fn for next_fn, _ in node.next_functions)
    assert sum(type(n).__name__ == "_RecurrenceBackward" for n in nodes) == 4
    assert not any(type(n).__name__ == "TanhBackward0" for n in nodes)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_output_may_be_changed_in_place_before_backward_as_in_torch(bidirectional: bool) -> None:
    """The hand-written backward saves the recurrence's output; the caller gets a copy, so
    changing the output in place (which torch.nn.RNN allows) does not break the backward."""
    ours, ref = _pair(dlref.nn.RNN, torch.nn.RNN, True, 3, 4, bidirectional=bidirectional)
    x = torch.randn(5, 2, 3)
    for model in (ours, ref):
        output, _ = model(x)
        output.mul_(2)
        output.sum().backward()
    for a, b in zip(ours.parameters(), ref.parameters(), strict=True):
        assert a.grad is not None and b.grad is not None
        torch.testing.assert_close(a.grad, b.grad)


@pytest.mark.parametrize(
    ("num_layers", "bidirectional", "leaf_grads", "frozen_weight_hh"),
    [
        (1, False, False, False),
        (1, False, True, False),
        (2, True, False, False),
        (2, True, True, False),
        (2, True, True, True),
    ],
)
def test_backward_multiplies_as_much_as_torch(
    num_layers: int, bidirectional: bool, leaf_grads: bool, frozen_weight_hh: bool
) -> None:
    """The hand-written backward does the matrix arithmetic of torch.nn.RNN's, no more: no
    product for h_0's gradient unless h_0 needs one, none for W_hh's when it is frozen
    (FlopCounterMode counts the floating-point operations of every matrix product)."""
    ours, ref = _pair(
        dlref.nn.RNN, torch.nn.RNN, True, 3, 4, num_layers, bidirectional=bidirectional
    )
    x = torch.randn(6, 2, 3, requires_grad=leaf_grads)
    h0 = torch.randn(num_layers * (2 if bidirectional else 1), 2, 4, requires_grad=leaf_grads)
    flops = []
    for model in (ours, ref):
        for name, parameter in model.named_parameters():
            parameter.requires_grad_(not (frozen_weight_hh and name.startswith("weight_hh")))
        output, h_n = model(x, h0)
        with FlopCounterMode(display=False) as counter:
            (output.sum() + h_n.sum()).backward()
        flops.append(counter.get_total_flops())
    assert flops[0] == flops[1] > 0


class _ReferenceRNN(dlref.nn.RNN):
    """dlref.nn.RNN with every layer and direction run by the reference form."""

    def _direction(self, layer_input, h, params, reverse):  # type: ignore[no-untyped-def]
        b_ih, b_hh = (params[2], params[3]) if self.bias else (None, None)
        return rnn_module.direction_reference(
            layer_input, h, params[0], params[1], b_ih, b_hh, self._act, reverse
        )


def test_rnn_module_equals_its_reference_form_and_torch_second_derivatives() -> None:
    """The whole module (2 layers, both directions) against the reference form and torch.nn.RNN,
    up to second derivatives (torch supports double backward through its CPU RNN)."""
    torch.manual_seed(0)
    kw = {"num_layers": 2, "bidirectional": True, "dtype": torch.float64}
    ours = dlref.nn.RNN(3, 4, **kw)
    reference = _ReferenceRNN(3, 4, **kw)
    theirs = torch.nn.RNN(3, 4, **kw)
    reference.load_state_dict(ours.state_dict())
    theirs.load_state_dict(ours.state_dict())
    x = torch.randn(5, 2, 3, dtype=torch.float64)
    h0 = torch.randn(4, 2, 4, dtype=torch.float64)

    def derivatives(model):  # type: ignore[no-untyped-def]
        xi, hi = x.clone().requires_grad_(), h0.clone().requires_grad_()
        leaves = [xi, hi, *model.parameters()]
        output, h_n = model(xi, hi)
        g = torch.Generator().manual_seed(3)
        loss = (output * torch.randn(output.shape, generator=g, dtype=torch.float64)).sum()
        loss = loss + (h_n * torch.randn(h_n.shape, generator=g, dtype=torch.float64)).sum()
        grads = torch.autograd.grad(loss, leaves, create_graph=True)
        second = sum(
            (gr * torch.randn(gr.shape, generator=g, dtype=gr.dtype)).sum() for gr in grads
        )
        return [output, h_n, *grads, *torch.autograd.grad(second, leaves)]

    expected = derivatives(reference)
    for model in (ours, theirs):
        for a, b in zip(derivatives(model), expected, strict=True):
            torch.testing.assert_close(a, b, **TOL64)


def test_input_part_takes_both_biases_or_neither() -> None:
    x, w, b = torch.randn(2, 3), torch.randn(4, 3), torch.randn(4)
    with pytest.raises(ValueError, match=r"both biases or neither; bias_hh is None"):
        rnn_module.input_part(x, w, b, None)  # b would have been dropped without a word
    with pytest.raises(ValueError, match=r"both biases or neither; bias_ih is None"):
        rnn_module.input_part(x, w, None, b)
    torch.testing.assert_close(rnn_module.input_part(x, w, b, b), x @ w.T + 2 * b)


def test_cell_is_the_step_of_the_input_part() -> None:
    """RNNCell evaluates the module's one statement of the formula, and so does the reference."""
    torch.manual_seed(0)
    cell = dlref.nn.RNNCell(3, 4, dtype=torch.float64)
    x, h = torch.randn(2, 3, dtype=torch.float64), torch.randn(2, 4, dtype=torch.float64)
    u = rnn_module.input_part(x, cell.weight_ih, cell.bias_ih, cell.bias_hh)
    assert torch.equal(cell(x, h), rnn_module.step(u, h, cell.weight_hh.t(), torch.tanh))
    by_hand = torch.tanh(x @ cell.weight_ih.T + cell.bias_ih + h @ cell.weight_hh.T + cell.bias_hh)
    torch.testing.assert_close(cell(x, h), by_hand, **TOL64)


# ---- NaN and infinity ----------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    special=st.sampled_from([math.nan, math.inf, -math.inf]),
    where=st.sampled_from(["input", "hx", "weight_hh"]),
    position=st.integers(0, 10_000),
    nonlinearity=st.sampled_from(["tanh", "relu"]),
    bidirectional=st.booleans(),
)
def test_nan_and_inf_propagate_like_torch(
    special: float, where: str, position: int, nonlinearity: str, bidirectional: bool
) -> None:
    """One NaN or ±inf in the input, the initial state or a weight: the same outputs (NaN where
    torch has NaN) and the same gradients as torch.nn.RNN."""
    ours, ref = _pair(
        dlref.nn.RNN,
        torch.nn.RNN,
        True,
        3,
        4,
        num_layers=2,
        nonlinearity=nonlinearity,
        bidirectional=bidirectional,
        dtype=torch.float64,
    )
    torch.manual_seed(0)
    x = torch.randn(4, 2, 3, dtype=torch.float64)
    hx = torch.randn(4 if bidirectional else 2, 2, 4, dtype=torch.float64)
    if where == "weight_hh":
        with torch.no_grad():
            for model in (ours, ref):
                w = model.weight_hh_l0
                w.view(-1)[position % w.numel()] = special
    else:
        t = x if where == "input" else hx
        t.view(-1)[position % t.numel()] = special
    outs_a, grads_a = _outputs_and_grads(ours, x, hx)
    outs_b, grads_b = _outputs_and_grads(ref, x, hx)
    for a, b in zip([*outs_a, *grads_a], [*outs_b, *grads_b], strict=True):
        torch.testing.assert_close(a, b, equal_nan=True, **TOL64)


@pytest.mark.parametrize("module", [dlref.nn.RNN(3, 4), dlref.nn.RNNCell(3, 4)], ids=repr)
def test_an_input_that_is_not_a_tensor_is_named(module: torch.nn.Module) -> None:
    """torch.nn.RNN fails with "'list' object has no attribute 'dim'"."""
    with pytest.raises(TypeError, match=r"input must be a torch.Tensor, got list"):
        module([[1.0, 2.0, 3.0]])
