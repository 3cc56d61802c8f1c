"""A crawl killed with SIGKILL loses nothing and duplicates nothing; two crawls on one store cannot run at once."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from bigsite import build_site
from conftest import REPO, read_csv, run_cli, source_entry, write_config

pytestmark = pytest.mark.e2e

SLOW = {"DOWNLOAD_DELAY": 0.12, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}


def stored_articles(db_path) -> int:
    if not db_path.exists():
        return 0
    try:
        with sqlite3.connect(db_path, timeout=5) as db:
            return db.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def start_crawl(config) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "crawler", "crawl", "--config", str(config)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_articles(db_path, at_least: int, process, limit: float = 60) -> int:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        count = stored_articles(db_path)
        if count >= at_least or process.poll() is not None:
            return count
        time.sleep(0.05)
    return stored_articles(db_path)


def test_sigkill_mid_run_then_clean_run(serve, tmp_path):
    build_site(tmp_path / "site", 40)
    site = serve(tmp_path / "site")
    config = write_config(tmp_path / "cfg", [source_entry(site, "big")], scrapy=SLOW)
    db = tmp_path / "cfg" / "data" / "state.sqlite3"
    crawl = start_crawl(config)
    stored = wait_for_articles(db, 8, crawl)
    assert crawl.poll() is None, "the crawl ended before it could be killed"
    crawl.send_signal(signal.SIGKILL)
    crawl.wait(timeout=10)
    assert 8 <= stored_articles(db) < 40
    feeds = tmp_path / "cfg" / "feeds"
    assert not (feeds / "articles.csv").exists() or read_csv(feeds / "articles.csv") is not None
    assert not list(feeds.glob(".*.tmp")) if feeds.exists() else True

    result = run_cli("crawl", "--config", config, check=True)
    assert "big" in result.stdout
    rows = read_csv(feeds / "articles.csv")
    assert len(rows) == 40
    assert len({row["url"] for row in rows}) == 40
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone() == (40, 40)
        orphans = conn.execute("SELECT count(*) FROM mentions WHERE article_id NOT IN (SELECT id FROM articles)")
        assert orphans.fetchone()[0] == 0
    assert stored >= 8


def test_second_crawl_on_same_store_is_refused(serve, tmp_path):
    build_site(tmp_path / "site", 30)
    site = serve(tmp_path / "site")
    config = write_config(tmp_path / "cfg", [source_entry(site, "big")], scrapy=SLOW)
    first = start_crawl(config)
    try:
        wait_for_articles(tmp_path / "cfg" / "data" / "state.sqlite3", 1, first)
        assert first.poll() is None
        second = run_cli("crawl", "--config", config)
        assert second.returncode == 3
        assert "another dumawatch run" in second.stderr and len(second.stderr.strip().splitlines()) == 1
    finally:
        out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert len(read_csv(tmp_path / "cfg" / "feeds" / "articles.csv")) == 30
