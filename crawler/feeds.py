"""Write the CSV feeds users open in Excel, LibreOffice and pandas.

UTF-8 with BOM, comma-separated, RFC 4180 quoting, every cell spreadsheet-safe. Each feed is written
to a temporary file beside it and renamed over it, so a reader never sees half a file.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from crawler.config import Config
from crawler.health import export_health
from crawler.spreadsheet import safe_cell
from crawler.store import Store

ARTICLE_COLUMNS = ["published_at", "source_id", "source_name", "region", "title", "url", "names", "topics",
                   "duplicate_of", "first_seen", "text"]
MENTION_COLUMNS = ["published_at", "source_id", "source_name", "region", "title", "url", "kind", "watch",
                   "matched", "snippet"]
RUN_COLUMNS = ["run_id", "source_id", "started", "finished", "status", "pages", "new_articles", "new_mentions",
               "errors", "error_detail", "duration"]


def write_csv(path: Path, columns: list[str], rows: Iterable[dict]) -> int:
    """Atomically replace ``path`` with a CSV of ``rows``; returns the number of rows written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile("w", encoding="utf-8-sig", newline="", dir=path.parent,
                                         prefix=f".{path.name}.", suffix=".tmp", delete=False)
    count = 0
    try:
        with handle:
            writer = csv.writer(handle, dialect="excel", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow([safe_cell(row.get(column, "")) for column in columns])
                count += 1
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return count


def export_feeds(config: Config, store: Store) -> dict[str, int]:
    """Rewrite ``articles.csv``, ``mentions.csv`` and ``runs.csv`` from the store."""
    sources = {source.id: source for source in config.sources}

    def with_source(row: dict) -> dict:
        source = sources.get(row["source_id"])
        return {**row, "source_name": source.name if source else "", "region": source.region if source else ""}

    feeds = config.feeds_dir
    return {
        "articles.csv": write_csv(feeds / "articles.csv", ARTICLE_COLUMNS, map(with_source, store.iter_articles())),
        "mentions.csv": write_csv(feeds / "mentions.csv", MENTION_COLUMNS, map(with_source, store.iter_mentions())),
        "runs.csv": write_csv(feeds / "runs.csv", RUN_COLUMNS, store.iter_runs()),
        "health.csv": export_health(config, store),
    }
