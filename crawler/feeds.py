"""Write the CSV feeds users open in Excel, LibreOffice and pandas.

UTF-8 with BOM, comma-separated, RFC 4180 quoting, every cell spreadsheet-safe. Each feed is written
to a temporary file beside it and renamed over it, so a reader never sees half a file.

``articles.csv`` and ``mentions.csv`` grow with the history (a year of every legislature is hundreds of MB):
after a crawl they are rewritten only when what they hold has changed — new rows in the store, other source
names in the config, or a file that is not the one written last (``.dumawatch-feeds.json`` beside them
keeps what was written). ``dumawatch export`` always rewrites them.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
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
               "errors", "error_detail", "duration", "too_old", "limit_hit", "not_news"]


@contextmanager
def replaced_atomically(path: Path, encoding: str = "utf-8", newline: str | None = None) -> Iterator:
    """A text file to write that replaces ``path`` whole when the block ends (fsynced, then renamed over it);
    on any error the temporary file is removed and ``path`` stays as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile("w", encoding=encoding, newline=newline, dir=path.parent,
                                         prefix=f".{path.name}.", suffix=".tmp", delete=False)
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


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


SIGNATURES = ".dumawatch-feeds.json"


def _file_state(path: Path) -> list[int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def _rewrite_if_changed(path: Path, signature: str, write, force: bool, kept: dict) -> int:
    """Write ``path`` with ``write(path)`` unless it still holds exactly what ``signature`` describes."""
    previous = kept.get(path.name) or {}
    if not force and previous.get("signature") == signature and previous.get("file") == _file_state(path):
        return previous["rows"]
    rows = write(path)
    kept[path.name] = {"signature": signature, "rows": rows, "file": _file_state(path)}
    return rows


def export_feeds(config: Config, store: Store, force: bool = False) -> dict[str, int]:
    """Rewrite ``articles.csv``, ``mentions.csv`` (when changed, or always with ``force``), ``runs.csv`` and
    ``health.csv`` from the store; the number of rows of each."""
    sources = {source.id: source for source in config.sources}

    def with_source(row: dict) -> dict:
        source = sources.get(row["source_id"])
        return {**row, "source_name": source.name if source else "", "region": source.region if source else ""}

    feeds = config.feeds_dir
    feeds.mkdir(parents=True, exist_ok=True)
    signatures = feeds / SIGNATURES
    try:
        kept = json.loads(signatures.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        kept = {}
    names = sorted((source.id, source.name, source.region) for source in config.sources)
    base = json.dumps([names, store.history_marks()], ensure_ascii=False)
    counts = {
        "articles.csv": _rewrite_if_changed(
            feeds / "articles.csv", _digest(base, ARTICLE_COLUMNS), force=force, kept=kept,
            write=lambda path: write_csv(path, ARTICLE_COLUMNS, map(with_source, store.iter_articles()))),
        "mentions.csv": _rewrite_if_changed(
            feeds / "mentions.csv", _digest(base, MENTION_COLUMNS), force=force, kept=kept,
            write=lambda path: write_csv(path, MENTION_COLUMNS, map(with_source, store.iter_mentions()))),
        "runs.csv": write_csv(feeds / "runs.csv", RUN_COLUMNS, store.iter_runs()),
        "health.csv": export_health(config, store),
    }
    if config.feeds_xlsx:  # articles.xlsx and mentions.xlsx beside the CSVs, the same rows (crawler/workbook.py)
        from crawler.workbook import export_workbooks

        counts.update(export_workbooks(feeds, {
            "articles.csv": (ARTICLE_COLUMNS, lambda: map(with_source, store.iter_articles())),
            "mentions.csv": (MENTION_COLUMNS, lambda: map(with_source, store.iter_mentions()))}, kept, force))
    with replaced_atomically(signatures) as handle:
        json.dump(kept, handle, ensure_ascii=False, indent=1)
    return counts


def _digest(base: str, columns: list[str]) -> str:
    return hashlib.sha1((base + "|" + ",".join(columns)).encode("utf-8")).hexdigest()

