"""Pipeline throughput: articles per second per core through the whole item-pipeline chain vs trafilatura alone.

The corpus (``bench/corpus.py``): ≥ 2,000 generated article pages over six sites in three CMS styles
(1C-Bitrix, WordPress, a windows-1251 table layout), with distinct texts and a few cross-site reprints.
Each page goes through the real pipelines (clean → dates → dedupe → mentions with a 1,000-entry watchlist →
store into a real SQLite file), and through ``trafilatura.extract(html, url=url)`` alone, side by side: the
corpus is cut into blocks of 100 pages and each block is timed with both, in turn, so that noise from other
processes on a shared machine falls on both alike. Times are CPU seconds of this one process (one core);
wall-clock seconds are printed beside them. Target: ours ≥ 0.75 × trafilatura alone.

    python bench/bench_pipeline.py            # 2,400 pages
    python bench/bench_pipeline.py --quick    # 600 pages (not a valid figure: below 2,000)
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

import trafilatura
from corpus import pipeline_items, reprint_truth, synthetic_watchlist
from harness import PipelineChain, print_table, sources_for, verdict, write_results

from crawler.storage.store import Store

BLOCK = 100
TARGET = 0.75


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2400)
    parser.add_argument("--quick", action="store_true", help="600 pages")
    args = parser.parse_args(argv)
    n = 600 if args.quick else args.articles
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)

    sites, items = pipeline_items(n)
    chars = sum(len(item["html"]) for item in items) / len(items)
    print(f"corpus: {len(items)} pages, {len(sites)} sites ({', '.join(sorted({s.style for s in sites}))}), "
          f"{chars / 1024:.1f} KB of HTML per page")
    with tempfile.TemporaryDirectory(prefix="dumawatch-bench-") as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'state.sqlite3'}")
        started = time.perf_counter()
        chain = PipelineChain(store, sources_for(sites), synthetic_watchlist(1000))
        setup = time.perf_counter() - started
        for item in items[:20]:  # warm-up: imports, caches, lazy dictionaries
            trafilatura.extract(item["html"], url=item["url"])
        ours = {"cpu": 0.0, "wall": 0.0}
        alone = {"cpu": 0.0, "wall": 0.0}
        stored = []
        for start in range(0, len(items), BLOCK):
            block = items[start:start + BLOCK]
            cpu, wall = time.process_time(), time.perf_counter()
            for item in block:
                trafilatura.extract(item["html"], url=item["url"])
            alone["cpu"] += time.process_time() - cpu
            alone["wall"] += time.perf_counter() - wall
            cpu, wall = time.process_time(), time.perf_counter()
            for item in block:
                stored.append(chain.feed(dict(item), timed=True))
            ours["cpu"] += time.process_time() - cpu
            ours["wall"] += time.perf_counter() - wall
        store.close()
    kept = [item for item in stored if item is not None]
    count = len(items)
    ratio = alone["cpu"] / ours["cpu"]
    rows = [
        ["trafilatura.extract alone", f"{count / alone['cpu']:.0f}", f"{1000 * alone['cpu'] / count:.2f}",
         f"{alone['wall']:.1f}", "1.00"],
        ["dumawatch pipeline chain", f"{count / ours['cpu']:.0f}", f"{1000 * ours['cpu'] / count:.2f}",
         f"{ours['wall']:.1f}", f"{ratio:.2f}"],
    ]
    print_table("Pipeline throughput (CPU time of one process = one core)",
                ["", "articles/s/core", "ms/article", "wall s", "× trafilatura"], rows)
    stages = [[name, f"{1000 * seconds / count:.2f}", f"{100 * seconds / ours['cpu']:.0f} %"]
              for name, seconds in chain.stage_seconds.items()]
    print_table("Time per stage", ["pipeline", "ms/article", "share"], stages)
    print(f"\nstored {len(kept)} articles, dropped {dict(chain.dropped) or 0}, "
          f"reprints linked {sum(1 for item in kept if item.get('duplicate_of'))}, "
          f"with mentions {sum(1 for item in kept if item.get('mentions'))}; setup (watchlist compile) {setup:.1f} s")
    truth = reprint_truth(sites)

    def site_path(url: str) -> str:  # "http://127.0.0.<index + 2>:8000/path" → "<index>/path"
        host, _, path = url.split("//", 1)[1].partition("/")
        return f"{int(host.split(':')[0].rsplit('.', 1)[1]) - 2}/{path}"

    linked = {site_path(item["url"]): site_path(item["duplicate_of"]) for item in kept if item.get("duplicate_of")}
    right = sum(1 for reprint, original in linked.items() if truth.get(reprint) == original)
    precision = right / len(linked) if linked else 1.0
    recall = right / len(truth) if truth else 1.0
    print(f"reprint links: {len(linked)} made, {right} right, {len(truth)} true reprints in the corpus: "
          f"precision {precision:.3f}, recall {recall:.3f}")
    print(f"ours / trafilatura alone: {ratio:.2f} (target >= {TARGET}): {verdict(ratio >= TARGET)}")
    write_results("pipeline", {
        "command": "python bench/bench_pipeline.py" + (" --quick" if args.quick else ""),
        "pages": count, "sites": len(sites), "html_kb_per_page": round(chars / 1024, 1),
        "trafilatura": {"articles_per_s_core": round(count / alone["cpu"], 1), "cpu_s": round(alone["cpu"], 2),
                        "wall_s": round(alone["wall"], 2)},
        "ours": {"articles_per_s_core": round(count / ours["cpu"], 1), "cpu_s": round(ours["cpu"], 2),
                 "wall_s": round(ours["wall"], 2)},
        "stages_ms_per_article": {name: round(1000 * s / count, 3) for name, s in chain.stage_seconds.items()},
        "ratio": round(ratio, 3), "target": TARGET, "met": ratio >= TARGET,
        "stored": len(kept), "dropped": dict(chain.dropped),
        "reprints": {"linked": len(linked), "right": right, "true": len(truth), "precision": round(precision, 3),
                     "recall": round(recall, 3)},
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
