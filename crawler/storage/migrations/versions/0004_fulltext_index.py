"""The full-text index of a SQLite store (``crawler/storage/fulltext.py``): FTS5 tables and the triggers that feed them.

- ``articles_fts``: the words as written, external content on ``articles``, kept up to date by triggers;
  filled here at once from the articles already stored (SQLite's own ``rebuild``).
- ``articles_lemmas``: the words in normal form (pymorphy3 lemmas), written by the store with each article;
  the articles stored before it get theirs from ``dumawatch reindex`` (``search`` says so).

PostgreSQL stores have no FTS5: ``browse`` and ``search`` read a SQLite snapshot of them (``crawler/commands/snapshot.py``),
which has this index.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

from crawler.storage.fulltext import EXACT_TABLE, SCHEMA

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    existed = bind.exec_driver_sql(f"SELECT 1 FROM sqlite_master WHERE name = '{EXACT_TABLE}'").first()
    for statement in SCHEMA:
        op.execute(statement)
    if not existed and bind.exec_driver_sql("SELECT 1 FROM articles LIMIT 1").first():
        op.execute(f"INSERT INTO {EXACT_TABLE} ({EXACT_TABLE}) VALUES ('rebuild')")


def downgrade() -> None:
    raise NotImplementedError("dumawatch's stores are upgraded only")
