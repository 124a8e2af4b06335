"""dlref.nn.Linear against torch.nn.Linear: parameters, init, values, gradients, state_dict."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import dlref.nn


def test_parameter_names_shapes_and_repr() -> None:
    ours, ref = dlref.nn.Linear(4, 3), torch.nn.Linear(4, 3)
    assert [(n, p.shape) for n, p in ours.named_parameters()] == [
        (n, p.shape) for n, p in ref.named_parameters()
    ]
    assert repr(ours) == repr(ref)
    no_bias = dlref.nn.Linear(4, 3, bias=False)
    assert no_bias.bias is None and repr(no_bias) == repr(torch.nn.Linear(4, 3, bias=False))


def test_same_seed_same_init_as_torch() -> None:
    torch.manual_seed(3)
    ours = dlref.nn.Linear(7, 5)
    torch.manual_seed(3)
    ref = torch.nn.Linear(7, 5)
    for a, b in zip(ours.parameters(), ref.parameters(), strict=True):
        torch.testing.assert_close(a, b, atol=1e-7, rtol=0)


def test_init_distribution() -> None:
    torch.manual_seed(0)
    n_in = 50
    layer = dlref.nn.Linear(n_in, 400)
    bound = 1 / math.sqrt(n_in)
    for p in (layer.weight, layer.bias):
        assert p.abs().max().item() <= bound
        assert p.abs().max().item() > 0.95 * bound  # fills the interval
    # U(-a, a) has variance a^2 / 3; 20000 draws give about 1% relative error.
    var = layer.weight.detach().var().item()
    assert abs(var / (bound**2 / 3) - 1) < 0.05
    assert abs(layer.weight.detach().mean().item()) < 0.05 * bound


def test_reset_parameters_redraws() -> None:
    layer = dlref.nn.Linear(3, 2)
    before = layer.weight.detach().clone()
    layer.reset_parameters()
    assert not torch.equal(before, layer.weight)


def test_zero_in_features() -> None:
    layer = dlref.nn.Linear(0, 3)
    assert torch.equal(layer.bias, torch.zeros(3))  # bound 0, as in PyTorch
    assert torch.equal(layer(torch.randn(2, 0)), torch.zeros(2, 3))


def test_device_and_dtype_reach_every_parameter_like_torch() -> None:
    """Built on the meta device (shapes without storage; the default, CPU, could not tell
    whether ``device=`` is used at all), every parameter has torch.nn.Linear's name, shape,
    dtype and device."""
    for kw in ({}, {"bias": False}):
        ours = dlref.nn.Linear(4, 3, device="meta", dtype=torch.float64, **kw)
        ref = torch.nn.Linear(4, 3, device="meta", dtype=torch.float64, **kw)
        summary = [(n, p.shape, p.dtype, p.device) for n, p in ours.named_parameters()]
        assert summary == [(n, p.shape, p.dtype, p.device) for n, p in ref.named_parameters()]
        assert all(p.device.type == "meta" for p in ours.parameters())


@settings(max_examples=50, deadline=None)
@given(
    lead=st.lists(st.integers(0, 4), min_size=0, max_size=3),
    n_in=st.integers(1, 6),
    n_out=st.integers(1, 5),
    bias=st.booleans(),
    dtype=st.sampled_from([torch.float64, torch.float32]),
    torch_to_dlref=st.booleans(),
)
def test_values_and_gradients_after_state_dict(
    lead: list[int], n_in: int, n_out: int, bias: bool, dtype: torch.dtype, torch_to_dlref: bool
) -> None:
    ours = dlref.nn.Linear(n_in, n_out, bias=bias, dtype=dtype)
    ref = torch.nn.Linear(n_in, n_out, bias=bias, dtype=dtype)
    if torch_to_dlref:
        ours.load_state_dict(ref.state_dict())
    else:
        ref.load_state_dict(ours.state_dict())
    torch.manual_seed(0)
    x = torch.randn(*lead, n_in, dtype=dtype)
    xa, xb = x.clone().requires_grad_(), x.clone().requires_grad_()
    ya, yb = ours(xa), ref(xb)
    tol = {"atol": 1e-12, "rtol": 1e-12} if dtype == torch.float64 else {"atol": 1e-5, "rtol": 1e-5}
    torch.testing.assert_close(ya, yb, **tol)
    g = torch.randn_like(ya)
    ya.backward(g)
    yb.backward(g)
    torch.testing.assert_close(xa.grad, xb.grad, **tol)
    for a, b in zip(ours.parameters(), ref.parameters(), strict=True):
        torch.testing.assert_close(a.grad, b.grad, **tol)


def test_gradcheck() -> None:
    layer = dlref.nn.Linear(4, 3, dtype=torch.float64)
    x = torch.randn(5, 4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(layer, (x,))


def test_shape_error_names_both_shapes() -> None:
    with pytest.raises(ValueError, match=r"input shape \(2, 5\) and weight shape \(3, 4\)"):
        dlref.nn.Linear(4, 3)(torch.randn(2, 5))


@pytest.mark.parametrize(
    "args, error, message",
    [
        (("3", 4), TypeError, r"in_features should be of type int, got: str"),
        ((3, 4.0), TypeError, r"out_features should be of type int, got: float"),
        ((-1, 4), ValueError, r"in_features must be zero or greater, got -1"),
    ],
)
def test_a_size_that_is_not_a_non_negative_integer_is_named(
    args: tuple[object, object], error: type[Exception], message: str
) -> None:
    """PyTorch refuses each of them too, with torch.empty's message, which names no argument."""
    with pytest.raises(error, match=message):
        dlref.nn.Linear(*args)  # type: ignore[arg-type]
    with pytest.raises((TypeError, RuntimeError)):
        torch.nn.Linear(*args)  # type: ignore[arg-type]


def test_a_bool_size_is_refused_and_zero_is_a_size() -> None:
    """torch.nn.Linear takes True as 1; dlref refuses it, as torch.nn.RNN refuses a bool
    hidden_size. 0 makes an empty layer, as in PyTorch."""
    with pytest.raises(TypeError, match=r"in_features should be of type int, got: bool"):
        dlref.nn.Linear(True, 4)
    assert dlref.nn.Linear(0, 4).weight.shape == (4, 0)
