"""``dumawatch search`` and ``dumawatch reindex``: the store's full-text index from the terminal.

``search`` prints the matching articles, best first (date, source, title, URL, a snippet with the match in
[brackets]); words are matched in normal form unless ``--exact``. ``reindex`` builds the index of a store
whose articles were stored before the index existed (or rebuilds it), printing its progress. On a PostgreSQL
store both read a SQLite snapshot of it (``crawler/commands/snapshot.py``).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from crawler.commands.snapshot import refresh_snapshot, snapshot_path
from crawler.config import load_config
from crawler.errors import ConfigError
from crawler.storage.fulltext import (
    Progress,
    connect_read_only,
    connect_to_write,
    has_fulltext,
    reindex,
    search,
    unindexed,
)
from crawler.storage.locking import store_lock
from crawler.storage.store import Store


def store_file(config, command: str, out=sys.stderr) -> Path:
    """The SQLite file ``command`` reads: the store itself, or, for a store on another database (PostgreSQL),
    its read-only snapshot, refreshed now (``crawler/commands/snapshot.py``). The commands that write the store (``browse``
    its views, ``reindex`` its index) bring its schema up to date first; ``search`` only reads it."""
    if config.state_path is None:
        path = snapshot_path(config)
        print(f"dumawatch: the store is on {config.state_url.split(':', 1)[0].split('+', 1)[0]}: {command} reads "
              f"its read-only SQLite snapshot {path}, refreshed now", file=out, flush=True)
        copied = refresh_snapshot(config, Progress(out), rebuild=command == "reindex")
        print(f"dumawatch: snapshot refreshed: {copied['articles']:,} new articles, {copied['mentions']:,} new "
              "mentions", file=out, flush=True)
        return path
    path = config.state_path
    if command != "reindex" and not path.exists():
        raise ConfigError(f"{config.path}: state: {path} does not exist yet: run 'dumawatch crawl' first")
    if command != "search":
        Store(config.state_url).close()  # opened to write: migrated
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
    path = store_file(config, "search")
    with connect_read_only(path) as connection:
        if not has_fulltext(connection):
            raise ConfigError(f"{config.path}: state: {path} has no full-text index yet (an older dumawatch made "
                              "it): run 'dumawatch reindex' to build it")
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
    config = load_config(args.config)
    with store_lock(config.lock_path):
        path = store_file(config, "reindex", sys.stdout)
        if config.state_path is None:  # the snapshot was just built from scratch, its index with it
            print(f"{path}: full-text index built")
            return 0
        with connect_to_write(path) as connection:
            assert has_fulltext(connection)
            done = reindex(connection, Progress(sys.stdout))
    print(f"{path}: full-text index built for {done:,} articles")
    return 0
