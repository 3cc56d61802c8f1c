"""``dumawatch browse``: the store in a web browser, served read-only by Datasette.

Before serving, the store's browsing schema is brought up to date (:func:`ensure_browse_schema`): the
``sources`` table (id, name, region, url, timezone of each configured source, replaced from the config on every
start), the views ``article_list`` and ``mention_list`` (one row per article / mention with its local
``published_date``, source name and region: the facets), and the full-text index (``crawler/storage/fulltext.py``).
Then Datasette opens the file read-only (``mode=ro``: the crawl goes on writing beside it) with the metadata
of :func:`browse_metadata`: facets, full-text search in normal form (``crawler/commands/datasette_plugin.py``), and the
canned queries a press officer needs. On a PostgreSQL store, browse serves a read-only SQLite snapshot of it,
refreshed when browse starts (``crawler/commands/snapshot.py``): the index and the views are SQLite's.
"""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import sys
from pathlib import Path

from crawler.commands.search import store_file
from crawler.config import load_config
from crawler.errors import ConfigError
from crawler.storage.fulltext import EXACT_TABLE, LEMMA_TABLE, connect_to_write, search_sql, unindexed

DATABASE = "store"  # the store's name in the browser's URLs: /store/article_list
DEFAULT_PORT = 8001

_VIEWS = {
    "article_list": """
        SELECT a.id, substr(a.published_at, 1, 10) AS published_date, a.published_at, a.source_id,
               s.name AS source_name, s.region, a.title, a.url, a.names, a.topics, a.duplicate_of, a.first_seen
        FROM articles a LEFT JOIN sources s ON s.id = a.source_id""",
    "mention_list": """
        SELECT m.id, m.article_id, substr(a.published_at, 1, 10) AS published_date, a.source_id,
               s.name AS source_name, s.region, m.kind, m.watch, m.matched, m.snippet, a.title, a.url,
               a.duplicate_of, a.first_seen
        FROM mentions m JOIN articles a ON a.id = m.article_id LEFT JOIN sources s ON s.id = a.source_id""",
}

SEARCH_LIMIT = 100  # a canned search shows the best 100 articles
SEARCH_PARAMS = ["q", "since", "source"]  # the canned search's form: the query, then the optional filters


def _search(exact: bool) -> str:
    columns = ("a.published_at, s.region, a.source_id, a.title, a.url, "
               f"dumawatch_snippet(a.title, a.text, :q{', 1' if exact else ''}) AS snippet, a.id AS article_id")
    sql = search_sql(exact, since=True, source=True, limit=str(SEARCH_LIMIT), columns=columns, optional=True)
    sql = sql.replace(":match", "dumawatch_match_exact(:q)" if exact else "dumawatch_match(:q)")
    return sql.replace(") r JOIN articles a ON a.id = r.id", ") r JOIN articles a ON a.id = r.id "
                                                              "LEFT JOIN sources s ON s.id = a.source_id")


CANNED_QUERIES = {
    "search": {
        "title": "Search (every form of the words)",
        "description": "Articles holding every word of q in any form («Блошкин» finds «Блошкиным», «А.В. "
                       f"Блошкину»), best first (title matches weigh more); the best {SEARCH_LIMIT}. Optional: "
                       "since (a date, YYYY-MM-DD: published on or after it) and source (a source's id).",
        "sql": _search(exact=False),
        "params": SEARCH_PARAMS,
    },
    "search_exact": {
        "title": "Search (the words as typed)",
        "description": "Articles holding every word of q in exactly that form (case aside), best first; "
                       f"the best {SEARCH_LIMIT}. Optional: since (YYYY-MM-DD) and source (a source's id).",
        "sql": _search(exact=True),
        "params": SEARCH_PARAMS,
    },
    "new_mentions_since_yesterday": {
        "title": "New mentions since yesterday",
        "description": "Mentions in the articles first seen since the start of yesterday (UTC), newest first; "
                       "a reprint's mentions say which article it reprints.",
        "sql": """
SELECT a.first_seen, substr(a.published_at, 1, 10) AS published_date, m.kind, m.watch, m.matched, m.snippet,
       s.region, a.source_id, a.title, a.url, a.duplicate_of, m.article_id
FROM mentions m JOIN articles a ON a.id = m.article_id LEFT JOIN sources s ON s.id = a.source_id
WHERE a.first_seen >= date('now', '-1 day')
ORDER BY a.first_seen DESC, m.id""",
    },
    "mentions_per_watch_per_week": {
        "title": "Mentions per watch per week",
        "description": "Per week (its Monday, by publication date) and watch entry: the mentions, and the "
                       "distinct stories (a reprint counts with the article it reprints).",
        "sql": """
SELECT date(substr(a.published_at, 1, 10), '-6 days', 'weekday 1') AS week, m.kind, m.watch,
       count(*) AS mentions, count(DISTINCT CASE WHEN a.duplicate_of != '' THEN a.duplicate_of ELSE a.url END)
       AS stories
FROM mentions m JOIN articles a ON a.id = m.article_id
WHERE a.published_at != ''
GROUP BY week, m.kind, m.watch
ORDER BY week DESC, mentions DESC, m.watch""",
    },
    "stories_reprinted_by_other_sites": {
        "title": "Stories reprinted by other sites",
        "description": "Each first publication that other sites reprinted, with how many reprints and where.",
        "sql": """
SELECT o.published_at, o.source_id, o.title, o.url, count(*) AS reprints,
       group_concat(DISTINCT r.source_id) AS reprinted_by, max(r.published_at) AS last_reprint, o.id AS article_id
FROM articles r JOIN articles o ON o.url = r.duplicate_of
WHERE r.duplicate_of != ''
GROUP BY o.id
ORDER BY reprints DESC, o.published_at DESC""",
    },
}


def ensure_browse_schema(connection: sqlite3.Connection, sources) -> None:
    """The ``sources`` table (replaced from the config) and the browsing views; idempotent."""
    connection.execute("CREATE TABLE IF NOT EXISTS sources (id TEXT PRIMARY KEY, name TEXT NOT NULL, "
                       "region TEXT NOT NULL, url TEXT NOT NULL, timezone TEXT NOT NULL)")
    connection.execute("DELETE FROM sources")
    connection.executemany("INSERT INTO sources (id, name, region, url, timezone) VALUES (?, ?, ?, ?, ?)",
                           [(s.id, s.name, s.region, s.url, s.timezone) for s in sources])
    for name, sql in _VIEWS.items():
        connection.execute(f"DROP VIEW IF EXISTS {name}")
        connection.execute(f"CREATE VIEW {name} AS {sql}")
    connection.commit()


def browse_metadata() -> dict:
    """Datasette's metadata for the store: titles, facets, search, sort order, canned queries."""
    search = {"fts_table": LEMMA_TABLE, "fts_pk": "id", "searchmode": "raw"}
    return {
        "title": "dumawatch",
        "description": "The news of Russia's regional parliaments collected by dumawatch.",
        "databases": {DATABASE: {
            "description": "The state store: articles, mentions, runs. Start with article_list or mention_list.",
            "tables": {
                "article_list": {
                    "description": "One row per article. Search finds every form of the words; "
                                   "the facets narrow by source, region and date.",
                    "facets": ["source_name", "region", "published_date"],
                    "sort_desc": "published_at", **search,
                },
                "mention_list": {
                    "description": "One row per watched name or topic found in an article; article_id leads to "
                                   "the article, url to its page on the source's site.",
                    "facets": ["watch", "kind", "source_name", "region", "published_date"],
                    "sort_desc": "published_date", **search, "fts_pk": "article_id",
                },
                "articles": {"label_column": "title", "sort_desc": "published_at",
                             "fts_table": EXACT_TABLE, "fts_pk": "id"},
                "mentions": {"label_column": "watch"},
            },
            "queries": CANNED_QUERIES,
        }},
    }


def build_datasette(path: Path, feeds_dir: Path | None):
    """A Datasette serving the store at ``path`` read-only, with the dumawatch plugin registered."""
    from datasette.app import Datasette
    from datasette.database import Database
    from datasette.plugins import pm

    from crawler.commands import datasette_plugin

    if pm.get_plugin(datasette_plugin.PLUGIN) is None:
        pm.register(datasette_plugin, name=datasette_plugin.PLUGIN)
    datasette_plugin.configure(DATABASE, feeds_dir)
    datasette = Datasette(metadata=browse_metadata(),
                          settings={"sql_time_limit_ms": 5000, "facet_time_limit_ms": 1000,
                                    "max_returned_rows": 1000, "suggest_facets": False})
    datasette.add_database(Database(datasette, path=str(path), is_mutable=True), name=DATABASE)
    if "_memory" in datasette.databases:  # added when Datasette starts without files: nothing to show
        datasette.remove_database("_memory")
    return datasette


def _check_port(host: str, port: int) -> None:
    """A ConfigError (exit 2, one line) when ``host:port`` cannot be listened on, before anything is done."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        raise ConfigError(f"--host {host} --port {port}: cannot listen there ({exc.strerror or exc}); "
                          "choose another with --port") from None


def cmd_browse(args) -> int:
    config = load_config(args.config)
    _check_port(args.host, args.port)
    try:
        import datasette  # noqa: F401
        import uvicorn
    except ImportError:
        raise ConfigError("browse needs Datasette, which is not installed: pip install 'dumawatch[browse]'") from None
    path = store_file(config, "browse")
    with connect_to_write(path) as connection:
        ensure_browse_schema(connection, config.sources)
        missing = unindexed(connection)
    if missing:
        print(f"dumawatch: {missing} stored articles are not in the normal-form index yet: run 'dumawatch reindex'",
              file=sys.stderr)
    datasette = build_datasette(path, config.feeds_dir)
    asyncio.run(datasette.invoke_startup())
    print(f"serving {path} read-only at http://{args.host}:{args.port}/ (Ctrl-C stops)", flush=True)
    uvicorn.run(datasette.app(), host=args.host, port=args.port, log_level="warning")
    return 0
