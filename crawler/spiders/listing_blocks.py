"""News listings by their structure: a page region of repeated items, each a headline link with a date beside it.

Whatever a site's URLs look like (``/folder/123``, ``Info.aspx?id=…&type=news``, ``/politics/world/slug``),
its news listing is the same thing on every CMS: sibling elements of one kind (``<li>``, ``<div
class="news-item">``, table rows), each holding one link whose text is a headline, most with a date printed
beside it. The links of such a block are article candidates whatever their shape; menus, mega-menus,
headers and footers are not blocks (their links are short words, undated, inside ``<nav>`` or a menu).
An undated block counts too when its items are long headlines (a listing that prints no dates).

The pages the candidates lead to are still judged by their own evidence after fetching
(``pipelines/article_evidence.py``): a dated list of laws has the same structure as a news listing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import etree
from w3lib.url import safe_url_string

from crawler.spiders.discovery import LISTING_DATE, date_beside, links

__all__ = ["Block", "headline_blocks", "in_chrome"]

MIN_LINK_CHARS = 6          # shorter link texts («Ещё», «12», «»») are no item's headline
MIN_ITEMS = 3               # a block is at least three items of one kind
HEADLINE_WORDS = 3.0        # a dated block's headlines average at least this many words (a calendar's do not)
DATED_SHARE = 0.6           # of its items with a date beside them: a dated listing
UNDATED_MIN_ITEMS = 4       # an undated block needs more items…
UNDATED_MIN_WORDS = 5.0     # …whose headlines average at least this many words
MAX_ROW_LEVELS = 5
CHROME_TAGS = {"nav", "header", "footer"}
MORE_TEXT = re.compile(r"^(?:все|архив|ещё|еще|больше|смотреть все|читать все|показать все|перейти)\b", re.I)
CHROME_MARK = re.compile(r"(?:^|[\s_-])(?:menu|nav|navbar|navigation|footer|header|breadcrumbs?|dropdown|"
                         r"submenu|megamenu|mega-menu|topmenu|mainmenu|sitemap|pager|pagination)(?:$|[\s_-])",
                         re.IGNORECASE)


@dataclass
class Block:
    """One repeated-item region: its links (URL → the date printed beside it, or None)."""

    links: dict[str, str | None] = field(default_factory=dict)
    dated: int = 0
    more: list[str] = field(default_factory=list)   # «Все новости», «Архив…» links beside it: its full listing

    @property
    def items(self) -> int:
        return len(self.links)


def in_chrome(element: etree._Element) -> bool:
    """Inside a <nav>/<header>/<footer> or an element whose class/id says menu, navigation, footer…"""
    node = element
    while node is not None and node.tag not in ("body", "html"):
        if node.tag in CHROME_TAGS or node.get("role") == "navigation":
            return True
        marks = f"{node.get('class') or ''} {node.get('id') or ''}"
        if marks.strip() and CHROME_MARK.search(marks):
            return True
        node = node.getparent()
    return False


def _hrefs(node: etree._Element, cache: dict) -> set:
    found = cache.get(node)
    if found is None:
        found = cache[node] = {a.get("href") for a in node.iter("a") if a.get("href")}
    return found


def _row_of(anchor: etree._Element, cache: dict) -> etree._Element:
    """The item holding ``anchor``: its largest ancestor that links to nothing else."""
    href = anchor.get("href")
    node = anchor
    for _ in range(MAX_ROW_LEVELS):
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        if _hrefs(parent, cache) - {href}:
            break
        node = parent
    return node


def _candidate_groups(root: etree._Element, min_items: int):
    """(container, [(raw href, link text, anchor, row)]) of each group of sibling items of one kind holding at
    least ``min_items`` distinct links, outside menus, headers and footers."""
    groups: dict[tuple, list[tuple[str, str, etree._Element, etree._Element]]] = {}
    cache: dict = {}
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        text = " ".join("".join(anchor.itertext()).split())
        if len(text) < MIN_LINK_CHARS:
            continue
        row = _row_of(anchor, cache)
        parent = row.getparent()
        if parent is None:
            continue
        groups.setdefault((parent, row.tag, row.get("class") or ""), []).append((href, text, anchor, row))
    for (parent, _tag, _cls), rows in groups.items():
        if len({href for href, *_ in rows}) >= min_items and not in_chrome(parent):
            yield parent, rows


def _is_block(items: int, dated: int, words: int, min_items: int) -> bool:
    if not items:
        return False
    if dated >= DATED_SHARE * items and words / items >= HEADLINE_WORDS:
        return True  # a dated listing
    return items >= max(UNDATED_MIN_ITEMS, min_items) and words / items >= UNDATED_MIN_WORDS  # long headlines


def headline_blocks(root: etree._Element, base_url: str, min_items: int = MIN_ITEMS) -> list[Block]:
    """The listing blocks of a page, largest first (of at least ``min_items`` items)."""
    blocks = []
    for parent, rows in _candidate_groups(root, min_items):
        block = Block()
        words = 0
        for href, text, anchor, row in rows:
            url = _absolute(href, base_url)
            if url is None or url in block.links:
                continue
            hint = date_beside(anchor) or _row_date(row)
            block.links[url] = hint
            block.dated += hint is not None
            words += len(text.split())
        if _is_block(block.items, block.dated, words, min_items):
            block.more = _more_links(parent, base_url, set(block.links))
            blocks.append(block)
    blocks.sort(key=lambda b: b.items, reverse=True)
    return blocks


def _absolute(href: str, base_url: str) -> str | None:
    """The link's absolute URL without its fragment, as :func:`crawler.spiders.discovery.links` gives it."""
    try:
        return safe_url_string(urljoin(base_url, href)).split("#", 1)[0]
    except ValueError:
        return None


def _more_links(parent: etree._Element, base_url: str, items: set[str]) -> list[str]:
    """The «Все новости» / «Архив» links next to a block (in its container or the one around it)."""
    scope = parent.getparent() if parent.getparent() is not None and parent.getparent().tag != "body" else parent
    return [url for url, text, _anchor in links(scope, base_url) if url not in items and MORE_TEXT.match(text)]


def _row_date(row: etree._Element) -> str | None:
    for attr_date in row.xpath(".//time/@datetime"):
        return str(attr_date)
    match = LISTING_DATE.search(" ".join(" ".join(row.itertext()).split()))
    return match.group(0) if match else None
