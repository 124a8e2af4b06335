"""Lighthouse on every page of the built site, served with gzip as a static host serves it.

    python tools/audit.py [--site site] [--json FILE] [--page PATH ...] [--runs 5]

Lighthouse (npm, pinned in package.json; 12.2.3 runs on Node 20) runs with its mobile preset,
the default, against the Chromium the browser tests use (``CHROME_PATH``, else
``DLREF_CHROMIUM``, else the first on ``PATH``: Debian's, from ``make browser-deps``), with
``--headless=new --no-sandbox``. The site is served on 127.0.0.1 by ``tools/serve_site.py``,
which compresses text as GitHub Pages does (Python's ``http.server`` does not). The pages are
audited one after the other, so they do not compete for the CPU.

Each page is judged by the median of ``--runs`` runs (5 by default), the run with the median
performance score, as Lighthouse CI does and as Lighthouse's own notes on variability advise
(the median of five runs is about twice as stable as one run): on this project's pages the same
page scored anywhere from 81 to 99 in single runs on one machine, so a single run is not a
verdict, and with three runs one slow run in two could fail a page that passes. A page stops
being audited as soon as its verdict is decided (:func:`decided`): once 3 of its 5 runs have met
the threshold, the median of all 5 meets it whatever the other two score, and once 3 have
missed it, the median misses it. The verdict is the one five runs give, and a page that passes
every run takes three runs, not five (on the whole site here: 91 runs instead of 150, 19
minutes instead of 33). Its reported performance score is then the median of the runs made.
Accessibility, best practices and SEO do not depend on timing: they are audited in the first
run only, and the further runs measure performance alone. The report prints each page's median
scores, every performance score and Lighthouse's benchmark index of the machine in each run
(its CPU speed at the time: a slow run that coincides with a low index says more about the
machine than about the page).

Fails (exit 1) when any page's median run scores below a threshold: performance 95,
accessibility, best practices and SEO 100. Performance is measured with Lighthouse's simulated
mobile throttling, but the page's own script time still depends on how busy the machine is: on
a machine other work is loading, run it again when it is quiet before trusting a performance
failure (the report prints the machine's load average with the scores).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools.serve_site import serve
from tools.sitecheck import ROOT, pages
from tools.visit import find_chromium

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
THRESHOLDS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}


def audit_page(url: str, chrome: str, out: Path, categories: list[str]) -> dict[str, Any]:
    """One Lighthouse run of these categories; its JSON report."""
    env = {**os.environ, "CHROME_PATH": chrome}
    done = subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={out}",
            "--chrome-flags=--headless=new --no-sandbox",
            "--only-categories=" + ",".join(categories),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0 or not out.is_file():
        raise RuntimeError(f"lighthouse failed on {url}:\n{done.stderr[-3000:]}")
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


def summarise(report: dict[str, Any]) -> dict[str, Any]:
    """Scores (0-100) and, for each category below 100, the audits that lost points."""
    scores = {k: round(100 * (v["score"] or 0)) for k, v in report["categories"].items()}
    failing: dict[str, list[str]] = {}
    for key, category in report["categories"].items():
        for ref in category["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] > 0 and audit["score"] is not None and audit["score"] < 1:
                value = audit.get("displayValue", "")
                items = (audit.get("details") or {}).get("items") or []
                where = [
                    i["node"].get("selector", "") for i in items if isinstance(i.get("node"), dict)
                ]
                if where:
                    value += " at " + ", ".join(where[:3]) + (" ..." if len(where) > 3 else "")
                failing.setdefault(key, []).append(f"{ref['id']} {value}".strip())
    metrics = {
        name: report["audits"][name]["numericValue"]
        for name in (
            "first-contentful-paint",
            "largest-contentful-paint",
            "total-blocking-time",
            "cumulative-layout-shift",
            "speed-index",
        )
        if name in report["audits"]
    }
    # Lighthouse's measure of the machine's speed while it ran (higher is faster): a slow run
    # on a page that passes elsewhere shows here whether the machine was slow at the time.
    benchmark = round(report.get("environment", {}).get("benchmarkIndex") or 0)
    return {"scores": scores, "failing": failing, "metrics": metrics, "benchmark": benchmark}


def decided(performance_runs: list[int], runs: int) -> bool:
    """Whether the median performance score of ``runs`` runs is already on one side of the
    threshold, given the scores of the runs made so far.

    The median of ``runs`` scores is the ``(runs + 1) // 2``-th lowest (the lower middle one for
    an even count, as :func:`median_run` takes it), so it meets the threshold exactly when at
    least ``runs // 2 + 1`` scores do. Once that many runs have met it, or enough have missed it
    that the rest cannot make up the count, more runs cannot change the verdict.
    """
    minimum = THRESHOLDS["performance"]
    needed = runs // 2 + 1  # passing runs for a passing median: 3 of 5
    met = sum(score >= minimum for score in performance_runs)
    missed = len(performance_runs) - met
    return met >= needed or missed > runs - needed or len(performance_runs) >= runs


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median performance score (the lower middle one for an even count),
    with every run's performance score added as ``performance_runs``. A category that only
    some runs measured (the first run measures them all) keeps its scores and failing audits
    from the first run that has it."""
    ordered = sorted(runs, key=lambda r: r["scores"].get("performance", 0))
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    chosen["scores"] = dict(chosen["scores"])
    chosen["failing"] = dict(chosen["failing"])
    for run in runs:
        for key, score in run["scores"].items():
            if key not in chosen["scores"]:
                chosen["scores"][key] = score
                if key in run["failing"]:
                    chosen["failing"][key] = run["failing"][key]
    chosen["performance_runs"] = [r["scores"].get("performance", 0) for r in runs]
    chosen["benchmark_runs"] = [r.get("benchmark", 0) for r in runs]
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT / "site")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--page", action="append", help="only these pages (e.g. index.html)")
    parser.add_argument(
        "--runs",
        type=int,
        default=5,
        help="judge each page by the median of this many runs (stopping once it is decided)",
    )
    args = parser.parse_args()
    if not (args.site / "index.html").is_file():
        raise SystemExit(f"{args.site} is not a built site: run `make site` first")
    if not LIGHTHOUSE.exists():
        raise SystemExit(f"{LIGHTHOUSE} is missing: run `make env` (npm ci) first")
    # The Chromium the browser tests use (tests/site/conftest.py): $CHROME_PATH, else
    # $DLREF_CHROMIUM, else the first on PATH (Debian's, from `make browser-deps`).
    chrome = os.environ.get("CHROME_PATH") or find_chromium()
    if chrome is None:
        raise SystemExit("Chromium not found (`make browser-deps`, or set CHROME_PATH)")

    targets = [p for p in pages(args.site) if p.path != "404.html"]
    if args.page:
        targets = [p for p in targets if p.path in args.page or p.url_path in args.page]
        if not targets:
            parser.error(f"no page of {args.site} matches --page {' '.join(args.page)}")
    results: dict[str, Any] = {}
    with serve(args.site) as base, tempfile.TemporaryDirectory(prefix="dlref-lh-") as tmp:
        total = max(1, args.runs)
        for i, page in enumerate(targets):
            runs: list[dict[str, Any]] = []
            while not runs or not decided([r["scores"]["performance"] for r in runs], total):
                categories = list(THRESHOLDS) if not runs else ["performance"]
                out = Path(tmp) / f"{i}-{len(runs)}.json"
                runs.append(summarise(audit_page(base + page.url_path, chrome, out, categories)))
            results[page.path] = summary = median_run(runs)
            load = os.getloadavg()[0]
            scores = "  ".join(f"{k} {v}" for k, v in summary["scores"].items())
            spread = summary["performance_runs"]
            bench = summary["benchmark_runs"]
            print(
                f"{page.path:50s} {scores}  (performance runs {spread}, "
                f"benchmark index {bench}, load {load:.1f})",
                flush=True,
            )

    below = []
    for path, summary in results.items():
        for key, minimum in THRESHOLDS.items():
            score = summary["scores"].get(key, 0)
            if score < minimum:
                lost = ", ".join(summary["failing"].get(key, []))
                below.append(f"{path}: {key} {score} < {minimum} ({lost})")
    for key in THRESHOLDS:
        values = [s["scores"][key] for s in results.values()]
        print(f"{key}: min {min(values)}, median {statistics.median(values):g}, max {max(values)}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", "utf-8")
    if below:
        print(f"\n{len(below)} scores below the thresholds:\n  " + "\n  ".join(below))
        raise SystemExit(1)
    print(f"every page meets the thresholds ({len(results)} pages)")


if __name__ == "__main__":
    main()
