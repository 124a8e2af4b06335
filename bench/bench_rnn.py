"""Time dlref.nn.RNN against torch.nn.RNN, forward + backward, in one process.

Sequence length 64, batch 32, input and hidden size 256, CPU, float32, a fixed thread count;
1 and 2 layers, uni- and bidirectional. Both modules hold the same parameters (one state_dict).
Each measurement is ``output, h_n = rnn(x); (output.sum() + h_n.sum()).backward()``, timed with
``torch.utils.benchmark.Timer.timeit`` in interleaved rounds (every model once per round, so all
see the same load); the table gives the median over the rounds and the ratio dlref / PyTorch.
One process and no noise estimate: for a ratio against its run-to-run noise, use ``make bench``
(bench/run.py, several processes). Timings are never asserted in the unit tests.

``--variants`` also times three other ways of writing the same recurrence, the ones the
comments in ``dlref/nn/rnn.py`` compare against:

* ``loop``: the textbook loop, ``h = act(x_t W_ih^T + b_ih + h W_hh^T + b_hh)`` step by step;
* ``sliced``: the input projection for the whole sequence in one matmul, then ``projected[t]``
  in the loop (each slice's backward scatters into a full-size zero tensor);
* ``hoisted``: ``direction_hoisted``, the same forward as ``dlref`` with autograd's backward
  instead of the one written out in ``direction_bptt``.

``--profile`` prints the autograd profiler's top operators for one backward of each variant.

Usage::

    python bench/bench_rnn.py [--threads 1] [--quick] [--variants] [--profile]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

import torch
from timing import clock, median_seconds
from torch import Tensor, nn

import dlref.nn
from dlref.nn.rnn import direction_hoisted

SEQ_LEN, BATCH, INPUT, HIDDEN = 64, 32, 256, 256


class LoopRNN(dlref.nn.RNN):
    """Textbook form: both matrix products inside the loop, one step at a time."""

    def _direction(
        self, layer_input: Tensor, h: Tensor, params: list[nn.Parameter], reverse: bool
    ) -> tuple[Tensor, Tensor]:
        w_ih, w_hh = params[0], params[1]
        b_ih, b_hh = (params[2], params[3]) if self.bias else (None, None)
        # unbind, as the textbook's `for X in inputs` does (iterating a tensor unbinds it):
        # indexing layer_input[t] would add the sliced variant's backward cost to this one
        xs = layer_input.unbind(0)
        states: list[Tensor] = [h] * len(xs)
        order = range(len(xs) - 1, -1, -1) if reverse else range(len(xs))
        for t in order:
            pre = xs[t] @ w_ih.t() + h @ w_hh.t()
            if b_ih is not None and b_hh is not None:
                pre = pre + b_ih + b_hh
            h = self._act(pre)
            states[t] = h
        return torch.stack(states), h


class SlicedRNN(dlref.nn.RNN):
    """Input projection precomputed in one matmul, then indexed step by step."""

    def _direction(
        self, layer_input: Tensor, h: Tensor, params: list[nn.Parameter], reverse: bool
    ) -> tuple[Tensor, Tensor]:
        w_ih, w_hh = params[0], params[1]
        seq_len, batch, features = layer_input.shape
        projected = layer_input.reshape(seq_len * batch, features) @ w_ih.t()
        if self.bias:
            projected = projected + (params[2] + params[3])
        projected = projected.view(seq_len, batch, self.hidden_size)
        states: list[Tensor] = [h] * seq_len
        order = range(seq_len - 1, -1, -1) if reverse else range(seq_len)
        for t in order:
            h = self._act(torch.addmm(projected[t], h, w_hh.t()))
            states[t] = h
        return torch.stack(states), h


class HoistedRNN(dlref.nn.RNN):
    """The input part hoisted out of the loop, backward left to autograd (direction_hoisted)."""

    def _direction(
        self, layer_input: Tensor, h: Tensor, params: list[nn.Parameter], reverse: bool
    ) -> tuple[Tensor, Tensor]:
        b_ih, b_hh = (params[2], params[3]) if self.bias else (None, None)
        return direction_hoisted(
            layer_input, h, params[0], params[1], b_ih, b_hh, self._act, reverse
        )


def make_step(model: nn.Module, x: Tensor) -> Callable[[], None]:
    def step() -> None:
        model.zero_grad(set_to_none=True)
        x.grad = None
        output, h_n = model(x)
        (output.sum() + h_n.sum()).backward()

    return step


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="shorter runs (noisier)")
    parser.add_argument(
        "--variants", action="store_true", help="also time loop, sliced and hoisted"
    )
    parser.add_argument("--profile", action="store_true", help="profile one backward per variant")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    rounds, number = (3, 2) if args.quick else (7, 3)
    timer = clock(args.threads)

    variants: dict[str, type[dlref.nn.RNN]] = {"dlref": dlref.nn.RNN}
    if args.variants or args.profile:
        variants |= {"loop": LoopRNN, "sliced": SlicedRNN, "hoisted": HoistedRNN}

    print(
        f"torch {torch.__version__}, threads={torch.get_num_threads()}, float32, CPU; "
        f"L={SEQ_LEN} N={BATCH} H_in={INPUT} H={HIDDEN}; forward + backward; median ms of "
        f"{rounds} interleaved rounds of {number} runs; "
        f"{'thread CPU time' if timer is time.thread_time else 'wall time'}"
    )
    header = f"{'layers':>6} {'bidir':>5} {'torch':>8}"
    for name in variants:
        header += f" {name:>8} {'ratio':>6}"
    print(header)
    for layers in (1, 2):
        for bidirectional in (False, True):
            torch.manual_seed(0)
            ref = nn.RNN(INPUT, HIDDEN, num_layers=layers, bidirectional=bidirectional)
            x = torch.randn(SEQ_LEN, BATCH, INPUT, requires_grad=True)
            models: dict[str, nn.Module] = {"torch": ref}
            for name, cls in variants.items():
                models[name] = cls(INPUT, HIDDEN, num_layers=layers, bidirectional=bidirectional)
                models[name].load_state_dict(ref.state_dict())
            times = median_seconds(
                {name: make_step(m, x) for name, m in models.items()}, rounds, number, timer
            )
            row = f"{layers:>6} {'yes' if bidirectional else 'no':>5} {times['torch'] * 1e3:8.2f}"
            for name in variants:
                row += f" {times[name] * 1e3:8.2f} {times[name] / times['torch']:6.2f}"
            print(row, flush=True)
            if args.profile and layers == 1 and not bidirectional:
                for name, m in models.items():
                    profile_backward(name, m, x)
    return 0


def profile_backward(name: str, model: nn.Module, x: Tensor) -> None:
    output, h_n = model(x)
    loss = output.sum() + h_n.sum()
    with torch.autograd.profiler.profile() as prof:
        loss.backward()
    print(f"--- backward of {name}: top operators by self CPU time")
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=8))


if __name__ == "__main__":
    sys.exit(main())
