"""A read-only SQLite snapshot of a PostgreSQL store, for ``browse`` and ``search``.

The full-text index and the browser are built on SQLite (FTS5, Datasette), so on a PostgreSQL store those
commands work on a copy: the articles, mentions and runs, copied into ``<feeds>/.dumawatch-snapshot.sqlite3``
(beside the store's lock file) in one consistent read (``REPEATABLE READ``), with the full-text index built as
the copy goes. Rows are only ever added to the store, so each refresh copies only the rows added since the
last one, and the ``duplicate_of`` of the copied articles (a reprint chain re-rooted meanwhile) is brought up
to date (the copy itself: ``crawler/storage/snapshot.py``). ``dumawatch reindex`` on such a store builds the snapshot
again from scratch.
"""

from __future__ import annotations

import fcntl
from collections.abc import Callable
from pathlib import Path

from crawler.errors import ConfigError
from crawler.storage.snapshot import COPIED, copy_new_rows
from crawler.storage.store import Store, StoreError

SNAPSHOT_NAME = ".dumawatch-snapshot.sqlite3"


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
    try:
        store = Store(config.state_url, write=False)  # read-only: its schema is left as it is
        try:
            fresh, (revision, current) = not store.has_schema(), store.schema_revision()
        finally:
            store.close()
    except StoreError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise ConfigError(f"{config.path}: state: cannot read the store to snapshot it ({reason})") from None
    if fresh:  # never written: an empty snapshot
        return dict.fromkeys(COPIED, 0)
    if revision != current:
        raise ConfigError(f"{config.path}: state: the store's schema is {revision or 'unversioned'}, this "
                          f"dumawatch's is {current}: run `dumawatch migrate` (or a crawl) to upgrade it first")
    try:
        return copy_new_rows(config.state_url, path, progress)
    except StoreError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise ConfigError(f"{config.path}: state: cannot read the store to snapshot it ({reason})") from None
