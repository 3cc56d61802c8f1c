"""The live line a crawl shows on a terminal, and the per-source tally it reads.

On a terminal (stderr is a TTY) a crawl shows one line, redrawn twice a second and cleared at the end::

    crawling: 2/3 sources done, 148 pages, 41 new articles, 1 error, 0:12 elapsed

On a pipe, in a file or under the service nothing is drawn: the summary and the log file say it all.
tqdm draws it (one small pure-Python dependency; ``leave=False`` clears the line, ``disable`` when not a
TTY, and ``tqdm.write`` lets ``--verbose`` log lines pass above the line without tearing it).

A source is *done* when none of its requests is waiting in the scheduler, being downloaded or being handled
by its callback: every later request of a source comes from one of those, so once it has none it has
finished for good. The scheduler's share is counted by :class:`SourceCountingScheduler` (Scrapy's own
scheduler, counting what each source has queued); the downloads and callbacks in progress are few and read
from the engine and the scraper.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter

from scrapy.core.scheduler import Scheduler

REFRESH_SECONDS = 0.5


class SourceCountingScheduler(Scheduler):
    """Scrapy's scheduler, keeping the number of queued requests of each source (``meta['source_id']``)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.queued_by_source: Counter = Counter()
        self.ever_scheduled: set[str] = set()

    def enqueue_request(self, request) -> bool:
        added = super().enqueue_request(request)
        sid = request.meta.get("source_id")
        if added and sid:
            self.queued_by_source[sid] += 1
            self.ever_scheduled.add(sid)
        return added

    def next_request(self):
        request = super().next_request()
        sid = request.meta.get("source_id") if request is not None else None
        if sid:
            self.queued_by_source[sid] -= 1
        return request


def _sources_of(requests) -> set[str]:
    return {request.meta.get("source_id") for request in list(requests or ())}


def busy_sources(crawler) -> set[str] | None:
    """The sources with a request queued, downloading or in a callback (None before the engine runs)."""
    engine = getattr(crawler, "engine", None)
    slot = getattr(engine, "_slot", None) if engine is not None else None
    if slot is None:
        return None
    scheduler = slot.scheduler
    busy = {sid for sid, n in getattr(scheduler, "queued_by_source", {}).items() if n > 0}
    busy |= _sources_of(slot.inprogress)
    scraper_slot = getattr(engine.scraper, "slot", None)
    if scraper_slot is not None:
        busy |= _sources_of(scraper_slot.active)
        busy |= {getattr(entry[1], "meta", {}).get("source_id") for entry in list(scraper_slot.queue)}
    return busy


class CrawlProgress:
    """The live line of one crawl: ``start(crawler, pages)`` when it begins, ``close()`` when it ends."""

    def __init__(self, source_ids: list[str], stream=None, enabled: bool | None = None) -> None:
        self.source_ids = list(source_ids)
        self.stream = stream or sys.stderr
        if enabled is None:
            enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = enabled
        self.bar = None
        self.done: set[str] = set()
        self.clock = time.monotonic()
        self._crawler = None
        self._pages: dict[str, int] = {}
        self._timer = None

    def start(self, crawler, pages: dict[str, int]) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm
        from twisted.internet.task import LoopingCall

        self._crawler, self._pages = crawler, pages
        self.bar = tqdm(total=len(self.source_ids), file=self.stream, leave=False, dynamic_ncols=True,
                        bar_format="{desc}", desc=self.line())
        self._timer = LoopingCall(self.refresh)
        self._timer.start(REFRESH_SECONDS, now=True)

    def line(self) -> str:
        spider = getattr(self._crawler, "spider", None)
        counters = getattr(spider, "counters", {}) or {}
        new = sum(c.get("new_articles", 0) for c in counters.values())
        errors = sum(c.get("errors", 0) for c in counters.values())
        elapsed = int(time.monotonic() - self.clock)
        return (f"crawling: {len(self.done)}/{len(self.source_ids)} sources done, "
                f"{sum(self._pages.values())} pages, {new} new article{'s' * (new != 1)}, "
                f"{errors} error{'s' * (errors != 1)}, {elapsed // 60}:{elapsed % 60:02d} elapsed")

    def refresh(self) -> None:
        if self.bar is None:
            return
        busy = busy_sources(self._crawler)
        scheduler = getattr(getattr(getattr(self._crawler, "engine", None), "_slot", None), "scheduler", None)
        started = getattr(scheduler, "ever_scheduled", set())
        if busy is not None:
            self.done |= {sid for sid in self.source_ids if sid in started and sid not in busy}
        self.bar.set_description_str(self.line(), refresh=True)

    def write(self, text: str) -> None:
        """A line printed above the live line (a --verbose log line)."""
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        else:
            print(text, file=self.stream)

    def close(self) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        if self.bar is not None:
            self.bar.close()   # leave=False: the line is cleared
            self.bar = None


class ProgressAwareHandler(logging.StreamHandler):
    """--verbose: log records on stderr, written above the live line when there is one."""

    def __init__(self, progress: CrawlProgress) -> None:
        super().__init__(progress.stream)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.progress.write(self.format(record))
        except Exception:  # noqa: BLE001 (logging must never raise)
            self.handleError(record)
