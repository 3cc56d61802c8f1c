"""One lock per state store, so two runs (a manual crawl beside the service) never write at once."""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path

from crawler.errors import LockedError


@contextmanager
def store_lock(path: Path, wait: bool = False):
    """Hold an exclusive, non-blocking lock on ``path``; raise LockedError naming the holder if taken.

    With ``wait``, block until the holder lets go instead (a feeds export beside another crawl's export).

    The lock is the kernel's (flock): it is released when the process dies, even by SIGKILL, so a
    crashed run never leaves a stale lock behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115 (held for the whole block)
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise LockedError(f"another dumawatch run ({holder}) is using {path.with_suffix('')}; "
                              "try again when it has finished") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()
