"""The digest's record, and the indexes the recent-window feeds and the monthly archive read by.

- ``digests``: one row per digest period (``crawler/report/digest.py``): when it was sent, the newest article it
  covered, how many mentions, whether it was delivered.
- ``ix_articles_first_seen``, ``ix_articles_duplicate_of``, ``ix_runs_started``: the window feeds select
  articles first seen (or runs started) since a day, and a re-rooted reprint chain is found by its root.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INDEXES = {"ix_articles_first_seen": ("articles", ["first_seen"]),
           "ix_articles_duplicate_of": ("articles", ["duplicate_of"]),
           "ix_runs_started": ("runs", ["started"])}


def upgrade() -> None:
    """Creates only what is missing (a store made before migrations by a build that had some of it already)."""
    found = sa.inspect(op.get_bind())
    if not found.has_table("digests"):
        op.create_table(
            "digests",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("sent_at", sa.String, nullable=False),
            sa.Column("last_article_id", sa.Integer, nullable=False),
            sa.Column("mentions", sa.Integer, nullable=False),
            sa.Column("delivered", sa.Integer, nullable=False),
        )
    present = {index["name"] for table in ("articles", "runs") for index in found.get_indexes(table)}
    for name, (table, columns) in INDEXES.items():
        if name not in present:
            op.create_index(name, table, columns)


def downgrade() -> None:
    raise NotImplementedError("dumawatch's stores are upgraded only")
