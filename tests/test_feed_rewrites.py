"""A crawl rewrites articles.csv and mentions.csv only when what they hold has changed (real crawls, real CLI)."""

from __future__ import annotations

import pytest
import yaml

from conftest import read_csv, run_cli, source_entry, write_config

pytestmark = pytest.mark.e2e


def _state(path):
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def test_unchanged_feeds_are_not_rewritten_and_changed_ones_are(serve, tmp_path):
    site = serve("wordpress")
    config = write_config(tmp_path, [source_entry(site, "zskuzbass", "Asia/Novokuznetsk", name="ЗС Кузбасса")],
                          watchlist={"names": [{"name": "Алексей Синицын"}], "topics": []})
    feeds = tmp_path / "feeds"
    run_cli("crawl", "--config", config, check=True)
    articles, mentions, runs = feeds / "articles.csv", feeds / "mentions.csv", feeds / "runs.csv"
    first = {path: _state(path) for path in (articles, mentions, runs)}
    rows = read_csv(articles)
    assert len(rows) == 14

    run_cli("crawl", "--config", config, check=True)  # nothing new on the site
    assert _state(articles) == first[articles] and _state(mentions) == first[mentions]
    assert _state(runs) != first[runs] and len(read_csv(runs)) == 2

    articles.unlink()  # a feed that is gone is written again, whole
    run_cli("crawl", "--config", config, check=True)
    assert read_csv(articles) == rows

    sources = yaml.safe_load((tmp_path / "sources.yaml").read_text(encoding="utf-8"))
    sources["sources"][0]["name"] = "Законодательное собрание Кузбасса"  # renamed in the config
    (tmp_path / "sources.yaml").write_text(yaml.safe_dump(sources, allow_unicode=True), encoding="utf-8")
    run_cli("crawl", "--config", config, check=True)
    assert {row["source_name"] for row in read_csv(articles)} == {"Законодательное собрание Кузбасса"}

    before = _state(articles)
    run_cli("export", "--config", config, check=True)  # export always rewrites
    assert _state(articles) != before and len(read_csv(articles)) == 14


def test_a_new_article_rewrites_the_feed(serve, tmp_path):
    site = serve("variants")
    config = write_config(tmp_path, [source_entry(site, "variants")])
    run_cli("crawl", "--config", config, check=True)
    articles = tmp_path / "feeds" / "articles.csv"
    before = read_csv(articles)
    # the same store, a second source with articles of its own: new rows must reach the feed
    other = serve("wordpress")
    config = write_config(tmp_path, [source_entry(site, "variants"),
                                     source_entry(other, "zskuzbass", "Asia/Novokuznetsk")])
    run_cli("crawl", "--config", config, check=True)
    after = read_csv(articles)
    assert len(after) == len(before) + 14
