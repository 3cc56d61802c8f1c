"""``dumawatch search`` and ``dumawatch reindex``: the store's full-text index from the terminal.

``search`` prints the matching articles, best first (date, source, title, URL, a snippet with the match in
[brackets]); words are matched in normal form unless ``--exact``. ``reindex`` builds the index of a store
whose articles were stored before the index existed (or rebuilds it), printing its progress. Both need a
SQLite store: see ``crawler/fulltext.py``.
"""

from __future__ import annotations

import sqlite3
import sys
from datetime import date
from pathlib import Path

from crawler.config import load_config
from crawler.errors import ConfigError
from crawler.fulltext import Progress, has_fulltext, reindex, search, unindexed


def sqlite_path(config, command: str) -> Path:
    """The SQLite file of the config's store; a ConfigError (exit 2) saying why for any other database."""
    url = config.state_url
    if not url.startswith("sqlite:///") or config.state_path is None:
        scheme = url.split(":", 1)[0].split("+", 1)[0]
        raise ConfigError(f"{config.path}: state: '{command}' needs a SQLite store, and this one is {scheme}: "
                          "the full-text index and the browser are built on SQLite's FTS5")
    return config.state_path


def open_store(config, command: str):
    """Create the store's schema (full-text index included) if needed; returns its path."""
    from crawler.store import Store

    path = sqlite_path(config, command)
    if command != "reindex" and not path.exists():
        raise ConfigError(f"{config.path}: state: {path} does not exist yet: run 'dumawatch crawl' first")
    Store(config.state_url).close()
    return path


def _since(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ConfigError(f"--since: {value!r} is not a date (YYYY-MM-DD)") from None


def cmd_search(args) -> int:
    config = load_config(args.config)
    since = _since(args.since)
    if args.source and args.source not in {s.id for s in config.sources}:
        raise ConfigError(f"--source: no source with id {args.source!r} in {config.sources_path}")
    path = open_store(config, "search")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        missing = unindexed(connection)
        results = search(connection, args.query, exact=args.exact, since=since, source=args.source,
                         limit=args.limit)
    if missing:
        print(f"dumawatch: {missing} stored articles are not in the normal-form index yet: run 'dumawatch reindex'",
              file=sys.stderr)
    for record in results:
        print(f"{record['published_at'][:10] or '(no date)'}  {record['source_id']}  {record['title']}")
        print(f"  {record['url']}")
        print(f"  {record['snippet']}")
        print()
    print(f"{len(results)} article{'s' if len(results) != 1 else ''}"
          + (f" (the first {args.limit})" if len(results) >= args.limit else ""))
    return 0


def cmd_reindex(args) -> int:
    from crawler.locking import store_lock

    config = load_config(args.config)
    path = sqlite_path(config, "reindex")
    with store_lock(config.lock_path):
        open_store(config, "reindex")
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA busy_timeout=30000")
            assert has_fulltext(connection)
            done = reindex(connection, Progress(sys.stdout))
    print(f"{path}: full-text index built for {done:,} articles")
    return 0
