"""The visible dates of a parsed page: the title anchor, the blocks that are not the article, the date texts.

``Page`` wraps an lxml tree (``parse_html``, or the caller's tree of the same page put in the same shape by
``without_comments``) and examines only its date-shaped text nodes: microdata and ``<time>`` elements,
date-classed blocks and bare «1 ноября 2022 г.» texts ranked by their distance to the ``<h1>``, skipping
sidebars, navigation, page chrome, «Другие новости» blocks and updated/modified dates. It also tells the days
written in those skipped blocks, the dates written with their year, and the page's own «today» (a date widget
in its header), which ``date_clock`` uses. The tree is only read, never changed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from datetime import date, datetime

import lxml.etree
import lxml.html

from pipelines.date_patterns import (
    BOILER_ROLES,
    BOILER_TAGS,
    BOILER_TOKENS,
    CHROME_CLASSES,
    CHROME_TAGS,
    DATE_CLASS,
    DATE_ONLY,
    DATELINE,
    FUTURE_TOLERANCE,
    HAS_DIGIT,
    HEADLINE_CLASS,
    MODIFIED_ATTR,
    OTHER_NEWS,
    OWN_DATE_TOKENS,
    PUBLISHED_ATTR,
    PUBLISHED_WORDS,
    TOKEN_SPLIT,
    UPDATED_LABEL,
    UPDATED_WORDS,
    Element,
    date_shaped,
    day_of,
)
from pipelines.russian_dates import ABSOLUTE, RELATIVE, YEARLESS, parse_dated, parse_russian_date

MAX_CANDIDATES = 80
MAX_DATE_TEXT = 200  # a date-classed block («Опубликовано: 01.11.2022, 14:30 | Просмотров: 120»)
MAX_BARE_DATE_TEXT = 90  # a text with no date class, e.g. «<p>1 ноября 2022 г.</p>»
MAX_HEADLINE_DATE = 30      # longer than a date line: a headline with a date inside it
HEADLINE_PENALTY = 1e6      # such a date is taken only when nothing else on the page dates it

TEXT_NODES = lxml.etree.XPath("//body//text()[normalize-space()][not(parent::script or parent::style)]")
# ``[@itemprop]`` first: it rules out most elements faster than the comparisons do
MICRODATA_DATES = lxml.etree.XPath("//*[@itemprop][@itemprop='datePublished' or @itemprop='datepublished']")
POSITION = lxml.etree.XPath("count(preceding::*) + count(ancestor::*)")


def parse_html(html: str) -> lxml.html.HtmlElement | None:
    """Parse a page with lxml; None when it is empty or not parseable."""
    if not html.strip():
        return None
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
    try:
        root = lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=parser)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError):
        return None
    return root if isinstance(root, lxml.html.HtmlElement) else None


def without_comments(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """A tree of the whole page (``lxml.html.document_fromstring``) as ``parse_html`` would have made it.

    ``parse_html`` drops comments, which would otherwise split a text in two («1 ноября<!-- -->2022») and
    count among an element's children; a tree with comments is copied and the copy loses them, their tail
    joined to the text before them. The given tree itself is never changed.
    """
    if next(tree.iter(lxml.etree.Comment), None) is None:
        return tree
    tree = copy.deepcopy(tree)
    for comment in list(tree.iter(lxml.etree.Comment)):
        if comment.getparent() is not None:
            comment.drop_tree()
    return tree


class Page:
    """A parsed page: its title anchor, the blocks that are not the article, and the date candidates."""

    def __init__(self, root: lxml.html.HtmlElement) -> None:
        self.root = root
        self.boiler_roots: set[Element] = set()
        self._boiler_cache: dict[Element, bool] = {}
        self._positions: dict[Element, float] = {}
        self.anchor: Element | None = None
        self.anchor_position = 0.0
        self.text_candidates: list[tuple[Element, str, bool]] = []  # element, text, text is a tail
        self._scan_texts()
        self._choose_anchor()

    def _scan_texts(self) -> None:
        """One pass over the body's text nodes: date-shaped ones, and «Другие новости» headings."""
        for text in TEXT_NODES(self.root):
            if len(text) > MAX_DATE_TEXT:
                dateline = DATELINE.match(text, 0, 80)
                if dateline and len(self.text_candidates) < MAX_CANDIDATES:
                    self.text_candidates.append((text.getparent(), dateline.group(), text.is_tail))
                continue
            if HAS_DIGIT.search(text):
                if len(self.text_candidates) < MAX_CANDIDATES and date_shaped(text):
                    self.text_candidates.append((text.getparent(), str(text), text.is_tail))
            elif len(text) < 60 and OTHER_NEWS.match(text):
                owner = text.getparent()
                if owner is not None and owner.tag != "a" and not text.is_tail:
                    self._mark_following(owner)

    def _mark_following(self, heading: Element) -> None:
        """What follows a «Другие новости» heading, within its block, lists other articles."""
        node = heading
        for _ in range(3):
            self.boiler_roots.update(node.itersiblings())
            parent = node.getparent()
            if parent is None or len(parent) > 1:
                break
            node = parent

    def _choose_anchor(self) -> None:
        """The article's title: the longest <h1> outside the page's chrome (else the first one)."""
        h1s = list(self.root.iter("h1"))
        scored = [(len(h1.text_content().strip()), h1) for h1 in h1s if not self.is_boiler(h1)]
        if scored:
            self.anchor = max(scored, key=lambda item: item[0])[1]
        elif h1s:
            self.anchor = h1s[0]
        self._boiler_cache.clear()  # the verdicts on the anchor's ancestors may change now
        if self.anchor is not None:
            self.anchor_position = self.position(self.anchor)

    def position(self, el: Element) -> float:
        """Index of the element in document order."""
        found = self._positions.get(el)
        if found is None:
            found = self._positions[el] = POSITION(el)
        return found

    def distance(self, el: Element) -> float:
        """Distance to the title in document order; elements before it count a little farther."""
        gap = self.position(el) - self.anchor_position
        return gap if gap >= 0 else -1.5 * gap

    def is_boiler(self, el: Element) -> bool:
        """Is the element inside a sidebar, menu, comment list, page header/footer or other-news block?"""
        chain = []
        node = el
        verdict = False
        while node is not None:
            cached = self._boiler_cache.get(node)
            if cached is not None:
                verdict = cached
                break
            chain.append(node)
            node = node.getparent()
        for node in reversed(chain):  # top down, so that each ancestor is judged once
            if not verdict:
                verdict = self._own_boiler(node)
            self._boiler_cache[node] = verdict
        return verdict

    def _own_boiler(self, node: Element) -> bool:
        if node in self.boiler_roots:
            return True
        tag = node.tag if isinstance(node.tag, str) else ""
        classes = (node.get("class") or "").lower().split()
        tokens = set(TOKEN_SPLIT.split(" ".join(classes) + " " + (node.get("id") or "").lower()))
        role = (node.get("role") or "").lower()
        chrome_id = (node.get("id") or "").lower() in CHROME_CLASSES
        if tag in CHROME_TAGS or CHROME_CLASSES.intersection(classes) or chrome_id or "footer" in tokens or (
            role in BOILER_ROLES
        ):
            return not self._holds_anchor(node) and not _inside_article(node)
        if tag in BOILER_TAGS:
            return True
        return not OWN_DATE_TOKENS.intersection(tokens) and bool(BOILER_TOKENS.intersection(tokens))

    def _holds_anchor(self, node: Element) -> bool:
        anchor = self.anchor
        while anchor is not None:
            if anchor is node:
                return True
            anchor = anchor.getparent()
        return False

    def microdata(self) -> list[Element]:
        found = MICRODATA_DATES(self.root)
        return sorted((el for el in found if el.tag == "meta" or not self.is_boiler(el)), key=self.distance)

    def time_elements(self) -> list[Element]:
        found = [el for el in self.root.iter("time") if not self.is_boiler(el) and not is_modified(el)]
        return sorted(found, key=lambda el: (not _marked_published(el), self.distance(el)))

    def visible_dates(self) -> Iterator[str]:
        """Texts of date-bearing elements, nearest the title first; date-classed blocks before bare texts."""
        ranked: list[tuple[float, Element, str]] = []
        seen: set[Element] = set()
        for owner, text, is_tail in self.text_candidates:
            el = owner.getparent() if is_tail else owner
            if el is None:
                continue
            block = _date_block(owner if is_tail else el)
            if block is not None:
                if block in seen:
                    continue
                seen.add(block)
                block_text = " ".join(block.text_content().split())
                if len(block_text) <= MAX_DATE_TEXT:
                    ranked.append((self.distance(block), block, block_text))
                    continue
            if len(text) > MAX_BARE_DATE_TEXT:
                continue
            if is_tail and UPDATED_LABEL.search(owner.text_content()[-60:]):
                continue  # «<b>Обновлено:</b> 02.11.2022»
            rank = 3 * self.distance(el) + 5
            if self._in_headline(el) and len(" ".join(text.split())) > MAX_HEADLINE_DATE:
                rank += HEADLINE_PENALTY  # «Сведения … по состоянию на 11.06.2015»: the dated line beside wins
            ranked.append((rank, el, text))
        ranked.sort(key=lambda item: item[0])
        for _, el, text in ranked:
            if not self.is_boiler(el) and not is_modified(el):
                yield _published_part(text)


    def _in_headline(self, el: Element) -> bool:
        """Is the element the article's headline: its <h1> (or inside it), or a title-classed element?"""
        if self.anchor is not None and (el is self.anchor or self._holds_anchor_of(el)):
            return True
        node = el
        for _ in range(2):
            if node is None or node.tag in ("body", "html"):
                return False
            if node.tag in ("h1", "h2") or HEADLINE_CLASS.search((node.get("class") or "") + " " + (node.get("id") or "")):
                return True
            node = node.getparent()
        return False

    def _holds_anchor_of(self, el: Element) -> bool:
        return any(ancestor is self.anchor for ancestor in el.iterancestors())

    def excluded_days(self, tz: str, now: datetime) -> set[date]:
        """Days written in the blocks that are not the article (sidebars, header, footer) or as updates."""
        days: set[date] = set()
        for owner, text, is_tail in self.text_candidates:
            el = owner.getparent() if is_tail else owner
            if el is None:
                continue
            if self.is_boiler(el) or is_modified(el) or UPDATED_WORDS.search(text) or (
                is_tail and UPDATED_LABEL.search(owner.text_content()[-60:])
            ):
                value = parse_russian_date(text, tz, now, fallback=False)
                if value is not None:
                    days.add(value.date() if isinstance(value, datetime) else value)
        return days


    def full_dates(self, tz: str, now: datetime) -> dict[tuple[int, int], int]:
        """(month, day) → year of the dates written with their year anywhere on the page, the latest year."""
        years: dict[tuple[int, int], int] = {}
        for _owner, text, _is_tail in self.text_candidates:
            value, kind = parse_dated(text, tz, now, fallback=False)
            if value is not None and kind == ABSOLUTE:
                day = day_of(value)
                if day <= now.date():
                    key = (day.month, day.day)
                    years[key] = max(years.get(key, 0), day.year)
        return years

    def shown_today(self, tz: str, now: datetime, copyright_year: Callable[[], int | None]) -> date | None:
        """The page's own «today»: a date-only text in the page's header, above the title (a date widget).

        It tells when the page was rendered: an archived or cached copy shows its own day, not the
        fetch day. A widget without a year («7 ЧЕРВНЯ, НЕДІЛЯ») that is not today's day and month comes
        from an old copy: its year is that of the footer's «© 2005–2020» if the weekday agrees, else the
        latest year the weekday fits. None when there is no such widget or several disagree.
        """
        if self.anchor is None:
            return None
        found: set[date] = set()
        for owner, text, is_tail in self.text_candidates:
            el = owner.getparent() if is_tail else owner
            if el is None or self.position(el) >= self.anchor_position or not self.is_boiler(el):
                continue
            if el in self.boiler_roots or _in_link_or_list(owner if not is_tail else el):
                continue
            text = " ".join(text.split())
            if not DATE_ONLY.fullmatch(text):
                continue
            value, kind = parse_dated(text, tz, now, fallback=False)
            if value is None or kind == RELATIVE:
                continue
            day = day_of(value)
            year = copyright_year() if kind == YEARLESS and abs((day - now.date()).days) > 1 else None
            if year:
                older = parse_russian_date(text, tz, now, fallback=False, year_base=date(year, 12, 31))
                if older is not None and day_of(older).year == year:
                    day = day_of(older)
            found.add(day)
        if len(found) != 1:
            return None
        day = found.pop()
        return day if day <= now.date() + FUTURE_TOLERANCE else None


def _in_link_or_list(el: Element) -> bool:
    node: Element | None = el
    for _ in range(6):
        if node is None:
            return False
        if node.tag in ("a", "li", "option"):
            return True
        node = node.getparent()
    return False


def _date_block(el: Element) -> Element | None:
    """The element itself or a close ancestor whose class/id says it holds a date."""
    node = el
    for _ in range(3):
        if node is None or node.tag in ("body", "html"):
            return None
        marker = (node.get("class") or "") + " " + (node.get("id") or "")
        if marker != " " and DATE_CLASS.search(marker):
            return node
        node = node.getparent()
    return None


def _inside_article(node: Element) -> bool:
    return any(ancestor.tag == "article" for ancestor in node.iterancestors())


def _marked_published(el: Element) -> bool:
    marker = " ".join(el.get(name) or "" for name in ("class", "itemprop", "pubdate"))
    return el.get("pubdate") is not None or bool(PUBLISHED_ATTR.search(marker))


def _label_before(el: Element) -> str:
    """The text just before an element: its previous sibling (or its parent's leading text)."""
    previous = el.getprevious()
    if previous is not None:
        own = previous.text_content() if len(previous) < 5 else ""
        return (own[-40:] + (previous.tail or ""))[-60:]
    parent = el.getparent()
    return (parent.text or "")[-60:] if parent is not None else ""


def is_modified(el: Element) -> bool:
    """Marked as an updated/modified date by its attributes or by the label right before it."""
    node = el
    for _ in range(2):
        if node is None:
            break
        marker = " ".join(node.get(name) or "" for name in ("class", "id", "itemprop", "property", "name"))
        if PUBLISHED_ATTR.search(marker):
            break
        if MODIFIED_ATTR.search(marker):
            return True
        node = node.getparent()
    return bool(UPDATED_LABEL.search(_label_before(el)))


def _published_part(text: str) -> str:
    """The part of a date line about publication: after «Опубликовано», before «Обновлено»."""
    published = PUBLISHED_WORDS.search(text)
    if published:
        text = text[published.end() :]
    updated = UPDATED_WORDS.search(text)
    if updated:
        text = text[: updated.start()]
    return text


def element_date_text(el: Element) -> str:
    for attribute in ("datetime", "content", "data-date", "data-datetime"):
        value = el.get(attribute)
        if value and HAS_DIGIT.search(value):
            return value
    text = " ".join(el.text_content().split())
    return text if len(text) <= MAX_DATE_TEXT else ""
