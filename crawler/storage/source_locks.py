"""Exclusion per source across machines: a source is crawled by one process at a time wherever it runs.

On PostgreSQL each source is a session-level advisory lock (``pg_try_advisory_lock``) keyed on its id, held
on a connection of its own for the whole crawl: the server releases it when the crawl ends or its process
dies (even by SIGKILL: the connection closes), so a crashed crawl never leaves a stale lock. A source whose
lock another session holds is *busy*: the crawl skips it, names the holder (the other session's
``application_name``: dumawatch, its host and pid) and crawls the rest.

On SQLite the whole store has one writer at a time anyway: the file lock of ``crawler/storage/locking.py`` excludes
every other run, so every source is held once it is taken.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

KEY_SPACE = b"dumawatch source:"

HOLDER_SQL = text(
    "SELECT a.application_name, a.client_addr FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :classid AND l.objid = :objid "
    "AND l.objsubid = 1 AND l.pid != pg_backend_pid() LIMIT 1")


def lock_key(source_id: str) -> int:
    """The advisory lock key of a source: 64 bits of a hash of its id (signed, as PostgreSQL's bigint)."""
    return int.from_bytes(hashlib.blake2b(KEY_SPACE + source_id.encode(), digest_size=8).digest(), "big",
                          signed=True)


class SourceLocks:
    """The sources this process holds; :meth:`acquire` takes those it can, :meth:`release` lets them go."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.shared = engine.dialect.name == "postgresql"
        self._connection: Connection | None = None
        self.held: list[str] = []

    def acquire(self, source_ids: list[str]) -> dict[str, str]:
        """Take each source's lock without waiting; returns {busy source id: who holds it}."""
        if not self.shared:
            self.held.extend(source_ids)
            return {}
        if self._connection is None:
            self._connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        busy = {}
        for sid in source_ids:
            key = lock_key(sid)
            if self._connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar():
                self.held.append(sid)
            else:
                busy[sid] = self._holder(key)
        return busy

    def _holder(self, key: int) -> str:
        unsigned = key & 0xFFFF_FFFF_FFFF_FFFF
        row = self._connection.execute(HOLDER_SQL, {"classid": unsigned >> 32, "objid": unsigned & 0xFFFF_FFFF}).first()
        if row is None:
            return "another dumawatch run"
        name = row.application_name or "another session"
        return f"{name} ({row.client_addr})" if row.client_addr and not str(row.client_addr).startswith("127.") \
            else name

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock_all()"))
            finally:
                self._connection.close()
                self._connection = None
        self.held.clear()
