"""Parse one date string as written on a Russian news site into a local date or datetime.

``parse_russian_date(text, tz, now)`` understands the shapes regional newsrooms print and feeds carry:
ISO 8601 («2022-11-01T14:30:00+03:00»), RSS/RFC 2822 («Tue, 01 Nov 2022 14:30:00 +0300»), numeric
day-first dates («01.11.2022», «01.11.22 14:30» — never month-first), month names («1 ноября 2022 г.»,
«1 ноября 2022, 14:30», «3 ноября» without a year), and relative forms («Сегодня, 14:35», «Вчера, 09:10»,
«2 часа назад», «5 минут назад») computed from ``now`` (the fetch time) in the source's time zone.

A result carrying a time is an aware datetime in the zone ``tz``; a time without an offset is taken as
local to ``tz``, one with an offset (or «Z», or «МСК») is converted to it. A result without a time is a
plain ``date``. The hand-written patterns cover the common shapes quickly; ``dateparser`` (slow) is only
a fallback for the rest, and callers on a hot path may switch it off. ``to_iso`` formats either result.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TZ = "Europe/Moscow"
MOSCOW = ZoneInfo("Europe/Moscow")

# Month words: Russian genitive, nominative and abbreviations; Ukrainian genitive; English.
_MONTH_WORDS: dict[str, int] = {}
for _number, _words in enumerate(
    (
        "января январь янв січня jan january",
        "февраля февраль фев февр лютого feb february",
        "марта март мар березня mar march",
        "апреля апрель апр квітня apr april",
        "мая май травня may",
        "июня июнь июн червня jun june",
        "июля июль июл липня jul july",
        "августа август авг серпня aug august",
        "сентября сентябрь сен сент вересня sep sept september",
        "октября октябрь окт жовтня oct october",
        "ноября ноябрь ноя нояб листопада nov november",
        "декабря декабрь дек грудня dec december",
    ),
    start=1,
):
    for _word in _words.split():
        _MONTH_WORDS[_word] = _number
MONTH_NAMES = tuple(sorted(_MONTH_WORDS, key=len, reverse=True))  # longest first
MONTH = "(?:" + "|".join(MONTH_NAMES) + r")(?![а-яёіїєґa-z])\.?"

_TIME = r"(?<![\d.:])([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?(?![\d:])"
TIME = re.compile(_TIME)
# 2022-11-01T14:30:00.123+03:00, 2022-11-01 14:30, 2022/11/01, 2022.11.01 ; offset optional.
ISO = re.compile(
    r"(?<!\d)((?:19|20)\d\d)([-/.])(0?[1-9]|1[0-2])\2(0?[1-9]|[12]\d|3[01])(?!\d)"
    r"(?:[T\s]+([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:[.,]\d+)?)?\s*(Z|[+-]\d\d(?::?\d\d)?)?)?",
    re.IGNORECASE,
)
# 01.11.2022, 1.11.22, 01/11/2022, 01-11-2022 — always day first.
NUMERIC_DMY = re.compile(r"(?<![\d.])(0?[1-9]|[12]\d|3[01])([./-])(0?[1-9]|1[0-2])\2(\d{4}|\d\d)(?!\d)(?!\.\d)")
NUMERIC_ANY = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")
# 1 ноября 2022 г., 1 ноября 2022 года, 1 нояб. 2022, 3 ноября, 01 Nov 2022
DAY_MONTH = re.compile(r"(?<!\d)(0?[1-9]|[12]\d|3[01])\s*(" + MONTH + r")(?:,?\s*((?:19|20)\d\d)(?!\d))?", re.I)
# Nov 1, 2022 / ноября 1, 2022 (English order)
MONTH_DAY = re.compile(r"(?<![а-яёa-z])(" + MONTH + r")\s+(0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)(?!\d)", re.I)
TODAY = re.compile(
    r"(?<![а-яёіїєґ])(сегодня|вчера|позавчера|сьогодні|вчора|учора|позавчора|today|yesterday)(?![а-яёіїєґ])", re.I
)
_TODAY_SHIFT = {
    "сегодня": 0, "сьогодні": 0, "today": 0,
    "вчера": 1, "вчора": 1, "учора": 1, "yesterday": 1,
    "позавчера": 2, "позавчора": 2,
}
# Weekday names (Monday = 0): Russian nominative/accusative, Ukrainian, English.
_WEEKDAYS = (
    r"понедельник|понеділ(?:ок|ка)|monday|mon",
    r"вторник|вівтор(?:ок|ка)|tuesday|tue",
    r"сред[ау]|серед[ау]|wednesday|wed",
    r"четверг|четвер|thursday|thu",
    r"пятниц[ау]|п['’ʼ]?ятниц[яю]|friday|fri",
    r"суббот[ау]|субот[ау]|saturday|sat",
    r"воскресенье|неділ[яю]|sunday|sun",
)
WEEKDAY = re.compile(
    r"(?<![а-яёіїєґa-z])(?:" + "|".join(f"({words})" for words in _WEEKDAYS) + r")(?![а-яёіїєґa-z])", re.I
)
AGO = re.compile(
    r"(?:(\d+|одн[уа]|один|две|два|три|четыре|пять|полчаса)\s+)?"
    r"(секунд\w*|сек\.?|минут\w*|мин\.?|час\w*|ч\.|дн[ея]\w*|день|недел\w*|мес\w*)\s+назад",
    re.I,
)
JUST_NOW = re.compile(r"только\s+что|just\s+now", re.I)
MSK = re.compile(r"\s*\(?\s*(?:мск|msk)(?![а-яёa-z])", re.I)
RFC2822 = re.compile(r"\b(?:mon|tue|wed|thu|fri|sat|sun),?\s+\d{1,2}\s+[a-z]{3}\s+\d{4}", re.I)

ABSOLUTE, YEARLESS, RELATIVE = "absolute", "yearless", "relative"

_WORD_NUMBERS = {"одну": 1, "одна": 1, "один": 1, "две": 2, "два": 2, "три": 3, "четыре": 4, "пять": 5}
MIN_YEAR = 1990


@lru_cache(maxsize=64)
def _month_number(word: str) -> int | None:
    """The month a matched month word names. The patterns match case-insensitively, so a look-alike letter
    that only case folding maps back («ᲂктября» with U+1C82, «ſ») is looked up folded; None if still unknown."""
    word = word.rstrip(".")
    return _MONTH_WORDS.get(word.lower()) or _MONTH_WORDS.get(word.casefold())


def zone(tz: str | None) -> ZoneInfo:
    """The ZoneInfo for an IANA name; Moscow when the name is empty or unknown."""
    try:
        return ZoneInfo(tz) if tz else MOSCOW
    except (ZoneInfoNotFoundError, ValueError):
        return MOSCOW


def local_now(now: datetime | None, tz: ZoneInfo) -> datetime:
    """The fetch time in the source's zone (a naive ``now`` is taken as UTC)."""
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(tz)


def _offset(text: str) -> timezone:
    if text.upper() == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _with_time(day: date, text: str, span: tuple[int, int], tz: ZoneInfo) -> datetime | date:
    """Attach the clock time written just before or after the date (same few characters), if any."""
    start, end = span
    after = text[end : end + 30]
    match = TIME.search(after)
    if match and not re.search(r"\d{1,2}[./-]\d{1,2}[./-]\d{2}|[а-яё]{3,}\s*:", after[: match.start()], re.I):
        rest = after[match.end() :]
    else:
        before = text[max(0, start - 25) : start]
        matches = list(TIME.finditer(before))
        match = matches[-1] if matches else None
        rest = ""
    if match is None:
        return day
    hour, minute, second = (int(g) if g else 0 for g in match.groups())
    value = datetime.combine(day, time(hour, minute, second))
    if MSK.match(rest):
        return value.replace(tzinfo=MOSCOW).astimezone(tz)
    return value.replace(tzinfo=tz)


def _parse_iso(match: re.Match[str], tz: ZoneInfo) -> datetime | date | None:
    year, _sep, month, day, hour, minute, second, offset = match.groups()
    day_value = _make_date(int(year), int(month), int(day))
    if day_value is None:
        return None
    if hour is None:
        return day_value
    value = datetime.combine(day_value, time(int(hour), int(minute), int(second or 0)))
    if offset:
        return value.replace(tzinfo=_offset(offset)).astimezone(tz)
    return value.replace(tzinfo=tz)


def _last_occurrence(month: int, day: int, today: date, weekday: int | None = None) -> date | None:
    """The most recent ``day``.``month`` that is not after ``today`` (for dates written without a year).

    With the ``weekday`` written next to it («Четверг, 3 декабря»), the most recent such day falling on
    that weekday, within the last 12 years (a weekday-less year-less date can only be the last one).
    """
    candidates = [
        candidate
        for year in range(today.year, today.year - 12, -1)
        if (candidate := _make_date(year, month, day)) is not None and candidate <= today
    ]
    if weekday is not None:
        for candidate in candidates:
            if candidate.weekday() == weekday:
                return candidate
    return candidates[0] if candidates else None


def weekday_near(text: str, start: int, end: int) -> int | None:
    """The weekday (Monday = 0) written just before or after a date's span in ``text``, if any."""
    window = text[max(0, start - 16) : end + 16]
    match = WEEKDAY.search(window)
    if match is None:
        return None
    return next(index for index, group in enumerate(match.groups()) if group)


def _parse_relative(text: str, tz: ZoneInfo, now: datetime) -> datetime | date | None:
    match = TODAY.search(text)
    if match:
        shift = _TODAY_SHIFT[match.group(1).lower()]
        day = now.date() - timedelta(days=shift)
        return _with_time(day, text, match.span(), tz)
    match = AGO.search(text)
    if match:
        count_text, unit = (match.group(1) or "1").lower(), match.group(2).lower()
        if count_text == "полчаса":
            return (now - timedelta(minutes=30)).replace(second=0, microsecond=0)
        count = int(count_text) if count_text.isdigit() else _WORD_NUMBERS.get(count_text, 1)
        if unit.startswith(("сек", "мин")):
            step = timedelta(seconds=count) if unit.startswith("сек") else timedelta(minutes=count)
            return (now - step).replace(second=0, microsecond=0)
        if unit.startswith(("час", "ч")):
            return (now - timedelta(hours=count)).replace(second=0, microsecond=0)
        if unit.startswith(("дн", "день")):
            return now.date() - timedelta(days=count)
        if unit.startswith("недел"):
            return now.date() - timedelta(weeks=count)
        return None  # months ago: not precise to the day
    if JUST_NOW.search(text):
        return now.replace(second=0, microsecond=0)
    return None


def _parse_patterns(
    text: str, tz: ZoneInfo, now: datetime, year_base: date | None = None
) -> tuple[datetime | date | None, str]:
    """The fast path: hand-written patterns, first match in the text wins; with the kind of date found."""
    found: list[tuple[int, datetime | date | None, str]] = []
    match = ISO.search(text)
    if match:
        found.append((match.start(), _parse_iso(match, tz), ABSOLUTE))
    match = NUMERIC_DMY.search(text)
    if match:
        day = _make_date(_year(match.group(4)), int(match.group(3)), int(match.group(1)))
        found.append((match.start(), day and _with_time(day, text, match.span(), tz), ABSOLUTE))
    match = DAY_MONTH.search(text)
    month = _month_number(match.group(2)) if match else None
    if month:
        if match.group(3):
            day = _make_date(int(match.group(3)), month, int(match.group(1)))
            kind = ABSOLUTE
        else:
            weekday = weekday_near(text, *match.span())
            day = _last_occurrence(month, int(match.group(1)), year_base or now.date(), weekday)
            kind = YEARLESS
        found.append((match.start(), day and _with_time(day, text, match.span(), tz), kind))
    match = MONTH_DAY.search(text)
    month = _month_number(match.group(1)) if match else None
    if month:
        day = _make_date(int(match.group(3)), month, int(match.group(2)))
        found.append((match.start(), day and _with_time(day, text, match.span(), tz), ABSOLUTE))
    found = [item for item in found if item[1] is not None]
    if found:
        _start, value, kind = min(found, key=lambda item: item[0])
        return value, kind
    return _parse_relative(text, tz, now), RELATIVE


def _parse_rfc2822(text: str, tz: ZoneInfo) -> datetime | None:
    try:
        value = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=tz)
    return value.astimezone(tz)


def _parse_with_dateparser(text: str, tz: ZoneInfo, now: datetime) -> datetime | date | None:
    import dateparser  # imported lazily: slow to load, and only needed for unusual shapes

    settings = {
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": "past",
        "TIMEZONE": tz.key,
        "TO_TIMEZONE": tz.key,
        "RETURN_AS_TIMEZONE_AWARE": True,
        "RELATIVE_BASE": now.replace(tzinfo=None),
        "REQUIRE_PARTS": ["day", "month"],
    }
    try:
        value = dateparser.parse(text, languages=["ru", "uk", "en"], settings=settings)
    except (ValueError, TypeError, OverflowError, re.error):
        return None
    if value is None:
        return None
    value = value.astimezone(tz)
    return value if TIME.search(text) else value.date()


def parse_russian_date(
    text: str, tz: str, now: datetime, *, fallback: bool = True, year_base: date | None = None
) -> datetime | date | None:
    """Parse the first date in ``text``; an aware datetime in ``tz`` when a time is given, else a date.

    ``now`` is the (aware) fetch time, the base of «Сегодня», «Вчера», «2 часа назад» and of dates
    written without a year (or ``year_base``, when given, for the latter). Returns None when the text
    holds no date precise to the day. With ``fallback=False`` the slow ``dateparser`` is never called.
    """
    return parse_dated(text, tz, now, fallback=fallback, year_base=year_base)[0]


def parse_dated(
    text: str, tz: str, now: datetime, *, fallback: bool = True, year_base: date | None = None
) -> tuple[datetime | date | None, str]:
    """``parse_russian_date`` and the kind of date read: ``ABSOLUTE`` (the text gives the year),
    ``YEARLESS`` («3 ноября»: the year was inferred) or ``RELATIVE`` («Сегодня», «2 часа назад»:
    the day was computed from ``now``); the kind is "" when nothing was found."""
    if not text or not isinstance(text, str):
        return None, ""
    text = " ".join(text.replace("\u00a0", " ").split())[:500]
    if not text:
        return None, ""
    zone_info = zone(tz)
    local = local_now(now, zone_info)
    rfc = RFC2822.search(text)
    if rfc:
        value = _parse_rfc2822(text[rfc.start() :], zone_info)
        if value is not None:
            return value, ABSOLUTE
    value, kind = _parse_patterns(text, zone_info, local, year_base)
    if value is None and fallback and _worth_dateparser(text):
        value, kind = _parse_with_dateparser(text, zone_info, local), ABSOLUTE
    if value is None or _as_date(value).year < MIN_YEAR:
        return None, ""
    return value, kind


def _worth_dateparser(text: str) -> bool:
    """Short, has digits and words, and no numeric date: dateparser would read «01.13.2022» month first."""
    return (
        len(text) <= 80
        and re.search(r"\d", text) is not None
        and re.search(r"[^\W\d_]{3}", text) is not None
        and NUMERIC_ANY.search(text) is None
    )


def _as_date(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def to_iso(value: datetime | date | None) -> str:
    """ISO 8601: ``2022-11-01T14:30:00+03:00`` for a datetime, ``2022-11-01`` for a date, "" for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()
