"""dlref.functional.embedding and one_hot against PyTorch: values, gradients, errors."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

import dlref.functional as F

TOL64 = {"atol": 1e-12, "rtol": 1e-12}


def _run(fn, idx, weight, **kwargs):  # type: ignore[no-untyped-def]
    w = weight.detach().clone().requires_grad_()
    out = fn(idx, w, **kwargs)
    torch.manual_seed(7)
    (out * torch.randn_like(out)).sum().backward()
    return out, w.grad, w.detach()


@settings(max_examples=80, deadline=None)
@given(
    shape=st.lists(st.integers(0, 4), min_size=0, max_size=3),
    n=st.integers(1, 6),
    d=st.integers(1, 4),
    padding=st.one_of(st.none(), st.integers(-6, 5)),
    freq=st.booleans(),
    int32=st.booleans(),
    dtype=st.sampled_from([torch.float64, torch.float32]),
    seed=st.integers(0, 2**16),
)
def test_matches_torch(
    shape: list[int],
    n: int,
    d: int,
    padding: int | None,
    freq: bool,
    int32: bool,
    dtype: torch.dtype,
    seed: int,
) -> None:
    if padding is not None and not -n <= padding < n:
        padding = None
    gen = torch.Generator().manual_seed(seed)
    idx = torch.randint(0, n, shape, generator=gen)
    if int32:
        idx = idx.int()
    weight = torch.randn(n, d, generator=gen, dtype=dtype)
    kw = {"padding_idx": padding, "scale_grad_by_freq": freq}
    out, grad, _ = _run(F.embedding, idx, weight, **kw)
    ref, ref_grad, _ = _run(TF.embedding, idx, weight, **kw)
    assert out.shape == ref.shape == (*shape, d)
    assert torch.equal(out, ref)  # a lookup copies values: bit for bit
    # float32: scaling by 1/count before or after summing rounds differently (one ulp or so)
    tol = TOL64 if dtype == torch.float64 else {"atol": 1e-6, "rtol": 1e-6}
    torch.testing.assert_close(grad, ref_grad, **tol)
    if padding is not None:
        assert torch.all(grad[padding] == 0)


def test_padding_row_gets_no_gradient_negative_index() -> None:
    weight = torch.randn(4, 3, dtype=torch.float64)
    idx = torch.tensor([[3, 1, 3], [0, 3, 2]])
    _, grad, _ = _run(F.embedding, idx, weight, padding_idx=-1)
    _, ref_grad, _ = _run(TF.embedding, idx, weight, padding_idx=-1)
    assert torch.all(grad[3] == 0)
    assert torch.any(grad[1] != 0)
    torch.testing.assert_close(grad, ref_grad, **TOL64)


@pytest.mark.parametrize("freq", [False, True])
def test_padding_row_gradient_is_zero_even_for_inf_and_nan_like_torch(freq: bool) -> None:
    """0 at the padding positions is set, not multiplied in: 0 * inf would be NaN."""
    idx = torch.tensor([0, 1, 1, 2, 0])
    upstream = torch.ones(5, 2, dtype=torch.float64)
    upstream[0] = torch.tensor([float("nan"), float("inf")])
    upstream[4, 1] = float("-inf")
    grads = []
    for embedding in (F.embedding, TF.embedding):
        weight = torch.randn(3, 2, dtype=torch.float64, requires_grad=True)
        embedding(idx, weight, padding_idx=0, scale_grad_by_freq=freq).backward(upstream)
        assert weight.grad is not None
        grads.append(weight.grad)
    assert grads[0][0].tolist() == [0.0, 0.0]
    torch.testing.assert_close(grads[0], grads[1], rtol=0, atol=0)


def test_scale_grad_by_freq_divides_by_count() -> None:
    weight = torch.zeros(3, 2, dtype=torch.float64, requires_grad=True)
    F.embedding(torch.tensor([1, 1, 1, 2]), weight, scale_grad_by_freq=True).sum().backward()
    assert weight.grad is not None
    assert weight.grad.tolist() == [[0.0, 0.0], [1.0, 1.0], [1.0, 1.0]]


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.5])
def test_max_norm_renormalizes_in_place_like_torch(norm_type: float) -> None:
    torch.manual_seed(0)
    weight = torch.randn(6, 4, dtype=torch.float64) * 3
    idx = torch.tensor([[0, 2, 2], [5, 0, 1]])
    out, grad, w_after = _run(F.embedding, idx, weight, max_norm=1.5, norm_type=norm_type)
    ref, ref_grad, ref_w_after = _run(TF.embedding, idx, weight, max_norm=1.5, norm_type=norm_type)
    torch.testing.assert_close(out, ref, **TOL64)
    torch.testing.assert_close(grad, ref_grad, **TOL64)
    torch.testing.assert_close(w_after, ref_w_after, **TOL64)  # same rows changed, same way
    torch.testing.assert_close(w_after[3], weight[3], **TOL64)  # rows not looked up: untouched
    norms = torch.linalg.vector_norm(w_after[[0, 1, 2, 5]], ord=norm_type, dim=1)
    assert torch.all(norms <= 1.5 + 1e-12)


def test_gradcheck() -> None:
    torch.manual_seed(0)
    weight = torch.randn(5, 3, dtype=torch.float64, requires_grad=True)
    idx = torch.tensor([[0, 4, 4], [2, 0, 1]])
    assert torch.autograd.gradcheck(lambda w: F.embedding(idx, w), (weight,))
    # padding_idx and scale_grad_by_freq change the gradient on purpose (it is no longer the
    # derivative), so gradcheck must see the difference: this guards that they act at all.
    for kw in ({"padding_idx": 4}, {"scale_grad_by_freq": True}):
        with pytest.raises(RuntimeError, match=r"Jacobian mismatch"):
            torch.autograd.gradcheck(lambda w, kw=kw: F.embedding(idx, w, **kw), (weight,))


def test_no_grad_weight_works() -> None:
    weight = torch.randn(3, 2)
    out = F.embedding(torch.tensor([0, 2]), weight, padding_idx=0, scale_grad_by_freq=True)
    assert torch.equal(out, weight[[0, 2]])


def test_non_contiguous_indices() -> None:
    weight = torch.randn(5, 3, dtype=torch.float64)
    idx = torch.randint(0, 5, (4, 3)).t()
    assert not idx.is_contiguous()
    assert torch.equal(F.embedding(idx, weight), TF.embedding(idx, weight))


def test_errors() -> None:
    weight = torch.randn(5, 3)
    with pytest.raises(IndexError, match=r"index 5 is out of range .*num_embeddings=5"):
        F.embedding(torch.tensor([0, 5]), weight)
    with pytest.raises(IndexError, match=r"index -1 is out of range .*num_embeddings=5"):
        F.embedding(torch.tensor([-1, 2]), weight)
    with pytest.raises(TypeError, match=r"integer dtype .*got torch.float32"):
        F.embedding(torch.tensor([1.0]), weight)
    with pytest.raises(TypeError, match=r"integer dtype .*got torch.uint8"):
        F.embedding(torch.tensor([1], dtype=torch.uint8), weight)
    with pytest.raises(TypeError, match=r"torch.Tensor of indices"):
        F.embedding([1, 2], weight)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"padding_idx must be within num_embeddings.*got 5"):
        F.embedding(torch.tensor([1]), weight, padding_idx=5)
    with pytest.raises(ValueError, match=r"\[-5, 5\) for num_embeddings=5, got -6"):
        F.embedding(torch.tensor([1]), weight, padding_idx=-6)
    with pytest.raises(ValueError, match=r"weight must be 2-d .*got shape \(5,\)"):
        F.embedding(torch.tensor([1]), torch.randn(5))
    with pytest.raises(NotImplementedError, match=r"sparse=True"):
        F.embedding(torch.tensor([1]), weight, sparse=True)
    with pytest.raises(TypeError, match=r"weight must be a torch\.Tensor, got list"):
        F.embedding(torch.tensor([1]), [[1.0, 2.0]])  # type: ignore[arg-type]


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.float16, torch.bfloat16])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.5])
def test_max_norm_rows_equal_torchs_to_the_last_bit(norm_type: float, dtype: torch.dtype) -> None:
    """The scale m / (norm + 1e-7) is one float64 division, as PyTorch computes it: in float32
    (or as m times a reciprocal) the rescaled rows differed from PyTorch's in the last bit.
    Rows 0 and 1 have norm exactly max_norm, for every p: only a norm that exceeds it shrinks."""
    torch.manual_seed(0)
    weight = (torch.randn(1000, 8) * 2).to(dtype)
    weight[:2] = 0
    weight[0, 3], weight[1, 5] = 1.5, -1.5
    idx = torch.cat([torch.tensor([0, 1]), torch.randint(0, 1000, (500,))])
    on_boundary = torch.linalg.vector_norm(weight[:2], ord=norm_type, dim=1)
    assert torch.equal(on_boundary, torch.full((2,), 1.5, dtype=dtype))
    ours, theirs = weight.clone(), weight.clone()
    F.embedding(idx, ours, max_norm=1.5, norm_type=norm_type)
    TF.embedding(idx, theirs, max_norm=1.5, norm_type=norm_type)
    assert not torch.equal(ours, weight)  # rows were rescaled
    assert torch.equal(ours[:2], weight[:2])  # norm == max_norm: untouched
    assert torch.equal(ours, theirs)


# ---- one_hot ------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    shape=st.lists(st.integers(0, 4), min_size=0, max_size=3),
    extra=st.integers(0, 3),
    infer=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_one_hot_matches_torch(shape: list[int], extra: int, infer: bool, seed: int) -> None:
    gen = torch.Generator().manual_seed(seed)
    x = torch.randint(0, 5, shape, generator=gen)
    if infer and x.numel() == 0:
        infer = False
    num_classes = -1 if infer else 5 + extra
    ours, ref = F.one_hot(x, num_classes), TF.one_hot(x, num_classes)
    assert ours.dtype == torch.int64
    assert torch.equal(ours, ref)


def test_one_hot_errors() -> None:
    with pytest.raises(ValueError, match=r"non-negative, got -1"):
        F.one_hot(torch.tensor([-1, 2]))
    with pytest.raises(ValueError, match=r"class value 3 is out of range for num_classes=3"):
        F.one_hot(torch.tensor([3, 2]), 3)
    with pytest.raises(ValueError, match=r"out of range for num_classes=0"):
        F.one_hot(torch.tensor([0]), 0)
    with pytest.raises(ValueError, match=r"empty tensor"):
        F.one_hot(torch.tensor([], dtype=torch.long))
    with pytest.raises(ValueError, match=r"num_classes must be -1 .* got -2"):
        F.one_hot(torch.tensor([1]), -2)
    with pytest.raises(TypeError, match=r"int64 .*got torch.int32"):
        F.one_hot(torch.tensor([1], dtype=torch.int32))
    with pytest.raises(TypeError, match=r"must be a torch.Tensor"):
        F.one_hot([1])  # type: ignore[arg-type]


def test_one_hot_empty_with_zero_classes_differs_from_torch() -> None:
    """The docstring's one difference: C = 0 is given, so an empty tensor gives (0, 0)."""
    empty = torch.tensor([], dtype=torch.long)
    assert F.one_hot(empty, 0).shape == (0, 0)
    with pytest.raises(RuntimeError, match="Can not infer total number of classes"):
        TF.one_hot(empty, 0)
    assert F.one_hot(empty, 3).shape == TF.one_hot(empty, 3).shape == (0, 3)


def test_one_hot_times_table_is_lookup() -> None:
    weight = torch.randn(4, 3, dtype=torch.float64)
    idx = torch.tensor([3, 0, 2])
    assert torch.equal(F.one_hot(idx, 4).to(weight.dtype) @ weight, F.embedding(idx, weight))


@settings(max_examples=40, deadline=None)
@given(
    specials=st.lists(st.sampled_from([float("nan"), float("inf"), -float("inf")]), max_size=3),
    positions=st.lists(st.integers(0, 10_000), min_size=3, max_size=3),
    padding=st.one_of(st.none(), st.integers(0, 4)),
    freq=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_nan_and_inf_in_the_table_match_torch(
    specials: list[float], positions: list[int], padding: int | None, freq: bool, seed: int
) -> None:
    """A lookup copies NaN and ±inf like any value; the table's gradient never reads them."""
    gen = torch.Generator().manual_seed(seed)
    weight = torch.randn(5, 3, generator=gen, dtype=torch.float64)
    for value, position in zip(specials, positions, strict=False):
        weight.view(-1)[position % weight.numel()] = value
    idx = torch.randint(0, 5, (4, 2), generator=gen)
    kw = {"padding_idx": padding, "scale_grad_by_freq": freq}
    out, grad, _ = _run(F.embedding, idx, weight, **kw)
    ref, ref_grad, _ = _run(TF.embedding, idx, weight, **kw)
    torch.testing.assert_close(out, ref, rtol=0, atol=0, equal_nan=True)
    torch.testing.assert_close(grad, ref_grad, **TOL64)
