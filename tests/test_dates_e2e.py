"""Publication dates through a real crawl: relative Russian dates, listing hints, URL dates, time zones."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from conftest import read_csv, run_cli, source_entry, write_config

KEMEROVO = ZoneInfo("Asia/Novokuznetsk")  # UTC+7


def last_such_day(month: int, day: int, today: date) -> date:
    candidate = date(today.year, month, day)
    return candidate if candidate <= today else date(today.year - 1, month, day)


def test_relative_and_hinted_dates_in_utc_plus_7(serve, tmp_path):
    site = serve("relative_dates")
    config = write_config(tmp_path, [source_entry(site, "sndko", "Asia/Novokuznetsk")])
    before = datetime.now(KEMEROVO)
    run_cli("crawl", "--config", config, check=True)
    after = datetime.now(KEMEROVO)
    rows = {row["url"].removeprefix(site.base_url): row["published_at"]
            for row in read_csv(tmp_path / "feeds" / "articles.csv")}
    assert len(rows) == 8, rows
    today = before.date()
    assert after.date() == today, "the test ran across local midnight; run it again"
    yesterday = today - timedelta(days=1)
    assert rows["/news/?id=1"] == f"{today.isoformat()}T14:35:00+07:00"             # «Сегодня, 14:35»
    assert rows["/news/?id=2"] == f"{yesterday.isoformat()}T09:10:00+07:00"         # «Вчера, 09:10»
    assert rows["/news/?id=3"] == last_such_day(11, 3, today).isoformat()           # «3 ноября» in the listing
    two_hours_ago = datetime.fromisoformat(rows["/news/?id=4"])                     # «2 часа назад»
    assert before - timedelta(hours=2, minutes=2) <= two_hours_ago <= after - timedelta(hours=1, minutes=58)
    # JSON-LD in Moscow time, converted to the source's zone: 22:30 MSK is 02:30 the next day in Kemerovo;
    # the later dateModified is not the publication date
    assert rows["/news/?id=5"] == "2026-11-03T02:30:00+07:00"
    assert rows["/news/?id=6"] == ""                                                # only sidebar dates and ©
    assert rows["/news/?id=7"] == "2026-11-12"                                      # a 2030 meta date is rejected
    assert rows["/archive/2026/11/05/vstrecha-s-veteranami/"] == "2026-11-05"      # the URL's date


def test_demo_engines_dates(serve, tmp_path):
    """Bitrix (dd.mm.yyyy beside the title), WordPress (+07:00 metadata), windows-1251 («12 ноября 2026 г., 14:30»)."""
    bitrix, wordpress, homegrown = serve("bitrix"), serve("wordpress"), serve("homegrown")
    config = write_config(tmp_path, [source_entry(bitrix, "volgoduma", "Europe/Volgograd"),
                                     source_entry(wordpress, "zskuzbass", "Asia/Novokuznetsk"),
                                     source_entry(homegrown, "zsko", "Europe/Kirov")])
    run_cli("crawl", "--config", config, check=True)
    rows = {row["url"].split("/", 3)[3]: row["published_at"] for row in read_csv(tmp_path / "feeds" / "articles.csv")}
    assert len(rows) == 44
    assert rows["2026/11/03/gazifikaciya-chastnogo-sektora-itogi/"] == "2026-11-03T01:30:00+07:00"
    assert rows["news.php?id=522"] == "2026-11-18T15:00:00+03:00"
    assert rows["press-center/news/1193/"].startswith("2026-11-09")
    assert all(value[:4] == "2026" for value in rows.values())
