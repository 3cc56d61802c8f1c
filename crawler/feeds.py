"""Write the CSV feeds users open in Excel, LibreOffice and pandas.

UTF-8 with BOM, comma-separated, RFC 4180 quoting, every cell spreadsheet-safe. Each feed is written
to a temporary file beside it and renamed over it, so a reader never sees half a file; its mode follows
the umask (0644 by default), as any file the user's programs write.

``articles.csv``, ``mentions.csv`` and ``runs.csv`` hold a recent window (``feed_window_days``, 90 by
default): the articles published or first seen in its days, their mentions, the runs started in it. The
whole history is kept month by month in ``archive/YYYY-MM/`` (``crawler/archive.py``), so what a crawl
writes does not grow with the archive. After a crawl ``articles.csv`` and ``mentions.csv`` are left alone when
nothing changed; when the crawl only added articles, their rows are spliced in (``crawler/splice.py``: a byte
copy of the rest); they are written whole on another day (the window moved), other source names in the
config, an older row rewritten (a re-rooted reprint chain), or a file that is not the one written last
(``.dumawatch-feeds.json`` beside them keeps what was written). ``dumawatch export`` always rewrites them; ``dumawatch export --all`` / ``--since`` /
``--until`` write any period whole (``crawler/archive.py``).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import or_

from crawler.config import Config
from crawler.files import file_state, replaced_atomically
from crawler.health import export_health
from crawler.spreadsheet import safe_cell
from crawler.store import Store, articles, runs

# new columns go at the END: users' code reads these files by position too
ARTICLE_COLUMNS = ["published_at", "source_id", "source_name", "region", "title", "url", "names", "topics",
                   "duplicate_of", "first_seen", "text", "published_date"]
MENTION_COLUMNS = ["published_at", "source_id", "source_name", "region", "title", "url", "kind", "watch",
                   "matched", "snippet", "published_date", "first_seen", "duplicate_of"]
RUN_COLUMNS = ["run_id", "source_id", "started", "finished", "status", "pages", "new_articles", "new_mentions",
               "errors", "error_detail", "duration", "too_old", "limit_hit", "not_news"]
SIGNATURES = ".dumawatch-feeds.json"


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


def window_parts(cutoff: date) -> list:
    """The article conditions of the recent window, in feed order: published since ``cutoff`` (newest first), then
    first seen since it but published before or undated (these sort after the first part, so no merge is needed)."""
    day = cutoff.isoformat()
    # ``published_at || ''``: the second part must be found on first_seen's index (a few rows), never by walking
    # published_at's index through the whole older history
    return [articles.c.published_at >= day, (articles.c.first_seen >= day) & ((articles.c.published_at + "") < day)]


def iter_window(store: Store, cutoff: date, kind: str) -> Iterator[dict]:
    fetch = store.iter_articles if kind == "articles" else store.iter_mentions
    for part in window_parts(cutoff):
        yield from fetch(part)


# the window feeds' sort keys, descending (the order of Store.iter_articles / iter_mentions)
WINDOW_KEYS = {"articles": lambda row: [row["published_at"], row["first_seen"], row["id"]],
               "mentions": lambda row: [row["published_at"], row["article_id"], -row["id"]]}


def _window_feed(kind: str, path: Path, columns: list[str], store: Store, shape, cutoff: date, base: str,
                 marks: list[int], force: bool, kept: dict) -> int:
    """Write ``articles.csv`` or ``mentions.csv`` of the window: left alone when nothing changed, the new rows
    spliced in when only rows were added the same day (``crawler/splice.py``), else written whole."""
    from crawler.archive import changed_articles
    from crawler.splice import splice, write_indexed

    signature = _digest(base, columns)
    previous = kept.get(path.name) or {}
    same = not force and previous.get("signature") == signature and previous.get("file") == file_state(path)
    if same and previous.get("marks") == marks:
        return previous["rows"]
    rows, spliced = None, False
    last = previous.get("last_article")
    if same and last is not None:
        with store.connect() as conn:
            rewritten = any(article_id <= last for article_id, _, _ in changed_articles(conn, last))
        if not rewritten:  # only new articles: splice their rows in
            new = (articles.c.id > last) & or_(*window_parts(cutoff))
            fetch = store.iter_articles if kind == "articles" else store.iter_mentions
            rows = splice(path, columns, map(shape, fetch(new)), WINDOW_KEYS[kind])
            spliced = rows is not None
    if rows is None:
        rows = write_indexed(path, columns, map(shape, iter_window(store, cutoff, kind)), WINDOW_KEYS[kind])
    kept[path.name] = {"signature": signature, "marks": marks, "last_article": marks[1], "rows": rows,
                       "file": file_state(path), "spliced": spliced}
    return rows


def export_feeds(config: Config, store: Store, force: bool = False, rewrite_archive: bool = False) -> dict[str, int]:
    """Rewrite the window's ``articles.csv``, ``mentions.csv`` (when changed, or always with ``force``),
    ``runs.csv`` and ``health.csv``, the archive months that changed (every month with ``rewrite_archive``),
    and the chart; the number of rows of each file written (archive files by their path under the feeds folder)."""
    from crawler.archive import update_archive
    from crawler.chart import update_chart

    feeds = config.feeds_dir
    feeds.mkdir(parents=True, exist_ok=True)
    signatures = feeds / SIGNATURES
    try:
        kept = json.loads(signatures.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        kept = {}
    shape = FeedRows(config)
    today = local_today(config)
    cutoff = today - timedelta(days=config.feed_window_days)
    marks = store.history_marks()
    base = json.dumps([shape.names(), cutoff.isoformat()], ensure_ascii=False)
    counts = {
        "articles.csv": _window_feed("articles", feeds / "articles.csv", ARTICLE_COLUMNS, store, shape, cutoff,
                                     base, marks, force, kept),
        "mentions.csv": _window_feed("mentions", feeds / "mentions.csv", MENTION_COLUMNS, store, shape, cutoff,
                                     base, marks, force, kept),
        "runs.csv": write_csv(feeds / "runs.csv", RUN_COLUMNS, store.iter_runs(runs.c.started >= cutoff.isoformat())),
        "health.csv": export_health(config, store),
    }
    counts.update(update_archive(config, store, kept, shape, rewrite=rewrite_archive))
    counts.update(update_chart(config, store, kept, today, force=force))
    if config.feeds_xlsx:  # articles.xlsx and mentions.xlsx beside the window CSVs, the same rows (crawler/workbook.py)
        from crawler.workbook import export_workbooks

        counts.update(export_workbooks(feeds, {
            "articles.csv": (ARTICLE_COLUMNS, lambda: map(shape, iter_window(store, cutoff, "articles"))),
            "mentions.csv": (MENTION_COLUMNS, lambda: map(shape, iter_window(store, cutoff, "mentions")))},
            kept, force))
    with replaced_atomically(signatures) as handle:
        json.dump(kept, handle, ensure_ascii=False, indent=1)
    return counts


def _digest(base: str, columns: list[str]) -> str:
    return hashlib.sha1((base + "|" + ",".join(columns)).encode("utf-8")).hexdigest()
