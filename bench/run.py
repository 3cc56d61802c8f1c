"""Run the benchmarks: all of them, or the ones named (``pipeline``, ``crawl``, ``scaling``, ``store``, ``peers``,
``rematch``, ``frontier``, ``shared``, ``workbook``, ``feeds``, ``search``).

Each runs as its own process (a crawl's reactor cannot restart; memory figures stay separate), prints its
table and writes ``bench/results/<name>.json``. Extra flags (``--quick``) are passed to every script.

    python bench/run.py                 # everything (how long: bench/README.md)
    python bench/run.py pipeline crawl
    python bench/run.py --quick
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SCRIPTS = {"pipeline": "bench_pipeline.py", "crawl": "bench_crawl.py", "scaling": "bench_scaling.py",
           "store": "bench_store.py", "peers": "bench_peers.py", "rematch": "bench_rematch.py",
           "frontier": "bench_frontier.py", "shared": "bench_shared.py", "workbook": "bench_workbook.py",
           "feeds": "bench_feeds.py", "search": "bench_search.py"}


def main(argv: list[str]) -> int:
    names = [a for a in argv if not a.startswith("-")] or list(SCRIPTS)
    flags = [a for a in argv if a.startswith("-")]
    unknown = [n for n in names if n not in SCRIPTS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(SCRIPTS)}", file=sys.stderr)
        return 2
    failed = []
    for name in names:
        print(f"\n=== {name} ===", flush=True)
        script_flags = [f for f in flags if f != "--quick" or name != "peers"]
        if subprocess.run([sys.executable, str(BENCH / SCRIPTS[name]), *script_flags],
                          cwd=BENCH.parent).returncode != 0:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
