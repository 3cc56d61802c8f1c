"""``dumawatch rematch`` at 10,000 and 100,000 stored articles, with a 1,000-entry watchlist.

The store is filled fast (``bench/prefill.py``: realistic article texts from ``bench/corpus.py``, which name the
benchmark watchlist's people). Then, in a fresh process each time (as a user runs it), with the 1,000-entry
watchlist of ``bench/corpus.py`` (``synthetic_watchlist``):

1. ``rematch`` of the whole store (the automaton compiled once; every article matched, mentions, names and
   topics written where they changed) — the feeds not rewritten, to time the matching itself;
2. the same again: nothing changes, every article is still read and matched;
3. ``dumawatch export`` (the feed rewrite that ``dumawatch rematch`` ends with), for scale.

Reported: wall time, articles per second, the process's own peak memory (``VmHWM``). Target: 100,000 articles
in minutes, not hours.

    python bench/bench_rematch.py            # 10,000 and 100,000
    python bench/bench_rematch.py --quick    # 2,000 and 10,000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from corpus import synthetic_watchlist
from harness import ROOT, print_table, verdict, write_results
from prefill import prefill

CHILD = """
import json, sys, time
from pathlib import Path
from crawler.config import load_config
from crawler.commands.rematch import rematch_store
config = load_config(sys.argv[1])
started = time.perf_counter()
result = rematch_store(config, rewrite_feeds=False)
wall = time.perf_counter() - started
peak = next(int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines()
            if line.startswith("VmHWM:"))
print(json.dumps({"wall_s": wall, "articles": result.articles, "changed": result.changed,
                  "mentions": result.mentions_after, "peak_mb": peak / 1024}))
"""


def write_config(directory: Path, state: Path) -> Path:
    (directory / "sources.yaml").write_text("sources: []\n", encoding="utf-8")
    (directory / "watchlist.yaml").write_text(yaml.safe_dump(synthetic_watchlist(1000), allow_unicode=True),
                                              encoding="utf-8")
    path = directory / "dumawatch.yaml"
    path.write_text(yaml.safe_dump({"sources": "sources.yaml", "watchlist": "watchlist.yaml", "state": str(state),
                                    "feeds": "feeds"}), encoding="utf-8")
    return path


def rematch_once(config: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(config)], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 and 10,000 articles")
    args = parser.parse_args(argv)
    levels = (2_000, 10_000) if args.quick else (10_000, 100_000)
    rows, results = [], []
    with tempfile.TemporaryDirectory(prefix="dumawatch-bench-rematch-") as tmp:
        state = Path(tmp) / "state.sqlite3"
        config = write_config(Path(tmp), state)
        filled = 0
        for level in levels:
            clock = time.perf_counter()
            prefill(str(state), level - filled, start=filled)
            filled = level
            print(f"  store filled to {level} articles in {time.perf_counter() - clock:.0f} s")
            first = rematch_once(config)
            second = rematch_once(config)
            clock = time.perf_counter()
            subprocess.run([sys.executable, "-m", "crawler", "export", "--config", str(config)], cwd=ROOT,
                           capture_output=True, check=True)
            export_s = time.perf_counter() - clock
            results.append({"stored": level, "first": first, "unchanged": second, "export_s": export_s})
            for label, run in (("rematch", first), ("rematch, nothing changes", second)):
                rows.append([f"{level:,} stored: {label}", f"{run['wall_s']:.1f} s",
                             f"{run['articles'] / run['wall_s']:.0f}/s", f"{run['changed']:,}", f"{run['mentions']:,}",
                             f"{run['peak_mb']:.0f} MB"])
            rows.append([f"{level:,} stored: export (feeds)", f"{export_s:.1f} s", "", "", "", ""])
    print_table("dumawatch rematch, 1,000-entry watchlist", ["run", "wall", "articles", "changed", "mentions",
                                                              "peak memory"], rows)
    largest = results[-1]["first"]["wall_s"]
    print(f"\n{levels[-1]:,} articles rematched in {largest:.0f} s: target minutes, not hours — "
          f"{verdict(largest < 600)}")
    write_results("rematch", {"levels": results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
