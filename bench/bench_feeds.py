"""Feeds: what a crawl that finds 6 new articles costs at 1,000 / 10,000 / 100,000 stored, and the exports.

The store is filled fast (``bench/prefill.py``, 4 mentions an article, dated back from now), then at each level
``dumawatch crawl`` (the real CLI, a subprocess, ``--workers 0``) crawls a fresh loopback site with 6 new
articles dated today, three times (each a new site); the median wall time is compared with the smallest level.
Also timed at each level: ``dumawatch export`` (the window feeds, forced) and ``dumawatch export --all`` (the whole
history), with the sizes of the files. Before the crawls, one export brings the archive up to date (untimed).

Two histories:
- ``steady``: one article every 2 hours (12 a day), so the 90-day window holds the same ~1,080 articles at every
  level and only the archive grows (1,000 stored is 83 days, 100,000 is 23 years): the target, ≤ 1.2×.
- ``year``: every legislature, 100,000 articles over 14 months (one every 6.1 minutes): the window fills up
  (1,000 stored is 4 days, 10,000 is 42 days, 100,000 holds a full 90-day window of ~21,000 articles), so here
  the crawl costs what the window and the current month hold, and no longer grows once the window is full.

    python bench/bench_feeds.py                    # both histories, 1k / 10k / 100k
    python bench/bench_feeds.py --quick            # steady, 1k / 10k
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from harness import print_table, tests_module, write_results
from prefill import SOURCES, prefill

from crawler.commands.demo_server import serve_site

build_site = tests_module("bigsite").build_site  # the tests' Bitrix-style site generator
HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MOSCOW = ZoneInfo("Europe/Moscow")
HISTORIES = {"steady": 120.0, "year": 425 * 1440 / 100_000}  # minutes between two stored articles
NEW = 6
REPEATS = 3


def write_config(directory: Path, site_urls: list[str]) -> Path:
    sources = [{"id": f"hist{k}", "name": f"Законодательное собрание № {k}", "region": f"Регион {k}",
                "url": f"http://hist{k}.example/", "timezone": "Europe/Moscow", "enabled": False}
               for k in range(SOURCES)]
    sources += [{"id": f"new{k}", "name": f"Новая дума {k}", "region": "Тестовая область", "url": url,
                 "timezone": "Europe/Moscow"} for k, url in enumerate(site_urls)]
    (directory / "sources.yaml").write_text(yaml.safe_dump({"sources": sources}, allow_unicode=True), "utf-8")
    (directory / "watchlist.yaml").write_text(yaml.safe_dump(
        {"names": [], "topics": [{"name": "Бюджет", "keywords": ["областной бюджет"]}]}, allow_unicode=True), "utf-8")
    config = directory / "dumawatch.yaml"
    config.write_text(yaml.safe_dump({
        "sources": "sources.yaml", "watchlist": "watchlist.yaml", "state": "state.sqlite3", "feeds": "feeds",
        "workers": 0, "scrapy": {"DOWNLOAD_DELAY": 0}, "schedule": {"cron": "0 */2 * * *", "timezone": "Europe/Moscow"},
    }), "utf-8")
    return config


def timed_cli(*args) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "crawler", *map(str, args)], cwd=REPO, check=True,
                            capture_output=True, text=True)
    return time.perf_counter() - started, result.stdout


def sizes(feeds: Path) -> dict:
    def rows(path: Path) -> int:
        with open(path, "rb") as handle:
            return sum(chunk.count(b"\r\n") for chunk in iter(lambda: handle.read(1 << 20), b""))  # ≥ rows
    return {"articles_mb": (feeds / "articles.csv").stat().st_size / 1e6,
            "mentions_mb": (feeds / "mentions.csv").stat().st_size / 1e6,
            "mentions_lines": rows(feeds / "mentions.csv") - 1}


def run_history(name: str, levels: tuple[int, ...], tmp: Path) -> list[dict]:
    spacing = HISTORIES[name]
    directory = tmp / name
    directory.mkdir()
    newest = datetime.now(MOSCOW).replace(microsecond=0)
    config = write_config(directory, [])
    state = str(directory / "state.sqlite3")
    rows, filled, sites = [], 0, 0
    for level in levels:
        clock = time.perf_counter()
        prefill(state, level - filled, start=filled, newest=newest, spacing=spacing, mentions=4)
        filled = level
        print(f"  {name}: {level:,} stored (filled in {time.perf_counter() - clock:.0f} s)", flush=True)
        timed_cli("export", "--config", config)  # the archive months of the new history: written once, untimed
        crawls = []
        for _ in range(REPEATS):
            site = directory / f"site{sites}"
            build_site(site, NEW, published=lambda n: newest.date())
            for page in site.glob("news/*/index.html"):  # texts of their own: not the same articles again
                page.write_text(page.read_text("utf-8").replace("Протокол заседания №",
                                                                f"Протокол заседания (выпуск {sites}) №"), "utf-8")
            server = serve_site(site, host=f"127.0.0.{60 + sites}")
            sites += 1
            try:
                write_config(directory, [server.base_url + "/"])
                seconds, out = timed_cli("crawl", "--config", config)
                found = re.search(r"run \w+: (\d+) new articles", out)
                assert found and int(found.group(1)) == NEW, out  # the crawl did store the new articles
                crawls.append(seconds)
            finally:
                server.stop()
        export = timed_cli("export", "--config", config)[0]
        export_all = timed_cli("export", "--config", config, "--all")[0]
        row = {"history": name, "stored": level, "crawl_s": statistics.median(crawls), "crawls_s": crawls,
               "export_s": export, "export_all_s": export_all, **sizes(directory / "feeds"),
               "all_articles_mb": (directory / "feeds" / "export" / "all" / "articles.csv").stat().st_size / 1e6}
        print(f"    crawl with {NEW} new: {row['crawl_s']:.2f} s (runs {', '.join(f'{c:.2f}' for c in crawls)}); "
              f"export {export:.2f} s; export --all {export_all:.2f} s; articles.csv {row['articles_mb']:.1f} MB",
              flush=True)
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the steady history, 1,000 and 10,000 stored")
    parser.add_argument("--history", choices=sorted(HISTORIES), action="append", help="only this history")
    args = parser.parse_args(argv)
    levels = (1_000, 10_000) if args.quick else (1_000, 10_000, 100_000)
    histories = args.history or (["steady"] if args.quick else ["steady", "year"])
    results = []
    with tempfile.TemporaryDirectory(prefix="dumawatch-bench-feeds-") as tmp:
        for name in histories:
            results += run_history(name, levels, Path(tmp))
    table = []
    for row in results:
        base = next(r for r in results if r["history"] == row["history"])["crawl_s"]
        table.append([row["history"], f"{row['stored']:,}", f"{row['crawl_s']:.2f}", f"{row['crawl_s'] / base:.2f}",
                      f"{row['export_s']:.2f}", f"{row['export_all_s']:.2f}", f"{row['articles_mb']:.1f}",
                      f"{row['mentions_lines']:,}", f"{row['all_articles_mb']:.0f}"])
    print_table(f"Crawl with {NEW} new articles (median of {REPEATS}) and exports, by articles stored",
                ["history", "stored", "crawl s", "× 1k", "export s", "export --all s", "articles.csv MB",
                 "mentions.csv rows", "--all articles MB"], table)
    for name in histories:
        mine = [r for r in results if r["history"] == name]
        ratio = mine[-1]["crawl_s"] / mine[0]["crawl_s"]
        print(f"{name}: crawl at {mine[-1]['stored']:,} / at {mine[0]['stored']:,} stored = {ratio:.2f}×"
              + (f" (target ≤ 1.2×: {'met' if ratio <= 1.2 else 'not met'})" if name == "steady" else ""))
    write_results("feeds", {"levels": results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
