"""Build the site and its variants for `make test`, each page's code run at most once.

    python tools/build_sites.py SITE [--offline DIR] [--hosted DIR] [--cached DIR]
    python tools/build_sites.py --clean DIR

The first form is strict ``mkdocs build`` runs, each in a new process: the site into SITE, then
the offline copy (``DLREF_OFFLINE=true``), the configuration the Pages workflow publishes (site
URL under a path, repository and edit links: ``tools.sitecheck.HOSTED_ENV``) and, with
``--cached``, the site once more. Every build goes through the cache of executed blocks
(``tools/exec_cache.py``, in ``build/exec-cache/``): the first build runs the blocks whose
output is not there yet (all of them on a fresh clone, none after a prose edit) and stores their
output; the others take every block from the cache. The ``--cached`` copy is the test that a
build from the cache is byte-identical to a clean build (``tests/site/test_reproducible.py``).

The second form is a clean build for the reproducibility test: ``mkdocs build`` in a new process
with empty jieba, matplotlib and block caches (``tools.sitecheck.clean_build``), so every block
runs. `make test` runs it at the same time as the first form, on the other core.

A clean build of sources that did not change since the last one is not made again: the last one
is kept, with a record of the key it was built under (:func:`clean_build_key`: every file git
sees in the working tree, tracked or not ignored, and the vendored assets; dlref, the lock files,
Python, torch and its CPU kernel family, the settings that change numerics or output
(:func:`tools.exec_cache.fingerprint`); every installed distribution's version; node's version;
the ``DLREF_*`` settings) and of the folder's contents. When both still match, the folder is
reused and the line printed says so. ``DLREF_REUSE=0`` (or ``--no-reuse``) always builds; a fresh
clone (CI) has no record, so it builds.

Each build's block counts (from the cache, run) are printed and written to
``build/exec-stats/<folder name>.json``, where the tests check that the clean build ran every
block and the cached copy none.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.exec_cache import HARNESS, _tree_digest, _write_atomic, fingerprint  # noqa: E402
from tools.sitecheck import BUILD_ENV, HOSTED_ENV, build_environment, clean_build  # noqa: E402

STATS = ROOT / "build" / "exec-stats"
VARIANTS = {
    "site": {"DLREF_OFFLINE": "false"},
    "offline": {"DLREF_OFFLINE": "true"},
    "hosted": {"DLREF_OFFLINE": "false", **HOSTED_ENV},
    "cached": {"DLREF_OFFLINE": "false"},
}


def _label(dest: Path) -> str:
    try:
        return f"{dest.resolve().relative_to(ROOT)}/"
    except ValueError:
        return f"{dest}/"


def stats_file(dest: Path) -> Path:
    return STATS / f"{dest.resolve().name}.json"


def record_file(dest: Path) -> Path:
    return STATS / f"{dest.resolve().name}.clean-build.json"


def source_files_digest(root: Path = ROOT) -> str | None:
    """SHA-256 over every file git sees in the working tree (tracked, or untracked and not
    ignored), names and contents; None where git cannot list them."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    digest = hashlib.sha256()
    for name in sorted(set(os.fsdecode(n) for n in listed.split(b"\0") if n)):
        path = root / name
        if path.is_file() and not path.is_symlink():
            digest.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def clean_build_key(root: Path = ROOT) -> str | None:
    """Everything a clean build's output depends on, hashed; None where git cannot list the
    working tree's files (then nothing is reused)."""
    files = source_files_digest(root)
    if files is None:
        return None
    vendor = root / "docs" / "assets" / "vendor"
    node = shutil.which("node")
    node_version = (
        subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
        if node
        else None
    )
    env = build_environment({})
    fonts = None  # matplotlib finds the system's fonts too
    if shutil.which("fc-list"):
        listed_fonts = subprocess.run(["fc-list"], capture_output=True, text=True).stdout
        fonts = hashlib.sha256("\n".join(sorted(listed_fonts.splitlines())).encode()).hexdigest()
    facts = {
        "fonts": fonts,
        "files": files,
        "vendor": _tree_digest(vendor) if vendor.is_dir() else None,
        "fingerprint": fingerprint(root),
        "distributions": sorted(
            f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions()
        ),
        "node": node_version,
        "settings": sorted(
            (k, v)
            for k, v in env.items()
            if (k.startswith("DLREF_") and k not in HARNESS) or k in BUILD_ENV
        ),
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


def reusable_clean_build(dest: Path, key: str | None) -> dict[str, str] | None:
    """The record of the clean build in ``dest`` when it was made under ``key`` and the folder
    still holds what that build wrote; else None."""
    if key is None or not (dest / "index.html").is_file() or not stats_file(dest).is_file():
        return None
    try:
        record = json.loads(record_file(dest).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("key") != key or record.get("tree") != _tree_digest(dest):
        return None
    return dict(record)


def _summary(dest: Path, seconds: float, how: str = "") -> str:
    stats = json.loads(stats_file(dest).read_text(encoding="utf-8"))
    blocks = f"{stats['run']} code blocks run, {stats['from_cache']} from the cache"
    if stats["rerun_for_state"]:
        blocks += f", {stats['rerun_for_state']} run again to rebuild a session"
    return f"{_label(dest)} built in {seconds:.1f} s ({blocks}{how})"


def build(variant: str, dest: Path) -> None:
    """A strict ``mkdocs build`` into ``dest`` in a new process; warnings shown, INFO not."""
    STATS.mkdir(parents=True, exist_ok=True)
    stats_file(dest).unlink(missing_ok=True)
    env = build_environment({**VARIANTS[variant], "DLREF_EXEC_STATS": str(stats_file(dest))})
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(dest)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    shown = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if line.startswith(("WARNING", "ERROR", "Aborted", "Error", "Traceback", "  "))
    ]
    if done.returncode != 0:
        print("\n".join(shown) or done.stderr[-4000:], file=sys.stderr)
        raise SystemExit(f"{_label(dest)}: mkdocs build failed (exit code {done.returncode})")
    print(_summary(dest, time.perf_counter() - start), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("site", type=Path, help="where to build (the strict site)")
    parser.add_argument("--offline", type=Path, help="also build the offline copy, here")
    parser.add_argument("--hosted", type=Path, help="also build the published configuration, here")
    parser.add_argument("--cached", type=Path, help="also build the site again from the cache")
    parser.add_argument(
        "--clean", action="store_true", help="only a clean build: new process, empty caches"
    )
    parser.add_argument(
        "--no-reuse", action="store_true", help="--clean: build even if the sources did not change"
    )
    args = parser.parse_args()

    if args.clean:
        if args.offline or args.hosted or args.cached:
            parser.error("--clean builds one site")
        STATS.mkdir(parents=True, exist_ok=True)
        reuse = not args.no_reuse and os.environ.get("DLREF_REUSE", "1") != "0"
        key = clean_build_key() if reuse else None
        record = reusable_clean_build(args.site, key)
        if record is not None:
            built = _summary(args.site, float(record["seconds"]))
            print(
                f"{_label(args.site)} reused, not built again: nothing it depends on changed since"
                f" its clean build of {record['when']} (tools/build_sites.py clean_build_key;"
                f" DLREF_REUSE=0 builds it again). That build: {built}",
                flush=True,
            )
            return
        record_file(args.site).unlink(missing_ok=True)
        stats_file(args.site).unlink(missing_ok=True)
        start = time.perf_counter()
        try:
            clean_build(args.site, extra_env={"DLREF_EXEC_STATS": str(stats_file(args.site))})
        except RuntimeError as error:
            raise SystemExit(f"{_label(args.site)}: {error}") from error
        seconds = time.perf_counter() - start
        if key is not None:
            record = {
                "key": key,
                "tree": _tree_digest(args.site),
                "when": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
                "seconds": f"{seconds:.1f}",
            }
            _write_atomic(record_file(args.site), json.dumps(record, indent=1) + "\n")
        print(_summary(args.site, seconds, "; clean: new process, empty caches"), flush=True)
        return
    build("site", args.site)
    for variant in ("offline", "hosted", "cached"):
        dest = getattr(args, variant)
        if dest:
            build(variant, dest)


if __name__ == "__main__":
    main()
