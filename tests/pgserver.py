"""Throw-away databases on the PostgreSQL server on loopback (127.0.0.1:5432, trust auth; scripts/test.sh starts it).

``fresh_database()`` creates a uniquely named database and drops it afterwards (ending its sessions first).
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager

import pytest

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


def _admin():
    psycopg = pytest.importorskip("psycopg")
    try:
        return psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True,
                               connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL server on 127.0.0.1:5432 (scripts/test.sh starts one): {exc}")


@contextmanager
def fresh_database():
    """Yield the SQLAlchemy URL of a new, empty database; drop it afterwards."""
    name = f"dumawatch_test_{uuid.uuid4().hex[:12]}"
    admin = _admin()
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        yield f"{SERVER}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def query(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        cursor = conn.execute(sql, params or None)
        return cursor.fetchall() if cursor.description else []


def deadlocks(url: str) -> int:
    """Deadlocks the server detected in this database (its own statistics)."""
    name = url.rsplit("/", 1)[1]
    return query(url, "SELECT deadlocks FROM pg_stat_database WHERE datname = %s", (name,))[0][0]
