"""The copy of a PostgreSQL store into its read-only SQLite snapshot (``crawler/commands/snapshot.py`` says when and
where): the rows added since the last copy, in one consistent read (``REPEATABLE READ``), the full-text index
built as the copy goes, and the ``duplicate_of`` of the copied articles brought up to date.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, func, select

from crawler.storage.fulltext import article_normal_forms, insert_normal_forms
from crawler.storage.schema import metadata

BATCH = 1000
COPIED = ("articles", "mentions", "runs")  # seen URLs, sketches and validators are the crawl's alone


def copy_new_rows(state_url: str, path: Path, progress: Callable[[int, int], None] | None = None) -> dict:
    """Copy the rows the store at ``state_url`` added since the last copy into the SQLite file ``path`` (its
    schema made already); returns {table: rows copied}. Raises :data:`crawler.storage.store.StoreError` when the
    store cannot be read."""
    copied = dict.fromkeys(COPIED, 0)
    source = create_engine(state_url)
    try:
        with source.connect().execution_options(isolation_level="REPEATABLE READ") as pg, \
                sqlite3.connect(path) as lite:
            lite.execute("PRAGMA busy_timeout=30000")
            for name in COPIED:
                copied[name] = _copy_table(pg, lite, metadata.tables[name], progress if name == "articles" else None)
            _update_duplicate_of(pg, lite, metadata.tables["articles"])
            lite.commit()
    finally:
        source.dispose()
    return copied


def _copy_table(pg, lite: sqlite3.Connection, table, progress) -> int:
    last = lite.execute(f"SELECT coalesce(max(id), 0) FROM {table.name}").fetchone()[0]
    total = pg.execute(select(func.count()).select_from(table).where(table.c.id > last)).scalar() or 0
    columns = [column.name for column in table.columns]
    insert = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    done = 0
    result = pg.execution_options(yield_per=BATCH).execute(select(table).where(table.c.id > last).order_by(table.c.id))
    for rows in result.partitions():
        lite.executemany(insert, [tuple(row) for row in rows])
        if table.name == "articles":
            insert_normal_forms(lite.cursor(), [(row.id, *article_normal_forms(row.title, row.text)) for row in rows])
        lite.commit()
        done += len(rows)
        if progress:
            progress(done, total)
    return done


def _update_duplicate_of(pg, lite: sqlite3.Connection, articles) -> None:
    """A reprint chain the store re-rooted since the last refresh: its articles' ``duplicate_of`` follow."""
    stored = dict(lite.execute("SELECT id, duplicate_of FROM articles WHERE duplicate_of != ''").fetchall())
    changed = [(row.duplicate_of, row.id) for row in pg.execute(
        select(articles.c.id, articles.c.duplicate_of).where(articles.c.duplicate_of != ""))
        if stored.get(row.id) != row.duplicate_of]
    lite.executemany("UPDATE articles SET duplicate_of = ? WHERE id = ?", changed)
