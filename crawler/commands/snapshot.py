"""A read-only SQLite snapshot of a PostgreSQL store, for ``browse`` and ``search``.

The full-text index and the browser are built on SQLite (FTS5, Datasette), so on a PostgreSQL store those
commands work on a copy: the articles, mentions and runs, copied into ``<feeds>/.dumawatch-snapshot.sqlite3``
(beside the store's lock file) in one consistent read (``REPEATABLE READ``), with the full-text index built as
the copy goes. Rows are only ever added to the store, so each refresh copies only the rows added since the
last one, and the ``duplicate_of`` of the copied articles (a reprint chain re-rooted meanwhile) is brought up
to date. ``dumawatch reindex`` on such a store builds the snapshot again from scratch.
"""

from __future__ import annotations

import fcntl
import sqlite3
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from crawler.errors import ConfigError
from crawler.storage.fulltext import article_normal_forms, insert_normal_forms
from crawler.storage.store import Store, metadata

BATCH = 1000
SNAPSHOT_NAME = ".dumawatch-snapshot.sqlite3"
_COPIED = ("articles", "mentions", "runs")  # seen URLs, sketches and validators are the crawl's alone


def snapshot_path(config) -> Path:
    return config.feeds_dir / SNAPSHOT_NAME


def refresh_snapshot(config, progress: Callable[[int, int], None] | None = None, rebuild: bool = False) -> dict:
    """Copy what the PostgreSQL store added since the last refresh; returns {table: rows copied}."""
    path = snapshot_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:  # two refreshes at once: one after the other
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        if rebuild:
            for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                leftover.unlink(missing_ok=True)
        return _refresh(config, path, progress)


def _refresh(config, path: Path, progress) -> dict:

    Store(f"sqlite:///{path}").close()  # the schema, the full-text index included
    copied = dict.fromkeys(_COPIED, 0)
    try:
        store = Store(config.state_url, write=False)  # read-only: its schema is left as it is
        try:
            fresh, (revision, current) = not store.has_schema(), store.schema_revision()
        finally:
            store.close()
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise ConfigError(f"{config.path}: state: cannot read the store to snapshot it ({reason})") from None
    if fresh:  # never written: an empty snapshot
        return copied
    if revision != current:
        raise ConfigError(f"{config.path}: state: the store's schema is {revision or 'unversioned'}, this "
                          f"dumawatch's is {current}: run `dumawatch migrate` (or a crawl) to upgrade it first")
    source = create_engine(config.state_url)
    try:
        with source.connect().execution_options(isolation_level="REPEATABLE READ") as pg, \
                sqlite3.connect(path) as lite:
            lite.execute("PRAGMA busy_timeout=30000")
            for name in _COPIED:
                copied[name] = _copy_new_rows(pg, lite, metadata.tables[name], progress if name == "articles" else None)
            _update_duplicate_of(pg, lite, metadata.tables["articles"])
            lite.commit()
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise ConfigError(f"{config.path}: state: cannot read the store to snapshot it ({reason})") from None
    finally:
        source.dispose()
    return copied


def _copy_new_rows(pg, lite: sqlite3.Connection, table, progress) -> int:
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
