"""The state store: every article, URL seen, fingerprint, mention and run, and every query on them.

The tables are in ``crawler/storage/schema.py``; this module and its neighbours in ``crawler/storage/`` are the one
place that runs SQL on them: the crawl's hot path (``hotpath.py``), the reports' reads of the history
(``history.py``), the frontier's walks (``walks.py``), the learned URL templates read without a store
(``url_templates.py``), ``rematch``'s batches (``rematch.py``), the PostgreSQL snapshot (``snapshot.py``), the
full-text index (``fulltext.py``). Other modules call :class:`Store`'s methods or those modules' functions, with
plain values, and import no SQLAlchemy; the storage modules take their connections from :meth:`Store.connect` /
:meth:`Store.begin`.

SQLite in WAL mode by default (any SQLAlchemy URL works). Every lookup the crawl makes is an
indexed query, so a store with years of history costs no memory: nothing is loaded up front.
Each article is written whole or not at all with its URL keys, sketch hashes and mentions (the crawl's
statements and their group commit are in ``crawler/storage/hotpath.py``), so a crash mid-run leaves no half
article, and an article lost with an uncommitted group is fetched again by the next run. Every other write
goes through :meth:`Store.begin`, which commits the crawl's open group first: no caller has to remember it.

A store opened to write (the default: crawl, rematch, export, reindex, browse, the service, the worker)
has its schema created or upgraded first by the migrations (``crawler/storage/migrations``). A store opened with
``write=False`` (``status``, ``search``) is never changed, not even switched to WAL: a read-only command
reads an older schema as far as it can (see :meth:`Store.schema_revision`).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Table, create_engine, event, func, inspect, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from crawler.storage import migrations
from crawler.storage.fulltext import article_normal_forms
from crawler.storage.hotpath import ArticleExists, HotPath, WriteFailed
from crawler.storage.schema import (
    anchor_counts,
    articles,
    digests,
    http_validators,
    mentions,
    metadata,
    runs,
    seen_urls,
    shingle_anchors,
    store_state,
    url_templates,
    walks,
)

__all__ = ["ArticleExists", "Store", "StoreError", "WriteFailed", "utcnow_iso", "metadata", "anchor_counts", "articles",
           "digests", "http_validators", "mentions", "runs", "seen_urls", "shingle_anchors", "store_state",
           "url_templates", "walks"]

# what a query on the store raises when the database cannot be read or written (``orig``: the driver's error)
StoreError = SQLAlchemyError

COMMON_ANCHOR = 200  # a sketch hash held by more articles than this is a template phrase, not a reprint's trace


def utcnow_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _connect_args(url: str) -> dict:
    """PostgreSQL sessions carry the host and pid, so a busy source can name who holds it (crawler/storage/source_locks.py)."""
    if url.startswith("postgresql"):
        import os
        import socket

        return {"application_name": f"dumawatch {socket.gethostname()} pid {os.getpid()}"[:63]}
    return {}


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    _set_wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_reader_pragmas(dbapi_connection, _record) -> None:
    """A reader waits for a writer's lock like a writer does, and changes nothing in the file."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _set_wal(cursor, seconds: float = 30.0) -> None:
    """WAL mode (kept in the file once set). Switching a new file to it needs the file to itself, and SQLite
    answers "locked" at once, without its busy wait, while another process is creating that file: wait then."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class Store:
    """All reads and writes of the state store."""

    def __init__(self, url: str, *, write: bool = True) -> None:
        """Open the store at ``url``. With ``write`` (the commands that write), its schema is created or upgraded
        to this version's first (``crawler/storage/migrations``, a no-op on a current store) and a SQLite file is put in
        WAL mode. Read-only commands pass ``write=False``: the store is not changed in any way, its schema may
        be older than the code (:meth:`schema_revision`, :meth:`columns`) or absent (:meth:`has_schema`).
        """
        self.writable = write
        if write and url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url, connect_args=_connect_args(url))
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas if write else _sqlite_reader_pragmas)
        self.migration = self.migrate() if write else None  # (revision before, revision after)
        self.fulltext = self.engine.dialect.name == "sqlite"  # the full-text index (crawler/storage/fulltext.py)
        self.hot = HotPath(self.engine, COMMON_ANCHOR, fulltext=self.fulltext)
        self._columns: dict[str, list] = {}

    @property
    def shared(self) -> bool:
        """True for a database server (PostgreSQL) that crawls on several hosts may share."""
        return self.engine.dialect.name != "sqlite"

    # -- the schema -----------------------------------------------------------------------------------------
    def migrate(self) -> tuple[str | None, str]:
        """Create or upgrade the schema to this version's (``dumawatch migrate``, and every store opened to
        write); returns (the revision before, the revision after)."""
        return migrations.upgrade(self.engine)

    def schema_revision(self) -> tuple[str | None, str]:
        """(the store's schema revision, this version's): equal for a current store; the store's is None for a
        new store or one made before migrations existed."""
        with self.connect() as conn:
            return migrations.current_revision(conn), migrations.head_revision()

    def has_schema(self) -> bool:
        """Whether the store has its tables (a read-only command on a store never written reads nothing)."""
        return self.has_table("runs")

    def has_table(self, name: str) -> bool:
        """Whether the store has the table ``name`` (one from a later revision may be missing on an older store
        opened read-only)."""
        return inspect(self.engine).has_table(name)

    def columns(self, table: Table) -> list:
        """The columns of ``table`` the store has: all of them on a store opened to write (it was migrated),
        those its older schema has on a store opened read-only (a later revision's columns are left out)."""
        if self.writable:
            return list(table.columns)
        if table.name not in self._columns:
            present = {column["name"] for column in inspect(self.engine).get_columns(table.name)}
            self._columns[table.name] = [column for column in table.columns if column.name in present]
        return self._columns[table.name]

    # -- connections -----------------------------------------------------------------------------------------
    def connect(self) -> Connection:
        """A connection for reading (``with store.connect() as conn:``): it sees what is committed, so a read that
        must count the crawl's own newest articles calls :meth:`flush` first."""
        return self.engine.connect()

    def begin(self):
        """A transaction for writing (``with store.begin() as conn:``), committed at the end of the block. The
        crawl's open group of writes is committed first (on SQLite it holds the write lock)."""
        self.hot.flush()
        return self.engine.begin()

    def flush(self, older_than: float = 0.0) -> None:
        """Commit the crawl's open group of writes (see crawler/storage/hotpath.py)."""
        self.hot.flush(older_than)

    def close(self) -> None:
        self.hot.close()
        self.engine.dispose()

    # -- URLs and articles: the crawl's hot path (crawler/storage/hotpath.py) -------------------------------------
    def is_known(self, url_key: str) -> bool:
        return self.hot.is_known(url_key)

    def seen_at(self, url_key: str) -> str | None:
        """When the store first saw ``url_key`` (ISO 8601 UTC, seconds), or None: it does not know it."""
        return self.hot.seen_at(url_key)

    def mark_seen(self, url_keys: Iterable[str], source_id: str, article_id: int | None = None) -> None:
        self.hot.mark_seen(url_keys, source_id, article_id, utcnow_iso())

    def article_by_any_key(self, url_keys: list[str]) -> dict | None:
        """The stored article any of ``url_keys`` leads to (one indexed query), or None."""
        return self.hot.article_by_any_key(list(url_keys)) if url_keys else None

    def article_by_url(self, url: str) -> dict | None:
        return self.hot.article_by_url(url)

    def article_by_content(self, content_hash: str, source_id: str) -> dict | None:
        return self.hot.article_by_content(content_hash, source_id)

    def near_duplicate_candidates(self, sketch: list[int], limit: int = 5, other_than: str = "") -> list[dict]:
        """Articles of other sources sharing at least two rare sketch hashes with ``sketch``, likeliest first.

        Hashes held by more than ``COMMON_ANCHOR`` articles are template phrases («на заседании комитета…»),
        not a reprint's trace: articles are ranked on the sketch's rarest hashes only (``RAREST`` of them, each
        weighing 1/holders: the figures and names of one press release), so a text made of template phrases
        alone has no candidates. The holder counts are kept in ``anchor_counts``: each rare hash costs an index
        range scan of at most ``COMMON_ANCHOR`` entries, however long the history grows. ``other_than`` leaves
        out one source's own articles. Each candidate carries its ``text`` and ``sketch`` (hashes, space-separated).
        """
        if not sketch:
            return []
        return self.hot.near_duplicate_candidates(sketch, limit, other_than)

    def add_article(self, item: dict, url_keys: Iterable[str]) -> int:
        """Insert the article, its URL keys, sketch hashes, mentions and index rows, all or none (in the open group).

        Raises :class:`ArticleExists` when its URL key was stored meanwhile, :class:`WriteFailed` when it could
        not be written (after the retries of a lost deadlock, see crawler/storage/hotpath.py).
        """
        now = utcnow_iso()
        sketch = list(item.get("sketch") or [])
        row = dict(
            url_key=item["url_key"], url=item["url"], source_id=item["source_id"], title=item.get("title") or "",
            text=item.get("text") or "", published_at=item.get("published_at") or "", first_seen=now,
            content_hash=item["content_hash"], duplicate_of=item.get("duplicate_of") or "",
            names="; ".join(item.get("names") or []), topics="; ".join(item.get("topics") or []),
            sketch=" ".join(map(str, sketch)),
        )
        forms = None
        if self.fulltext:  # the article's words in normal form: from the worker processes, else computed here
            forms = item.get("normal_forms") or article_normal_forms(row["title"], row["text"])
        return self.hot.add_article(row, url_keys, sketch, item.get("mentions") or [], item.get("supersedes") or "",
                                    now, forms)

    def iter_articles(self, where=None) -> Iterator[dict]:
        """All articles (or those ``where`` selects, a condition on ``articles``), newest first (by publication
        date, then by first sight)."""
        query = select(articles)
        if where is not None:
            query = query.where(where)
        query = query.order_by(articles.c.published_at.desc(), articles.c.first_seen.desc(),
                                          articles.c.id.desc())
        with self.connect() as conn:
            for row in conn.execution_options(yield_per=500).execute(query).mappings():
                yield self._article(row)

    def history_marks(self) -> list[int]:
        """(articles, highest article id, mentions, highest mention id): changes whenever the feeds would.

        Rows are only ever added, and an article's ``duplicate_of`` is only rewritten when an older copy is
        added (which moves the highest id), so equal marks mean equal ``articles.csv`` and ``mentions.csv``.
        """
        self.flush()  # the crawl's newest articles count too
        with self.connect() as conn:
            marks = conn.execute(select(func.count(), func.coalesce(func.max(articles.c.id), 0))).one()
            mention_marks = conn.execute(select(func.count(), func.coalesce(func.max(mentions.c.id), 0))).one()
        return [*marks, *mention_marks]

    def iter_mentions(self, where=None) -> Iterator[dict]:
        """The mentions with their article's columns (of the articles ``where`` selects), newest article first."""
        query = (select(mentions, articles.c.url, articles.c.source_id, articles.c.title, articles.c.published_at,
                        articles.c.first_seen, articles.c.duplicate_of)
                 .join(articles, articles.c.id == mentions.c.article_id))
        if where is not None:
            query = query.where(where)
        query = query.order_by(articles.c.published_at.desc(), articles.c.id.desc(), mentions.c.id)
        with self.connect() as conn:
            for row in conn.execution_options(yield_per=500).execute(query).mappings():
                yield dict(row)

    @staticmethod
    def _article(row) -> dict | None:
        if row is None:
            return None
        return dict(row)

    # -- conditional requests ----------------------------------------------------------------------------
    def validators(self, url: str) -> tuple[str | None, str | None]:
        with self.connect() as conn:
            row = conn.execute(select(http_validators).where(http_validators.c.url == url)).first()
        return (row.etag, row.last_modified) if row else (None, None)

    def save_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        with self.begin() as conn:
            conn.execute(http_validators.delete().where(http_validators.c.url == url))
            if etag or last_modified:
                conn.execute(http_validators.insert().values(url=url, etag=etag, last_modified=last_modified))

    # -- learned article URL templates (crawler/spiders/url_templates.py) ---------------------------------------------
    def url_template_votes(self, source_ids: Iterable[str]) -> dict[str, list[tuple[str, int, int]]]:
        """Per source, its templates as (template, news votes, not-news votes)."""
        wanted = list(source_ids)
        found: dict[str, list[tuple[str, int, int]]] = {sid: [] for sid in wanted}
        if not wanted:
            return found
        query = select(url_templates).where(url_templates.c.source_id.in_(wanted))
        with self.connect() as conn:
            for row in conn.execute(query):
                found[row.source_id].append((row.template, row.news, row.not_news))
        return found

    def add_url_template_votes(self, source_id: str, votes: dict[str, tuple[int, int]]) -> None:
        """Add this run's (news, not-news) votes of each template to the source's totals."""
        if not votes:
            return
        now = utcnow_iso()
        with self.begin() as conn:
            for template, (news, not_news) in votes.items():
                key = (url_templates.c.source_id == source_id) & (url_templates.c.template == template)
                updated = conn.execute(url_templates.update().where(key).values(
                    news=url_templates.c.news + news, not_news=url_templates.c.not_news + not_news, updated=now))
                if not updated.rowcount:
                    conn.execute(url_templates.insert().values(source_id=source_id, template=template, news=news,
                                                               not_news=not_news, updated=now))

    # -- small facts about the store -----------------------------------------------------------------------
    def state_value(self, key: str) -> str | None:
        with self.connect() as conn:
            return conn.execute(select(store_state.c.value).where(store_state.c.key == key)).scalar()

    def set_state_value(self, key: str, value: str) -> None:
        with self.begin() as conn:  # an upsert: crawls on other hosts may set it at the same moment
            conn.execute(text("INSERT INTO store_state (key, value) VALUES (:key, :value) "
                              "ON CONFLICT (key) DO UPDATE SET value = excluded.value"), {"key": key, "value": value})

    def article_count(self) -> int:
        self.flush()  # the crawl's newest articles count too
        with self.connect() as conn:
            return conn.execute(select(func.count()).select_from(articles)).scalar() or 0

    # -- runs ---------------------------------------------------------------------------------------------
    def record_run(self, row: dict) -> None:
        with self.begin() as conn:
            conn.execute(runs.insert().values(**row))

    def iter_runs(self, where=None) -> Iterator[dict]:
        """The runs' rows (those ``where`` selects, a condition on ``runs``), latest first."""
        query = select(runs) if where is None else select(runs).where(where)
        with self.connect() as conn:
            for row in conn.execute(query.order_by(runs.c.started.desc(), runs.c.id.desc())).mappings():
                yield dict(row)

    def runs_started_since(self, source_ids: Iterable[str], since: str) -> list[dict]:
        """The rows of these sources' runs that started at or after ``since`` (ISO 8601), in the order recorded."""
        query = (select(runs).where(runs.c.source_id.in_(list(source_ids)), runs.c.started >= since)
                 .order_by(runs.c.id))
        with self.connect() as conn:
            return [dict(row) for row in conn.execute(query).mappings()]

    def settle_runs(self, status: str, run_ids: Iterable[int] = (), add: Iterable[dict] = ()) -> None:
        """In one transaction: give the runs rows ``run_ids`` the status ``status`` and record the rows ``add``
        (the service's record of a run that timed out, crashed or was stopped before recording its own)."""
        ids, rows = list(run_ids), [{**row, "status": status} for row in add]
        with self.begin() as conn:
            if ids:
                conn.execute(update(runs).where(runs.c.id.in_(ids)).values(status=status))
            if rows:
                conn.execute(runs.insert(), rows)

    def _source_runs(self, source_id: str, exclude_run_id: str | None) -> list:
        where = [runs.c.source_id == source_id]
        if exclude_run_id:
            where.append(runs.c.run_id != exclude_run_id)
        return where

    def latest_runs(self, source_id: str, limit: int, exclude_run_id: str | None = None) -> list[dict]:
        """The source's ``limit`` latest runs, latest first, leaving out the run ``exclude_run_id`` (the source
        as it was before that run). Read-only on an older schema: its rows lack the later revisions' columns."""
        query = (select(*self.columns(runs)).where(*self._source_runs(source_id, exclude_run_id))
                 .order_by(runs.c.started.desc(), runs.c.id.desc()).limit(limit))
        with self.connect() as conn:
            return [dict(row) for row in conn.execute(query).mappings()]

    def last_productive_run(self, source_id: str, exclude_run_id: str | None = None) -> str | None:
        """When the source's latest run with new articles started (ISO 8601), or None: it never had any."""
        query = select(func.max(runs.c.started)).where(*self._source_runs(source_id, exclude_run_id),
                                                       runs.c.new_articles > 0)
        with self.connect() as conn:
            return conn.execute(query).scalar()

    def run_statuses_after(self, source_id: str, after: str | None, exclude_run_id: str | None = None) -> list[str]:
        """The statuses of the source's runs started after ``after`` (all its runs when None), in no order."""
        query = select(runs.c.status).where(*self._source_runs(source_id, exclude_run_id))
        if after:
            query = query.where(runs.c.started > after)
        with self.connect() as conn:
            return list(conn.execute(query).scalars())

    # -- mentions ------------------------------------------------------------------------------------------
    def mentions_first_seen(self, source_ids: Iterable[str], since: str, until: str) -> list[dict]:
        """The mentions in the articles of these sources first seen from ``since`` to ``until`` (ISO 8601,
        inclusive: a run's new mentions), in the order stored: kind, watch, matched and snippet, with the
        article's title, url, source_id and published_at."""
        query = (select(mentions.c.kind, mentions.c.watch, mentions.c.matched, mentions.c.snippet, articles.c.title,
                        articles.c.url, articles.c.source_id, articles.c.published_at)
                 .join(articles, articles.c.id == mentions.c.article_id)
                 .where(articles.c.source_id.in_(list(source_ids)), articles.c.first_seen >= since,
                        articles.c.first_seen <= until)
                 .order_by(articles.c.id, mentions.c.id))
        with self.connect() as conn:
            return [dict(row) for row in conn.execute(query).mappings()]
