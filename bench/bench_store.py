"""The state store at scale (issue 5): 1,000,000 seen URLs and 100,000 fingerprinted articles.

``bench/prefill.py`` fills a small store (1,000 articles, 10,000 seen URLs) and a large one (100,000 articles
with their shingle anchors, 1,000,000 seen URLs). On each:

- ``Store.is_known`` per URL key (half known, half new): time per lookup and the query plan, beside the same
  lookup as a SQLAlchemy Core statement on one held connection (why the crawl's hot path is plain SQL, see
  ``crawler/storage/hotpath.py``);
- a near-duplicate query as the dedupe pipeline makes it (``near_duplicate_candidates`` of a fresh text's
  sketch, then the sketch pre-check and the Jaccard check of each candidate from another source, as
  ``pipelines/dedupe.py`` does them); one in ten queries is a real
  reprint of a stored article (its opening rewritten), which must be found;
- peak memory of a ``dumawatch crawl`` of a 300-article loopback site against the store: the crawl process's
  own and its largest worker process's (``VmHWM``, ``harness.PeakSampler``).

Targets: lookups indexed (time flat from the small to the large store), near-duplicate query < 5 ms at
100,000 articles, a crawl's memory that does not grow with the store's history.

    python bench/bench_store.py            # 100,000 articles, 1,000,000 seen URLs
    python bench/bench_store.py --quick    # 20,000 articles, 200,000 seen URLs
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from bench_crawl import crawl_command, serve, write_config
from corpus import article_text, build_sites, watch_names
from harness import print_table, run_measured, verdict, write_results
from prefill import prefill
from sqlalchemy import bindparam, select

from crawler.storage.store import Store, seen_urls
from pipelines.dedupe import reprinted_article
from pipelines.fingerprints import Fingerprint

LOOKUPS = 20_000
QUERIES = 300


def measure(path: str, articles: int) -> dict:
    store = Store(f"sqlite:///{path}")
    rng = random.Random(5)
    with sqlite3.connect(path) as db:
        seen = db.execute("SELECT count(*) FROM seen_urls").fetchone()[0]
        plan = db.execute("EXPLAIN QUERY PLAN SELECT url_key FROM seen_urls WHERE url_key = ?", ("x",)).fetchall()
        stored = [row[0] for row in db.execute("SELECT url_key FROM seen_urls ORDER BY random() LIMIT ?",
                                               (LOOKUPS // 2,))]
        samples = db.execute("SELECT id, source_id, text FROM articles ORDER BY random() LIMIT ?",
                             (QUERIES // 10,)).fetchall()
    keys = stored + [f"new.example/news/{i}" for i in range(LOOKUPS - len(stored))]
    rng.shuffle(keys)
    store.is_known(keys[0])
    started = time.perf_counter()
    hits = sum(store.is_known(key) for key in keys)
    lookup_us = 1e6 * (time.perf_counter() - started) / len(keys)
    core = select(seen_urls.c.url_key).where(seen_urls.c.url_key == bindparam("key"))
    with store.engine.connect() as conn:
        started = time.perf_counter()
        core_hits = sum(conn.execute(core, {"key": key}).first() is not None for key in keys)
        core_us = 1e6 * (time.perf_counter() - started) / len(keys)
    assert core_hits == hits, "the hot path and SQLAlchemy Core disagree"
    names = watch_names()
    texts = [("fresh", "\n".join(article_text(10_000_000 + i, random.Random(i), names, 2026)[1]), None)
             for i in range(QUERIES - len(samples))]
    for article_id, source_id, text in samples:  # reprints of stored articles, opening rewritten
        first, _, rest = text.partition("\n")
        texts.append((source_id + "-other", "По сообщению пресс-службы, " + first.lower() + "\n" + rest, article_id))
    rng.shuffle(texts)
    found = expected = 0
    in_query = whole = 0.0
    for source_id, text, original in texts:
        fingerprint = Fingerprint(text)
        query_started = time.perf_counter()
        store.near_duplicate_candidates(fingerprint.sketch, other_than=source_id)
        in_query += time.perf_counter() - query_started
        whole_started = time.perf_counter()
        reprinted = reprinted_article(store, fingerprint, source_id)  # as the dedupe pipeline asks it
        whole += time.perf_counter() - whole_started
        match = reprinted["id"] if reprinted else None
        if original is not None:
            expected += 1
            found += match == original
    query_ms = 1000 * whole / len(texts)
    store.close()
    return {"articles": articles, "seen_urls": seen, "lookup_us": lookup_us, "lookup_hits": hits,
            "lookup_core_us": core_us,
            "lookup_plan": " / ".join(str(row[-1]) for row in plan), "near_duplicate_ms": query_ms,
            "candidates_query_ms": 1000 * in_query / len(texts),
            "reprints_found": f"{found}/{expected}"}


def crawl_memory(store_path: str | None, tmp: Path, label: str) -> dict:
    sites = build_sites(300, 3, seed=21)
    server, hosts, _articles = serve(sites, first_address=240)
    try:
        state = f"sqlite:///{store_path}" if store_path else None
        config = write_config(tmp / f"cfg-{label}", sites, hosts, state=state)
        result = run_measured(crawl_command(config))
    finally:
        server.stop()
    return {"store": label, "wall_s": result["wall_s"], "peak_mb": result["peak_mb"],
            "workers_peak_mb": result["workers_peak_mb"], "rc": result["rc"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20,000 articles, 200,000 seen URLs")
    args = parser.parse_args(argv)
    large_articles, large_seen = (20_000, 200_000) if args.quick else (100_000, 1_000_000)
    with tempfile.TemporaryDirectory(prefix="dumawatch-bench-store-") as tmp_name:
        tmp = Path(tmp_name)
        small, large = str(tmp / "small.sqlite3"), str(tmp / "large.sqlite3")
        started = time.perf_counter()
        prefill(small, 1_000, extra_seen=9_000)
        prefill(large, large_articles, extra_seen=large_seen - large_articles)
        print(f"filled the stores in {time.perf_counter() - started:.0f} s "
              f"({Path(large).stat().st_size / 2**20:.0f} MB on disk)")
        rows = [measure(small, 1_000), measure(large, large_articles)]
        shutil.copy(small, tmp / "small-crawl.sqlite3")
        shutil.copy(large, tmp / "large-crawl.sqlite3")
        memory = [crawl_memory(str(tmp / "small-crawl.sqlite3"), tmp, "small"),
                  crawl_memory(str(tmp / "large-crawl.sqlite3"), tmp, "large")]
    print_table("Store lookups", ["", "seen URLs", "is_known µs", "(via SQLAlchemy Core µs)", "near-dup query ms",
                                  "query alone ms", "reprints found"],
                [[f"{r['articles']:,} articles", f"{r['seen_urls']:,}", f"{r['lookup_us']:.0f}",
                  f"{r['lookup_core_us']:.0f}",
                  f"{r['near_duplicate_ms']:.2f}", f"{r['candidates_query_ms']:.2f}", r["reprints_found"]]
                 for r in rows])
    print(f"  is_known plan: {rows[-1]['lookup_plan']}")
    print_table("Crawl of a 300-article site against the store",
                ["store", "wall s", "crawl peak MB", "worker peak MB"],
                [[m["store"], f"{m['wall_s']:.1f}", f"{m['peak_mb']:.0f}", f"{m['workers_peak_mb']:.0f}"]
                 for m in memory])
    lookup_ratio = rows[1]["lookup_us"] / rows[0]["lookup_us"]
    memory_ratio = memory[1]["peak_mb"] / memory[0]["peak_mb"]
    workers_ratio = memory[1]["workers_peak_mb"] / max(memory[0]["workers_peak_mb"], 1)
    checks = {"lookup indexed (large/small <= 2)": lookup_ratio <= 2 and "INDEX" in rows[1]["lookup_plan"],
              "near-duplicate query < 5 ms at the large store": rows[1]["near_duplicate_ms"] < 5,
              "crawl memory flat (large/small <= 1.2)": memory_ratio <= 1.2 and workers_ratio <= 1.2}
    print(f"\nlookup large/small {lookup_ratio:.2f}; crawl memory large/small {memory_ratio:.2f} "
          f"(crawl process), {workers_ratio:.2f} (largest worker)")
    for name, met in checks.items():
        print(f"  {name}: {verdict(met)}")
    write_results("store", {"command": "python bench/bench_store.py" + (" --quick" if args.quick else ""),
                            "rows": rows, "crawl_memory": memory, "lookup_ratio": round(lookup_ratio, 3),
                            "memory_ratio": round(memory_ratio, 3),
                            "workers_memory_ratio": round(workers_ratio, 3), "checks": checks})
    return 0


if __name__ == "__main__":
    sys.exit(main())
