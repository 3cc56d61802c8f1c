"""Plain-text tables for the terminal: the crawl summary, the source check and ``dumawatch status``."""

from __future__ import annotations

import sys
from collections.abc import Container, Sequence


def print_table(rows: Sequence[Sequence[str]], out=sys.stdout, right: Container[int] = ()) -> None:
    """Print ``rows`` (the first is the header) in aligned columns; columns in ``right`` are right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.rjust(width) if i in right else cell.ljust(width)
                        for i, (cell, width) in enumerate(zip(row, widths, strict=True))).rstrip(), file=out)
