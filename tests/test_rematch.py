"""``dumawatch rematch``: a watchlist change reaches every stored article, row for row as a fresh crawl would
write it; a crawl or export on a store matched with another watchlist says so; re-matched articles send no alert."""

from __future__ import annotations

import copy

import pytest
from test_alerts import smtp  # noqa: F401 (a fixture)
from test_mentions_e2e import WATCHLIST

from conftest import TEST_SITES, read_csv, run_cli, source_entry, write_config

pytestmark = pytest.mark.e2e

ADDED_LATER = "Ольга Пыжова"


def without(watchlist: dict, name: str) -> dict:
    reduced = copy.deepcopy(watchlist)
    reduced["names"] = [entry for entry in reduced["names"] if entry["name"] != name]
    reduced["topics"] = [entry for entry in reduced["topics"] if entry["name"] != name]
    return reduced


def rows(path, key_columns=("url", "kind", "watch")) -> list[dict]:
    """The feed's rows in a fixed order, without ``first_seen`` (a fresh crawl sees the articles later)."""
    found = [{c: v for c, v in row.items() if c != "first_seen"} for row in read_csv(path)]
    return sorted(found, key=lambda row: tuple(row.get(c, "") for c in key_columns))


def archived_watches(feeds) -> set[str]:
    """The watches of every monthly archive file of mentions (feeds/archive/YYYY-MM/mentions.csv)."""
    return {row["watch"] for path in (feeds / "archive").glob("*/mentions.csv") for row in read_csv(path)}


def test_a_name_added_after_the_crawl_gives_exactly_a_fresh_crawls_rows(serve, tmp_path):
    site = serve("mentions")
    entry = source_entry(site, "mentions")
    config = write_config(tmp_path / "old", [entry], watchlist=without(WATCHLIST, ADDED_LATER))
    run_cli("crawl", "--config", config, check=True)
    assert ADDED_LATER not in {row["watch"] for row in read_csv(tmp_path / "old" / "feeds" / "mentions.csv")}

    config = write_config(tmp_path / "old", [entry], watchlist=WATCHLIST)   # the user adds the name
    crawl = run_cli("crawl", "--config", config, check=True)
    [note] = [line for line in crawl.stderr.splitlines() if "rematch" in line]
    assert "watchlist.yaml changed since the" in note and "dumawatch rematch" in note
    export = run_cli("export", "--config", config, check=True)
    assert "dumawatch rematch" in export.stderr
    assert ADDED_LATER not in {row["watch"] for row in read_csv(tmp_path / "old" / "feeds" / "mentions.csv")}

    result = run_cli("rematch", "--config", config, check=True)
    assert "rematched " in result.stdout
    fresh = write_config(tmp_path / "fresh", [entry], watchlist=WATCHLIST)
    run_cli("crawl", "--config", fresh, check=True)
    rematched = rows(tmp_path / "old" / "feeds" / "mentions.csv")
    assert ADDED_LATER in {row["watch"] for row in rematched}
    assert ADDED_LATER in archived_watches(tmp_path / "old" / "feeds")   # the monthly archive is matched again too
    assert rematched == rows(tmp_path / "fresh" / "feeds" / "mentions.csv")
    columns = ("url", "names", "topics")
    assert [{c: r[c] for c in columns} for r in rows(tmp_path / "old" / "feeds" / "articles.csv", ("url",))] == \
        [{c: r[c] for c in columns} for r in rows(tmp_path / "fresh" / "feeds" / "articles.csv", ("url",))]
    again = run_cli("crawl", "--config", config, check=True)
    assert "rematch" not in again.stderr   # the store is matched with the current watchlist now

    config = write_config(tmp_path / "old", [entry], watchlist=without(WATCHLIST, "Газификация"))
    run_cli("rematch", "--config", config, check=True)
    after = rows(tmp_path / "old" / "feeds" / "mentions.csv")
    assert "Газификация" not in {row["watch"] for row in after}
    assert "Газификация" not in archived_watches(tmp_path / "old" / "feeds")
    assert after == [row for row in rematched if row["watch"] != "Газификация"]
    articles = read_csv(tmp_path / "old" / "feeds" / "articles.csv")
    assert not [row for row in articles if "Газификация" in row["topics"]]


def test_rematch_on_a_bad_watchlist_is_a_one_line_config_error(serve, tmp_path):
    site = serve("mentions")
    config = write_config(tmp_path, [source_entry(site, "mentions")], watchlist={"names": [{"alias": "x"}]})
    result = run_cli("rematch", "--config", config)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "watchlist.yaml" in line


def test_rematched_old_articles_send_no_new_mention_alert(serve, tmp_path, smtp):  # noqa: F811
    site = tmp_path / "site"
    import shutil

    shutil.copytree(TEST_SITES / "tverduma", site)
    server = serve(site)
    budget = {"names": [], "topics": [{"name": "Бюджет", "keywords": ["бюджет области"]}]}
    entry = source_entry(server, "tverduma")
    config = write_config(tmp_path / "run", [entry], watchlist={"names": [], "topics": []},
                          alerts={"urls": [smtp.url], "on": ["mentions"]})
    first = run_cli("schedule", "--config", config, "--once", timeout=60)
    assert first.returncode == 0, first.stderr
    config = write_config(tmp_path / "run", [entry], watchlist=budget, alerts={"urls": [smtp.url], "on": ["mentions"]})
    run_cli("rematch", "--config", config, check=True)
    assert [row["watch"] for row in read_csv(tmp_path / "run" / "feeds" / "mentions.csv")].count("Бюджет") >= 1
    second = run_cli("schedule", "--config", config, "--once", timeout=60)
    assert second.returncode == 0, second.stderr
    assert smtp.messages == []   # the mentions are new, the articles are not: no alert
