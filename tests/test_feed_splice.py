"""New rows spliced into the window feeds give the very bytes a whole rewrite gives (real store, real files)."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

from history import HISTORY_SOURCES, MOSCOW, fill_history

from crawler.config import load_config
from crawler.feeds import ARTICLE_COLUMNS, export_feeds
from crawler.splice import keys_path, splice, write_indexed
from crawler.store import Store

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


def test_a_store_that_gains_articles_gets_them_spliced_into_the_window(tmp_path):
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
            url = f"http://hist-wp.example/node/late-{n}"
            store.add_article({"url_key": url[7:], "url": url, "source_id": "hist-wp", "title": f"Поздняя находка {n}",
                               "text": f"Текст поздней находки номер {n}.", "published_at": published,
                               "content_hash": f"late{n}", "names": ["Иван Петров"],
                               "mentions": [{"kind": "name", "watch": "Иван Петров", "matched": "Ивана Петрова",
                                             "snippet": f"О находке {n}."}]}, [])
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
