"""Turn a fetched page into a clean ``title`` and body ``text`` with trafilatura.

Menus, sidebars («Другие новости»), share buttons and footers are left out; paragraphs are kept,
one per line. A source profile may name CSS/XPath selectors for ``title`` and ``body`` when
trafilatura needs help. A page with no extractable body is dropped (and counted as an empty page
for the source's health), never stored.
"""

from __future__ import annotations

import logging
import re

import lxml.html
import trafilatura
from scrapy.exceptions import DropItem
from scrapy.selector import Selector

from crawler.content import CONTROL_CHARS
from crawler.discovery import canonical_link

__all__ = ["CleanPipeline", "EmptyPage", "extract", "extract_from_tree", "tidy"]

logging.getLogger("trafilatura").setLevel(logging.ERROR)  # "discarding data" on every listing otherwise

MIN_TEXT_CHARS = 200
RELATED_HEADING = re.compile(
    r"^\s*(?:другие|последние|похожие|популярные|главные|свежие|ещё|еще|все)?\s*"
    r"(?:новости|материалы|записи|публикации|статьи)(?:\s+(?:по\s+теме|раздела|дня|думы))?\s*:?\s*$|"
    r"^\s*(?:читайте|смотрите)\s+(?:также|еще|ещё)\s*:?\s*$|^\s*(?:популярное|по\s+теме|лента\s+новостей)\s*:?\s*$",
    re.IGNORECASE,
)
MAX_BLOCK_CHARS = 4000
LONG_PARAGRAPH = 400
MAX_UNLINKED_CHARS = 400  # a block of other headlines is links and dates; an article's text is not
SPACES = re.compile(r"[ \t\u00a0\u200b]+")
TITLE_SUFFIX = re.compile(r"\s+[|–—-]\s+[^|–—-]{3,80}$")


class EmptyPage(DropItem):
    """The page yielded no article text (a listing, a stub, a page built by JavaScript...)."""


def parse_page(html: str) -> lxml.html.HtmlElement | None:
    """The page as an lxml tree (None when it is not HTML at all)."""
    try:
        return lxml.html.document_fromstring(html)
    except ValueError:  # a str with an XML encoding declaration
        try:
            return lxml.html.document_fromstring(html.encode("utf-8", "replace"),
                                                 parser=lxml.html.HTMLParser(encoding="utf-8"))
        except (ValueError, lxml.etree.ParserError):
            return None
    except lxml.etree.ParserError:
        return None


def _unlinked_chars(element) -> int:
    text = len(" ".join(element.text_content().split()))
    linked = sum(len(" ".join(a.text_content().split())) for a in element.iter("a"))
    return text - linked


def _holds_article_text(element) -> bool:
    """Prose that is not links: an article's body, where a block of other headlines has only dates."""
    return _unlinked_chars(element) > MAX_UNLINKED_CHARS or any(
        len(p.text_content()) >= LONG_PARAGRAPH for p in element.iter("p"))


def drop_related_blocks(tree) -> int:
    """Remove «Другие новости», «Читайте также», «Последние записи» blocks; returns how many.

    From each such heading, climb to the largest ancestor that still holds no article paragraph
    and little text, and drop it: trafilatura keeps such columns on table-layout sites.
    """
    removed = 0
    for heading in list(tree.iter("h1", "h2", "h3", "h4", "h5", "h6", "b", "strong", "div", "span", "td", "p")):
        if heading.getparent() is None or len(heading) > 2:
            continue
        if not RELATED_HEADING.match(heading.text_content() or ""):
            continue
        block = heading
        while True:
            parent = block.getparent()
            if parent is None or parent.tag in ("body", "html") or _holds_article_text(parent) \
                    or len(parent.text_content()) > MAX_BLOCK_CHARS or len(parent.xpath(".//h1")) > 0:
                break
            block = parent
        if block is not heading and block.getparent() is not None:
            block.drop_tree()
            removed += 1
    return removed


def tidy(text: str) -> str:
    """Control characters out, spaces folded, blank lines dropped, lines stripped."""
    text = CONTROL_CHARS.sub("", text or "").replace("\r\n", "\n").replace("\r", "\n")
    lines = (SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def select_text(html: str, selector: str) -> str:
    """Text of the first element matched by a CSS selector or (starting with ``/``) an XPath."""
    sel = Selector(text=html)
    found = sel.xpath(selector) if selector.lstrip("(").startswith("/") else sel.css(selector)
    if not found:
        return ""
    return tidy("\n".join(found[0].xpath(".//text()[normalize-space()]").getall()))


TITLE_SEPARATORS = re.compile(r"\s+(?:::|\||—|–|-|/|»|:)\s+")


def title_from_tree(tree) -> str:
    """The headline: the page's only <h1>, else the part of <title>/og:title that is not the site's name."""
    h1s = [tidy(h.text_content()).replace("\n", " ") for h in tree.iter("h1")]
    h1s = [h for h in h1s if 3 <= len(h) <= 400]
    if len(h1s) == 1:
        return h1s[0]
    candidates = tree.xpath("//meta[@property='og:title']/@content") + [t.text_content() for t in tree.iter("title")]
    body = tree.find("body")
    body_text = " ".join(body.text_content().split()).casefold() if body is not None else ""
    for candidate in candidates:
        value = " ".join(str(candidate).split())
        if not value:
            continue
        parts = [part for part in TITLE_SEPARATORS.split(value) if len(part) >= 3]
        if len(parts) <= 1:
            return value
        # the site's name stands in the header and footer too; the headline once, or not at all
        return min(parts, key=lambda part: (body_text.count(part.casefold()), -len(part)))
    return h1s[0] if h1s else ""


def paragraph_cluster(tree) -> str:
    """Fallback body: the paragraphs of the element that holds the most paragraph text.

    trafilatura finds nothing in some table-layout pages; their text still stands in <p> elements
    side by side in one cell.
    """
    best, best_size = None, 0
    for element in tree.iter():
        paragraphs = [child for child in element if child.tag == "p"]
        size = sum(len(p.text_content()) for p in paragraphs)
        if size > best_size:
            best, best_size = paragraphs, size
    return tidy("\n".join(p.text_content() for p in best)) if best else ""


def _trafilatura_text(tree, url: str, fast: bool) -> str:
    """trafilatura's main extractor on the tree itself (it works on a copy: no reparse).

    ``fast`` skips its readability/justext comparison, which costs a third of its time and changes
    nothing on a page whose article text the main extractor finds; the slow path runs only when it
    does not.
    """
    document = trafilatura.bare_extraction(
        tree, url=url, include_comments=False, include_tables=False, with_metadata=False,
        deduplicate=False, favor_precision=True, fast=fast,
    )
    return tidy(document.text or "") if document is not None else ""


def extract(html: str, url: str, title_selector: str | None = None, body_selector: str | None = None) -> tuple[str, str]:
    """(title, text) of an article page; text is "" when the page has no article body."""
    tree = parse_page(html)
    if tree is None:
        return "", ""
    return extract_from_tree(tree, html, url, title_selector, body_selector)


def extract_from_tree(tree, html: str, url: str, title_selector: str | None = None,
                      body_selector: str | None = None) -> tuple[str, str]:
    """:func:`extract` on a page already parsed by :func:`parse_page` (the tree is changed)."""
    title = select_text(html, title_selector).replace("\n", " ") if title_selector else ""
    title = title or title_from_tree(tree)
    text = select_text(html, body_selector) if body_selector else ""
    if not text:
        drop_related_blocks(tree)
        for node in list(tree.iter(lxml.etree.Comment, lxml.etree.ProcessingInstruction)):
            node.drop_tree()  # as trafilatura's own parser drops them
        text = _trafilatura_text(tree, url, fast=True)
        if len(text) < MIN_TEXT_CHARS:  # the fast path found too little: let trafilatura try its fallbacks
            text = _trafilatura_text(tree, url, fast=False) or text
        if len(text) < MIN_TEXT_CHARS:
            fallback = paragraph_cluster(tree)
            if len(fallback) > len(text):
                text = fallback
    return title[:1000], text


class CleanPipeline:
    """Fills ``title``, ``text`` and ``canonical_url``; drops pages without an article body."""

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls()
        pipeline.crawler = crawler
        return pipeline

    @staticmethod
    def _note(spider, item, message: str) -> None:
        """Name the page in the run's details (not counted as an error: health watches empty pages)."""
        note = getattr(spider, "note_problem", None)
        if note is not None:
            note(item["source_id"], message)

    def process_item(self, item, spider=None):
        spider = spider or self.crawler.spider
        source = spider.sources[item["source_id"]]
        try:
            tree = parse_page(item["html"])
            title, text = "", ""
            if tree is not None:
                # the page's own canonical link, read from the one parse of the page (dedupe uses it)
                item["canonical_url"] = item.get("canonical_url") or canonical_link(tree, item["url"])
                title, text = extract_from_tree(tree, item["html"], item["url"], source.title, source.body)
        except Exception as exc:  # trafilatura or lxml choking on a hostile page: report, never crash
            spider.count(item["source_id"], "empty_pages")
            self._note(spider, item, f"cannot extract {item['url']}: {type(exc).__name__}: {exc}"[:300])
            raise EmptyPage(f"cannot extract {item['url']}: {type(exc).__name__}: {exc}"[:300]) from None
        if len(text) < MIN_TEXT_CHARS:
            spider.count(item["source_id"], "empty_pages")
            self._note(spider, item, f"no article text on {item['url']} ({len(text)} characters)")
            raise EmptyPage(f"no article text on {item['url']} ({len(text)} characters)")
        first, _, rest = text.partition("\n")
        if title and rest and first.strip().casefold() == title.strip().casefold():
            text = rest  # the headline repeated as the body's first line
        title = title or first[:200]  # no headline on the page: the first line stands in, and stays in the text
        item["title"] = title
        item["text"] = text
        return item
