"""A cache for the output of the pages' executed code blocks (markdown-exec), so that a build
after a prose edit runs no code at all.

What a block prints can depend on everything that ran before it and on the machine, so an
output is kept under a key made of

* the **block session**: the page, and the whole sequence of executed blocks on that page up
  to and including this one (code and options: session, ``html``, ``source``, ...), in order;
* the **fingerprint** of the build (:func:`fingerprint`): every file of the ``dlref`` package,
  the lock files (``constraints.txt``, ``package-lock.json``), the Python and torch versions,
  torch's active CPU kernel family (``torch.backends.cpu.get_cpu_capability()``), and the
  environment variables that change numerics (``ATEN_CPU_CAPABILITY``, ``OMP_*``, ``MKL_*``,
  ``KMP_*``) or the output (``PYTHONHASHSEED``, ``SOURCE_DATE_EPOCH``, ``MPLBACKEND``);
* the **files the block read** from the repository (``bench/*.json``, ...), recorded while it
  ran (an audit hook on ``open``) with their SHA-256: an entry whose files changed is not used;
* the ``DLREF_*`` settings, for a block whose code mentions the environment.

Each page starts from the same state, whether or not earlier pages ran: markdown-exec's
sessions are emptied at every page, and before the first block that actually runs, the random
generators are seeded (``torch.manual_seed(0)``, as the tests' sybil setup does) and torch's
default dtype and grad mode are reset. The first block of a page that is not in the cache
(or whose files changed) makes every block before it run again, silently, to rebuild the
session, and every block after it runs too: nothing after a change is taken from the cache.
A block that fails is never stored.

The cache lives in ``build/exec-cache/`` (``$DLREF_EXEC_CACHE`` names another folder); entries
are content-addressed JSON files, written atomically, so two builds can share it; one that no
build used for two weeks is removed after a build, at most once a day (:func:`prune`). A clean build
(``tools.sitecheck.clean_build``) gets an empty folder of its own. Jupyter Book's jupyter-cache
was measured and not used: see ``docs/contributing.md`` (构建与测试耗时).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FORMAT = 1  # bump when the entries' meaning changes
DEFAULT_DIR = ROOT / "build" / "exec-cache"
LOCK_FILES = ("constraints.txt", "package-lock.json")
# Environment variables that change what a block computes or prints.
NUMERIC_PREFIXES = ("ATEN_", "OMP_", "MKL_", "KMP_")
OUTPUT_VARIABLES = ("PYTHONHASHSEED", "SOURCE_DATE_EPOCH", "MPLBACKEND")
# Code that could make a block's output depend on the build's configuration.
READS_CONFIGURATION = ("environ", "getenv", "DLREF_")
# DLREF_* settings of the test harness, on which no output depends: when `make test` started,
# where it logs stage times, where a build writes its block counts and its blocks' outputs,
# whether tests are reused, where this cache lives, and whether a missing Chromium fails the
# browser tests instead of skipping them (CI sets it: `.ci/run` with CI=true; a skip is never
# stored, and a pass is the same pass with or without it). A setting in no key must not change
# any output or result.
HARNESS = {
    "DLREF_STAGE_T0",
    "DLREF_STAGE_LOG",
    "DLREF_EXEC_STATS",
    "DLREF_EXEC_RECORD",
    "DLREF_REUSE",
    "DLREF_EXEC_CACHE",
    "DLREF_REQUIRE_BROWSER",
}
KEEP_DAYS = 14  # an entry no build used for this long is removed after a build
# Folders of the repository whose files a block may read without it counting as a dependency
# (installed packages are covered by the lock files, dlref by the fingerprint).
UNTRACKED = (".venv", ".git", "node_modules", "build", "site", "site-offline", "dlref")

Runner = Callable[..., str]


def _sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _cpu_description() -> str:
    """What torch's CPU dispatch looks at: the processor's model and feature flags (Linux)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    first = text.split("\n\n", 1)[0]
    keep = ("vendor_id", "model name", "flags", "Features", "CPU implementer", "CPU part")
    return "\n".join(line for line in first.splitlines() if line.split(":")[0].strip() in keep)


def torch_cpu_capability(cache_dir: Path) -> str:
    """``torch.backends.cpu.get_cpu_capability()`` for this process's settings.

    Importing torch costs about 2 s, most of a cached build, so the answer is remembered in
    ``cache_dir`` under the inputs it depends on: torch's version, ``ATEN_CPU_CAPABILITY``, the
    CPU's model and feature flags. Where the CPU cannot be described, torch is asked each time.
    """
    if "torch" in sys.modules:
        import torch

        return str(torch.backends.cpu.get_cpu_capability())
    cpu = _cpu_description()
    inputs = json.dumps(
        [
            importlib.metadata.version("torch"),
            os.environ.get("ATEN_CPU_CAPABILITY", ""),
            platform.machine(),
            cpu,
        ]
    )
    memo = cache_dir / "cpu-capability" / hashlib.sha256(inputs.encode()).hexdigest()
    if cpu and memo.is_file():
        return memo.read_text(encoding="utf-8")
    import torch

    capability = str(torch.backends.cpu.get_cpu_capability())
    if cpu:
        _write_atomic(memo, capability)
    return capability


def fingerprint(root: Path = ROOT, cache_dir: Path = DEFAULT_DIR) -> dict[str, Any]:
    """Everything outside the page that every block's output may depend on."""
    env = {
        key: value
        for key, value in sorted(os.environ.items())
        if key.startswith(NUMERIC_PREFIXES) or key in OUTPUT_VARIABLES
    }
    facts: dict[str, Any] = {
        "format": FORMAT,
        "python": sys.version,
        "machine": platform.machine(),
        "torch": importlib.metadata.version("torch"),
        "torch_cpu_capability": torch_cpu_capability(cache_dir),
        "environment": env,
        "dlref": _tree_digest(root / "dlref"),
    }
    if "OMP_NUM_THREADS" not in env:  # torch then uses one thread per core
        facts["cores"] = os.cpu_count()
    for name in LOCK_FILES:
        path = root / name
        facts[name] = _sha256_file(path) if path.is_file() else None
    return facts


def _write_atomic(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        if isinstance(content, bytes):
            with os.fdopen(fd, "wb") as b:
                b.write(content)
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(content)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def cache_directory() -> Path:
    """The cache's folder: ``$DLREF_EXEC_CACHE``, else ``build/exec-cache/``. The other build
    caches (tools/render_cache.py, tools/purge_css.py, ...) keep their entries in it too."""
    return Path(os.environ.get("DLREF_EXEC_CACHE") or DEFAULT_DIR)


def touch(path: Path) -> None:
    """Mark an entry as used now (:func:`prune` removes the ones unused for long)."""
    with contextlib.suppress(OSError):
        os.utime(path)


def prune(directory: Path, days: float = KEEP_DAYS) -> int:
    """Remove the entries nobody used for ``days`` days; returns how many."""
    cutoff = time.time() - days * 86400
    removed = 0
    for path in directory.glob("*/**/*"):
        with contextlib.suppress(OSError):
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
    return removed


@dataclass
class Stats:
    from_cache: int = 0
    run: int = 0  # blocks whose output this build computed
    rerun_for_state: int = 0  # earlier blocks run again to rebuild a session
    seconds_running: float = 0.0
    pages_run: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "from_cache": self.from_cache,
            "run": self.run,
            "rerun_for_state": self.rerun_for_state,
            "seconds_running": round(self.seconds_running, 2),
            "pages_run": self.pages_run,
        }


class ExecCache:
    """Stands in for markdown-exec's Python runner: hands back a block's stored output when
    its key matches, runs it (and stores the output) when not."""

    def __init__(
        self,
        run: Runner,
        directory: Path = DEFAULT_DIR,
        *,
        root: Path = ROOT,
        facts: dict[str, Any] | None = None,
        reset_state: Callable[[], None] | None = None,
    ) -> None:
        self.run = run
        self.directory = directory
        self.root = root.resolve()
        self.facts = facts if facts is not None else fingerprint(root, directory)
        self.base = hashlib.sha256(json.dumps(self.facts, sort_keys=True).encode()).hexdigest()
        self.reset_state = reset_state if reset_state is not None else reset_global_state
        self.stats = Stats()
        self.reads: set[str] | None = None  # files read by the running block, while tracking
        self.warnings: list[str] = []
        # What every block of this build printed, from the cache or run, in page order: the
        # numerics matrix (tools/numerics.py) compares it between environments.
        self.outputs: list[dict[str, Any]] = []
        self.start_page("")
        _install_audit_hook(self)

    # -- pages ---------------------------------------------------------------------------------
    def start_page(self, page: str) -> None:
        self.page = page
        self.chain = hashlib.sha256(f"{FORMAT}\0{page}".encode()).hexdigest()
        self.done: list[tuple[str, tuple[Any, ...], dict[str, Any], str]] = []
        self.running = False  # True from the first block of this page that runs
        self.mentions_environment = False
        self.block = 0  # the executed blocks of this page so far
        _reset_markdown_exec()

    # -- blocks --------------------------------------------------------------------------------
    def __call__(self, code: str, *args: Any, **kwargs: Any) -> str:
        options = repr((args, sorted(kwargs.items())))
        if any(word in code for word in READS_CONFIGURATION):
            self.mentions_environment = True
        settings = ""
        if self.mentions_environment:
            settings = repr(
                sorted(
                    (k, v)
                    for k, v in os.environ.items()
                    if k.startswith("DLREF_") and k not in HARNESS
                )
            )
        self.chain = hashlib.sha256(
            f"{self.chain}\0{options}\0{code}\0{settings}".encode()
        ).hexdigest()
        key = hashlib.sha256(f"{self.base}\0{self.chain}".encode()).hexdigest()
        path = self.directory / "blocks" / key[:2] / f"{key}.json"
        self.block += 1
        first_line = next((s.strip() for s in code.splitlines() if s.strip()), "")[:80]

        if not self.running:
            entry = self._load(path)
            if entry is not None and self._unchanged(entry["reads"]):
                touch(path)
                self.done.append((code, args, kwargs, entry["output"]))
                self.stats.from_cache += 1
                self._record(first_line, str(entry["output"]))
                return str(entry["output"])
            self._start_running()

        output, reads = self._run_tracked(code, args, kwargs)
        self.stats.run += 1
        entry = {
            "page": self.page,
            "session": kwargs.get("session"),
            "first_line": first_line,
            "reads": reads,
            "output": output,
        }
        _write_atomic(path, json.dumps(entry, ensure_ascii=False, sort_keys=True))
        self.done.append((code, args, kwargs, output))
        self._record(first_line, output)
        return output

    def _record(self, first_line: str, output: str) -> None:
        self.outputs.append(
            {"page": self.page, "block": self.block, "first_line": first_line, "output": output}
        )

    def _start_running(self) -> None:
        """The first block of this page that is not taken from the cache: start from the
        page's initial state and run every earlier block again to rebuild its sessions."""
        self.running = True
        self.stats.pages_run.append(self.page)
        self.reset_state()
        earlier, self.done = self.done, []
        for code, args, kwargs, cached in earlier:
            output, _ = self._run_tracked(code, args, kwargs)
            self.stats.rerun_for_state += 1
            if output != cached:
                self.warnings.append(
                    f"{self.page}: a block printed something else than the cache held for it,"
                    " so its output depends on something its key misses (first line:"
                    f" {code.strip().splitlines()[0][:60]!r})"
                )
            self.done.append((code, args, kwargs, cached))

    def _run_tracked(
        self, code: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[str, dict[str, str]]:
        self.reads = set()
        start = time.perf_counter()
        try:
            output = self.run(code, *args, **kwargs)
        finally:
            self.stats.seconds_running += time.perf_counter() - start
            read, self.reads = self.reads, None
        hashes = {}
        for rel in sorted(read):
            path = self.root / rel
            if path.is_file():
                hashes[rel] = _sha256_file(path)
        return output, hashes

    def _load(self, path: Path) -> dict[str, Any] | None:
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return entry if isinstance(entry, dict) and "output" in entry else None

    def _unchanged(self, reads: dict[str, str]) -> bool:
        for rel, digest in reads.items():
            path = self.root / rel
            if not path.is_file() or _sha256_file(path) != digest:
                return False
        return True

    # -- dependency tracking -------------------------------------------------------------------
    def _opened(self, path: Any, mode: Any, flags: Any) -> None:
        if isinstance(mode, str):
            if any(c in mode for c in "wax+"):
                return
        elif isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR):
            return
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, str | os.PathLike):
            return  # a file descriptor
        try:
            rel = Path(os.path.abspath(path)).relative_to(self.root)
        except ValueError:
            return
        if not rel.parts or rel.parts[0] in UNTRACKED or "__pycache__" in rel.parts:
            return
        assert self.reads is not None
        self.reads.add(rel.as_posix())


_AUDITED: list[ExecCache] = []


def _install_audit_hook(cache: ExecCache) -> None:
    """One audit hook per process (they cannot be removed); it reports to the newest cache."""
    if not _AUDITED:

        def hook(event: str, args: tuple[Any, ...]) -> None:
            if event == "open" and _AUDITED and _AUDITED[-1].reads is not None:
                _AUDITED[-1]._opened(*args[:3])

        sys.addaudithook(hook)
    _AUDITED[:] = [cache]


def _reset_markdown_exec() -> None:
    """Empty markdown-exec's sessions and block counters: a page never sees another's."""
    with contextlib.suppress(ImportError):
        from markdown_exec._internal.formatters import python

        python._sessions_globals.clear()
        python._sessions_counter.clear()
        python._code_blocks.clear()


def reset_global_state() -> None:
    """The state every page's first executed block starts from, as in the tests (sybil seeds
    each page with ``torch.manual_seed(0)``)."""
    import random

    import numpy as np
    import torch

    random.seed(0)
    np.random.seed(0)  # noqa: NPY002 -- the legacy global generator is the state to reset
    torch.manual_seed(0)
    torch.set_default_dtype(torch.float32)
    torch.set_grad_enabled(True)
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt

        plt.close("all")


# -- markdown-exec -------------------------------------------------------------------------------
_ORIGINAL: list[Runner] = []
_IMPORTED: dict[str, str] = {}  # "dlref": the digest of the dlref sources this process runs


def forget_edited_dlref(digest: str, modules: dict[str, Any] = sys.modules) -> None:
    """Under ``make serve`` one process builds again after every edit, with dlref still
    imported. When dlref's sources changed since this process first installed the cache,
    the blocks would run the old code and store its output under the new key, where a later
    ``make site`` would take it. So the stale dlref modules are dropped here, and the blocks
    import the edited ones."""
    if _IMPORTED.setdefault("dlref", digest) != digest:
        for name in [n for n in modules if n == "dlref" or n.startswith("dlref.")]:
            del modules[name]
        _IMPORTED["dlref"] = digest


def install(cache_dir: Path | None = None) -> ExecCache:
    """Put an :class:`ExecCache` in front of markdown-exec's Python runner (python and pycon
    blocks) and return it. Installing again (another build in this process) replaces it."""
    from markdown_exec._internal.formatters import pycon, python

    if not _ORIGINAL:
        _ORIGINAL.append(python._run_python)
    directory = cache_dir or cache_directory()
    cache = ExecCache(_ORIGINAL[0], directory)
    forget_edited_dlref(cache.facts["dlref"])
    python._run_python = cache
    pycon._run_python = cache  # the pycon formatter imported it by name
    return cache
