"""``dumawatch status``: the last run of each source, its next scheduled time and its health flags, as a table.

Read-only: it takes no lock, never creates or upgrades the store's schema, and works beside a running
service or crawl; the sources a crawl is working on now show as ``running``, with the run's start time
(crawler/commands/running.py). A store an older dumawatch made is read as it is (with a note that the next crawl or
``dumawatch migrate`` upgrades it); one that cannot be read is one line (exit 2), never a traceback.
"""

from __future__ import annotations

import sys

from crawler.commands.running import current_run
from crawler.commands.service import next_run, plan_jobs
from crawler.config import Config
from crawler.errors import ConfigError
from crawler.report.health import SourceHealth, health_report
from crawler.report.tables import print_table
from crawler.storage.store import Store, StoreError

COLUMNS = ("source", "last run (UTC)", "status", "pages", "new", "mentions", "errors", "next run", "health")


def status_rows(config: Config, notes=sys.stderr) -> list[tuple[str, ...]]:
    next_runs = {}
    for job in plan_jobs(config):
        when = next_run(job)
        for sid in job.source_ids:
            next_runs[sid] = when.strftime("%Y-%m-%d %H:%M:%S %Z") if when else "never"
    if config.state_path is not None and not config.state_path.exists():
        report = [SourceHealth(source.id) for source in config.sources]
    else:
        store = Store(config.state_url, write=False)
        try:
            report = _read_health(config, store, notes)
        finally:
            store.close()
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


def _read_health(config: Config, store: Store, notes) -> list[SourceHealth]:
    try:
        if not store.has_schema():  # never written: no runs (and nothing is created)
            return [SourceHealth(source.id) for source in config.sources]
        revision, current = store.schema_revision()
        if revision != current:
            print(f"dumawatch: note: the store's schema is {'revision ' + revision if revision else 'unversioned'}, "
                  f"this dumawatch's is {current}: the next crawl upgrades it (or `dumawatch migrate`)",
                  file=notes)
        return health_report(config, store)
    except StoreError as exc:
        reason = " ".join(str(getattr(exc, "orig", None) or exc).split())[:200]
        raise ConfigError(f"{config.path}: state: cannot read the store's runs ({reason}); if an older dumawatch "
                          "made it, run `dumawatch migrate`") from None


def print_status(config: Config, out=sys.stdout) -> None:
    rows = [COLUMNS, *status_rows(config)]
    print_table(rows, out)
