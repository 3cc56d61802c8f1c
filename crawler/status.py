"""``dumawatch status``: the last run of each source, its next scheduled time and its health flags, as a table.

Read-only: it takes no lock, never creates or upgrades the store's schema, and works beside a running
service or crawl; the sources a crawl is working on now show as ``running``, with the run's start time
(crawler/running.py).
"""

from __future__ import annotations

import sys

from crawler.config import Config
from crawler.tables import print_table

COLUMNS = ("source", "last run (UTC)", "status", "pages", "new", "mentions", "errors", "next run", "health")


def status_rows(config: Config) -> list[tuple[str, ...]]:
    from crawler.health import SourceHealth, health_report
    from crawler.service import next_run, plan_jobs
    from crawler.store import Store

    next_runs = {}
    for job in plan_jobs(config):
        when = next_run(job)
        for sid in job.source_ids:
            next_runs[sid] = when.strftime("%Y-%m-%d %H:%M:%S %Z") if when else "never"
    if config.state_path is not None and not config.state_path.exists():
        report = [SourceHealth(source.id) for source in config.sources]
    else:
        store = Store(config.state_url, migrate=False)
        try:
            report = health_report(config, store) if store.has_schema() else \
                [SourceHealth(source.id) for source in config.sources]
        finally:
            store.close()
    from crawler.running import current_run

    running = current_run(config) or {}
    running_ids = set(running.get("sources") or [])
    rows = []
    for health in report:
        last = health.last_run or {}
        if health.source_id in running_ids:  # under way now: its start, not its previous (or no) run
            last = {"started": running["started"], "status": "running"}
        flags = "; ".join(health.flags) if health.flags else health.state
        rows.append((health.source_id, last.get("started", "never")[:19].replace("T", " "), last.get("status", ""),
                     str(last.get("pages", "")), str(last.get("new_articles", "")),
                     str(last.get("new_mentions", "")), str(last.get("errors", "")),
                     next_runs.get(health.source_id, "disabled"), flags))
    return rows


def print_status(config: Config, out=sys.stdout) -> None:
    rows = [COLUMNS, *status_rows(config)]
    print_table(rows, out)
