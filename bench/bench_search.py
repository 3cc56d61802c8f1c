"""Full-text index: what indexing costs each article, and search time in a store of 100,000 articles.

1. Normal forms (``crawler/storage/fulltext.py``, computed in the worker processes beside the crawl): ms per article
   of generated texts (``bench/corpus.py``), with the word cache cold (a fresh worker) and warm (a long crawl),
   and on the hand-written pages of the demo and test sites (cold).
2. The crawl process's share: ``Store.add_article`` of the same articles into a fresh store, with the index
   (the exact index's trigger and the normal-form row) and without it (trigger dropped, no row), side by side.
3. A store filled to ``--articles`` (``bench/prefill.py``), indexed by ``fulltext.reindex`` (as
   ``dumawatch reindex`` does), then each query searched 7 times (median): through ``fulltext.search`` (what
   ``dumawatch search`` runs) and through Datasette's canned ``search`` query (what ``browse`` serves), without
   and with the filters (``--source``, ``--since``: a tenth, none, all of the articles kept, and both).
4. Browse's article list (three facets) as the browser opens it, searched, and with a facet chosen.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote, urlencode

from corpus import article_text, watch_names
from harness import ROOT, print_table, verdict, write_results
from prefill import prefill

from crawler.storage import fulltext
from crawler.storage.store import Store
from pipelines.fingerprints import content_hash, shingle_sketch

QUERIES = ["Блошкин", "депутат", "газификация", "бюджет области", "ремонт сельских клубов", "поликлиника",
           "Морозунов"]  # the last: a generated surname the dictionary lacks, in 0.3 % of the articles
REPEATS = 7


def generated(count: int, offset: int = 0) -> list[tuple[str, str]]:
    names = watch_names()
    return [(title, "\n".join(paragraphs)) for title, paragraphs in
            (article_text(offset + n, random.Random(offset + n), names, 2026) for n in range(count))]


def hand_written() -> list[tuple[str, str]]:
    """Title and visible text of every hand-written page of the demo and test sites (cold vocabulary)."""
    from lxml import html

    pages = []
    for folder in (ROOT / "crawler" / "demo_sites", ROOT / "tests" / "sites", ROOT / "bench" / "date_fixtures"):
        for path in sorted(folder.rglob("*.html")):
            try:
                tree = html.fromstring(path.read_bytes())
            except Exception:
                continue
            text = " ".join(tree.text_content().split())
            if len(text) > 200:
                pages.append((tree.findtext(".//title") or "", text))
    return pages


def normal_form_cost(articles: list[tuple[str, str]], cold: bool) -> float:
    if cold:
        fulltext.word_normal_forms.cache_clear()
    started = time.perf_counter()
    for title, text in articles:
        fulltext.article_normal_forms(title, text)
    return 1000 * (time.perf_counter() - started) / len(articles)


def store_cost(tmp: Path, articles: list[tuple[str, str]], with_index: bool, label: str = "") -> float:
    path = tmp / f"writes-{label}{with_index}.sqlite3"
    store = Store(f"sqlite:///{path}")
    if not with_index:
        with sqlite3.connect(path) as db:
            db.execute("DROP TRIGGER articles_fts_insert")
        store.hot.fulltext = False
    items = []
    for n, (title, text) in enumerate(articles):
        items.append({"url_key": f"bench.example/news/{n}", "url": f"http://bench.example/news/{n}/",
                      "source_id": "bench", "title": title, "text": text, "published_at": "2026-11-20",
                      "content_hash": content_hash(text), "sketch": shingle_sketch(text),
                      "normal_forms": fulltext.article_normal_forms(title, text)})  # as a worker sends them
    started = time.perf_counter()
    for item in items:
        store.add_article(item, [])
    store.flush()
    elapsed = time.perf_counter() - started
    store.close()
    return 1000 * elapsed / len(items)


def _median_ms(run, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(1000 * (time.perf_counter() - started))
    return statistics.median(times)


def bench_sources(path: Path) -> list[SimpleNamespace]:
    """The configured sources as browse's ``sources`` table holds them: each stored source with a region."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        ids = [row[0] for row in db.execute("SELECT DISTINCT source_id FROM articles ORDER BY source_id")]
    return [SimpleNamespace(id=sid, name=f"Законодательное собрание {n}", region=f"Регион {n % 85}",
                            url=f"http://{sid}.example/", timezone="Europe/Moscow") for n, sid in enumerate(ids)]


def filters(db: sqlite3.Connection) -> list[tuple[str, dict]]:
    """One source (1/85 of the articles); a date keeping the newest tenth; a date after the newest article (keeps
    none: every match is tested and fails); a date keeping all; a source and a date together."""
    source = db.execute("SELECT source_id FROM articles LIMIT 1").fetchone()[0]
    count, newest = db.execute("SELECT count(*), max(published_at) FROM articles").fetchone()
    recent = db.execute("SELECT published_at FROM articles ORDER BY published_at DESC LIMIT 1 OFFSET ?",
                        (count // 10,)).fetchone()[0][:10]
    oldest = db.execute("SELECT min(published_at) FROM articles").fetchone()[0][:10]
    after = (date.fromisoformat(newest[:10]) + timedelta(days=1)).isoformat()
    return [(f"--source {source}", {"source": source}), (f"--since {recent}", {"since": recent}),
            (f"--since {after}", {"since": after}), (f"--since {oldest}", {"since": oldest}),
            (f"--source {source} --since {recent}", {"source": source, "since": recent})]


def search_times(path: Path) -> list[dict]:
    from crawler.commands.browse import DATABASE, build_datasette, ensure_browse_schema

    rows = []
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        for query in QUERIES:
            for exact in (False, True):
                results = fulltext.search(db, query, exact=exact, limit=20)
                table = fulltext.EXACT_TABLE if exact else fulltext.LEMMA_TABLE
                matches = db.execute(f"SELECT count(*) FROM {table} WHERE {table} MATCH ?",
                                     (fulltext.match_expression(query, exact),)).fetchone()[0]
                rows.append({"query": query, "text": query, "exact": exact, "matches": matches, "shown": len(results),
                             "search_ms": _median_ms(lambda q=query, e=exact: fulltext.search(db, q, exact=e, limit=20))})
        for label, wanted in filters(db):
            for query in QUERIES:
                shown = len(fulltext.search(db, query, limit=20, **wanted))
                rows.append({"query": f"{query} {label}", "text": query, "exact": False, "filtered": wanted,
                             "matches": "", "shown": shown, "search_ms": _median_ms(
                                 lambda q=query, w=wanted: fulltext.search(db, q, limit=20, **w))})
    with sqlite3.connect(path) as db:
        ensure_browse_schema(db, bench_sources(path))
    datasette = build_datasette(path, None)

    async def canned(query: str, wanted: dict) -> float:
        times = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            response = await datasette.client.get(f"/{DATABASE}/search.json?"
                                                  f"{urlencode({'q': query, **wanted})}&_shape=array")
            assert response.status_code == 200, response.text
            times.append(1000 * (time.perf_counter() - started))
        return statistics.median(times)

    for row in rows:
        if not row["exact"]:
            row["browse_ms"] = asyncio.run(canned(row["text"], row.get("filtered") or {}))
    return rows


def page_times(path: Path) -> list[dict]:
    """The article list as the browser opens it (its three facets: source, region, date), searched, and with a
    facet chosen; and the same first page asking for the facets again in its URL (Datasette counts them twice)."""
    from crawler.commands.browse import DATABASE, build_datasette

    datasette = build_datasette(path, None)
    region = bench_sources(path)[0].region

    async def get(url: str) -> dict:
        times, timed_out = [], []
        for _ in range(REPEATS):
            started = time.perf_counter()
            response = await datasette.client.get(url)
            assert response.status_code == 200, response.text
            times.append(1000 * (time.perf_counter() - started))
            timed_out = response.json().get("facets_timed_out", [])
        return {"page": url, "ms": statistics.median(times), "facets_timed_out": timed_out}

    base = f"/{DATABASE}/article_list.json"
    return [asyncio.run(get(url)) for url in (
        base, base + "?_search=" + quote("газификация"), base + "?region=" + quote(region),
        base + "?_facet=source_name&_facet=region&_facet=published_date")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 stored articles, 500 for the costs")
    parser.add_argument("--articles", type=int, help="articles in the searched store (default 100,000)")
    args = parser.parse_args(argv)
    stored = args.articles or (10_000 if args.quick else 100_000)
    sample = 500 if args.quick else 2_000

    corpus = generated(sample, offset=5_000_000)
    pages = hand_written()
    cold = normal_form_cost(corpus, cold=True)
    warm = normal_form_cost(corpus, cold=False)
    pages_cold = normal_form_cost(pages, cold=True)
    with tempfile.TemporaryDirectory(prefix="dumawatch-bench-search-") as tmp_name:
        tmp = Path(tmp_name)
        store_cost(tmp, corpus[:50], True, "warm-up")  # warm-up: imports, first statements
        without = store_cost(tmp, corpus, False)
        with_index = store_cost(tmp, corpus, True)

        path = tmp / "large.sqlite3"
        started = time.perf_counter()
        prefill(str(path), stored)
        filled = time.perf_counter() - started
        size_before = path.stat().st_size
        with sqlite3.connect(path) as db:
            fulltext.word_normal_forms.cache_clear()
            started = time.perf_counter()
            indexed = fulltext.reindex(db)
            reindex_s = time.perf_counter() - started
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size_after = path.stat().st_size
        searches = search_times(path)
        browse_pages = page_times(path)

    print(f"filled a store of {stored:,} articles in {filled:.0f} s; reindex {indexed:,} articles in {reindex_s:.0f} s "
          f"({1000 * reindex_s / indexed:.2f} ms an article); store {size_before / 2**20:.0f} MB before the "
          f"normal-form index, {size_after / 2**20:.0f} MB after")
    print_table("Indexing cost per article", ["", "ms / article"], [
        [f"normal forms, {len(corpus):,} generated articles, word cache cold (worker process)", f"{cold:.2f}"],
        ["normal forms, the same, word cache warm (worker process)", f"{warm:.2f}"],
        [f"normal forms, {len(pages)} hand-written pages of the demo/test sites, cold", f"{pages_cold:.2f}"],
        ["store writes without the index (crawl process)", f"{without:.3f}"],
        ["store writes with both indexes (crawl process)", f"{with_index:.3f}"],
        ["  the index's share of the crawl process", f"+{with_index - without:.3f}"],
    ])
    print_table(f"Search at {stored:,} stored articles (median of {REPEATS}, top 20 with snippets; browse: top "
                "100)", ["query", "mode", "matching articles", "shown", "search ms", "browse (Datasette) ms"],
                [[r["query"], "exact" if r["exact"] else "normal form",
                  f"{r['matches']:,}" if r["matches"] != "" else "", r["shown"], f"{r['search_ms']:.1f}",
                  f"{r['browse_ms']:.1f}" if "browse_ms" in r else "-"] for r in searches])
    print_table(f"Browse pages at {stored:,} stored articles (median of {REPEATS})", ["page", "ms", "facets timed out"],
                [[p["page"], f"{p['ms']:.0f}", ", ".join(p["facets_timed_out"]) or "none"] for p in browse_pages])
    checks = {}
    for name, picked in (("unfiltered", [r for r in searches if not r.get("filtered")]),
                         ("with --source/--since", [r for r in searches if r.get("filtered")])):
        worst = max(max(r["search_ms"], r.get("browse_ms", 0)) for r in picked)
        checks[f"search under 200 ms at the store size ({name})"] = worst < 200
        print(f"  search under 200 ms at the store size ({name}): {verdict(worst < 200)} (slowest {worst:.0f} ms)")
    write_results("search", {"stored": stored, "reindex_ms_per_article": 1000 * reindex_s / indexed,
                             "normal_forms_ms": {"cold": cold, "warm": warm, "hand_written_cold": pages_cold},
                             "store_write_ms": {"without_index": without, "with_index": with_index},
                             "store_mb": {"before": size_before / 2**20, "after": size_after / 2**20},
                             "searches": searches, "pages": browse_pages, "checks": checks})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
