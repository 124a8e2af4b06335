"""Timing helpers shared by the benchmarks in bench/: interleaved medians on a shared machine."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import torch
from torch.utils import benchmark


def clock(threads: int) -> Callable[[], float]:
    """CPU time of this thread with one thread, wall time otherwise.

    The machines this runs on are shared: other processes take the CPU away at random moments,
    which inflates wall-clock times by a factor of 2 or 3 and makes medians jump between runs.
    With one intra-op thread all of PyTorch's work runs on the calling thread, so the thread's
    CPU time counts the work and not the waiting. With more threads the work is spread over
    other threads and only wall time is meaningful.
    """
    return time.thread_time if threads == 1 else time.perf_counter


def median_seconds(
    steps: dict[str, Callable[[], None]], rounds: int, number: int, timer: Callable[[], float]
) -> dict[str, float]:
    """Median time of each step, measured in interleaved rounds so that all see the same load."""
    timers = {}
    for name, step in steps.items():
        step()  # warm up, and fail before timing if something is broken
        timers[name] = benchmark.Timer(
            stmt="step()",
            globals={"step": step},
            num_threads=torch.get_num_threads(),
            timer=timer,
        )
    samples: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(rounds):
        for name, t in timers.items():
            samples[name].append(t.timeit(number).median)
    return {name: statistics.median(values) for name, values in samples.items()}
