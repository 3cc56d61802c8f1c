"""The service's side of the queue: spread a run's sources into tasks by site host, send them, wait for them."""

from __future__ import annotations

import logging
import threading
import time

from crawler.config import Config, Source
from crawler.distributed.app import configure

log = logging.getLogger("dumawatch.service")
EXIT_LOCKED = 3


def spread(sources: list[Source]) -> list[list[str]]:
    """One task per site host: sources that share a host are crawled by one worker, politely, together."""
    groups: dict[str, list[str]] = {}
    for source in sources:
        groups.setdefault(source.host.removeprefix("www."), []).append(source.id)
    return list(groups.values())


def crawl_on_workers(config: Config, sources: list[Source], stopping: threading.Event,
                     deadline: float) -> tuple[str, int]:
    """Queue the sources' tasks and wait for them; returns (outcome, worst exit code) as the service records it.

    Outcomes: ``ok``; ``timeout`` (not all back by ``deadline``); ``stopped`` (the service is stopping: the
    tasks go on on their workers and record their own rows); ``crashed (exit N)`` when a crawl failed.
    """
    configure(config.broker, config.service.run_timeout, config.state_url)
    from crawler.distributed.tasks import crawl

    pending = {}
    for ids in spread(sources):
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
