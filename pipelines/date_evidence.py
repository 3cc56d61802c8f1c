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
date-shaped text nodes are examined. A caller that has parsed the page already passes its tree
(``find_published(..., tree=...)``: ``lxml.html.document_fromstring`` of the same text, as
``pipelines.clean.parse_page`` makes it, unchanged): it is read instead of parsing again, and never changed
(a tree with comments is copied without them), with the same answers. Broken, huge or non-HTML input never
raises.

The parts: ``date_metadata`` (JSON-LD, ``<meta>``, the URL), ``date_page`` (the visible dates of the parsed
page), ``date_clock`` (relative and year-less dates), ``date_patterns`` (the vocabulary they share); this
module puts their evidence together.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime

import lxml.html

from pipelines.date_clock import Clock
from pipelines.date_metadata import STRONG_META, WEAK_META, json_ld_dates, meta_dates, url_date
from pipelines.date_page import Page, element_date_text, parse_html, without_comments
from pipelines.date_patterns import DATE_SHAPE, EARLIEST, Value, Window, date_shaped
from pipelines.russian_dates import local_now, parse_russian_date, to_iso, zone

__all__ = ["DATE_SHAPE", "Window", "best_published", "date_shaped", "find_published", "url_date"]

log = logging.getLogger(__name__)
MAX_HTML_CHARS = 5_000_000
# How htmldate's ``load_html`` reads a text (see ``_htmldate_parses_alike``): lxml's test for a whole document,
# and the first line's doctype that it cuts out.
WHOLE_DOCUMENT = re.compile(r"^\s*<(?:html|!doctype)", re.I)
HTMLDATE_DOCTYPE_CUT = re.compile(r"^< ?! ?DOCTYPE.+?/ ?>", re.I)


def _page_evidence(
    html: str, url: str, tz: str, now: datetime, pages: list[Page], tree: lxml.html.HtmlElement | None
) -> Iterator[Value | None]:
    """Candidate dates from the page, best first; lazy, so the page is parsed only when needed.

    ``tree``, when not None, is the page already parsed by the caller, read instead of parsing ``html``.
    The parsed page, if any, is appended to ``pages`` for the caller's later checks.
    """

    def parse(text: str) -> Value | None:
        return parse_russian_date(text, tz, now, fallback=False)

    for text in json_ld_dates(html):
        yield parse(text)
    for text in meta_dates(html, STRONG_META):
        yield parse(text)
    root = parse_html(html) if tree is None else without_comments(tree)
    if root is not None:
        page = Page(root)
        pages.append(page)
        clock = Clock(page, html, url, tz, now)
        for el in page.microdata():
            yield clock.parse(element_date_text(el))
        for el in page.time_elements():
            yield clock.parse(element_date_text(el))
        for text in page.visible_dates():
            yield clock.parse(text)
    for text in meta_dates(html, WEAK_META):
        yield parse(text)


def _htmldate_parses_alike(html: str) -> bool:
    """Would htmldate parse this text into the caller's tree (``document_fromstring``, comments kept)?

    htmldate's ``load_html`` parses a text as a whole document only when it opens with ``<html`` or
    ``<!doctype`` (else as a fragment), rejects one without «html» in its first 50 characters, drops
    processing instructions, and first cuts a first line's ``<!DOCTYPE …/>`` and mends an ``<html …/>``
    among the first four lines. A text that none of this touches gives the same tree (htmldate's other
    parser options change nothing it reads); only then is the caller's tree passed to htmldate, which
    reads a given tree and prunes a copy of it.
    """
    beginning = html[:50].lower()
    if not WHOLE_DOCUMENT.match(html) or "html" not in beginning or "<?" in html:
        return False
    lines = html.split("\n", 4)[:4]
    if "doctype" in beginning and HTMLDATE_DOCTYPE_CUT.match(lines[0]):
        return False
    return not any("<html" in line and line.rstrip("\r").endswith("/>") for line in lines)


def _htmldate(html: str, url: str, window: Window, tree: lxml.html.HtmlElement | None) -> date | None:
    import htmldate  # imported lazily: the last resort

    try:
        found = htmldate.find_date(
            tree if tree is not None and _htmldate_parses_alike(html) else html,
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
    html: str | bytes,
    url: str,
    tz: str,
    fetched_at: datetime,
    hints: Sequence[str] = (),
    *,
    tree: lxml.html.HtmlElement | None = None,
) -> Value | None:
    """The publication date as a local datetime or date (see the module docstring), or None.

    ``tree``: the caller's lxml tree of the same ``html`` (see the module docstring), or None to parse it here.
    """
    zone_info = zone(tz)
    now = local_now(fetched_at, zone_info)
    window = Window(now)
    text = _as_text(html)
    if len(text) >= MAX_HTML_CHARS:
        tree = None  # the text read here is cut short: a tree of the whole page would say more
    pages: list[Page] = []

    def evidence() -> Iterator[Value | None]:
        if text:
            yield from _page_evidence(text, url, zone_info.key, now, pages, tree)
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
        found = _htmldate(text, url, window, tree)
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
    html: str | bytes,
    url: str,
    tz: str,
    fetched_at: datetime,
    hints: Sequence[str] = (),
    *,
    tree: lxml.html.HtmlElement | None = None,
) -> str:
    """ISO 8601 publication date in the source's local time, a bare date, or "" — never raises.

    ``tree``: the page already parsed by the caller (``pipelines.clean.parse_page(html)``, not changed
    since), read instead of parsing ``html`` again and left unchanged; the answer is the same either way.
    """
    try:
        return to_iso(best_published(html, url, tz, fetched_at, hints, tree=tree))
    except Exception as exc:  # a bad page must not stop the crawl: it just gets no date
        log.warning("date extraction failed for %s: %s: %s", url, type(exc).__name__, exc)
        log.debug("date extraction traceback for %s", url, exc_info=True)
        return ""
