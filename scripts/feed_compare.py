"""Compare two feeds folders row by row, after normalising only the columns that differ between two runs.

Used by ``scripts/same_feeds.py``. Every ``*.csv`` under a feeds folder is read (the window feeds, ``health.csv``,
``mentions_daily.csv``, ``archive/YYYY-MM/*.csv``, ``export/all/*.csv``); a file is known by its path relative to
the folder, its columns by their header. The run-dependent columns (``RUN_DEPENDENT``, by file name) are replaced
by a token that keeps only whether the cell was empty: ``<time>`` for a moment of the run, ``<seconds>`` for a
duration, ``run#N`` for a run id (N in order of first appearance in the file, so rows of one run still share it).
A list of a run's failures (``a | b | c``, in the order the responses failed) keeps every item, sorted.
Every other column, all of an article's data among them, is compared as it stands.

Row order is compared too, except among rows that tie on ``published_at`` in ``articles.csv`` and
``mentions.csv`` (``TIED_ORDER``): the feeds sort newest first, then by ``first_seen`` and the store's row id,
which are the order the crawl stored the pages in (responses arrive in any order under concurrency), so such a
block of consecutive rows is sorted by its (normalised) cells before it is compared.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path

# file name → {column: kind of token}. Nothing else is normalised.
RUN_DEPENDENT: dict[str, dict[str, str]] = {
    "articles.csv": {"first_seen": "time"},
    "mentions.csv": {"first_seen": "time"},
    "runs.csv": {"run_id": "run", "started": "time", "finished": "time", "duration": "seconds",
                 "error_detail": "unordered", "limit_hit": "unordered"},
    "health.csv": {"last_run": "time", "last_new_article": "time", "last_error": "unordered"},
}

# file name → the column whose ties the feed orders by the crawl's arrival order
TIED_ORDER = {"articles.csv": "published_at", "mentions.csv": "published_at"}


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]


def read_feeds(folder: Path, rewrite=None) -> dict[str, Table]:
    """Every CSV under ``folder`` → its normalised table. ``rewrite(cell) → cell`` is applied to every cell
    first (the demo uses it for the sites' port, which the demo picks)."""
    tables = {}
    for path in sorted(folder.rglob("*.csv")) if folder.is_dir() else []:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            lines = list(csv.reader(handle))
        header, rows = (lines[0], lines[1:]) if lines else ([], [])
        if rewrite:
            rows = [[rewrite(cell) for cell in row] for row in rows]
        tables[path.relative_to(folder).as_posix()] = Table(header, normalise(path.name, header, rows))
    return tables


def normalise(name: str, header: list[str], rows: list[list[str]]) -> list[list[str]]:
    kinds = {header.index(column): kind for column, kind in RUN_DEPENDENT.get(name, {}).items() if column in header}
    runs: dict[str, str] = {}
    out = []
    for row in rows:
        row = list(row)
        for index, kind in kinds.items():
            if index >= len(row) or not row[index]:
                continue
            if kind == "run":
                row[index] = runs.setdefault(row[index], f"run#{len(runs) + 1}")
            elif kind == "unordered":
                row[index] = " | ".join(sorted(row[index].split(" | ")))
            else:
                row[index] = f"<{kind}>"
        out.append(row)
    if TIED_ORDER.get(name) in header:
        column = header.index(TIED_ORDER[name])
        out = [row for _, block in groupby(out, key=lambda row: row[column:column + 1]) for row in sorted(block)]
    return out


@dataclass
class FileResult:
    path: str
    rows: int = 0            # rows compared (the longer side's count)
    identical: int = 0
    different: int = 0
    note: str = ""           # missing on a side, header changed, same rows in another order
    samples: list[str] = field(default_factory=list)


def compare_tables(path: str, before: Table | None, after: Table | None, show: int) -> FileResult:
    result = FileResult(path)
    if before is None or after is None:
        present = before or after
        result.rows = result.different = len(present.rows)
        result.note = f"only {'after' if before is None else 'before'} ({len(present.rows)} rows)"
        return result
    if before.header != after.header:
        result.note = f"header {before.header} → {after.header}"
    result.rows = max(len(before.rows), len(after.rows))
    for index in range(result.rows):
        old = before.rows[index] if index < len(before.rows) else None
        new = after.rows[index] if index < len(after.rows) else None
        if old == new:
            result.identical += 1
            continue
        result.different += 1
        if len(result.samples) < show:
            result.samples.append(describe_row(index, before.header, after.header, old, new))
    if result.different and Counter(map(tuple, before.rows)) == Counter(map(tuple, after.rows)):
        result.note = (result.note + "; " if result.note else "") + "same rows, another order"
    return result


def describe_row(index: int, old_header: list[str], new_header: list[str], old: list[str] | None,
                 new: list[str] | None) -> str:
    """Row ``index`` (1 = the first after the header): the columns that differ, before → after."""
    if old is None or new is None:
        row, header, side = (new, new_header, "after") if old is None else (old, old_header, "before")
        return f"row {index + 1}: only {side}: " + ", ".join(f"{c}={_short(v)}" for c, v in zip(header, row, strict=False))
    old_cells, new_cells = dict(zip(old_header, old, strict=False)), dict(zip(new_header, new, strict=False))
    key = new_cells.get("url") or new_cells.get("source_id") or ""
    changed = [f"{column}: " + _pair(old_cells.get(column, "∅"), new_cells.get(column, "∅"))
               for column in dict.fromkeys([*old_header, *new_header])
               if old_cells.get(column) != new_cells.get(column)]
    return f"row {index + 1} ({_short(key, 90)}): " + "; ".join(changed)


def _pair(old: str, new: str, width: int = 70) -> str:
    """``old → new``, both from a little before where they start to differ."""
    start = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))
    start = max(0, start - 20) if start > width - 20 else 0
    cut = (lambda value: "…" + value[start:]) if start else (lambda value: value)
    return f"{_short(cut(old), width)} → {_short(cut(new), width)}"


def _short(value: str, width: int = 70) -> str:
    value = value.replace("\n", "⏎")
    return repr(value if len(value) <= width else value[:width - 1] + "…")


def compare_folders(before: dict[str, Table], after: dict[str, Table], show: int) -> list[FileResult]:
    return [compare_tables(path, before.get(path), after.get(path), show) for path in sorted({*before, *after})]
