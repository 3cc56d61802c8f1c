"""Unit tests of pipelines.russian_dates: every Russian date shape, time zones, relative dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.russian_dates import ABSOLUTE, RELATIVE, YEARLESS, parse_dated, parse_russian_date, to_iso

MOSCOW = "Europe/Moscow"
KEMEROVO = "Asia/Novokuznetsk"  # UTC+7
# 2 November 2022, 13:00 in Moscow
NOW = datetime(2022, 11, 2, 10, 0, tzinfo=UTC)


def iso(text: str, tz: str = MOSCOW, now: datetime = NOW) -> str:
    return to_iso(parse_russian_date(text, tz, now))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01.11.2022", "2022-11-01"),
        ("1.11.2022", "2022-11-01"),
        ("01/11/2022", "2022-11-01"),
        ("01-11-2022", "2022-11-01"),
        ("05.02.2021", "2021-02-05"),  # day first, never month first
        ("12.01.2022", "2022-01-12"),
        ("01.11.22", "2022-11-01"),
        ("01.11.22 14:30", "2022-11-01T14:30:00+03:00"),
        ("01.11.2022, 14:30", "2022-11-01T14:30:00+03:00"),
        ("01.11.2022 в 14:30", "2022-11-01T14:30:00+03:00"),
        ("14:30 01.11.2022", "2022-11-01T14:30:00+03:00"),
        ("14:30:15 | 01.11.2022", "2022-11-01T14:30:15+03:00"),
        ("1 ноября 2022 г.", "2022-11-01"),
        ("1 ноября 2022 года", "2022-11-01"),
        ("1 ноября 2022, 14:30", "2022-11-01T14:30:00+03:00"),
        ("1 ноября 2022 г. в 14:30", "2022-11-01T14:30:00+03:00"),
        ("Опубликовано: 31 октября 2022 года, 09:05", "2022-10-31T09:05:00+03:00"),
        ("1 Ноября 2022", "2022-11-01"),
        ("1 нояб. 2022", "2022-11-01"),
        ("15 мая 2021", "2021-05-15"),
        ("15 март 2021", "2021-03-15"),
        ("1 листопада 2022", "2022-11-01"),
        ("Nov 1, 2022", "2022-11-01"),
        ("01 November 2022", "2022-11-01"),
        ("2022-11-01", "2022-11-01"),
        ("2022-11-01 14:30", "2022-11-01T14:30:00+03:00"),
        ("2022-11-01T14:30:00", "2022-11-01T14:30:00+03:00"),
        ("2022-11-01T14:30:00+03:00", "2022-11-01T14:30:00+03:00"),
        ("2022-11-01T11:30:00Z", "2022-11-01T14:30:00+03:00"),
        ("2022-11-01T11:30:00.000+0000", "2022-11-01T14:30:00+03:00"),
        ("Tue, 01 Nov 2022 14:30:00 +0300", "2022-11-01T14:30:00+03:00"),
        ("Tue, 01 Nov 2022 11:30:00 GMT", "2022-11-01T14:30:00+03:00"),
    ],
)
def test_absolute_shapes(text, expected):
    assert iso(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "© 2022", "2022", "Просмотров: 1234", "31.02.2022", "5 марок",
                                  "ноябрь 2022", "тел. 8 (3842) 58-36-14", "14:30", "Новости", "01.13.2022"])
def test_not_a_date(text):
    assert parse_russian_date(text, MOSCOW, NOW) is None


def test_result_types():
    assert parse_russian_date("01.11.2022", MOSCOW, NOW) == date(2022, 11, 1)
    value = parse_russian_date("01.11.2022 14:30", MOSCOW, NOW)
    assert isinstance(value, datetime)
    assert value.utcoffset() == timedelta(hours=3)


def test_offset_is_converted_to_source_zone():
    # 22:30 UTC on 31 October is 05:30 on 1 November in Kemerovo
    assert iso("2022-10-31T22:30:00Z", KEMEROVO) == "2022-11-01T05:30:00+07:00"
    assert iso("2022-11-01T01:30:00+07:00", MOSCOW) == "2022-10-31T21:30:00+03:00"


def test_time_without_offset_is_local_to_source():
    # 01:30 in Kemerovo is the previous day in UTC; the local day is kept
    value = parse_russian_date("01.11.2022 01:30", KEMEROVO, NOW)
    assert to_iso(value) == "2022-11-01T01:30:00+07:00"
    assert value.astimezone(UTC).date() == date(2022, 10, 31)


def test_moscow_time_label_is_converted():
    assert iso("1 ноября 2022, 14:30 (МСК)", KEMEROVO) == "2022-11-01T18:30:00+07:00"
    assert iso("01.11.2022 14:30 мск", KEMEROVO) == "2022-11-01T18:30:00+07:00"


def test_today_and_yesterday():
    assert iso("Сегодня, 14:35") == "2022-11-02T14:35:00+03:00"
    assert iso("сегодня в 09:10") == "2022-11-02T09:10:00+03:00"
    assert iso("Вчера, 09:10") == "2022-11-01T09:10:00+03:00"
    assert iso("Вчера") == "2022-11-01"
    assert iso("позавчера, 18:00") == "2022-10-31T18:00:00+03:00"


def test_yesterday_across_midnight_uses_the_source_day():
    # fetched at 20:30 UTC on 1 November = 03:30 on 2 November in Kemerovo
    fetched = datetime(2022, 11, 1, 20, 30, tzinfo=UTC)
    assert iso("Вчера, 23:50", KEMEROVO, fetched) == "2022-11-01T23:50:00+07:00"
    assert iso("Сегодня, 01:15", KEMEROVO, fetched) == "2022-11-02T01:15:00+07:00"
    # the same fetch seen from Moscow (23:30 on 1 November)
    assert iso("Вчера, 23:50", MOSCOW, fetched) == "2022-10-31T23:50:00+03:00"


def test_day_month_without_year_is_the_latest_past_occurrence():
    assert iso("1 ноября") == "2022-11-01"
    assert iso("2 ноября, 12:00") == "2022-11-02T12:00:00+03:00"
    assert iso("3 ноября") == "2021-11-03"  # today is 2 November: the 3rd is last year's
    assert iso("31 декабря") == "2021-12-31"
    assert iso("29 февраля", now=datetime(2022, 3, 1, tzinfo=UTC)) == "2020-02-29"


def test_ukrainian_today_and_yesterday():
    assert iso("сьогодні, 18:06") == "2022-11-02T18:06:00+03:00"
    assert iso("11:00, сьогодні") == "2022-11-02T11:00:00+03:00"
    assert iso("Вчора о 09:10") == "2022-11-01T09:10:00+03:00"
    assert iso("позавчора") == "2022-10-31"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Четверг, 10 декабря, 12:30", "2020-12-10T12:30:00+03:00"),  # 10.12.2021 was a Friday
        ("10 декабря, четверг", "2020-12-10"),
        ("в четверг, 10 декабря", "2020-12-10"),
        ("Пятница, 10 декабря", "2021-12-10"),  # the weekday agrees with the latest occurrence
        ("10 декабря", "2021-12-10"),  # no weekday: the latest occurrence
        ("7 ЧЕРВНЯ, НЕДІЛЯ", "2020-06-07"),  # Ukrainian
        ("Среда, 2 ноября", "2022-11-02"),
        ("в среду, 2 ноября", "2022-11-02"),
        ("среди 10 декабря", "2021-12-10"),  # «среди» is not «среда»
    ],
)
def test_weekday_picks_the_year_of_a_yearless_date(text, expected):
    assert iso(text) == expected


def test_year_base_for_yearless_dates():
    assert to_iso(parse_russian_date("3 декабря", MOSCOW, NOW, year_base=date(2020, 12, 31))) == "2020-12-03"
    assert to_iso(parse_russian_date("3 декабря", MOSCOW, NOW, year_base=date(2020, 12, 2))) == "2019-12-03"
    # relative dates and dates with a year ignore it
    assert to_iso(parse_russian_date("Вчера", MOSCOW, NOW, year_base=date(2020, 1, 1))) == "2022-11-01"
    assert to_iso(parse_russian_date("3.12.2021", MOSCOW, NOW, year_base=date(2020, 1, 1))) == "2021-12-03"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("01.11.2022", ABSOLUTE),
        ("1 ноября 2022, 14:30", ABSOLUTE),
        ("Tue, 01 Nov 2022 14:30:00 +0300", ABSOLUTE),
        ("3 ноября", YEARLESS),
        ("Среда, 2 ноября, 14:30", YEARLESS),
        ("Сегодня, 14:35", RELATIVE),
        ("2 часа назад", RELATIVE),
        ("сегодня, 01.11.2022", ABSOLUTE),  # the written date wins over the word
        ("Просмотров: 1234", ""),
    ],
)
def test_parse_dated_tells_the_kind(text, kind):
    value, found = parse_dated(text, MOSCOW, NOW, fallback=False)
    assert found == kind
    assert (value is None) == (kind == "")


def test_relative_ago():
    assert iso("2 часа назад") == "2022-11-02T11:00:00+03:00"
    assert iso("5 минут назад") == "2022-11-02T12:55:00+03:00"
    assert iso("час назад") == "2022-11-02T12:00:00+03:00"
    assert iso("3 дня назад") == "2022-10-30"
    assert iso("2 часа назад", KEMEROVO) == "2022-11-02T15:00:00+07:00"


def test_naive_now_is_taken_as_utc():
    assert iso("Сегодня, 14:35", now=datetime(2022, 11, 2, 10, 0)) == "2022-11-02T14:35:00+03:00"


def test_unknown_timezone_falls_back_to_moscow():
    assert iso("01.11.2022 14:30", "Not/AZone") == "2022-11-01T14:30:00+03:00"


def test_dateparser_fallback_can_be_switched_off():
    assert iso("первое ноября 2022") == "2022-11-01"
    assert parse_russian_date("первое ноября 2022", MOSCOW, NOW, fallback=False) is None


def test_to_iso():
    assert to_iso(None) == ""
    assert to_iso(date(2022, 11, 1)) == "2022-11-01"
    tz = timezone(timedelta(hours=7))
    assert to_iso(datetime(2022, 11, 1, 1, 30, 0, 123456, tzinfo=tz)) == "2022-11-01T01:30:00+07:00"


@given(st.dates(min_value=date(1995, 1, 1), max_value=date(2030, 12, 31)))
def test_numeric_and_month_name_round_trip(day):
    months = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split()
    assert parse_russian_date(day.strftime("%d.%m.%Y"), MOSCOW, NOW) == day
    assert parse_russian_date(f"{day.day} {months[day.month - 1]} {day.year} г.", MOSCOW, NOW) == day


@given(st.text(max_size=60))
def test_never_raises(text):
    parse_russian_date(text, MOSCOW, NOW, fallback=False)


@pytest.mark.parametrize("text", ["5 ᲂктября 2022", "5 октября 2022", "5 ОКТЯБРЯ 2022 г."])
def test_month_words_with_look_alike_letters_still_parse(text):
    """The patterns match case-insensitively; a letter only case folding maps back (U+1C82 «ᲂ») must not
    make the page's whole date evidence fail."""
    assert parse_russian_date(text, "Europe/Moscow", datetime(2026, 1, 1, tzinfo=UTC)) == date(2022, 10, 5)
