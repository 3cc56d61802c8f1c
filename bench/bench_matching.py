"""Benchmark ``WatchMatcher.find`` at 10, 1,000 and 10,000 watch entries.

Watch entries are synthetic but realistic Russian names and a few topics (``corpus.synthetic_watchlist``).
The corpus is the BSNLP news texts (``../shared/eval/bsnlp``, beside the checkout) when present, else
generated texts (:func:`generated_corpus`; the output says which). Prints the one-off compile time, articles
per second for each size (CPU time of this process, the best of three passes) and the 10,000 / 10 time ratio
(target ≤ 2), and writes ``bench/results/matching.json``.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

from corpus import article_text, synthetic_watchlist

from pipelines.matcher import WatchMatcher
from pipelines.watchlist import load_watchlist

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "eval" / "bsnlp"
RESULTS = ROOT / "bench" / "results" / "matching.json"
SIZES = (10, 1_000, 10_000)
GENERATED = 300


def corpus() -> tuple[list[tuple[str, str]], str]:
    """(title, text) pairs and a label saying where they come from."""
    if DATA.is_dir():
        docs = []
        for path in sorted(DATA.glob("*/raw/ru/*")):
            lines = path.read_text(encoding="utf-8-sig").splitlines()
            docs.append((lines[4] if len(lines) > 4 else "", "\n".join(lines[5:])))
        return docs, f"bsnlp ({len(docs)} texts)"
    docs = generated_corpus(GENERATED)
    return docs, f"generated ({len(docs)} texts; no BSNLP texts at {DATA})"


def generated_corpus(count: int) -> list[tuple[str, str]]:
    """Duma news of ``bench/corpus.py`` that find the same mentions whatever the watchlist's size.

    The claim measured is that matching costs what the article holds, not what the watchlist holds. The
    generated texts talk about the watchlist's topics (the budget, school repairs) and, from the larger
    watchlists, name its people, so they would find more mentions the larger the watchlist and measure the
    extra hits instead; the BSNLP news names real people and hardly any synthetic entry. So the texts name the
    people of the smallest watchlist, and a paragraph is kept only where the smallest and the largest
    watchlist find the same mentions.
    """
    smallest = WatchMatcher(load_watchlist(synthetic_watchlist(SIZES[0]), "smallest"))
    largest = WatchMatcher(load_watchlist(synthetic_watchlist(SIZES[-1]), "largest"))
    names = [entry["name"] for entry in synthetic_watchlist(SIZES[0])["names"]]

    def same(text: str) -> bool:
        return ([(m.watch, m.matched) for m in smallest.find("", text)]
                == [(m.watch, m.matched) for m in largest.find("", text)])

    docs = []
    for n in range(count):
        title, paragraphs = article_text(n, random.Random(n), names, 2026)
        kept = [paragraph for paragraph in paragraphs if same(paragraph)]
        if kept:
            docs.append((title if same(title) else "", "\n".join(kept)))
    return docs


def run(size: int, docs, repeats: int) -> dict:
    data = synthetic_watchlist(size)
    started = time.perf_counter()
    matcher = WatchMatcher(load_watchlist(data, f"synthetic-{size}"))
    compile_seconds = time.perf_counter() - started
    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()  # CPU time: other processes on a shared machine do not count
        for title, text in docs:
            matcher.find(title, text)
        best = min(best, time.process_time() - started)
    return {"entries": size, "keys": matcher.key_count, "compile_seconds": round(compile_seconds, 3),
            "seconds": best, "articles_per_second": round(len(docs) / best, 1),
            "ms_per_article": round(1000 * best / len(docs), 3)}


def main() -> int:
    docs, label = corpus()
    chars = sum(len(t) + len(b) for t, b in docs)
    print(f"corpus: {label}, {chars / len(docs):.0f} characters per article on average")
    WatchMatcher(load_watchlist(synthetic_watchlist(10), "warm-up"))  # load pymorphy3 dictionaries once
    rows = [run(size, docs, repeats=3) for size in SIZES]
    print(f"{'entries':>8}{'keys':>9}{'compile s':>11}{'articles/s':>12}{'ms/article':>12}")
    for r in rows:
        print(f"{r['entries']:>8}{r['keys']:>9}{r['compile_seconds']:>11.2f}{r['articles_per_second']:>12.0f}"
              f"{r['ms_per_article']:>12.3f}")
    ratio = rows[-1]["seconds"] / rows[0]["seconds"]
    print(f"time ratio {SIZES[-1]} / {SIZES[0]} entries: {ratio:.2f} (target <= 2): {'met' if ratio <= 2 else 'NOT met'}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"corpus": label, "rows": rows, "ratio": ratio}, ensure_ascii=False, indent=2),
                       encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
