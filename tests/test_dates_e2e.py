"""Publication dates through a real crawl: relative Russian dates, listing hints, URL dates, time zones."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from conftest import read_csv, run_cli, source_entry, write_config

pytestmark = pytest.mark.e2e

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


def test_profile_selectors_date_title_body(serve, tmp_path):
    """A source profile says where the date, title and body stand when the generic guesses cannot know."""
    import shutil

    from conftest import TEST_SITES

    copy = tmp_path / "site"
    shutil.copytree(TEST_SITES / "relative_dates", copy)
    page = copy / "news-6.html"
    html = page.read_text(encoding="utf-8")
    # the date stands only in the footer, which the generic reading rightly ignores
    html = html.replace('<div class="footer">', '<div class="footer">Дата публикации: '
                        '<span class="published">7 ноября 2026 г.</span> ')
    page.write_text(html, encoding="utf-8")
    site = serve(copy)
    plain = write_config(tmp_path / "plain", [source_entry(site, "sndko", "Asia/Novokuznetsk")])
    run_cli("crawl", "--config", plain, check=True)
    rows = {r["url"].removeprefix(site.base_url): r for r in read_csv(tmp_path / "plain" / "feeds" / "articles.csv")}
    assert rows["/news/?id=6"]["published_at"] == ""

    profiled = write_config(tmp_path / "profiled", [source_entry(
        site, "sndko", "Asia/Novokuznetsk", date="div.footer span.published",
        title="//div[@class='col-main']/h1", body="div.col-main")])
    run_cli("crawl", "--config", profiled, check=True)
    rows = {r["url"].removeprefix(site.base_url): r
            for r in read_csv(tmp_path / "profiled" / "feeds" / "articles.csv")}
    assert rows["/news/?id=6"]["published_at"] == "2026-11-07"
    assert rows["/news/?id=6"]["title"] == "О работе приёмной председателя"
    assert rows["/news/?id=6"]["text"].startswith("Депутаты регионального парламента напомнили")
    assert "Другие новости" not in rows["/news/?id=6"]["text"]
    assert rows["/news/?id=5"]["published_at"] == "2026-11-03T02:30:00+07:00"  # no date at the selector: generic
