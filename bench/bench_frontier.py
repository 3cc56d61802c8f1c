"""The crawl frontier's cost on the incremental run, side by side with the code before it (``main``).

The generated site of ``bench/bench_crawl.py`` (5,000 articles on five hosts, 1C-Bitrix / WordPress /
windows-1251 listings, sitemaps) is served from memory (``bench/loopback.py``). Two checkouts are crawled the
same way, one after the other, against the same server: this one (with the frontier) and ``--before`` (a git
ref, default ``main``, exported with ``git archive`` into a temporary directory). For each: the first crawl,
then three incremental runs of the unchanged site (wall time, requests, article requests). Then the frontier's
own bookkeeping on the incremental run's store, in this process: loading and marking the walks at the start
of a run, one step per walk, saving them at the end (median of 50).

Target: the incremental run requests no article and stays within 5 % of a first crawl, frontier included.

    python bench/bench_frontier.py            # 5,000 articles
    python bench/bench_frontier.py --quick    # 1,000 articles
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_crawl import serve, tally, write_config
from corpus import build_sites
from harness import ROOT, print_table, run_measured, verdict, write_results

INCREMENTAL_RUNS = 3


def crawl(checkout: Path, config: Path) -> dict:
    return run_measured([sys.executable, "-m", "crawler", "crawl", "--config", str(config), "--workers", "0"],
                        cwd=checkout)


def frontier_bookkeeping(state: Path) -> dict:
    """Milliseconds of the frontier's own work in one incremental run (median of 50)."""
    from crawler.spiders.frontier import Frontier, PageTally
    from crawler.storage.store import Store, walks

    store = Store(f"sqlite:///{state}")
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(walks.select()).mappings().all()
        sources = sorted({row["source_id"] for row in rows})
        timings = []
        for _ in range(50):
            clock = time.perf_counter()
            frontier = Frontier(store, sources)
            for row in rows:
                walk = frontier.walk(row["source_id"], row["start_url"])
                frontier.next_step(walk, PageTally(keys=[f"k{i}" for i in range(20)], known=20), True, 1, 500)
            frontier.save()
            timings.append(1000 * (time.perf_counter() - clock))
    finally:
        store.close()
    return {"walks": len(rows), "ms": statistics.median(timings)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--quick", action="store_true", help="1,000 articles")
    parser.add_argument("--before", default="main", help="the git ref to compare with (default: main)")
    args = parser.parse_args(argv)
    n = 1000 if args.quick else args.articles
    sites = build_sites(n, 5)
    server, hosts, articles = serve(sites)
    results = {}
    try:
        with tempfile.TemporaryDirectory(prefix="dumawatch-bench-frontier-") as tmp:
            before = Path(tmp) / "before"
            before.mkdir()
            archive = subprocess.run(["git", "archive", args.before], cwd=ROOT, capture_output=True, check=True)
            subprocess.run(["tar", "-x", "-C", str(before)], input=archive.stdout, check=True)
            for label, checkout in (("before (" + args.before + ")", before), ("frontier", ROOT)):
                config = write_config(Path(tmp) / label.split()[0], sites, hosts, workers=0)
                server.clear_logs()
                first = crawl(checkout, config)
                first.update(tally(hosts, articles))
                runs = []
                for _ in range(INCREMENTAL_RUNS):
                    server.clear_logs()
                    run = crawl(checkout, config)
                    run.update(tally(hosts, articles))
                    runs.append(run)
                results[label] = {"first": first, "incremental": runs, "config": config}
            bookkeeping = frontier_bookkeeping(Path(tmp) / "frontier" / "data" / "state.sqlite3")
    finally:
        server.stop()
    rows = []
    for label, result in results.items():
        first, runs = result["first"], result["incremental"]
        wall = statistics.median(run["wall_s"] for run in runs)
        rows.append([label, f"{first['wall_s']:.1f}", first["requests"], f"{wall:.2f}",
                     f"{100 * wall / first['wall_s']:.1f} %", runs[-1]["requests"],
                     max(run["article_requests"] for run in runs)])
    print_table(f"Incremental run, {n} articles on 5 hosts, workers 0 (median of {INCREMENTAL_RUNS} runs)",
                ["code", "first s", "first requests", "incremental s", "of first", "requests", "articles"], rows)
    mine = results["frontier"]
    wall = statistics.median(run["wall_s"] for run in mine["incremental"])
    share = wall / mine["first"]["wall_s"]
    print(f"\nfrontier bookkeeping in one incremental run: {bookkeeping['ms']:.1f} ms for {bookkeeping['walks']} "
          f"walks ({100 * bookkeeping['ms'] / 1000 / mine['first']['wall_s']:.3f} % of the first crawl)")
    checks = {"incremental run: no article requested": all(r["article_requests"] == 0 for r in mine["incremental"]),
              "incremental run <= 5 % of the first": share <= 0.05}
    for name, met in checks.items():
        print(f"  {name}: {verdict(met)}")
    write_results("frontier", {
        "command": "python bench/bench_frontier.py" + (" --quick" if args.quick else ""), "articles": n,
        "runs": {label: {"first": {k: v for k, v in r["first"].items() if k != "stderr"},
                         "incremental": [{k: v for k, v in run.items() if k != "stderr"} for run in r["incremental"]]}
                 for label, r in results.items()},
        "bookkeeping_ms": bookkeeping, "checks": checks})
    return 0


if __name__ == "__main__":
    sys.exit(main())
