"""Sorted CSV feeds that take new rows without being written again: rows spliced in at their place.

A window feed (``articles.csv``, ``mentions.csv``) is sorted on a key (newest first) and, between two crawls of
one day, only gains rows. Written whole, it costs what it holds (90 days of every legislature: ~80 MB); here
it is written whole once, with a key file beside it (``.articles.csv.keys``: the byte offset and sort key of
every row), and after that each crawl renders only its new rows and copies the old file's bytes around them
at their sorted places, so the cost is a byte copy whatever the window holds. Anything else (another day, a
renamed source, an older row rewritten by a re-rooted reprint chain, a file or key file not as left) writes
the file whole again (``crawler/feeds.py`` decides).

The result is byte for byte what writing the whole file would give (tests/test_feed_splice.py checks).
"""

from __future__ import annotations

import bisect
import csv
import json
from collections.abc import Callable, Iterable
from pathlib import Path

from crawler.spreadsheet import safe_cell

BOM = "\ufeff".encode()
COPY_CHUNK = 1 << 20


class _LastLine:
    """A csv writer's sink that keeps the line just written."""

    line = ""

    def write(self, text: str) -> None:
        self.line = text


def renderer(columns: list[str]):
    sink = _LastLine()
    writer = csv.writer(sink, dialect="excel", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")

    def render(row: dict) -> bytes:
        writer.writerow([safe_cell(row.get(column, "")) for column in columns])
        return sink.line.encode("utf-8")

    return render


def keys_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.keys")


def write_indexed(path: Path, columns: list[str], rows: Iterable[dict], key: Callable[[dict], list]) -> int:
    """Write ``path`` whole, as ``write_csv`` does (same bytes), and its key file; returns the number of rows."""
    from crawler.feeds import replaced_atomically

    render = renderer(columns)
    keys = []
    with replaced_atomically(path, binary=True) as handle:
        handle.write(BOM + render(dict(zip(columns, columns, strict=True))))
        offset = handle.tell()
        for row in rows:
            line = render(row)
            keys.append([offset, *key(row)])
            handle.write(line)
            offset += len(line)
        keys.append([offset])  # the end of the last row
    _write_keys(path, keys)
    return len(keys) - 1


def splice(path: Path, columns: list[str], new_rows: Iterable[dict], key: Callable[[dict], list]) -> int | None:
    """Insert ``new_rows`` into ``path`` at their sorted places (the file is sorted on ``key``, descending); the
    number of rows now, or None when the key file does not describe the file (then write it whole)."""
    from crawler.feeds import replaced_atomically

    keys = _read_keys(path)
    if keys is None:
        return None
    render = renderer(columns)
    offsets = [entry[0] for entry in keys]  # the start of each row, then the end of the last
    old = [tuple(entry[1:]) for entry in keys[:-1]]
    grouped: dict[int, list] = {}
    for row in new_rows:
        row_key = tuple(key(row))
        # the old rows sort descending: the new row goes before the first old row whose key is smaller
        place = bisect.bisect_left(range(len(old)), True, key=lambda i, k=row_key: old[i] < k)
        grouped.setdefault(place, []).append((row_key, render(row)))
    new_keys: list[list] = []
    with open(path, "rb") as source, replaced_atomically(path, binary=True) as handle:
        handle.write(source.read(offsets[0]))  # BOM and header
        written, copied_to = offsets[0], 0
        for place in sorted({*grouped, len(old)}):
            # the old rows before this place, in one copy; their offsets all move by the same amount
            shift = written - offsets[copied_to]
            source.seek(offsets[copied_to])
            _copy(source, handle, offsets[place] - offsets[copied_to])
            new_keys += [[offsets[i] + shift, *old[i]] for i in range(copied_to, place)]
            written += offsets[place] - offsets[copied_to]
            copied_to = place
            # new rows going to one place are in key order among themselves (descending)
            for row_key, line in sorted(grouped.get(place, ()), key=lambda item: item[0], reverse=True):
                new_keys.append([written, *row_key])
                handle.write(line)
                written += len(line)
        new_keys.append([written])
    _write_keys(path, new_keys)
    return len(new_keys) - 1


def _copy(source, target, length: int) -> None:
    while length:
        chunk = source.read(min(length, COPY_CHUNK))
        if not chunk:
            raise OSError("feed file shorter than its key file says")
        target.write(chunk)
        length -= len(chunk)


def _state(path: Path) -> list[int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def _write_keys(path: Path, keys: list[list]) -> None:
    """One line per row: its offset and key, tab-separated, each value tagged with its type (keys hold ISO dates
    and ids: no tabs or newlines); then a last line with the end offset. The first line is the file's state."""
    from crawler.feeds import replaced_atomically

    def cell(value) -> str:
        return f"i{value}" if isinstance(value, int) else f"s{value}"

    with replaced_atomically(keys_path(path)) as handle:
        handle.write(json.dumps(_state(path)) + "\n")
        handle.write("\n".join("\t".join(map(cell, entry)) for entry in keys))
        handle.write("\n")


def _read_keys(path: Path) -> list[list] | None:
    """The key file's entries, when it describes ``path`` as it is now (else None)."""
    try:
        with open(keys_path(path), encoding="utf-8") as handle:
            if json.loads(handle.readline()) != _state(path):
                return None
            lines = handle.read().splitlines()
    except (OSError, ValueError):
        return None
    if not lines:
        return None
    return [[int(value[1:]) if value[0] == "i" else value[1:] for value in line.split("\t")] for line in lines]
