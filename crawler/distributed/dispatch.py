"""The service's side of the queue: spread a run's sources into tasks by site host, send them, wait for them.

A run becomes as many tasks as there are workers answering a ping (each task is a crawl process: fewer,
larger tasks cost fewer start-ups), at most one per site host. All sources of one host go in one task, so a
host is crawled by one worker, with Scrapy's per-host politeness, never from two machines at once.
"""

from __future__ import annotations

import logging
import threading
import time

from crawler.config import Config, Source
from crawler.distributed.app import configure
from crawler.errors import EXIT_LOCKED
from pipelines.urlkeys import site_host

log = logging.getLogger("dumawatch.service")


def spread(sources: list[Source], tasks: int) -> list[list[str]]:
    """The sources in at most ``tasks`` groups, each site host in exactly one, balanced by number of sources."""
    hosts: dict[str, list[str]] = {}
    for source in sources:
        hosts.setdefault(site_host(source.host), []).append(source.id)
    groups: list[list[str]] = [[] for _ in range(max(1, min(tasks, len(hosts))))]
    for ids in sorted(hosts.values(), key=len, reverse=True):
        min(groups, key=len).extend(ids)
    return [group for group in groups if group]


def workers_listening(app, timeout: float = 1.0) -> int:
    """How many ``dumawatch worker`` processes answer a ping on the broker now (0 when none or unreachable)."""
    try:
        return len(app.control.ping(timeout=timeout) or [])
    except Exception:  # the broker is down: the tasks wait in the queue (or the send below says why)
        return 0


def crawl_on_workers(config: Config, sources: list[Source], stopping: threading.Event,
                     deadline: float) -> tuple[str, int]:
    """Queue the sources' tasks and wait for them; returns (outcome, worst exit code) as the service records it.

    Outcomes: ``ok``; ``timeout`` (not all back by ``deadline``); ``stopped`` (the service is stopping: the
    tasks go on on their workers and record their own rows); ``crashed (exit N)`` when a crawl failed.
    """
    app = configure(config.broker, config.service.run_timeout, config.state_url)
    from crawler.distributed.tasks import crawl

    with app.connection_for_write() as connection:  # a broker that does not answer: kombu's OperationalError
        connection.ensure_connection(max_retries=2, interval_start=0.5, interval_step=0.5)
    listening = workers_listening(app)
    if not listening:
        log.warning("no worker answers on the broker: the tasks wait in the queue for one")
    pending = {}
    for ids in spread(sources, max(listening, 1)):
        result = crawl.apply_async(args=[ids])
        pending[result.id] = (result, ids)
        log.info("queued: %s (task %s)", ", ".join(ids), result.id)
    worst = 0
    while pending:
        if stopping.is_set():
            return "stopped", worst
        if time.monotonic() > deadline:
            log.warning("run timed out waiting for %d task(s): %s", len(pending),
                        "; ".join(", ".join(ids) for _, ids in pending.values()))
            return "timeout", worst
        for task_id, (result, ids) in list(pending.items()):
            if not result.ready():
                continue
            del pending[task_id]
            if result.failed():
                log.error("task %s (%s) failed: %s", task_id, ", ".join(ids), result.result)
                worst = worst or 1
                continue
            answer = result.get(disable_sync_subtasks=False)
            log.info("done on %s (pid %s): %s, exit %s", answer["host"], answer["pid"], ", ".join(ids),
                     answer["exit"])
            if answer["exit"] not in (0, EXIT_LOCKED):
                log.error("crawl of %s exited %s: %s", ", ".join(ids), answer["exit"], answer["output"][-500:])
                worst = answer["exit"]
        time.sleep(0.5)
    return ("ok" if worst == 0 else f"crashed (exit {worst})"), worst
