"""Excel workbooks beside the CSV feeds: ``articles.xlsx`` and ``mentions.xlsx`` (``feeds: {xlsx: true}``).

Same columns and rows as the CSV each one sits beside, for people who live in Excel and should not meet a
CSV import dialog (nor LibreOffice's, which ignores the BOM unless told). What a workbook adds:

- real date cells: ``published_at`` as the source's local date and time (the CSV's offset is dropped: a
  spreadsheet date has no zone), a date alone where the page gives no time; ``first_seen`` in UTC;
- a frozen header row, a filter on every column, column widths that fit the content's usual length;
- the CSV's cell-safety rules (crawler/report/spreadsheet.py): no cell is a formula, control characters are
  dropped, a cell is cut at 32,000 characters. A text a spreadsheet would run (``=HYPERLINK(…)``) is stored
  as a text cell with Excel's quote-prefix mark, so it reads exactly as in the CSV opened by Excel.

XlsxWriter writes it in its constant-memory mode (each row flushed as it is written), 2.4 times as fast as
openpyxl's write-only mode here (bench/bench_workbook.py). Each workbook is saved to a temporary file and
renamed over the old one, like the CSVs.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from crawler.report.files import file_state, replaced_atomically
from crawler.report.spreadsheet import FORMULA_START, safe_cell

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


def _text(value: object) -> tuple[str, bool]:
    """The cell text under the CSV's rules, and whether it is a defused formula (shown with a quote prefix)."""
    original = "" if value is None else str(value)
    text = safe_cell(original)
    defused = text.startswith("'") and text[1:2] in FORMULA_START and not original.lstrip().startswith("'")
    return (text[1:], True) if defused else (text, False)


def write_xlsx(path: Path, columns: list[str], rows: Iterable[dict], sheet_name: str | None = None) -> int:
    """Atomically replace ``path`` with a workbook of ``rows`` (dicts, as write_csv takes); the rows written."""
    import xlsxwriter

    with replaced_atomically(path, binary=True) as handle:  # whole or not at all, readable as the umask says
        # constant_memory: each row is flushed to disk once written; no string is ever read as a formula,
        # a number or a URL (every text goes through write_string)
        workbook = xlsxwriter.Workbook(handle, {"constant_memory": True, "strings_to_formulas": False,
                                                "strings_to_numbers": False, "strings_to_urls": False})
        formats = {"header": workbook.add_format({"bold": True}),
                   "datetime": workbook.add_format({"num_format": DATETIME_FORMAT}),
                   "date": workbook.add_format({"num_format": DATE_FORMAT}),
                   "quoted": workbook.add_format({"quote_prefix": True})}
        sheet = workbook.add_worksheet((sheet_name or path.stem)[:31])
        sheet.freeze_panes(1, 0)
        for index, column in enumerate(columns):
            sheet.set_column(index, index, WIDTHS.get(column, DEFAULT_WIDTH))
            sheet.write_string(0, index, column, formats["header"])
        count = 0
        for row in rows:
            if count >= MAX_ROWS:
                break
            count += 1
            for index, column in enumerate(columns):
                value = row.get(column)
                when = as_date(value) if column in DATE_COLUMNS else None
                if when is not None:
                    sheet.write_datetime(count, index, when,
                                         formats["datetime" if isinstance(when, datetime) else "date"])
                    continue
                text, quoted = _text(value)
                if text:
                    sheet.write_string(count, index, text, formats["quoted"] if quoted else None)
        sheet.autofilter(0, 0, count, len(columns) - 1)
        workbook.close()
    return count


def export_workbooks(feeds_dir: Path, feeds: dict, kept: dict, force: bool = False) -> dict[str, int]:
    """Write ``NAME.xlsx`` beside each ``NAME.csv`` of ``feeds`` ({csv name: (columns, rows())}) whose CSV was
    rewritten since the workbook was last written (or the workbook is missing, or changed, or ``force``).

    ``kept`` is the feeds' record of what was written (``.dumawatch-feeds.json``, see crawler/report/feeds.py): the
    CSV's entry there tells whether it changed. Returns {workbook name: rows}.
    """
    counts = {}
    for csv_name, (columns, rows) in feeds.items():
        path = feeds_dir / Path(csv_name).with_suffix(".xlsx").name
        csv_state = (kept.get(csv_name) or {}).get("file")
        previous = kept.get(path.name) or {}
        if not force and previous.get("csv") == csv_state and previous.get("file") == file_state(path):
            counts[path.name] = previous["rows"]
            continue
        count = write_xlsx(path, columns, rows())
        kept[path.name] = {"csv": csv_state, "rows": count, "file": file_state(path)}
        counts[path.name] = count
    return counts
