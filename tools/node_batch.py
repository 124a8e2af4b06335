"""Build steps that hand a batch of texts to a pinned npm package under node, and the per-text
cache in front of them.

tools/purge_css.py (PurgeCSS), tools/minify_html.py (html-minifier-terser),
tools/minify_js.py (terser) and tools/optimize_svg.py (SVGO) each run a small ``tools/*.cjs``
script that reads one JSON request on stdin and writes one JSON answer on stdout (:func:`run`):
one node process per build step, not one per text. Each keys its cache on what its results
depend on besides their input (:func:`setup_digest`: the package, the lock file, the script,
its options). The last three cache each text's result under a hash of the text and of that
digest (:func:`each_cached`); only the texts not in the cache go to node.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools.exec_cache import _write_atomic
from tools.render_cache import _read

LOCK = Path(__file__).resolve().parent.parent / "package-lock.json"  # pins every npm package


def run(script: Path, package: Path, request: dict[str, Any], *, tool: str, task: str) -> Any:
    """``script`` under node with the npm ``package``'s folder as its argument and ``request``
    as its input: its JSON answer. ``tool`` names the package and ``task`` the build step in the
    errors (node missing, the package not installed, the script failing)."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError(f"node not found: the build {task} under node")
    if not (package / "package.json").is_file():
        raise RuntimeError(f"{package} is missing: run `make env` (npm ci) first")
    done = subprocess.run(
        [node, str(script), str(package)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    if done.returncode != 0:
        raise RuntimeError(f"{tool} failed (exit {done.returncode}): {done.stderr.strip()}")
    return json.loads(done.stdout)


def check_answer(answer: dict[str, str], asked: dict[str, str], *, tool: str) -> dict[str, str]:
    """``answer`` (name -> text), which must name exactly the texts of ``asked``."""
    if set(answer) != set(asked):
        raise RuntimeError(f"{tool} answered for {sorted(answer)}, asked for {sorted(asked)}")
    return answer


def digest(data: bytes) -> str:
    """The SHA-256 of ``data``, in hex."""
    return hashlib.sha256(data).hexdigest()


def setup_digest(format: int, package: Path, script: Path, *facts: Any) -> str:
    """A digest of what every result of a node step depends on besides its own input: the
    entries' ``format`` (bumped when their meaning changes), the pinned npm ``package`` (its
    package.json and package-lock.json, which pins what it runs on), the step's ``script``, and
    ``facts`` (its options, configuration and other inputs, as JSON)."""
    known = [
        format,
        digest((package / "package.json").read_bytes()),
        digest(LOCK.read_bytes()) if LOCK.is_file() else None,
        digest(script.read_bytes()),
        *facts,
    ]
    return digest(json.dumps(known, sort_keys=True).encode())


def each_cached(
    texts: dict[str, str],
    folder: Path,
    suffix: str,
    setup: str,
    compute: Callable[[dict[str, str]], dict[str, str]],
) -> tuple[dict[str, str], int]:
    """Each of ``texts`` (name -> text) made by ``compute``, or taken from ``folder`` when it
    has it; how many were. An entry is named by the hash of ``setup`` (a digest of everything
    but the text that the result depends on) and of the text; ``compute`` gets the texts not in
    the cache, all at once, and what it returns is stored (it raises to store nothing)."""
    paths = {
        name: folder / key[:2] / f"{key}{suffix}"
        for name, text in texts.items()
        for key in [digest(f"{setup}\n{digest(text.encode())}".encode())]
    }
    done = {name: found for name, path in paths.items() if (found := _read(path)) is not None}
    from_cache = len(done)
    missing = {name: text for name, text in texts.items() if name not in done}
    if missing:
        for name, text in compute(missing).items():
            _write_atomic(paths[name], text)
            done[name] = text
    return {name: done[name] for name in texts}, from_cache
