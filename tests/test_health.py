"""Source health from the run history: health.csv from the service, crawl and export; the flag rules."""

from __future__ import annotations

import shutil
from pathlib import Path

from crawler.config import ServiceSettings
from crawler.report.health import source_health
from crawler.storage.store import Store

from conftest import TEST_SITES, read_csv, run_cli, source_entry, write_config

EMPTY_ARTICLE = ('<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>Фоторепортаж</title></head>'
                 '<body><div class="content"><h1>Фоторепортаж {n}</h1><div class="news-date-time">25.11.2026'
                 '</div><img src="/photo{n}.jpg"></div></body></html>')


def redesign_to_empty_pages(site: Path, numbers: range) -> None:
    """New news items whose pages carry only a headline and a photo: nothing trafilatura can extract."""
    listing = site / "news" / "index.html"
    items = "".join(f'<div class="news-item"><span class="news-date-time">25.11.2026</span>'
                    f'<a href="/news/{n}/">Фоторепортаж {n}</a></div>' for n in numbers)
    html = listing.read_text(encoding="utf-8")
    listing.write_text(html.replace("<h1>Новости</h1>", "<h1>Новости</h1>" + items, 1), encoding="utf-8")
    for n in numbers:
        (site / "news" / str(n)).mkdir()
        (site / "news" / str(n) / "index.html").write_text(EMPTY_ARTICLE.format(n=n), encoding="utf-8")


def test_a_site_turning_to_empty_pages_is_flagged_in_health_csv(serve, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(TEST_SITES / "tverduma", site)
    server = serve(site)
    config = write_config(tmp_path / "run", [source_entry(server, "tverduma")], health={"stale_runs": 1})
    feeds = tmp_path / "run" / "feeds"
    first = run_cli("schedule", "--config", config, "--once", timeout=60)
    assert first.returncode == 0, first.stderr
    [health] = read_csv(feeds / "health.csv")
    assert (health["health"], health["flags"]) == ("ok", "")

    redesign_to_empty_pages(site, range(5200, 5204))
    second = run_cli("crawl", "--config", config, timeout=60, check=True)  # crawl writes health.csv too
    [health] = read_csv(feeds / "health.csv")
    assert health["health"] == "flagged"
    assert health["flags"] == "stale; no_text"
    assert "4 of 4 article pages without extractable text" in health["detail"]
    assert health["runs_without_new"] == "1"
    assert "new articles" in second.stdout

    (feeds / "health.csv").unlink()
    run_cli("export", "--config", config, check=True)
    assert read_csv(feeds / "health.csv")[0]["flags"] == "stale; no_text"
    status = run_cli("status", "--config", config, check=True).stdout
    assert "stale; no_text" in status.splitlines()[1]


def test_a_source_answering_with_errors_is_flagged_and_logged(serve, tmp_path):
    server = serve("tverduma")
    dead = source_entry(server, "dead", url="http://127.0.0.1:9/")  # nothing listens on the discard port
    config = write_config(tmp_path, [source_entry(server, "tverduma"), dead], health={"error_runs": 1})
    result = run_cli("schedule", "--config", config, "--once", timeout=90)
    assert result.returncode == 0, result.stderr
    rows = {row["source_id"]: row for row in read_csv(tmp_path / "feeds" / "health.csv")}
    assert rows["dead"]["flags"] == "errors" and rows["dead"]["last_status"] == "failed"
    assert rows["tverduma"]["health"] == "ok"
    assert "WARNING health dead: errors in the last 1 run(s)" in result.stderr


def record(store: Store, run: int, source: str = "s", status: str = "ok", new: int = 0, errors: int = 0,
           empty: int = 0) -> None:
    started = f"2026-11-{run:02d}T10:00:00+00:00"
    store.record_run({"run_id": f"r{run}", "source_id": source, "started": started, "finished": started,
                      "status": status, "pages": 5, "new_articles": new, "new_mentions": 0, "errors": errors,
                      "error_detail": "HTTP 503" if errors else "", "empty_pages": empty, "duration": 1.0})


def test_flag_rules_on_a_real_store(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    settings = ServiceSettings(stale_runs=3, error_runs=2)
    try:
        for run in range(1, 6):
            record(store, run, source="never", new=0)  # a quiet site that never had news: not stale
        assert source_health(store, "never", settings).flags == []

        record(store, 1, new=4)
        record(store, 2)
        record(store, 3, status="stopped (shutdown)")  # an unfinished run does not count as a quiet one
        record(store, 4)
        assert source_health(store, "s", settings).flags == []
        record(store, 5)
        health = source_health(store, "s", settings)
        assert health.flags == ["stale"] and health.runs_without_new == 3
        assert source_health(store, "s", settings, exclude_run_id="r5").flags == []  # as before run 5

        record(store, 6, new=1, errors=1, empty=3)
        health = source_health(store, "s", settings)
        assert health.flags == ["no_text"]  # 3 of 4 pages empty; errors in one run only
        record(store, 7, new=2, errors=2, empty=1)
        assert source_health(store, "s", settings).flags == ["errors"]
        assert source_health(store, "unknown", settings).state == "no runs"
    finally:
        store.close()
