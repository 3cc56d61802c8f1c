"""Shared pieces of the benchmark scripts: the real pipeline chain behind a minimal spider, tables, JSON.

``PipelineChain`` runs the crawl's own chain around a real :class:`crawler.store.Store`: the page stages
(``pipelines/stages.py``), then the dedupe and store pipelines. ``feed(item)`` runs one item through it the way
the crawl does (a ``DropItem`` ends it).
"""

from __future__ import annotations

import json
import platform
import resource
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
for entry in (str(ROOT), str(BENCH)):
    if entry not in sys.path:
        sys.path.insert(0, entry)

from scrapy.exceptions import DropItem  # noqa: E402

from crawler.config import Source, usable_cores  # noqa: E402
from crawler.items import ArticleItem  # noqa: E402
from crawler.store import Store  # noqa: E402
from pipelines.dedupe import DedupePipeline  # noqa: E402
from pipelines.stages import PageStages  # noqa: E402
from pipelines.store import StorePipeline  # noqa: E402


class PipelineChain:
    """The crawl's chain over a real store: the page stages, then dedupe and store, as ``crawler/settings.py``
    wires them (the stages as the worker processes run them; dedupe and store as the crawl process does)."""

    def __init__(self, store: Store, sources: dict[str, Source], watchlist: dict) -> None:
        self.stages = PageStages(sources, watchlist, "bench-watchlist")
        self.pipelines = [DedupePipeline(store), StorePipeline(store)]
        self.dropped: Counter = Counter()
        self.stage_seconds: Counter = Counter()  # CPU seconds per stage / pipeline, when fed with timed=True

    def feed(self, fields: dict, timed: bool = False) -> ArticleItem | None:
        item = ArticleItem(**fields)
        try:
            if timed:
                seconds: dict[str, float] = {}
                try:
                    item = self.stages.run(item, seconds)
                finally:
                    self.stage_seconds.update(seconds)
            else:
                item = self.stages.run(item)
            for pipeline in self.pipelines:
                if timed:
                    started = time.process_time()
                    try:
                        item = pipeline.process_item(item)
                    finally:
                        self.stage_seconds[type(pipeline).__name__] += time.process_time() - started
                else:
                    item = pipeline.process_item(item)
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

