"""Shared pieces of the benchmark scripts: the real pipeline chain behind a minimal spider, tables, JSON.

``PipelineChain`` instantiates the project's real item pipelines in the order of ``crawler/settings.py``
(clean → dates → dedupe → mentions → store) around a real :class:`crawler.store.Store`, behind a stand-in
for the crawler and spider that offers what the pipelines use: ``.store``, ``.sources``, ``.count()`` and
``.settings``. ``feed(item)`` runs one item through the chain the way Scrapy does (a ``DropItem`` ends it).
"""

from __future__ import annotations

import json
import platform
import resource
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
for entry in (str(ROOT), str(BENCH)):
    if entry not in sys.path:
        sys.path.insert(0, entry)

from scrapy.exceptions import DropItem  # noqa: E402
from scrapy.utils.misc import load_object  # noqa: E402

from crawler.config import Source, usable_cores  # noqa: E402
from crawler.items import ArticleItem  # noqa: E402
from crawler.settings import ITEM_PIPELINES, build_settings  # noqa: E402
from crawler.store import Store  # noqa: E402


class StandInSpider:
    """What the pipelines ask of the spider."""

    def __init__(self, store: Store, sources: dict[str, Source]) -> None:
        self.store = store
        self.sources = sources
        self.counters: dict[str, Counter] = defaultdict(Counter)

    def count(self, source_id: str, name: str, n: int = 1) -> None:
        self.counters[source_id][name] += n


class StandInCrawler:
    def __init__(self, spider: StandInSpider, watchlist: dict) -> None:
        self.spider = spider
        self.settings = build_settings({}, watchlist=watchlist, watchlist_path="bench-watchlist")


class PipelineChain:
    """The real item pipelines, in the project's order, over a real store."""

    def __init__(self, store: Store, sources: dict[str, Source], watchlist: dict) -> None:
        self.spider = StandInSpider(store, sources)
        self.crawler = StandInCrawler(self.spider, watchlist)
        self.pipelines = []
        for path, _order in sorted(ITEM_PIPELINES.items(), key=lambda entry: entry[1]):
            cls = load_object(path)
            self.pipelines.append(cls.from_crawler(self.crawler) if hasattr(cls, "from_crawler") else cls())
        self.dropped: Counter = Counter()

        self.stage_seconds: Counter = Counter()  # CPU seconds per pipeline, when fed with timed=True

    def feed(self, fields: dict, timed: bool = False) -> ArticleItem | None:
        item = ArticleItem(**fields)
        try:
            for pipeline in self.pipelines:
                if timed:
                    started = time.process_time()
                    try:
                        item = pipeline.process_item(item, self.spider)
                    finally:
                        self.stage_seconds[type(pipeline).__name__] += time.process_time() - started
                else:
                    item = pipeline.process_item(item, self.spider)
        except DropItem as exc:
            self.dropped[type(exc).__name__] += 1
            return None
        return item


def sources_for(sites) -> dict[str, Source]:
    return {site.source_id: Source(id=site.source_id, name=site.name, url=f"http://127.0.0.{site.index + 2}:8000/",
                                   timezone=site.timezone, region="Тестовая область") for site in sites}


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def print_table(title: str, header: list[str], rows: list[list]) -> None:
    cells = [[str(c) for c in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    print(f"\n{title}")
    for n, row in enumerate(cells):
        print("  " + "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in
                               enumerate(zip(row, widths, strict=True))))
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths))


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def write_results(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    data = {"benchmark": name, "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {"python": platform.python_version(), "cpu": platform.processor() or platform.machine(),
                        "cores": usable_cores()}, **data}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    print(f"\nwrote {path.relative_to(ROOT)}")
    return path

