"""Where the news of a site is, and which links are articles: the rules of the generic spider.

Pure functions over URLs and parsed pages, so each rule is tested on its own:
- news listings are found by their menu link text («Новости», «Пресс-центр», «Новости парламента»...);
- pagination by the shapes the Russian CMSs use (``?PAGEN_1=2``, ``?page=2``, ``/page/2/``, rel=next);
- an article URL by its shape (an id, a date path, a slug under a news section), never a file, tag,
  category, deputy, contact or document page, nor a listing itself; a source's ``article_pattern``
  overrides the guess;
- the date printed beside each headline in a listing is kept as evidence for the article's date.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urljoin, urlsplit

from lxml import etree
from w3lib.url import safe_url_string

from pipelines.markup import NEWS_LINK_TEXT
from pipelines.urlkeys import host_of

NEWS_PATH_SEGMENT = re.compile(
    r"^(?:news|novosti|novost|press|press-?cent(?:er|re|r)|press-?sluzhba|pressa|press-?releases?|sobytiya|"
    r"events|meropriyatiya|anonsy?|info|informaciya|publikacii|soobshcheniya|media|smi|lenta|posts?|blog|"
    r"article|articles|stati|materials?|novosti-dumy|news-list|\d{4})$",
    re.IGNORECASE,
)
NOT_ARTICLE_SEGMENTS = {
    "tag", "tags", "category", "categories", "author", "authors", "search", "deputies", "deputaty", "deputat",
    "deputy", "contacts", "contact", "kontakty", "documents", "document", "docs", "zakony", "laws",
    "upload", "uploads", "bitrix", "login", "auth", "register", "rss", "feed", "sitemap", "photo", "photos",
    "foto", "video", "videos", "gallery", "fotogalereya", "structure", "struktura", "about", "o-dume",
    "rukovodstvo", "komitety", "committees", "wp-admin", "wp-content", "wp-json", "wp-login.php",
    "calendar", "print", "share", "comments", "attachment", "xmlrpc.php",
    # seen on real legislature and government sites (issue #15): taxonomies, forms, banners, documents,
    # stenograms, reports, rubric listings
    "taxonomy", "term", "webform", "banner", "click", "ndoc", "stenogram", "stenograms", "stenogramma",
    "stenogrammy", "reports", "rubric", "rubrics", "rubrika", "section", "sections", "razdel",
}
YEAR_SLUG = re.compile(r"[-_](?:19|20)\d\d(?:\.s?html?|\.php)?$|(?:^|[-_])date-\d{4}-\d{2}-\d{2}", re.IGNORECASE)
FILE_EXTENSION = re.compile(
    r"\.(?:pdf|docx?|xlsx?|pptx?|rtf|odt|ods|zip|rar|7z|gz|tar|jpe?g|png|gif|webp|svg|bmp|ico|mp3|mp4|avi|"
    r"mov|wmv|flv|css|js|xml|json|txt|exe|apk)$",
    re.IGNORECASE,
)
PAGE_PARAM = re.compile(r"^(?:PAGEN_\d+|page|p|pg|paged|start|from|limitstart|offset|pagenum|list_page)$", re.I)
PAGE_PATH = re.compile(r"/page/\d+/?$|/page-\d+/?$|/p\d+/?$", re.IGNORECASE)
ID_PARAM = re.compile(r"^(?:id|element_id|news_id|nid|newsid|item|item_id|article|article_id|post|p|objectid|object_id)$",
                      re.I)
DATE_PATH = re.compile(r"/(?:19|20)\d\d/(?:0?[1-9]|1[0-2])(?:/(?:0?[1-9]|[12]\d|3[01]))?/")
DATE_ARCHIVE = re.compile(r"(?:.*/)?(?:19|20)\d\d/\d{1,2}(?:/\d{1,2})?|(?:19|20)\d\d")
SLUG = re.compile(r"^[\w%]+(?:[-_][\w%]+){2,}(?:\.s?html?|\.php)?$")
NUMERIC_ID = re.compile(r"^(?:[a-z_-]*?)\d{2,}(?:[-_][\w-]+)?(?:\.s?html?|\.php)?$", re.IGNORECASE)
LISTING_NAMES = {"news", "novosti", "press-center", "press-centr", "news-list", "arkhiv-novostey", "arhiv-novostey",
                 "arhiv_novostey", "pressrelease", "pressreleases", "press-releases", "press-relizy", "lenta-novostey",
                 "novosti-parlamenta", "novosti-dumy"}
LISTING_EXTENSION = re.compile(r"\.(?:s?html?|php|aspx?)$")
NEXT_TEXT = re.compile(r"^(?:следующая|далее|вперед|вперёд|next|»|>|>>|→|ещё|еще|показать ещё)\b", re.I)

LISTING_DATE = re.compile(
    r"(?:\b\d{1,2}[./]\d{1,2}[./](?:\d{4}|\d{2})\b(?:,?\s*(?:в\s*)?\d{1,2}:\d{2})?)|"
    r"(?:\b\d{1,2}\s+(?:января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)"
    r"(?:\s+\d{4})?(?:\s*(?:г\.|года))?(?:,?\s*(?:в\s*)?\d{1,2}:\d{2})?)|"
    r"(?:\b(?:сегодня|вчера)(?:,?\s*(?:в\s*)?\d{1,2}:\d{2})?)|"
    r"(?:\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:[+-]\d{2}:?\d{2}|Z)?)?)",
    re.IGNORECASE,
)


def is_pagination(url: str) -> bool:
    parts = urlsplit(url)
    if PAGE_PATH.search(parts.path):
        return True
    return any(PAGE_PARAM.match(k) and v.isdigit() for k, v in parse_qsl(parts.query))


def listing_base(url: str) -> str:
    """The URL of a listing without its page number: pages of one listing share it."""
    parts = urlsplit(url)
    path = PAGE_PATH.sub("/", parts.path)
    query = "&".join(f"{k}={v}" for k, v in parse_qsl(parts.query) if not PAGE_PARAM.match(k))
    return f"{parts.netloc}{path.rstrip('/')}?{query}"


def looks_like_article(url: str, pattern: str | None = None, trusted: bool = False) -> bool:
    """Does ``url`` look like a single news article?

    ``pattern`` (the source's ``article_pattern``) decides alone when given. ``trusted`` is for links
    that come from a feed entry, where the only question is whether the link is a page at all.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return False
    path = parts.path or "/"
    if FILE_EXTENSION.search(path):
        return False
    if pattern:
        return re.search(pattern, url) is not None
    if trusted:
        return path != "/" or bool(parts.query)
    segments = [s for s in path.lower().split("/") if s]
    if any(s in NOT_ARTICLE_SEGMENTS for s in segments):
        return False
    query = parse_qsl(parts.query)
    if any(ID_PARAM.match(k) and not PAGE_PARAM.match(k) and v.isdigit() for k, v in query):
        return True  # an item's id wins over a page number beside it (Info.aspx?id=1091416&page=429&type=news)
    if is_pagination(url):
        return False
    if any(ID_PARAM.match(k) and v.isdigit() for k, v in query):
        return True
    if not segments or DATE_ARCHIVE.fullmatch("/".join(segments)):
        return False  # the home page, or a day/month/year archive listing
    last = segments[-1]
    if YEAR_SLUG.search(last):
        return False  # «zakony-i-postanovleniya-2016.html», «date-2017-02-20.html»: a yearly section, a day archive
    if DATE_PATH.search(path if path.endswith("/") else path + "/") and (len(segments) >= 3 and not last.isdigit()
                                                                         or len(segments) >= 4):
        return True
    in_news = any(NEWS_PATH_SEGMENT.match(s) for s in segments[:-1])
    if NUMERIC_ID.match(last) and (in_news or len(segments) >= 2):
        return True
    return bool(SLUG.match(last)) and (in_news or len(segments) == 1)


def is_news_listing_link(text: str, url: str) -> bool:
    """A menu link to the news section: by its words, or by a path like ``/news/`` or ``/press-center/news/``."""
    words = " ".join(text.split()).strip(" :»«\"'").lower()
    if NEWS_LINK_TEXT.match(words):
        return True
    segments = [s for s in urlsplit(url).path.lower().split("/") if s]
    return bool(segments) and LISTING_EXTENSION.sub("", segments[-1]) in LISTING_NAMES and not urlsplit(url).query


def parse_html(html: str) -> etree._Element | None:
    try:
        root = etree.fromstring(html.encode("utf-8", "replace"), etree.HTMLParser(encoding="utf-8",
                                                                                    huge_tree=False))
    except (etree.ParserError, ValueError):
        return None
    return root


def links(root: etree._Element, base_url: str) -> list[tuple[str, str, etree._Element]]:
    """Every ``<a href>`` of the page as (absolute URL without fragment, link text, element)."""
    found = []
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        try:
            url = safe_url_string(urljoin(base_url, href)).split("#", 1)[0]
        except ValueError:
            continue
        found.append((url, " ".join("".join(anchor.itertext()).split()), anchor))
    return found


def date_beside(anchor: etree._Element, max_levels: int = 4) -> str | None:
    """The date printed in the listing row of ``anchor`` (the nearest ancestor holding only this link)."""
    href = anchor.get("href")
    node = anchor
    for _ in range(max_levels):
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        hrefs = {a.get("href") for a in parent.iter("a") if a.get("href")}
        if len(hrefs) > 2 or (len(hrefs) == 2 and href not in hrefs):
            break
        node = parent
        text = " ".join(" ".join(node.itertext()).split())
        for attr_date in node.xpath(".//time/@datetime"):
            return str(attr_date)
        match = LISTING_DATE.search(text)
        if match:
            return match.group(0)
    return None


def page_number(url: str) -> int:
    """The page number a listing URL names (1 when it names none)."""
    parts = urlsplit(url)
    found = re.search(r"/page[/-](\d+)/?$", parts.path)
    if found:
        return int(found.group(1))
    for key, value in parse_qsl(parts.query):
        if PAGE_PARAM.match(key) and value.isdigit():
            return int(value)
    return 1


def next_page_links(root: etree._Element, page_url: str) -> list[str]:
    """The link to the next page of the same listing: rel=next or «Следующая», else the next number.

    Only the next page, never all the numbered pages a pager shows at once, so that the spider can
    stop paging where the listing stops bringing new articles.
    """
    base = listing_base(page_url)
    current = page_number(page_url)
    numbered: dict[int, str] = {}
    for url, text, anchor in links(root, page_url):
        rel = (anchor.get("rel") or "").lower()
        if "next" in rel.split() or NEXT_TEXT.match(text):
            if host_of(url) == host_of(page_url) and not looks_like_article(url) and url != page_url:
                return [url]
        if is_pagination(url) and listing_base(url) == base:
            number = page_number(url)
            if number > current:
                numbered.setdefault(number, url)
    return [numbered[min(numbered)]] if numbered else []


def feed_links(root: etree._Element, base_url: str) -> list[str]:
    found = []
    for link in root.xpath("//link[@rel='alternate'][@href]"):
        kind = (link.get("type") or "").lower()
        if "rss" in kind or "atom" in kind:
            found.append(urljoin(base_url, link.get("href")))
    return found


