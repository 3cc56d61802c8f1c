"""The store's schema, created and upgraded by Alembic migrations shipped inside the package.

:func:`upgrade` brings a store to the newest revision (``head``): a new store gets the whole schema, a store
made before migrations existed (no ``alembic_version`` table) is upgraded by the baseline revision, which
creates only what is missing, and is then stamped. It runs on a store's first write (``crawler/storage/store.py``)
or by ``dumawatch migrate``, never from a read-only command (``dumawatch status``). Two processes starting
together are serialized: on PostgreSQL by a transaction-level advisory lock (``MIGRATION_LOCK``), on SQLite by
a file lock beside the database; the second finds the store current and does nothing.

Adding a revision (a new table, column or index):

1. Add the table or column to ``crawler/storage/store.py`` (what the code uses).
2. Add ``versions/NNNN_what_it_does.py`` (copy the newest file): a new ``revision`` id, ``down_revision`` set
   to the newest revision's id, and ``upgrade()`` with ``op.create_table`` / ``op.add_column`` /
   ``op.create_index`` (for SQLite, alter a table inside ``with op.batch_alter_table(...)``). Raw DDL that
   only one engine knows (an FTS5 virtual table) goes through ``op.execute`` behind
   ``if op.get_bind().dialect.name == "sqlite":``.
3. ``python -m pytest tests/test_migrations.py``: it checks that every revision chains to one head and that
   the migrated schema holds every table, column and index of ``crawler/storage/store.py``.

The migrations are plain modules of this package (``crawler/storage/migrations/versions``), so they ship in the wheel.
"""

from __future__ import annotations

import fcntl
import re
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

SCRIPT_LOCATION = "crawler.storage:migrations"
VERSION_TABLE = "alembic_version"
MIGRATION_LOCK = 0x6475_6D61_5F6D_6967  # "duma_mig": the PostgreSQL advisory lock key of the migration


def _alembic_config(connection: Connection | None = None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision id shipped with this version of dumawatch.

    Read from the revision files' ``revision``/``down_revision`` lines, so a crawl on a current store never
    imports Alembic (a start-up cost every run would pay); anything unusual there (a merge of two heads) is left to Alembic itself.
    """
    revisions, parents = set(), set()
    for path in (Path(__file__).parent / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision = re.search(r'^revision = "([^"]+)"$', source, re.M)
        parent = re.search(r'^down_revision = (?:"([^"]+)"|None)$', source, re.M)
        if revision is None or parent is None:
            return _alembic_head()
        revisions.add(revision.group(1))
        if parent.group(1):
            parents.add(parent.group(1))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else _alembic_head()


def _alembic_head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    """The store's revision: None for a new store or one made before migrations existed."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def is_current(engine: Engine) -> bool:
    with engine.connect() as connection:
        return current_revision(connection) == head_revision()


@contextmanager
def _sqlite_file_lock(engine: Engine):
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    path = Path(database).with_name(Path(database).name + ".migrate.lock")
    with open(path, "a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # blocking: the other process is migrating, wait for it
        yield


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Create or upgrade the store's schema to ``head``, once even when several processes start together.

    Returns (revision before, revision after).
    """
    head = head_revision()
    with engine.connect() as connection:  # the usual case, a current store, costs one query and no lock
        before = current_revision(connection)
    if before == head:
        return before, head
    from alembic import command  # only now: a current store costs no import of Alembic (its time and memory)

    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:  # DDL is transactional: the lock and the schema commit together
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _signed(MIGRATION_LOCK)})
            before = current_revision(connection)
            if before != head:
                command.upgrade(_alembic_config(connection), "head")
        return before, head
    with _sqlite_file_lock(engine):
        with engine.begin() as connection:
            before = current_revision(connection)
            if before != head:
                command.upgrade(_alembic_config(connection), "head")
    return before, head


def _signed(key: int) -> int:
    return key - (1 << 64) if key >= 1 << 63 else key
