"""Reuse of earlier passing results: a pytest plugin for the tests whose result is a function
of files and settings that can be named (``pytest_plugins`` in the root conftest.py).

A warm `make test` (nothing changed since the last one) spends most of its time computing again
what cannot have changed: the browser tests load the same bytes of the same site into the same
Chromium, and sybil runs the same page code against the same dlref. For those tests, and only
those, a passing result is stored under a key made of everything it depends on, and a later run
whose key is the same reports the stored pass instead of running the test again:

* **which tests**: the page code and docstring examples (sybil items of ``docs/*.md`` and
  ``dlref/*.py``), the unit tests in ``tests/`` (not ``tests/site/``) and the browser tests
  (marker ``browser``). No other test is ever reused;
* **the key** of a test: its node id; :func:`tools.exec_cache.fingerprint` (every file of
  dlref, the lock files, Python, torch and the CPU kernel family torch uses, the environment
  variables that change numerics or output); every file of the test code (``tests/``,
  ``tools/``, ``conftest.py``, ``pyproject.toml``); the ``DLREF_*`` and ``HYPOTHESIS_*``
  settings; and the test's own inputs: for a page, its Markdown file; for a unit test, every
  file git sees in the working tree (tracked, or untracked and not ignored: a test may list a
  folder), the interpreter, every installed distribution's version, the fonts and node's
  version (``system_identity``); for a browser test,
  every file of the built sites it opens (``$DLREF_SITE_DIR``, ``$DLREF_OFFLINE_SITE_DIR``),
  ``docs/`` (the glossary test reads the glossary), the Chromium executable (its
  ``--version``, size and modification time) and the installed fonts (``fc-list``);
* **the files a test read** from the repository while it ran (an audit hook on ``open``, as in
  the block cache), with their SHA-256: a stored pass whose files changed is not used;
* a page's blocks share one namespace and a module's tests may share fixtures, so a page or a
  test module is reused whole or run whole: every one of its items needs a stored pass under
  its current key (a browser test is reused on its own);
* only a test that passed (setup, call and teardown) is stored; a failure, an error, a skip or
  an expected failure is never reused, and a test that fails removes its stored pass.

A browser test is only reused when the sites come from the environment (`make test` sets
them): a site the fixtures build into a temporary folder is not known before the test runs.

Every reused test says so: its status is ``REUSED`` (``r`` in the progress line), the summary
counts them, and the last lines name the store. ``DLREF_REUSE=0`` (or ``-p no:tests.reuse``)
runs everything; on a fresh clone (CI) the store, ``build/test-reuse/``, is empty, so every
assertion runs. Entries are JSON files written atomically; several pytest-xdist workers share
the store.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from _pytest.runner import CallInfo
from sybil.integration.pytest import SybilItem

from tools import exec_cache
from tools.build_sites import source_files_digest

FORMAT = 1  # bump when the entries' meaning changes
STORE = Path("build", "test-reuse")  # under the root folder (the repository)
# The test code: any change here runs every test again.
TEST_CODE = ("conftest.py", "pyproject.toml", "tests", "tools")
SETTING_PREFIXES = ("DLREF_", "HYPOTHESIS_")
HARNESS = exec_cache.HARNESS  # DLREF_* settings of the test harness: no result depends on them
# Sites the browser tests open, by the variable that names them.
SITE_VARIABLES = ("DLREF_SITE_DIR", "DLREF_OFFLINE_SITE_DIR")
REUSED = "reused"  # the user property a reused report carries, and its status


def enabled(config: pytest.Config) -> bool:
    # HYPOTHESIS_PROFILE=explore draws new examples on every run: a stored pass says nothing
    # about them (the key would be the same on the same sources), so nothing is reused.
    explore = os.environ.get("HYPOTHESIS_PROFILE") == "explore"
    return (
        os.environ.get("DLREF_REUSE", "1") != "0"
        and not config.getoption("--no-reuse")
        and not explore
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--no-reuse",
        action="store_true",
        help="run every test, reusing no stored pass (tests/reuse.py)",
    )


# -- digests -------------------------------------------------------------------------------------
def tree_digest(root: Path, paths: tuple[str, ...] | list[str]) -> str:
    """SHA-256 over the names and contents of every file under ``paths`` (files or folders,
    relative to ``root``), ``__pycache__`` left out."""
    digest = hashlib.sha256()
    for name in paths:
        top = root / name
        files = [top] if top.is_file() else sorted(top.rglob("*")) if top.is_dir() else []
        digest.update(f"{name}\0{len(files)}\0".encode())
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(path.relative_to(root).as_posix().encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def chromium_identity() -> str:
    """What decides how Chromium draws a page here: its version and executable, the fonts."""
    from tools.visit import find_chromium

    found = find_chromium()
    if found is None:
        return "no chromium"
    real = Path(found).resolve()
    stat = real.stat()
    try:
        version = subprocess.run(
            [found, "--version"], capture_output=True, text=True, timeout=60
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError) as error:
        version = f"unknown ({error})"
    fonts = "no fc-list"
    if shutil.which("fc-list"):
        listed = subprocess.run(["fc-list"], capture_output=True, text=True, timeout=60).stdout
        fonts = hashlib.sha256("\n".join(sorted(listed.splitlines())).encode()).hexdigest()
    return json.dumps([str(real), stat.st_size, stat.st_mtime_ns, version, fonts])


def system_identity() -> str:
    """What a unit test may see beyond the repository: the interpreter and its packages, the
    fonts (matplotlib finds the system's), node."""
    import importlib.metadata

    fonts = "no fc-list"
    if shutil.which("fc-list"):
        listed = subprocess.run(["fc-list"], capture_output=True, text=True, timeout=60).stdout
        fonts = hashlib.sha256("\n".join(sorted(listed.splitlines())).encode()).hexdigest()
    node = shutil.which("node")
    node_version = (
        subprocess.run([node, "--version"], capture_output=True, text=True, timeout=60).stdout
        if node
        else None
    )
    distributions = sorted(
        f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions()
    )
    return json.dumps([sys.executable, sys.prefix, distributions, fonts, node_version])


# -- the store -----------------------------------------------------------------------------------
def _entry_path(store: Path, nodeid: str) -> Path:
    name = hashlib.sha256(nodeid.encode()).hexdigest()
    return store / name[:2] / f"{name}.json"


def load(store: Path, nodeid: str) -> dict[str, Any] | None:
    try:
        entry = json.loads(_entry_path(store, nodeid).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return entry if isinstance(entry, dict) and entry.get("nodeid") == nodeid else None


def unchanged(root: Path, reads: dict[str, str]) -> bool:
    for rel, digest in reads.items():
        path = root / rel
        if not path.is_file() or _sha256_file(path) != digest:
            return False
    return True


class Reuse:
    """The plugin's state in one pytest process (the controller or one xdist worker)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.store = root / STORE
        self.keys: dict[str, str] = {}  # nodeid -> key, for the eligible items
        self.reusable: set[str] = set()
        self.memo: dict[str, str] = {}
        self.reads: set[str] | None = None
        self.passed: dict[str, bool] = {}

    def _memo(self, name: str, compute: Any) -> str:
        if name not in self.memo:
            self.memo[name] = compute()
        return self.memo[name]

    # -- keys ---------------------------------------------------------------------------------
    def base(self) -> str:
        def compute() -> str:
            settings = sorted(
                (k, v)
                for k, v in os.environ.items()
                if k.startswith(SETTING_PREFIXES) and k not in HARNESS
            )
            facts = {
                "format": FORMAT,
                "fingerprint": exec_cache.fingerprint(self.root),
                "test_code": tree_digest(self.root, TEST_CODE),
                "settings": settings,
            }
            return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()

        return self._memo("base", compute)

    def inputs(self, item: pytest.Item) -> list[str] | None:
        """The digests of what ``item`` depends on beyond :meth:`base`; None when it is not
        one of the tests whose results are reused (or its inputs cannot be known yet)."""
        path = Path(str(item.path))
        if isinstance(item, SybilItem):
            rel = path.resolve().relative_to(self.root).as_posix()
            return [rel, _sha256_file(path)]
        if path.is_relative_to(self.root / "tests") and not path.is_relative_to(
            self.root / "tests" / "site"
        ):
            # A unit test may list a folder (a new page counts) or read any file: the whole
            # working tree is its input, and the installed packages, fonts and node.
            files = self._memo("source files", lambda: str(source_files_digest(self.root)))
            if files == "None":
                return None
            return [files, self._memo("system", system_identity)]
        if item.get_closest_marker("browser") is not None:
            parts = []
            for variable in SITE_VARIABLES:
                given = os.environ.get(variable)
                if not given:
                    return None
                site = (self.root / given).resolve()
                parts.append(self._memo(variable, lambda s=site: tree_digest(s, ["."])))
            parts.append(self._memo("docs", lambda: tree_digest(self.root, ["docs"])))
            parts.append(self._memo("chromium", chromium_identity))
            return parts
        return None

    def group(self, item: pytest.Item) -> str:
        """Items reused together: a page's (they share a namespace), a test module's (they
        may share fixtures), a browser test alone."""
        if item.get_closest_marker("browser") is not None:
            return item.nodeid
        return str(item.path)

    def plan(self, items: list[pytest.Item]) -> None:
        groups: dict[str, list[pytest.Item]] = {}
        for item in items:
            inputs = self.inputs(item)
            if inputs is None:
                continue
            key = hashlib.sha256(
                json.dumps([self.base(), item.nodeid, inputs]).encode()
            ).hexdigest()
            self.keys[item.nodeid] = key
            groups.setdefault(self.group(item), []).append(item)
        for members in groups.values():
            if all(self._stored_pass(item) for item in members):
                self.reusable.update(item.nodeid for item in members)

    def _stored_pass(self, item: pytest.Item) -> bool:
        entry = load(self.store, item.nodeid)
        return (
            entry is not None
            and entry.get("key") == self.keys[item.nodeid]
            and unchanged(self.root, entry.get("reads", {}))
        )

    # -- running and storing ------------------------------------------------------------------
    def reuse(self, item: pytest.Item, nextitem: pytest.Item | None) -> None:
        """Report ``item`` as passed, from its stored pass, without running it."""
        entry = load(self.store, item.nodeid) or {}
        item.user_properties.append((REUSED, entry.get("when", "")))
        ihook = item.ihook
        ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
        setupstate = item.session._setupstate
        calls = {
            "setup": lambda: None,
            "call": lambda: None,
            # What the previous item set up and the next one does not need is torn down, as
            # pytest does after every item.
            "teardown": lambda: setupstate.teardown_exact(nextitem),
        }
        for when, function in calls.items():
            info = CallInfo.from_call(function, when=when)  # type: ignore[arg-type]
            report = ihook.pytest_runtest_makereport(item=item, call=info)
            ihook.pytest_runtest_logreport(report=report)
        ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)

    def track(self) -> None:
        self.reads = set()

    def opened(self, path: Any, mode: Any, flags: Any) -> None:
        if self.reads is None:
            return
        if isinstance(mode, str):
            if any(c in mode for c in "wax+"):
                return
        elif isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR):
            return
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, str | os.PathLike):
            return
        try:
            rel = Path(os.path.abspath(path)).relative_to(self.root)
        except ValueError:
            return
        if not rel.parts or rel.parts[0] in exec_cache.UNTRACKED or "__pycache__" in rel.parts:
            return
        self.reads.add(rel.as_posix())

    def finish(self, nodeid: str) -> None:
        reads, self.reads = self.reads or set(), None
        path = _entry_path(self.store, nodeid)
        if not self.passed.pop(nodeid, False):
            path.unlink(missing_ok=True)
            return
        hashes = {}
        for rel in sorted(reads):
            file = self.root / rel
            if file.is_file():
                hashes[rel] = _sha256_file(file)
        entry = {
            "nodeid": nodeid,
            "key": self.keys[nodeid],
            "reads": hashes,
            "when": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        }
        exec_cache._write_atomic(path, json.dumps(entry, ensure_ascii=False, sort_keys=True))

    def logreport(self, report: pytest.TestReport) -> None:
        if report.nodeid not in self.keys or _reused(report):
            return
        ok = report.passed and not hasattr(report, "wasxfail")
        self.passed[report.nodeid] = self.passed.get(report.nodeid, True) and ok


# The running sessions' states, innermost last (a test of this plugin runs pytest inside pytest).
_HOOKED: list[Reuse] = []


def _install_audit_hook() -> None:
    """One audit hook per process (they cannot be removed); it reports to the innermost state."""

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "open" and _HOOKED:
            _HOOKED[-1].opened(*args[:3])

    sys.addaudithook(hook)


_install_audit_hook()


# -- pytest hooks --------------------------------------------------------------------------------
_STATE = pytest.StashKey[Reuse]()


def _state(config: pytest.Config) -> Reuse | None:
    return config.stash.get(_STATE, None)


def pytest_configure(config: pytest.Config) -> None:
    if enabled(config):
        state = Reuse(config.rootpath)
        config.stash[_STATE] = state
        _HOOKED.append(state)


def pytest_unconfigure(config: pytest.Config) -> None:
    state = _state(config)
    if state is not None and state in _HOOKED:
        _HOOKED.remove(state)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    state = _state(config)
    if state is not None:
        state.plan(items)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> bool | None:
    state = _state(item.config)
    if state is not None and item.nodeid in state.reusable:
        state.reuse(item, nextitem)
        return True
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logstart(nodeid: str) -> None:
    state = _HOOKED[-1] if _HOOKED else None
    if state is not None and nodeid in state.keys and nodeid not in state.reusable:
        state.track()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    state = _HOOKED[-1] if _HOOKED else None
    if state is not None:
        state.logreport(report)


@pytest.hookimpl(trylast=True)
def pytest_runtest_logfinish(nodeid: str) -> None:
    state = _HOOKED[-1] if _HOOKED else None
    if state is not None and nodeid in state.keys and nodeid not in state.reusable:
        state.finish(nodeid)


@pytest.hookimpl(tryfirst=True)
def pytest_report_teststatus(report: pytest.TestReport) -> tuple[str, str, str] | None:
    if report.when == "call" and report.passed and _reused(report):
        return REUSED, "r", "REUSED"
    return None


def _reused(report: pytest.TestReport) -> bool:
    return any(name == REUSED for name, _ in report.user_properties)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    reused = terminalreporter.stats.get(REUSED, [])
    if reused:
        terminalreporter.write_line(
            f"{len(reused)} tests reused a stored pass: nothing they depend on changed since"
            f" they passed (tests/reuse.py; store {STORE.as_posix()}/;"
            " DLREF_REUSE=0 runs them)"
        )
