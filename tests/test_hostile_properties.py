"""Property tests: random bytes, random markup and random Russian text never break the pipeline functions.

Each function a hostile page reaches is fed what hypothesis invents, and must return normally:
``pipelines.clean.extract``, ``pipelines.date_evidence.find_published`` (without falling back on its
"failed" path, which would log a traceback), the watch matcher, ``crawler.download.content`` (charset repair and
markup sanitising) and ``crawler.report.spreadsheet.safe_cell`` (no result a spreadsheet would evaluate).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.download.content import binary_kind, decode_page, sanitize_markup
from crawler.report.spreadsheet import safe_cell
from pipelines.clean import extract
from pipelines.date_evidence import find_published
from pipelines.matcher import WatchMatcher
from pipelines.watchlist import load_watchlist

FETCHED = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

RUSSIAN = st.text(alphabet=st.sampled_from(
    list("абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ .,;:!?-—«»()0123456789\n\t№")
), max_size=400)
TAGS = st.sampled_from(["div", "p", "span", "h1", "h2", "title", "article", "time", "script", "table", "td",
                        "a", "meta", "br", "b", "noscript", "style", "html", "body", "head"])
ATTRS = st.sampled_from(["", " class='date'", " datetime='2026-11-02T10:00'", " itemprop='datePublished'",
                         " property='article:published_time' content='2026-13-45'", " href='/news/1/'",
                         " class='news-date-time'", " content='вчера'", " id='\x00'"])
DATES = st.sampled_from(["01.11.2026", "1 ноября 2026 г.", "вчера, 14:30", "сегодня", "2026-11-02T25:61",
                         "31.02.2026", "0000-00-00", "9999-99-99", "12:00", "3 марта", "99.99.99", ""])


@st.composite
def markup(draw, depth: int = 0) -> str:
    """Random, often unbalanced, HTML with Russian text, dates and junk."""
    parts = []
    for _ in range(draw(st.integers(0, 6))):
        choice = draw(st.integers(0, 5))
        if choice == 0 and depth < 6:
            tag = draw(TAGS)
            inner = draw(markup(depth + 1))
            close = draw(st.sampled_from([f"</{tag}>", "", f"</{draw(TAGS)}>"]))
            parts.append(f"<{tag}{draw(ATTRS)}>{inner}{close}")
        elif choice == 1:
            parts.append(draw(DATES))
        elif choice == 2:
            parts.append(draw(st.text(max_size=60)))
        else:
            parts.append(draw(RUSSIAN))
    return "".join(parts)


WATCHLIST = load_watchlist({
    "names": [{"name": "Александр Блошкин", "aliases": ["Блошкин А.В."]}, {"name": "Ирина Гусева"}],
    "topics": [{"name": "Память о Сталинградской битве", "keywords": ["Сталинградская битва"]}],
}, "watchlist.yaml")
MATCHER = WatchMatcher(WATCHLIST)


class _FailureLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.records.append(record)


def no_traceback_logged(function, *args):
    handler = _FailureLog()
    logger = logging.getLogger("pipelines")
    logger.addHandler(handler)
    try:
        result = function(*args)
    finally:
        logger.removeHandler(handler)
    assert not handler.records, f"{function.__name__} fell back after: {handler.records[0].getMessage()}"
    return result


@SETTINGS
@given(st.binary(max_size=3000))
def test_random_bytes_through_the_page_path(body):
    kind = binary_kind(body)
    decoded = decode_page(body, "utf-8")
    text = decoded[0] if decoded else body.decode("utf-8", errors="replace")
    html = sanitize_markup(text)
    assert "\x00" not in html
    title, clean_text = extract(html, "http://duma.example/news/1/")
    assert isinstance(title, str) and isinstance(clean_text, str) and len(title) <= 1000
    assert kind is None or isinstance(kind, str)
    result = no_traceback_logged(find_published, html, "http://duma.example/news/1/", "Europe/Moscow", FETCHED, [])
    assert isinstance(result, str)


@SETTINGS
@given(markup(), st.lists(DATES, max_size=3))
def test_random_markup_through_clean_and_dates(html, hints):
    title, text = extract(sanitize_markup(html), "http://duma.example/2026/11/02/novost/")
    assert "\x00" not in title + text
    value = no_traceback_logged(find_published, html, "http://duma.example/2026/11/02/novost/",
                                "Asia/Kamchatka", FETCHED, hints)
    assert value == "" or value[:4].isdigit()


@SETTINGS
@given(RUSSIAN, RUSSIAN)
def test_random_russian_text_through_the_matcher(title, text):
    mentions = MATCHER.find(title, text + " Блошкин А.В. выступил. Сталинградская битва")
    assert {m.kind for m in mentions} <= {"name", "topic"}
    for mention in mentions:
        assert mention.watch in {"Александр Блошкин", "Ирина Гусева", "Память о Сталинградской битве"}


@SETTINGS
@given(st.text(max_size=300))
def test_random_unicode_through_the_matcher(text):
    MATCHER.find(text, text)


FORMULA = ("=", "+", "-", "@", "\t", "\r")


@SETTINGS
@given(st.one_of(st.text(max_size=200), RUSSIAN,
                 st.tuples(st.sampled_from(["=", "+", "-", "@", " =", "\t=", "\r+", " \u00a0-", "- ", "-В"]),
                           st.text(max_size=50)).map("".join)))
def test_safe_cell_never_a_formula(value):
    cell = safe_cell(value)
    assert not cell.lstrip(" \u00a0\n").startswith(FORMULA), repr(cell)
    assert not any(ch in cell for ch in "\x00\x07\x1b")


def test_speech_dash_stays_readable():
    assert safe_cell("- В эти дни в области проходят мероприятия") == "— В эти дни в области проходят мероприятия"
    assert safe_cell("-Депутаты поддержали") == "— Депутаты поддержали"
    assert safe_cell("=HYPERLINK(\"http://evil\")") == "'=HYPERLINK(\"http://evil\")"
    assert safe_cell("+7 (8442) 30-70-00") == "'+7 (8442) 30-70-00"
    assert safe_cell("  @user") == "'@user"
    assert safe_cell("\t=1+1") == "'=1+1"
