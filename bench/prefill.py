"""Fill a dumawatch store fast with realistic history, for the scaling and store benchmarks.

Rows are what the pipelines would have written: article texts from ``bench/corpus.py``'s generator, their
``url_key``, ``content_hash`` and shingle sketch (the real ``pipelines.fingerprints`` functions), one
``seen_urls`` row per article, plus optional extra seen-only URL keys (listing pages, redirects, variants).
Texts and sketches are computed on all cores; rows go in with SQL bulk inserts (``executemany``), bypassing
the pipelines. The tables are created by :class:`crawler.storage.store.Store` itself.
"""

from __future__ import annotations

import random
import sqlite3
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta

from corpus import article_text, watch_names

from crawler.storage.store import Store
from pipelines.fingerprints import content_hash, shingle_sketch

CHUNK = 2000
SOURCES = 85  # every regional parliament


def _rows(args: tuple) -> list[tuple]:
    start, stop, seed, newest, spacing = args
    names = watch_names()
    rows = []
    base = datetime(2020, 1, 1, tzinfo=UTC)
    for n in range(start, stop):
        rng = random.Random(seed * 1_000_003 + n)
        title, paragraphs = article_text(n, rng, names, 2024)
        text = "\n".join(paragraphs)
        source = f"hist{n % SOURCES}"
        url = f"http://hist{n % SOURCES}.example/news/{n}/"
        if newest is None:
            published = first_seen = (base + timedelta(minutes=7 * n)).isoformat()
        else:  # back in time from ``newest``, one article every ``spacing`` minutes (local time, as the spider writes)
            moment = newest - timedelta(minutes=spacing * n)
            published = moment.isoformat(timespec="seconds")
            first_seen = moment.astimezone(UTC).isoformat(timespec="seconds")
        rows.append((n + 1, f"hist{n % SOURCES}.example/news/{n}", url, source, title, text, published,
                     first_seen, content_hash(text), shingle_sketch(text)))
    return rows


_NAMES: list[str] = []


def _mentioned(n: int, count: int) -> list[str]:
    if not _NAMES:
        _NAMES.extend(watch_names())
    return [_NAMES[(n * 7 + 31 * k) % len(_NAMES)] for k in range(count)]


def prefill(path: str, articles: int, extra_seen: int = 0, seed: int = 11, start: int = 0,
            workers: int = 2, newest: datetime | None = None, spacing: float = 7.0, mentions: int = 0) -> None:
    """Add ``articles`` articles (ids from ``start`` + 1) and ``extra_seen`` seen-only URL keys to the store.

    Article n is published 7 minutes after n - 1 from 2020-01-01 on, or, with ``newest`` (an aware datetime),
    ``spacing`` minutes before n - 1 back from ``newest`` (so a store grows into the past, as history does).
    ``mentions``: that many mention rows per article (distinct watch names, the text's first sentence as snippet),
    as the feeds would show them (the issue's stores had 4.4 an article)."""
    Store(f"sqlite:///{path}").close()  # create the schema
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    first_id = db.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0] - start
    chunks = [(a, min(a + CHUNK, start + articles), seed, newest, spacing)
              for a in range(start, start + articles, CHUNK)]
    with ProcessPoolExecutor(workers) as pool:
        for rows in pool.map(_rows, chunks):
            db.executemany("INSERT INTO articles (id, url_key, url, source_id, title, text, published_at, first_seen,"
                           " content_hash, duplicate_of, names, topics, sketch)"
                           " VALUES (?,?,?,?,?,?,?,?,?,'','','',?)",
                           [(row[0] + first_id, *row[1:9], " ".join(map(str, row[9]))) for row in rows])
            if mentions:
                db.executemany("INSERT INTO mentions (article_id, kind, watch, matched, snippet) VALUES (?,?,?,?,?)",
                               [(row[0] + first_id, "name", name, name, row[5].split(". ")[0][:300])
                                for row in rows for name in _mentioned(row[0], mentions)])
            db.executemany("INSERT INTO seen_urls (url_key, article_id, source_id, seen_at) VALUES (?,?,?,?)",
                           [(row[1], row[0] + first_id, row[3], row[7]) for row in rows])
            db.executemany("INSERT INTO shingle_anchors (hash, article_id) VALUES (?,?)",
                           [(h, row[0] + first_id) for row in rows for h in row[9]])
            # the holder counts, as Store.add_article keeps them (the near-duplicate query relies on them)
            db.executemany("INSERT INTO anchor_counts (hash, holders) VALUES (?, 1) "
                           "ON CONFLICT(hash) DO UPDATE SET holders = holders + 1",
                           [(h,) for row in rows for h in set(row[9])])
            db.commit()
    for a in range(0, extra_seen, 50_000):
        db.executemany("INSERT INTO seen_urls (url_key, article_id, source_id, seen_at) VALUES (?,NULL,?,?)",
                       [(f"hist{k % SOURCES}.example/news?PAGEN_1={k}&seen={seed}", f"hist{k % SOURCES}",
                         "2024-01-01T00:00:00+00:00") for k in range(a, min(a + 50_000, extra_seen))])
        db.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
