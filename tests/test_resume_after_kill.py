"""A crawl cut short loses no article for good: the next crawl follows the listings past known pages.

The listing stops at the first page with nothing new, which is right after a finished crawl but not after a
killed one: the pages beyond the last article it stored may never have been fetched. A Bitrix-style site
of 240 articles over 24 listing pages (``?PAGEN_1=N``), a crawl killed with SIGKILL once the first pages'
articles are stored, then a normal crawl: every article ends up stored once.
"""

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


def stored(path) -> int:
    try:
        with sqlite3.connect(path, timeout=5) as db:
            return db.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def test_after_a_killed_crawl_the_next_one_reaches_the_articles_deep_in_the_listing(serve, tmp_path):
    build_site(tmp_path / "site", 240)
    site = serve(tmp_path / "site")
    config = write_config(tmp_path / "cfg", [source_entry(site, "smolduma")],
                          scrapy={"CONCURRENT_REQUESTS_PER_DOMAIN": 2})
    db = tmp_path / "cfg" / "data" / "state.sqlite3"
    crawl = subprocess.Popen([sys.executable, "-m", "crawler", "crawl", "--config", str(config)], cwd=REPO,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while stored(db) < 30:
        assert crawl.poll() is None and time.monotonic() < deadline, "the crawl ended before it could be killed"
        time.sleep(0.05)
    crawl.send_signal(signal.SIGKILL)
    crawl.wait(timeout=10)
    before = stored(db)
    assert 30 <= before < 240
    site.requests.clear()
    run_cli("crawl", "--config", config, check=True)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT url_key) FROM articles").fetchone() == (240, 240)
        assert conn.execute("SELECT new_articles FROM runs").fetchall() == [(240 - before,)]
    assert len(read_csv(tmp_path / "cfg" / "feeds" / "articles.csv")) == 240
    # the stored ones were not fetched again
    fetched = [p for p in site.paths_requested() if p.startswith("/news/1")]
    assert len(fetched) == len(set(fetched)) == 240 - before
    # and the run after that is an ordinary incremental one: the first listing page, nothing new, stop
    site.requests.clear()
    run_cli("crawl", "--config", config, check=True)
    assert not [p for p in site.paths_requested() if p.startswith("/news/1") or "PAGEN_1" in p]
