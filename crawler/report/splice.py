"""Sorted CSV feeds that take new rows without being written again: rows spliced in at their place.

A window feed (``articles.csv``, ``mentions.csv``) or an archive month's (``archive/YYYY-MM/``) is sorted on a
key (newest first) and, between two crawls, mostly only gains rows. Written whole, it costs what it holds (90
days of every legislature: tens of MB, see ``bench/README.md``); here it is written whole once, with a key file beside it
(``.articles.csv.keys``: the length in bytes and the sort key of every row), and after that each crawl renders
only its new rows, copies the old file's bytes around them at their sorted places, and copies the old rows' key
lines unparsed (only the few a binary search probes are read), so the cost is a byte copy whatever the file
holds. Anything else (another day for the window, a renamed source, an older row rewritten by a re-rooted
reprint chain, a file or key file not as left) writes the file whole again (``crawler/report/feeds.py`` and
``crawler/report/archive.py`` decide).

The result is byte for byte what writing the whole file would give (tests/test_feed_splice.py checks).
"""

from __future__ import annotations

import bisect
import csv
import json
from collections.abc import Callable, Iterable
from pathlib import Path

from crawler.report.files import file_state, replaced_atomically
from crawler.report.spreadsheet import safe_cell

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
    render = renderer(columns)
    lines = []
    with replaced_atomically(path, binary=True) as handle:
        header = BOM + render(dict(zip(columns, columns, strict=True)))
        handle.write(header)
        for row in rows:
            line = render(row)
            lines.append(_key_line(len(line), key(row)))
            handle.write(line)
    _write_keys(path, len(header), lines)
    return len(lines)


def splice(path: Path, columns: list[str], new_rows: Iterable[dict], key: Callable[[dict], list]) -> int | None:
    """Insert ``new_rows`` into ``path`` at their sorted places (the file is sorted on ``key``, descending); the
    number of rows now, or None when the key file does not describe the file (then write it whole).

    Only what the new rows need is read of the key file: the keys a binary search for their places probes, and
    the row lengths before the last place; the old rows' key lines are copied as they are (a line holds its row's
    length, not its offset, so rows inserted before it do not change it)."""
    found = _read_keys(path)
    if found is None:
        return None
    header, size, lines = found
    render = renderer(columns)
    parsed: dict[int, tuple] = {}

    def old_key(i: int) -> tuple:
        if i not in parsed:
            parsed[i] = tuple(_value(cell) for cell in lines[i].split("\t")[1:])
        return parsed[i]

    grouped: dict[int, list] = {}
    for row in new_rows:
        row_key = tuple(key(row))
        # the old rows sort descending: the new row goes before the first old row whose key is smaller
        place = bisect.bisect_left(range(len(lines)), True, key=lambda i, k=row_key: old_key(i) < k)
        grouped.setdefault(place, []).append((row_key, render(row)))
    if not grouped:
        return len(lines)
    offsets, offset, counted = {}, header, 0  # the byte offset of each insertion place
    for place in sorted(grouped):
        if place == len(lines):
            offsets[place] = size
            break
        for i in range(counted, place):
            offset += int(lines[i][:lines[i].index("\t")])
        offsets[place], counted = offset, place
    new_lines: list[str] = []
    with open(path, "rb") as source, replaced_atomically(path, binary=True) as handle:
        handle.write(source.read(header))  # BOM and header
        copied_to, copied_at = 0, header
        for place in sorted(grouped):
            # the old rows before this place, in one copy; their key lines stay as they are
            _copy(source, handle, offsets[place] - copied_at)
            new_lines += lines[copied_to:place]
            copied_to, copied_at = place, offsets[place]
            # new rows going to one place are in key order among themselves (descending)
            for row_key, line in sorted(grouped[place], key=lambda item: item[0], reverse=True):
                new_lines.append(_key_line(len(line), row_key))
                handle.write(line)
        _copy(source, handle, size - copied_at)
        new_lines += lines[copied_to:]
    _write_keys(path, header, new_lines)
    return len(new_lines)


def _copy(source, target, length: int) -> None:
    while length:
        chunk = source.read(min(length, COPY_CHUNK))
        if not chunk:
            raise OSError("feed file shorter than its key file says")
        target.write(chunk)
        length -= len(chunk)


def _key_line(length: int, key) -> str:
    """A row's line in the key file: its length in bytes, then its key, tab-separated, each value tagged with its
    type (keys hold ISO dates and ids: no tabs or newlines)."""
    return "\t".join([str(length), *(f"i{value}" if isinstance(value, int) else f"s{value}" for value in key)])


def _value(cell: str):
    return int(cell[1:]) if cell[0] == "i" else cell[1:]


def _write_keys(path: Path, header: int, lines: list[str]) -> None:
    """The key file: a first line with the file's state and the length of its BOM and header row (JSON), then one
    line per row (``_key_line``)."""
    with replaced_atomically(keys_path(path)) as handle:
        handle.write(json.dumps({"file": file_state(path), "header": header}) + "\n")
        handle.write("".join(line + "\n" for line in lines))


def _read_keys(path: Path) -> tuple[int, int, list[str]] | None:
    """The header length, the file size and the key lines, when the key file describes ``path`` as it is now."""
    try:
        with open(keys_path(path), encoding="utf-8") as handle:
            first = json.loads(handle.readline())
            state = file_state(path)
            if not isinstance(first, dict) or first.get("file") != state or state is None:
                return None
            lines = handle.read().split("\n")
    except (OSError, ValueError):
        return None
    if lines[-1] != "":
        return None  # cut short
    return first["header"], state[0], lines[:-1]
