"""Never miss an article (issues 14 and 19): interrupted crawls resume, listings are walked to the horizon,
the stop rule does not depend on which channel a run parses first, and the exit code tells a total failure.

The sites are deep (50+ listing pages) in four URL shapes (``tests/deepsite.py``), each on its own address.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta

import pytest
from deepsite import build_deep_site
from test_crash_and_lock import start_crawl, stored_articles, wait_for_articles

from conftest import REPO, read_csv, run_cli, source_entry, write_config

pytestmark = pytest.mark.e2e

PAGES, PER_PAGE = 52, 10


def deep_sites(serve, tmp_path, styles, pages=PAGES, **kwargs):
    """Build and serve one deep site per style; returns [(style, server, site)]."""
    built = []
    for index, style in enumerate(styles):
        site = build_deep_site(tmp_path / style, style, pages * PER_PAGE, per_page=PER_PAGE, first=index * 5000,
                               **kwargs)
        built.append((style, serve(tmp_path / style), site))
    return built


def expected_urls(built) -> set[str]:
    return {url for _, server, site in built for url in site.urls(server.base_url)}


def exported_urls(directory) -> list[str]:
    return [row["url"] for row in read_csv(directory / "feeds" / "articles.csv")]


def article_requests(built) -> int:
    return sum(1 for _, server, site in built for target in server.paths_requested() if target in set(site.articles))


def assert_complete_then_quiet(built, config, directory):
    """A normal crawl stores every article once; the next one requests no article and few listing pages."""
    run_cli("crawl", "--config", config, check=True)
    urls = exported_urls(directory)
    assert len(urls) == len(set(urls)), "an article was stored twice"
    missing = expected_urls(built) - set(urls)
    assert not missing, f"{len(missing)} articles missing, e.g. {sorted(missing)[:3]}"
    with sqlite3.connect(directory / "data" / "state.sqlite3") as db:
        states = dict(db.execute("SELECT source_id, state FROM walks"))
    assert set(states) == {style for style, _, _ in built} and "walking" not in states.values(), states
    for _, server, _ in built:
        server.requests.clear()
    run_cli("crawl", "--config", config, check=True)
    assert article_requests(built) == 0
    for style, server, site in built:
        pages = {site.page(p) for p in range(1, site.pages + 1)}
        listing_pages = [t for t in server.paths_requested() if t in pages]
        assert len(listing_pages) <= 1, (style, listing_pages)  # only the first page: nothing new on it
        assert len(server.requests) <= 6, (style, server.paths_requested())


def stop_at(config, db, total: int, share: float, sig: int) -> int:
    """Start a crawl, send ``sig`` once ``share`` of ``total`` articles are stored; the articles stored then."""
    crawl = start_crawl(config)
    reached = wait_for_articles(db, int(total * share), crawl)
    assert crawl.poll() is None, f"the crawl ended before it could be stopped ({reached} stored)"
    crawl.send_signal(sig)
    crawl.communicate(timeout=90)
    stored = stored_articles(db)
    assert stored < total, "the interruption came too late to prove anything"
    return stored


def test_ctrl_c_at_30_percent_then_a_normal_crawl_gets_every_article(serve, tmp_path):
    built = deep_sites(serve, tmp_path, ["bitrix", "aspx"])
    config = write_config(tmp_path / "cfg", [source_entry(server, style) for style, server, _ in built])
    total = len(expected_urls(built))
    stop_at(config, tmp_path / "cfg" / "data" / "state.sqlite3", total, 0.3, signal.SIGINT)
    runs = read_csv(tmp_path / "cfg" / "feeds" / "runs.csv")
    assert {row["status"] for row in runs} == {"stopped (shutdown)"}
    assert_complete_then_quiet(built, config, tmp_path / "cfg")


def test_sigkill_at_30_percent_then_a_normal_crawl_gets_every_article(serve, tmp_path):
    built = deep_sites(serve, tmp_path, ["drupal", "wordpress"])
    config = write_config(tmp_path / "cfg", [source_entry(server, style) for style, server, _ in built])
    total = len(expected_urls(built))
    stop_at(config, tmp_path / "cfg" / "data" / "state.sqlite3", total, 0.3, signal.SIGKILL)
    assert_complete_then_quiet(built, config, tmp_path / "cfg")


def test_a_crawl_killed_twice_in_a_row_then_every_article(serve, tmp_path):
    built = deep_sites(serve, tmp_path, ["aspx", "drupal"])
    config = write_config(tmp_path / "cfg", [source_entry(server, style) for style, server, _ in built])
    db = tmp_path / "cfg" / "data" / "state.sqlite3"
    total = len(expected_urls(built))
    first = stop_at(config, db, total, 0.3, signal.SIGKILL)
    second = stop_at(config, db, total, 0.6, signal.SIGKILL)
    assert first < second < total
    assert_complete_then_quiet(built, config, tmp_path / "cfg")


def test_service_stopped_during_its_first_run_then_every_article(serve, tmp_path):
    built = deep_sites(serve, tmp_path, ["wordpress", "bitrix"])
    config = write_config(tmp_path / "cfg", [source_entry(server, style) for style, server, _ in built],
                          schedule={"cron": "*/2 * * * * *", "timezone": "Europe/Moscow"})
    db = tmp_path / "cfg" / "data" / "state.sqlite3"
    total = len(expected_urls(built))
    service = subprocess.Popen([sys.executable, "-m", "crawler", "schedule", "--config", str(config)], cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while stored_articles(db) < total * 0.3 and time.monotonic() < deadline and service.poll() is None:
            time.sleep(0.05)
        service.send_signal(signal.SIGTERM)
        _, err = service.communicate(timeout=90)
    finally:
        if service.poll() is None:
            service.kill()
    assert service.returncode == 0, err
    assert "stopping: asking the running crawl" in err
    assert 0 < stored_articles(db) < total
    assert {row["status"] for row in read_csv(tmp_path / "cfg" / "feeds" / "runs.csv")} == {"stopped (shutdown)"}
    assert_complete_then_quiet(built, config, tmp_path / "cfg")


def test_an_uninterrupted_first_crawl_walks_sixty_listing_pages(serve, tmp_path):
    built = deep_sites(serve, tmp_path, ["aspx"], pages=60)
    config = write_config(tmp_path / "cfg", [source_entry(server, style) for style, server, _ in built],
                          max_age_days=3650)   # two articles a day: 600 articles cover 300 days
    result = run_cli("crawl", "--config", config, check=True)
    assert set(exported_urls(tmp_path / "cfg")) == expected_urls(built)
    _, server, site = built[0]
    assert site.page(60) in server.paths_requested()
    [run] = read_csv(tmp_path / "cfg" / "feeds" / "runs.csv")
    assert run["new_articles"] == "600" and run["too_old"] == "0" and run["limit_hit"] == ""
    assert "limit hit" not in result.stdout


def test_a_30_day_horizon_stops_where_the_articles_get_older_and_reports_too_old(serve, tmp_path):
    built = deep_sites(serve, tmp_path, ["bitrix", "wordpress"], pages=30)
    config = write_config(tmp_path / "cfg", [source_entry(server, style) for style, server, _ in built],
                          max_age_days=30)
    result = run_cli("crawl", "--config", config, check=True)
    today = date.today()
    for style, server, site in built:
        fetched = [t for t in server.paths_requested() if t in set(site.articles)]
        # two articles a day from yesterday back: the first 60 or so are within 30 days
        young = [t for i, t in enumerate(site.articles) if today - timedelta(days=1 + i // 2) >= today - timedelta(30)]
        assert set(fetched) == set(young), style
        assert site.page(7) in server.paths_requested()
        assert site.page(8) not in server.paths_requested()   # page 7 was all too old: the walk ended there
    runs = {row["source_id"]: row for row in read_csv(tmp_path / "cfg" / "feeds" / "runs.csv")}
    for style, _, _ in built:
        assert 0 < int(runs[style]["too_old"]) <= 2 * PER_PAGE, runs[style]
    assert "too old" in result.stdout.splitlines()[0]
    with sqlite3.connect(tmp_path / "cfg" / "data" / "state.sqlite3") as db:
        assert {state for (state,) in db.execute("SELECT state FROM walks")} == {"horizon"}


def test_a_listing_without_dates_learns_the_horizon_from_its_articles(serve, tmp_path):
    built = deep_sites(serve, tmp_path, ["aspx"], pages=30, dated_rows=False)
    _, server, site = built[0]
    config = write_config(tmp_path / "cfg", [source_entry(server, "aspx")], max_age_days=30)
    run_cli("crawl", "--config", config, check=True)
    requested = server.paths_requested()
    fetched = [t for t in requested if t in set(site.articles)]
    assert set(site.articles[:60]) <= set(fetched)          # every article of the last 30 days
    assert len(fetched) <= 60 + 3 * PER_PAGE                # and at most three pages beyond the horizon
    assert site.page(12) not in requested
    with sqlite3.connect(tmp_path / "cfg" / "data" / "state.sqlite3") as db:
        assert db.execute("SELECT state FROM walks").fetchall() == [("horizon",)]


def test_max_listing_pages_is_a_named_limit_reported_in_the_summary_and_runs_csv(serve, tmp_path):
    built = deep_sites(serve, tmp_path, ["drupal"], pages=12)
    _, server, site = built[0]
    config = write_config(tmp_path / "cfg", [source_entry(server, "drupal", max_listing_pages=5)])
    result = run_cli("crawl", "--config", config, check=True)
    assert site.page(5) in server.paths_requested() and site.page(6) not in server.paths_requested()
    assert "drupal: limit hit: max_listing_pages (5) reached" in result.stdout
    [run] = read_csv(tmp_path / "cfg" / "feeds" / "runs.csv")
    assert run["limit_hit"].startswith("max_listing_pages (5) reached on ")
    assert len(exported_urls(tmp_path / "cfg")) == 50


@pytest.mark.parametrize("slow", ["/news", "/rss.xml"])
def test_the_feed_holding_the_first_listing_page_never_ends_the_pagination(serve, tmp_path, slow):
    """Issue 19: feed of the 10 newest, listing of 10 a page; whichever channel is read first, all 25 arrive."""
    import yaml

    site = build_deep_site(tmp_path / "site", "drupal", 25, per_page=10)
    meta = yaml.safe_load((tmp_path / "site" / "site.yaml").read_text(encoding="utf-8"))
    meta["delays"] = {slow: 1.5}   # the other channel's entries are queued (and stored) first
    (tmp_path / "site" / "site.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    server = serve(tmp_path / "site")
    config = write_config(tmp_path / "cfg", [source_entry(server, "drupal")])
    run_cli("crawl", "--config", config, check=True)
    assert set(exported_urls(tmp_path / "cfg")) == site.urls(server.base_url)
    targets = server.paths_requested()
    assert targets.count("/news?page=1") == 1 and targets.count("/news?page=2") == 1
    assert len([t for t in targets if t.startswith("/node/")]) == 25   # none twice
    server.requests.clear()
    run_cli("crawl", "--config", config, check=True)   # unchanged: the feed (304) and the first listing page
    assert [t for t in server.paths_requested() if t.startswith(("/node/", "/news"))] == ["/news"]


def test_a_sitemap_read_before_the_listing_never_ends_its_pagination(serve, tmp_path):
    """Issue 19, sitemaps: the sitemap names the 10 newest; the listing (25, 10 a page) is answered later."""
    import yaml

    site = build_deep_site(tmp_path / "site", "wordpress", 25, per_page=10, sitemap_size=10)
    meta = yaml.safe_load((tmp_path / "site" / "site.yaml").read_text(encoding="utf-8"))
    meta["delays"] = {"/novosti/": 1.5}
    (tmp_path / "site" / "site.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    server = serve(tmp_path / "site")
    config = write_config(tmp_path / "cfg", [source_entry(server, "wp")])
    run_cli("crawl", "--config", config, check=True)
    targets = server.paths_requested()
    assert targets.index("/sitemap.xml") < targets.index("/novosti/")
    assert set(exported_urls(tmp_path / "cfg")) == site.urls(server.base_url)
    assert targets.count("/novosti/page/2/") == 1 and targets.count("/novosti/page/3/") == 1


def test_one_listing_named_twice_is_walked_once(serve, tmp_path):
    site = build_deep_site(tmp_path / "site", "bitrix", 60, per_page=10)
    server = serve(tmp_path / "site")
    config = write_config(tmp_path / "cfg", [source_entry(
        server, "bitrix", listing=[server.base_url + "/press/news/", server.base_url + "/press/news"])])
    run_cli("crawl", "--config", config, check=True)
    assert set(exported_urls(tmp_path / "cfg")) == site.urls(server.base_url)
    targets = server.paths_requested()
    for p in range(1, 7):
        assert targets.count(site.page(p)) == 1, (p, targets)
    assert "/press/news" not in targets   # the second spelling of page 1 was not requested again
    assert len([t for t in targets if t.startswith("/press/news")]) == 60 + 6   # 60 articles, pages 1-6


def test_every_source_failing_exits_4_and_some_failing_exits_0(serve, tmp_path):
    site = build_deep_site(tmp_path / "site", "bitrix", 12)
    server = serve(tmp_path / "site")
    down = {"id": "down", "name": "Сайт недоступен", "url": "http://127.0.0.1:9/", "timezone": "Europe/Moscow"}
    config = write_config(tmp_path / "all", [down, {**down, "id": "down2"}])
    result = run_cli("crawl", "--config", config)
    assert result.returncode == 4, (result.stdout, result.stderr)
    assert "failed: down, down2" in result.stdout
    config = write_config(tmp_path / "some", [down, source_entry(server, "bitrix")])
    result = run_cli("crawl", "--config", config)
    assert result.returncode == 0, result.stderr
    assert "failed: down" in result.stdout and len(exported_urls(tmp_path / "some")) == len(site.articles)


def test_a_bad_limit_is_a_one_line_config_error(serve, tmp_path):
    site = build_deep_site(tmp_path / "site", "bitrix", 12)
    server = serve(tmp_path / "site")
    for where, extra, source_extra in (("max_listing_pages", {"max_listing_pages": 0}, {}),
                                       ("max_child_sitemaps", {}, {"max_child_sitemaps": "many"})):
        config = write_config(tmp_path / where, [source_entry(server, "bitrix", **source_extra)], **extra)
        result = run_cli("crawl", "--config", config)
        assert result.returncode == 2, result.stderr
        [line] = result.stderr.strip().splitlines()
        assert where in line and "positive whole number" in line
    assert server.requests == [] and len(site.articles) == 12   # nothing was crawled
