"""dlref.nn.Dropout: train/eval behaviour, repr, errors."""

from __future__ import annotations

import pytest
import torch

import dlref.functional
import dlref.nn


def test_train_and_eval() -> None:
    drop = dlref.nn.Dropout(0.3)
    assert drop.training
    x = torch.ones(100_000)
    torch.manual_seed(0)
    y = drop(x)
    assert abs((y == 0).float().mean().item() - 0.3) < 0.01
    assert set(y.unique().tolist()) == {0.0, (torch.tensor(1.0) / 0.7).item()}
    drop.eval()
    assert drop(x) is x
    drop.train()
    assert (drop(x) == 0).any()


def test_module_draws_what_the_function_draws_and_scales_like_torch() -> None:
    # The module is dlref.functional.dropout with training=self.training: one seed, one output.
    # Against torch.nn.Dropout (which draws its mask another way): the same two values.
    x = torch.randn(50, 20)
    ours, ref = dlref.nn.Dropout(0.4), torch.nn.Dropout(0.4)
    torch.manual_seed(9)
    a = ours(x)
    torch.manual_seed(9)
    assert torch.equal(a, dlref.functional.dropout(x, 0.4))
    b = ref(x)
    for y in (a, b):
        kept = y != 0
        assert torch.equal(y[kept], x[kept] * torch.tensor(1 / 0.6))


def test_inside_a_model_follows_model_mode() -> None:
    model = torch.nn.Sequential(dlref.nn.Linear(4, 4), dlref.nn.Dropout(0.5))
    model.eval()
    x = torch.randn(3, 4)
    assert torch.equal(model(x), model[0](x))


def test_inplace_and_repr() -> None:
    drop = dlref.nn.Dropout(0.5, inplace=True)
    assert repr(drop) == repr(torch.nn.Dropout(0.5, inplace=True)) == "Dropout(p=0.5, inplace=True)"
    x = torch.ones(10)
    assert drop(x) is x


@pytest.mark.parametrize("p", [-0.5, 2.0])
def test_invalid_p(p: float) -> None:
    with pytest.raises(
        ValueError, match=rf"dropout probability has to be between 0 and 1, but got {p}"
    ):
        dlref.nn.Dropout(p)
