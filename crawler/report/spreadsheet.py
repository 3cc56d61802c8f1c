"""Make a CSV cell safe to open in Excel or LibreOffice without changing what a reader sees.

A cell that a spreadsheet would evaluate (OWASP CSV injection: it starts, after any spaces, with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is defused:
- leading spaces, tabs and CRs are dropped (they carry no meaning in a feed);
- Russian direct speech that opens with a hyphen («- В эти дни…») gets the em dash typography wants
  («— В эти дни…»), which no spreadsheet evaluates and every reader reads the same;
- anything else gets a leading apostrophe, the usual spreadsheet marker for "this is text".

A cell longer than Excel's limit of 32,767 characters (LibreOffice and Python's csv module choke on
such cells too) is cut at ``MAX_CELL_CHARS`` with an ellipsis.
"""

from __future__ import annotations

import re

from pipelines.markup import CONTROL_CHARS

FORMULA_START = ("=", "+", "-", "@")
SPEECH_DASH = re.compile(r"^[-‐]\s+(?=\w)|^-(?=[А-Яа-яЁё])")
MAX_CELL_CHARS = 32_000


def safe_cell(value: object) -> str:
    if value is None:
        return ""
    text = CONTROL_CHARS.sub("", str(value))
    if len(text) > MAX_CELL_CHARS:
        text = text[:MAX_CELL_CHARS - 1] + "…"
    stripped = text.lstrip(" \t\r\n\u00a0")
    if not stripped.startswith(FORMULA_START):
        return stripped if text[:1] in ("\t", "\r", "\n") else text
    if SPEECH_DASH.match(stripped):
        return SPEECH_DASH.sub("— ", stripped, count=1)
    return "'" + stripped
