"""Window feeds and the monthly archive over 14 months of history, then real crawls and exports (real CLI)."""

from __future__ import annotations

import json
import os
import re
import stat
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from history import HISTORY_SOURCES, MOSCOW, fill_history

from crawler.report.archive import month_days

from bigsite import build_site
from conftest import read_csv, run_cli, source_entry, write_config

pytestmark = pytest.mark.e2e

WATCHLIST = {"names": [{"name": "Иван Петров"}, {"name": "Ольга Смирнова"}],
             "topics": [{"name": "Газификация", "keywords": ["газификация"]},
                        {"name": "Ремонт школ", "keywords": ["ремонт школ"]},
                        {"name": "Бюджет", "keywords": ["областной бюджет"]}]}


def _history_config(tmp_path, server, **extra):
    sources = [source_entry(server, "newsite", region="Новгородская область", name="Новгородская областная дума"),
               *({**entry, "url": f"http://{entry['id']}.example/", "timezone": "Europe/Moscow", "enabled": False}
                 for entry in HISTORY_SOURCES)]
    return write_config(tmp_path, sources, watchlist=WATCHLIST, **extra)


def _snapshot(directory):
    return {path.relative_to(directory).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
            for path in sorted(directory.rglob("*.csv"))}


def test_window_and_archive_over_14_months_then_a_crawl_rewrites_only_what_changed(serve, tmp_path):
    site = tmp_path / "site"
    today = datetime.now(MOSCOW).date()
    build_site(site, 6, published=lambda n: today)
    server = serve(site)
    config = _history_config(tmp_path, server, feed_window_days=60)
    stored = fill_history(tmp_path / "data" / "state.sqlite3", days=425, per_day=10)
    feeds = tmp_path / "feeds"

    result = run_cli("export", "--config", config, check=True)
    assert "archive/" in result.stdout and "mentions_weekly.png" in result.stdout
    cutoff = (today - timedelta(days=60)).isoformat()
    in_window = [s for s in stored if s.published_at >= cutoff or s.first_seen >= cutoff]
    articles = read_csv(feeds / "articles.csv")
    assert [row["url"] for row in articles] == [s.url for s in sorted(
        in_window, key=lambda s: (s.published_at, s.first_seen), reverse=True)]
    assert 550 < len(articles) < 650 < len(stored)
    mentions = read_csv(feeds / "mentions.csv")
    assert Counter(row["url"] for row in mentions) == Counter(s.url for s in in_window for _ in s.watches)

    # the archive: one folder per month of the history, each month's rows exactly that month's articles
    months = sorted({s.day[:7] for s in stored})
    assert len(months) >= 14
    assert sorted(path.name for path in (feeds / "archive").iterdir()) == months
    for month in (months[0], months[5], months[-1]):
        rows = read_csv(feeds / "archive" / month / "articles.csv")
        assert sorted(row["url"] for row in rows) == sorted(s.url for s in stored if s.day[:7] == month)
        assert {row["source_name"] for row in rows} <= {entry["name"] for entry in HISTORY_SOURCES}
    total = sum(len(read_csv(feeds / "archive" / month / "articles.csv")) for month in months)
    assert total == len(stored)

    # the columns: new ones at the end, published_date always a plain date, mentions carry first_seen/duplicate_of
    header = (feeds / "articles.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.split(",")[:11] == ["published_at", "source_id", "source_name", "region", "title", "url",
                                      "names", "topics", "duplicate_of", "first_seen", "text"]
    assert header.split(",")[11:] == ["published_date"]
    by_url = {s.url: s for s in stored}
    shapes = Counter("T" in row["published_at"] for row in articles if row["published_at"])
    assert shapes[True] and shapes[False], "the history holds both shapes of published_at"
    for row in articles:
        assert row["published_date"] == by_url[row["url"]].published_at[:10]
        assert re.fullmatch(r"\d{4}-\d\d-\d\d|", row["published_date"])
    reprinted = [row for row in mentions if row["duplicate_of"]]
    assert reprinted and all(row["duplicate_of"] == by_url[row["url"]].duplicate_of for row in reprinted)
    assert all(row["first_seen"] == by_url[row["url"]].first_seen for row in mentions)
    assert list(read_csv(feeds / "mentions.csv")[0])[-3:] == ["published_date", "first_seen", "duplicate_of"]

    # a crawl finds 6 new articles: the window and the current month are rewritten, every other month is left alone
    before = _snapshot(feeds / "archive")
    run_cli("crawl", "--config", config, check=True)
    after = _snapshot(feeds / "archive")
    current = today.strftime("%Y-%m")
    changed = {name.split("/")[0] for name in after if after[name] != before.get(name)}
    assert changed == {current}
    assert all(after[name] == before[name] for name in before if not name.startswith(current))
    new_urls = {f"{server.base_url}/news/{10000 + n}/" for n in range(6)}
    assert new_urls <= {row["url"] for row in read_csv(feeds / "archive" / current / "articles.csv")}
    window = read_csv(feeds / "articles.csv")
    assert new_urls <= {row["url"] for row in window} and len(window) == len(articles) + 6
    assert [row["source_id"] for row in read_csv(feeds / "archive" / current / "runs.csv")] == ["newsite"]
    assert len(read_csv(feeds / "runs.csv")) == 1
    kept = json.loads((feeds / ".dumawatch-feeds.json").read_text(encoding="utf-8"))
    assert kept["articles.csv"]["spliced"] and kept["mentions.csv"]["spliced"], "the crawl's rows were spliced in"
    assert kept["archive"]["months"][current]["spliced"], "the crawl's rows were spliced into the current month"
    first, last = month_days(current)  # the spliced month: the very bytes of the month written whole
    run_cli("export", "--config", config, "--since", first, "--until", last, "--out", tmp_path / "month", check=True)
    for name in ("articles.csv", "mentions.csv"):
        assert (feeds / "archive" / current / name).read_bytes() == (tmp_path / "month" / name).read_bytes()
    spliced = {name: (feeds / name).read_bytes() for name in ("articles.csv", "mentions.csv")}
    run_cli("export", "--config", config, check=True)  # written whole: the very same bytes
    assert {name: (feeds / name).read_bytes() for name in spliced} == spliced
    exported = _snapshot(feeds / "archive")  # an up-to-date archive is left alone (only the latest run's
    # runs.csv may be written again, with the same bytes: the service may have updated that run's rows)
    assert {name: data for name, (data, _) in exported.items()} == {name: data for name, (data, _) in after.items()}
    assert [name for name in exported if exported[name] != after[name]] in ([], [f"{current}/runs.csv"])

    # a removed month comes back whole, on the next crawl, and nothing else moves
    (feeds / "archive" / months[3] / "mentions.csv").unlink()
    run_cli("crawl", "--config", config, check=True)
    again = _snapshot(feeds / "archive")
    assert again[f"{months[3]}/mentions.csv"][0] == before[f"{months[3]}/mentions.csv"][0]
    assert {name.split("/")[0] for name in again if again[name] != after.get(name)} == {months[3], current}

    # export --all writes the whole history; --since/--until a period (inclusive days)
    run_cli("export", "--config", config, "--all", check=True)
    everything = read_csv(feeds / "export" / "all" / "articles.csv")
    assert len(everything) == len(stored) + 6
    new_mentions = [row for row in read_csv(feeds / "mentions.csv") if row["url"] in new_urls]
    assert new_mentions, "the new articles mention the topic «Бюджет»"
    assert len(read_csv(feeds / "export" / "all" / "mentions.csv")) == sum(map(len, (s.watches for s in stored))) + len(
        new_mentions)
    since, until = months[2] + "-10", months[4] + "-05"
    out = tmp_path / "period"
    result = run_cli("export", "--config", config, "--since", since, "--until", until, "--out", out, check=True)
    assert str(out / "articles.csv") in result.stdout
    period = read_csv(out / "articles.csv")
    assert sorted(row["url"] for row in period) == sorted(s.url for s in stored if since <= s.day <= until)


def test_feed_files_follow_the_umask_and_bad_periods_are_refused(serve, tmp_path):
    site = tmp_path / "site"
    build_site(site, 3, published=lambda n: date.today())
    server = serve(site)
    config = write_config(tmp_path, [source_entry(server, "newsite")], watchlist=WATCHLIST,
                          feeds={"dir": "feeds", "xlsx": True})
    feeds = tmp_path / "feeds"
    run_cli("crawl", "--config", config, check=True, umask=0o022)
    written = [*feeds.glob("*.csv"), *feeds.glob("*.png"), *feeds.glob("*.xlsx"), *(feeds / "archive").rglob("*.csv")]
    assert len(written) >= 11 and (feeds / "articles.xlsx").exists()
    assert {stat.S_IMODE(path.stat().st_mode) for path in written} == {0o644}

    run_cli("export", "--config", config, check=True, umask=0o027)
    assert stat.S_IMODE((feeds / "articles.csv").stat().st_mode) == 0o640
    assert stat.S_IMODE((feeds / "articles.xlsx").stat().st_mode) == 0o640
    run_cli("export", "--config", config, "--all", check=True, umask=0o002)
    assert stat.S_IMODE((feeds / "export" / "all" / "articles.csv").stat().st_mode) == 0o664
    assert not [name for name in os.listdir(feeds) if name.endswith(".tmp")]

    for args, words in ((["--since", "2026-13-01"], "--since: expected a day"),
                        (["--since", "2026-05-01", "--until", "2026-04-01"], "is after --until"),
                        (["--all", "--since", "2026-05-01"], "--all"),
                        (["--out", str(tmp_path / "x")], "--out goes with")):
        bad = run_cli("export", "--config", config, *args)
        assert bad.returncode == 2 and words in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()


def test_a_bad_window_is_a_one_line_config_error(serve, tmp_path):
    server = serve("wordpress")
    config = write_config(tmp_path, [source_entry(server, "zskuzbass", "Asia/Novokuznetsk")], feed_window_days=0)
    result = run_cli("crawl", "--config", config)
    assert result.returncode == 2 and not (tmp_path / "feeds").exists()
    [line] = result.stderr.strip().splitlines()
    assert "feed_window_days: expected a positive whole number, got 0" in line
