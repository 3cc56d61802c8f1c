"""The weekly mentions chart and mentions_daily.csv: the data behind the picture, and a PNG a decoder accepts."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

import pytest
from history import HISTORY_SOURCES, MOSCOW, fill_history
from PIL import Image

from bigsite import build_site
from conftest import read_csv, run_cli, source_entry, write_config

pytestmark = pytest.mark.e2e

WATCHLIST = {"names": [{"name": "Иван Петров"}, {"name": "Ольга Смирнова"}],
             "topics": [{"name": "Газификация", "keywords": ["газификация"]},
                        {"name": "Бюджет", "keywords": ["областной бюджет"]}]}


def _chart_data(path):
    with Image.open(path) as image:
        image.verify()  # the decoder checks every chunk's CRC
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == (1100, 550)
        return json.loads(image.text["Description"])


def test_daily_table_and_weekly_chart_hold_the_stored_mentions(serve, tmp_path):
    site = tmp_path / "site"
    build_site(site, 3)
    server = serve(site)
    sources = [source_entry(server, "newsite", region="Новгородская область"),
               *({**entry, "url": f"http://{entry['id']}.example/", "timezone": "Europe/Moscow", "enabled": False}
                 for entry in HISTORY_SOURCES)]
    config = write_config(tmp_path, sources, watchlist=WATCHLIST)
    stored = fill_history(tmp_path / "data" / "state.sqlite3", days=240, per_day=4)
    feeds = tmp_path / "feeds"
    run_cli("export", "--config", config, check=True)

    today = datetime.now(MOSCOW).date()
    start = today - timedelta(days=today.weekday(), weeks=25)
    regions = {entry["id"]: entry["region"] for entry in HISTORY_SOURCES}
    expected: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for s in stored:
        if s.day >= start.isoformat():
            for kind, watch in s.watches:
                counts = expected[(s.day, kind, watch, regions[s.source_id], s.source_id)]
                counts[0] += 1
                counts[1] += not s.duplicate_of
    daily = read_csv(feeds / "mentions_daily.csv")
    assert list(daily[0]) == ["date", "kind", "watch", "region", "source_id", "mentions", "articles"]
    assert {(r["date"], r["kind"], r["watch"], r["region"], r["source_id"]): [int(r["mentions"]), int(r["articles"])]
            for r in daily} == dict(expected)
    assert min(r["date"] for r in daily) >= start.isoformat() > min(s.day for s in stored), "6 months, not all"
    assert any(r["mentions"] != r["articles"] for r in daily), "reprints counted apart"

    data = _chart_data(feeds / "mentions_weekly.png")
    assert data["weeks"] == [(start + timedelta(weeks=n)).isoformat() for n in range(26)]
    weekly: dict[str, Counter] = defaultdict(Counter)
    for s in stored:
        for _kind, watch in s.watches:
            week = (date.fromisoformat(s.day) - start).days // 7
            if 0 <= week < 26:
                weekly[watch][week] += 1
    assert data["series"] == {watch: [weekly[watch][n] for n in range(26)] for watch in weekly}
    assert set(data["series"]) == {"Иван Петров", "Ольга Смирнова", "Газификация", "Ремонт школ"}

    # a crawl with new mentions redraws both; a crawl with nothing new leaves them alone
    run_cli("crawl", "--config", config, check=True)
    mentions = [row for row in read_csv(feeds / "mentions.csv") if row["source_id"] == "newsite"]
    assert mentions
    assert sum(int(r["mentions"]) for r in read_csv(feeds / "mentions_daily.csv")
               if r["source_id"] == "newsite") == len(mentions)
    assert sum(map(sum, _chart_data(feeds / "mentions_weekly.png")["series"].values())) == sum(
        map(sum, data["series"].values())) + len(mentions)
    incremental = (feeds / "mentions_daily.csv").read_bytes()
    assert json.loads((feeds / ".dumawatch-feeds.json").read_text(encoding="utf-8"))["chart"]["days"]
    run_cli("export", "--config", config, check=True)  # drawn whole: the same table
    assert (feeds / "mentions_daily.csv").read_bytes() == incremental
    drawn = {name: (feeds / name).stat().st_mtime_ns for name in ("mentions_daily.csv", "mentions_weekly.png")}
    run_cli("crawl", "--config", config, check=True)
    assert drawn == {name: (feeds / name).stat().st_mtime_ns for name in drawn}


def test_a_store_without_mentions_gets_an_empty_chart(serve, tmp_path):
    server = serve("wordpress")
    config = write_config(tmp_path, [source_entry(server, "zskuzbass", "Asia/Novokuznetsk")])
    run_cli("crawl", "--config", config, check=True)
    assert read_csv(tmp_path / "feeds" / "mentions_daily.csv") == []
    data = _chart_data(tmp_path / "feeds" / "mentions_weekly.png")
    assert data["series"] == {} and len(data["weeks"]) == 26
