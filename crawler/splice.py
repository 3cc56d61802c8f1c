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


def _renderer(columns: list[str]):
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

    render = _renderer(columns)
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
    render = _renderer(columns)
    old = [tuple(entry[1:]) for entry in keys[:-1]]
    inserts = []
    for row in new_rows:
        row_key = tuple(key(row))
        # the old rows sort descending: the new row goes before the first old row whose key is smaller
        place = bisect.bisect_left(range(len(old)), True, key=lambda i, k=row_key: old[i] < k)
        inserts.append((place, row_key, render(row)))
    grouped: dict[int, list] = {}
    for place, row_key, line in inserts:
        grouped.setdefault(place, []).append((row_key, line))
    new_keys = []
    with open(path, "rb") as source, replaced_atomically(path, binary=True) as handle:
        handle.write(source.read(keys[0][0]))  # BOM and header
        offset = handle.tell()
        position = keys[0][0]
        for index in range(len(old) + 1):
            # new rows going to one place are in key order among themselves (descending)
            for row_key, line in sorted(grouped.get(index, ()), key=lambda item: item[0], reverse=True):
                new_keys.append([offset, *row_key])
                handle.write(line)
                offset += len(line)
            if index == len(old):
                break
            start, end = keys[index][0], keys[index + 1][0]
            if start != position:
                source.seek(start)
            _copy(source, handle, end - start)
            position = end
            new_keys.append([offset, *old[index]])
            offset += end - start
        new_keys.append([offset])
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
    from crawler.feeds import replaced_atomically

    with replaced_atomically(keys_path(path)) as handle:
        json.dump({"file": _state(path), "keys": keys}, handle, ensure_ascii=False, separators=(",", ":"))


def _read_keys(path: Path) -> list[list] | None:
    """The key file's entries, when it describes ``path`` as it is now (else None)."""
    try:
        data = json.loads(keys_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("file") != _state(path) or not data.get("keys"):
        return None
    return data["keys"]
