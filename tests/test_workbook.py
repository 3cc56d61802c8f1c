"""``feeds: {dir: …, xlsx: true}``: articles.xlsx and mentions.xlsx beside the CSVs, opened by openpyxl and by
LibreOffice headless.

A real crawl of the windows-1251 demo site, the WordPress demo site (times with an offset) and a site whose
titles and paragraphs start with what a spreadsheet would run (``=HYPERLINK``, ``+7``, ``@user``, «- В эти
дни…») and one text longer than a cell holds. The workbook must hold the CSV's rows in the CSV's order,
Cyrillic intact, ``published_at`` as date cells, a frozen header, a filter, widths, and no formula.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from crawler.report.spreadsheet import MAX_CELL_CHARS

from conftest import next_loopback_address, read_csv, run_cli, source_entry, write_config
from fault_server import BytesSite
from test_libreoffice import ARTICLES, article_page

pytestmark = pytest.mark.e2e

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
HUGE = " ".join(["Депутаты рассмотрели поправки к областному бюджету и обсудили их с жителями."] * 600)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    from crawler.commands.demo_server import DEMO_SITES_DIR, serve_site

    directory = tmp_path_factory.mktemp("workbook")
    articles = {**ARTICLES, "/news/504-huge/": ("Очень длинный отчёт о бюджете", [HUGE])}
    pages = {path: (article_page(*value), "text/html; charset=utf-8") for path, value in articles.items()}
    listing = "".join(f"<li><a href='{path}'>{path}</a></li>" for path in articles)
    pages["/news/"] = (f"<html><body><ul>{listing}</ul></body></html>".encode(), "text/html; charset=utf-8")
    pages["/"] = (b"<html><body><a href='/news/'>News</a></body></html>", "text/html; charset=utf-8")
    formulas = BytesSite(pages, host=next_loopback_address())
    homegrown = serve_site(DEMO_SITES_DIR / "homegrown", host=next_loopback_address())
    wordpress = serve_site(DEMO_SITES_DIR / "wordpress", host=next_loopback_address())
    try:
        entries = [
            {"id": "formulas", "name": "=Дума «Формула»", "region": "+Регион", "url": formulas.base_url + "/",
             "timezone": "Europe/Volgograd", "listing": [formulas.base_url + "/news/"],
             "article_pattern": r"/news/\d+-[a-z-]+/$"},
            source_entry(homegrown, "zsko", "Europe/Kirov", region="Кировская область"),
            source_entry(wordpress, "zskuzbass", "Asia/Novokuznetsk", region="Кемеровская область — Кузбасс"),
        ]
        watchlist = {"names": [{"name": "Александр Блошкин"}], "topics": [
            {"name": "Газификация", "keywords": ["газификация", "газоснабжение"]}]}
        config = write_config(directory, entries, watchlist=watchlist, scrapy={"RETRY_TIMES": 0})
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
        data["feeds"] = {"dir": "feeds", "xlsx": True}
        config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        result = run_cli("crawl", "--config", config, timeout=180)
    finally:
        formulas.stop()
        homegrown.stop()
        wordpress.stop()
    assert result.returncode == 0 and result.stderr == "", result.stderr[-3000:]
    return directory / "feeds", config


def sheet_rows(path: Path) -> tuple[list, list[list]]:
    sheet = load_workbook(path).active
    rows = [list(row) for row in sheet.iter_rows()]
    return sheet, rows


def test_same_rows_as_the_csv_with_date_cells(crawled):
    feeds, _ = crawled
    for name in ("articles", "mentions"):
        csv_rows = read_csv(feeds / f"{name}.csv")
        sheet, rows = sheet_rows(feeds / f"{name}.xlsx")
        header, *data = rows
        columns = [cell.value for cell in header]
        assert columns == list(csv_rows[0].keys())
        assert len(data) == len(csv_rows) >= 4
        published = columns.index("published_at")
        for csv_row, cells in zip(csv_rows, data, strict=True):
            assert (cells[columns.index("url")].value or "") == csv_row["url"]
            title = cells[columns.index("title")].value or ""
            assert title == csv_row["title"].removeprefix("'")  # Cyrillic intact; the CSV's ' is a cell style
            stamp = csv_row["published_at"]
            cell = cells[published]
            if stamp:
                assert cell.is_date, (stamp, cell.value, cell.number_format)
                expected = datetime.fromisoformat(stamp).replace(tzinfo=None) if "T" in stamp else \
                    date.fromisoformat(stamp)
                assert cell.value.date() == (expected.date() if isinstance(expected, datetime) else expected)
                if "T" in stamp:  # the source's wall-clock time, as in the CSV
                    assert cell.value == expected and cell.number_format == "yyyy-mm-dd hh:mm"
                else:
                    assert cell.number_format == "yyyy-mm-dd"
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{header[-1].column_letter}{len(data) + 1}"
        widths = {c: sheet.column_dimensions[header[i].column_letter].width for i, c in enumerate(columns)}
        assert widths["title"] >= 40 and widths["published_at"] >= 16


def test_windows_1251_and_offsets_read_right(crawled):
    feeds, _ = crawled
    _, rows = sheet_rows(feeds / "articles.xlsx")
    header, *data = rows
    columns = [cell.value for cell in header]
    by_source = {}
    for cells in data:
        by_source.setdefault(cells[columns.index("source_id")].value, []).append(cells)
    assert len(by_source["zsko"]) == 12 and len(by_source["zskuzbass"]) == 14
    assert all("Киров" in (cells[columns.index("region")].value or "") for cells in by_source["zsko"])
    timed = [cells[columns.index("published_at")].value for cells in by_source["zskuzbass"]]
    assert any(value.hour or value.minute for value in timed)  # times kept, in Novokuznetsk's wall clock


def test_no_formula_and_cells_within_excels_limit(crawled):
    feeds, _ = crawled
    for name in ("articles", "mentions"):
        _, rows = sheet_rows(feeds / f"{name}.xlsx")
        for cells in rows:
            for cell in cells:
                assert cell.data_type != "f", cell.value
                if isinstance(cell.value, str):
                    assert len(cell.value) <= MAX_CELL_CHARS
    _, rows = sheet_rows(feeds / "articles.xlsx")
    header, *data = rows
    columns = [cell.value for cell in header]
    titles = {cells[columns.index("title")].value: cells for cells in data}
    hyperlink = titles[ARTICLES["/news/501-hyperlink/"][0]]
    assert hyperlink[columns.index("title")].quotePrefix  # shown as typed, read as text
    assert hyperlink[columns.index("source_name")].value == "=Дума «Формула»"
    assert hyperlink[columns.index("text")].value.startswith("— В эти дни")
    huge = titles["Очень длинный отчёт о бюджете"][columns.index("text")].value
    assert len(huge) == MAX_CELL_CHARS and huge.endswith("…")


def test_export_rewrites_the_workbooks_only_with_the_csv(crawled):
    feeds, config = crawled
    stamp = (feeds / "articles.xlsx").stat().st_mtime_ns
    result = run_cli("crawl", "--config", config, timeout=180)  # the sites are gone: nothing new
    assert result.returncode == 4  # every source failed (they are down)
    assert (feeds / "articles.xlsx").stat().st_mtime_ns == stamp
    exported = run_cli("export", "--config", config, check=True)
    assert "articles.xlsx: " in exported.stdout
    assert (feeds / "articles.xlsx").stat().st_mtime_ns != stamp


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_workbook(crawled, tmp_path):
    """LibreOffice loads articles.xlsx and saves it again: Cyrillic, date cells and no formula survive."""
    feeds, _ = crawled
    out = tmp_path / "lo"
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to",
         "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(feeds / "articles.xlsx")],
        capture_output=True, text=True, timeout=180)
    resaved = out / "articles.xlsx"
    assert resaved.exists(), result.stdout + result.stderr
    _, ours = sheet_rows(feeds / "articles.xlsx")
    _, theirs = sheet_rows(resaved)
    assert len(theirs) == len(ours)
    columns = [cell.value for cell in theirs[0]]
    published, title = columns.index("published_at"), columns.index("title")
    for mine, lo in zip(ours[1:], theirs[1:], strict=True):
        assert lo[title].value == mine[title].value
        assert (lo[published].value is None) == (mine[published].value is None)
        if mine[published].value is not None:
            assert lo[published].is_date and lo[published].value == mine[published].value
        assert all(cell.data_type != "f" for cell in lo)
    assert any("Киров" in (row[columns.index("region")].value or "") for row in theirs[1:])
