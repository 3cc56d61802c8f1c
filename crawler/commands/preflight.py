"""Checks made before a crawl sends its first request: can the state store and the feeds be written?

A crawl that fetches everything and then cannot store or write it wastes the sites' and the user's time and
ends in a traceback. Each check here raises a one-line :class:`~crawler.errors.ConfigError` (exit 2) naming
the config file, the key and the problem:

- ``state``: the SQLite file is a SQLite database (or empty, or not there yet), and its folder can be
  written (SQLite in WAL mode writes ``-wal``/``-shm`` files beside it, and the store lock lives there);
  a database URL (PostgreSQL) answers a connection;
- ``feeds``: the folder exists or can be made, and a file can be created in it (each feed is written to a
  temporary file there and renamed);
- ``log``: the crawl's log file can be appended to.

Writability is tested by doing it (a probe file created and removed), not with ``os.access``: root passes
every permission check, and a read-only mount fails only when written.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from crawler.config import Config
from crawler.errors import ConfigError

SQLITE_HEADER = b"SQLite format 3\x00"


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _existing_ancestor(path: Path) -> Path:
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def writable_folder_problem(folder: Path) -> str:
    """Why files cannot be created in ``folder`` (made if missing), or ''."""
    if folder.exists() and not folder.is_dir():
        return f"{folder} is not a folder"
    if not folder.exists():
        base = _existing_ancestor(folder)
        if not base.is_dir():
            return f"{base} is not a folder"
        folder = base
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".dumawatch-probe-"):
            pass
    except OSError as exc:
        return f"cannot write in {folder}: {_reason(exc)}"
    return ""


def check_state(config: Config, write: bool = True) -> None:
    """The store is a SQLite database (or not there yet) or a database that answers; with ``write``, writable."""
    where = f"{config.path}: state"
    path = config.state_path
    if path is None:
        _check_database_url(config)
        return
    problem = writable_folder_problem(path.parent) if write else ""
    if problem:
        raise ConfigError(f"{where}: {problem}")
    if not path.exists():
        return
    try:
        with open(path, "r+b" if write else "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise ConfigError(f"{where}: cannot open {path}{' for writing' if write else ''}: {_reason(exc)}") from None
    if header and header != SQLITE_HEADER:
        raise ConfigError(f"{where}: {path} is not a SQLite database (point 'state' at a new file, or move this "
                          "one away)")
    if header:
        try:
            connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
            try:
                connection.execute("PRAGMA schema_version").fetchone()
            finally:
                connection.close()
        except sqlite3.DatabaseError as exc:
            raise ConfigError(f"{where}: {path} is not a usable SQLite database: {exc}") from None


def _check_database_url(config: Config) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.exc import SQLAlchemyError

    engine = create_engine(config.state_url)
    try:
        with engine.connect():
            pass
    except SQLAlchemyError as exc:
        first = " ".join(str(getattr(exc, "orig", exc) or exc).split())[:200]
        raise ConfigError(f"{config.path}: state: cannot connect to the database: {first}") from None
    finally:
        engine.dispose()


def check_feeds(config: Config) -> None:
    problem = writable_folder_problem(config.feeds_dir)
    if problem:
        raise ConfigError(f"{config.path}: feeds: {problem}")


def check_log(config: Config, log_file: Path) -> None:
    problem = writable_folder_problem(log_file.parent)
    if not problem and log_file.exists():
        try:
            with open(log_file, "a", encoding="utf-8"):
                pass
        except OSError as exc:
            problem = f"cannot append to {log_file}: {_reason(exc)}"
    if problem:
        raise ConfigError(f"{config.path}: log: {problem}")


def check_writable(config: Config, log_file: Path | None = None) -> None:
    """Every check of this module, in the order a run would trip on them."""
    check_state(config)
    check_feeds(config)
    if log_file is not None:
        check_log(config, log_file)
