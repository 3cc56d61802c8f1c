"""The generic spider's rules: what is an article, a listing, a next page, a listing row's date."""

import pytest

from crawler.spiders.discovery import (
    date_beside,
    is_news_listing_link,
    links,
    looks_like_article,
    next_page_links,
    parse_html,
)
from crawler.spiders.syndication import parse_feed, parse_sitemap


@pytest.mark.parametrize("url", [
    "https://volgoduma.ru/press-center/news/1193/",
    "https://zskuzbass.ru/2026/11/03/gazifikaciya-chastnogo-sektora-itogi/",
    "http://zsko.ru/news.php?id=522",
    "https://duma.ru/news/detail.php?ELEMENT_ID=40123",
    "http://old.elkurultay.ru/press-tsentr/news/187-spiker-priglashaet-deputatov-vsekh-sozyvov",
    "https://duma.ru/novosti/deputaty-obsudili-byudzhet-na-2027-god/",
    "https://duma.ru/archive/2026/11/05/vstrecha-s-veteranami/",
])
def test_articles(url):
    assert looks_like_article(url)


@pytest.mark.parametrize("url", [
    "https://volgoduma.ru/",
    "https://volgoduma.ru/press-center/news/",
    "https://volgoduma.ru/press-center/news/?PAGEN_1=2",
    "http://zsko.ru/news.php?page=2",
    "https://zskuzbass.ru/category/news/page/2/",
    "https://zskuzbass.ru/tag/gazifikaciya/",
    "https://volgoduma.ru/deputies/ivanov/",
    "https://volgoduma.ru/contacts/",
    "https://volgoduma.ru/upload/iblock/zakon-123.pdf",
    "https://volgoduma.ru/documents/postanovlenie-ob-utverzhdenii-plana/",
    "https://zskuzbass.ru/2026/11/",
    "mailto:press@duma.ru",
])
def test_not_articles(url):
    assert not looks_like_article(url)


def test_article_pattern_decides_alone():
    assert looks_like_article("https://x.ru/deputies/news-77", pattern=r"/news-\d+")
    assert not looks_like_article("https://x.ru/press-center/news/1193/", pattern=r"/news-\d+")


@pytest.mark.parametrize(("text", "url", "expected"), [
    ("Новости", "https://x.ru/info/", True),
    ("Пресс-центр", "https://x.ru/press/", True),
    ("Новости парламента", "https://x.ru/np/", True),
    ("Все новости", "https://x.ru/all/", True),
    ("Контакты", "https://x.ru/contacts/", False),
    ("Законы", "https://x.ru/laws/", False),
    ("", "https://x.ru/news/", True),
])
def test_news_listing_links(text, url, expected):
    assert is_news_listing_link(text, url) is expected


def test_next_page_is_only_the_next_one():
    html = """<div class="pager"><b>1</b> <a href="/news/?PAGEN_1=2">2</a> <a href="/news/?PAGEN_1=3">3</a>
              <a href="/news/?PAGEN_1=9">9</a></div>"""
    assert next_page_links(parse_html(html), "https://x.ru/news/") == ["https://x.ru/news/?PAGEN_1=2"]
    assert next_page_links(parse_html(html), "https://x.ru/news/?PAGEN_1=3") == ["https://x.ru/news/?PAGEN_1=9"]
    wp = '<a class="next page-numbers" rel="next" href="/category/news/page/2/">Следующая »</a>'
    assert next_page_links(parse_html(wp), "https://x.ru/category/news/") == ["https://x.ru/category/news/page/2/"]


def test_date_beside_headline_not_from_the_neighbour_row():
    html = """<ul><li><span class="date">24.11.2026</span> <a href="/news/2/">Вторая</a></li>
              <li><a href="/news/1/">Первая</a> <i>12 ноября 2026 г., 14:30</i></li>
              <li><a href="/news/0/">Без даты</a></li></ul>"""
    found = {url: date_beside(anchor) for url, _, anchor in links(parse_html(html), "https://x.ru/")}
    assert found == {"https://x.ru/news/2/": "24.11.2026", "https://x.ru/news/1/": "12 ноября 2026 г., 14:30",
                     "https://x.ru/news/0/": None}


def test_rss_and_atom_entries():
    rss = b"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>
      <item><title>A</title><link>https://x.ru/2026/11/03/a/</link><guid isPermaLink="false">x-1</guid>
      <pubDate>Tue, 03 Nov 2026 01:30:00 +0700</pubDate></item></channel></rss>"""
    assert parse_feed(rss, "https://x.ru/feed/") == [("https://x.ru/2026/11/03/a/", "Tue, 03 Nov 2026 01:30:00 +0700")]
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="alternate" href="/news/5/"/>
      <published>2026-11-03T01:30:00+07:00</published><updated>2026-11-20T00:00:00+07:00</updated></entry></feed>"""
    assert parse_feed(atom, "https://x.ru/") == [("https://x.ru/news/5/", "2026-11-03T01:30:00+07:00")]
    assert parse_feed(b"<html>not a feed", "https://x.ru/") == []


def test_sitemap_and_index():
    urlset = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>https://x.ru/news/1/</loc><lastmod>2026-11-01</lastmod></url></urlset>"""
    assert parse_sitemap(urlset) == ("urlset", [("https://x.ru/news/1/", "2026-11-01")])
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>https://x.ru/sitemap-news.xml</loc></sitemap></sitemapindex>"""
    assert parse_sitemap(index) == ("sitemapindex", [("https://x.ru/sitemap-news.xml", None)])
    assert parse_sitemap(b"garbage") == ("", [])
