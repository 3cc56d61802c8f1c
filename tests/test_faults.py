"""A hostile web, crawled for real: every fault of tests/fault_server.py in one run beside a good site.

One ``dumawatch crawl`` (a subprocess, real HTTP on loopback) covers: the fault site (its listing
links to good articles, to flaky ones that succeed on the retry, and to one article per fault), the
same fault site with ``allow_domains`` naming the foreign host of its off-site redirect, a good demo
site, a port where nothing listens, a ``.invalid`` host, and HTTPS with a self-signed certificate
(refused) and the same with ``verify_tls: false`` (crawled). Timeouts are short (DOWNLOAD_TIMEOUT 3,
RETRY_TIMES 1) so the whole file runs in well under a minute and a half.
"""

from __future__ import annotations

import socket
import time
from collections import Counter

import pytest

from crawler.commands.demo_server import DEMO_SITES_DIR, serve_site

from conftest import next_loopback_address, read_csv, run_cli, source_entry, write_config
from fault_server import (
    FAULTS,
    FLAKY_ARTICLES,
    FOREIGN_ARTICLE,
    GOOD_ARTICLES,
    self_signed_certificate,
    serve_faults,
)

pytestmark = pytest.mark.e2e

PATTERN = r"/news/\d+-[a-z0-9-]+/$"
SCRAPY = {"DOWNLOAD_TIMEOUT": 3, "RETRY_TIMES": 1, "DUMAWATCH_RETRY_BACKOFF": 0.2, "DUMAWATCH_RETRY_AFTER_MAX": 2}


def free_port(host: str) -> int:
    """A port on ``host`` where nothing listens (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def fault_entry(server, sid: str, **fields) -> dict:
    return {"id": sid, "name": f"Сбойная дума {sid}", "region": "Тестовая область", "url": server.base_url + "/",
            "timezone": "Europe/Moscow", "listing": [server.base_url + "/news/"], "article_pattern": PATTERN,
            **fields}


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    directory = tmp_path_factory.mktemp("faults")
    foreign = serve_faults(next_loopback_address())
    faulty = serve_faults(next_loopback_address(), foreign_base=foreign.base_url)
    # its own foreign host: one URL reached by two redirects is fetched once (Scrapy's duplicate filter)
    foreign_allowed = serve_faults(next_loopback_address())
    allowing = serve_faults(next_loopback_address(), foreign_base=foreign_allowed.base_url)
    tls_host = next_loopback_address()
    tls = serve_faults(tls_host, tls=self_signed_certificate(directory, tls_host))
    tls_off_host = next_loopback_address()
    tls_off = serve_faults(tls_off_host, tls=self_signed_certificate(directory, tls_off_host, expired=True))
    good = serve_site(DEMO_SITES_DIR / "bitrix", host=next_loopback_address())
    refused_host = next_loopback_address()
    sources = [
        fault_entry(faulty, "faulty"),
        {**fault_entry(allowing, "allowing"), "allow_domains": [foreign_allowed.host]},
        source_entry(good, "volgoduma", timezone="Europe/Volgograd"),
        {"id": "refused", "name": "Дума без сервера", "url": f"http://{refused_host}:{free_port(refused_host)}/",
         "timezone": "Europe/Moscow"},
        {"id": "nodns", "name": "Дума без DNS", "url": "http://duma-region.invalid/", "timezone": "Europe/Moscow"},
        fault_entry(tls, "tls-selfsigned"),
        {**fault_entry(tls_off, "tls-off"), "verify_tls": False},
    ]
    config = write_config(directory, sources, scrapy=SCRAPY)
    clock = time.monotonic()
    result = run_cli("crawl", "--config", config, timeout=120)
    took = time.monotonic() - clock
    (directory / 'crawl.stderr').write_text(result.stderr)  # for a reader of a failed run
    (directory / 'crawl.stdout').write_text(result.stdout)
    servers = {"faulty": faulty, "allowing": allowing, "foreign": foreign, "foreign_allowed": foreign_allowed,
               "tls": tls, "tls_off": tls_off}
    yield directory, result, took, servers
    for server in [*servers.values()]:
        server.stop()
    good.stop()


def rows_of(directory, name):
    return read_csv(directory / "feeds" / name)


def runs_by_source(directory):
    return {row["source_id"]: row for row in rows_of(directory, "runs.csv")}


def test_run_finishes_without_traceback(crawl):
    directory, result, took, _ = crawl
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-5000:]
    assert "Traceback" not in result.stdout
    log = (directory / "logs" / "crawl.log").read_text(encoding="utf-8")  # Scrapy's own log
    assert "Traceback" not in log, log[-5000:]
    assert took < 60, f"the crawl took {took:.0f} s: something hung"


def test_every_good_article_present_once(crawl):
    directory, *_ = crawl
    articles = rows_of(directory, "articles.csv")
    urls = Counter(row["url"] for row in articles)
    assert all(count == 1 for count in urls.values()), urls
    for sid in ("faulty", "allowing", "tls-off"):
        paths = sorted("/" + row["url"].split("/", 3)[3] for row in articles if row["source_id"] == sid)
        expected = sorted([*GOOD_ARTICLES, *FLAKY_ARTICLES] + ([FOREIGN_ARTICLE] if sid == "allowing" else []))
        assert paths == expected, sid
    titles = {row["title"] for row in articles if row["source_id"] == "faulty"}
    assert titles == {title for title, _ in [*GOOD_ARTICLES.values(), *FLAKY_ARTICLES.values()]}
    assert sum(row["source_id"] == "volgoduma" for row in articles) == 18  # the good site, complete


def test_no_fault_page_became_an_article(crawl):
    directory, *_ = crawl
    for row in rows_of(directory, "articles.csv"):
        if row["source_id"] != "volgoduma":
            assert "/news/2" not in row["url"], row["url"]
        assert "%PDF" not in row["title"] + row["text"] and "PNG" not in row["title"]
        assert "\ufffd" not in row["text"]


def test_every_fault_reported_in_runs_csv_and_summary(crawl):
    directory, result, _, _ = crawl
    runs = runs_by_source(directory)
    detail = runs["faulty"]["error_detail"]
    missing = [f"{path}: {expected}" for path, expected in FAULTS.items()
               if not any(path in part and expected in part for part in detail.split(" | "))]
    assert not missing, f"not reported: {missing}\n{detail}"
    assert runs["faulty"]["status"] == "errors"
    assert int(runs["faulty"]["errors"]) >= len(FAULTS) - 2  # the two pages without text are notes, not errors
    routine = [path for path, expected in FAULTS.items() if expected == "no article text"]
    for path in FAULTS:
        if path in routine:  # a routine drop: counted in the summary's "no text" column, not listed
            assert path not in result.stdout, f"{path} listed in the printed summary"
        else:
            assert path in result.stdout, f"{path} missing from the printed summary"
    [row] = [line.split() for line in result.stdout.splitlines() if line.startswith("faulty ")]
    assert int(row[-3]) >= len(routine), row  # the "no text" column (then "too old", "not news")
    assert runs["volgoduma"]["status"] == "ok" and runs["volgoduma"]["error_detail"] == ""


def test_retries_with_backoff_then_success_or_report(crawl):
    *_, servers = crawl
    faulty = servers["faulty"]
    for path in ("/news/201-http-500/", "/news/202-http-502/", "/news/203-http-503/", "/news/207-http-429/"):
        assert faulty.hits(path) == 2, path  # RETRY_TIMES 1: the first try and one retry
    for path in ("/news/204-http-404/", "/news/205-http-410/", "/news/206-http-403/"):
        assert faulty.hits(path) == 1, path  # client errors are not retried
    assert faulty.hits("/news/104-flaky-503/") == 2 and faulty.hits("/news/105-flaky-429/") == 2


def test_offsite_redirect_followed_only_when_allowed(crawl):
    directory, _, _, servers = crawl
    runs = runs_by_source(directory)
    assert "redirect to another domain" in runs["faulty"]["error_detail"]
    assert servers["foreign"].requests == []  # refused before anything was sent, robots.txt included
    assert "redirect to another domain" not in runs["allowing"]["error_detail"]
    assert servers["foreign_allowed"].hits(FOREIGN_ARTICLE) == 1  # followed for the source that allows it


def test_dead_sources_reported_and_isolated(crawl):
    directory, result, _, _ = crawl
    runs = runs_by_source(directory)
    assert runs["refused"]["status"] == "failed" and "connection refused" in runs["refused"]["error_detail"]
    assert runs["nodns"]["status"] == "failed" and "DNS lookup failed" in runs["nodns"]["error_detail"]
    assert "duma-region.invalid" in result.stdout


def test_tls_certificate_verified_unless_switched_off(crawl):
    directory, _, _, servers = crawl
    runs = runs_by_source(directory)
    assert runs["tls-selfsigned"]["status"] == "failed"
    assert "TLS certificate error" in runs["tls-selfsigned"]["error_detail"]
    assert servers["tls"].hits("/news/") == 0, "a page was read over a refused certificate"
    assert runs["tls-off"]["status"] == "errors" and int(runs["tls-off"]["new_articles"]) == 5
    assert "TLS" not in runs["tls-off"]["error_detail"]


def test_every_request_logged_and_bounded(crawl):
    *_, servers = crawl
    faulty = servers["faulty"]
    assert faulty.hits("/news/208-hang/") == 2 and faulty.hits("/news/209-trickle/") == 2
    assert faulty.hits("/news/210-redirect-loop/") == 1
    assert len(faulty.requests) >= len(FAULTS) + len(GOOD_ARTICLES)
