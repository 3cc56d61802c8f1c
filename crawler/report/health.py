"""Source health from the run history: which sites quietly stopped producing news.

Computed from the ``runs`` table of the store (one row per run and source), never from memory, so
the service, ``dumawatch crawl``, ``export`` and ``status`` all see the same flags. A source is flagged

- ``stale``: no new article in the last ``health.stale_runs`` completed runs, while it had new articles
  before (a quiet site that never had any is not flagged);
- ``no_text``: in its last run at least two article pages and at least ``health.empty_share`` of them gave
  no extractable text (the clean pipeline drops such pages and counts them in ``empty_pages``): the
  typical sign of a redesign;
- ``errors``: its last ``health.error_runs`` runs all had errors (HTTP errors, failed or timed-out runs).

The flags are written to ``health.csv`` (see :data:`HEALTH_COLUMNS`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crawler.config import Config, ServiceSettings
from crawler.report.feed_rows import write_csv
from crawler.storage.store import Store

HEALTH_COLUMNS = ["source_id", "source_name", "region", "health", "flags", "detail", "last_run", "last_status",
                  "last_new_article", "runs_without_new", "last_error"]
INCOMPLETE = ("stopped", "timeout", "crashed", "skipped")  # statuses of runs that did not finish their crawl
MIN_EMPTY_PAGES = 2


@dataclass
class SourceHealth:
    source_id: str
    flags: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    last_run: dict | None = None
    last_new_article: str = ""
    runs_without_new: int = 0

    @property
    def state(self) -> str:
        if self.last_run is None:
            return "no runs"
        return "flagged" if self.flags else "ok"


def _is_incomplete(status: str) -> bool:
    return status.startswith(INCOMPLETE)


def _had_errors(row: dict) -> bool:
    return row["errors"] > 0 or row["status"] in ("failed", "timeout") or row["status"].startswith("crashed")


def source_health(store: Store, source_id: str, settings: ServiceSettings,
                  exclude_run_id: str | None = None) -> SourceHealth:
    """The health of one source from its runs (optionally as it was before the run ``exclude_run_id``)."""
    recent = store.latest_runs(source_id, max(settings.error_runs, 1), exclude_run_id)
    last_new = store.last_productive_run(source_id, exclude_run_id)
    quiet = sum(1 for status in store.run_statuses_after(source_id, last_new, exclude_run_id)
                if not _is_incomplete(status))
    health = SourceHealth(source_id, last_run=recent[0] if recent else None, last_new_article=last_new or "",
                          runs_without_new=quiet)
    if not recent:
        return health
    if last_new and quiet >= settings.stale_runs:
        health.flags.append("stale")
        health.details.append(f"no new article in {quiet} runs (last new article in the run of {last_new})")
    last = recent[0]
    empty, new = last["empty_pages"], last["new_articles"]
    if empty >= MIN_EMPTY_PAGES and empty >= settings.empty_share * (empty + new):
        health.flags.append("no_text")
        health.details.append(f"{empty} of {empty + new} article pages without extractable text in the last run")
    if len(recent) >= settings.error_runs and all(_had_errors(row) for row in recent[:settings.error_runs]):
        health.flags.append("errors")
        detail = last["error_detail"] or last["status"]
        health.details.append(f"errors in the last {settings.error_runs} run(s): {detail}"[:300])
    return health


def health_report(config: Config, store: Store) -> list[SourceHealth]:
    """The health of every configured source, in the order of the sources file."""
    return [source_health(store, source.id, config.service) for source in config.sources]


def health_rows(config: Config, report: list[SourceHealth]) -> list[dict]:
    names = {source.id: source for source in config.sources}
    rows = []
    for health in report:
        source, last = names.get(health.source_id), health.last_run or {}
        rows.append({
            "source_id": health.source_id, "source_name": source.name if source else "",
            "region": source.region if source else "", "health": health.state, "flags": "; ".join(health.flags),
            "detail": "; ".join(health.details), "last_run": last.get("started", ""),
            "last_status": last.get("status", ""), "last_new_article": health.last_new_article,
            "runs_without_new": health.runs_without_new, "last_error": last.get("error_detail", ""),
        })
    return rows


def export_health(config: Config, store: Store) -> int:
    """Rewrite ``health.csv`` in the feeds directory; returns the number of rows."""
    return write_csv(config.feeds_dir / "health.csv", HEALTH_COLUMNS,
                     health_rows(config, health_report(config, store)))
