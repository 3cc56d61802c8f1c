"""Turn a fetched page into a clean ``title`` and body ``text`` with trafilatura.

Menus, sidebars («Другие новости»), share buttons and footers are left out; paragraphs are kept,
one per line. A source profile may name CSS/XPath selectors for ``title`` and ``body`` when
trafilatura needs help. A page with no extractable body is dropped (and counted as an empty page
for the source's health), never stored.
"""

from __future__ import annotations

import re

import lxml.html
import trafilatura
from scrapy.exceptions import DropItem
from scrapy.selector import Selector

MIN_TEXT_CHARS = 200
SPACES = re.compile(r"[ \t\u00a0\u200b]+")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TITLE_SUFFIX = re.compile(r"\s+[|–—-]\s+[^|–—-]{3,80}$")


class EmptyPage(DropItem):
    """The page yielded no article text (a listing, a stub, a page built by JavaScript...)."""


def tidy(text: str) -> str:
    """Control characters out, spaces folded, blank lines dropped, lines stripped."""
    text = CONTROL.sub("", text or "").replace("\r\n", "\n").replace("\r", "\n")
    lines = (SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def select_text(html: str, selector: str) -> str:
    """Text of the first element matched by a CSS selector or (starting with ``/``) an XPath."""
    sel = Selector(text=html)
    found = sel.xpath(selector) if selector.lstrip("(").startswith("/") else sel.css(selector)
    if not found:
        return ""
    return tidy("\n".join(found[0].xpath(".//text()[normalize-space()]").getall()))


def page_title(html: str) -> str:
    """Fallback title: the page's first <h1>, else og:title, else <title> without the site suffix."""
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return ""
    for xpath in ("//h1", "//meta[@property='og:title']/@content", "//title"):
        found = tree.xpath(xpath)
        if found:
            value = found[0] if isinstance(found[0], str) else found[0].text_content()
            value = tidy(value).replace("\n", " ")
            if value:
                return TITLE_SUFFIX.sub("", value) if xpath == "//title" else value
    return ""


def extract(html: str, url: str, title_selector: str | None = None, body_selector: str | None = None) -> tuple[str, str]:
    """(title, text) of an article page; text is "" when the page has no article body."""
    text = ""
    title = ""
    if body_selector:
        text = select_text(html, body_selector)
    if not text:
        document = trafilatura.bare_extraction(
            html, url=url, include_comments=False, include_tables=True, with_metadata=True,
            deduplicate=False, favor_precision=True,
        )
        if document is not None:
            text = tidy(document.text or "")
            title = tidy(document.title or "").replace("\n", " ")
    if title_selector:
        title = select_text(html, title_selector).replace("\n", " ") or title
    if not title or len(title) > 500:
        title = page_title(html) or title
    return title[:1000], text


class CleanPipeline:
    """Fills ``title`` and ``text``; drops pages without an article body."""

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls()
        pipeline.crawler = crawler
        return pipeline

    def process_item(self, item, spider=None):
        spider = spider or self.crawler.spider
        source = spider.sources[item["source_id"]]
        try:
            title, text = extract(item["html"], item["url"], source.title, source.body)
        except Exception as exc:  # trafilatura or lxml choking on a hostile page: report, never crash
            spider.count(item["source_id"], "empty_pages")
            raise EmptyPage(f"cannot extract {item['url']}: {type(exc).__name__}: {exc}") from None
        if len(text) < MIN_TEXT_CHARS:
            spider.count(item["source_id"], "empty_pages")
            raise EmptyPage(f"no article text on {item['url']} ({len(text)} characters)")
        title = title or text.split("\n", 1)[0][:200]
        first, _, rest = text.partition("\n")
        if rest and first.strip().casefold() == title.strip().casefold():
            text = rest  # the headline repeated as the body's first line
        item["title"] = title
        item["text"] = text
        return item
