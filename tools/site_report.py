"""Print the site's vital numbers: build time, pages, figures, and what a first visit costs.

    python tools/site_report.py [--site site] [--time-builds] [--json out.json]

* **build time** (``--time-builds``): ``mkdocs build --strict`` cold (a new process with empty
  jieba, matplotlib and code-block caches: every block runs), warm (again, right after it: every
  block from the cache), and after a one-sentence prose edit, each into a temporary folder, in
  wall-clock and CPU time, with how many blocks ran. For `make test`, stage by stage, see
  ``make time-test`` (tools/timed.py);
* **`make test`**: the last ``make time-test`` run's stages and total, wall-clock and CPU time,
  from ``test-artifacts/make-test-times.jsonl`` (run ``make time-test`` twice in a row for the
  warm figure: the second run has nothing to build or install and reuses what did not change);
* **pages and figures**: generated HTML pages (without 404.html), formulas, figures (inline SVG
  or images in the content);
* **first-visit weight**: the bytes a reader's browser transfers for its first visit of a page,
  the HTML plus every resource it loads (styles, scripts, fonts, the search worker; the search
  index only loads when the reader opens the search box), measured in headless Chromium
  (Playwright, ``tools/visit.py``) with an empty cache. ``served`` is with gzip as a static host
  (GitHub Pages) sends text; ``raw`` is uncompressed (every loaded file at its size on disk, as
  from a folder). The budget for the median page, raw, is 400 KB. Without Chromium, a static
  estimate: the HTML plus the files it references directly, plus the search worker.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools.serve_site import serve
from tools.sitecheck import ROOT, build_site, pages, resolve, third_party
from tools.visit import Tab, find_chromium, launch

FIRST_VISIT_BUDGET = 400_000  # bytes, uncompressed, the median page
# Issue #16: a one-sentence prose edit rebuilds in this many seconds (wall clock, `make site`),
# and a warm `make test` (nothing changed since the last one) takes at most this many.
REBUILD_BUDGET = 5.0
WARM_TEST_BUDGET = 90.0

# The page edited for the "one-sentence prose edit" build, and the sentence added at its end.
EDITED_PAGE = ROOT / "docs" / "sequence" / "char-rnn-hello.md"
SENTENCE = "\n\n这是为测量重新构建的耗时临时加上的一句正文。\n"
TEST_TIMES = ROOT / "test-artifacts" / "make-test-times.jsonl"  # written by `make time-test`


def _timed_build(dest: Path, env: dict[str, str]) -> dict[str, Any]:
    stats = dest.parent / f"{dest.name}.exec-stats.json"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    build_site(dest, extra_env={**env, "DLREF_EXEC_STATS": str(stats)})
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    blocks = json.loads(stats.read_text(encoding="utf-8"))
    return {
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "blocks_run": blocks["run"],
        "blocks_from_cache": blocks["from_cache"],
    }


def time_builds() -> dict[str, dict[str, Any]]:
    """``mkdocs build --strict`` (what `make site` runs) three times, with caches of its own:
    cold (empty jieba, matplotlib and block caches), warm (right after: caches filled), and
    after a one-sentence prose edit of the heaviest page (the sentence is removed afterwards)."""
    with tempfile.TemporaryDirectory(prefix="dlref-report-") as tmp:
        caches = {
            "TMPDIR": f"{tmp}/tmp",
            "MPLCONFIGDIR": f"{tmp}/mpl",
            "DLREF_EXEC_CACHE": f"{tmp}/exec",
        }
        for folder in caches.values():
            Path(folder).mkdir()
        times = {}
        for name in ("cold", "warm"):
            times[name] = _timed_build(Path(tmp) / name, caches)
        original = EDITED_PAGE.read_bytes()
        try:
            EDITED_PAGE.write_bytes(original + SENTENCE.encode())
            times["prose edit"] = _timed_build(Path(tmp) / "edited", caches)
        finally:
            EDITED_PAGE.write_bytes(original)
    return times


def test_times(log: Path = TEST_TIMES) -> dict[str, Any] | None:
    """The last `make time-test` run: when it ended, its total and its stages."""
    if not log.is_file():
        return None
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line]
    total = next((e for e in entries if e["stage"] == "make test"), None)
    if total is None:
        return None
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(log.stat().st_mtime))
    stages = sorted((e for e in entries if e is not total), key=lambda e: e["started"])
    return {"when": when, "total": total, "stages": stages}


def browser_weights(site: Path) -> dict[str, dict[str, int]]:
    chromium = find_chromium()
    assert chromium is not None
    weights: dict[str, dict[str, int]] = {"served": {}, "raw": {}}
    with launch(chromium) as browser, serve(site) as base:
        for page in pages(site):
            if page.path == "404.html":
                continue
            tab = Tab(browser, site=site)
            try:
                visit = tab.goto(base + page.url_path)
                weights["served"][page.path] = visit.served
                weights["raw"][page.path] = visit.raw
            finally:
                tab.close()
    return weights


def static_weights(site: Path) -> dict[str, dict[str, int]]:
    extra = sorted((site / "assets" / "javascripts" / "workers").glob("search*.js"))
    base = sum(p.stat().st_size for p in extra if p.is_file())
    weights = {}
    for page in pages(site):
        if page.path == "404.html":
            continue
        total = (site / page.path).stat().st_size + base
        seen = set()
        for _, url in page.resources:
            target = resolve(page, url)
            if third_party(url, f"http://site.invalid/{page.path}") or not target.file:
                continue
            if target.file not in seen and (site / target.file).is_file():
                seen.add(target.file)
                total += (site / target.file).stat().st_size
        weights[page.path] = total
    return {"raw (static estimate)": weights}


def report(site: Path, timings: dict[str, float] | None) -> dict[str, Any]:
    all_pages = [p for p in pages(site) if p.path != "404.html"]
    data: dict[str, Any] = {
        "pages": len(all_pages),
        "figures": sum(len(p.figures) for p in all_pages),
        "formulas": sum(len(p.formulas) for p in all_pages),
        "site_bytes": sum(p.stat().st_size for p in site.rglob("*") if p.is_file()),
        "search_index_bytes": (site / "search" / "search_index.json").stat().st_size,
    }
    if timings:
        data["builds"] = timings
    data["make_test"] = test_times()
    weights = browser_weights(site) if find_chromium() else static_weights(site)
    data["first_visit_bytes"] = {}
    for kind, per_page in weights.items():
        largest = max(per_page, key=per_page.__getitem__)
        data["first_visit_bytes"][kind] = {
            "median": int(statistics.median(per_page.values())),
            "largest": per_page[largest],
            "largest_page": largest,
            "pages": per_page,
        }
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT / "site")
    parser.add_argument("--time-builds", action="store_true", help="time a cold and a warm build")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    args = parser.parse_args()
    if not (args.site / "index.html").is_file():
        raise SystemExit(f"{args.site} is not a built site: run `make site` first")
    data = report(args.site, time_builds() if args.time_builds else None)

    print(f"site: {args.site}")
    if "builds" in data:
        print(f"mkdocs build --strict (the page edited: {EDITED_PAGE.relative_to(ROOT)}):")
        for name, b in data["builds"].items():
            budget = ""
            if name == "prose edit":
                verdict = "within" if b["seconds"] <= REBUILD_BUDGET else "OVER"
                budget = f" ({verdict} the {REBUILD_BUDGET:g} s budget)"
            print(
                f"  {name:10s} {b['seconds']:6.1f} s wall, {b['cpu_seconds']:6.1f} s CPU;"
                f" code blocks: {b['blocks_run']} run, {b['blocks_from_cache']} from the cache"
                + budget
            )
        print("  (wall time counts waiting for the cores too: CPU time is the build's own work)")
    run = data["make_test"]
    if run is None:
        print("make test: no timing yet (`make time-test` writes it; run it twice for a warm run)")
    else:
        t = run["total"]
        verdict = "within" if t["seconds"] <= WARM_TEST_BUDGET else "OVER"
        print(
            f"make test (the last `make time-test`, {run['when']}): {t['seconds']:.1f} s wall,"
            f" {t['cpu_seconds']:.1f} s CPU"
            + (f", exit code {t['exit_code']}" if t["exit_code"] else "")
            + f" ({verdict} the {WARM_TEST_BUDGET:g} s budget for a warm run)"
        )
        for e in run["stages"]:
            print(f"  {e['seconds']:6.1f} s wall, {e['cpu_seconds']:6.1f} s CPU  {e['stage']}")
    print(f"pages: {data['pages']}  figures: {data['figures']}  formulas: {data['formulas']}")
    print(
        f"site size: {data['site_bytes'] / 1e6:.2f} MB"
        f"  (search index {data['search_index_bytes'] / 1e3:.0f} KB)"
    )
    for kind, w in data["first_visit_bytes"].items():
        budget = ""
        if kind.startswith("raw"):
            verdict = "within" if w["median"] <= FIRST_VISIT_BUDGET else "OVER"
            budget = f" ({verdict} the {FIRST_VISIT_BUDGET / 1e3:.0f} KB budget for the median)"
        print(
            f"first visit, {kind}: median {w['median'] / 1e3:.0f} KB{budget},"
            f" largest {w['largest'] / 1e3:.0f} KB ({w['largest_page']})"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")


if __name__ == "__main__":
    main()
