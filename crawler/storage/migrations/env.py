"""Alembic's environment for dumawatch: migrations run on the connection :func:`crawler.storage.migrations.upgrade` passes."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the migrations through crawler.storage.migrations.upgrade or `dumawatch migrate`")
context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite",
                  transaction_per_migration=False)
with context.begin_transaction():
    context.run_migrations()
