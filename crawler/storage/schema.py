"""The state store's tables (SQLAlchemy Core): what the code reads and writes, and what the migrations build.

One definition for every module that names a table or a column: the store's queries (``crawler/storage/store.py``),
the crawl's hand-written hot path (``crawler/storage/hotpath.py``) and the migrations' schema test. A change here
needs a migration (see ``crawler/storage/migrations/__init__.py``).
"""

from __future__ import annotations

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
)

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

digests = Table(  # one row per digest period (crawler/report/digest.py): the articles it covered
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

walks = Table(  # the crawl frontier: how the last walk of each listing ended (crawler/spiders/frontier.py)
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
