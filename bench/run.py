"""Time dlref against its readable peers and against PyTorch, forward + backward: `make bench`.

Each case builds its inputs once, then times one step, ``fn(*inputs).sum().backward()``, for

- ``dlref``: the dlref function or module, whatever form it has today;
- ``peer``: the from-scratch code of Dive into Deep Learning (``bench/peers.py``), where the book
  has one;
- ``torch``: PyTorch's counterpart;
- ``torch_again``: PyTorch's counterpart once more, as a separate step: the A/A control. Two
  identical steps differ only by measurement noise, so their ratio says how far from 1 a ratio
  can land by chance.

The sides are timed with ``torch.utils.benchmark`` in interleaved rounds, so all see the same
machine load (median over rounds; with one thread the clock is the thread's CPU time, see
``bench/timing.py``), on the CPU, in float32, with a fixed thread count.

Noise. Within one process the rounds agree closely, but two fresh processes can disagree by far
more (where the allocator puts the tensors decides how they share the caches). So the suite runs
in ``--processes`` fresh processes; every ratio is the median over processes, and its noise is
the larger of (a) the widest distance of one process's ratio from that median and (b) the widest
distance of the A/A ratio from 1, both measured as a factor. A ratio compared with a target is
**met** if even ``ratio × (1 + noise)`` is within the target, **missed** if even
``ratio / (1 + noise)`` is over it, and **within noise** otherwise. No case has a hand-written
reason: the page explains every ratio with what the profiler counts (passes over memory, new
buffers, operators), and those counts are written here for every side.

Goals (from the project's issue 13), checked by the rule above:

- against the peers: each ratio dlref / peer ≤ 1.0, and their geometric mean ≤ 0.8;
- ``cross_entropy`` ≤ 1.1 × PyTorch; every RNN ≤ 0.95 × ``torch.nn.RNN``;
- the other element-wise operations against PyTorch's fused kernels: no target (the page counts
  their passes over memory instead).

With ``--sweep`` it also times a few operations at sizes from $10^2$ to $10^7$ elements (overhead
against bandwidth), and one pass over memory (``torch.mul(x, 2, out=y)``) at sizes from $10^3$ to
$10^7$ (what a pass costs in each cache level). The machine's cache sizes are recorded.

Usage::

    python bench/run.py [--threads 1] [--processes 5] [--quick] [--sweep] [--filter NAME]
                        [--heap warm|default] [--out FILE] [--no-save]

By default the heap is kept warm (``timing.keep_freed_memory``): freed tensors are reused, as in
a training loop, instead of every new tensor paying page faults. ``--heap default`` measures
glibc's default behaviour; each row records the page faults per step of every side.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import peers
import torch
import torch.nn.functional as TF
from timing import clock, faults_per_step, keep_freed_memory, median_seconds
from torch import Tensor, nn

import dlref
import dlref.functional as DF
import dlref.nn

RESULTS = Path(__file__).with_name("results.json")
SIDES = ("dlref", "peer", "torch", "torch_again")

# The goals. A target is a bound on a ratio (median time of one side / the other's).
PEER_TARGET = 1.0  # each dlref / peer
PEER_GEOMETRIC_MEAN_TARGET = 0.8
TORCH_TARGETS = {"cross_entropy": 1.1, "rnn": 0.95}  # a case name, or a group


@dataclass
class Case:
    name: str
    group: str  # elementwise, loss, softmax, rnn
    ours: Callable[..., Tensor]
    theirs: Callable[..., Tensor]
    make_inputs: Callable[[], Sequence[Any]]
    size: str
    peer: Callable[..., Tensor] | None = None
    modules: dict[str, nn.Module] = field(default_factory=dict)  # side -> module to zero_grad

    @property
    def torch_target(self) -> float | None:
        return TORCH_TARGETS.get(self.name, TORCH_TARGETS.get(self.group))


def _x(*shape: int) -> Callable[[], list[Tensor]]:
    def make() -> list[Tensor]:
        torch.manual_seed(0)
        return [torch.randn(*shape, requires_grad=True)]

    return make


def _pair(*shape: int, target: str = "normal") -> Callable[[], list[Tensor]]:
    def make() -> list[Tensor]:
        torch.manual_seed(0)
        x = torch.randn(*shape, requires_grad=True)
        if target == "prob":
            x = torch.rand(*shape).clamp(1e-4, 1 - 1e-4).requires_grad_()
            y = torch.rand(*shape)
        elif target == "binary":
            y = torch.randint(0, 2, shape).float()
        else:
            y = torch.randn(*shape)
        return [x, y]

    return make


def _classes(n: int, c: int) -> Callable[[], list[Tensor]]:
    def make() -> list[Tensor]:
        torch.manual_seed(0)
        return [torch.randn(n, c, requires_grad=True), torch.randint(0, c, (n,))]

    return make


def _log_probs(n: int, c: int) -> Callable[[], list[Tensor]]:
    def make() -> list[Tensor]:
        torch.manual_seed(0)
        x = torch.randn(n, c).log_softmax(1).detach().requires_grad_()
        return [x, torch.randint(0, c, (n,))]

    return make


M = 1_000_000

# The peers, called as the book calls them in its training loops (a mean loss where dlref's
# and PyTorch's default reduction is the mean).
PEERS: dict[str, Callable[..., Tensor]] = {
    "sigmoid": peers.sigmoid,
    "relu": peers.relu,
    "dropout": lambda x: peers.dropout_layer(x, 0.5),
    "softmax": lambda x: peers.softmax(x),
    "cross_entropy": lambda x, y: peers.cross_entropy(peers.softmax(x), y).mean(),
    "mse_loss": lambda x, y: peers.squared_loss(x, y).mean(),
}


def functional_cases() -> list[Case]:
    """Every dlref.functional function that PyTorch has, on the sizes below (skips missing ones)."""
    cases: list[Case] = []
    elementwise = {
        "sigmoid": (TF.sigmoid, {}),
        "tanh": (TF.tanh, {}),
        "relu": (TF.relu, {}),
        "leaky_relu": (TF.leaky_relu, {}),
        "elu": (TF.elu, {}),
        "gelu": (TF.gelu, {}),
        "gelu_tanh": (TF.gelu, {"approximate": "tanh"}),
        "softplus": (TF.softplus, {}),
        "silu": (TF.silu, {}),
    }
    for name, (theirs, kw) in elementwise.items():
        base = name.removesuffix("_tanh")
        if hasattr(DF, base):
            ours = getattr(DF, base)
            cases.append(
                Case(
                    name,
                    "elementwise",
                    (lambda f, k: lambda x: f(x, **k))(ours, kw),
                    (lambda f, k: lambda x: f(x, **k))(theirs, kw),
                    _x(M),
                    "1M",
                    PEERS.get(name),
                )
            )
    if hasattr(DF, "dropout"):
        cases.append(
            Case(
                "dropout",
                "elementwise",
                lambda x: DF.dropout(x, 0.5, True),
                lambda x: TF.dropout(x, 0.5, True),
                _x(M),
                "1M",
                PEERS["dropout"],
            )
        )
    for name in ("softmax", "log_softmax"):
        if hasattr(DF, name):
            ours, theirs = getattr(DF, name), getattr(TF, name)
            cases.append(
                Case(
                    name,
                    "softmax",
                    (lambda f: lambda x: f(x, dim=1))(ours),
                    (lambda f: lambda x: f(x, dim=1))(theirs),
                    _x(1000, 1000),
                    "1000×1000",
                    PEERS.get(name),
                )
            )
    if hasattr(DF, "cross_entropy"):
        cases.append(
            Case(
                "cross_entropy",
                "softmax",
                DF.cross_entropy,
                TF.cross_entropy,
                _classes(256, 1000),
                "256×1000",
                PEERS["cross_entropy"],
            )
        )
    if hasattr(DF, "nll_loss"):
        cases.append(
            Case("nll_loss", "loss", DF.nll_loss, TF.nll_loss, _log_probs(256, 1000), "256×1000")
        )
    losses = {
        "mse_loss": ("normal", TF.mse_loss),
        "l1_loss": ("normal", TF.l1_loss),
        "binary_cross_entropy": ("prob", TF.binary_cross_entropy),
        "binary_cross_entropy_with_logits": ("binary", TF.binary_cross_entropy_with_logits),
    }
    for name, (kind, theirs) in losses.items():
        if hasattr(DF, name):
            cases.append(
                Case(
                    name,
                    "loss",
                    getattr(DF, name),
                    theirs,
                    _pair(M, target=kind),
                    "1M",
                    PEERS.get(name),
                )
            )
    return cases


SEQ, BATCH, HIDDEN = 64, 32, 256


def rnn_cases() -> list[Case]:
    """dlref.nn.RNN against torch.nn.RNN (1 and 2 layers, uni- and bidirectional); one layer
    also against d2l's RNNScratch. All hold the same weights."""
    if not hasattr(dlref.nn, "RNN"):
        return []
    cases = []
    for layers in (1, 2):
        for bidirectional in (False, True):
            torch.manual_seed(0)
            ref = nn.RNN(HIDDEN, HIDDEN, num_layers=layers, bidirectional=bidirectional)
            ours = dlref.nn.RNN(HIDDEN, HIDDEN, num_layers=layers, bidirectional=bidirectional)
            ours.load_state_dict(ref.state_dict())
            modules: dict[str, nn.Module] = {"dlref": ours, "torch": ref, "torch_again": ref}
            peer = None
            if layers == 1 and not bidirectional:
                scratch = peers.RNNScratch(HIDDEN, HIDDEN).load_from(ref)
                modules["peer"] = scratch
                peer = (lambda m: lambda x: torch.stack(m(x)[0]))(scratch)
            tag = f"rnn_{layers}layer" + ("_bi" if bidirectional else "")
            cases.append(
                Case(
                    tag,
                    "rnn",
                    (lambda m: lambda x: m(x)[0])(ours),
                    (lambda m: lambda x: m(x)[0])(ref),
                    _x(SEQ, BATCH, HIDDEN),
                    f"L={SEQ} N={BATCH} H={HIDDEN}",
                    peer,
                    modules,
                )
            )
    return cases


def all_cases() -> list[Case]:
    return functional_cases() + rnn_cases()


def make_step(
    fn: Callable[..., Tensor], inputs: Sequence[Any], module: nn.Module | None = None
) -> Callable[[], None]:
    def step() -> None:
        for t in inputs:
            if isinstance(t, Tensor):
                t.grad = None
        if module is not None:
            module.zero_grad(set_to_none=True)
        fn(*inputs).sum().backward()

    return step


def case_steps(case: Case, inputs: Sequence[Any]) -> dict[str, Callable[[], None]]:
    fns = {"dlref": case.ours, "peer": case.peer, "torch": case.theirs, "torch_again": case.theirs}
    return {
        side: make_step(fn, inputs, case.modules.get(side))
        for side, fn in fns.items()
        if fn is not None
    }


# Operators that only make a new view of the same memory: no pass over the data.
VIEWS = {"detach", "expand", "view", "as_strided", "reshape", "unsqueeze", "squeeze", "t",
         "transpose", "select", "slice", "alias", "unbind", "permute", "_unsafe_view"}  # fmt: skip


def profile_step(step: Callable[[], None], size: int) -> dict[str, float]:
    """What one step does apart from time (``torch.profiler``), for a step on ``size`` elements.

    - ``ops``: ``aten::`` operators called from Python or from the autograd engine, not those
      called inside another operator (``aten::mul`` calling ``aten::empty`` counts once);
    - ``passes``: those of them with an input of at least ``size / 2`` elements, views
      excluded: the passes over the data (an operator that only writes, such as ``torch.rand``,
      is not counted; a ``.to()`` that returns its input is);
    - ``buffers``: those of them that allocate at least ``size / 2`` float32 numbers: the new
      full-size tensors (each one is memory the cache has not seen yet);
    - ``alloc_mb``: all memory they allocate;
    - ``backward_nodes``: autograd nodes run in the backward pass.
    """
    from torch.profiler import ProfilerActivity, profile

    step()
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True, record_shapes=True) as p:
        step()
    events = p.events()
    top = [
        e
        for e in events
        if e.name.startswith("aten::")
        and (e.cpu_parent is None or not e.cpu_parent.name.startswith("aten::"))
    ]

    def touches_full_size(e: Any) -> bool:
        return any(
            math.prod(shape) >= size / 2
            for shape in e.input_shapes
            if shape and all(isinstance(d, int) for d in shape)
        )

    full_bytes = size / 2 * 4
    return {
        "ops": len(top),
        "passes": sum(
            1 for e in top if e.name.removeprefix("aten::") not in VIEWS and touches_full_size(e)
        ),
        "buffers": sum(1 for e in top if e.cpu_memory_usage >= full_bytes),
        "alloc_mb": sum(max(e.cpu_memory_usage, 0) for e in top) / 2**20,
        "backward_nodes": sum(
            1 for e in events if e.name.startswith("autograd::engine::evaluate_function")
        ),
    }


def run_suite(
    cases: list[Case], rounds: int, number: int, timer: Callable[[], float]
) -> list[dict[str, Any]]:
    """Time and profile every case in this process; print one line per case."""
    print(f"{'case':34} {'size':16} " + " ".join(f"{s + ' ms':>14}" for s in SIDES))
    rows = []
    for case in cases:
        inputs = case.make_inputs()
        steps = case_steps(case, inputs)
        seconds = median_seconds(steps, rounds, number, timer)
        size = max(t.numel() for t in inputs if isinstance(t, Tensor))
        profiles = {side: profile_step(step, size) for side, step in steps.items()}
        faults = {side: faults_per_step(step) for side, step in steps.items()}
        print(
            f"{case.name:34} {case.size:16} "
            + " ".join(f"{seconds[s] * 1e3:14.3f}" if s in seconds else " " * 14 for s in SIDES),
            flush=True,
        )
        rows.append(
            {
                "name": case.name,
                "group": case.group,
                "size": case.size,
                "seconds": seconds,
                "profile": {s: p for s, p in profiles.items() if s != "torch_again"},
                "page_faults": {s: f for s, f in faults.items() if s != "torch_again"},
                "torch_target": case.torch_target,
            }
        )
    return rows


# ---- ratios, noise, verdicts -------------------------------------------------------------------


def geometric_mean(xs: Sequence[float]) -> float:
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def verdict(ratio: float, noise: float, target: float | None) -> str | None:
    """``met``, ``missed`` or ``within noise``; ``None`` without a target. ``noise``: factor − 1."""
    if target is None:
        return None
    if ratio * (1 + noise) <= target:
        return "met"
    if ratio / (1 + noise) > target:
        return "missed"
    return "within noise"


def comparison(ratios: list[float], controls: list[float], target: float | None) -> dict[str, Any]:
    """One ratio from its per-process values, with its noise (see the module docstring)."""
    ratio = statistics.median(ratios)
    spread = max(abs(math.log(r / ratio)) for r in ratios)
    control = max(abs(math.log(c)) for c in controls)
    noise = math.exp(max(spread, control)) - 1
    return {
        "ratio": ratio,
        "ratios": ratios,
        "controls": controls,
        "noise": noise,
        "target": target,
        "verdict": verdict(ratio, noise, target),
    }


def combine(runs: list[list[dict[str, Any]]]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Rows of several processes -> one row per case with its comparisons; and the summary."""
    rows = []
    for per_run in zip(*runs, strict=True):
        row = dict(per_run[0])
        sides = row["seconds"].keys()
        row["runs"] = [r["seconds"] for r in per_run]
        row["seconds"] = {s: statistics.median(r["seconds"][s] for r in per_run) for s in sides}
        controls = [r["seconds"]["torch"] / r["seconds"]["torch_again"] for r in per_run]
        row["control"] = comparison(controls, controls, None)

        def ratios(a: str, b: str, per_run: tuple[dict[str, Any], ...] = per_run) -> list[float]:
            return [r["seconds"][a] / r["seconds"][b] for r in per_run]

        row["vs_torch"] = comparison(ratios("dlref", "torch"), controls, row["torch_target"])
        row["vs_peer"] = (
            comparison(ratios("dlref", "peer"), controls, PEER_TARGET) if "peer" in sides else None
        )
        row["peer_vs_torch"] = (
            comparison(ratios("peer", "torch"), controls, None) if "peer" in sides else None
        )
        rows.append(row)
    with_peer = [r for r in rows if r["vs_peer"] is not None]
    summary: dict[str, Any] = {"peer_geometric_mean": None}
    if with_peer:
        n_runs = len(runs)
        per_run_means = [
            geometric_mean([r["vs_peer"]["ratios"][k] for r in with_peer]) for k in range(n_runs)
        ]
        per_run_controls = [
            geometric_mean([r["control"]["ratios"][k] for r in with_peer]) for k in range(n_runs)
        ]
        summary["peer_geometric_mean"] = comparison(
            per_run_means, per_run_controls, PEER_GEOMETRIC_MEAN_TARGET
        )
        summary["peer_cases"] = [r["name"] for r in with_peer]
    return rows, summary


def print_comparisons(rows: list[dict[str, Any]], summary: dict[str, Any]) -> None:
    def show(c: dict[str, Any] | None) -> str:
        if c is None:
            return f"{'':>30}"
        v = f"≤{c['target']} {c['verdict']}" if c["target"] is not None else ""
        return f"{c['ratio']:6.2f} ±{c['noise']:4.0%} {v:>16}"

    print(f"\n{'case':34} {'dlref / peer':>30} {'dlref / torch':>30}  A/A")
    for r in rows:
        print(
            f"{r['name']:34} {show(r['vs_peer'])} {show(r['vs_torch'])}  "
            + ", ".join(f"{c:.2f}" for c in r["control"]["ratios"])
        )
    g = summary.get("peer_geometric_mean")
    if g:
        print(f"geometric mean dlref / peer: {show(g)}")


# ---- sweeps and single passes ------------------------------------------------------------------

SWEEP_OPS = ("sigmoid", "relu", "mse_loss")
SWEEP_SIZES = (100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000)
PASS_SIZES = (1_000, 10_000, 100_000, 300_000, 1_000_000, 3_000_000, 10_000_000)


def sweep(timer: Callable[[], float], rounds: int) -> list[dict[str, Any]]:
    """Seconds per step of dlref, the peer and PyTorch at growing sizes."""
    ops = {
        "sigmoid": (DF.sigmoid, peers.sigmoid, TF.sigmoid, 1),
        "relu": (DF.relu, peers.relu, TF.relu, 1),
        "mse_loss": (DF.mse_loss, PEERS["mse_loss"], TF.mse_loss, 2),
    }
    rows = []
    for name in SWEEP_OPS:
        ours, peer, theirs, arity = ops[name]
        for n in SWEEP_SIZES:
            inputs = (_x(n) if arity == 1 else _pair(n))()
            steps = {
                "dlref": make_step(ours, inputs),
                "peer": make_step(peer, inputs),
                "torch": make_step(theirs, inputs),
            }
            number = max(1, min(1000, 1_000_000 // n))  # each measurement a few milliseconds
            seconds = median_seconds(steps, rounds, number, timer)
            print(
                f"sweep {name:10} n={n:>10,} "
                + "  ".join(f"{s} {t * 1e6 / n * 1e3:8.2f} ns/elt" for s, t in seconds.items()),
                flush=True,
            )
            rows.append({"name": name, "n": n, "seconds": seconds})
    return rows


def one_pass(timer: Callable[[], float], rounds: int) -> list[dict[str, Any]]:
    """One pass over memory at growing sizes: read n float32 numbers, write n (no allocation),
    and the same into a new tensor (allocation included)."""
    rows = []
    for n in PASS_SIZES:
        torch.manual_seed(0)
        x, y = torch.randn(n), torch.empty(n)

        def into_existing(x: Tensor = x, y: Tensor = y) -> None:
            torch.mul(x, 2, out=y)

        def into_new(x: Tensor = x) -> None:
            x * 2

        number = max(1, min(2000, 3_000_000 // n))
        seconds = median_seconds(
            {"existing": into_existing, "new": into_new}, rounds, number, timer
        )
        print(
            f"pass n={n:>10,} "
            + "  ".join(f"{k} {8 * n / t / 1e9:6.1f} GB/s" for k, t in seconds.items()),
            flush=True,
        )
        rows.append({"n": n, "bytes": 8 * n, "seconds": seconds})
    return rows


# Single operations on 10^6 float32 numbers (no autograd): what a pass costs, and a formula as
# one fused kernel against the same formula as four passes. x and y are standard normal, z is
# an output buffer, and m = y > 0 is a boolean mask (a torch.bool tensor, one byte a number).
Primitive = Callable[[Tensor, Tensor, Tensor, Tensor], Any]
PRIMITIVES: dict[str, tuple[Primitive, int]] = {
    # name: (operation, passes over 10^6 numbers: each reads its inputs and writes its output)
    "torch.mul(x, 2, out=z)": (lambda x, y, z, m: torch.mul(x, 2, out=z), 1),
    "x * 2": (lambda x, y, z, m: x * 2, 1),
    "x + y": (lambda x, y, z, m: x + y, 1),
    "x.exp()": (lambda x, y, z, m: x.exp(), 1),
    "torch.sigmoid(x)": (lambda x, y, z, m: torch.sigmoid(x), 1),
    # five: neg, exp, add, and 1 / t, which PyTorch computes as t.reciprocal() * 1
    "1 / (1 + torch.exp(-x))": (lambda x, y, z, m: 1 / (1 + torch.exp(-x)), 5),
    # A fused softmax over rows of 1000 (row maxima, exponentials and their sums, the division)
    # against the one exp above: whether the kernel's exp is the same as torch.exp's.
    "torch.softmax(x.view(1000, 1000), 1)": (
        lambda x, y, z, m: torch.softmax(x.view(1000, 1000), 1),
        3,
    ),
    # Selection by a boolean mask, the way relu and leaky_relu write their cases, against
    # float-only passes that compute the same max(x, 0).
    "x.clamp_min(0)": (lambda x, y, z, m: x.clamp_min(0), 1),
    "y > 0": (lambda x, y, z, m: y > 0, 1),
    "x.masked_fill(m, 0)": (lambda x, y, z, m: x.masked_fill(m, 0), 1),
    "torch.where(m, x, y)": (lambda x, y, z, m: torch.where(m, x, y), 1),
    # Three ways to draw a dropout mask: d2l's comparison of uniform numbers, dlref's (the same
    # comparison written into the uniform tensor itself), and torch's bernoulli_.
    "(torch.rand(x.shape) > 0.5).float()": (
        lambda x, y, z, m: (torch.rand(x.shape) > 0.5).float(),
        3,
    ),
    "torch.rand_like(x).ge_(0.5)": (lambda x, y, z, m: torch.rand_like(x).ge_(0.5), 2),
    "torch.empty_like(x).bernoulli_(0.5)": (
        lambda x, y, z, m: torch.empty_like(x).bernoulli_(0.5),
        1,
    ),
}


def primitives(timer: Callable[[], float], rounds: int) -> list[dict[str, Any]]:
    torch.manual_seed(0)
    x, y, z = torch.randn(M), torch.randn(M), torch.empty(M)
    m = y > 0

    def call(f: Primitive) -> Callable[[], None]:
        def step() -> None:
            f(x, y, z, m)

        return step

    steps = {name: call(f) for name, (f, _) in PRIMITIVES.items()}
    seconds = median_seconds(steps, rounds, 20, timer)
    for name, t in seconds.items():
        print(f"primitive {name:36} {t * 1e3:7.3f} ms")
    return [
        {"name": name, "seconds": t, "passes": PRIMITIVES[name][1], "n": M}
        for name, t in seconds.items()
    ]


def caches() -> list[dict[str, Any]]:
    """Data and unified caches of CPU 0 (Linux sysfs); empty elsewhere."""
    found = []
    for index in sorted(Path("/sys/devices/system/cpu/cpu0/cache").glob("index*")):
        try:
            kind = (index / "type").read_text().strip()
            level = int((index / "level").read_text())
            size = (index / "size").read_text().strip()
        except OSError:
            continue
        if kind != "Instruction":
            units = {"K": 2**10, "M": 2**20}
            found.append({"level": level, "bytes": int(size[:-1]) * units.get(size[-1], 1)})
    return found


# ---- main --------------------------------------------------------------------------------------


def suite_in_processes(processes: int, argv: list[str]) -> list[list[dict[str, Any]]]:
    """Run the suite in ``processes`` fresh processes; every process's rows."""
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(processes):
            out = Path(tmp) / f"run{k}.json"
            print(f"-- process {k + 1} of {processes}", flush=True)
            subprocess.run(
                [sys.executable, __file__, *argv, "--suite-only", "--out", str(out)], check=True
            )
            runs.append(json.loads(out.read_text(encoding="utf-8"))["rows"])
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--filter", default="")
    parser.add_argument("--quick", action="store_true", help="shorter runs (noisier)")
    parser.add_argument("--sweep", action="store_true", help="also time several input sizes")
    parser.add_argument("--no-save", action="store_true")
    parser.add_argument(
        "--heap",
        choices=("warm", "default"),
        default="warm",
        help="warm: malloc keeps freed memory (steady state, see timing.keep_freed_memory); "
        "default: glibc's default, where fresh tensors cost page faults",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the results")
    parser.add_argument(
        "--processes", type=int, default=1, help="run the suite in this many fresh processes"
    )
    parser.add_argument("--suite-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    heap = "warm" if args.heap == "warm" and keep_freed_memory() else "default"
    torch.set_num_threads(args.threads)
    rounds, number = (3, 3) if args.quick else (5, 5)
    timer = clock(args.threads)
    if args.suite_only:
        cases = [c for c in all_cases() if args.filter in c.name]
        rows = run_suite(cases, rounds, number, timer)
        args.out.write_text(json.dumps({"rows": rows}), encoding="utf-8")
        return 0
    print(
        f"torch {torch.__version__}, dlref {dlref.__version__}, threads={args.threads}, "
        f"float32, CPU, heap={heap}, {args.processes} processes"
    )
    child = ["--threads", str(args.threads), "--heap", args.heap, "--filter", args.filter]
    runs = suite_in_processes(args.processes, child + ["--quick"] * args.quick)
    rows, summary = combine(runs)
    print_comparisons(rows, summary)
    sweep_rows = sweep(timer, 3) if args.sweep else []
    pass_rows = one_pass(timer, 3 if args.quick else 5) if args.sweep else []
    primitive_rows = primitives(timer, 3 if args.quick else 7)
    if not args.no_save and not args.filter:
        args.out.write_text(
            json.dumps(
                {
                    "torch": torch.__version__,
                    "threads": args.threads,
                    "clock": "thread CPU time" if args.threads == 1 else "wall time",
                    "heap": heap,
                    "processes": args.processes,
                    "quick": args.quick,
                    "rounds": rounds,
                    "number": number,
                    "machine": platform.machine(),
                    "cpu_capability": torch.backends.cpu.get_cpu_capability(),
                    # built with MKL: torch.exp, torch.tanh and torch.log then call MKL's VML
                    "mkl": torch.backends.mkl.is_available(),
                    "caches": caches(),
                    "python": platform.python_version(),
                    "targets": {
                        "peer": PEER_TARGET,
                        "peer_geometric_mean": PEER_GEOMETRIC_MEAN_TARGET,
                        "torch": TORCH_TARGETS,
                    },
                    "rows": rows,
                    "summary": summary,
                    "sweep": sweep_rows,
                    "one_pass": pass_rows,
                    "primitives": primitive_rows,
                },
                indent=1,
                ensure_ascii=False,
            )
            + "\n",
            encoding="utf-8",
        )
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
