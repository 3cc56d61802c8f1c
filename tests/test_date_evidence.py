"""Unit tests of pipelines.date_evidence and the dates stage: evidence order, traps, time zones."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.items import ArticleItem
from pipelines.date_evidence import DATE_SHAPE, date_shaped, find_published, url_date
from pipelines.page import Page
from pipelines.stages import Context, date

MOSCOW = "Europe/Moscow"
KEMEROVO = "Asia/Novokuznetsk"
FETCHED = datetime(2022, 11, 2, 10, 0, tzinfo=UTC)  # 13:00 in Moscow, 17:00 in Kemerovo
URL = "https://zsko.example.ru/press/news/12345/"

ARTICLE_TEXT = (
    "<p>Депутаты Законодательного Собрания на сессии приняли закон об областном бюджете на 2023 год "
    "в первом чтении.</p><p>Председатель комитета по бюджету рассказал о росте доходов.</p>"
)
OTHER_NEWS = (
    '<div class="news-list"><p class="news-item"><span class="news-date-time">02.11.2022</span> '
    '<a href="/press/news/12346/">Комитет обсудил ремонт школ</a></p>'
    '<p class="news-item"><span class="news-date-time">31.10.2022</span> '
    '<a href="/press/news/12340/">Депутаты встретились с ветеранами</a></p></div>'
)


def page(head: str = "", before: str = "", date_html: str = "", after: str = "", footer: str = "") -> str:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Закон о бюджете принят</title>{head}</head>
<body><div class="header"><a href="/"><img src="/logo.png" alt="ЗС"></a></div>
<table><tr><td class="left">{before}</td><td class="content">
<h1>Закон о бюджете принят в первом чтении</h1>
<div class="news-detail">{date_html}{ARTICLE_TEXT}</div>{after}
</td></tr></table>
<div class="footer">© 2005–2022 Законодательное Собрание{footer}</div></body></html>"""


def find(html: str, tz: str = MOSCOW, fetched: datetime = FETCHED, hints=(), url: str = URL) -> str:
    return find_published(html, url, tz, fetched, hints)


# -- structured metadata ---------------------------------------------------------------------------------


def test_json_ld_date_published():
    head = ('<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",'
            '"datePublished":"2022-10-30T16:20:00+03:00","dateModified":"2022-11-01T09:00:00+03:00"}</script>')
    assert find(page(head=head)) == "2022-10-30T16:20:00+03:00"


def test_json_ld_graph_prefers_the_article_and_skips_item_lists():
    head = ('<script type="application/ld+json">{"@graph":[{"@type":"ItemList","itemListElement":[{"@type":'
            '"NewsArticle","datePublished":"2022-11-01T10:00:00+03:00"}]},{"@type":"Article",'
            '"datePublished":"2022-10-20T08:00:00+03:00"}]}</script>')
    assert find(page(head=head)) == "2022-10-20T08:00:00+03:00"


def test_broken_json_ld_still_read():
    head = '<script type="application/ld+json">{"@type":"NewsArticle", "datePublished": "2022-10-30",}</script>'
    assert find(page(head=head)) == "2022-10-30"


def test_article_published_time_not_modified_time():
    head = ('<meta property="article:modified_time" content="2022-11-01T08:00:00+03:00">'
            '<meta property="article:published_time" content="2022-10-29T18:05:00+03:00">')
    assert find(page(head=head)) == "2022-10-29T18:05:00+03:00"


def test_utc_meta_converted_to_the_previous_utc_day_local_day():
    # 18:30 UTC on 31 October is 01:30 on 1 November in Kemerovo: the local day counts
    head = '<meta property="article:published_time" content="2022-10-31T18:30:00+00:00">'
    assert find(page(head=head), tz=KEMEROVO) == "2022-11-01T01:30:00+07:00"


def test_microdata_date_published():
    date_html = '<meta itemprop="datePublished" content="2022-10-03"><span>3 октября</span>'
    assert find(page(date_html=date_html)) == "2022-10-03"


def test_wordpress_time_published_not_updated():
    date_html = ('<span class="posted-on"><a href="/2022/10/28/zakon/" rel="bookmark">'
                 '<time class="updated" datetime="2022-11-01T12:00:00+03:00">01.11.2022</time>'
                 '<time class="entry-date published" datetime="2022-10-28T09:15:00+03:00">28.10.2022</time></a></span>')
    assert find(page(date_html=date_html)) == "2022-10-28T09:15:00+03:00"


def test_wordpress_published_updated_on_one_time_element():
    date_html = '<time class="entry-date published updated" datetime="2022-10-21T10:00:00+03:00">21.10.2022</time>'
    assert find(page(date_html=date_html)) == "2022-10-21T10:00:00+03:00"


def test_date_only_metadata_takes_the_time_from_the_visible_date():
    head = '<meta property="article:published_time" content="2022-11-01">'
    date_html = '<span class="news-date-time">01.11.2022 14:30</span>'
    assert find(page(head=head, date_html=date_html)) == "2022-11-01T14:30:00+03:00"


# -- the visible date ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date_html", "expected"),
    [
        ('<span class="news-date-time">01.11.2022</span>', "2022-11-01"),  # 1C-Bitrix
        ('<div class="news-date-time">01.11.2022 14:30:00</div>', "2022-11-01T14:30:00+03:00"),
        ('<span class="date">1 ноября 2022, 14:30</span>', "2022-11-01T14:30:00+03:00"),
        ('<span class="entry-date">1 ноября 2022</span>', "2022-11-01"),  # WordPress without datetime
        ('<p class="date">1 ноября 2022 г.</p>', "2022-11-01"),  # home-grown
        ('<td class="data">26.10.2022</td>', "2022-10-26"),
        ("<div><b>19.10.2022</b></div>", "2022-10-19"),  # no class at all
        ('<div class="info">Опубликовано: 28.10.2022 10:00 | Обновлено: 01.11.2022 12:00</div>',
         "2022-10-28T10:00:00+03:00"),
        ('<div class="article-dates"><span>Обновлено:</span> 01.11.2022 <br><span>Опубликовано:</span> 27.10.2022</div>',
         "2022-10-27"),
        ('<span class="news-date-time">31&nbsp;октября&nbsp;2022</span>', "2022-10-31"),
        ('<span class="news-date-time">01.11.22 14:30</span>', "2022-11-01T14:30:00+03:00"),
    ],
)
def test_visible_date_shapes(date_html, expected):
    assert find(page(date_html=date_html)) == expected


def test_sidebar_dates_are_ignored_before_and_after():
    date_html = '<span class="news-date-time">25.10.2022</span>'
    assert find(page(before=OTHER_NEWS, date_html=date_html, after=OTHER_NEWS)) == "2022-10-25"


def test_classless_other_news_block_is_ignored():
    before = ('<h4>Другие новости</h4><p><small>02.11.2022</small><br><a href="/n1">Встреча с избирателями</a></p>'
              '<p><small>01.11.2022</small><br><a href="/n2">Заседание комитета</a></p>')
    assert find(page(before=before, after="<p><small>11.10.2022</small></p>")) == "2022-10-11"


def test_date_at_the_bottom_of_the_article():
    after = '<p align="right"><i>Дата публикации: 24.10.2022</i></p>'
    assert find(page(after=after)) == "2022-10-24"


def test_today_in_the_page_header_is_not_the_date():
    html = page(date_html='<span class="news-date-time">20.10.2022</span>').replace(
        '<div class="header">', '<div class="header"><div class="today">Среда, 2 ноября 2022</div>'
    )
    assert find(html) == "2022-10-20"


def test_comment_dates_are_ignored():
    after = ('<div id="comments" class="comments-area"><ol class="comment-list"><li class="comment">'
             '<time datetime="2022-11-01T20:00:00+03:00">01.11.2022 в 20:00</time><p>Спасибо!</p></li></ol></div>')
    assert find(page(date_html='<span class="date">17 октября 2022</span>', after=after)) == "2022-10-17"


def test_relative_visible_dates_in_utc_plus_7():
    fetched = datetime(2022, 11, 1, 20, 30, tzinfo=UTC)  # 03:30 on 2 November in Kemerovo
    today = page(date_html='<span class="date">Сегодня, 01:15</span>')
    yesterday = page(date_html='<span class="date">Вчера, 23:50</span>')
    assert find(today, tz=KEMEROVO, fetched=fetched) == "2022-11-02T01:15:00+07:00"
    assert find(yesterday, tz=KEMEROVO, fetched=fetched) == "2022-11-01T23:50:00+07:00"


def test_day_month_without_year_is_last_year_when_ahead_of_today():
    assert find(page(date_html='<span class="date">3 ноября</span>')) == "2021-11-03"


def test_hours_ago():
    assert find(page(date_html='<span class="date">2 часа назад</span>')) == "2022-11-02T11:00:00+03:00"


# -- relative and year-less dates: the page's own clock ----------------------------------------------------


def header_today(widget: str, html: str) -> str:
    """The page with a date widget put in its header."""
    return html.replace('<div class="header">', f'<div class="header"><div class="top-info">{widget}</div>')


def test_relative_date_counts_from_the_day_the_header_shows():
    # an archived copy: the header still shows its day, the fetch is a year and a half later
    html = header_today("13 января 2021<br>время 17:29", page(date_html='<span class="date">сегодня в 11:40</span>'))
    assert find(html) == "2021-01-13T11:40:00+03:00"


def test_header_today_of_a_fresh_page_changes_nothing():
    html = header_today("Среда, 2 ноября 2022", page(date_html='<span class="date">Вчера, 18:00</span>'))
    assert find(html) == "2022-11-01T18:00:00+03:00"


def test_header_today_without_year_takes_the_copyright_year_the_weekday_agrees_with():
    # 7 June is a Sunday in 2026 and in 2020: the footer's «© 2005–2020» says which
    html = header_today("7 ИЮНЯ, ВОСКРЕСЕНЬЕ", page(date_html='<span class="date">сегодня, 18:06</span>'))
    html = html.replace("© 2005–2022", "© 2005–2020")
    assert find(html, fetched=datetime(2026, 11, 20, 10, 0, tzinfo=UTC)) == "2020-06-07T18:06:00+03:00"


def test_header_today_ignored_when_several_dates_disagree():
    html = header_today("<span>1 октября 2021</span> <span>5 октября 2021</span>",
                        page(date_html='<span class="date">Сегодня, 14:35</span>'))
    assert find(html) == "2022-11-02T14:35:00+03:00"


def test_relative_date_contradicted_by_the_url_takes_the_urls_day_and_keeps_its_time():
    html = page(date_html='<span class="date">вчера в 16:19</span>')
    url = "https://gubvesti.example.ru/social/2021/03/15/prisyazhnye.html"
    assert find(html, url=url) == "2021-03-15T16:19:00+03:00"


def test_relative_day_one_off_the_url_kept_when_time_zones_explain_it():
    # 01:30 on 2 November in Kemerovo is 21:30 on 1 November in Moscow, where the CMS dates its URLs
    html = page(date_html='<span class="date">Сегодня, 01:30</span>')
    url = "https://duma.example.ru/2022/11/01/zasedanie/"
    assert find(html, tz=KEMEROVO, url=url) == "2022-11-02T01:30:00+07:00"
    # but not at 16:00: the page is a day-old copy
    html = page(date_html='<span class="date">Сегодня, 16:00</span>')
    assert find(html, tz=KEMEROVO, url=url) == "2022-11-01T16:00:00+07:00"


def test_yearless_date_takes_the_year_written_elsewhere_on_the_page():
    after = '<div class="more-news"><div class="feed-title">Четверг, 3 декабря 2020</div></div>'
    html = page(date_html="<p><b>ОМСК. 3 декабря. Агентство.</b></p>", after=after)
    assert find(html) == "2020-12-03"


def test_yearless_date_takes_the_year_of_the_url():
    html = page(date_html='<p class="post-info">Опубликовано 18 декабря в 12:30</p>')
    url = "https://gorportal.example.ru/2020/12/18/sessiya-dumy/"
    assert find(html, url=url) == "2020-12-18T12:30:00+03:00"


def test_yearless_date_with_its_weekday():
    # 10 December 2021 was a Friday, 10 December 2020 a Thursday
    assert find(page(date_html='<div class="date">Четверг, 10 декабря, 12:30</div>')) == "2020-12-10T12:30:00+03:00"


def test_a_dateline_class_naming_a_feed_is_not_a_feed():
    before = '<div class="b-news-feed-date b-news-date">28 октября 2022, 18:47</div>'
    after = '<div class="b-more-news"><div class="b-news-feed-date">Вторник, 1 ноября 2022</div></div>'
    assert find(page(before=before, after=after)) == "2022-10-28T18:47:00+03:00"


def test_agency_dateline_opening_a_long_paragraph():
    date_html = ("<p>ТВЕРЬ, 27 октября. /Корр. «Вестей Думы»/. Движение по новому мосту через Волгу откроют после "
                 "заседания комиссии Законодательного собрания по транспорту, которая примет работы подрядчика. "
                 "Об этом говорится в сообщении пресс-службы.</p>")
    assert find(page(date_html=date_html, after=OTHER_NEWS)) == "2022-10-27"


def test_a_long_paragraph_opening_with_a_lowercase_city_is_no_dateline():
    date_html = ("<p>в Твери, 27 октября, откроют новый мост через Волгу после заседания комиссии "
                 "Законодательного собрания по транспорту, которая примет работы подрядчика; об этом говорится "
                 "в сообщении пресс-службы регионального парламента.</p>")
    assert find(page(date_html=date_html)) == ""


# -- implausible dates -----------------------------------------------------------------------------------


def test_future_metadata_is_rejected_for_the_next_evidence():
    head = '<meta property="article:published_time" content="2023-05-01T10:00:00+03:00">'
    assert find(page(head=head, date_html='<span class="date">01.10.2022</span>')) == "2022-10-01"


def test_a_day_of_tolerance_for_the_future():
    head = '<meta property="article:published_time" content="2022-11-02T20:00:00+03:00">'
    assert find(page(head=head)) == "2022-11-02T20:00:00+03:00"


def test_too_old_metadata_is_rejected():
    head = '<meta property="article:published_time" content="1970-01-01T00:00:00+00:00">'
    assert find(page(head=head, date_html='<span class="date">30.09.2022</span>')) == "2022-09-30"


# -- outside the page: hints, URL, nothing -----------------------------------------------------------------


def test_rss_hint_when_the_page_has_no_date():
    html = page(after=OTHER_NEWS)
    assert find(html, tz=KEMEROVO, hints=["Tue, 01 Nov 2022 22:30:00 +0000"]) == "2022-11-02T05:30:00+07:00"


def test_listing_hint_and_bad_hints_skipped():
    assert find(page(after=OTHER_NEWS), hints=["", "не дата", "29.10.2022"]) == "2022-10-29"


def test_page_evidence_beats_hints():
    assert find(page(date_html='<span class="date">28.10.2022</span>'), hints=["29.10.2022"]) == "2022-10-28"


def test_url_date():
    assert find(page(), url="https://duma.example.ru/2022/10/15/zasedanie/") == "2022-10-15"
    assert url_date("https://duma.example.ru/news/20221016-priem.html").isoformat() == "2022-10-16"
    assert url_date("https://duma.example.ru/news/2022-10-17_priem/").isoformat() == "2022-10-17"
    assert url_date("https://duma.example.ru/news/17-10-2022/").isoformat() == "2022-10-17"
    assert url_date("https://duma.example.ru/news/12345678/") is None
    assert url_date("https://duma.example.ru/news/2022/10/") is None


def test_no_evidence_gives_empty_string():
    # only sidebar dates, the footer's © and an update notice: no publication date
    html = page(after=OTHER_NEWS, footer="<br>Обновлено: 01.11.2022")
    assert find(html) == ""


@pytest.mark.parametrize(
    "html",
    ["", "   ", "not html at all", '{"json": [1, 2, 3]}', "<html><body><h1>", "\x00\x01\x02 <p>01.11.2022",
     '<?xml version="1.0" encoding="windows-1251"?><html><body><p class="date">01.11.2022</p></body></html>',
     "<div>" * 5000 + "01.11.2022"],
)
def test_never_raises_on_odd_input(html):
    assert find(html) in ("", "2022-11-01")


def test_bytes_in_cp1251():
    html = page(date_html='<span class="news-date-time">27.10.2022</span>').replace("utf-8", "windows-1251")
    assert find(html.encode("cp1251")) == "2022-10-27"


# -- the fast test for date-shaped texts -------------------------------------------------------------------

DATE_PIECES = st.sampled_from(
    ["1", "12", "2022", "0", " ", "  ", "\u00a0", "\t", ".", "-", "/", ":", ",", "г.", "ноября", "Ноября", "НОЯБ.",
     "nov", "Dec.", "ſept", "мая", "самая", "сегодня", "Вчора", "назад", "\u1c80чера", "абв", "x", "й", "Четверг"]
)


@pytest.mark.parametrize("text", ["01.11.2022", "2022-11-01", "1 ноября", "ноября 2022", "Nov. 5", "самая 5",
                                  "5 ноябрьский", "ноябрь", "Сегодня", "2 часа назад", "Просмотров: 120", "",
                                  "тел. 30-77-00", "мая\u00a0\u00a07", "ноя.7"])
def test_date_shaped_examples(text):
    assert date_shaped(text) == bool(DATE_SHAPE.search(text))


@settings(max_examples=400, deadline=None)
@given(st.lists(DATE_PIECES, max_size=12).map("".join))
def test_date_shaped_is_date_shape(text):
    assert date_shaped(text) == bool(DATE_SHAPE.search(text))


# -- the dates stage ------------------------------------------------------------------------------------------


def _date_stage(item) -> str:
    """The crawl's dates stage (pipelines/stages.py) on one item, with no source profile."""
    return date(item, Page(item["html"], item["url"]), Context(None, None))["published_at"]


def test_dates_stage_sets_published_at():
    item = ArticleItem(
        url=URL,
        html=page(date_html='<span class="news-date-time">02.11.2022 01:30</span>'),
        timezone=KEMEROVO,
        fetched_at=FETCHED,
        date_hints=["01.11.2022"],
    )
    assert _date_stage(item) == "2022-11-02T01:30:00+07:00"


def test_dates_stage_uses_hints_and_tolerates_missing_ones():
    item = ArticleItem(url=URL, html=page(), timezone=MOSCOW, fetched_at=FETCHED)
    assert _date_stage(item) == ""
    item = ArticleItem(url=URL, html=page(), timezone=MOSCOW, fetched_at=FETCHED, date_hints=["Вчера, 18:00"])
    assert _date_stage(item) == "2022-11-01T18:00:00+03:00"
