"""Where a ``mkdocs build`` spends its time: per page, per executed code block, per plugin event.

    python tools/build_profile.py [--offline] [--top 15] [--json out.json]

Runs one strict build in this process (into a temporary folder, with fresh jieba and matplotlib
caches unless ``--warm``; executed blocks go through the block cache, tools/exec_cache.py, so
only blocks not cached yet run and are listed: ``DLREF_EXEC_CACHE=$(mktemp -d)`` profiles a
build that runs them all) with timers around mkdocs' steps, and prints

* the whole build, including starting Python and importing mkdocs and its plugins;
* each page: reading and converting its Markdown (which runs its ``exec="on"`` blocks and
  renders mkdocstrings' API entries) and writing its HTML;
* each executed block (markdown-exec), slowest first, with its page, session and first line;
* each plugin event (search indexing with jieba, the offline plugin, ...).

Measures only; the site it builds is thrown away. ``make profile-build`` runs it.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any


def _process_age() -> float:
    """Seconds since this process started (Linux; 0 elsewhere)."""
    try:
        since_boot = float(Path("/proc/uptime").read_text().split()[0])
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        return max(0.0, since_boot - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return 0.0


STARTED = time.perf_counter() - _process_age()  # when Python started, on the same clock
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def profile(offline: bool, warm: bool) -> dict[str, Any]:
    from tools.sitecheck import BUILD_ENV

    for key, value in BUILD_ENV.items():
        os.environ.setdefault(key, value)
    os.environ["DLREF_OFFLINE"] = "true" if offline else "false"
    tmp = tempfile.mkdtemp(prefix="dlref-profile-")
    if not warm:
        for name in ("tmp", "mpl"):
            Path(tmp, name).mkdir()
        os.environ["TMPDIR"] = f"{tmp}/tmp"
        os.environ["MPLCONFIGDIR"] = f"{tmp}/mpl"
        tempfile.tempdir = None  # re-read TMPDIR

    os.chdir(ROOT)
    imports_start = time.perf_counter()
    from markdown_exec._internal.formatters import pycon as exec_pycon
    from markdown_exec._internal.formatters import python as exec_python
    from mkdocs import plugins as mkdocs_plugins
    from mkdocs.commands import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    imports = time.perf_counter() - imports_start

    pages: dict[str, dict[str, float]] = defaultdict(lambda: {"read": 0.0, "write": 0.0})
    blocks: list[dict[str, Any]] = []
    events: dict[str, float] = defaultdict(float)
    current = {"page": "?"}

    def timed_page(step: str, original: Any) -> Any:
        def wrapper(page: Any, *args: Any, **kwargs: Any) -> Any:
            current["page"] = page.file.src_uri
            start = time.perf_counter()
            try:
                return original(page, *args, **kwargs)
            finally:
                pages[page.file.src_uri][step] += time.perf_counter() - start

        return wrapper

    mkdocs_build._populate_page = timed_page("read", mkdocs_build._populate_page)
    mkdocs_build._build_page = timed_page("write", mkdocs_build._build_page)

    run_python = exec_python._run_python

    def timed_block(code: str, *args: Any, **kwargs: Any) -> str:
        start = time.perf_counter()
        try:
            return run_python(code, *args, **kwargs)
        finally:
            first = next((line for line in code.splitlines() if line.strip()), "")
            blocks.append(
                {
                    "page": current["page"],
                    "session": kwargs.get("session"),
                    "seconds": time.perf_counter() - start,
                    "first_line": first.strip()[:70],
                }
            )

    exec_python._run_python = timed_block
    exec_pycon._run_python = timed_block  # the pycon formatter imported it by name

    run_event = mkdocs_plugins.PluginCollection.run_event

    def timed_event(self: Any, name: str, item: Any = None, **kwargs: Any) -> Any:
        methods = self.events[name]
        origins = self._event_origins

        def wrap(method: Any) -> Any:
            def timed(*a: Any, **k: Any) -> Any:
                start = time.perf_counter()
                try:
                    return method(*a, **k)
                finally:
                    events[f"{origins.get(method, '?')}: {name}"] += time.perf_counter() - start

            return timed

        self.events[name] = [wrap(m) for m in methods]
        for wrapped, method in zip(self.events[name], methods, strict=True):
            origins[wrapped] = origins.get(method, "?")
        try:
            return run_event(self, name, item, **kwargs)
        finally:
            self.events[name] = methods

    mkdocs_plugins.PluginCollection.run_event = timed_event  # type: ignore[method-assign]

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s - %(message)s"))
    handler.setLevel(logging.WARNING)
    logging.getLogger("mkdocs").addHandler(handler)

    config_start = time.perf_counter()
    config = load_config(config_file=str(ROOT / "mkdocs.yml"), site_dir=f"{tmp}/site", strict=True)
    config.plugins.on_startup(command="build", dirty=False)
    load = time.perf_counter() - config_start
    build_start = time.perf_counter()
    aborted = None
    try:
        mkdocs_build.build(config)
    except Abort as error:  # still worth reporting where the time went
        aborted = str(error)
    build = time.perf_counter() - build_start
    config.plugins.on_shutdown()
    return {
        "offline": offline,
        "aborted": aborted,
        "warm": warm,
        "cpu_seconds": time.process_time(),  # this process's CPU time, start to here
        "seconds": {
            "python_start_and_tools_import": imports_start - STARTED,
            "import_mkdocs_and_markdown_exec": imports,
            "load_config_and_plugins": load,
            "build": build,
            "total": time.perf_counter() - STARTED,
        },
        "pages": dict(pages),
        "blocks": blocks,
        "events": dict(events),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--offline", action="store_true", help="profile the offline build")
    parser.add_argument("--warm", action="store_true", help="keep this user's jieba/mpl caches")
    parser.add_argument("--top", type=int, default=15, help="how many blocks to list")
    parser.add_argument("--json", type=Path, help="also write everything to this file")
    args = parser.parse_args()
    data = profile(args.offline, args.warm)

    s = data["seconds"]
    exec_total = sum(b["seconds"] for b in data["blocks"])
    print(
        f"build ({'offline' if args.offline else 'strict'}, {'warm' if args.warm else 'cold'}"
        f" caches): {s['total']:.1f} s in all; python start"
        f" {s['python_start_and_tools_import']:.1f}"
        f" s, imports {s['import_mkdocs_and_markdown_exec']:.1f} s, config and plugins"
        f" {s['load_config_and_plugins']:.1f} s, build {s['build']:.1f} s"
        f" (of which executed blocks {exec_total:.1f} s); CPU time {data['cpu_seconds']:.1f} s"
        " (on a busy machine the wall-clock times include waiting for a core)"
    )
    if data["aborted"]:
        print(f"the build failed ({data['aborted']}); the times are still those of this run")
    print("\npages (read = Markdown with its executed blocks and API entries; write = HTML):")
    per_page_exec: dict[str, float] = defaultdict(float)
    for b in data["blocks"]:
        per_page_exec[b["page"]] += b["seconds"]
    for page, t in sorted(data["pages"].items(), key=lambda kv: -(kv[1]["read"] + kv[1]["write"])):
        print(
            f"  {t['read'] + t['write']:6.2f} s  {page:42s} read {t['read']:5.2f}"
            f" (blocks {per_page_exec.get(page, 0):5.2f})  write {t['write']:5.2f}"
        )
    print(f"\nslowest executed blocks (of {len(data['blocks'])}):")
    for b in sorted(data["blocks"], key=lambda b: -b["seconds"])[: args.top]:
        print(f"  {b['seconds']:6.2f} s  {b['page']:38s} {b['first_line']}")
    print("\nplugin events over 0.1 s:")
    for name, t in sorted(data["events"].items(), key=lambda kv: -kv[1]):
        if t >= 0.1:
            print(f"  {t:6.2f} s  {name}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")


if __name__ == "__main__":
    main()
