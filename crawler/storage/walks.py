"""The crawl frontier's table: how each listing's walk ended (``walks``), read and written for
``crawler/spiders/frontier.py``.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update

from crawler.storage.schema import walks
from crawler.storage.store import Store, utcnow_iso


def start_walks(store: Store, source_ids: list[str]) -> dict[str, str]:
    """The state each walk of these sources was left in (walk key → state), every one of them marked ``walking``
    in the same transaction (committed before any article of the run)."""
    with store.begin() as conn:
        rows = conn.execute(select(walks.c.walk_key, walks.c.state).where(walks.c.source_id.in_(source_ids)))
        previous = {row.walk_key: row.state for row in rows}
        if previous:
            conn.execute(update(walks).where(walks.c.source_id.in_(source_ids)).values(state="walking"))
    return previous


def record_walk_outcomes(store: Store, ended: Iterable[tuple[str, str, str, str, int]]) -> None:
    """Record how walks ended, each as (walk key, source id, start URL, state, pages), in one transaction
    (replacing what each walk's key held)."""
    ended = list(ended)
    now = utcnow_iso()
    with store.begin() as conn:
        conn.execute(walks.delete().where(walks.c.walk_key.in_([key for key, *_ in ended])))
        conn.execute(walks.insert(), [{"walk_key": key, "source_id": source_id, "start_url": start_url,
                                       "state": state, "pages": pages, "updated": now}
                                      for key, source_id, start_url, state, pages in ended])
