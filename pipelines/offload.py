"""The page stages of each article (pipelines/stages.py), in worker processes while the crawl keeps fetching.

A crawl is CPU-bound on one core: Scrapy itself costs about as much per page as the page stages (trafilatura,
dates, the matcher, the fingerprints and normal forms). The stages are pure (an item's fields in, fields out),
so :class:`OffloadPipeline` sends each item's fields to a ``ProcessPoolExecutor`` whose workers run
:class:`~pipelines.stages.PageStages`, and awaits the result: the reactor goes on downloading and parsing
meanwhile. With ``workers: 0`` the same stages run here, in the crawl process: one list of stages, in one order,
either way. Dedupe and store need the store and must see one item at a time: they follow in the crawl process
(``ITEM_PIPELINES`` in ``crawler/settings.py``).

- A stage that drops the page raises a :class:`~pipelines.errors.CountedDrop` (e.g.
  :class:`~pipelines.clean.EmptyPage`); the worker sends it back and the crawl process raises it (same class
  and message): Scrapy's ``item_dropped`` signal then counts it, as for any other drop. No stage talks to the
  spider, so nothing needs recording in the worker.
- The pool (``spawn`` context: never a fork of the running reactor) starts at the first article page (an
  incremental run that finds nothing new starts no process); each worker compiles the watchlist once, in
  its initializer, while the crawl goes on. It is shut down when the spider closes (also on
  SIGTERM/SIGINT, which Scrapy turns into a graceful close) and when the engine stops. Workers ignore
  SIGINT (Ctrl-C reaches the whole process group: the crawl process decides), and each exits by itself
  within a second when the crawl process is gone (even killed with SIGKILL).
- A worker that dies (a crash, a kill) breaks the pool: the items in flight, and every later one, are
  processed here in the crawl process instead, with one warning; none is lost.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import pickle
import resource
import signal
import threading
import time
import traceback
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any, NamedTuple

from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.utils.asyncio import is_asyncio_available

from pipelines.settings import WATCHLIST_PATH_SETTING, WATCHLIST_SETTING, WORKERS_SETTING

if TYPE_CHECKING:
    from pipelines.stages import PageStages

__all__ = ["OffloadPipeline", "WORKERS_SETTING"]

logger = logging.getLogger(__name__)

PARENT_CHECK_SECONDS = 1.0


class Outcome(NamedTuple):
    """A worker's answer for one item."""

    fields: dict            # fields the pipelines set or changed (never the page's html, which did not change)
    removed: tuple          # fields the pipelines deleted
    error: BaseException | None  # the DropItem (or other exception) the stages raised
    remote_traceback: str   # the worker's traceback of an exception other than DropItem, else ""
    pid: int


class WorkerTraceback(Exception):
    """The traceback, in the worker process, of an exception raised by a page pipeline there."""

    def __str__(self) -> str:
        return "\n" + str(self.args[0]) if self.args else ""


# -- the worker process side ---------------------------------------------------------------------------------
_stages: PageStages | None = None


def _init_worker(watchlist: dict | None, watchlist_path: str | None, sources: dict, parent_pid: int,
                 log_level: str, log_format: str, log_dateformat: str) -> None:
    """Once per worker: ignore Ctrl-C, watch the crawl process, compile the watchlist."""
    global _stages
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(level=log_level, format=log_format, datefmt=log_dateformat)
    _watch_parent(parent_pid)
    _stages = _page_stages(sources, watchlist, watchlist_path)


def _watch_parent(parent_pid: int) -> None:
    """Exit when the crawl process is gone: an orphan worker would otherwise wait for work forever."""

    def watch() -> None:
        while True:
            time.sleep(PARENT_CHECK_SECONDS)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="dumawatch-parent-watch", daemon=True).start()


def _page_stages(sources: dict, watchlist: dict | None, watchlist_path: str | None) -> PageStages:
    """The page stages, imported only where they run: with workers, the crawl process never loads trafilatura."""
    from pipelines.stages import PageStages

    return PageStages(sources, watchlist, watchlist_path)


def _ping() -> int:
    return os.getpid()


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else a RuntimeError that says what it was."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def process_page(item_class: type, fields: dict) -> Outcome:
    """In a worker: run the page stages on one item's fields."""
    item = item_class(fields)
    try:
        item = _stages.run(item)
    except DropItem as exc:
        return Outcome({}, (), exc, "", os.getpid())
    except Exception as exc:
        return Outcome({}, (), _portable(exc), traceback.format_exc(), os.getpid())
    changed = {key: value for key, value in item.items() if key not in fields or fields[key] is not value}
    removed = tuple(key for key in fields if key not in item)
    return Outcome(changed, removed, None, "", os.getpid())


# -- the crawl process side ----------------------------------------------------------------------------------
class OffloadPipeline:
    """Item pipeline: the page stages of each item in a worker process (or here, with ``workers: 0``)."""

    def __init__(self, crawler, workers: int, sources: dict) -> None:
        self.crawler = crawler
        self.sources = sources
        self.workers = max(0, workers)
        self.pool: ProcessPoolExecutor | None = None
        self.broken = False
        self.closed = False
        self._local: PageStages | None = None
        self.in_flight = 0
        self.max_in_flight = 0
        self.pooled = 0
        self.local = 0
        self.worker_pids: set[int] = set()

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler, crawler.settings.getint(WORKERS_SETTING, 0), dict(crawler.spider.sources))
        crawler.signals.connect(pipeline.shutdown, signal=signals.engine_stopped)
        return pipeline

    # -- life cycle --------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the workers (at the first article page: a run that finds nothing new starts none)."""
        settings = self.crawler.settings
        self.pool = ProcessPoolExecutor(
            max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(settings.get(WATCHLIST_SETTING), settings.get(WATCHLIST_PATH_SETTING), self.sources,
                      os.getpid(), settings.get("LOG_LEVEL", "WARNING"), settings.get("LOG_FORMAT"),
                      settings.get("LOG_DATEFORMAT")),
        )
        # one task each starts all the workers now; they are born ignoring SIGINT (a Ctrl-C while they import
        # would otherwise kill them: the disposition is inherited), so the crawl process alone handles it
        previous = _set_sigint(signal.SIG_IGN)
        try:
            for _ in range(self.workers):
                self.pool.submit(_ping).add_done_callback(self._note_pid)
        except (BrokenProcessPool, RuntimeError, OSError) as exc:
            self._fall_back(exc)
        finally:
            _set_sigint(previous)

    def _note_pid(self, future: Future) -> None:
        if not future.cancelled() and future.exception() is None:
            self.worker_pids.add(future.result())

    def close_spider(self, spider=None) -> None:
        self.shutdown()
        if self.workers > 0:
            own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
            logger.info("offload: %d pages in %d worker processes (pids %s), %d in the crawl process; "
                        "at most %d in flight; CPU %.1f s in the crawl process, %.1f s in the workers",
                        self.pooled, len(self.worker_pids), " ".join(map(str, sorted(self.worker_pids))) or "-",
                        self.local, self.max_in_flight, own.ru_utime + own.ru_stime,
                        workers.ru_utime + workers.ru_stime)
            stats = self.crawler.stats
            if stats is not None:
                stats.set_value("offload/workers", self.workers)
                stats.set_value("offload/pages_in_workers", self.pooled)
                stats.set_value("offload/pages_in_crawl_process", self.local)
                stats.set_value("offload/max_in_flight", self.max_in_flight)

    def shutdown(self) -> None:
        """Stop the workers and wait for them to exit (idempotent).

        Nothing is in flight when the spider closes (Scrapy waits for the items first); after a forced stop,
        what is still queued finishes first, which takes a few seconds at most: a cancelled item would
        surface as an error of its own.
        """
        self.closed = True
        pool, self.pool = self.pool, None
        if pool is not None:
            pool.shutdown(wait=True)

    # -- items -------------------------------------------------------------------------------------------------
    async def process_item(self, item, spider=None):
        if self.pool is None and self.workers > 0 and not self.broken and not self.closed:
            self.start()
        if self.pool is None:
            return self._process_here(item)
        try:
            future = self.pool.submit(process_page, type(item), dict(item))
        except (BrokenProcessPool, RuntimeError, OSError) as exc:  # broken meanwhile, or a worker cannot start
            self._fall_back(exc)
            return self._process_here(item)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            outcome = await _wait(future)
        except BrokenProcessPool as exc:
            self._fall_back(exc)
            return self._process_here(item)
        finally:
            self.in_flight -= 1
        self.pooled += 1
        self.worker_pids.add(outcome.pid)
        if outcome.error is not None:
            if outcome.remote_traceback:
                raise outcome.error from WorkerTraceback(outcome.remote_traceback)
            raise outcome.error
        for key in outcome.removed:
            del item[key]
        item.update(outcome.fields)
        return item

    def _process_here(self, item):
        if self._local is None:
            settings = self.crawler.settings
            self._local = _page_stages(self.sources, settings.get(WATCHLIST_SETTING),
                                       settings.get(WATCHLIST_PATH_SETTING))
        self.local += 1
        return self._local.run(item)

    def _fall_back(self, exc: BaseException) -> None:
        if not self.broken:
            self.broken = True
            logger.warning("worker pool broken (%s): the pages are cleaned, dated and matched in the crawl "
                           "process from now on", str(exc) or type(exc).__name__)
        pool, self.pool = self.pool, None
        if pool is not None:
            pool.shutdown(wait=False)  # a broken pool has failed every pending item already


def _set_sigint(handler):
    """Set the SIGINT handler (from the main thread only); returns the previous one, or None."""
    if handler is None or threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGINT, handler)


def _wait(future: Future):
    """An awaitable for a concurrent future, under the asyncio reactor (the default) or another one."""
    if is_asyncio_available():
        return asyncio.wrap_future(future)
    from twisted.internet import reactor
    from twisted.internet.defer import Deferred

    deferred: Deferred[Any] = Deferred()

    def fire(done: Future) -> None:
        error = CancelledError() if done.cancelled() else done.exception()
        if error is None:
            deferred.callback(done.result())
        else:
            deferred.errback(error)

    future.add_done_callback(lambda done: reactor.callFromThread(fire, done))
    return deferred
