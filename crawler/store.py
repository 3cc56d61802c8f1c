"""The state store: every article, URL seen, fingerprint, mention and run, in SQLAlchemy Core tables.

SQLite in WAL mode by default (any SQLAlchemy URL works). Every lookup the crawl makes is an
indexed query, so a store with years of history costs no memory: nothing is loaded up front.
Each article is written in one transaction with its URLs, fingerprint bands and mentions, so a
crash mid-run leaves either the whole article or none of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from functools import cache
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
    bindparam,
    create_engine,
    event,
    func,
    select,
    update,
)
from sqlalchemy.engine import Engine

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


_RARE_HASHES = (select(anchor_counts.c.hash)
                .where(anchor_counts.c.hash.in_(bindparam("hashes", expanding=True)),
                       anchor_counts.c.holders <= COMMON_ANCHOR))
_SHARED = func.count().label("shared")
_HOLDER = articles.alias("holder")
_RANKED = (select(shingle_anchors.c.article_id, _SHARED)   # rare hashes: at most COMMON_ANCHOR holders each
           .join(_HOLDER, _HOLDER.c.id == shingle_anchors.c.article_id)
           .where(shingle_anchors.c.hash.in_(_RARE_HASHES.scalar_subquery()),
                  _HOLDER.c.source_id != bindparam("other_than"))
           .group_by(shingle_anchors.c.article_id).having(_SHARED >= 2)
           .order_by(_SHARED.desc()).limit(bindparam("limit"))).subquery("ranked")
_NEAR_DUPLICATES = (select(articles.c.id, articles.c.url, articles.c.source_id, articles.c.published_at,
                           articles.c.first_seen, articles.c.duplicate_of, articles.c.text)
                    .join(_RANKED, _RANKED.c.article_id == articles.c.id)
                    .order_by(_RANKED.c.shared.desc(), articles.c.id))


@cache
def _upsert_statements(dialect: str) -> tuple:
    """(count an anchor, record a URL key): INSERT … ON CONFLICT statements, built once per dialect."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    count_anchor = insert(anchor_counts).on_conflict_do_update(
        index_elements=[anchor_counts.c.hash], set_={"holders": anchor_counts.c.holders + 1})
    seen = insert(seen_urls)
    # a key seen before without its article (a page that was no article yet) is linked to it now
    record_key = seen.on_conflict_do_update(
        index_elements=[seen_urls.c.url_key], set_={"article_id": seen.excluded.article_id},
        where=seen_urls.c.article_id.is_(None) & seen.excluded.article_id.is_not(None))
    return count_anchor, record_key


# statements built once (building a select costs more than running it on SQLite)
_IS_KNOWN = select(seen_urls.c.url_key).where(seen_urls.c.url_key == bindparam("key"))
_ARTICLE_BY_ANY_KEY = (select(articles.c.id, articles.c.url)
                       .join(seen_urls, seen_urls.c.article_id == articles.c.id)
                       .where(seen_urls.c.url_key.in_(bindparam("keys", expanding=True))).limit(1))
_ARTICLE_BY_CONTENT = select(articles).where(articles.c.content_hash == bindparam("hash"),
                                             articles.c.source_id == bindparam("source"))


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
        self._backfill_anchor_counts()

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

    def close(self) -> None:
        self.engine.dispose()

    # -- URLs -------------------------------------------------------------------------------------------
    def is_known(self, url_key: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(_IS_KNOWN, {"key": url_key}).first() is not None

    def mark_seen(self, url_keys: Iterable[str], source_id: str, article_id: int | None = None) -> None:
        now = utcnow_iso()
        with self.engine.begin() as conn:
            self._mark_seen(conn, url_keys, source_id, article_id, now)

    @staticmethod
    def _mark_seen(conn, url_keys, source_id, article_id, now) -> None:
        """Record the keys in one statement."""
        keys = list(dict.fromkeys(url_keys))
        if keys:
            conn.execute(_upsert_statements(conn.dialect.name)[1], [
                {"url_key": key, "article_id": article_id, "source_id": source_id, "seen_at": now} for key in keys])

    # -- articles ---------------------------------------------------------------------------------------
    def article_by_any_key(self, url_keys: list[str]) -> dict | None:
        """The stored article any of ``url_keys`` leads to (one indexed query), or None."""
        with self.engine.connect() as conn:
            row = conn.execute(_ARTICLE_BY_ANY_KEY, {"keys": list(url_keys)}).mappings().first()
        return self._article(row)

    def article_by_url(self, url: str) -> dict | None:
        with self.engine.connect() as conn:
            return self._article(conn.execute(select(articles).where(articles.c.url == url)).mappings().first())

    def article_by_content(self, content_hash: str, source_id: str) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(_ARTICLE_BY_CONTENT, {"hash": content_hash, "source": source_id}).mappings().first()
        return self._article(row)

    def near_duplicate_candidates(self, sketch: list[int], limit: int = 5, other_than: str = "") -> list[dict]:
        """Articles sharing at least two sketch hashes with ``sketch``, most shared first (indexed lookups).

        Hashes held by more than ``COMMON_ANCHOR`` articles are template phrases («на заседании комитета…»),
        not a reprint's trace: articles are ranked on the sketch's rarer hashes (the figures and names of one
        press release) only, so a text made of template phrases alone has no candidates. The holder counts
        are kept in ``anchor_counts``: each rare hash costs an index range scan of at most ``COMMON_ANCHOR``
        entries, however long the history grows. ``other_than`` leaves out one source's own articles.
        """
        if not sketch:
            return []
        with self.engine.connect() as conn:
            rows = conn.execute(_NEAR_DUPLICATES, {"hashes": list(dict.fromkeys(sketch)), "limit": limit,
                                                   "other_than": other_than})
            return [dict(row) for row in rows.mappings()]

    def add_article(self, item: dict, url_keys: Iterable[str]) -> int:
        """Insert the article, its URL keys, SimHash bands and mentions in one transaction."""
        now = utcnow_iso()
        with self.engine.begin() as conn:
            article_id = conn.execute(articles.insert(), dict(
                url_key=item["url_key"], url=item["url"], source_id=item["source_id"], title=item.get("title") or "",
                text=item.get("text") or "", published_at=item.get("published_at") or "", first_seen=now,
                content_hash=item["content_hash"],
                duplicate_of=item.get("duplicate_of") or "", names="; ".join(item.get("names") or []),
                topics="; ".join(item.get("topics") or []),
            )).inserted_primary_key[0]
            self._mark_seen(conn, [item["url_key"], *url_keys], item["source_id"], article_id, now)
            if item.get("sketch"):
                conn.execute(shingle_anchors.insert(), [{"hash": h, "article_id": article_id}
                                                        for h in item["sketch"]])
                conn.execute(_upsert_statements(conn.dialect.name)[0],
                             [{"hash": h, "holders": 1} for h in dict.fromkeys(item["sketch"])])
            if item.get("mentions"):
                conn.execute(mentions.insert(), [{"article_id": article_id, **{
                    k: mention[k] for k in ("kind", "watch", "matched", "snippet")}} for mention in item["mentions"]])
            if item.get("supersedes"):
                # this article is older than the story's earlier first publication: it becomes the root
                old_root = item["supersedes"]
                conn.execute(update(articles).where(
                    (articles.c.url == old_root) | (articles.c.duplicate_of == old_root)
                ).values(duplicate_of=item["url"]))
        return article_id

    def iter_articles(self) -> Iterator[dict]:
        """All articles, newest first (by publication date, then by first sight)."""
        query = select(articles).order_by(articles.c.published_at.desc(), articles.c.first_seen.desc(),
                                          articles.c.id.desc())
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=500).execute(query).mappings():
                yield self._article(row)

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
        with self.engine.begin() as conn:
            conn.execute(http_validators.delete().where(http_validators.c.url == url))
            if etag or last_modified:
                conn.execute(http_validators.insert().values(url=url, etag=etag, last_modified=last_modified))

    # -- runs ---------------------------------------------------------------------------------------------
    def record_run(self, row: dict) -> None:
        with self.engine.begin() as conn:
            conn.execute(runs.insert().values(**row))

    def iter_runs(self) -> Iterator[dict]:
        with self.engine.connect() as conn:
            for row in conn.execute(select(runs).order_by(runs.c.started.desc(), runs.c.id.desc())).mappings():
                yield dict(row)
