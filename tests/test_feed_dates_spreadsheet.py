"""published_date is a date to LibreOffice in every row, where published_at has two shapes (real soffice import)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from history import HISTORY_SOURCES, fill_history

from conftest import read_csv, run_cli, write_config
from test_libreoffice import SOFFICE, convert, read_xlsx

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")]


def test_libreoffice_reads_published_date_as_a_date_in_every_row(tmp_path):
    sources = [{**entry, "url": f"http://{entry['id']}.example/", "timezone": "Europe/Moscow"}
               for entry in HISTORY_SOURCES]
    config = write_config(tmp_path, sources)
    fill_history(tmp_path / "data" / "state.sqlite3", days=40, per_day=5)
    run_cli("export", "--config", config, check=True)
    feeds = tmp_path / "feeds"
    rows, _ = read_xlsx(convert(feeds / "articles.csv", tmp_path))
    header, *cells = rows
    column = header.index("published_date")
    csv_rows = read_csv(feeds / "articles.csv")
    assert len(cells) == len(csv_rows) == 200
    shapes = {("T" in row["published_at"]) for row in csv_rows if row["published_at"]}
    assert shapes == {True, False}, "the feed mixes both shapes of published_at"
    for row, cell in zip(csv_rows, cells, strict=True):
        value = cell[column] if column < len(cell) else ""
        if not row["published_date"]:
            assert value == ""
            continue
        assert re.fullmatch(r"\d+", value), f"{row['published_date']} imported as text {value!r}"
        assert date(1899, 12, 30) + timedelta(days=int(value)) == date.fromisoformat(row["published_date"])
