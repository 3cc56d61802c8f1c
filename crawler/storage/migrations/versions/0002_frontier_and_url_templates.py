"""The crawl frontier, the store's own facts, learned URL templates, and three more run counts.

- ``walks``: how far each listing's walk got (``crawler/spiders/frontier.py``).
- ``store_state``: small facts about the store, e.g. the watchlist its articles were matched with
  (``crawler/commands/rematch.py``).
- ``url_templates``: per source, how often each article-URL template led to news or not
  (``crawler/spiders/url_templates.py``).
- ``runs.too_old``, ``runs.limit_hit``, ``runs.not_news``: entries older than the horizon, the safety limits
  a run hit, and pages that turned out not to be news (old runs get 0 and '').

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _run_columns() -> list[sa.Column]:
    return [
        sa.Column("too_old", sa.Integer, nullable=False, server_default="0"),
        sa.Column("limit_hit", sa.Text, nullable=False, server_default=""),
        sa.Column("not_news", sa.Integer, nullable=False, server_default="0"),
    ]


def _tables() -> dict[str, list[sa.Column]]:
    return {
        "walks": [
            sa.Column("walk_key", sa.Text, primary_key=True),
            sa.Column("source_id", sa.String, nullable=False, index=True),
            sa.Column("start_url", sa.Text, nullable=False),
            sa.Column("state", sa.String, nullable=False),
            sa.Column("pages", sa.Integer, nullable=False),
            sa.Column("updated", sa.String, nullable=False),
        ],
        "store_state": [
            sa.Column("key", sa.String, primary_key=True),
            sa.Column("value", sa.Text, nullable=False),
        ],
        "url_templates": [
            sa.Column("source_id", sa.String, primary_key=True),
            sa.Column("template", sa.Text, primary_key=True),
            sa.Column("news", sa.Integer, nullable=False),
            sa.Column("not_news", sa.Integer, nullable=False),
            sa.Column("updated", sa.String, nullable=False),
        ],
    }


def upgrade() -> None:
    """Creates only what is missing (a store made before migrations by a build that had some of it already)."""
    found = sa.inspect(op.get_bind())
    present = {column["name"] for column in found.get_columns("runs")}
    tables = set(found.get_table_names())
    for column in _run_columns():
        if column.name not in present:
            op.add_column("runs", column)
    for name, columns in _tables().items():
        if name not in tables:
            op.create_table(name, *columns)


def downgrade() -> None:
    raise NotImplementedError("dumawatch's stores are upgraded only")
