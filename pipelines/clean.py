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
from scrapy.selector import Selector

from pipelines.article_evidence import add_listing_signal, page_signals
from pipelines.errors import CountedDrop
from pipelines.markup import CONTROL_CHARS, NEWS_LINK_TEXT, canonical_link
from pipelines.page import Page, parse_page

__all__ = ["EmptyPage", "article_text", "clean_article", "headline_and_body", "extract", "extract_from_tree", "parse_page", "tidy"]

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


class EmptyPage(CountedDrop):
    """The page yielded no article text (a listing, a stub, a page built by JavaScript...)."""

    counter = "empty_pages"


HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6", "b", "strong", "div", "span", "td", "p")


def _text_content(element) -> str:
    """``element.text_content()``; an element without children is only its own text (read without XPath)."""
    return (element.text or "") if len(element) == 0 else element.text_content()


def _spaced_len(text: str) -> int:
    """Length of the text with its white space folded: ``len(" ".join(text.split()))``."""
    return len(" ".join(text.split()))


def _unlinked_chars(element, text: str | None = None) -> int:
    """Characters of the element's text (``text``, when already read) outside its links, spaces folded."""
    text = element.text_content() if text is None else text
    linked = sum(_spaced_len(_text_content(a)) for a in element.iter("a"))
    return _spaced_len(text) - linked


def _holds_article_text(element, text: str | None = None) -> bool:
    """Prose that is not links: an article's body, where a block of other headlines has only dates.

    ``text`` is the element's ``text_content()`` when already read. Neither test can hold on a text
    shorter than ``MAX_UNLINKED_CHARS`` / ``LONG_PARAGRAPH``: folding spaces and leaving out links only
    shortens it, and a paragraph's text is part of it.
    """
    text = element.text_content() if text is None else text
    if len(text) <= MAX_UNLINKED_CHARS and len(text) < LONG_PARAGRAPH:
        return False
    return _unlinked_chars(element, text) > MAX_UNLINKED_CHARS or any(
        len(p.text_content()) >= LONG_PARAGRAPH for p in element.iter("p"))


def _ends_block(parent) -> bool:
    """Climbing from a related-news heading stops below ``parent``: the page itself, an element holding
    article text or more than ``MAX_BLOCK_CHARS`` characters, or one holding an ``<h1>``."""
    if parent is None or parent.tag in ("body", "html"):
        return True
    if next(parent.iterdescendants("h1"), None) is not None:  # the cheapest test first
        return True
    text = parent.text_content()
    return len(text) > MAX_BLOCK_CHARS or _holds_article_text(parent, text)


def drop_related_blocks(tree) -> int:
    """Remove «Другие новости», «Читайте также», «Последние записи» blocks; returns how many.

    From each such heading, climb to the largest ancestor that still holds no article paragraph
    and little text, and drop it: trafilatura keeps such columns on table-layout sites.
    """
    removed = 0
    for heading in list(tree.iter(*HEADING_TAGS)):
        if heading.getparent() is None or len(heading) > 2:
            continue
        if not RELATED_HEADING.match(_text_content(heading)):
            continue
        block = heading
        while not _ends_block(block.getparent()):
            block = block.getparent()
        if block is not heading and block.getparent() is not None:
            block.drop_tree()
            removed += 1
    return removed


def _fold_spaces(line: str) -> str:
    """``SPACES.sub(" ", line)``; a line whose every run of spaces is one plain space is left as it is."""
    if "  " in line or "\t" in line or "\u00a0" in line or "\u200b" in line:
        return SPACES.sub(" ", line)
    return line


def tidy(text: str) -> str:
    """Control characters out, spaces folded, blank lines dropped, lines stripped."""
    text = CONTROL_CHARS.sub("", text or "").replace("\r\n", "\n").replace("\r", "\n")
    lines = (_fold_spaces(line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def select_text(html: str, selector: str, tree=None) -> str:
    """Text of the first element matched by a CSS selector or (starting with ``/``) an XPath.

    ``tree``: the page already parsed (:func:`parse_page`), read instead of parsing ``html`` again.
    """
    sel = Selector(root=tree, type="html") if tree is not None else Selector(text=html)
    found = sel.xpath(selector) if selector.lstrip("(").startswith("/") else sel.css(selector)
    if not found:
        return ""
    return tidy("\n".join(found[0].xpath(".//text()[normalize-space()]").getall()))


TITLE_SEPARATORS = re.compile(r"\s+(?:::|\||—|–|-|/|»|:)\s+")
STRONG_SEPARATORS = re.compile(r"\s+(?:::|\|)\s+")   # only ever between a headline and a site's name
QUOTED = re.compile(r"«[^«»]*(?:«[^«»]*»[^«»]*)*»|„[^“]*“|\"[^\"]*\"")


def _split_title(value: str) -> list[str]:
    """``value`` cut at its separators, never inside «…» or "…" (a dash there belongs to the headline)."""
    masked = QUOTED.sub(lambda m: "\x00" * len(m.group(0)), value)
    parts, start = [], 0
    for match in TITLE_SEPARATORS.finditer(masked):
        parts.append(value[start:match.start()])
        start = match.end()
    parts.append(value[start:])
    return [part for part in parts if len(part) >= 3]


def _site_name_part(part: str, site_names: list[str], body_text: str) -> bool:
    """Is ``part`` of a <title> the site's name: its og:site_name, or repeated in the page's header/footer?"""
    folded = part.casefold()
    return any(folded == name or folded in name or name in folded for name in site_names) or \
        body_text.count(folded) >= 2


def _headline_from(value: str, site_names: list[str], body_text: str) -> str:
    """The headline of a <title>/og:title: the site's name cut off its ends; a dash between the headline's own
    words stays. Without a recognisable site name, only a strong separator («|», «::») is cut, keeping the
    part that the page repeats least (the site's name stands in the header and footer)."""
    parts = _split_title(value)
    if len(parts) <= 1:
        return value
    while len(parts) > 1 and _site_name_part(parts[-1], site_names, body_text):
        parts.pop()
    while len(parts) > 1 and _site_name_part(parts[0], site_names, body_text):
        parts.pop(0)
    if len(parts) < len(_split_title(value)):
        # what is left is the headline, with its own dashes: cut it out of the original text
        start = value.find(parts[0])
        end = value.rfind(parts[-1]) + len(parts[-1])
        return value[start:end] if 0 <= start < end else " ".join(parts)
    strong = [part for part in STRONG_SEPARATORS.split(value) if len(part) >= 3]
    if len(strong) > 1:
        return min(strong, key=lambda part: (body_text.count(part.casefold()), -len(part)))
    return value


TITLE_CLASSED = lxml.etree.XPath(
    "//body//*[contains(@class, 'title') or contains(@class, 'zagolov') or contains(@class, 'headline')]")


def _is_section_heading(h1: str, tree, candidates: list[str]) -> bool:
    """An <h1> that names the section (the same on every page of it), not the article: «Новости», or the
    text of a menu link, while the <title>/og:title holds a longer headline without it."""
    if NEWS_LINK_TEXT.match(h1.strip(" :.").lower()):
        return True
    folded = h1.casefold()
    longer = [c for c in candidates if len(c) > len(h1) + 10 and folded not in c.casefold()]
    if not longer:
        return False
    return any(" ".join(a.text_content().split()).casefold() == folded for a in tree.iter("a"))


def title_from_tree(tree) -> str:
    """The headline: the page's only <h1> (unless it names the section), else the part of og:title/<title>
    that is not the site's name."""
    h1s = [tidy(h.text_content()).replace("\n", " ") for h in tree.iter("h1")]
    h1s = [h for h in h1s if 3 <= len(h) <= 400]
    candidates = [" ".join(str(c).split()) for c in
                  tree.xpath("//meta[@property='og:title']/@content") + [t.text_content() for t in tree.iter("title")]]
    candidates = [c for c in candidates if c]
    if len(h1s) == 1 and not _is_section_heading(h1s[0], tree, candidates):
        return h1s[0]
    body = tree.find("body")
    body_text = " ".join(body.text_content().split()).casefold() if body is not None else ""
    site_names = [" ".join(str(n).split()).casefold() for n in tree.xpath("//meta[@property='og:site_name']/@content")]
    site_names = [n for n in site_names if len(n) >= 3]
    for candidate in candidates:
        headline = _headline_from(candidate, site_names, body_text)
        if headline and not NEWS_LINK_TEXT.match(headline.strip(" :.").lower()):
            return headline
    if h1s and not NEWS_LINK_TEXT.match(h1s[0].strip(" :.").lower()):
        return h1s[0]
    # only the section's name in <h1> and <title> («Новости»): the headline of a title-classed element, else
    # none (the text's first line stands in)
    for element in TITLE_CLASSED(tree):
        if next(element.iter("a"), None) is None:
            text = " ".join(element.text_content().split())
            if 10 <= len(text) <= 300 and not NEWS_LINK_TEXT.match(text.strip(" :.").lower()):
                return text
    return ""


def paragraph_cluster(tree, only_in_table_cell: bool = False) -> str:
    """Fallback body: the paragraphs of the element that holds the most paragraph text.

    trafilatura finds nothing in some table-layout pages; their text still stands in <p> elements
    side by side in one cell. Of elements holding as much, the first in document order wins.
    ``only_in_table_cell``: "" unless that element is a table cell (``<td>``).
    """
    sizes: dict = {}  # parent → characters of its <p> children
    for p in tree.iterdescendants("p"):
        parent = p.getparent()
        sizes[parent] = sizes.get(parent, 0) + len(_text_content(p))
    best_size = max(sizes.values(), default=0)
    if best_size == 0:
        return ""
    tied = [parent for parent, size in sizes.items() if size == best_size]
    if len(tied) > 1:
        tied = [next(element for element in tree.iter() if element in tied)]
    if only_in_table_cell and tied[0].tag != "td":
        return ""
    paragraphs = [child for child in tied[0] if child.tag == "p"]
    return tidy("\n".join(p.text_content() for p in paragraphs))


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
    title = select_text(html, title_selector, tree).replace("\n", " ") if title_selector else ""
    title = title or title_from_tree(tree)
    text = select_text(html, body_selector, tree) if body_selector else ""
    if not text:
        drop_related_blocks(tree)
        for node in list(tree.iter(lxml.etree.Comment, lxml.etree.ProcessingInstruction)):
            node.drop_tree()  # as trafilatura's own parser drops them
        text = _trafilatura_text(tree, url, fast=True)
        if len(text) < MIN_TEXT_CHARS:
            # a table layout's body stands in one cell, where trafilatura's slow fallbacks find nothing either
            # (bench/README.md, "where the time went"): the cell's paragraphs are the body
            cell = paragraph_cluster(tree, only_in_table_cell=True)
            if len(cell) >= MIN_TEXT_CHARS:
                text = cell
        if len(text) < MIN_TEXT_CHARS:  # the fast path found too little: let trafilatura try its fallbacks
            text = _trafilatura_text(tree, url, fast=False) or text
        if len(text) < MIN_TEXT_CHARS:
            fallback = paragraph_cluster(tree)
            if len(fallback) > len(text):
                text = fallback
    return title[:1000], text


def article_text(page: Page, source) -> tuple[str, str]:
    """(title, text) as extracted from ``page``: text is "" when there is none, title "" when none is found.

    ``source``: the source's profile (its ``title`` and ``body`` selectors), or None. Sets ``page.signals`` (the
    article-evidence stage's view of the whole page). The page's ``tree`` is not changed: the extraction cuts a
    copy. Raises what lxml or trafilatura raise on a hostile page.
    """
    tree = page.working_tree()
    if tree is None:
        return "", ""
    page.signals = page_signals(tree)  # read before extraction cuts the tree down
    title, text = extract_from_tree(tree, page.html, page.url, getattr(source, "title", None),
                                    getattr(source, "body", None))
    add_listing_signal(page.signals, tree, text)  # the tree without its «Другие новости» now
    return title, text


def headline_and_body(title: str, text: str) -> tuple[str, str]:
    """The stored (title, text): the headline repeated as the body's first line is cut from the body; with no
    headline on the page, the first line stands in (and stays in the text)."""
    first, _, rest = text.partition("\n")
    if title and rest and first.strip().casefold() == title.strip().casefold():
        text = rest
    return title or first[:200], text


def clean_article(page: Page, source) -> dict:
    """The clean stage: ``title``, ``text`` and ``canonical_url`` of the article on ``page``.

    Raises :class:`EmptyPage` when the page has no article text (or cannot be read at all).
    """
    try:
        canonical = canonical_link(page.tree, page.url) if page.tree is not None else None
        title, text = article_text(page, source)
    except Exception as exc:  # trafilatura or lxml choking on a hostile page: report, never crash
        raise EmptyPage(f"cannot extract {page.url}: {type(exc).__name__}: {exc}"[:300]) from None
    if len(text) < MIN_TEXT_CHARS:
        raise EmptyPage(f"no article text on {page.url} ({len(text)} characters)")
    title, text = headline_and_body(title, text)
    return {"title": title, "text": text, "canonical_url": canonical}
