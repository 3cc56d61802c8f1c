"""The state store: its schema and migrations (Alembic), the crawl's hot-path SQL, the full-text index, the store's locks."""
