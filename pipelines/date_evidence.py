"""Find an article's publication date from the evidence on and around its page, best evidence first.

``find_published(html, url, tz, fetched_at, hints)`` returns the ISO 8601 string of the publication
date in the source's local time (``2022-11-01T14:30:00+03:00``, or ``2022-11-01`` when no evidence gives
a time) or "" when nothing credible is found. The evidence, in order of trust:

1. structured metadata: JSON-LD ``datePublished``, ``article:published_time`` and similar ``<meta>``,
   microdata ``itemprop="datePublished"``, ``<time datetime>``;
2. the visible date next to the title (``news-date-time``, ``span.date``, ``entry-date``, a bare
   «1 ноября 2022 г.» paragraph), the candidate nearest to the ``<h1>`` winning;
3. weak page-wide metadata (``<meta name="date">``);
4. the raw date strings of the feed entry or listing row that led to the page (``hints``);
5. a date in the URL (``/2022/11/01/``);
6. htmldate's own search, only when everything above came up empty.

Dates in sidebars and «Другие новости» blocks, navigation, comments, the page header and footer are
ignored; so are updated/modified dates, dates in the future (beyond a day) and dates before 1995, in which
case the next evidence is used. When the best evidence gives only a day, a later one giving a time on that
same day supplies the time. The page is parsed once with lxml; broken or non-HTML input never raises.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import lxml.etree
import lxml.html

from pipelines.russian_dates import local_now, parse_russian_date, to_iso, zone

log = logging.getLogger(__name__)

Value = datetime | date
EARLIEST = date(1995, 1, 1)
FUTURE_TOLERANCE = timedelta(days=1)
MAX_HTML_CHARS = 5_000_000

STRONG_META = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "published_time",
    "datepublished",
    "article.published",
    "article:published",
    "article_date_original",
    "publication_date",
    "publish-date",
    "publish_date",
    "publishdate",
    "pubdate",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "mediator_published_time",
    "date_published",
)
WEAK_META = ("date", "dc.date", "dcterms.date", "created", "citation_publication_date", "citation_date")
ARTICLE_TYPES = re.compile(r"article|blogposting|report|newsarticle|liveblog", re.I)

# Classes and ids that mark a date-bearing element: news-date-time, entry-date, post-date, b-data ...
DATE_CLASS = re.compile(r"date|time|data|publ|posted|created|byline|meta|info", re.I)
# Blocks that are not the article: their dates belong to other pages or to the site itself.
BOILER_TOKENS = frozenset(
    "sidebar aside related other others similar popular widget widgets footer comment comments nav navbar "
    "navigation menu breadcrumb breadcrumbs ticker latest last more recommend recommended banner adv ads "
    "readmore also list feed announce anons archive calendar poll tags subscribe share social rubrics "
    "top10 topnews mostread".split()
)
CHROME_CLASSES = frozenset("header site-header page-header top topbar top-bar head masthead footer".split())
CHROME_TAGS = frozenset(("header", "footer"))
BOILER_TAGS = frozenset(("aside", "nav", "footer"))
BOILER_ROLES = frozenset(("complementary", "navigation", "contentinfo", "banner"))
TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")
# Headings that open a list of other articles.
OTHER_NEWS = re.compile(
    r"^\s*(други[ея]|ещ[её]|похожие|последние|свежие|популярн|актуальн|главные|читайте\s+также|смотрите\s+также"
    r"|см\.\s+также|новости\s+(по\s+теме|раздела|партнер)|материалы\s+по\s+теме|по\s+теме|лента\s+новостей"
    r"|самое\s+(читаемое|интересное)|related|more\s+news|latest\s+news|read\s+also)",
    re.I,
)
_UPDATED = (
    r"(?:обновлен[оа]?|изменен[оа]?|отредактирован[оа]?|исправлен[оа]?|последнее\s+обновление"
    r"|дата\s+(?:изменения|обновления)|updated|modified|last\s+edited)(?![а-яёa-z])"
)
UPDATED_WORDS = re.compile(_UPDATED, re.I)
UPDATED_LABEL = re.compile(_UPDATED + r"(?:\s+в)?\s*:?\s*$", re.I)
PUBLISHED_WORDS = re.compile(
    r"опубликован[оа]?|дата\s+(публикации|размещения|создания)|размещен[оа]?|добавлен[оа]?|создан[оа]?"
    r"|published|posted",
    re.I,
)
MODIFIED_ATTR = re.compile(r"modif|updat|edited|changed", re.I)
PUBLISHED_ATTR = re.compile(r"publi|created|pubdate", re.I)
HAS_DIGIT = re.compile(r"\d")
DATE_SHAPE = re.compile(
    r"\d{1,2}[./-]\d{1,2}[./-]\d{2}|\d{4}-\d\d-\d\d|\d\s*[а-яёa-z]{3}|сегодня|вчера|назад|[а-яёa-z]{3}\.?\s+\d", re.I
)
URL_YMD = re.compile(
    r"(?<![\d])((?:19|20)\d\d)([/_-]?)(0[1-9]|1[0-2]|(?<=[/_-])[1-9])\2(0[1-9]|[12]\d|3[01]|(?<=[/_-])[1-9])(?!\d)"
)
URL_DMY = re.compile(r"(?<![\d])(0[1-9]|[12]\d|3[01])([._-])(0[1-9]|1[0-2])\2((?:19|20)\d\d)(?!\d)")
MAX_SHORT_TEXT = 90
MAX_DATE_BLOCK_TEXT = 200


class Window:
    """The range a publication date may fall in: from 1995 up to the fetch time plus a small tolerance."""

    def __init__(self, tz: ZoneInfo, now: datetime) -> None:
        self.tz = tz
        self.now = now
        self.latest_day = (now + FUTURE_TOLERANCE).date()

    def accepts(self, value: Value | None) -> bool:
        if value is None:
            return False
        if isinstance(value, datetime):
            return EARLIEST <= value.date() and value <= self.now + FUTURE_TOLERANCE
        return EARLIEST <= value <= self.latest_day


class Page:
    """One parsed page and the date-bearing elements found in it, collected in a single pass."""

    def __init__(self, root: lxml.html.HtmlElement) -> None:
        self.root = root
        self._collected = False
        self._boiler_cache: dict[lxml.etree._Element, bool] = {}
        self.boiler_roots: set[lxml.etree._Element] = set()
        self.anchor_index = 0
        self.anchor: lxml.etree._Element | None = None
        self.times: list[tuple[int, lxml.etree._Element]] = []
        self.microdata: list[tuple[int, lxml.etree._Element]] = []
        self.date_blocks: list[tuple[int, lxml.etree._Element]] = []
        self.short_texts: list[tuple[int, lxml.etree._Element, str]] = []

    # -- page-wide metadata (no walk needed) -------------------------------------------------------

    def json_ld_dates(self) -> list[str]:
        """``datePublished`` of JSON-LD objects, article-like types and shallow objects first."""
        found: list[tuple[int, int, str]] = []
        for script in self.root.xpath("//script[contains(translate(@type,'LDJSON','ldjson'),'ld+json')]"):
            text = (script.text or "").strip()
            if "datePublished" not in text:
                continue
            try:
                _walk_json_ld(json.loads(text), 0, found)
            except (ValueError, RecursionError):
                for match in re.finditer(r'"datePublished"\s*:\s*"([^"]{6,40})"', text):
                    found.append((1, 0, match.group(1)))
        found.sort(key=lambda item: (item[0], item[1]))
        return [value for _, _, value in found]

    def meta_dates(self, names: Sequence[str]) -> list[str]:
        """``content`` of ``<meta>`` whose name/property is in ``names``, in the order of ``names``."""
        by_name: dict[str, list[str]] = {}
        for meta in self.root.iter("meta"):
            key = (meta.get("property") or meta.get("name") or "").strip().lower()
            content = meta.get("content")
            if key in names and content:
                by_name.setdefault(key, []).append(content)
        return [content for name in names for content in by_name.get(name, [])]

    # -- elements near the title (one walk) ----------------------------------------------------------

    def collect(self) -> None:
        """Walk the document once: title anchor, <time>, microdata, date-classed and short dated texts."""
        if self._collected:
            return
        self._collected = True
        h1s: list[tuple[int, lxml.etree._Element]] = []
        for index, el in enumerate(self.root.iter()):
            tag = el.tag
            if not isinstance(tag, str) or tag in ("script", "style", "noscript", "link", "head", "title"):
                continue
            if tag == "meta":
                if (el.get("itemprop") or "").lower() == "datepublished":
                    self.microdata.append((index, el))
                continue
            if tag == "h1":
                h1s.append((index, el))
            elif tag == "time":
                self.times.append((index, el))
            itemprop = el.get("itemprop")
            if itemprop and itemprop.lower() == "datepublished":
                self.microdata.append((index, el))
            marker = (el.get("class") or "") + " " + (el.get("id") or "")
            if marker != " " and DATE_CLASS.search(marker):
                self.date_blocks.append((index, el))
                continue
            text = _shallow_text(el)
            if text and len(text) <= MAX_SHORT_TEXT:
                if OTHER_NEWS.match(text) and len(text) <= 50 and tag != "a":
                    self._mark_following(el)
                elif HAS_DIGIT.search(text) and DATE_SHAPE.search(text):
                    self.short_texts.append((index, el, text))
        self._choose_anchor(h1s)

    def _mark_following(self, heading: lxml.etree._Element) -> None:
        """Everything after a «Другие новости» heading, within its block, is a list of other articles."""
        node = heading
        for _ in range(2):
            for sibling in node.itersiblings():
                self.boiler_roots.add(sibling)
            parent = node.getparent()
            if parent is None or len(parent) > 1:
                break
            node = parent

    def _choose_anchor(self, h1s: list[tuple[int, lxml.etree._Element]]) -> None:
        best = None
        for index, el in h1s:
            if self.is_boiler(el):
                continue
            length = len(el.text_content().strip())
            if best is None or length > best[0]:
                best = (length, index, el)
        if best is None and h1s:
            best = (0, *h1s[0])
        if best is not None:
            _, self.anchor_index, self.anchor = best
            self._boiler_cache.clear()  # the anchor's header is not chrome: recompute lazily

    def is_boiler(self, el: lxml.etree._Element) -> bool:
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
        # decide from the top down so each ancestor's verdict is cached once
        for node in reversed(chain):
            if not verdict:
                verdict = self._own_boiler(node)
            self._boiler_cache[node] = verdict
        return verdict

    def _own_boiler(self, node: lxml.etree._Element) -> bool:
        if node in self.boiler_roots:
            return True
        tag = node.tag if isinstance(node.tag, str) else ""
        if (node.get("role") or "").lower() in BOILER_ROLES and not self._holds_article(node):
            return True
        classes = (node.get("class") or "").lower().split()
        marker = " ".join(classes) + " " + (node.get("id") or "").lower()
        tokens = set(TOKEN_SPLIT.split(marker))
        chrome = tag in CHROME_TAGS or bool(CHROME_CLASSES.intersection(classes)) or "footer" in tokens
        if chrome:
            return not self._holds_article(node) and not _inside(node, "article")
        if tag in BOILER_TAGS:
            return True
        return bool(BOILER_TOKENS.intersection(tokens))

    def _holds_article(self, node: lxml.etree._Element) -> bool:
        anchor = self.anchor
        while anchor is not None:
            if anchor is node:
                return True
            anchor = anchor.getparent()
        return False

    def distance(self, index: int) -> float:
        """Distance in document order to the title; elements before it count a little farther."""
        gap = index - self.anchor_index
        return gap if gap >= 0 else -1.5 * gap

    def nearest(self, items: list) -> list:
        """Items (index first) ordered by distance to the title."""
        return sorted(items, key=lambda item: self.distance(item[0]))

    def weighted_distance(self, item: tuple) -> float:
        """Date-classed elements (text None) before bare short texts that happen to look like dates."""
        distance = self.distance(item[0])
        return distance if item[2] is None else 3.0 * distance + 5


def _walk_json_ld(node: object, depth: int, found: list[tuple[int, int, str]]) -> None:
    if depth > 6:
        return
    if isinstance(node, list):
        for item in node:
            _walk_json_ld(item, depth + 1, found)
        return
    if not isinstance(node, dict):
        return
    value = node.get("datePublished")
    if isinstance(value, str):
        kind = node.get("@type")
        kind = " ".join(kind) if isinstance(kind, list) else str(kind or "")
        found.append((0 if ARTICLE_TYPES.search(kind) else 1, depth, value))
    for key, child in node.items():
        if key in ("@graph", "mainEntity", "mainEntityOfPage") or (isinstance(child, dict | list) and depth < 2):
            if key not in ("itemListElement", "hasPart", "relatedLink", "comment", "review"):
                _walk_json_ld(child, depth + 1, found)


def _inside(node: lxml.etree._Element, tag: str) -> bool:
    return any(ancestor.tag == tag for ancestor in node.iterancestors())


def _shallow_text(el: lxml.etree._Element) -> str:
    """The element's own text plus that of its direct children (not deeper), for short elements only."""
    if len(el) > 4:
        return ""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and child.tag not in ("script", "style"):
            parts.append(child.text or "")
        parts.append(child.tail or "")
    return " ".join(" ".join(parts).split())


def _is_modified(el: lxml.etree._Element) -> bool:
    """Marked as an updated/modified date by its attributes or the label right before it."""
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
    previous = el.getprevious()
    before = ""
    if previous is not None:
        before = (previous.text_content() if len(previous) < 5 else "")[-40:] + (previous.tail or "")
    elif el.getparent() is not None:
        before = el.getparent().text or ""
    return bool(UPDATED_LABEL.search(before[-60:]))


def _published_part(text: str) -> str:
    """The part of a date line that is about publication: after «Опубликовано», before «Обновлено»."""
    published = PUBLISHED_WORDS.search(text)
    if published:
        text = text[published.end() :]
    updated = UPDATED_WORDS.search(text)
    if updated:
        text = text[: updated.start()]
    return text


def _element_date_text(el: lxml.etree._Element) -> str:
    for attribute in ("datetime", "content", "data-date", "data-datetime", "title"):
        value = el.get(attribute)
        if value and HAS_DIGIT.search(value):
            return value
    text = el.text_content()
    return " ".join(text.split()) if len(text) <= MAX_DATE_BLOCK_TEXT * 4 else ""


def parse_html(html: str | bytes) -> lxml.html.HtmlElement | None:
    """Parse a page with lxml; None when it is empty or not parseable."""
    if isinstance(html, bytes):
        from w3lib.encoding import html_to_unicode

        html = html_to_unicode(None, html)[1]
    if not isinstance(html, str) or not html.strip():
        return None
    html = html[:MAX_HTML_CHARS]
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
    try:
        root = lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=parser)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError):
        return None
    return root if isinstance(root, lxml.html.HtmlElement) else None


def url_date(url: str) -> date | None:
    """A full date written in the URL path: /2022/11/01/, /2022-11-01-title, /20221101/, /01-11-2022/."""
    path = re.sub(r"^[a-z]+://[^/]+", "", url or "", flags=re.I)
    for match in URL_YMD.finditer(path):
        try:
            return date(int(match.group(1)), int(match.group(3)), int(match.group(4)))
        except ValueError:
            continue
    for match in URL_DMY.finditer(path):
        try:
            return date(int(match.group(4)), int(match.group(3)), int(match.group(1)))
        except ValueError:
            continue
    return None


def _page_evidence(page: Page, tz: str, now: datetime) -> Iterator[Value | None]:
    """Candidate dates from the page, best evidence first (lazy: later steps run only when asked for)."""

    def parse(text: str) -> Value | None:
        return parse_russian_date(text, tz, now, fallback=False)

    for text in page.json_ld_dates():
        yield parse(text)
    for text in page.meta_dates(STRONG_META):
        yield parse(text)
    page.collect()
    for _, el in page.nearest(page.microdata):
        if el.tag == "meta" or not page.is_boiler(el):
            yield parse(_element_date_text(el))
    times = [item for item in page.times if not page.is_boiler(item[1]) and not _is_modified(item[1])]
    for _, el in page.nearest(times):
        yield parse(_element_date_text(el))
    candidates = [(index, el, None) for index, el in page.date_blocks] + page.short_texts
    for _index, el, text in sorted(candidates, key=page.weighted_distance):
        if text is None:
            text = " ".join(el.text_content().split())
            if len(text) > MAX_DATE_BLOCK_TEXT or not HAS_DIGIT.search(text):
                continue
        if page.is_boiler(el) or _is_modified(el):
            continue
        value = parse(_published_part(text))
        if value is not None:
            yield value
    for text in page.meta_dates(WEAK_META):
        yield parse(text)


def _htmldate(root: lxml.html.HtmlElement | None, html: str, url: str, window: Window) -> date | None:
    import htmldate  # imported lazily: the last resort

    try:
        found = htmldate.find_date(
            root if root is not None else html,
            url=url or None,
            original_date=True,
            outputformat="%Y-%m-%d",
            min_date=EARLIEST.isoformat(),
            max_date=window.latest_day.isoformat(),
        )
    except Exception:  # noqa: BLE001 - a third-party heuristic: any failure just means "no date"
        log.debug("htmldate failed on %s", url, exc_info=True)
        return None
    return date.fromisoformat(found) if found else None


def best_published(
    html: str | bytes, url: str, tz: str, fetched_at: datetime, hints: Sequence[str] = ()
) -> Value | None:
    """The publication date as a local datetime or date (see the module docstring), or None."""
    zone_info = zone(tz)
    now = local_now(fetched_at, zone_info)
    window = Window(zone_info, now)
    root = parse_html(html) if html else None

    def evidence() -> Iterator[Value | None]:
        if root is not None:
            yield from _page_evidence(Page(root), zone_info.key, now)
        for hint in hints or ():
            if isinstance(hint, str):
                yield parse_russian_date(hint, zone_info.key, now)
        yield url_date(url)

    best: Value | None = None
    for value in evidence():
        if not window.accepts(value):
            continue
        if best is None:
            if isinstance(value, datetime):
                return value
            best = value
        elif isinstance(value, datetime) and value.date() == best:
            return value
    if best is None and root is not None:
        found = _htmldate(root, html, url, window)
        if window.accepts(found):
            best = found
    return best


def find_published(
    html: str | bytes, url: str, tz: str, fetched_at: datetime, hints: Sequence[str] = ()
) -> str:
    """ISO 8601 publication date in the source's local time, a bare date, or "" — never raises."""
    try:
        return to_iso(best_published(html, url, tz, fetched_at, hints))
    except Exception:  # noqa: BLE001 - a bad page must not stop the crawl; it just gets no date
        log.warning("date extraction failed for %s", url, exc_info=True)
        return ""
