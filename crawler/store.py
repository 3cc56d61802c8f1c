"""The state store: every article, URL seen, fingerprint, mention and run, in SQLAlchemy Core tables.

SQLite in WAL mode by default (any SQLAlchemy URL works). Every lookup the crawl makes is an
indexed query, so a store with years of history costs no memory: nothing is loaded up front.
Each article is written whole or not at all with its URL keys, sketch hashes and mentions (the crawl's
statements and their group commit are in ``crawler/hotpath.py``), so a crash mid-run leaves no half
article, and an article lost with an uncommitted group is fetched again by the next run.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Engine

from crawler.fulltext import article_normal_forms
from crawler.hotpath import ArticleExists, HotPath, WriteFailed

__all__ = ["ArticleExists", "Store", "WriteFailed", "utcnow_iso"]

metadata = MetaData()

articles = Table(
    "articles", metadata,
    Column("id", Integer, primary_key=True),
    Column("url_key", String, nullable=False, unique=True),
    Column("url", Text, nullable=False),
    Column("source_id", String, nullable=False, index=True),
    Column("title", Text, nullable=False, default=""),
    Column("text", Text, nullable=False, default=""),
    Column("published_at", String, nullable=False, default=""),
    Column("first_seen", String, nullable=False),
    Column("content_hash", String, nullable=False, index=True),
    Column("duplicate_of", Text, nullable=False, default=""),
    Column("names", Text, nullable=False, default=""),
    Column("topics", Text, nullable=False, default=""),
    Column("sketch", Text, nullable=False, default=""),  # the sketch hashes, space-separated (fingerprints.py)
)
Index("ix_articles_published", articles.c.published_at)
# the feeds' recent window and archive months select by first sight too, and find a re-rooted chain's rows
Index("ix_articles_first_seen", articles.c.first_seen)
Index("ix_articles_duplicate_of", articles.c.duplicate_of)
# browse's date facet and a source's articles by date, read without the rows (their text comes first)
Index("ix_articles_source_published", articles.c.source_id, articles.c.published_at)

seen_urls = Table(
    "seen_urls", metadata,
    Column("url_key", String, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id"), nullable=True),
    Column("source_id", String, nullable=False),
    Column("seen_at", String, nullable=False),
)

shingle_anchors = Table(  # the near-duplicate sketch of each article (see pipelines/fingerprints.py)
    "shingle_anchors", metadata,
    Column("hash", BigInteger, nullable=False),
    Column("article_id", Integer, ForeignKey("articles.id"), nullable=False),
)
# (hash, article_id): a hash's postings come straight off the index (see near_duplicate_candidates)
Index("ix_shingle_anchors_hash_article", shingle_anchors.c.hash, shingle_anchors.c.article_id)

anchor_counts = Table(  # how many articles hold each sketch hash: template phrases are the common ones
    "anchor_counts", metadata,
    Column("hash", BigInteger, primary_key=True, autoincrement=False),
    Column("holders", Integer, nullable=False),
)

mentions = Table(
    "mentions", metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id"), nullable=False, index=True),
    Column("kind", String, nullable=False),
    Column("watch", String, nullable=False),
    Column("matched", Text, nullable=False),
    Column("snippet", Text, nullable=False),
    UniqueConstraint("article_id", "kind", "watch"),
)

http_validators = Table(
    "http_validators", metadata,
    Column("url", Text, primary_key=True),
    Column("etag", Text),
    Column("last_modified", Text),
)

digests = Table(  # one row per digest period (crawler/digest.py): the articles it covered
    "digests", metadata,
    Column("id", Integer, primary_key=True),
    Column("sent_at", String, nullable=False),
    Column("last_article_id", Integer, nullable=False),
    Column("mentions", Integer, nullable=False, default=0),
    Column("delivered", Integer, nullable=False, default=0),
)

runs = Table(
    "runs", metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", String, nullable=False, index=True),
    Column("source_id", String, nullable=False, index=True),
    Column("started", String, nullable=False),
    Column("finished", String, nullable=False, default=""),
    Column("status", String, nullable=False),
    Column("pages", Integer, nullable=False, default=0),
    Column("new_articles", Integer, nullable=False, default=0),
    Column("new_mentions", Integer, nullable=False, default=0),
    Column("errors", Integer, nullable=False, default=0),
    Column("error_detail", Text, nullable=False, default=""),
    Column("empty_pages", Integer, nullable=False, default=0),
    Column("duration", Float, nullable=False, default=0.0),
    Column("too_old", Integer, nullable=False, default=0),     # entries seen but older than max_age_days
    Column("limit_hit", Text, nullable=False, default=""),     # safety limits the run hit (max_listing_pages…)
    Column("not_news", Integer, nullable=False, default=0),    # pages the article evidence turned down
)

walks = Table(  # the crawl frontier: how the last walk of each listing ended (crawler/frontier.py)
    "walks", metadata,
    Column("walk_key", Text, primary_key=True),   # source id + the listing without its page number
    Column("source_id", String, nullable=False, index=True),
    Column("start_url", Text, nullable=False),
    Column("state", String, nullable=False),      # walking (unfinished), horizon, end, caught_up, limit
    Column("pages", Integer, nullable=False, default=0),
    Column("updated", String, nullable=False),
)

store_state = Table(  # small facts about the store as a whole, e.g. the watchlist its articles were matched with
    "store_state", metadata,
    Column("key", String, primary_key=True),
    Column("value", Text, nullable=False),
)

url_templates = Table(  # per source: how often each article-URL template led to news or not (url_templates.py)
    "url_templates", metadata,
    Column("source_id", String, primary_key=True),
    Column("template", Text, primary_key=True),
    Column("news", Integer, nullable=False, default=0),
    Column("not_news", Integer, nullable=False, default=0),
    Column("updated", String, nullable=False, default=""),
)
Index("ix_runs_started", runs.c.started)  # runs.csv holds the recent window, the archive one month each


COMMON_ANCHOR = 200  # a sketch hash held by more articles than this is a template phrase, not a reprint's trace


def utcnow_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _connect_args(url: str) -> dict:
    """PostgreSQL sessions carry the host and pid, so a busy source can name who holds it (crawler/source_locks.py)."""
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

    def __init__(self, url: str, migrate: bool = True) -> None:
        """Open the store at ``url``; ``migrate`` creates or upgrades its schema first (see crawler/migrations).

        Read-only commands pass ``migrate=False``: they never change the schema (see :meth:`has_schema`).
        """
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url, connect_args=_connect_args(url))
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        if migrate:
            from crawler.migrations import upgrade

            upgrade(self.engine)
        self.fulltext = self.engine.dialect.name == "sqlite"  # the full-text index (crawler/fulltext.py)
        self.hot = HotPath(self.engine, COMMON_ANCHOR, fulltext=self.fulltext)

    @property
    def shared(self) -> bool:
        """True for a database server (PostgreSQL) that crawls on several hosts may share."""
        return self.engine.dialect.name != "sqlite"

    def has_schema(self) -> bool:
        """Whether the store has its tables (a read-only command on a store never written reads nothing)."""
        return inspect(self.engine).has_table("runs")

    def flush(self, older_than: float = 0.0) -> None:
        """Commit the crawl's open group of writes (see crawler/hotpath.py)."""
        self.hot.flush(older_than)

    def close(self) -> None:
        self.hot.close()
        self.engine.dispose()

    # -- URLs and articles: the crawl's hot path (crawler/hotpath.py) -------------------------------------
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
        not be written (after the retries of a lost deadlock, see crawler/hotpath.py).
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
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=500).execute(query).mappings():
                yield self._article(row)

    def history_marks(self) -> list[int]:
        """(articles, highest article id, mentions, highest mention id): changes whenever the feeds would.

        Rows are only ever added, and an article's ``duplicate_of`` is only rewritten when an older copy is
        added (which moves the highest id), so equal marks mean equal ``articles.csv`` and ``mentions.csv``.
        """
        self.hot.flush()
        with self.engine.connect() as conn:
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
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=500).execute(query).mappings():
                yield dict(row)

    @staticmethod
    def _article(row) -> dict | None:
        if row is None:
            return None
        return dict(row)

    # -- conditional requests ----------------------------------------------------------------------------
    def validators(self, url: str) -> tuple[str | None, str | None]:
        with self.engine.connect() as conn:
            row = conn.execute(select(http_validators).where(http_validators.c.url == url)).first()
        return (row.etag, row.last_modified) if row else (None, None)

    def save_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        self.hot.flush()  # the crawl's open group first (on SQLite it holds the write lock)
        with self.engine.begin() as conn:
            conn.execute(http_validators.delete().where(http_validators.c.url == url))
            if etag or last_modified:
                conn.execute(http_validators.insert().values(url=url, etag=etag, last_modified=last_modified))

    # -- learned article URL templates (crawler/url_templates.py) ---------------------------------------------
    def url_template_votes(self, source_ids: Iterable[str]) -> dict[str, list[tuple[str, int, int]]]:
        """Per source, its templates as (template, news votes, not-news votes)."""
        wanted = list(source_ids)
        found: dict[str, list[tuple[str, int, int]]] = {sid: [] for sid in wanted}
        if not wanted:
            return found
        query = select(url_templates).where(url_templates.c.source_id.in_(wanted))
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                found[row.source_id].append((row.template, row.news, row.not_news))
        return found

    def add_url_template_votes(self, source_id: str, votes: dict[str, tuple[int, int]]) -> None:
        """Add this run's (news, not-news) votes of each template to the source's totals."""
        if not votes:
            return
        self.hot.flush()  # the crawl's open group first (on SQLite it holds the write lock)
        now = utcnow_iso()
        with self.engine.begin() as conn:
            for template, (news, not_news) in votes.items():
                key = (url_templates.c.source_id == source_id) & (url_templates.c.template == template)
                updated = conn.execute(url_templates.update().where(key).values(
                    news=url_templates.c.news + news, not_news=url_templates.c.not_news + not_news, updated=now))
                if not updated.rowcount:
                    conn.execute(url_templates.insert().values(source_id=source_id, template=template, news=news,
                                                               not_news=not_news, updated=now))

    # -- small facts about the store -----------------------------------------------------------------------
    def state_value(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(select(store_state.c.value).where(store_state.c.key == key)).scalar()

    def set_state_value(self, key: str, value: str) -> None:
        self.hot.flush()
        with self.engine.begin() as conn:  # an upsert: crawls on other hosts may set it at the same moment
            conn.execute(text("INSERT INTO store_state (key, value) VALUES (:key, :value) "
                              "ON CONFLICT (key) DO UPDATE SET value = excluded.value"), {"key": key, "value": value})

    def article_count(self) -> int:
        self.hot.flush()
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(articles)).scalar() or 0

    # -- runs ---------------------------------------------------------------------------------------------
    def record_run(self, row: dict) -> None:
        self.hot.flush()
        with self.engine.begin() as conn:
            conn.execute(runs.insert().values(**row))

    def iter_runs(self, where=None) -> Iterator[dict]:
        """The runs' rows (those ``where`` selects, a condition on ``runs``), latest first."""
        query = select(runs) if where is None else select(runs).where(where)
        with self.engine.connect() as conn:
            for row in conn.execute(query.order_by(runs.c.started.desc(), runs.c.id.desc())).mappings():
                yield dict(row)
