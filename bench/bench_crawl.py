"""Crawl throughput: ``dumawatch crawl`` end to end against a bare Scrapy spider, then the incremental run.

A generated site of 5,000 articles (``bench/corpus.py``) over five hosts (127.0.0.x, Bitrix, WordPress and
windows-1251 table-layout styles; the first two with sitemaps, the last with listing pagination only) is
served from memory by ``bench/loopback.py``. In one run, with politeness off (``DOWNLOAD_DELAY`` 0,
``CONCURRENT_REQUESTS_PER_DOMAIN`` 16) and a 1,000-entry watchlist:

1. the bare spider (``bench/bare_spider.py``): the same links, pages discarded;
2. ``dumawatch crawl`` (a subprocess, the real CLI) into an empty store;
3. ``dumawatch crawl`` again on the unchanged site (the incremental run).

Reported: wall time of each (and the ratio to the bare spider), CPU time (the process and its worker processes),
peak memory (the crawl process's own and the largest of its worker processes', ``VmHWM`` sampled every 0.2 s
by ``harness.PeakSampler``; and the peak of the summed RSS of the crawl process and its workers, shared pages
counted in each), requests counted by the server (articles vs listing/feed/sitemap/other). ``dumawatch crawl``
runs with the config's ``workers`` (``--workers``; default auto: cores - 1, at most 4).
Targets: first run ≤ 1.5 × bare; peak memory ≤ 400 MB; the second run requests no article and takes ≤ 5 %
of the first run's wall time.

    python bench/bench_crawl.py               # 5,000 articles
    python bench/bench_crawl.py --quick       # 1,000 articles
    python bench/bench_crawl.py --workers 2   # the config's ``workers`` (default: auto)
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
from pathlib import Path

import yaml
from corpus import Site, build_sites, site_files, synthetic_watchlist
from harness import ROOT, print_table, run_measured, verdict, write_results
from loopback import Host, LoopbackServer

from crawler.config import parse_workers

PER_DOMAIN = 16
FIRST_ADDRESS = 230  # 127.0.0.230 ... : clear of the tests' loopback addresses in most runs


def write_config(directory: Path, sites: list[Site], hosts: list[Host], state: str | None = None,
                 workers: int | str | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    sources = [{"id": site.source_id, "name": site.name, "region": "Тестовая область", "url": host.base_url + "/",
                "timezone": site.timezone} for site, host in zip(sites, hosts, strict=True)]
    (directory / "sources.yaml").write_text(yaml.safe_dump({"sources": sources}, allow_unicode=True),
                                            encoding="utf-8")
    (directory / "watchlist.yaml").write_text(yaml.safe_dump(synthetic_watchlist(1000), allow_unicode=True),
                                              encoding="utf-8")
    config = {"sources": "sources.yaml", "watchlist": "watchlist.yaml", "state": state or "data/state.sqlite3",
              "feeds": "feeds", "max_age_days": 100_000,
              "scrapy": {"DOWNLOAD_DELAY": 0, "CONCURRENT_REQUESTS_PER_DOMAIN": PER_DOMAIN}}
    if workers is not None:
        config["workers"] = workers
    path = directory / "dumawatch.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def serve(sites: list[Site], first_address: int = FIRST_ADDRESS) -> tuple[LoopbackServer, list[Host], set]:
    hosts = [Host(f"127.0.0.{first_address + i}", {}) for i in range(len(sites))]
    server = LoopbackServer(hosts).start()
    articles = set()
    for site, host in zip(sites, hosts, strict=True):
        host.files.update(site_files(site, host.base_url))
        articles.update(site.path(a) for a in site.articles)
    return server, hosts, articles


def tally(hosts: list[Host], articles: set) -> dict:
    log = [entry for host in hosts for entry in host.log]
    fetched = [target for target, status in log if target in articles]
    return {"requests": len(log), "article_requests": len(fetched), "other_requests": len(log) - len(fetched),
            "not_modified": sum(1 for _, status in log if status == 304),
            "articles_fetched_distinct": len(set(fetched))}


def crawl_command(config: Path) -> list[str]:
    return [sys.executable, "-m", "crawler", "crawl", "--config", str(config)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--sites", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="1,000 articles")
    parser.add_argument("--workers", help="the config's 'workers': a number or 'auto' (default: not set, i.e. auto)")
    args = parser.parse_args(argv)
    n = 1000 if args.quick else args.articles
    workers = parse_workers(args.workers if args.workers is not None else "auto", "--workers")
    sites = build_sites(n, args.sites)
    server, hosts, articles = serve(sites)
    try:
        with tempfile.TemporaryDirectory(prefix="dumawatch-bench-crawl-") as tmp:
            config = write_config(Path(tmp) / "cfg", sites, hosts, workers=args.workers)
            urls = [host.base_url + "/" for host in hosts]
            print(f"site: {n} articles on {len(hosts)} hosts ({', '.join(s.style for s in sites)}), "
                  f"{sum(len(h.files) for h in hosts)} URLs served; dumawatch with {workers} worker process(es)")
            bare = run_measured([sys.executable, str(ROOT / "bench" / "bare_spider.py"), str(PER_DOMAIN), *urls])
            bare.update(tally(hosts, articles))
            server.clear_logs()
            first = run_measured(crawl_command(config))
            first.update(tally(hosts, articles))
            server.clear_logs()
            second = run_measured(crawl_command(config))
            second.update(tally(hosts, articles))
            with sqlite3.connect(Path(tmp) / "cfg" / "data" / "state.sqlite3") as db:
                stored = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        server.stop()
    ratio = first["wall_s"] / bare["wall_s"]
    incremental = second["wall_s"] / first["wall_s"]
    rows = [[label, f"{r['wall_s']:.1f}", f"{r['wall_s'] / bare['wall_s']:.2f}", f"{r['cpu_s']:.1f}",
             f"{r['peak_mb']:.0f}", f"{r['workers_peak_mb']:.0f}" if r["descendants"] else "-",
             f"{r['tree_rss_mb']:.0f}", r["requests"], r["article_requests"],
             r["other_requests"]]
            for label, r in (("bare Scrapy spider", bare), ("dumawatch crawl, first run", first),
                             ("dumawatch crawl, second run", second))]
    print_table(f"Crawl throughput (one run, same loopback server; workers: {workers})",
                ["", "wall s", "× bare", "CPU s", "peak MB", "worker peak MB", "tree RSS MB", "requests",
                 "articles", "other"], rows)
    print(f"\nstored {stored} of {n} articles; first run {n / first['wall_s']:.0f} articles/s, "
          f"bare spider {bare['article_requests'] / bare['wall_s']:.0f} pages/s")
    checks = {
        "first run <= 1.5 x bare": ratio <= 1.5,
        "peak memory <= 400 MB": max(first["peak_mb"], first["workers_peak_mb"]) <= 400,
        "second run: no article requested": second["article_requests"] == 0,
        "second run <= 5 % of the first": incremental <= 0.05,
    }
    print(f"first run / bare: {ratio:.2f}; second / first: {100 * incremental:.1f} %")
    for name, met in checks.items():
        print(f"  {name}: {verdict(met)}")
    write_results("crawl", {
        "command": "python bench/bench_crawl.py" + (" --quick" if args.quick else "")
                   + (f" --workers {args.workers}" if args.workers is not None else ""),
        "articles": n, "workers": workers, "hosts": len(hosts), "stored": stored, "per_domain": PER_DOMAIN,
        "bare": {k: v for k, v in bare.items() if k != "stderr"},
        "first": {k: v for k, v in first.items() if k != "stderr"},
        "second": {k: v for k, v in second.items() if k != "stderr"},
        "ratio_first_to_bare": round(ratio, 3), "second_to_first": round(incremental, 4), "checks": checks,
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
