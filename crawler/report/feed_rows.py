"""The feeds' rows and files: their columns, how a store row becomes a feed row, the window feeds' sort keys, and
the CSV writer every feed goes through (UTF-8 with BOM, RFC 4180 quoting, spreadsheet-safe cells, atomic replace).

``crawler/report/feeds.py`` decides which feeds a run rewrites; ``crawler/report/archive.py``, ``crawler/report/health.py`` and
``sources check`` write theirs with :func:`write_csv` too.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from crawler.config import Config
from crawler.report.files import replaced_atomically
from crawler.report.spreadsheet import safe_cell

# new columns go at the END: users' code reads these files by position too
ARTICLE_COLUMNS = ["published_at", "source_id", "source_name", "region", "title", "url", "names", "topics",
                   "duplicate_of", "first_seen", "text", "published_date"]
MENTION_COLUMNS = ["published_at", "source_id", "source_name", "region", "title", "url", "kind", "watch",
                   "matched", "snippet", "published_date", "first_seen", "duplicate_of"]
RUN_COLUMNS = ["run_id", "source_id", "started", "finished", "status", "pages", "new_articles", "new_mentions",
               "errors", "error_detail", "duration", "too_old", "limit_hit", "not_news"]


def write_csv(path: Path, columns: list[str], rows: Iterable[dict]) -> int:
    """Atomically replace ``path`` with a CSV of ``rows``; returns the number of rows written."""
    count = 0
    with replaced_atomically(path, encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, dialect="excel", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([safe_cell(row.get(column, "")) for column in columns])
            count += 1
    return count


class FeedRows:
    """The feeds' rows from the store's: source name and region from the config, the publication's local day."""

    def __init__(self, config: Config) -> None:
        self.sources = {source.id: source for source in config.sources}

    def __call__(self, row: dict) -> dict:
        source = self.sources.get(row["source_id"])
        return {**row, "source_name": source.name if source else "", "region": source.region if source else "",
                "published_date": published_date(row.get("published_at") or "")}

    def names(self, source_ids: Iterable[str] | None = None) -> list:
        """(id, name, region) of the given sources (all configured ones by default): what the rows show of them."""
        ids = sorted(self.sources) if source_ids is None else sorted(source_ids)
        return [(sid, self.sources[sid].name, self.sources[sid].region) if sid in self.sources else (sid,)
                for sid in ids]


def published_date(published_at: str) -> str:
    """The local day of a ``published_at`` value (which is in the source's local time): always YYYY-MM-DD."""
    return published_at[:10]


def local_today(config: Config) -> date:
    """Today in the schedule's time zone: the day the window and the chart count back from."""
    return datetime.now(ZoneInfo(config.schedule.timezone)).date()


# the window feeds' sort keys, descending (the order of crawler/storage/history.py's rows)
WINDOW_KEYS = {"articles": lambda row: [row["published_at"], row["first_seen"], row["id"]],
               "mentions": lambda row: [row["published_at"], row["article_id"], -row["id"]]}
