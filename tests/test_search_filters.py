"""Filtered search (``--source``, ``--since``, and browse's canned search with them) finds exactly what the
unfiltered search finds, in the same order, with the other sources and older articles left out.

The store holds 2,000 articles of three sources over 200 days, written through the store's own API (the
full-text index with them), with every ``published_at`` shape the pipelines write (local time with its offset,
a date alone, undated: never kept by ``since``). Its template texts give many articles the same BM25 score:
the order among them (the most recently stored first) must not change with a filter either.
"""

from __future__ import annotations

import asyncio
import sqlite3
from urllib.parse import urlencode

import pytest
from history import HISTORY_SOURCES, fill_history

from crawler.storage import fulltext

ALL = 10_000  # a limit above any number of matches here: the whole ranking
QUERIES = [("Сообщение", False),        # a word in every article
           ("заседания", False),        # in every article, in several forms
           ("газификация", False),      # a topic in a quarter of them («газификации» in the text)
           ("Петров", False),           # a watched surname in half of them («Ивана Петрова»)
           ("бюджет газификация", False),
           ("1234", False),             # a rare word: one article's number
           ("заседания", True),         # the exact form
           ("нетакогослова", False)]    # nothing


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("filters") / "state.sqlite3"
    stored = fill_history(path, days=200, per_day=10)
    dated = sorted(s.published_at for s in stored if s.published_at)
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        yield db, dated


def filters(dated: list[str]) -> list[dict]:
    """Every source; dates kept by most, by a tenth, by the last day, by none; a source and a date together."""
    middle, recent, last = dated[len(dated) // 3][:10], dated[-len(dated) // 10][:10], dated[-1][:10]
    return ([{"source": s["id"]} for s in HISTORY_SOURCES]
            + [{"since": middle}, {"since": recent}, {"since": last}, {"since": "2099-01-01"},
               {"since": dated[0][:10]}, {"source": "hist-wp", "since": recent}, {"source": "nosuch"}])


def kept(record: dict, since: str | None = None, source: str | None = None) -> bool:
    return (since is None or record["published_at"] >= since) and (source is None or record["source_id"] == source)


@pytest.mark.parametrize(("query", "exact"), QUERIES)
def test_a_filtered_search_equals_the_unfiltered_one_filtered(store, query, exact):
    db, dated = store
    everything = fulltext.search(db, query, exact=exact, limit=ALL)
    if query != "нетакогослова":
        assert everything, query
    for wanted in filters(dated):
        expected = [r["id"] for r in everything if kept(r, **wanted)]
        assert [r["id"] for r in fulltext.search(db, query, exact=exact, limit=ALL, **wanted)] == expected, wanted
        top = fulltext.search(db, query, exact=exact, limit=20, **wanted)
        assert [r["id"] for r in top] == expected[:20], wanted
        assert all(kept(r, **wanted) for r in top)
    # the filters do leave articles out (else the equality above would prove nothing)
    if query == "Сообщение":
        assert 0 < len([r for r in everything if kept(r, source="hist-wp")]) < len(everything)
        assert len([r for r in everything if kept(r, since=dated[-1][:10])]) < 20


def test_the_ranking_breaks_ties_by_the_most_recently_stored(store):
    db, _ = store
    ranked = fulltext.search(db, "Сообщение", limit=ALL)
    scores = [r["score"] for r in ranked]
    assert scores == sorted(scores)
    ties = [(a["id"], b["id"]) for a, b in zip(ranked, ranked[1:], strict=False) if a["score"] == b["score"]]
    assert ties and all(first > second for first, second in ties)


def test_browse_canned_search_takes_the_same_filters(store):
    """The browser's *Search* with ``since`` and ``source`` (each optional) shows what ``search`` finds."""
    pytest.importorskip("datasette")
    from crawler.commands.browse import DATABASE, SEARCH_LIMIT, build_datasette, ensure_browse_schema

    db, dated = store
    path = db.execute("PRAGMA database_list").fetchone()[2]
    with sqlite3.connect(path) as writable:
        ensure_browse_schema(writable, [])
    datasette = build_datasette(path, None)

    async def canned(name: str, **params: str) -> list[int]:
        response = await datasette.client.get(f"/{DATABASE}/{name}.json?{urlencode(params)}&_shape=array")
        assert response.status_code == 200, response.text
        return [row["article_id"] for row in response.json()]

    for query, exact in QUERIES:
        name = "search_exact" if exact else "search"
        for wanted in [{}, *filters(dated)]:
            expected = [r["id"] for r in fulltext.search(db, query, exact=exact, limit=SEARCH_LIMIT, **wanted)]
            assert asyncio.run(canned(name, q=query, **wanted)) == expected, (query, wanted)
            assert asyncio.run(canned(name, q=query, **{"since": "", "source": "", **wanted})) == expected  # empty: all
