"""Run one crawl of the configured sources in this process and record what happened.

Scrapy's reactor cannot be restarted, so one process runs one crawl: the CLI calls :func:`run_crawl`
once, and the scheduler (or a ``dumawatch worker``) starts a fresh ``dumawatch crawl`` process for each run.
SQLite's store lock is held for the whole run; on PostgreSQL each source is locked on its own. Feeds are
rewritten at the end, and one row per source goes to ``runs``.
"""

from __future__ import annotations

import signal
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from scrapy.crawler import CrawlerProcess
from sqlalchemy.engine import make_url

from crawler.commands.crawllog import crawl_log_path, install_crawl_logging, remove_crawl_logging
from crawler.commands.preflight import check_writable
from crawler.commands.progress import CrawlProgress, ProgressAwareHandler
from crawler.commands.regions import region_matches, unknown_region_message
from crawler.commands.rematch import watchlist_note
from crawler.commands.running import running_marker
from crawler.config import Config, Source
from crawler.download.rendering import browser_for, enable_rendering
from crawler.errors import ConfigError
from crawler.report.feeds import export_feeds
from crawler.settings import build_settings
from crawler.spiders.duma import DumaSpider
from crawler.storage.locking import store_lock
from crawler.storage.source_locks import SourceLocks
from crawler.storage.store import Store

SKIPPED_BUSY = "skipped (busy)"  # the runs status of a source another process was crawling

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
    duplicates: int = 0                   # pages whose text was stored already (routine drops)
    too_old: int = 0                      # entries seen but not fetched: older than max_age_days
    limit_hit: list[str] = field(default_factory=list)   # safety limits hit (max_listing_pages…)
    not_news: int = 0            # pages fetched as articles that said they were not news (article_evidence)
    error_detail: list[str] = field(default_factory=list)
    channels: dict = field(default_factory=dict)
    sample_url: str = ""
    skipped: str = ""    # why the source was not crawled in this run (another process holds it)

    @property
    def status(self) -> str:
        if self.skipped:
            return self.skipped
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
    interrupted: bool = False        # stopped by Ctrl-C (SIGINT): the CLI exits 130 after the clean stop
    feeds_error: str = ""            # the feeds could not be written (the run itself is stored)
    notes: list[str] = field(default_factory=list)   # one-line notices for the user (e.g. the watchlist changed)

    @property
    def all_failed(self) -> bool:
        """Every selected source failed (the crawl exits 4)."""
        return bool(self.sources) and all(source.status == "failed" for source in self.sources)

    @property
    def duration(self) -> float:
        return (self.finished - self.started).total_seconds()


def select_sources(config: Config, ids: list[str] | None = None, regions: list[str] | None = None) -> list[Source]:
    """The enabled sources, narrowed to the given ids and regions (unknown ones are an error).

    A region is chosen by a word or the start of a word of its name («Волгоград», «Кузбасс», «Тыва»), never
    by any substring («Марс» is not «Самарская»); a text that names no configured region is an error that
    lists the near matches.
    """
    known = {source.id for source in config.sources}
    for sid in ids or []:
        if sid not in known:
            raise ConfigError(f"{config.sources_path}: no source with id '{sid}'")
    for region in regions or []:
        if not any(region_matches(region, source.region) for source in config.sources):
            raise ConfigError(unknown_region_message(config.sources_path, region,
                                                     [source.region for source in config.sources]))
    chosen = config.enabled_sources if not ids else [s for s in config.sources if s.id in ids]
    if regions:
        chosen = [s for s in chosen if any(region_matches(r, s.region) for r in regions)]
    return chosen


class _CrawlerProcess(CrawlerProcess):
    """Scrapy's CrawlerProcess, remembering which signal asked it to stop (Ctrl-C is SIGINT)."""
    stop_signal: int | None = None

    def _signal_shutdown(self, signum: int, frame) -> None:
        self.stop_signal = signum
        super()._signal_shutdown(signum, frame)


def run_crawl(config: Config, sources: list[Source], verbose: bool = False, workers: int | None = None,
              export: bool = True, progress: bool | None = None) -> RunResult:
    """Crawl ``sources`` once, record the run, rewrite the feeds (unless ``export`` is False).

    On SQLite the store's file lock is held for the whole run (one writer at a time). On a shared database
    (PostgreSQL) each source is locked on its own (``crawler/storage/source_locks.py``): a source another process is
    crawling, on this host or another, is skipped with one line on stderr and a ``skipped (busy)`` row, and
    the rest is crawled. ``workers`` overrides the config's number of worker processes (see pipelines/offload.py).
    ``progress`` draws the live line on stderr (default: when stderr is a terminal). Before the lock is taken or
    any request sent, the store, the feeds folder and the log file are checked for writing (crawler/commands/preflight.py),
    and a ``render: js`` source without its browser is a configuration error.
    """
    check_writable(config, crawl_log_path(config))
    browser_for(sources, str(config.sources_path))  # a render: js source without its browser: exit 2 now
    workers = config.workers if workers is None else workers
    if make_url(config.state_url).get_backend_name() == "sqlite":
        with store_lock(config.lock_path):
            store = Store(config.state_url)
            try:
                return _crawl_locked(config, sources, store, verbose, workers, {}, export, progress)
            finally:
                store.close()
    store = Store(config.state_url)
    locks = SourceLocks(store.engine)
    try:
        busy = locks.acquire([source.id for source in sources])
        for sid, holder in busy.items():
            print(f"dumawatch: {sid}: skipped, {holder} is crawling it", file=sys.stderr)
        return _crawl_locked(config, sources, store, verbose, workers, busy, export, progress)
    finally:
        locks.release()
        store.close()


def _crawl_locked(config: Config, sources: list[Source], store: Store, verbose: bool, workers: int,
                  busy: dict[str, str], export: bool, show_progress: bool | None) -> RunResult:
    note = watchlist_note(config, store)  # before the crawl: an empty store takes the current watchlist
    run_id = uuid.uuid4().hex[:12]
    started = datetime.now(UTC)
    clock = time.monotonic()
    settings = build_settings(config.scrapy, verbose=verbose, watchlist=config.watchlist,
                              watchlist_path=str(config.watchlist_path), workers=workers)
    # Scrapy's log goes to crawl.log (and to the terminal only with --verbose): see crawler/commands/crawllog.py
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    settings.set("SCHEDULER", "crawler.commands.progress.SourceCountingScheduler", priority="project")
    enable_rendering(settings, sources, str(config.sources_path))  # render: js pages go through the browser
    crawled = [source for source in sources if source.id not in busy]
    progress = CrawlProgress([source.id for source in crawled], enabled=show_progress)
    handlers = install_crawl_logging(config, settings, ProgressAwareHandler(progress) if verbose else None)
    try:
        with running_marker(config, run_id, started, [source.id for source in crawled]):
            process = _CrawlerProcess(settings)
            crawler = process.create_crawler(DumaSpider)
            pages: dict[str, int] = {}
            stop_reason: list[str] = []
            _connect(crawler, pages, stop_reason, progress)
            try:
                if crawled:
                    process.crawl(crawler, sources=crawled, store=store)
                    process.start()
            finally:
                progress.close()
            result = _record(config, sources, store, crawler, pages, stop_reason, run_id, started, clock,
                             interrupted=process.stop_signal == signal.SIGINT, busy=busy, export=export)
            result.notes = [note] if note else []
            return result
    finally:
        remove_crawl_logging(handlers)


def _connect(crawler, pages: dict[str, int], stop_reason: list[str], progress: CrawlProgress) -> None:
    """The run's signal receivers: pages per source, the stop reason, the live line.

    Scrapy holds receivers by weak reference: they are kept alive on the crawler.
    """
    from scrapy import signals

    def on_response(response, request, spider):
        sid = request.meta.get("source_id")
        if sid:
            pages[sid] = pages.get(sid, 0) + 1

    def on_closed(spider, reason):
        stop_reason.append(reason)

    def on_opened(spider):
        progress.start(crawler, pages)

    crawler.dumawatch_receivers = (on_response, on_closed, on_opened)
    crawler.signals.connect(on_response, signal=signals.response_received)
    crawler.signals.connect(on_closed, signal=signals.spider_closed)
    crawler.signals.connect(on_opened, signal=signals.spider_opened)


def _record(config: Config, sources: list[Source], store: Store, crawler, pages: dict[str, int],
            stop_reason: list[str], run_id: str, started: datetime, clock: float, interrupted: bool,
            busy: dict[str, str], export: bool) -> RunResult:
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
            known_skipped=counters.get("known_skipped", 0), duplicates=counters.get("duplicates", 0),
            too_old=counters.get("too_old", 0), not_news=counters.get("not_news", 0),
            limit_hit=list(spider.limits_hit.get(source.id, [])) if spider else [],
            error_detail=list(spider.error_details.get(source.id, [])) if spider else [],
            channels=dict(spider.channels.get(source.id, {})) if spider else {},
            sample_url=spider.samples.get(source.id, "") if spider else "",
        )
        if source.id in busy:
            result = SourceResult(source_id=source.id, name=source.name, skipped=SKIPPED_BUSY,
                                  error_detail=[f"{busy[source.id]} is crawling it"])
        results.append(result)
        status = result.status
        if stop_reason and stop_reason[0] not in ("finished",) and not result.skipped:
            status = f"stopped ({stop_reason[0]})"
        store.record_run({
            "run_id": run_id, "source_id": source.id, "started": started.isoformat(timespec="seconds"),
            "finished": finished.isoformat(timespec="seconds"), "status": status, "pages": result.pages,
            "new_articles": result.new_articles, "new_mentions": result.new_mentions, "errors": result.errors,
            "error_detail": " | ".join(result.error_detail), "empty_pages": result.empty_pages,
            "duration": round(duration, 3), "too_old": result.too_old, "limit_hit": " | ".join(result.limit_hit),
            "not_news": result.not_news,
        })
    feeds, feeds_error = {}, ""
    try:
        if export and store.shared:  # crawls of other sources may share this feeds folder: one export at a time
            with store_lock(config.lock_path, wait=True):
                feeds = export_feeds(config, store)
        elif export:
            feeds = export_feeds(config, store)
    except OSError as exc:  # the folder went read-only or full during the run: the run is stored, say so
        feeds, feeds_error = {}, f"{config.feeds_dir}: {exc.strerror or exc}"
    reason = stop_reason[0] if stop_reason and stop_reason[0] != "finished" else ""
    return RunResult(run_id=run_id, started=started, finished=finished, sources=results, feeds=feeds,
                     stopped_early=reason, interrupted=interrupted, feeds_error=feeds_error)
