"""Run one crawl of the configured sources in this process and record what happened.

Scrapy's reactor cannot be restarted, so one process runs one crawl: the CLI calls :func:`run_crawl`
once, and the scheduler starts a fresh ``dumawatch crawl`` process for each run. The store lock is
held for the whole run, feeds are rewritten at the end, and one row per source goes to ``runs``.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from scrapy.crawler import CrawlerProcess

from crawler.config import Config, Source
from crawler.feeds import export_feeds
from crawler.locking import store_lock
from crawler.rendering import enable_rendering
from crawler.settings import build_settings
from crawler.spiders.duma import DumaSpider
from crawler.store import Store


@dataclass
class SourceResult:
    source_id: str
    name: str
    pages: int = 0
    new_articles: int = 0
    new_mentions: int = 0
    errors: int = 0
    empty_pages: int = 0
    known_skipped: int = 0
    too_old: int = 0                      # entries seen but not fetched: older than max_age_days
    limit_hit: list[str] = field(default_factory=list)   # safety limits hit (max_listing_pages…)
    not_news: int = 0            # pages fetched as articles that said they were not news (article_evidence)
    error_detail: list[str] = field(default_factory=list)
    channels: dict = field(default_factory=dict)
    sample_url: str = ""

    @property
    def status(self) -> str:
        if self.errors and not self.pages:
            return "failed"
        return "errors" if self.errors else "ok"


@dataclass
class RunResult:
    run_id: str
    started: datetime
    finished: datetime
    sources: list[SourceResult]
    feeds: dict[str, int]
    stopped_early: str = ""
    notes: list[str] = field(default_factory=list)   # one-line notices for the user (e.g. the watchlist changed)

    @property
    def all_failed(self) -> bool:
        """Every selected source failed (the crawl exits 4)."""
        return bool(self.sources) and all(source.status == "failed" for source in self.sources)

    @property
    def duration(self) -> float:
        return (self.finished - self.started).total_seconds()


def select_sources(config: Config, ids: list[str] | None = None, regions: list[str] | None = None) -> list[Source]:
    """The enabled sources, narrowed to the given ids and regions (unknown ones are an error)."""
    from crawler.errors import ConfigError

    known = {source.id for source in config.sources}
    for sid in ids or []:
        if sid not in known:
            raise ConfigError(f"{config.sources_path}: no source with id '{sid}'")
    chosen = config.enabled_sources if not ids else [s for s in config.sources if s.id in ids]
    if regions:
        wanted = [r.casefold() for r in regions]
        chosen = [s for s in chosen if any(r in s.region.casefold() for r in wanted)]
    return chosen


def run_crawl(config: Config, sources: list[Source], verbose: bool = False, workers: int | None = None) -> RunResult:
    """Crawl ``sources`` once (under the store lock), record the run, rewrite the feeds.

    ``workers`` overrides the config's number of worker processes (see pipelines/offload.py).
    """
    enable_rendering(build_settings(), sources, str(config.sources_path))  # a missing browser: exit 2 now
    with store_lock(config.lock_path):
        store = Store(config.state_url)
        try:
            return _crawl_locked(config, sources, store, verbose, config.workers if workers is None else workers)
        finally:
            store.close()


def _crawl_locked(config: Config, sources: list[Source], store: Store, verbose: bool, workers: int) -> RunResult:
    from crawler.rematch import watchlist_note

    note = watchlist_note(config, store)  # before the crawl: an empty store takes the current watchlist
    run_id = uuid.uuid4().hex[:12]
    started = datetime.now(UTC)
    clock = time.monotonic()
    settings = build_settings(config.scrapy, verbose=verbose, watchlist=config.watchlist,
                              watchlist_path=str(config.watchlist_path), workers=workers)
    enable_rendering(settings, sources, str(config.sources_path))  # render: js pages go through the browser
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(DumaSpider)
    pages: dict[str, int] = {}

    def on_response(response, request, spider):
        sid = request.meta.get("source_id")
        if sid:
            pages[sid] = pages.get(sid, 0) + 1

    from scrapy import signals

    crawler.signals.connect(on_response, signal=signals.response_received)
    stop_reason: list[str] = []

    def on_closed(spider, reason):  # a named function: Scrapy holds signal receivers by weak reference
        stop_reason.append(reason)

    crawler.signals.connect(on_closed, signal=signals.spider_closed)
    if sources:
        process.crawl(crawler, sources=sources, store=store)
        process.start()
    spider = crawler.spider
    finished = datetime.now(UTC)
    duration = time.monotonic() - clock
    results = []
    for source in sources:
        counters = spider.counters.get(source.id, {}) if spider else {}
        result = SourceResult(
            source_id=source.id, name=source.name, pages=pages.get(source.id, 0),
            new_articles=counters.get("new_articles", 0), new_mentions=counters.get("new_mentions", 0),
            errors=counters.get("errors", 0), empty_pages=counters.get("empty_pages", 0),
            known_skipped=counters.get("known_skipped", 0), too_old=counters.get("too_old", 0),
            limit_hit=list(spider.limits_hit.get(source.id, [])) if spider else [],
            not_news=counters.get("not_news", 0),
            error_detail=list(spider.error_details.get(source.id, [])) if spider else [],
            channels=dict(spider.channels.get(source.id, {})) if spider else {},
            sample_url=spider.samples.get(source.id, "") if spider else "",
        )
        results.append(result)
        status = result.status
        if stop_reason and stop_reason[0] not in ("finished",):
            status = f"stopped ({stop_reason[0]})"
        store.record_run({
            "run_id": run_id, "source_id": source.id, "started": started.isoformat(timespec="seconds"),
            "finished": finished.isoformat(timespec="seconds"), "status": status, "pages": result.pages,
            "new_articles": result.new_articles, "new_mentions": result.new_mentions, "errors": result.errors,
            "error_detail": " | ".join(result.error_detail), "empty_pages": result.empty_pages,
            "duration": round(duration, 3), "too_old": result.too_old, "limit_hit": " | ".join(result.limit_hit),
            "not_news": result.not_news,
        })
    feeds = export_feeds(config, store)
    reason = stop_reason[0] if stop_reason and stop_reason[0] != "finished" else ""
    return RunResult(run_id=run_id, started=started, finished=finished, sources=results, feeds=feeds,
                     stopped_early=reason, notes=[note] if note else [])
