"""``dumawatch rematch``: apply the current watchlist to every stored article, and notice when it is needed.

A crawl matches each new article with the watchlist of that moment. After ``watchlist.yaml`` changes, the
stored articles keep the mentions of the old one until ``dumawatch rematch`` matches them all again with the
same matcher the crawl uses (:func:`pipelines.mentions.mention_fields`, compiled once), so every row is the
row a fresh crawl with the current watchlist would have written: the ``mentions`` of each article, its
``names`` and ``topics``. Then the feeds are rewritten. Re-matched articles keep their ``first_seen``, so
they never count as new in a run's alerts (see ``crawler/report/alerts.py``).

The store remembers the signature of the watchlist its articles were matched with (``store_state``,
key ``watchlist_signature``: a hash of the validated entries, so comments and layout do not count). A crawl
or an export that finds another watchlist says so in one line and names this command; it does not rematch
by itself, since a large archive takes a while (``bench/bench_rematch.py``).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field

from crawler.config import Config
from crawler.report.feeds import export_feeds
from crawler.storage.locking import store_lock
from crawler.storage.rematch import ArticleChange, rematch_next_batch
from crawler.storage.store import Store
from pipelines.mentions import compile_watchlist, mention_fields
from pipelines.watchlist import load_watchlist

SIGNATURE_KEY = "watchlist_signature"
BATCH = 500  # articles read, matched and written per transaction


def watchlist_signature(config: Config) -> str:
    """A hash of the validated watchlist entries (not of the file: comments and key order do not count)."""
    watchlist = load_watchlist(config.watchlist or None, str(config.watchlist_path))
    return hashlib.sha1(json.dumps(asdict(watchlist), ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def watchlist_note(config: Config, store: Store) -> str:
    """One line when the stored articles were matched with another watchlist than the current one, else "".

    An empty store takes the current watchlist as its own (every article it will get is matched with it).
    """
    current = watchlist_signature(config)
    stored = store.state_value(SIGNATURE_KEY)
    if stored == current:
        return ""
    count = store.article_count()
    if not count:
        store.set_state_value(SIGNATURE_KEY, current)
        return ""
    if stored is None:
        return (f"the store does not record which watchlist its {count} articles were matched with: "
                f"run `dumawatch rematch` once to apply {config.watchlist_path.name} to all of them")
    return (f"{config.watchlist_path.name} changed since the {count} stored articles were matched: "
            f"run `dumawatch rematch` to apply it to all of them (new articles already use it)")


@dataclass
class RematchResult:
    articles: int = 0
    changed: int = 0
    mentions_before: int = 0
    mentions_after: int = 0
    seconds: float = 0.0
    feeds: dict[str, int] = field(default_factory=dict)


def rematch_store(config: Config, rewrite_feeds: bool = True) -> RematchResult:
    """Match every stored article with the current watchlist (under the store's lock), then rewrite the feeds."""
    clock = time.monotonic()
    matcher = compile_watchlist(config.watchlist, str(config.watchlist_path))
    result = RematchResult()
    with store_lock(config.lock_path):
        store = Store(config.state_url)
        try:
            last_id = 0
            while True:
                last_id = _rematch_batch(store, matcher, last_id, result)
                if last_id is None:
                    break
            store.set_state_value(SIGNATURE_KEY, watchlist_signature(config))
            if rewrite_feeds:
                result.feeds = export_feeds(config, store, force=True, rewrite_archive=True)
        finally:
            store.close()
    result.seconds = time.monotonic() - clock
    return result


def _rematch_batch(store: Store, matcher, after_id: int, result: RematchResult) -> int | None:
    """Rematch the next ``BATCH`` articles after ``after_id`` in one transaction; the last id, or None at the end."""

    def rematch(rows: list, stored: dict[int, list[tuple]]) -> list[ArticleChange]:
        changes: list[ArticleChange] = []
        for row in rows:
            found = mention_fields(matcher, row.title, row.text)
            now = [(m["kind"], m["watch"], m["matched"], m["snippet"]) for m in found["mentions"]]
            before = stored.get(row.id, [])
            result.mentions_before += len(before)
            result.mentions_after += len(now)
            names, topics = "; ".join(found["names"]), "; ".join(found["topics"])
            if now == before and names == row.names and topics == row.topics:
                continue
            changes.append((row.id, now, names, topics))
        result.articles += len(rows)
        result.changed += len(changes)
        return changes

    return rematch_next_batch(store, after_id, BATCH, rematch)
