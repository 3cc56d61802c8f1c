"""New rows spliced into the window feeds and the archive months give the very bytes a whole rewrite gives (real
store, real files); a re-rooted reprint chain or a renamed source still writes them whole."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from history import HISTORY_SOURCES, MOSCOW, fill_history

from crawler.config import load_config
from crawler.report.archive import ARTICLE_FILES, month_days, write_period
from crawler.report.feed_rows import ARTICLE_COLUMNS, FeedRows
from crawler.report.feeds import export_feeds
from crawler.report.splice import keys_path, splice, write_indexed
from crawler.storage.store import Store

from conftest import read_csv, run_cli, write_config


def _key(row):
    return [row["published_at"], row["first_seen"], row["id"]]


def test_splice_equals_a_whole_write_for_any_insertion_places(tmp_path):
    rng = random.Random(7)
    days = ["", "2026-10-01", "2026-10-01T09:00:00+03:00", "2026-11-15", "2026-11-15T23:59:00+07:00", "2026-12-01"]
    rows = [{"id": n, "published_at": rng.choice(days), "first_seen": f"2026-12-0{rng.randint(1, 2)}T0{n % 10}:00",
             "title": rng.choice(["=ВПР", "- Прямая речь", "Заголовок, с запятой", 'Кавычки "да"']),
             "text": "Абзац один.\nАбзац два.\r\n" * rng.randint(0, 3), "source_id": "s"} for n in range(400)]
    for trial in range(5):
        old = rng.sample(rows, 250)
        new = [row for row in rows if row not in old][:20 + trial * 30]
        if trial == 4:  # new rows that all sort after the oldest one, and one before the newest
            new = [*({**row, "published_at": ""} for row in new), {**new[0], "id": 999, "published_at": "2027-01-01"}]
        ordered = sorted(old, key=_key, reverse=True)
        spliced, whole = tmp_path / f"spliced{trial}.csv", tmp_path / f"whole{trial}.csv"
        write_indexed(spliced, ARTICLE_COLUMNS, ordered, _key)
        assert splice(spliced, ARTICLE_COLUMNS, rng.sample(new, len(new)), _key) == len(old) + len(new)
        write_indexed(whole, ARTICLE_COLUMNS, sorted(old + new, key=_key, reverse=True), _key)
        assert spliced.read_bytes() == whole.read_bytes()
        assert keys_path(spliced).read_text().splitlines()[1:] == keys_path(whole).read_text().splitlines()[1:]
        assert len(read_csv(spliced)) == len(old) + len(new)

    (tmp_path / "spliced0.csv").write_bytes((tmp_path / "spliced0.csv").read_bytes() + b"x")  # edited by hand
    assert splice(tmp_path / "spliced0.csv", ARTICLE_COLUMNS, rows[:1], _key) is None


def _months(feeds):
    return json.loads((feeds / ".dumawatch-feeds.json").read_text(encoding="utf-8"))["archive"]["months"]


def _month_files(feeds, month):
    return {name: (feeds / "archive" / month / name).read_bytes() for name in sorted(ARTICLE_FILES)}


def _assert_whole(config, store, feeds, month, tmp_path):
    """The month's article files are byte for byte what writing them whole from the store gives."""
    out = tmp_path / "whole" / month
    first, last = month_days(month)
    write_period(store, FeedRows(config), out, first, last, ARTICLE_FILES)
    assert _month_files(feeds, month) == {name: (out / name).read_bytes() for name in sorted(ARTICLE_FILES)}


def _add(store, n, published, source="hist-wp", supersedes=""):
    url = f"http://{source}.example/node/late-{n}"
    store.add_article({"url_key": url[7:], "url": url, "source_id": source, "title": f"Поздняя находка {n}",
                       "text": f"Текст поздней находки номер {n}.", "published_at": published,
                       "content_hash": f"late{n}", "names": ["Иван Петров"], "supersedes": supersedes,
                       "mentions": [{"kind": "name", "watch": "Иван Петров", "matched": "Ивана Петрова",
                                     "snippet": f"О находке {n}."}]}, [])
    return url


def test_a_store_that_gains_articles_gets_them_spliced_into_the_window_and_its_months(tmp_path):
    sources = [{**entry, "url": f"http://{entry['id']}.example/", "timezone": "Europe/Moscow"}
               for entry in HISTORY_SOURCES]
    config_path = write_config(tmp_path, sources)
    stored = fill_history(tmp_path / "data" / "state.sqlite3", days=120, per_day=8)
    config = load_config(config_path)
    feeds = tmp_path / "feeds"
    store = Store(config.state_url)
    try:
        export_feeds(config, store)
        now = datetime.now(MOSCOW)
        dates = [now.isoformat(timespec="seconds"), (now - timedelta(days=30)).date().isoformat(),
                 (now - timedelta(days=89)).isoformat(timespec="seconds"), "",
                 (now - timedelta(days=400)).date().isoformat(), stored[-1].published_at]
        for n, published in enumerate(dates):  # new at the top, in the middle, at the edge, undated, found late
            _add(store, n, published)
        before = {month: _month_files(feeds, month) for month in _months(feeds)}
        export_feeds(config, store)
        kept = json.loads((feeds / ".dumawatch-feeds.json").read_text(encoding="utf-8"))
        assert kept["articles.csv"]["spliced"] and kept["mentions.csv"]["spliced"]
        spliced = {name: (feeds / name).read_bytes() for name in ("articles.csv", "mentions.csv")}
        urls = [row["url"] for row in read_csv(feeds / "articles.csv")]
        assert {f"http://hist-wp.example/node/late-{n}" for n in range(6)} <= set(urls)
    finally:
        store.close()
    run_cli("export", "--config", config_path, check=True)  # written whole: the same bytes
    assert {name: (feeds / name).read_bytes() for name in spliced} == spliced
    kept = json.loads((feeds / ".dumawatch-feeds.json").read_text(encoding="utf-8"))
    assert not kept["articles.csv"]["spliced"]

    store = Store(config.state_url)
    try:
        # the archive months that gained rows got them spliced in; a month new to the archive is written whole
        months = _months(feeds)
        gained = {(published or datetime.now(UTC).isoformat())[:7] for published in dates}
        assert gained <= set(months) and gained & set(before)
        for month in gained:
            assert months[month]["spliced"] == (month in before), month
            assert _month_files(feeds, month) != before.get(month)
            _assert_whole(config, store, feeds, month, tmp_path)
        assert all(_month_files(feeds, month) == files for month, files in before.items() if month not in gained)

        # a re-rooted reprint chain: the old root's month is written whole (its rows changed), the same bytes
        root = next(s for s in reversed(stored) if not s.duplicate_of and s.published_at and
                    s.source_id != "hist-wp" and s.published_at[:7] not in gained)
        older = (datetime.fromisoformat(root.published_at[:10]) - timedelta(days=1)).date().isoformat()
        earliest = _add(store, 10, older, supersedes=root.url)
        export_feeds(config, store)
        months = _months(feeds)
        assert not months[root.published_at[:7]]["spliced"] and not months[older[:7]]["spliced"]
        rows = read_csv(feeds / "archive" / root.published_at[:7] / "articles.csv")
        assert next(row for row in rows if row["url"] == root.url)["duplicate_of"] == earliest
        for month in {root.published_at[:7], older[:7]}:
            _assert_whole(config, store, feeds, month, tmp_path)

        # a new article spliced in once more, then a source renamed: every month showing it is written whole
        current = _add(store, 11, now.isoformat(timespec="seconds"))
        export_feeds(config, store)
        assert _months(feeds)[now.strftime("%Y-%m")]["spliced"]
        _assert_whole(config, store, feeds, now.strftime("%Y-%m"), tmp_path)
        renamed = [{**entry, "name": "Областная дума (переименована)"} if entry["id"] == "hist-wp" else entry
                   for entry in sources]
        config = load_config(write_config(tmp_path, renamed))
        _add(store, 12, now.isoformat(timespec="seconds"))
        export_feeds(config, store)
        months = _months(feeds)
        for month in months:
            assert not months[month]["spliced"], month
            _assert_whole(config, store, feeds, month, tmp_path)
        rows = read_csv(feeds / "archive" / now.strftime("%Y-%m") / "articles.csv")
        assert {row["source_name"] for row in rows if row["url"] == current} == {"Областная дума (переименована)"}
    finally:
        store.close()
