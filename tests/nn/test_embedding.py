"""dlref.nn.Embedding against torch.nn.Embedding: init, padding, from_pretrained, state_dict."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import dlref.nn


def test_parameter_names_and_repr() -> None:
    for kw in (
        {},
        {"padding_idx": -1, "max_norm": 1.0},
        {"norm_type": 1.0, "scale_grad_by_freq": True},
    ):
        ours, ref = dlref.nn.Embedding(5, 3, **kw), torch.nn.Embedding(5, 3, **kw)
        assert repr(ours) == repr(ref)
        assert ours.padding_idx == ref.padding_idx
        assert [n for n, _ in ours.named_parameters()] == ["weight"]


def test_device_and_dtype_reach_the_weight_like_torch() -> None:
    """Built on the meta device (shapes without storage; the default, CPU, could not tell
    whether ``device=`` is used at all), the weight has torch.nn.Embedding's name, shape, dtype
    and device."""
    for kw in ({}, {"padding_idx": 1}):
        ours = dlref.nn.Embedding(5, 3, device="meta", dtype=torch.float64, **kw)
        ref = torch.nn.Embedding(5, 3, device="meta", dtype=torch.float64, **kw)
        summary = [(n, p.shape, p.dtype, p.device) for n, p in ours.named_parameters()]
        assert summary == [(n, p.shape, p.dtype, p.device) for n, p in ref.named_parameters()]
        assert ours.weight.device.type == "meta"


def test_same_seed_same_init_as_torch() -> None:
    torch.manual_seed(3)
    ours = dlref.nn.Embedding(7, 5, padding_idx=2)
    torch.manual_seed(3)
    ref = torch.nn.Embedding(7, 5, padding_idx=2)
    assert torch.equal(ours.weight, ref.weight)


def test_init_distribution_and_padding_row() -> None:
    torch.manual_seed(0)
    emb = dlref.nn.Embedding(1000, 20, padding_idx=-2)
    assert emb.padding_idx == 998
    assert torch.equal(emb.weight[998], torch.zeros(20))
    rest = torch.cat([emb.weight[:998], emb.weight[999:]]).detach()
    # N(0, 1): 19980 draws, mean within ~0.03 and variance within ~5 %.
    assert abs(rest.mean().item()) < 0.03
    assert abs(rest.var().item() - 1) < 0.05


@settings(max_examples=50, deadline=None)
@given(
    shape=st.lists(st.integers(0, 4), min_size=0, max_size=3),
    n=st.integers(1, 6),
    d=st.integers(1, 4),
    padding=st.one_of(st.none(), st.integers(-6, 5)),
    torch_to_dlref=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_values_and_gradients_after_state_dict(
    shape: list[int], n: int, d: int, padding: int | None, torch_to_dlref: bool, seed: int
) -> None:
    if padding is not None and not -n <= padding < n:
        padding = None
    ours = dlref.nn.Embedding(n, d, padding_idx=padding, dtype=torch.float64)
    ref = torch.nn.Embedding(n, d, padding_idx=padding, dtype=torch.float64)
    if torch_to_dlref:
        ours.load_state_dict(ref.state_dict())
    else:
        ref.load_state_dict(ours.state_dict())
    gen = torch.Generator().manual_seed(seed)
    idx = torch.randint(0, n, shape, generator=gen)
    ya, yb = ours(idx), ref(idx)
    assert torch.equal(ya, yb)
    g = torch.randn(ya.shape, generator=gen, dtype=torch.float64)
    ya.backward(g)
    yb.backward(g)
    torch.testing.assert_close(ours.weight.grad, ref.weight.grad, atol=1e-12, rtol=1e-12)


def test_padding_row_stays_fixed_under_sgd() -> None:
    torch.manual_seed(0)
    emb = dlref.nn.Embedding(4, 3, padding_idx=0)
    opt = torch.optim.SGD(emb.parameters(), lr=1.0)
    for _ in range(3):
        opt.zero_grad()
        emb(torch.tensor([[0, 1], [0, 3]])).pow(2).sum().backward()
        opt.step()
    assert torch.equal(emb.weight[0], torch.zeros(3))


def test_max_norm_module() -> None:
    torch.manual_seed(0)
    ours = dlref.nn.Embedding(5, 4, max_norm=0.5)
    ref = torch.nn.Embedding(5, 4, max_norm=0.5)
    ref.load_state_dict(ours.state_dict())
    idx = torch.tensor([1, 3, 3])
    torch.testing.assert_close(ours(idx), ref(idx))
    torch.testing.assert_close(ours.weight, ref.weight)


def test_from_pretrained() -> None:
    table = torch.randn(4, 3)
    emb = dlref.nn.Embedding.from_pretrained(table)
    assert not emb.weight.requires_grad
    assert torch.equal(emb(torch.tensor([2])), table[[2]])
    emb.weight.data[0, 0] = 123.0  # shares storage with `table`, as in PyTorch
    assert table[0, 0].item() == 123.0
    trainable = dlref.nn.Embedding.from_pretrained(table, freeze=False, padding_idx=1)
    assert trainable.weight.requires_grad and trainable.padding_idx == 1
    assert torch.equal(trainable.weight[1], table[1])  # the padding row is not zeroed
    ref = torch.nn.Embedding.from_pretrained(table, freeze=False, padding_idx=1)
    assert repr(trainable) == repr(ref)


def test_weight_argument_and_freeze() -> None:
    w = torch.randn(3, 2)
    emb = dlref.nn.Embedding(3, 2, _weight=w, _freeze=True)
    assert torch.equal(emb.weight, w) and not emb.weight.requires_grad
    assert dlref.nn.Embedding(3, 2, _freeze=True).weight.requires_grad is False


def test_errors() -> None:
    with pytest.raises(ValueError, match=r"_weight shape \(3, 5\) does not match .*\(3, 2\)"):
        dlref.nn.Embedding(3, 2, _weight=torch.randn(3, 5))
    with pytest.raises(ValueError, match=r"embeddings must be 2-d .*got shape \(3,\)"):
        dlref.nn.Embedding.from_pretrained(torch.randn(3))
    with pytest.raises(ValueError, match=r"padding_idx must be within num_embeddings.*got 3"):
        dlref.nn.Embedding(3, 2, padding_idx=3)
    with pytest.raises(NotImplementedError, match="sparse=True"):
        dlref.nn.Embedding(3, 2, sparse=True)
    with pytest.raises(IndexError, match="num_embeddings=3"):
        dlref.nn.Embedding(3, 2)(torch.tensor([3]))


@pytest.mark.parametrize(
    "args, error, message",
    [
        ((3.0, 2), TypeError, r"num_embeddings should be of type int, got: float"),
        ((3, "2"), TypeError, r"embedding_dim should be of type int, got: str"),
        ((3, -2), ValueError, r"embedding_dim must be zero or greater, got -2"),
    ],
)
def test_a_size_that_is_not_a_non_negative_integer_is_named(
    args: tuple[object, object], error: type[Exception], message: str
) -> None:
    """PyTorch refuses each of them too, with torch.empty's message, which names no argument."""
    with pytest.raises(error, match=message):
        dlref.nn.Embedding(*args)  # type: ignore[arg-type]
    with pytest.raises((TypeError, RuntimeError)):
        torch.nn.Embedding(*args)  # type: ignore[arg-type]
