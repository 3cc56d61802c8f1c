"""The stored articles matched again with the watchlist, batch by batch (``dumawatch rematch``,
``crawler/commands/rematch.py``): each batch's articles and mentions read, and its changes written, in one
transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import bindparam, select, update

from crawler.storage.schema import articles, mentions
from crawler.storage.store import Store

# (article id, its mentions as (kind, watch, matched, snippet), its names, its topics)
ArticleChange = tuple[int, list[tuple[str, str, str, str]], str, str]


def rematch_next_batch(store: Store, after_id: int, limit: int,
                       rematch: Callable[[list, dict[int, list[tuple]]], list[ArticleChange]]) -> int | None:
    """In one transaction: read the ``limit`` articles after id ``after_id`` (by id) and their stored mentions,
    call ``rematch(rows, stored)`` — ``rows`` with ``id``, ``title``, ``text``, ``names``, ``topics``; ``stored``:
    article id → its mentions as (kind, watch, matched, snippet), in the order stored — and write the changes it
    returns (each changed article's mentions replaced, its ``names`` and ``topics`` set). Returns the batch's last
    article id, or None when there are no articles after ``after_id``."""
    with store.begin() as conn:
        rows = conn.execute(select(articles.c.id, articles.c.title, articles.c.text, articles.c.names,
                                   articles.c.topics).where(articles.c.id > after_id)
                            .order_by(articles.c.id).limit(limit)).all()
        if not rows:
            return None
        ids = [row.id for row in rows]
        stored: dict[int, list[tuple]] = {}
        for found in conn.execute(select(mentions.c.article_id, mentions.c.kind, mentions.c.watch, mentions.c.matched,
                                         mentions.c.snippet).where(mentions.c.article_id.in_(ids))
                                  .order_by(mentions.c.id)):
            stored.setdefault(found.article_id, []).append(tuple(found[1:]))
        changes = rematch(rows, stored)
        if changes:
            conn.execute(mentions.delete().where(mentions.c.article_id.in_([change[0] for change in changes])))
            new_mentions = [{"article_id": article_id, "kind": k, "watch": w, "matched": m, "snippet": s}
                            for article_id, now, _, _ in changes for k, w, m, s in now]
            if new_mentions:
                conn.execute(mentions.insert(), new_mentions)
            conn.execute(update(articles).where(articles.c.id == bindparam("row_id"))
                         .values(names=bindparam("new_names"), topics=bindparam("new_topics")),
                         [{"row_id": article_id, "new_names": names, "new_topics": topics}
                          for article_id, _, names, topics in changes])
        return ids[-1]
