"""The vocabulary of publication dates: what a date looks like in text, which markup holds one, when it may fall.

Regular expressions and word lists shared by the readers of a page's evidence (``date_page``, ``date_clock``):
date-shaped text (``DATE_SHAPE`` and its fast twin ``date_shaped``), agency datelines, «Обновлено» /
«Опубликовано» labels, the classes and tags of date elements and of the blocks that are not the article
(sidebars, page chrome, «Другие новости»), and ``Window``, the range a publication date may fall in.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import lxml.etree

from pipelines.russian_dates import MONTH, MONTH_NAMES, WEEKDAY

Value = datetime | date
Element = lxml.etree._Element
EARLIEST = date(1995, 1, 1)
FUTURE_TOLERANCE = timedelta(days=1)

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
# A text that is nothing but a date: «13 января 2020», «7 ЧЕРВНЯ, НЕДІЛЯ», «Среда, 2.12.2020, 16:34».
DATE_ONLY = re.compile(
    r"(?:" + MONTH + "|" + WEEKDAY.pattern + r"|сегодня|сьогодні|today|время|час|г\.|года?|р\.|року|\d+"
    r"|[\s.,:;/|()–—-])+",
    re.I,
)


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


def day_of(value: Value) -> date:
    """The day of a date or datetime."""
    return value.date() if isinstance(value, datetime) else value
