"""Excel workbooks beside the CSV feeds: ``articles.xlsx`` and ``mentions.xlsx`` (``feeds: {xlsx: true}``).

Same columns and rows as the CSV each one sits beside, for people who live in Excel and should not meet a
CSV import dialog (nor LibreOffice's, which ignores the BOM unless told). What a workbook adds:

- real date cells: ``published_at`` as the source's local date and time (the CSV's offset is dropped: a
  spreadsheet date has no zone), a date alone where the page gives no time; ``first_seen`` in UTC;
- a frozen header row, a filter on every column, column widths that fit the content's usual length;
- the CSV's cell-safety rules (crawler/spreadsheet.py): no cell is a formula, control characters are
  dropped, a cell is cut at 32,000 characters. A text a spreadsheet would run (``=HYPERLINK(…)``) is stored
  as a text cell with Excel's quote-prefix mark, so it reads exactly as in the CSV opened by Excel.

openpyxl's write-only mode streams the rows, so a store of 100,000 articles is written in constant memory.
Each workbook is saved to a temporary file and renamed over the old one, like the CSVs.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from crawler.spreadsheet import FORMULA_START, safe_cell

DATE_COLUMNS = {"published_at": "local", "first_seen": "utc"}
WIDTHS = {"published_at": 17, "first_seen": 17, "source_id": 14, "source_name": 32, "region": 26, "title": 60,
          "url": 45, "names": 28, "topics": 28, "duplicate_of": 30, "text": 80, "kind": 7, "watch": 26,
          "matched": 22, "snippet": 80}
DEFAULT_WIDTH = 16
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
MAX_ROWS = 1_048_575   # Excel's sheet has 1,048,576 rows, the header included


def as_date(value: object) -> date | datetime | None:
    """An ISO 8601 date or date-time of the feeds as a spreadsheet date (wall-clock, no zone), else None."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        return None


def _text_cell(sheet, value: object):
    from openpyxl.cell import WriteOnlyCell

    original = "" if value is None else str(value)
    text = safe_cell(original)
    defused = text.startswith("'") and text[1:2] in FORMULA_START and not original.lstrip().startswith("'")
    if not text:
        return None
    cell = WriteOnlyCell(sheet, value=text[1:] if defused else text)
    cell.data_type = "s"              # never a formula, whatever the text starts with
    if defused:
        cell.quotePrefix = True       # what Excel sets when one types '=…: shown as typed, read as text
    return cell


def _date_cell(sheet, value: object):
    from openpyxl.cell import WriteOnlyCell

    when = as_date(value)
    if when is None:
        return _text_cell(sheet, value)
    cell = WriteOnlyCell(sheet, value=when)
    cell.number_format = DATETIME_FORMAT if isinstance(when, datetime) else DATE_FORMAT
    return cell


def write_xlsx(path: Path, columns: list[str], rows: Iterable[dict], sheet_name: str | None = None) -> int:
    """Atomically replace ``path`` with a workbook of ``rows`` (dicts, as write_csv takes); the rows written."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name or path.stem)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(column, DEFAULT_WIDTH)
    from openpyxl.cell import WriteOnlyCell

    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        if count >= MAX_ROWS:
            break
        sheet.append([_date_cell(sheet, row.get(c)) if c in DATE_COLUMNS else _text_cell(sheet, row.get(c))
                      for c in columns])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False)
    handle.close()
    try:
        workbook.save(handle.name)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return count


def export_workbooks(feeds_dir: Path, feeds: dict, kept: dict, force: bool = False) -> dict[str, int]:
    """Write ``NAME.xlsx`` beside each ``NAME.csv`` of ``feeds`` ({csv name: (columns, rows())}) whose CSV was
    rewritten since the workbook was last written (or the workbook is missing, or changed, or ``force``).

    ``kept`` is the feeds' record of what was written (``.dumawatch-feeds.json``, see crawler/feeds.py): the
    CSV's entry there tells whether it changed. Returns {workbook name: rows}.
    """
    from crawler.feeds import _file_state

    counts = {}
    for csv_name, (columns, rows) in feeds.items():
        path = feeds_dir / Path(csv_name).with_suffix(".xlsx").name
        csv_state = (kept.get(csv_name) or {}).get("file")
        previous = kept.get(path.name) or {}
        if not force and previous.get("csv") == csv_state and previous.get("file") == _file_state(path):
            counts[path.name] = previous["rows"]
            continue
        count = write_xlsx(path, columns, rows())
        kept[path.name] = {"csv": csv_state, "rows": count, "file": _file_state(path)}
        counts[path.name] = count
    return counts
