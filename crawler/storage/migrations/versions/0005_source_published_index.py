"""An index of the articles by source and publication date, read without the rows.

- ``ix_articles_source_published`` (``source_id``, ``published_at``): browse's article list groups every
  article by its date, its source joined (the ``published_date`` facet): from this index alone instead of
  the rows, whose text stands before ``published_at``, so each row's overflow pages are not read for the date
  (``bench/bench_search.py`` times the list; figures in ``bench/README.md``).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEXES = {"ix_articles_source_published": ("articles", ["source_id", "published_at"])}


def upgrade() -> None:
    """Creates only what is missing (a store made before migrations by a build that had it already)."""
    present = {index["name"] for index in sa.inspect(op.get_bind()).get_indexes("articles")}
    for name, (table, columns) in INDEXES.items():
        if name not in present:
            op.create_index(name, table, columns)


def downgrade() -> None:
    raise NotImplementedError("dumawatch's stores are upgraded only")
