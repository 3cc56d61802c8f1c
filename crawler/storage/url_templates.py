"""The learned article URL templates' votes (table ``url_templates``) read straight from a store's URL, for
``dumawatch sources check`` (``crawler/spiders/url_templates.py``): the store is opened read-only, so nothing is
written, no schema is created or upgraded. The crawl reads and adds votes through :meth:`Store.url_template_votes`
and :meth:`Store.add_url_template_votes`.
"""

from __future__ import annotations

from pathlib import Path

from crawler.storage.store import Store


def stored_url_template_votes(state_url: str, source_ids: list[str]) -> dict[str, list[tuple[str, int, int]]]:
    """:meth:`Store.url_template_votes` of the store at ``state_url``: per source, (template, news votes, not-news
    votes); none when there is no store yet, or one from before the table existed."""
    if state_url.startswith("sqlite:///") and not Path(state_url.removeprefix("sqlite:///")).is_file():
        return {}
    store = Store(state_url, write=False)
    try:
        return store.url_template_votes(source_ids) if store.has_table("url_templates") else {}
    finally:
        store.close()
