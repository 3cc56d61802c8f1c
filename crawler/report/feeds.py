"""Write the CSV feeds users open in Excel, LibreOffice and pandas.

UTF-8 with BOM, comma-separated, RFC 4180 quoting, every cell spreadsheet-safe. Each feed is written
to a temporary file beside it and renamed over it, so a reader never sees half a file; its mode follows
the umask (0644 by default), as any file the user's programs write.

``articles.csv``, ``mentions.csv`` and ``runs.csv`` hold a recent window (``feed_window_days``, 90 by
default): the articles published or first seen in its days, their mentions, the runs started in it. The
whole history is kept month by month in ``archive/YYYY-MM/`` (``crawler/report/archive.py``), so what a crawl
writes does not grow with the archive. After a crawl ``articles.csv`` and ``mentions.csv`` are left alone when
nothing changed; when the crawl only added articles, their rows are spliced in (``crawler/report/splice.py``: a byte
copy of the rest); they are written whole on another day (the window moved), other source names in the
config, an older row rewritten (a re-rooted reprint chain), or a file that is not the one written last
(``.dumawatch-feeds.json`` beside them keeps what was written). ``dumawatch export`` always rewrites them; ``dumawatch export --all`` / ``--since`` /
``--until`` write any period whole (``crawler/report/archive.py``).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path

from crawler.config import Config
from crawler.report.archive import update_archive
from crawler.report.chart import update_chart
from crawler.report.feed_rows import (
    ARTICLE_COLUMNS,
    MENTION_COLUMNS,
    RUN_COLUMNS,
    WINDOW_KEYS,
    FeedRows,
    local_today,
    write_csv,
)
from crawler.report.files import file_state, replaced_atomically
from crawler.report.health import export_health
from crawler.report.splice import splice, write_indexed
from crawler.report.workbook import export_workbooks
from crawler.storage.history import changed_articles, window_rows, window_runs
from crawler.storage.store import Store

SIGNATURES = ".dumawatch-feeds.json"


def _window_feed(kind: str, path: Path, columns: list[str], store: Store, shape, cutoff: date, base: str,
                 marks: list[int], force: bool, kept: dict) -> int:
    """Write ``articles.csv`` or ``mentions.csv`` of the window: left alone when nothing changed, the new rows
    spliced in when only rows were added the same day (``crawler/report/splice.py``), else written whole."""
    signature = _digest(base, columns)
    previous = kept.get(path.name) or {}
    same = not force and previous.get("signature") == signature and previous.get("file") == file_state(path)
    if same and previous.get("marks") == marks:
        return previous["rows"]
    rows, spliced = None, False
    last = previous.get("last_article")
    if same and last is not None:
        rewritten = any(article_id <= last for article_id, _, _ in changed_articles(store, last))
        if not rewritten:  # only new articles: splice their rows in
            rows = splice(path, columns, map(shape, window_rows(store, kind, cutoff, last)), WINDOW_KEYS[kind])
            spliced = rows is not None
    if rows is None:
        rows = write_indexed(path, columns, map(shape, window_rows(store, kind, cutoff)), WINDOW_KEYS[kind])
    kept[path.name] = {"signature": signature, "marks": marks, "last_article": marks[1], "rows": rows,
                       "file": file_state(path), "spliced": spliced}
    return rows


def export_feeds(config: Config, store: Store, force: bool = False, rewrite_archive: bool = False) -> dict[str, int]:
    """Rewrite the window's ``articles.csv``, ``mentions.csv`` (when changed, or always with ``force``),
    ``runs.csv`` and ``health.csv``, the archive months that changed (every month with ``rewrite_archive``),
    and the chart; the number of rows of each file written (archive files by their path under the feeds folder)."""
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
        "runs.csv": write_csv(feeds / "runs.csv", RUN_COLUMNS, window_runs(store, cutoff)),
        "health.csv": export_health(config, store),
    }
    counts.update(update_archive(config, store, kept, shape, rewrite=rewrite_archive))
    counts.update(update_chart(config, store, kept, today, force=force))
    if config.feeds_xlsx:  # articles.xlsx and mentions.xlsx beside the window CSVs, the same rows (crawler/report/workbook.py)
        counts.update(export_workbooks(feeds, {
            "articles.csv": (ARTICLE_COLUMNS, lambda: map(shape, window_rows(store, "articles", cutoff))),
            "mentions.csv": (MENTION_COLUMNS, lambda: map(shape, window_rows(store, "mentions", cutoff)))},
            kept, force))
    with replaced_atomically(signatures) as handle:
        json.dump(kept, handle, ensure_ascii=False, indent=1)
    return counts


def _digest(base: str, columns: list[str]) -> str:
    return hashlib.sha1((base + "|" + ",".join(columns)).encode("utf-8")).hexdigest()
