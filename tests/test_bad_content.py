"""Bad content, crawled for real: lying charsets, KOI8-R, mixed encodings, NULs, deep markup, absurd titles.

One crawl of a loopback site whose listing links to one article per kind of bad content; every
article must come out in ``articles.csv`` as readable Cyrillic (exact phrases, no mojibake), without
control characters, with a sane title.
"""

from __future__ import annotations

import pytest

from conftest import next_loopback_address, read_csv, run_cli, write_config
from fault_server import BytesSite

pytestmark = pytest.mark.e2e

LEAD = "Депутаты областной думы рассмотрели {topic} на заседании профильного комитета."
BODY = ("Председатель комитета подчеркнул, что решение принято после обсуждения с жителями районов, "
        "общественными организациями и представителями местного самоуправления. Замечания, высказанные "
        "в ходе публичных слушаний, учтены при подготовке документа ко второму чтению.")
TAIL = "Следующее заседание комитета пройдёт через две недели; Ёлкин и ёмкость на месте."
QUOTES = "Цитата: «кавычки-ёлочки» — и длинное тире № 5."  # not in KOI8-R: only on the other pages
KOI8 = ("404-koi8r", "405-koi8r-labelled-utf8")

TOPICS = {
    "401-header-utf8-body-cp1251": "закон о поддержке пчеловодства",
    "402-meta-only-cp1251": "программу газификации сёл",
    "403-bom-vs-header": "отчёт контрольно-счётной палаты",
    "404-koi8r": "поправки в устав области",
    "405-koi8r-labelled-utf8": "закон о народных промыслах",
    "406-mixed-encodings": "обращение к правительству о паводке",
    "407-header-cp1251-body-utf8": "закон о молодёжной политике",
    "408-control-chars": "порядок выплат ветеранам труда",
    "409-deep-nesting": "законопроект о туризме",
    "410-long-title": "бюджет территориального фонда",
    "411-whitespace-title": "закон об охране лесов",
}
DEPTH = 10_000


def lead(key: str) -> str:
    return LEAD.format(topic=TOPICS[key])


def title_of(key: str) -> str:
    return f"Рассмотрен {TOPICS[key]}"


def page(key: str, *, head: str = "", title: str | None = None, h1: str | None = None, body_extra: str = "",
         wrap: tuple[str, str] = ("", "")) -> str:
    title = title_of(key) if title is None else title
    h1 = title if h1 is None else h1
    quotes = "" if key in KOI8 else f"<p>{QUOTES}</p>"
    paragraphs = f"<p>{lead(key)}</p><p>{BODY}</p>{body_extra}<p>{TAIL}</p>{quotes}"
    return (f"<!DOCTYPE html><html lang='ru'><head>{head}<title>{title}</title></head><body>"
            f"<nav><a href='/'>Главная</a> <a href='/news/'>Новости</a></nav>"
            f"{wrap[0]}<article><h1>{h1}</h1>{paragraphs}</article>{wrap[1]}<footer>© Дума</footer></body></html>")


def build_pages() -> dict[str, tuple[bytes, str]]:
    html = "text/html"
    pages = {
        "401-header-utf8-body-cp1251": (page("401-header-utf8-body-cp1251").encode("cp1251"),
                                        f"{html}; charset=utf-8"),
        "402-meta-only-cp1251": (page("402-meta-only-cp1251", head="<meta http-equiv='Content-Type' "
                                      "content='text/html; charset=windows-1251'>").encode("cp1251"), html),
        "403-bom-vs-header": (b"\xef\xbb\xbf" + page("403-bom-vs-header").encode("utf-8"),
                              f"{html}; charset=windows-1251"),
        "404-koi8r": (page("404-koi8r", head="<meta charset='koi8-r'>").encode("koi8_r"), f"{html}; charset=KOI8-R"),
        "405-koi8r-labelled-utf8": (page("405-koi8r-labelled-utf8").encode("koi8_r"), f"{html}; charset=utf-8"),
        "406-mixed-encodings": (
            page("406-mixed-encodings", body_extra="<p>@@LEGACY@@</p>").encode("utf-8").replace(
                b"@@LEGACY@@", "Текст вставлен из старой системы в кодировке Windows-1251.".encode("cp1251")),
            f"{html}; charset=utf-8"),
        "407-header-cp1251-body-utf8": (page("407-header-cp1251-body-utf8").encode("utf-8"),
                                        f"{html}; charset=windows-1251"),
        "408-control-chars": (
            page("408-control-chars", title="Рассмотрен\x00 порядок\x07 выплат ветеранам труда\x1b",
                 body_extra="<p>Служебная\x00 строка\x0b с\x1f управляющими\x08 символами и сведениями о выплатах "
                            "ветеранам.</p>").encode("utf-8"),
            f"{html}; charset=utf-8"),
        "409-deep-nesting": (page("409-deep-nesting", wrap=("<div>" * DEPTH, "</div>" * DEPTH)).encode("utf-8"),
                             f"{html}; charset=utf-8"),
        "410-long-title": (
            page("410-long-title", title="Бюджет фонда " * 2000, h1="Бюджет фонда " * 2000,
                 body_extra="<p>" + "очень длинная строка без переносов " * 6000 + "</p>").encode("utf-8"),
            f"{html}; charset=utf-8"),
        "411-whitespace-title": (page("411-whitespace-title", title=" \t\u00a0 \n ", h1="   ").encode("utf-8"),
                                 f"{html}; charset=utf-8"),
    }
    listing = "".join(f"<li><a href='/news/{key}/'>Новость {key}</a></li>" for key in pages)
    site = {f"/news/{key}/": value for key, value in pages.items()}
    site["/news/"] = (f"<html><head><meta charset='utf-8'><title>Новости</title></head><body><h1>Новости</h1>"
                      f"<ul>{listing}</ul></body></html>".encode(), "text/html; charset=utf-8")
    site["/"] = ("<html><head><meta charset='utf-8'></head><body><a href='/news/'>Новости</a></body></html>"
                 .encode(), "text/html; charset=utf-8")
    return site


MOJIBAKE = ("Ð", "Ã", "Р В", "РЎ", "Рџ", "вЂ", "\ufffd", "Ñ", "�")


@pytest.fixture(scope="module")
def articles(tmp_path_factory):
    directory = tmp_path_factory.mktemp("badcontent")
    site = BytesSite(build_pages(), host=next_loopback_address())
    try:
        entry = {"id": "badcontent", "name": "Дума с кривыми страницами", "region": "Тестовая область",
                 "url": site.base_url + "/", "timezone": "Europe/Moscow", "listing": [site.base_url + "/news/"],
                 "article_pattern": r"/news/\d{3}-[a-z0-9-]+/$"}
        config = write_config(directory, [entry], scrapy={"DOWNLOAD_TIMEOUT": 10, "RETRY_TIMES": 0})
        result = run_cli("crawl", "--config", config, timeout=120)
    finally:
        site.stop()
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-5000:]
    log = (directory / "logs" / "crawl.log").read_text(encoding="utf-8")  # Scrapy's own log
    assert "Traceback" not in log, log[-5000:]
    raw = (directory / "feeds" / "articles.csv").read_bytes()
    raw.decode("utf-8")  # valid UTF-8, as the feed contract says
    rows = read_csv(directory / "feeds" / "articles.csv")
    return {row["url"].rstrip("/").rsplit("/", 1)[-1]: row for row in rows}


@pytest.mark.parametrize("key", sorted(TOPICS))
def test_article_readable(articles, key):
    assert key in articles, f"{key} missing; got {sorted(articles)}"
    row = articles[key]
    assert lead(key) in row["text"]
    assert "Председатель комитета подчеркнул" in row["text"]
    if key == "410-long-title":
        assert len(row["text"]) <= 32_000 and row["text"].endswith("…")  # cut to a spreadsheet cell's size
        return
    assert TAIL in row["text"]
    if key not in KOI8:
        assert QUOTES in row["text"]
    for marker in MOJIBAKE:
        assert marker not in row["text"] + row["title"], (key, marker)


@pytest.mark.parametrize("key", ["401-header-utf8-body-cp1251", "402-meta-only-cp1251", "403-bom-vs-header",
                                 "404-koi8r", "405-koi8r-labelled-utf8", "407-header-cp1251-body-utf8"])
def test_title_readable_whatever_the_charset(articles, key):
    assert articles[key]["title"] == title_of(key)


def test_mixed_encodings_both_parts_readable(articles):
    assert "Текст вставлен из старой системы в кодировке Windows-1251." in articles["406-mixed-encodings"]["text"]


def test_control_characters_gone(articles):
    row = articles["408-control-chars"]
    for cell in row.values():
        assert not any(ord(ch) < 32 and ch not in "\n\r\t" for ch in cell), repr(cell[:200])
    assert row["title"] == "Рассмотрен порядок выплат ветеранам труда"
    assert "Служебная строка с управляющими символами" in row["text"]


def test_deep_nesting_survives(articles):
    assert lead("409-deep-nesting") in articles["409-deep-nesting"]["text"]


def test_long_title_truncated(articles):
    title = articles["410-long-title"]["title"]
    assert 0 < len(title) <= 1000
    assert title.startswith("Бюджет фонда")


def test_whitespace_title_replaced_by_text(articles):
    title = articles["411-whitespace-title"]["title"]
    assert title.strip() and title == title.strip()
    assert "закон об охране лесов" in title or "Депутаты" in title
