"""Baseline: the schema of the last release before migrations (articles, URLs, sketches, mentions, runs).

Creates only what is missing, so it also upgrades a store made by that release (which has no
``alembic_version`` table): tables and indexes are created when absent, ``articles.sketch`` is added to
stores older than it (empty: such articles are checked in full), and ``anchor_counts`` is filled from
``shingle_anchors`` when it is new.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# the tables as this revision made them (frozen: later revisions change them with op.*, not here)
metadata = sa.MetaData()
articles = sa.Table(
    "articles", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("url_key", sa.String, nullable=False, unique=True),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("source_id", sa.String, nullable=False, index=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("published_at", sa.String, nullable=False),
    sa.Column("first_seen", sa.String, nullable=False),
    sa.Column("content_hash", sa.String, nullable=False, index=True),
    sa.Column("duplicate_of", sa.Text, nullable=False),
    sa.Column("names", sa.Text, nullable=False),
    sa.Column("topics", sa.Text, nullable=False),
    sa.Column("sketch", sa.Text, nullable=False, server_default=""),
)
sa.Index("ix_articles_published", articles.c.published_at)
seen_urls = sa.Table(
    "seen_urls", metadata,
    sa.Column("url_key", sa.String, primary_key=True),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), nullable=True),
    sa.Column("source_id", sa.String, nullable=False),
    sa.Column("seen_at", sa.String, nullable=False),
)
shingle_anchors = sa.Table(
    "shingle_anchors", metadata,
    sa.Column("hash", sa.BigInteger, nullable=False),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), nullable=False),
)
sa.Index("ix_shingle_anchors_hash_article", shingle_anchors.c.hash, shingle_anchors.c.article_id)
anchor_counts = sa.Table(
    "anchor_counts", metadata,
    sa.Column("hash", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("holders", sa.Integer, nullable=False),
)
mentions = sa.Table(
    "mentions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), nullable=False, index=True),
    sa.Column("kind", sa.String, nullable=False),
    sa.Column("watch", sa.String, nullable=False),
    sa.Column("matched", sa.Text, nullable=False),
    sa.Column("snippet", sa.Text, nullable=False),
    sa.UniqueConstraint("article_id", "kind", "watch"),
)
http_validators = sa.Table(
    "http_validators", metadata,
    sa.Column("url", sa.Text, primary_key=True),
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
)
runs = sa.Table(
    "runs", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("run_id", sa.String, nullable=False, index=True),
    sa.Column("source_id", sa.String, nullable=False, index=True),
    sa.Column("started", sa.String, nullable=False),
    sa.Column("finished", sa.String, nullable=False),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("pages", sa.Integer, nullable=False),
    sa.Column("new_articles", sa.Integer, nullable=False),
    sa.Column("new_mentions", sa.Integer, nullable=False),
    sa.Column("errors", sa.Integer, nullable=False),
    sa.Column("error_detail", sa.Text, nullable=False),
    sa.Column("empty_pages", sa.Integer, nullable=False),
    sa.Column("duration", sa.Float, nullable=False),
)


def upgrade() -> None:
    bind = op.get_bind()
    existed = set(sa.inspect(bind).get_table_names())
    metadata.create_all(bind, checkfirst=True)
    if "articles" in existed:  # a store made before migrations: what that release added on the fly
        if "sketch" not in {c["name"] for c in sa.inspect(bind).get_columns("articles")}:
            op.execute("ALTER TABLE articles ADD COLUMN sketch TEXT NOT NULL DEFAULT ''")
        for index in shingle_anchors.indexes:
            index.create(bind, checkfirst=True)
    if "anchor_counts" not in existed and "shingle_anchors" in existed:
        op.execute("INSERT INTO anchor_counts (hash, holders) "
                   "SELECT hash, count(*) FROM shingle_anchors GROUP BY hash")


def downgrade() -> None:
    raise NotImplementedError("dumawatch's stores are upgraded only")
