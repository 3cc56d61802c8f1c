"""`dumawatch demo` end to end: the bundled sites crawled for real, the feeds a user would open.

The expected figures are those documented in crawler/demo_sites/README.md.
"""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest

from crawler.commands.demo import DEMO_WATCHLIST

from conftest import read_csv, run_cli, source_entry, write_config

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    directory = tmp_path_factory.mktemp("demo")
    result = run_cli("demo", "--dir", directory, check=True)
    return directory, result


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_demo_prints_summary_and_rows(demo):
    directory, result = demo
    assert f"feeds:  {directory / 'feeds'}" in result.stdout
    for line in ("volgoduma", "zskuzbass", "zsko"):
        assert line in result.stdout
    assert "articles.csv (first 5 rows):" in result.stdout
    assert "demo took" in result.stdout


def test_articles_per_site_one_row_each(demo):
    directory, _ = demo
    rows = read_csv(directory / "feeds" / "articles.csv")
    per_source = defaultdict(int)
    for row in rows:
        per_source[row["source_id"]] += 1
    assert dict(per_source) == {"volgoduma": 18, "zskuzbass": 14, "zsko": 12}
    assert len({row["url"] for row in rows}) == 44
    assert not [row for row in rows if "print" in row["url"] or "?p=" in row["url"]]
    assert all(row["title"] and len(row["text"]) > 200 for row in rows)
    assert all(row["source_name"] and row["region"] and row["first_seen"] for row in rows)
    # newest first
    dates = [row["published_at"][:10] for row in rows]
    assert dates == sorted(dates, reverse=True)


def test_reprint_linked_to_first_publication(demo):
    directory, _ = demo
    rows = read_csv(directory / "feeds" / "articles.csv")
    linked = {path_of(row["url"]): path_of(row["duplicate_of"]) for row in rows if row["duplicate_of"]}
    assert linked == {"/2026/11/10/kuzbass-i-volgogradskaya-oblast-sotrudnichestvo/": "/press-center/news/1193/"}


def test_dates_in_the_sources_zone(demo):
    directory, _ = demo
    rows = {path_of(row["url"]): row for row in read_csv(directory / "feeds" / "articles.csv")}
    assert rows["/2026/11/03/gazifikaciya-chastnogo-sektora-itogi/"]["published_at"] == "2026-11-03T01:30:00+07:00"
    assert rows["/press-center/news/1193/"]["published_at"].startswith("2026-11-09")
    assert all(row["published_at"] for row in rows.values())


def test_mentions_are_the_documented_ones_and_menus_do_not_count(demo):
    directory, _ = demo
    mentions = read_csv(directory / "feeds" / "mentions.csv")
    found = defaultdict(set)
    for row in mentions:
        found[row["watch"]].add(path_of(row["url"]).rstrip("/").split("/")[-1].removeprefix("news.php?id="))
        assert row["matched"] and row["snippet"] and row["kind"] in ("name", "topic")
    assert found["Александр Блошкин"] == {"1188", "1193", "1196", "1197", "1200", "1204", "1210",
                                           "kuzbass-i-volgogradskaya-oblast-sotrudnichestvo", "516"}
    assert found["Ольга Пыжова"] == {"1190", "1200", "1201", "1209",
                                     "opyt-volgogradskoj-oblasti-patrioticheskoe-vospitanie"}
    assert len(found["Память о Сталинградской битве"]) == 10
    assert len(found["Газификация"]) == 11
    assert "1206" not in found["Газификация"]  # gas words, but no gasification: the sidebar doesn't count
    articles = {path_of(row["url"]): row for row in read_csv(directory / "feeds" / "articles.csv")}
    assert articles["/press-center/news/1187/"]["names"] == ""  # the chairman stands only in the menu there
    assert articles["/press-center/news/1200/"]["names"] == "Александр Блошкин; Ольга Пыжова"


def test_windows_1251_site_reads_as_cyrillic(demo):
    directory, _ = demo
    raw = (directory / "feeds" / "articles.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    text = raw.decode("utf-8")
    assert "Молодёжный парламент области подвёл итоги года" in text
    assert "Ð" not in text and "Ã" not in text  # no mojibake


def test_feeds_parse_as_rfc4180_and_no_cell_is_a_formula(demo):
    directory, _ = demo
    for name in ("articles.csv", "mentions.csv", "runs.csv"):
        with open(directory / "feeds" / name, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        assert len({len(row) for row in rows}) == 1, name
        for row in rows:
            for cell in row:
                assert not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")), (name, cell[:40])


def test_crawl_summary_and_a_dead_source_does_not_block_the_others(serve, tmp_path):
    bitrix = serve("bitrix")
    dead = {"id": "dead", "name": "Недоступная дума", "region": "Нигде", "url": "http://127.0.0.254:9/",
            "timezone": "Asia/Kamchatka"}
    config = write_config(tmp_path, [source_entry(bitrix, "volgoduma", "Europe/Volgograd"), dead],
                          watchlist=DEMO_WATCHLIST, scrapy={"RETRY_TIMES": 0})
    result = run_cli("crawl", "--config", config)
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line.split() for line in result.stdout.splitlines() if line.split()}
    assert lines["volgoduma"][2] == "18" and lines["volgoduma"][4] == "0"
    assert lines["dead"][2] == "0" and int(lines["dead"][4]) >= 1
    assert "dead: " in result.stdout and "127.0.0.254:9" in result.stdout
    runs = {row["source_id"]: row for row in read_csv(tmp_path / "feeds" / "runs.csv")}
    assert runs["dead"]["status"] == "failed" and runs["volgoduma"]["status"] == "ok"
    assert len(read_csv(tmp_path / "feeds" / "articles.csv")) == 18
