"""Run one stage of `make test` and say how long it took; or summarise a run's stages.

    python tools/timed.py "STAGE" -- COMMAND [ARG ...]
    python tools/timed.py --summary LOG

The first form runs COMMAND (its output passes straight through), then prints one line: the
stage's wall-clock time, when it started (seconds after the outermost timed command started),
and the CPU time of every process it started, on all cores (Chromium's helper processes
included: on Linux this process adopts its orphaned descendants and collects them). It exits
with COMMAND's exit code. When ``$DLREF_STAGE_LOG`` names a file, the numbers are also appended
to it as one JSON line; `make time-test` sets it and prints the summary with the second form,
which also says how much CPU time other processes on the machine used meanwhile.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36


def _adopt_orphans() -> bool:
    """Become the reaper of orphaned descendants (Linux), so their CPU time is counted."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _reap_adopted(timeout: float) -> None:
    """Collect adopted descendants as they exit, for up to ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return  # none left
        if pid == 0:
            time.sleep(0.05)


def _machine_cpu() -> float | None:
    """CPU seconds all processes on this machine have used since boot (Linux)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
        return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return None


def run(stage: str, command: list[str]) -> int:
    start = time.perf_counter()
    os.environ.setdefault("DLREF_STAGE_T0", repr(time.time()))
    offset = time.time() - float(os.environ["DLREF_STAGE_T0"])
    machine_start = _machine_cpu()
    adopting = _adopt_orphans()
    try:
        code = subprocess.call(command, close_fds=False)  # make's jobserver pipe, if any
    except KeyboardInterrupt:
        code = 130
    if adopting:
        _reap_adopted(timeout=10)
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime
    machine_end = _machine_cpu()
    status = "" if code == 0 else f", FAILED with exit code {code}"
    print(
        f"[{stage}] {seconds:.1f} s, started at +{offset:.0f} s (CPU {cpu:.1f} s){status}",
        flush=True,
    )
    log = os.environ.get("DLREF_STAGE_LOG")
    if log:
        entry = {
            "stage": stage,
            "started": round(offset, 1),
            "seconds": round(seconds, 1),
            "cpu_seconds": round(cpu, 1),
            "exit_code": code,
        }
        if machine_start is not None and machine_end is not None:
            entry["machine_cpu_seconds"] = round(machine_end - machine_start, 1)
        with open(log, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return code


def summary(log: Path) -> None:
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line]
    total = next((e for e in entries if e["stage"] == "make test"), None)
    stages = sorted((e for e in entries if e is not total), key=lambda e: e["started"])
    width = max(len(e["stage"]) for e in entries)
    print(f"\n{'stage':<{width}}  {'start':>6}  {'wall s':>7}  {'CPU s':>7}")
    for e in stages:
        failed = "" if e["exit_code"] == 0 else f"  (exit code {e['exit_code']})"
        print(
            f"{e['stage']:<{width}}  {e['started']:>+6.0f}  {e['seconds']:7.1f}"
            f"  {e['cpu_seconds']:7.1f}{failed}"
        )
    if total:
        cores = os.cpu_count() or 1
        print(
            f"{'make test':<{width}}  {'':>6}  {total['seconds']:7.1f}  {total['cpu_seconds']:7.1f}"
        )
        busy = total["cpu_seconds"] / (total["seconds"] * cores) if total["seconds"] else 0
        print(
            f"\n`make test` took {total['seconds']:.1f} s and used {total['cpu_seconds']:.1f} s of"
            f" CPU time: its stages kept the {cores} cores {busy:.0%} busy."
        )
        if "machine_cpu_seconds" in total:
            others = max(0.0, total["machine_cpu_seconds"] - total["cpu_seconds"])
            load = others / total["seconds"] if total["seconds"] else 0
            note = ": the stages had less CPU than on an idle machine" if load > 0.1 else ""
            print(
                f"Other processes on this machine used {others:.1f} s of CPU time meanwhile"
                f" ({load:.1f} cores on average){note}."
            )


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--summary":
        summary(Path(sys.argv[2]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("stage", help="the stage's name, as printed")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARG ...]")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    with contextlib.suppress(BrokenPipeError):
        sys.exit(run(args.stage, command))


if __name__ == "__main__":
    main()
