"""The Excel workbooks' cost: ``dumawatch export`` with ``feeds: {xlsx: true}`` against the CSVs alone.

A store is prefilled with N articles (``bench/prefill.py``: generated texts of 85 sources, 100,000 by default),
then ``dumawatch export`` runs twice in processes of its own: CSVs only, then CSVs and workbooks. Each process
reports its own peak memory (``VmHWM``). Figures: seconds, MB, and the ratio of the two runs.

    python bench/bench_workbook.py              # 100,000 articles
    python bench/bench_workbook.py --quick      # 5,000
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from harness import ROOT, print_table, write_results
from prefill import SOURCES, prefill

DRIVER = """
import json, sys
from crawler.commands.cli import main
code = main(["export", "--config", sys.argv[1]])
peak = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"exit": code, "peak_mb": int(peak) / 1024}))
"""


def write_config(directory: Path, xlsx: bool) -> Path:
    sources = [{"id": f"hist{n}", "name": f"Законодательное собрание № {n}", "region": f"Область № {n}",
                "url": f"http://hist{n}.example/", "timezone": "Europe/Moscow"} for n in range(SOURCES)]
    (directory / "sources.yaml").write_text(yaml.safe_dump({"sources": sources}, allow_unicode=True), "utf-8")
    (directory / "watchlist.yaml").write_text("names: []\ntopics: []\n", "utf-8")
    feeds = {"dir": f"feeds-{'xlsx' if xlsx else 'csv'}", "xlsx": xlsx}
    path = directory / f"dumawatch-{'xlsx' if xlsx else 'csv'}.yaml"
    path.write_text(yaml.safe_dump({"sources": "sources.yaml", "watchlist": "watchlist.yaml",
                                    "state": "state.sqlite3", "feeds": feeds, "workers": 0}), "utf-8")
    return path


def export(config: Path) -> dict:
    clock = time.monotonic()
    result = subprocess.run([sys.executable, "-c", DRIVER, str(config)], cwd=ROOT, capture_output=True, text=True,
                            check=True)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    return {**figures, "seconds": time.monotonic() - clock}


def main(argv: list[str]) -> int:
    articles = 5_000 if "--quick" in argv else 100_000
    with tempfile.TemporaryDirectory(prefix="bench-workbook-") as tmp:
        directory = Path(tmp)
        clock = time.monotonic()
        prefill(str(directory / "state.sqlite3"), articles)
        print(f"prefilled {articles:,} articles in {time.monotonic() - clock:.0f} s")
        csv_only = export(write_config(directory, xlsx=False))
        with_xlsx = export(write_config(directory, xlsx=True))
        sizes = {p.name: p.stat().st_size / 1e6 for p in (directory / "feeds-xlsx").glob("articles.*")}
    ratio = with_xlsx["seconds"] / csv_only["seconds"]
    print_table(f"dumawatch export, {articles:,} articles (each run its own process)",
                ["run", "seconds", "peak MB", "articles.csv MB", "articles.xlsx MB"],
                [["CSVs only", f"{csv_only['seconds']:.1f}", f"{csv_only['peak_mb']:.0f}", "", ""],
                 ["CSVs + workbooks", f"{with_xlsx['seconds']:.1f}", f"{with_xlsx['peak_mb']:.0f}",
                  f"{sizes.get('articles.csv', 0):.0f}", f"{sizes.get('articles.xlsx', 0):.0f}"],
                 ["ratio", f"{ratio:.2f}x", f"{with_xlsx['peak_mb'] / csv_only['peak_mb']:.2f}x", "", ""]])
    write_results("workbook", {"articles": articles, "csv_only": csv_only, "with_xlsx": with_xlsx,
                               "time_ratio": ratio, "sizes_mb": sizes})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
