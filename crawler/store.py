"""The state store: every article, URL seen, fingerprint, mention and run, in SQLAlchemy Core tables.

SQLite in WAL mode by default (any SQLAlchemy URL works). Every lookup the crawl makes is an
indexed query, so a store with years of history costs no memory: nothing is loaded up front.
Each article is written whole or not at all with its URL keys, sketch hashes and mentions (the crawl's
statements and their group commit are in ``crawler/hotpath.py``), so a crash mid-run leaves no half
article, and an article lost with an uncommitted group is fetched again by the next run.
"""

from __future__ import annotations

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
)
from sqlalchemy.engine import Engine

from crawler.fulltext import article_normal_forms, ensure_fulltext
from crawler.hotpath import ArticleExists, HotPath

__all__ = ["ArticleExists", "Store", "utcnow_iso"]

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
)


COMMON_ANCHOR = 200  # a sketch hash held by more articles than this is a template phrase, not a reprint's trace


def utcnow_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Store:
    """All reads and writes of the state store."""

    def __init__(self, url: str) -> None:
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        metadata.create_all(self.engine)
        for index in shingle_anchors.indexes:  # stores made before the index existed get it now (once)
            index.create(self.engine, checkfirst=True)
        self._add_sketch_column()
        self._backfill_anchor_counts()
        self.fulltext = self.engine.dialect.name == "sqlite"  # the full-text index (crawler/fulltext.py)
        if self.fulltext:
            self._ensure_fulltext()
        self.hot = HotPath(self.engine, COMMON_ANCHOR, fulltext=self.fulltext)

    def _ensure_fulltext(self) -> None:
        connection = self.engine.raw_connection()
        try:
            ensure_fulltext(connection.driver_connection)
        finally:
            connection.close()

    def _add_sketch_column(self) -> None:
        """Stores made before ``articles.sketch`` existed get the column now (empty: checked in full)."""
        if "sketch" not in {column["name"] for column in inspect(self.engine).get_columns("articles")}:
            with self.engine.begin() as conn:
                conn.exec_driver_sql("ALTER TABLE articles ADD COLUMN sketch TEXT NOT NULL DEFAULT ''")

    def _backfill_anchor_counts(self) -> None:
        """Stores made before ``anchor_counts`` existed get their counts now (once)."""
        with self.engine.begin() as conn:
            if conn.execute(select(anchor_counts.c.hash).limit(1)).first() is not None:
                return
            if conn.execute(select(shingle_anchors.c.hash).limit(1)).first() is None:
                return
            conn.execute(anchor_counts.insert().from_select(
                ["hash", "holders"],
                select(shingle_anchors.c.hash, func.count()).group_by(shingle_anchors.c.hash)))

    def flush(self, older_than: float = 0.0) -> None:
        """Commit the crawl's open group of writes (see crawler/hotpath.py)."""
        self.hot.flush(older_than)

    def close(self) -> None:
        self.hot.close()
        self.engine.dispose()

    # -- URLs and articles: the crawl's hot path (crawler/hotpath.py) -------------------------------------
    def is_known(self, url_key: str) -> bool:
        return self.hot.is_known(url_key)

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

        Raises :class:`ArticleExists` when its URL key was stored meanwhile.
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

    def iter_articles(self) -> Iterator[dict]:
        """All articles, newest first (by publication date, then by first sight)."""
        query = select(articles).order_by(articles.c.published_at.desc(), articles.c.first_seen.desc(),
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

    def iter_mentions(self) -> Iterator[dict]:
        query = (select(mentions, articles.c.url, articles.c.source_id, articles.c.title, articles.c.published_at)
                 .join(articles, articles.c.id == mentions.c.article_id)
                 .order_by(articles.c.published_at.desc(), articles.c.id.desc(), mentions.c.id))
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

    # -- runs ---------------------------------------------------------------------------------------------
    def record_run(self, row: dict) -> None:
        self.hot.flush()
        with self.engine.begin() as conn:
            conn.execute(runs.insert().values(**row))

    def iter_runs(self) -> Iterator[dict]:
        with self.engine.connect() as conn:
            for row in conn.execute(select(runs).order_by(runs.c.started.desc(), runs.c.id.desc())).mappings():
                yield dict(row)
