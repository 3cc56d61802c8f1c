"""The learned article URL templates' votes (table ``url_templates``) read straight from a store's URL, for
``dumawatch sources check`` (``crawler/spiders/url_templates.py``): nothing is written, no schema is created or
upgraded. The crawl reads and adds votes through :meth:`Store.url_template_votes` and
:meth:`Store.add_url_template_votes`.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect, select

from crawler.storage.schema import url_templates


def stored_url_template_votes(state_url: str, source_ids: list[str]) -> list[tuple[str, str, int, int]]:
    """The votes kept in the store at ``state_url`` for these sources, as (source id, template, news votes,
    not-news votes) rows in the order stored; none when there is no store yet, or one from before the table
    existed."""
    if state_url.startswith("sqlite:///") and not Path(state_url.removeprefix("sqlite:///")).is_file():
        return []
    engine = create_engine(state_url)
    try:
        if not inspect(engine).has_table("url_templates"):
            return []
        query = select(url_templates).where(url_templates.c.source_id.in_(source_ids))
        with engine.connect() as conn:
            return [(row.source_id, row.template, row.news, row.not_news) for row in conn.execute(query)]
    finally:
        engine.dispose()
