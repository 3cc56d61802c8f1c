"""One row per story, end to end: URL variants, same text twice, reprints across sites, incremental runs."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from conftest import read_csv, run_cli, source_entry, write_config

pytestmark = pytest.mark.e2e


def test_url_variants_and_same_text_give_one_row_each(serve, tmp_path):
    site = serve("variants")
    config = write_config(tmp_path, [source_entry(site, "variants")])
    run_cli("crawl", "--config", config, check=True)
    rows = read_csv(tmp_path / "feeds" / "articles.csv")
    titles = sorted(row["title"] for row in rows)
    assert titles == sorted([
        "Дума приняла бюджет в первом чтении",
        "Открыта выставка, посвящённая истории регионального парламента",
        "Депутаты встретились с ветеранами педагогического труда",
    ])
    budget = next(row for row in rows if row["title"].startswith("Дума приняла"))
    assert budget["url"] == f"{site.base_url}/news/7001/"  # the site's own canonical link
    # the URL variants of one article were requested at most once each, never twice under one key
    fetched = [path for path in site.paths_requested() if path.startswith("/news/7001")]
    assert len(fetched) <= 3, fetched  # canonical form + print path + print query at most


def test_second_run_requests_no_article_again(serve, tmp_path):
    site = serve("tverduma")
    config = write_config(tmp_path, [source_entry(site, "tverduma")])
    first = run_cli("crawl", "--config", config, check=True)
    assert "tverduma" in first.stdout
    articles_first = [p for p in site.paths_requested() if p.rstrip("/").split("/")[-1].isdigit()]
    assert len(articles_first) == 12
    site.requests.clear()
    run_cli("crawl", "--config", config, check=True)
    second = site.paths_requested()
    assert not [p for p in second if p.rstrip("/").split("/")[-1].isdigit()], second
    assert "/news/?PAGEN_1=2" not in second  # the first listing page was all known: pagination stopped
    assert len(read_csv(tmp_path / "feeds" / "articles.csv")) == 12
    runs = read_csv(tmp_path / "feeds" / "runs.csv")
    assert len(runs) == 2 and sorted(r["new_articles"] for r in runs) == ["0", "12"]


def test_day_two_appends_only_new_articles(serve, tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(site_dir("tverduma"), copy)
    site = serve(copy)
    config = write_config(tmp_path / "cfg", [source_entry(site, "tverduma")])
    run_cli("crawl", "--config", config, check=True)
    # day 2: a new article appears at the top of the listing
    article = (copy / "news" / "5100" / "index.html").read_text(encoding="utf-8")
    new = article.replace("/news/5100/", "/news/5200/").replace("Депутаты обсудили бюджет области на 2027 год",
                                                                  "Депутаты утвердили программу приватизации")
    new = new.replace("номер сообщения 5100", "номер сообщения 5200 о программе приватизации на 2027 год")
    (copy / "news" / "5200").mkdir()
    (copy / "news" / "5200" / "index.html").write_text(new, encoding="utf-8")
    listing = copy / "news" / "index.html"
    html = listing.read_text(encoding="utf-8")
    listing.write_text(html.replace('<div class="news-item">', '<div class="news-item"><span class="news-date-time">'
                                    '25.11.2026</span><a href="/news/5200/">Депутаты утвердили программу '
                                    'приватизации</a></div><div class="news-item">', 1), encoding="utf-8")
    site.requests.clear()
    run_cli("crawl", "--config", config, check=True)
    articles = [p for p in site.paths_requested() if p.rstrip("/").split("/")[-1].isdigit()]
    assert articles == ["/news/5200/"]
    rows = read_csv(tmp_path / "cfg" / "feeds" / "articles.csv")
    assert len(rows) == 13
    assert len({row["url"] for row in rows}) == 13


def test_reprint_links_to_first_publication_and_templates_are_not_reprints(serve, tmp_path):
    duma = serve("reprint_duma")
    portal = serve("reprint_portal")
    config = write_config(tmp_path, [source_entry(portal, "portal"), source_entry(duma, "duma")])
    run_cli("crawl", "--config", config, check=True)
    rows = read_csv(tmp_path / "feeds" / "articles.csv")
    assert len(rows) == 8
    by_url = {row["url"]: row for row in rows}
    original = f"{duma.base_url}/news/100/"
    reprint = f"{portal.base_url}/news/100/"
    assert by_url[original]["duplicate_of"] == ""
    assert by_url[reprint]["duplicate_of"] == original
    # committee notices built on one template are not reprints of each other
    linked = [row["url"] for row in rows if row["duplicate_of"]]
    assert linked == [reprint]


def test_reprint_found_before_its_original_is_relinked(serve, tmp_path):
    duma = serve("reprint_duma")
    portal = serve("reprint_portal")
    config = write_config(tmp_path, [source_entry(portal, "portal"), source_entry(duma, "duma")])
    run_cli("crawl", "--config", config, "--source", "portal", check=True)
    run_cli("crawl", "--config", config, "--source", "duma", check=True)
    rows = {row["url"]: row for row in read_csv(tmp_path / "feeds" / "articles.csv")}
    assert rows[f"{portal.base_url}/news/100/"]["duplicate_of"] == f"{duma.base_url}/news/100/"
    assert rows[f"{duma.base_url}/news/100/"]["duplicate_of"] == ""


def test_store_has_no_duplicate_rows(serve, tmp_path):
    site = serve("variants")
    config = write_config(tmp_path, [source_entry(site, "variants")])
    run_cli("crawl", "--config", config, check=True)
    run_cli("crawl", "--config", config, check=True)
    with sqlite3.connect(tmp_path / "data" / "state.sqlite3") as db:
        count, distinct = db.execute("SELECT count(*), count(DISTINCT content_hash) FROM articles").fetchone()
    assert count == distinct == 3


def site_dir(name: str):
    from conftest import TEST_SITES

    return TEST_SITES / name


def test_second_run_on_unchanged_feed_site_uses_conditional_requests(serve, tmp_path):
    site = serve("wordpress")
    config = write_config(tmp_path, [source_entry(site, "zskuzbass", "Asia/Novokuznetsk")])
    run_cli("crawl", "--config", config, check=True)
    first = list(site.requests)
    site.requests.clear()
    run_cli("crawl", "--config", config, check=True)
    second = site.requests
    assert ("GET", "/feed/", 304) in second and ("GET", "/sitemap.xml", 304) in second
    article_requests = [path for _, path, _ in second if path.startswith("/2026/")]
    assert article_requests == []
    print(f"first run: {len(first)} requests, second run: {len(second)} requests: {[p for _, p, _ in second]}")
    assert len(second) <= 6


def test_listing_that_goes_back_years_stops_at_the_horizon(serve, tmp_path):
    from datetime import date, timedelta

    from bigsite import build_site

    def published(n: int) -> date:  # ten fresh articles, then years of archive
        return date.today() - timedelta(days=1 + n if n < 10 else 400 + 30 * n)

    build_site(tmp_path / "site", 60, per_page=10, published=published)
    site = serve(tmp_path / "site")
    config = write_config(tmp_path / "cfg", [source_entry(site, "archive")], max_age_days=30)
    run_cli("crawl", "--config", config, check=True)
    paths = site.paths_requested()
    articles = [p for p in paths if p.startswith("/news/1")]
    assert len(articles) == 10
    assert "/news/?PAGEN_1=3" not in paths  # page 2 was all too old: the pagination stopped there
    assert len(read_csv(tmp_path / "cfg" / "feeds" / "articles.csv")) == 10


def test_robots_txt_is_obeyed(serve, tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(site_dir("tverduma"), copy)
    (copy / "robots.txt").write_text("User-agent: *\nDisallow: /news/5105/\nDisallow: /bitrix/\n", encoding="utf-8")
    site = serve(copy)
    config = write_config(tmp_path / "cfg", [source_entry(site, "tverduma")])
    run_cli("crawl", "--config", config, check=True)
    assert "/news/5105/" not in site.paths_requested()
    urls = {row["url"] for row in read_csv(tmp_path / "cfg" / "feeds" / "articles.csv")}
    assert len(urls) == 11 and f"{site.base_url}/news/5105/" not in urls
    runs = read_csv(tmp_path / "cfg" / "feeds" / "runs.csv")
    assert runs[0]["status"] == "ok" and runs[0]["errors"] == "0"  # a page robots.txt forbids is no fault


def test_a_run_stopped_early_leaves_no_validator_behind(serve, tmp_path):
    """A feed's 304 must not hide the entries a stopped run never fetched: validators are kept only when the
    run finished, so the next run reads the feed again and stores what the first one missed."""
    site = serve("wordpress")
    stopped = write_config(tmp_path, [source_entry(site, "zskuzbass", "Asia/Novokuznetsk")],
                           scrapy={"CLOSESPIDER_PAGECOUNT": 5, "CONCURRENT_REQUESTS": 1})
    run_cli("crawl", "--config", stopped)
    with sqlite3.connect(tmp_path / "data" / "state.sqlite3") as db:
        after_stop = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        assert db.execute("SELECT count(*) FROM http_validators").fetchone()[0] == 0
    assert after_stop < 14
    site.requests.clear()
    config = write_config(tmp_path, [source_entry(site, "zskuzbass", "Asia/Novokuznetsk")])
    run_cli("crawl", "--config", config, check=True)
    assert ("GET", "/feed/", 200) in site.requests
    with sqlite3.connect(tmp_path / "data" / "state.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 14
        assert db.execute("SELECT count(*) FROM http_validators").fetchone()[0] >= 2
