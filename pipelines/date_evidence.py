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

Relative and year-less visible dates are read against the page's own clock (``Clock``), not blindly
against the fetch time: «Сегодня, 14:35» counts from the day a date widget in the page's header shows
(an archived or cached copy shows its own day; a widget without a year takes the footer's «© …–2020» year
when the weekday agrees), and gives way to the URL's day when that contradicts it beyond what time zones
explain; «3 декабря» takes the year of the same day written in full elsewhere on the page, else of the URL's
date, else the most recent such day (one agreeing with a written weekday, «Четверг, 3 декабря»). An
agency dateline opening the first paragraph («МОСКВА, 29 июня. /ТАСС/.») counts as a visible date; a class
naming the date element itself («b-news-feed-date») does not make it a news feed.

Dates in sidebars and «Другие новости» blocks, navigation, comments, the page header and footer are
ignored; so are updated/modified dates, dates in the future (beyond a day) and dates before 1995, in which
case the next evidence is used. When the best evidence gives only a day, a later one giving a time on that
same day supplies the time.

Cost: JSON-LD and ``<meta>`` are read with regular expressions straight from the text, so a page that
declares its date there is never parsed; otherwise the page is parsed once with lxml and only its
date-shaped text nodes are examined. Broken, huge or non-HTML input never raises.
"""

from __future__ import annotations

import html as html_lib
import json
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, time, timedelta

import lxml.etree
import lxml.html

from pipelines.russian_dates import (
    ABSOLUTE,
    MONTH,
    MONTH_NAMES,
    RELATIVE,
    WEEKDAY,
    YEARLESS,
    local_now,
    parse_dated,
    parse_russian_date,
    to_iso,
    zone,
)

log = logging.getLogger(__name__)

Value = datetime | date
Element = lxml.etree._Element
EARLIEST = date(1995, 1, 1)
FUTURE_TOLERANCE = timedelta(days=1)
MAX_HTML_CHARS = 5_000_000
MAX_CANDIDATES = 80
MAX_DATE_TEXT = 200  # a date-classed block («Опубликовано: 01.11.2022, 14:30 | Просмотров: 120»)
MAX_BARE_DATE_TEXT = 90  # a text with no date class, e.g. «<p>1 ноября 2022 г.</p>»

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

LD_JSON = re.compile(r"<script\b[^>]*?application/ld\+json[^>]*>(.*?)</script\s*>", re.I | re.S)
META_TAG = re.compile(r"<meta\b[^>]*>", re.I)
META_ATTR = re.compile(r"""\b(property|name|itemprop|content)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.I)
ARTICLE_TYPES = re.compile(r"article|blogposting|report|liveblog", re.I)

TEXT_NODES = lxml.etree.XPath("//body//text()[normalize-space()][not(parent::script or parent::style)]")
# ``[@itemprop]`` first: it rules out most elements faster than the comparisons do
MICRODATA_DATES = lxml.etree.XPath("//*[@itemprop][@itemprop='datePublished' or @itemprop='datepublished']")
POSITION = lxml.etree.XPath("count(preceding::*) + count(ancestor::*)")
# Classes and ids that mark a date-bearing element: news-date-time, entry-date, post-date, b-data ...
DATE_CLASS = re.compile(r"date|time|data|publ|posted|created|byline|meta|info", re.I)
# Blocks that are not the article: their dates belong to other pages or to the site itself.
BOILER_TOKENS = frozenset(
    "sidebar aside related other others similar popular widget widgets comment comments nav navbar "
    "navigation menu breadcrumb breadcrumbs ticker latest last more recommend recommended banner adv ads "
    "readmore also list feed announce anons archive calendar poll tags subscribe share social rubrics "
    "top10 topnews mostread".split()
)
CHROME_CLASSES = frozenset("header site-header page-header top topbar top-bar head masthead".split())
CHROME_TAGS = frozenset(("header", "footer"))
BOILER_TAGS = frozenset(("aside", "nav"))
BOILER_ROLES = frozenset(("complementary", "navigation", "contentinfo", "banner"))
TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")
# A class naming a date element itself («b-news-feed-date», «list-time»): its other words describe the date,
# not a list of other articles, so they do not make the element boilerplate (its containers still may).
OWN_DATE_TOKENS = frozenset("date time datetime pubdate dateline".split())
# Headings that open a list of other articles.
OTHER_NEWS = re.compile(
    r"\s*(други[ея]\s|ещ[её]\s|похожие|последние|свежие|популярн|актуальн|главные\s|читайте\s+(также|еще|ещё)"
    r"|смотрите\s+также|см\.\s+также|новости\s+(по\s+теме|раздела|партн)|материалы\s+по\s+теме|по\s+теме"
    r"|лента\s+новостей|самое\s+(читаемое|интересное)|related|more\s+news|latest\s+news|read\s+also)",
    re.I,
)
HEADLINE_CLASS = re.compile(r"(?:^|[\s_-])(?:title|headline|zagolovok|news-name|heading)(?:$|[\s_-])", re.I)
MAX_HEADLINE_DATE = 30      # longer than a date line: a headline with a date inside it
HEADLINE_PENALTY = 1e6      # such a date is taken only when nothing else on the page dates it
_UPDATED = (
    r"(?:обновлен[оа]?|изменен[оа]?|отредактирован[оа]?|исправлен[оа]?|последнее\s+(?:обновление|изменение)"
    r"|дата\s+(?:последнего\s+)?(?:изменения|обновления|редактирования)|updated|modified|last\s+edited)(?![а-яёa-z])"
)
UPDATED_WORDS = re.compile(_UPDATED, re.I)
UPDATED_LABEL = re.compile(_UPDATED + r"(?:\s+в)?\s*:?\s*$", re.I)
PUBLISHED_WORDS = re.compile(
    r"(?:опубликован[оа]?|дата\s+(?:публикации|размещения|создания)|размещен[оа]?|добавлен[оа]?|создан[оа]?"
    r"|published|posted)(?![а-яёa-z])",
    re.I,
)
MODIFIED_ATTR = re.compile(r"modif|updat|edited|changed", re.I)
PUBLISHED_ATTR = re.compile(r"publi|created|pubdate", re.I)
HAS_DIGIT = re.compile(r"\d")
DATE_SHAPE = re.compile(
    r"\d{1,2}[./-]\d{1,2}[./-]\d{2}|\d{4}-\d\d-\d\d|\d\s*" + MONTH + "|" + MONTH + r"\s+\d"
    r"|сегодня|вчера|сьогодні|вчора|назад",
    re.I,
)
# DATE_SHAPE in three parts that each start with a fixed character class, so that a search skips to the
# places worth trying instead of trying every month name at every position (see ``date_shaped``).
_DIGIT_SHAPE = re.compile(r"\d(?:\d?[./-]\d{1,2}[./-]\d{2}|\d{3}-\d\d-\d\d|\s*" + MONTH + ")", re.I)
# «ноября 2022», «Nov. 5» read backwards (in the reversed text): from the digit to the month name.
_NUMBER_MONTH_REVERSED = re.compile(r"\d\s+\.?(?:" + "|".join(name[::-1] for name in MONTH_NAMES) + ")", re.I)
_RELATIVE_SHAPE = re.compile(r"сегодня|вчера|сьогодні|вчора|назад", re.I)
# An agency dateline opening a paragraph: «МОСКВА, 29 июня. /ТАСС/.», «КИЕВ. 3 декабря. УНН.», «ОМСК, 1 ноября 2022».
DATELINE = re.compile(
    r"\s*[А-ЯЁІЇЄҐA-Z][А-ЯЁІЇЄҐA-Z -]{1,40}[,.]\s+(?i:\d{1,2}\s*" + MONTH + r"(?:\s*(?:19|20)\d\d)?)(?![\d:])"
)
URL_YMD = re.compile(
    r"(?<!\d)((?:19|20)\d\d)([/_-]?)(0[1-9]|1[0-2]|(?<=[/_-])[1-9])\2(0[1-9]|[12]\d|3[01]|(?<=[/_-])[1-9])(?!\d)"
)
# A text that is nothing but a date: «13 января 2020», «7 ЧЕРВНЯ, НЕДІЛЯ», «Среда, 2.12.2020, 16:34».
DATE_ONLY = re.compile(
    r"(?:" + MONTH + "|" + WEEKDAY.pattern + r"|сегодня|сьогодні|today|время|час|г\.|года?|р\.|року|\d+"
    r"|[\s.,:;/|()–—-])+",
    re.I,
)
COPYRIGHT_SIGNS = ("©", "&copy;", "&#169;", "(c)", "(C)", "Copyright", "copyright")
COPYRIGHT_YEARS = re.compile(r"\s*(?:(?:19|20)\d\d\s*(?:[-–—]|&[nm]dash;)\s*)?((?:19|20)\d\d)(?!\d)")
URL_DMY = re.compile(r"(?<!\d)(0[1-9]|[12]\d|3[01])([._-])(0[1-9]|1[0-2])\2((?:19|20)\d\d)(?!\d)")


def date_shaped(text: str) -> bool:
    """Does ``DATE_SHAPE`` occur in the text? The same answer, several times faster.

    Its numeric forms and «1 ноября» start with a digit (``_DIGIT_SHAPE``); «ноября 2022» is found from
    its digit backwards, in the reversed text (the month name's look-ahead, «no letter follows», always
    holds before the optional dot and the space, so it is left out there); the relative words come last.
    """
    return bool(
        _DIGIT_SHAPE.search(text) or _NUMBER_MONTH_REVERSED.search(text[::-1]) or _RELATIVE_SHAPE.search(text)
    )


class Window:
    """The range a publication date may fall in: from 1995 up to the fetch time plus a small tolerance."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.latest_day = (now + FUTURE_TOLERANCE).date()

    def accepts(self, value: Value | None) -> bool:
        if value is None:
            return False
        if isinstance(value, datetime):
            return EARLIEST <= value.date() and value <= self.now + FUTURE_TOLERANCE
        return EARLIEST <= value <= self.latest_day


# -- page-wide metadata, read from the raw text ------------------------------------------------------


def json_ld_dates(html: str) -> list[str]:
    """``datePublished`` values of the page's JSON-LD, article-like types and shallow objects first."""
    if "datePublished" not in html:
        return []
    found: list[tuple[int, int, str]] = []
    for match in LD_JSON.finditer(html):
        text = match.group(1).strip()
        if "datePublished" not in text:
            continue
        try:
            _walk_json_ld(json.loads(text), 0, found)
        except (ValueError, RecursionError):
            for value in re.findall(r'"datePublished"\s*:\s*"([^"]{6,40})"', text):
                found.append((1, 0, value))
    found.sort(key=lambda item: (item[0], item[1]))
    return [value for _, _, value in found]


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
        kind = " ".join(map(str, kind)) if isinstance(kind, list) else str(kind or "")
        found.append((0 if ARTICLE_TYPES.search(kind) else 1, depth, value))
    for key, child in node.items():
        if key in ("itemListElement", "hasPart", "relatedLink", "comment", "review", "isPartOf"):
            continue  # other articles, not this one
        if isinstance(child, dict | list) and (depth < 2 or key in ("@graph", "mainEntity", "mainEntityOfPage")):
            _walk_json_ld(child, depth + 1, found)


def meta_dates(html: str, names: Sequence[str]) -> list[str]:
    """``content`` of ``<meta>`` tags whose property/name/itemprop is in ``names``, in that order."""
    by_name: dict[str, list[str]] = {}
    for tag in META_TAG.finditer(html):
        attrs = {m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or "" for m in META_ATTR.finditer(tag.group())}
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").strip().lower()
        if key in names and attrs.get("content"):
            by_name.setdefault(key, []).append(html_lib.unescape(attrs["content"]))
    return [content for name in names for content in by_name.get(name, [])]


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


# -- the parsed page ------------------------------------------------------------------------------------


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
                day = _day(value)
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
            day = _day(value)
            year = copyright_year() if kind == YEARLESS and abs((day - now.date()).days) > 1 else None
            if year:
                older = parse_russian_date(text, tz, now, fallback=False, year_base=date(year, 12, 31))
                if older is not None and _day(older).year == year:
                    day = _day(older)
            found.add(day)
        if len(found) != 1:
            return None
        day = found.pop()
        return day if day <= now.date() + FUTURE_TOLERANCE else None


def _day(value: Value) -> date:
    return value.date() if isinstance(value, datetime) else value


def _in_link_or_list(el: Element) -> bool:
    node: Element | None = el
    for _ in range(6):
        if node is None:
            return False
        if node.tag in ("a", "li", "option"):
            return True
        node = node.getparent()
    return False


def copyright_year(html: str, now: datetime) -> int | None:
    """The last year of the page's «© 2005–2020» notice (the year the page was rendered, usually)."""
    years = []
    for sign in COPYRIGHT_SIGNS:  # literal search first: a regular expression over the page is slow
        start = html.find(sign)
        while start >= 0 and len(years) < 20:
            match = COPYRIGHT_YEARS.match(html, start + len(sign), start + len(sign) + 40)
            if match and EARLIEST.year <= int(match.group(1)) <= now.year:
                years.append(int(match.group(1)))
            start = html.find(sign, start + 1)
    return max(years) if years else None


class Clock:
    """Reads the dates of a parsed page: the base of its relative and year-less dates fits the page.

    - «Сегодня», «вчера», «2 часа назад» are counted from the page's own «today» (a date widget in its
      header, see ``Page.shown_today``) when it shows one, else from the fetch time; a day so computed
      that is more than a day away from the date in the URL gives way to the URL's day (keeping the
      time read): a page kept or cached long after it was written says «сегодня» of another day.
    - «3 декабря» without a year takes the year of the same day written in full elsewhere on the page,
      else the most recent such day not after the URL's date, the page's «today» or the fetch day.
    The page-wide facts are gathered only when a relative or year-less date turns up.
    """

    def __init__(self, page: Page, html: str, url: str, tz: str, now: datetime) -> None:
        self.page, self.html, self.tz, self.now = page, html, tz, now
        self.url_day = url_date(url)
        self._today: tuple[date | None] | None = None
        self._full: dict[tuple[int, int], int] | None = None

    def today(self) -> date | None:
        if self._today is None:
            shown = self.page.shown_today(self.tz, self.now, lambda: copyright_year(self.html, self.now))
            self._today = (shown,)
        return self._today[0]

    def base(self) -> datetime:
        """The page's «now»: the fetch time, or the end of the day its header shows when that is earlier."""
        shown = self.today()
        if shown is None or shown >= self.now.date():
            return self.now
        return datetime.combine(shown, time(23, 59, 59), tzinfo=self.now.tzinfo)

    def parse(self, text: str) -> Value | None:
        value, kind = parse_dated(text, self.tz, self.now, fallback=False)
        if value is None or kind == ABSOLUTE:
            return value
        if kind == RELATIVE:
            base = self.base()
            if base != self.now:
                value = parse_russian_date(text, self.tz, base, fallback=False)
            return self._fit_url(value)
        day = _day(value)
        if self._full is None:
            self._full = self.page.full_dates(self.tz, self.now)
        year = self._full.get((day.month, day.day))
        if year is not None:
            year_base = date(year, day.month, day.day)
        elif self.url_day is not None:
            year_base = self.url_day + FUTURE_TOLERANCE
        else:
            year_base = min(self.today() or self.now.date(), self.now.date())
        if year_base != self.now.date():
            value = parse_russian_date(text, self.tz, self.now, fallback=False, year_base=year_base)
        return value

    def _fit_url(self, value: Value | None) -> Value | None:
        """A relative day that the URL's day contradicts gives way to it, unless time zones explain the gap.

        The URL may carry the day of the CMS's zone: a local day one ahead of it is plausible only in the
        small hours (the source east of the CMS), one behind only late in the day (west of it).
        """
        if value is None or self.url_day is None:
            return value
        gap = (_day(value) - self.url_day).days
        if gap == 0:
            return value
        if isinstance(value, datetime) and ((gap == 1 and value.hour < 12) or (gap == -1 and value.hour >= 12)):
            return value
        if isinstance(value, datetime):
            return datetime.combine(self.url_day, value.timetz())
        return self.url_day


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


def _element_date_text(el: Element) -> str:
    for attribute in ("datetime", "content", "data-date", "data-datetime"):
        value = el.get(attribute)
        if value and HAS_DIGIT.search(value):
            return value
    text = " ".join(el.text_content().split())
    return text if len(text) <= MAX_DATE_TEXT else ""


# -- putting the evidence together ---------------------------------------------------------------------


def _page_evidence(html: str, url: str, tz: str, now: datetime, pages: list[Page]) -> Iterator[Value | None]:
    """Candidate dates from the page, best first; lazy, so the page is parsed only when needed.

    The parsed page, if any, is appended to ``pages`` for the caller's later checks.
    """

    def parse(text: str) -> Value | None:
        return parse_russian_date(text, tz, now, fallback=False)

    for text in json_ld_dates(html):
        yield parse(text)
    for text in meta_dates(html, STRONG_META):
        yield parse(text)
    root = parse_html(html)
    if root is not None:
        page = Page(root)
        pages.append(page)
        clock = Clock(page, html, url, tz, now)
        for el in page.microdata():
            yield clock.parse(_element_date_text(el))
        for el in page.time_elements():
            yield clock.parse(_element_date_text(el))
        for text in page.visible_dates():
            yield clock.parse(text)
    for text in meta_dates(html, WEAK_META):
        yield parse(text)


def _htmldate(html: str, url: str, window: Window) -> date | None:
    import htmldate  # imported lazily: the last resort

    try:
        found = htmldate.find_date(
            html,
            url=url or None,
            original_date=True,
            outputformat="%Y-%m-%d",
            min_date=EARLIEST.isoformat(),
            max_date=window.latest_day.isoformat(),
        )
    except Exception:  # a third-party heuristic: any failure just means "no date"
        log.debug("htmldate failed on %s", url, exc_info=True)
        return None
    return date.fromisoformat(found) if found else None


GENITIVE_MONTHS = (
    "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split()
)


def _written_in(html: str, day: date) -> bool:
    """Is the day written in full somewhere in the page (numeric or with a Russian month name)?"""
    y, m, d = day.year, day.month, day.day
    forms = (
        f"{y}-{m:02d}-{d:02d}", f"{y}/{m:02d}/{d:02d}", f"{d:02d}.{m:02d}.{y}", f"{d}.{m:02d}.{y}",
        f"{d:02d}.{m:02d}.{y % 100:02d}", f"{d} {GENITIVE_MONTHS[m - 1]} {y}", f"{y}{m:02d}{d:02d}",
    )
    lowered = html.lower()
    return any(form in lowered for form in forms)


def _as_text(html: str | bytes | None) -> str:
    if isinstance(html, bytes):
        from w3lib.encoding import html_to_unicode

        html = html_to_unicode(None, html)[1]
    return html[:MAX_HTML_CHARS] if isinstance(html, str) else ""


def best_published(
    html: str | bytes, url: str, tz: str, fetched_at: datetime, hints: Sequence[str] = ()
) -> Value | None:
    """The publication date as a local datetime or date (see the module docstring), or None."""
    zone_info = zone(tz)
    now = local_now(fetched_at, zone_info)
    window = Window(now)
    text = _as_text(html)
    pages: list[Page] = []

    def evidence() -> Iterator[Value | None]:
        if text:
            yield from _page_evidence(text, url, zone_info.key, now, pages)
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
    if best is None and text.strip():
        found = _htmldate(text, url, window)
        # htmldate knows no sidebars and may infer a day from «© 2005»: its day must be written on the
        # page in full, and not only in the page's other blocks
        if (
            window.accepts(found)
            and _written_in(text, found)
            and not (pages and found in pages[0].excluded_days(zone_info.key, now))
        ):
            best = found
    return best


def find_published(
    html: str | bytes, url: str, tz: str, fetched_at: datetime, hints: Sequence[str] = ()
) -> str:
    """ISO 8601 publication date in the source's local time, a bare date, or "" — never raises."""
    try:
        return to_iso(best_published(html, url, tz, fetched_at, hints))
    except Exception as exc:  # a bad page must not stop the crawl: it just gets no date
        log.warning("date extraction failed for %s: %s: %s", url, type(exc).__name__, exc)
        log.debug("date extraction traceback for %s", url, exc_info=True)
        return ""
