"""Scaling: pipeline time per article at 1,000 / 10,000 / 100,000 stored articles; matching at 10 / 1,000 / 10,000.

The store is filled fast (``bench/prefill.py``: SQL bulk inserts of realistic rows with their shingle
anchors), then 200 fresh articles (``bench/corpus.py``) go through the whole real pipeline chain at each
level; CPU time per article is compared with the smallest level. Matching time per article at 10, 1,000
and 10,000 watch entries comes from ``bench/bench_matching.py`` (reused), over the BSNLP news texts when
``../shared/eval/bsnlp`` is present, else over generated texts (the output says which). Target: both flat
within 2×.

    python bench/bench_scaling.py             # 1,000 / 10,000 / 100,000 articles
    python bench/bench_scaling.py --quick     # 1,000 / 10,000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import bench_matching
from corpus import pipeline_items, synthetic_watchlist
from harness import PipelineChain, print_table, sources_for, verdict, write_results
from prefill import prefill

from crawler.storage.store import Store

FRESH = 200


def pipeline_levels(levels: tuple[int, ...]) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="dumawatch-bench-scaling-") as tmp:
        path = str(Path(tmp) / "state.sqlite3")
        filled = 0
        watchlist = synthetic_watchlist(1000)
        for index, level in enumerate(levels):
            started = time.perf_counter()
            prefill(path, level - filled, start=filled)
            filled = level
            fill_seconds = time.perf_counter() - started
            sites, items = pipeline_items(FRESH, seed=100 + index)
            for item in items:  # URLs of their own at each level
                item["url"] = item["url"].replace(":8000", f":{8100 + index}")
                if item["canonical_url"]:
                    item["canonical_url"] = item["url"]
            store = Store(f"sqlite:///{path}")
            chain = PipelineChain(store, sources_for(sites), watchlist)
            for item in items[:10]:  # warm-up (not timed)
                chain.feed(dict(item))
            cpu = time.process_time()
            for item in items[10:]:
                chain.feed(dict(item), timed=True)
            seconds = time.process_time() - cpu
            store.close()
            count = len(items) - 10
            rows.append({"stored": level, "ms_per_article": 1000 * seconds / count, "fill_s": fill_seconds,
                         "stages_ms": {k: 1000 * v / count for k, v in chain.stage_seconds.items()}})
            print(f"  {level:>7} stored: {1000 * seconds / count:.2f} ms/article (filled in {fill_seconds:.0f} s)")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 stored articles only")
    args = parser.parse_args(argv)
    levels = (1_000, 10_000) if args.quick else (1_000, 10_000, 100_000)
    print("pipeline time per article by articles already in the store:")
    pipeline = pipeline_levels(levels)
    docs, label = bench_matching.corpus()
    bench_matching.WatchMatcher(bench_matching.load_watchlist(synthetic_watchlist(10), "warm-up"))
    matching = [bench_matching.run(size, docs, repeats=3) for size in bench_matching.SIZES]
    base = pipeline[0]["ms_per_article"]
    rows = [[f"{r['stored']:,} stored articles", f"{r['ms_per_article']:.2f}", f"{r['ms_per_article'] / base:.2f}",
             f"{r['stages_ms'].get('DedupePipeline', 0):.2f}", f"{r['stages_ms'].get('StorePipeline', 0):.2f}"]
            for r in pipeline]
    print_table("Pipeline time per article vs store size (CPU)",
                ["", "ms/article", "× smallest", "dedupe ms", "store ms"], rows)
    mbase = matching[0]["seconds"]
    print_table(f"Matching time per article vs watchlist size (corpus: {label})",
                ["watch entries", "ms/article", "× smallest"],
                [[f"{m['entries']:,}", f"{m['ms_per_article']:.3f}", f"{m['seconds'] / mbase:.2f}"] for m in matching])
    pipeline_ratio = max(r["ms_per_article"] for r in pipeline) / base
    matching_ratio = max(m["seconds"] for m in matching) / mbase
    print(f"\npipeline: largest / smallest store {pipeline_ratio:.2f} (target <= 2): {verdict(pipeline_ratio <= 2)}")
    print(f"matching: largest / smallest watchlist {matching_ratio:.2f} (target <= 2): {verdict(matching_ratio <= 2)}")
    write_results("scaling", {
        "command": "python bench/bench_scaling.py" + (" --quick" if args.quick else ""),
        "pipeline": pipeline, "matching": matching, "matching_corpus": label,
        "pipeline_ratio": round(pipeline_ratio, 3), "matching_ratio": round(matching_ratio, 3),
        "met": {"pipeline": pipeline_ratio <= 2, "matching": matching_ratio <= 2},
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
