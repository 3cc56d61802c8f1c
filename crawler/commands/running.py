"""The run in progress, for ``dumawatch status``: which sources a crawl is crawling now, and since when.

A crawl writes ``<store lock>.running.json`` (run id, start time, pid, source ids) once it holds the store
lock, and removes it when it ends. ``status`` believes the file only while the process it names is alive and
named by the lock file, so what a crawl killed with SIGKILL leaves behind is not shown as running.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from crawler.config import Config


def marker_path(config: Config) -> Path:
    return config.lock_path.with_name(config.lock_path.name + ".running.json")


@contextmanager
def running_marker(config: Config, run_id: str, started: datetime, source_ids: list[str]):
    """Say, for the length of the block, that this process crawls ``source_ids`` (call it under the lock)."""
    path = marker_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)  # a PostgreSQL store's lock folder (the feeds) may not exist yet
    path.write_text(json.dumps({"run_id": run_id, "started": started.isoformat(timespec="seconds"),
                                "pid": os.getpid(), "sources": source_ids}), encoding="utf-8")
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def current_run(config: Config) -> dict | None:
    """The run in progress on this store ({run_id, started, pid, sources}), or None.

    Believed while the process that wrote it is alive and still the lock's holder (the lock file names its pid):
    no lock is taken to find out, so ``status`` never makes a starting crawl think the store is busy.
    """
    try:
        run = json.loads(marker_path(config).read_text(encoding="utf-8"))
        holder = config.lock_path.read_text(encoding="utf-8").strip()
    except (OSError, ValueError):
        return None
    if not isinstance(run, dict) or not isinstance(run.get("pid"), int):
        return None
    if holder != f"pid {run['pid']}" or not _alive(run["pid"]):
        return None
    return run
