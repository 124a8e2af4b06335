"""Timing helpers shared by the benchmarks in bench/: interleaved medians on a shared machine."""

from __future__ import annotations

import ctypes
import resource
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


# glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def keep_freed_memory() -> bool:
    """Make glibc's malloc keep freed memory in the process instead of returning it to the OS.

    PyTorch's CPU tensors come from ``malloc``. By default glibc serves a large request (a
    tensor of $10^6$ float32 numbers is 4 MB) from a fresh ``mmap`` or from the top of the heap,
    and returns it to the operating system when it is freed. The next tensor of that size then
    costs a page fault for every 4 KB page it touches (about 1000 per tensor, each some
    microseconds, counted in the thread's CPU time): often more than the arithmetic on it.
    How many faults a step takes depends on the heap's history (which tensors happened to be
    freed last), so the same step measured 0.3 ms in one run and 4 ms in the next, and ratios
    between two implementations mostly measured the allocator.

    With a fixed mmap threshold of 32 MB (glibc's largest) and no trimming, memory freed by
    one step is reused by the next: the steady state of a training loop, and what the
    allocators PyTorch recommends for CPU work (jemalloc, tcmalloc) do anyway. Both sides of
    every comparison run in the same process under the same setting. Tensors above 32 MB (the
    $10^7$ sweep point) still come from ``mmap``. Returns whether the setting took effect
    (``False`` off glibc).
    """
    try:
        libc = ctypes.CDLL(None)
        ok = libc.mallopt(_M_MMAP_THRESHOLD, 32 * 2**20) == 1
        return ok and libc.mallopt(_M_TRIM_THRESHOLD, 2**31 - 1) == 1
    except (OSError, AttributeError):
        return False


def page_faults() -> int:
    """Minor page faults of this process so far (memory handed over by the operating system)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def faults_per_step(step: Callable[[], None], number: int = 20) -> float:
    """Average page faults of one call of ``step``, after a warm-up call."""
    step()
    before = page_faults()
    for _ in range(number):
        step()
    return (page_faults() - before) / number


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
