"""Time dlref against PyTorch, forward + backward, in one process: `make bench`.

Each case builds its inputs once, then times ``fn(*inputs).sum().backward()`` for the dlref
function and for its PyTorch counterpart with ``torch.utils.benchmark``, in interleaved rounds so
both see the same machine load (median over rounds; with one thread the clock is the thread's
CPU time, see ``bench/timing.py``), on the CPU, in float32, with a fixed thread count. It prints
a table of median times and the ratio dlref / PyTorch, and writes the same numbers to
``bench/results.json``: the performance page renders its table and figure from that file, so the
site stays reproducible while the numbers come from a real run. Timings never go into unit tests.

With ``--sweep`` it also times a few operations at sizes from $10^2$ to $10^7$ elements (the
ratio against size, drawn on the performance page). Each case is also run once under
``torch.profiler`` to count what a step costs apart from time: operator calls, passes over the
data, new full-size buffers, autograd nodes run in the backward pass, and bytes allocated.

With ``--processes N`` the suite runs in N fresh processes and each case keeps its median run
(``make bench`` uses 3): two processes can disagree by far more than the rounds inside one.

Usage::

    python bench/run.py [--threads 1] [--filter NAME] [--quick] [--sweep] [--no-save]
                        [--heap warm|default] [--out FILE] [--processes N]

By default the heap is kept warm (``timing.keep_freed_memory``): freed tensors are reused, as in
a training loop, instead of every new tensor paying page faults. ``--heap default`` measures
glibc's default behaviour; each row records the page faults per step of both sides.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as TF
from timing import clock, faults_per_step, keep_freed_memory, median_seconds
from torch import Tensor

import dlref
import dlref.functional as DF

RESULTS = Path(__file__).with_name("results.json")

# Suite groups and their targets (ratio dlref / PyTorch, median time, same run).
TARGETS = {"elementwise": 1.3, "loss": 1.3, "softmax": 1.5, "rnn": 1.0}


@dataclass
class Case:
    name: str
    group: str
    ours: Callable[..., Tensor]
    theirs: Callable[..., Tensor]
    make_inputs: Callable[[], Sequence[Any]]
    size: str


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


def functional_cases() -> list[Case]:
    n = M
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
                    _x(n),
                    "1M",
                )
            )
    if hasattr(DF, "dropout"):
        cases.append(
            Case(
                "dropout",
                "elementwise",
                lambda x: DF.dropout(x, 0.5, True),
                lambda x: TF.dropout(x, 0.5, True),
                _x(n),
                "1M",
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
            cases.append(Case(name, "loss", getattr(DF, name), theirs, _pair(n, target=kind), "1M"))
    return cases


def rnn_cases() -> list[Case]:
    if not hasattr(dlref.nn, "RNN"):
        return []
    cases = []
    seq, batch, hidden = 64, 32, 256
    for layers in (1, 2):
        for bidirectional in (False, True):
            torch.manual_seed(0)
            ref = torch.nn.RNN(hidden, hidden, num_layers=layers, bidirectional=bidirectional)
            ours = dlref.nn.RNN(hidden, hidden, num_layers=layers, bidirectional=bidirectional)
            ours.load_state_dict(ref.state_dict())
            tag = f"rnn_{layers}layer" + ("_bi" if bidirectional else "")
            cases.append(
                Case(
                    tag,
                    "rnn",
                    (lambda m: lambda x: m(x)[0])(ours),
                    (lambda m: lambda x: m(x)[0])(ref),
                    _x(seq, batch, hidden),
                    f"L={seq} N={batch} H={hidden}",
                )
            )
    return cases


def make_step(fn: Callable[..., Tensor], inputs: Sequence[Any]) -> Callable[[], None]:
    def step() -> None:
        for t in inputs:
            if isinstance(t, Tensor):
                t.grad = None
        fn(*inputs).sum().backward()

    return step


# Operators that only make a new view of the same memory: no pass over the data.
VIEWS = {"detach", "expand", "view", "as_strided", "reshape", "unsqueeze", "squeeze", "t",
         "transpose", "select", "slice", "alias", "unbind", "permute", "_unsafe_view"}  # fmt: skip


def profile_step(step: Callable[[], None], size: int) -> dict[str, float]:
    """What one step does apart from time (``torch.profiler``), for a step on ``size`` elements.

    - ``ops``: ``aten::`` operators called from Python or from the autograd engine, not those
      called inside another operator (``aten::mul`` calling ``aten::empty`` counts once);
    - ``passes``: those of them that read or write a tensor of at least ``size / 2`` elements,
      views excluded: the passes over the data;
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
        return any(math.prod(shape) >= size / 2 for shape in e.input_shapes if shape)

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


# The sweep: ratio against input size for a few operations (CPU, float32, 1 thread).
SWEEP_OPS = ("sigmoid", "relu", "gelu", "mse_loss")
SWEEP_SIZES = (100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000)


def sweep(timer: Callable[[], float], rounds: int) -> list[dict[str, Any]]:
    ops = {
        "sigmoid": (DF.sigmoid, TF.sigmoid, 1),
        "relu": (DF.relu, TF.relu, 1),
        "gelu": (DF.gelu, TF.gelu, 1),
        "mse_loss": (DF.mse_loss, TF.mse_loss, 2),
    }
    rows = []
    for name in SWEEP_OPS:
        ours, theirs, arity = ops[name]
        for n in SWEEP_SIZES:
            inputs = (_x(n) if arity == 1 else _pair(n))()
            steps = {"dlref": make_step(ours, inputs), "torch": make_step(theirs, inputs)}
            number = max(1, min(1000, 1_000_000 // n))  # each measurement a few milliseconds
            medians = median_seconds(steps, rounds, number, timer)
            ratio = medians["dlref"] / medians["torch"]
            print(f"sweep {name:10} n={n:>10,} ratio {ratio:6.2f}", flush=True)
            rows.append(
                {
                    "name": name,
                    "n": n,
                    "dlref_s": medians["dlref"],
                    "torch_s": medians["torch"],
                    "ratio": ratio,
                }
            )
    return rows


# Single primitives on 10^6 float32 numbers (no autograd): what one pass over memory costs, and
# why the implementations pick exp2 over exp, in-place updates over new tensors, and arithmetic
# masks over torch.where and bool tensors. x and y are standard normal, p = |x|.
PRIMITIVES: dict[str, Callable[[Tensor, Tensor, Tensor], Tensor]] = {
    "x * y": lambda x, y, p: x * y,
    "x * 2": lambda x, y, p: x * 2,
    "p.mul_(1) (in place)": lambda x, y, p: p.mul_(1),
    "x.exp()": lambda x, y, p: x.exp(),
    "x.exp2()": lambda x, y, p: x.exp2(),
    "x.erf()": lambda x, y, p: x.erf(),
    "p.log1p()": lambda x, y, p: p.log1p(),
    "torch.sigmoid(x)": lambda x, y, p: torch.sigmoid(x),
    "torch.nn.functional.gelu(x)": lambda x, y, p: torch.nn.functional.gelu(x),
    "x > 0": lambda x, y, p: x > 0,
    "x.sign().clamp_min_(0)": lambda x, y, p: x.sign().clamp_min_(0),
    "(x > 0).to(x.dtype)": lambda x, y, p: (x > 0).to(x.dtype),
    "torch.where(x > 0, x, y)": lambda x, y, p: torch.where(x > 0, x, y),
}


def primitives(timer: Callable[[], float], rounds: int) -> list[dict[str, Any]]:
    torch.manual_seed(0)
    x, y = torch.randn(M), torch.randn(M)
    p = x.abs()

    def call(f: Callable[[Tensor, Tensor, Tensor], Tensor]) -> Callable[[], None]:
        def step() -> None:
            f(x, y, p)

        return step

    steps = {name: call(f) for name, f in PRIMITIVES.items()}
    medians = median_seconds(steps, rounds, 20, timer)
    for name, t in medians.items():
        print(f"primitive {name:28} {t * 1e3:7.3f} ms")
    return [{"name": name, "seconds": t} for name, t in medians.items()]


def geometric_mean(xs: Sequence[float]) -> float:
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def run_suite(
    cases: list[Case], rounds: int, number: int, timer: Callable[[], float]
) -> list[dict[str, Any]]:
    """Time and profile every case in this process; print one line per case."""
    print(
        f"{'case':34} {'size':16} {'dlref ms':>9} {'torch ms':>9} {'ratio':>6}  target  "
        "passes  buffers  faults"
    )
    rows = []
    for case in cases:
        inputs = case.make_inputs()
        steps = {"dlref": make_step(case.ours, inputs), "torch": make_step(case.theirs, inputs)}
        medians = median_seconds(steps, rounds, number, timer)
        t_ours, t_theirs = medians["dlref"], medians["torch"]
        ratio = t_ours / t_theirs
        target = TARGETS[case.group]
        ok = "ok" if ratio <= target else "OVER"
        size = max(t.numel() for t in inputs if isinstance(t, Tensor))
        counts = {who: profile_step(step, size) for who, step in steps.items()}
        for who, step in steps.items():
            counts[who]["page_faults"] = faults_per_step(step)
        print(
            f"{case.name:34} {case.size:16} {t_ours * 1e3:9.3f} {t_theirs * 1e3:9.3f} "
            f"{ratio:6.2f}  ≤{target} {ok:4}  "
            + "  ".join(
                f"{counts['dlref'][k]:.0f}/{counts['torch'][k]:.0f}"
                for k in ("passes", "buffers", "page_faults")
            ),
            flush=True,
        )
        rows.append(
            {
                "name": case.name,
                "group": case.group,
                "size": case.size,
                "dlref_s": t_ours,
                "torch_s": t_theirs,
                "ratio": ratio,
                "target": target,
                "dlref_profile": counts["dlref"],
                "torch_profile": counts["torch"],
            }
        )
    return rows


def suite_in_processes(processes: int, argv: list[str]) -> list[dict[str, Any]]:
    """Run the suite in ``processes`` fresh processes; per case, the run with the median ratio.

    Within one process the interleaved rounds agree closely, but two processes can disagree
    by 30 % for the same case: where the allocator happens to place the tensors decides how
    well they share the caches, and it is fixed once a process has warmed up. The median over
    fresh processes is the number the tables show; ``ratios`` keeps every run's ratio.
    """
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(processes):
            out = Path(tmp) / f"run{k}.json"
            print(f"-- process {k + 1} of {processes}", flush=True)
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    *argv,
                    "--processes",
                    "1",
                    "--suite-only",
                    "--out",
                    str(out),
                ],
                check=True,
            )
            runs.append(json.loads(out.read_text(encoding="utf-8"))["rows"])
    rows = []
    for per_run in zip(*runs, strict=True):
        by_ratio = sorted(per_run, key=lambda r: r["ratio"])
        row = dict(by_ratio[len(by_ratio) // 2])  # the median run (odd counts: the middle one)
        row["ratios"] = [r["ratio"] for r in per_run]
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
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
        "--processes",
        type=int,
        default=1,
        help="run the suite in this many fresh processes and keep the median run of each case",
    )
    parser.add_argument("--suite-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    heap = "warm" if args.heap == "warm" and keep_freed_memory() else "default"
    torch.set_num_threads(args.threads)
    rounds, number = (3, 3) if args.quick else (7, 10)
    timer = clock(args.threads)
    print(
        f"torch {torch.__version__}, dlref {dlref.__version__}, "
        f"threads={args.threads}, float32, CPU, heap={heap}"
    )
    if args.processes > 1:
        # The children time the suite only, with the same settings; this process then adds
        # the sweep and the primitives and writes the results.
        suite_args = ["--threads", str(args.threads), "--heap", args.heap, "--filter", args.filter]
        rows = suite_in_processes(args.processes, suite_args + ["--quick"] * args.quick)
    else:
        cases = [c for c in functional_cases() + rnn_cases() if args.filter in c.name]
        rows = run_suite(cases, rounds, number, timer)
    suite = [r["ratio"] for r in rows if r["group"] in ("elementwise", "loss")]
    if suite:
        print(
            "geometric mean, element-wise ops and losses: "
            f"{geometric_mean(suite):.3f} (target ≤ 1.25)"
        )
    if args.suite_only:
        args.out.write_text(json.dumps({"rows": rows}), encoding="utf-8")
        return 0
    sweep_rows = sweep(timer, 3 if args.quick else 5) if args.sweep else []
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
                    "machine": platform.machine(),
                    "python": platform.python_version(),
                    "rows": rows,
                    "sweep": sweep_rows,
                    "primitives": primitive_rows,
                },
                indent=2,
                ensure_ascii=False,
            )
            + "\n",
            encoding="utf-8",
        )
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
