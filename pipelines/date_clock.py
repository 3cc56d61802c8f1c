"""The page's clock: relative («Сегодня, 14:35», «вчера») and year-less («3 декабря») dates read against it.

``Clock.parse`` reads a visible date of a ``Page``; the base of its relative and year-less dates fits the
page rather than the fetch time: the day a date widget in the page's header shows (its year, when missing,
from the footer's «© 2005–2020», ``copyright_year``), the same day written in full elsewhere on the page,
the date in the URL.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from pipelines.date_metadata import url_date
from pipelines.date_page import Page
from pipelines.date_patterns import EARLIEST, FUTURE_TOLERANCE, Value, day_of
from pipelines.russian_dates import ABSOLUTE, RELATIVE, parse_dated, parse_russian_date

COPYRIGHT_SIGNS = ("©", "&copy;", "&#169;", "(c)", "(C)", "Copyright", "copyright")
COPYRIGHT_YEARS = re.compile(r"\s*(?:(?:19|20)\d\d\s*(?:[-–—]|&[nm]dash;)\s*)?((?:19|20)\d\d)(?!\d)")


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
        day = day_of(value)
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
        gap = (day_of(value) - self.url_day).days
        if gap == 0:
            return value
        if isinstance(value, datetime) and ((gap == 1 and value.hour < 12) or (gap == -1 and value.hour >= 12)):
            return value
        if isinstance(value, datetime):
            return datetime.combine(self.url_day, value.timetz())
        return self.url_day
