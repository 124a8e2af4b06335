"""Build the site and its variants for `make test`, without running every page's code each time.

    python tools/build_sites.py SITE [--offline DIR] [--hosted DIR]
    python tools/build_sites.py --clean DIR

The first form is three strict ``mkdocs build`` runs: the site into SITE, then the offline copy
(``DLREF_OFFLINE=true``) and the configuration the Pages workflow publishes (site URL under a
path, repository and edit links: ``tools.sitecheck.HOSTED_ENV``). The first build runs every
``exec="on"`` block, as ``mkdocs build`` does, and keeps what each block printed. The variants
differ only in configuration and would run the same code: each is built in a new process that
takes every block's printed output from the first build instead of training the same models
and drawing the same figures again.

The reuse is exact, not a cache: the outputs live in a temporary file for the length of this
command, never between runs. A block's output can depend on every block that ran before it
(sessions, random state), so a variant takes an output only when the whole sequence of blocks
up to and including it, code and options, is the first build's; anything else stops it with an
error. Each variant starts as a fresh process, so no other state (plugins, jieba's dictionary)
carries over from the first build. A page must not print anything that depends on the
configuration: if a block's code mentions environment variables, the variants run every block
themselves.

The second form is a clean build for the reproducibility test: ``mkdocs build`` in a new process
with empty jieba and matplotlib caches (``tools.sitecheck.clean_build``). `make test` runs it at
the same time as the first form, on the other core.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.sitecheck import HOSTED_ENV, build_environment, clean_build  # noqa: E402

VARIANTS = {
    "site": {"DLREF_OFFLINE": "false"},
    "offline": {"DLREF_OFFLINE": "true"},
    "hosted": {"DLREF_OFFLINE": "false", **HOSTED_ENV},
}
# Code that could make a block's output depend on the build's configuration.
READS_CONFIGURATION = ("environ", "getenv", "DLREF_")


class ReuseError(RuntimeError):
    pass


class Blocks:
    """Stands in for markdown-exec's Python runner. Recording, it runs each block and keeps its
    output; replaying, it hands back the recorded outputs in order while the blocks match."""

    def __init__(self, run: Callable[..., str], replay: list[list[str]] | None = None) -> None:
        self.run = run
        self.replay = replay
        self.recorded: list[list[str]] = []  # [key of the sequence so far, output]
        self.key = ""
        self.reads_configuration = False

    def __call__(self, code: str, *args: Any, **kwargs: Any) -> str:
        options = repr((args, sorted(kwargs.items())))
        self.key = hashlib.sha256(f"{self.key}\0{options}\0{code}".encode()).hexdigest()
        if self.replay is None:
            output = self.run(code, *args, **kwargs)
            self.recorded.append([self.key, output])
            if any(word in code for word in READS_CONFIGURATION):
                self.reads_configuration = True
            return output
        position = len(self.recorded)
        if position >= len(self.replay) or self.replay[position][0] != self.key:
            raise ReuseError(
                f"code block {position + 1} (session {kwargs.get('session')!r}) is not the one the"
                " first build ran at this point: build this configuration on its own"
                " (`mkdocs build`)"
            )
        self.recorded.append(self.replay[position])
        return self.replay[position][1]


def _install(blocks: Blocks) -> None:
    from markdown_exec._internal.formatters import pycon, python

    python._run_python = blocks  # what the python formatter calls
    pycon._run_python = blocks  # the pycon formatter imported it by name


def _build(dest: Path, blocks: Blocks) -> None:
    """``mkdocs build --strict --site-dir dest`` in this process, as its command line does it,
    with warnings and errors shown (INFO lines left out)."""
    from markdown_exec._internal.formatters import python
    from mkdocs.commands import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-8s-  %(message)s"))
    handler.setLevel(logging.WARNING)
    logger = logging.getLogger("mkdocs")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.addHandler(handler)

    blocks.run = python._run_python
    _install(blocks)
    config = load_config(config_file=str(ROOT / "mkdocs.yml"), site_dir=str(dest), strict=True)
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build.build(config, dirty=False)
    except Abort as error:  # strict mode: the warnings are printed above
        raise SystemExit(f"{_label(dest)}: {error.message}") from error
    finally:
        config.plugins.on_shutdown()


def _label(dest: Path) -> str:
    try:
        return f"{dest.resolve().relative_to(ROOT)}/"
    except ValueError:
        return f"{dest}/"


def _environment(variant: str) -> dict[str, str]:
    return build_environment(VARIANTS[variant])


def build_variants(site: Path, others: list[tuple[str, Path]]) -> None:
    os.environ.update(_environment("site"))
    os.chdir(ROOT)
    start = time.perf_counter()
    blocks = Blocks(run=lambda *a, **k: "")
    _build(site, blocks)
    print(
        f"{_label(site)} built in {time.perf_counter() - start:.1f} s"
        f" ({len(blocks.recorded)} code blocks run)",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="dlref-blocks-") as tmp:
        record = Path(tmp) / "blocks.json"
        record.write_text(json.dumps(blocks.recorded), encoding="utf-8")
        for variant, dest in others:
            start = time.perf_counter()
            command = [sys.executable, str(Path(__file__).resolve()), "--variant", variant]
            if blocks.reads_configuration:
                how = "every code block run: one of them mentions environment variables"
            else:
                command += ["--replay", str(record)]
                how = f"code blocks' output taken from {_label(site)}"
            done = subprocess.run([*command, str(dest)], cwd=ROOT, env=_environment(variant))
            if done.returncode != 0:
                raise SystemExit(done.returncode)
            print(
                f"{_label(dest)} built in {time.perf_counter() - start:.1f} s ({how})", flush=True
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("site", type=Path, help="where to build (the strict site)")
    parser.add_argument("--offline", type=Path, help="also build the offline copy, here")
    parser.add_argument("--hosted", type=Path, help="also build the published configuration, here")
    parser.add_argument(
        "--clean", action="store_true", help="only a clean build: new process, empty caches"
    )
    # Internal: how build_variants starts each variant.
    parser.add_argument("--variant", choices=sorted(VARIANTS), help=argparse.SUPPRESS)
    parser.add_argument("--replay", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.clean:
        if args.offline or args.hosted:
            parser.error("--clean builds one site")
        start = time.perf_counter()
        try:
            clean_build(args.site)
        except RuntimeError as error:
            raise SystemExit(f"{_label(args.site)}: {error}") from error
        print(
            f"{_label(args.site)} built in {time.perf_counter() - start:.1f} s"
            " (clean: new process, empty caches)",
            flush=True,
        )
    elif args.variant:
        replay = json.loads(args.replay.read_text(encoding="utf-8")) if args.replay else None
        blocks = Blocks(run=lambda *a, **k: "", replay=replay)
        _build(args.site, blocks)
        if replay is not None and len(blocks.recorded) != len(replay):
            raise SystemExit(
                f"{_label(args.site)}: ran {len(blocks.recorded)} code blocks, the first build"
                f" {len(replay)}: build this configuration on its own (`mkdocs build`)"
            )
    else:
        others = [(name, path) for name in ("offline", "hosted") if (path := getattr(args, name))]
        build_variants(args.site, others)


if __name__ == "__main__":
    main()
