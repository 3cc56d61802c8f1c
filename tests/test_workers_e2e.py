"""Worker processes (``workers`` > 0, pipelines/offload.py), end to end through the real CLI.

The same loopback sites crawled twice into two stores, once with ``workers: 0`` (every pipeline in the crawl
process) and once with ``--workers 2`` (clean, dates and mentions in a pool of two processes), must give the
same feeds row by row: titles, texts, dates, mentions, reprint links, run counts, empty pages. Then: no worker
process outlives the crawl, a worker killed mid-crawl loses no article, and a bad ``workers`` value is one
line and exit 2.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from test_health import redesign_to_empty_pages
from test_mentions_e2e import WATCHLIST as MENTIONS_WATCHLIST

from crawler.commands.demo import DEMO_WATCHLIST
from crawler.commands.demo_server import DEMO_SITES_DIR, serve_site
from pipelines.fingerprints import REPRINT_RESEMBLANCE, resemblance

from bigsite import build_site
from conftest import REPO, TEST_SITES, next_loopback_address, read_csv, run_cli, source_entry, write_config

pytestmark = pytest.mark.e2e

EMPTY_PAGES = range(5200, 5203)  # three article pages with a headline and a photo only, on the tverduma copy
POOL_LINE = re.compile(r"offload: (\d+) pages in (\d+) worker processes \(pids ([\d ]+)\), (\d+) in the crawl process")


def merged_watchlist() -> dict:
    names = {entry["name"]: entry for entry in DEMO_WATCHLIST["names"] + MENTIONS_WATCHLIST["names"]}
    topics = {entry["name"]: entry for entry in DEMO_WATCHLIST["topics"] + MENTIONS_WATCHLIST["topics"]}
    return {"names": list(names.values()), "topics": list(topics.values())}


def tagged_processes(tag: str) -> dict[int, str]:
    """pid → command line of every live process whose environment carries ``DUMAWATCH_TEST_TAG=tag``."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if f"DUMAWATCH_TEST_TAG={tag}".encode() in environ.split(b"\0"):
            found[int(entry.name)] = cmdline
    return found


def alive(pid: int) -> bool:
    """The process exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def crawls(tmp_path_factory):
    """The same sites crawled with workers: 0 and with --workers 2; (directory, CompletedProcess) of each."""
    root = tmp_path_factory.mktemp("workers")
    tver = root / "tverduma"
    shutil.copytree(TEST_SITES / "tverduma", tver)
    redesign_to_empty_pages(tver, EMPTY_PAGES)
    sites = [("volgoduma", DEMO_SITES_DIR / "bitrix", "Europe/Volgograd"),
             ("zskuzbass", DEMO_SITES_DIR / "wordpress", "Asia/Novokuznetsk"),
             ("zsko", DEMO_SITES_DIR / "homegrown", "Europe/Kirov"),
             ("variants", TEST_SITES / "variants", "Europe/Moscow"),
             ("portal", TEST_SITES / "reprint_portal", "Europe/Moscow"),
             ("duma", TEST_SITES / "reprint_duma", "Europe/Moscow"),
             ("mentions", TEST_SITES / "mentions", "Europe/Moscow"),
             ("sndko", TEST_SITES / "relative_dates", "Asia/Novokuznetsk"),
             ("tverduma", tver, "Europe/Moscow")]
    servers = []
    try:
        entries = []
        for sid, path, tz in sites:
            server = serve_site(path, host=next_loopback_address())
            servers.append(server)
            entries.append(source_entry(server, sid, tz))
        watchlist = merged_watchlist()
        local = write_config(root / "local", entries, watchlist=watchlist, workers=0)
        pooled = write_config(root / "pooled", entries, watchlist=watchlist)
        tag = uuid.uuid4().hex
        env = {**os.environ, "DUMAWATCH_TEST_TAG": tag}
        first = run_cli("crawl", "--config", local, check=True)
        second = run_cli("crawl", "--config", pooled, "--workers", "2", "--verbose", check=True, env=env)
        left_at_exit = tagged_processes(tag)
        time.sleep(3)
        left_later = tagged_processes(tag)
    finally:
        for server in servers:
            server.stop()
    return {"local": (root / "local", first), "pooled": (root / "pooled", second),
            "left_at_exit": left_at_exit, "left_later": left_later}


def close_in_time(a: str, b: str) -> bool:
    """Equal, or two times minutes apart: «2 часа назад» is relative to each crawl's own fetch time."""
    if a == b:
        return True
    try:
        return abs((datetime.fromisoformat(a) - datetime.fromisoformat(b)).total_seconds()) < 600 and "T" in a
    except ValueError:
        return False


def rows(directory: Path, name: str, key) -> list[dict]:
    return sorted(read_csv(directory / "feeds" / name), key=key)


def test_the_pool_was_used(crawls):
    _, result = crawls["pooled"]
    [line] = [m for m in map(POOL_LINE.search, result.stderr.splitlines()) if m]
    pages, workers, pids, local = int(line[1]), int(line[2]), line[3].split(), int(line[4])
    assert workers == 2 and len(pids) == 2 and local == 0
    stored = len(read_csv(crawls["pooled"][0] / "feeds" / "articles.csv"))
    assert pages >= stored + len(EMPTY_PAGES)  # every article page went through the pool (duplicates too)
    assert "pipelines.offload.OffloadPipeline" in result.stderr
    assert "Traceback" not in result.stderr


def test_articles_equal_row_by_row(crawls):
    """The same articles, row by row. Which of two URLs of one text becomes the row's URL is whichever page
    was processed first, and workers finish pages out of order: rows are matched by source and text, and a
    ``duplicate_of`` by the story it points to."""
    key = lambda r: (r["source_id"], r["text"], r["title"])  # noqa: E731
    local, pooled = (rows(crawls[k][0], "articles.csv", key) for k in ("local", "pooled"))
    assert len(local) == len(pooled) > 60

    def text_at(feed: list[dict], url: str) -> str:
        return next((r["text"] for r in feed if r["url"] == url), f"(not in the feed: {url})") if url else ""

    for a, b in zip(local, pooled, strict=True):
        assert close_in_time(a["published_at"], b["published_at"]), (a["url"], a["published_at"], b["published_at"])
        for column in ("source_id", "source_name", "region", "title", "names", "topics", "text"):
            assert a[column] == b[column], (a["url"], column)
        assert a["url"].split("/")[2] == b["url"].split("/")[2]  # the same site
        # the same story in both runs; among copies of one date the first one processed is the root, so
        # the row linked to may be another copy of it (the duma's release and its copy on «variants»)
        story_a = text_at(local, a["duplicate_of"]) if a["duplicate_of"] else a["text"]
        story_b = text_at(pooled, b["duplicate_of"]) if b["duplicate_of"] else b["text"]
        assert resemblance(story_a, story_b) >= REPRINT_RESEMBLANCE, a["url"]
    moved = sum(1 for a, b in zip(local, pooled, strict=True) if a["url"] != b["url"])
    assert moved <= 3  # only the few texts that stand at two URLs of one site
    assert sum(1 for r in pooled if r["duplicate_of"]) >= 2  # demo reprint + reprint_portal
    assert sum(1 for r in pooled if r["names"] or r["topics"]) >= 20
    assert sum(1 for r in pooled if r["published_at"]) >= len(pooled) - 2


def test_mentions_equal_row_by_row(crawls):
    # matched by article (source, title) rather than URL: see test_articles_equal_row_by_row
    key = lambda r: (r["source_id"], r["title"], r["kind"], r["watch"], r["snippet"])  # noqa: E731
    local, pooled = (rows(crawls[k][0], "mentions.csv", key) for k in ("local", "pooled"))
    assert len(local) == len(pooled) > 30
    for a, b in zip(local, pooled, strict=True):
        assert close_in_time(a["published_at"], b["published_at"])
        # first_seen is each run's own clock; which copy of a story is its root (duplicate_of) may differ, and
        # published_date follows published_at (see the articles test)
        differ = ("published_at", "url", "first_seen", "duplicate_of", "published_date")
        assert {k: v for k, v in a.items() if k not in differ} == {k: v for k, v in b.items() if k not in differ}


def test_run_counts_equal_including_empty_pages(crawls):
    runs = {}
    for kind in ("local", "pooled"):
        directory = crawls[kind][0]
        with sqlite3.connect(directory / "data" / "state.sqlite3") as db:
            empty = dict(db.execute("SELECT source_id, empty_pages FROM runs"))
        runs[kind] = {row["source_id"]: (row["status"], row["pages"], row["new_articles"], row["new_mentions"],
                                         row["errors"], sorted(row["error_detail"].split(" | ")),
                                         empty[row["source_id"]])
                      for row in read_csv(directory / "feeds" / "runs.csv")}
    assert runs["local"] == runs["pooled"]
    assert len(runs["pooled"]) == 9
    health = {kind: [{**{k: v for k, v in row.items() if k not in ("last_run", "last_new_article")},
                      "last_error": sorted(row["last_error"].split(" | "))}  # in the order the pages came in
                     for row in rows(crawls[kind][0], "health.csv", lambda r: r["source_id"])]
              for kind in ("local", "pooled")}
    assert health["local"] == health["pooled"]


def test_empty_pages_counted_and_named_through_the_pool(crawls):
    directory, result = crawls["pooled"]
    [run] = [row for row in read_csv(directory / "feeds" / "runs.csv") if row["source_id"] == "tverduma"]
    assert (run["status"], run["errors"], run["new_articles"]) == ("ok", "0", "12")
    for n in EMPTY_PAGES:
        assert f"no article text on {source_url(crawls, 'tverduma')}news/{n}/" in run["error_detail"]
        assert f"no article text on {source_url(crawls, 'tverduma')}news/{n}/" not in result.stdout  # counted:
    [row] = [line.split() for line in result.stdout.splitlines() if line.startswith("tverduma ")]
    assert int(row[-3]) == len(EMPTY_PAGES)  # the summary's "no text" column (then "too old", "not news")
    with sqlite3.connect(directory / "data" / "state.sqlite3") as db:
        [(empty,)] = db.execute("SELECT empty_pages FROM runs WHERE source_id = 'tverduma'").fetchall()
    assert empty == len(EMPTY_PAGES)


def source_url(crawls, sid: str) -> str:
    sources = yaml.safe_load((crawls["pooled"][0] / "sources.yaml").read_text(encoding="utf-8"))["sources"]
    return next(s["url"] for s in sources if s["id"] == sid)


def test_no_worker_process_outlives_the_crawl(crawls):
    _, result = crawls["pooled"]
    [line] = [m for m in map(POOL_LINE.search, result.stderr.splitlines()) if m]
    workers = [int(pid) for pid in line[3].split()]
    assert not [pid for pid in workers if alive(pid)]
    # checked the moment the CLI exited: no spawned worker (multiprocessing's resource tracker, which ends
    # when its last client does, may still be on its way out), and a few seconds later nothing at all
    assert not [cmd for cmd in crawls["left_at_exit"].values() if "spawn_main" in cmd], crawls["left_at_exit"]
    assert crawls["left_later"] == {}


def stored_articles(state: Path) -> int:
    try:
        with sqlite3.connect(f"file:{state}?mode=ro", uri=True, timeout=0.2) as db:
            return db.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.Error:  # not created yet
        return 0


def test_a_killed_worker_loses_no_article(serve, tmp_path):
    build_site(tmp_path / "site", 300, per_page=10)
    site = serve(tmp_path / "site")
    config = write_config(tmp_path / "cfg", [source_entry(site, "big")], workers=2)
    tag = uuid.uuid4().hex
    crawl = subprocess.Popen([sys.executable, "-m", "crawler", "crawl", "--config", str(config), "--verbose"],
                             cwd=REPO, env={**os.environ, "DUMAWATCH_TEST_TAG": tag}, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # once the workers have processed pages, kill one of them
            workers = [pid for pid, cmd in tagged_processes(tag).items() if "spawn_main" in cmd]
            if workers and stored_articles(tmp_path / "cfg" / "data" / "state.sqlite3") >= 20:
                os.kill(workers[0], signal.SIGKILL)
                break
            time.sleep(0.02)
        else:
            pytest.fail("the crawl never had a worker with pages flowing")
        out, err = crawl.communicate(timeout=120)
    finally:
        if crawl.poll() is None:
            crawl.kill()
            crawl.communicate()
    assert crawl.returncode == 0, err
    assert err.count("worker pool broken") == 1, err
    assert "Traceback" not in err
    [line] = [m for m in map(POOL_LINE.search, err.splitlines()) if m]
    in_workers, in_crawl = int(line[1]), int(line[4])
    assert in_workers >= 20 and in_crawl >= 1 and in_workers + in_crawl == 300, line[0]
    articles = read_csv(tmp_path / "cfg" / "feeds" / "articles.csv")
    assert len(articles) == 300 and all(len(row["text"]) > 200 and row["published_at"] for row in articles)
    [run] = read_csv(tmp_path / "cfg" / "feeds" / "runs.csv")
    assert (run["status"], run["new_articles"], run["errors"]) == ("ok", "300", "0")
    assert not [cmd for cmd in tagged_processes(tag).values() if "spawn_main" in cmd]  # the other one too


@pytest.mark.parametrize("how", ["SIGTERM to the crawl", "Ctrl-C to the process group",
                                 "Ctrl-C while the workers start"])
def test_a_stopped_crawl_stops_its_workers(serve, tmp_path, how):
    build_site(tmp_path / "site", 300, per_page=10)
    site = serve(tmp_path / "site")
    config = write_config(tmp_path / "cfg", [source_entry(site, "big")], workers=2)
    tag = uuid.uuid4().hex
    crawl = subprocess.Popen([sys.executable, "-m", "crawler", "crawl", "--config", str(config)], cwd=REPO,
                             env={**os.environ, "DUMAWATCH_TEST_TAG": tag}, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, start_new_session=True)
    early = how.endswith("start")
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if early and len([cmd for cmd in tagged_processes(tag).values() if "spawn_main" in cmd]) == 2:
                time.sleep(0.1)  # both workers are importing their libraries
                break
            if not early and stored_articles(tmp_path / "cfg" / "data" / "state.sqlite3") >= 20:
                break
            time.sleep(0.01)
        if how.startswith("SIGTERM"):
            crawl.send_signal(signal.SIGTERM)
        else:
            os.killpg(crawl.pid, signal.SIGINT)  # what a terminal sends: the workers get it too
        out, err = crawl.communicate(timeout=60)
    finally:
        if crawl.poll() is None:
            os.killpg(crawl.pid, signal.SIGKILL)
            crawl.communicate()
    assert crawl.returncode == (0 if how.startswith("SIGTERM") else 130), err  # Ctrl-C: 130 after the clean stop
    assert "Traceback" not in err and "worker pool broken" not in err, err
    log = (tmp_path / "cfg" / "logs" / "crawl.log").read_text(encoding="utf-8")  # Scrapy's log goes there
    assert "Traceback" not in log and "worker pool broken" not in log, log[-3000:]
    [run] = read_csv(tmp_path / "cfg" / "feeds" / "runs.csv")
    assert run["status"] == "stopped (shutdown)"
    assert (0 if early else 20) <= int(run["new_articles"]) < 300
    assert len(read_csv(tmp_path / "cfg" / "feeds" / "articles.csv")) == int(run["new_articles"])
    assert not [cmd for cmd in tagged_processes(tag).values() if "spawn_main" in cmd]


@pytest.mark.parametrize("value", [-1, "lots", 2.5, True])
def test_bad_workers_value_is_one_line_and_exit_2(tmp_path, value):
    source = {"id": "volgoduma", "name": "Волгоградская областная дума", "url": "http://127.0.0.1:9/",
              "timezone": "Europe/Volgograd"}
    config = write_config(tmp_path, [source], workers=value)
    result = run_cli("crawl", "--config", config)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "dumawatch.yaml: workers: expected a whole number >= 0 or 'auto', got" in lines[0]
    assert not (tmp_path / "data" / "state.sqlite3").exists()


def test_bad_workers_option_is_one_line_and_exit_2(tmp_path):
    source = {"id": "volgoduma", "name": "Волгоградская областная дума", "url": "http://127.0.0.1:9/",
              "timezone": "Europe/Volgograd"}
    config = write_config(tmp_path, [source])
    result = run_cli("crawl", "--config", config, "--workers", "many")
    assert result.returncode == 2
    assert result.stderr.strip() == "dumawatch: error: --workers: expected a whole number >= 0 or 'auto', got 'many'"
    assert not (tmp_path / "data" / "state.sqlite3").exists()
