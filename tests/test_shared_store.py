"""Many crawl hosts, one PostgreSQL store: schema created once, no deadlock, no lost or doubled article.

Every test runs real ``dumawatch`` processes started together (as two machines sharing one database would)
against real loopback sites and a fresh database on the PostgreSQL server (tests/pgserver.py). The sites
are Bitrix-style (``/news/10012/``, ``?PAGEN_1=N``) and publish the same press releases, so the crawls
update the same ``anchor_counts`` rows at once: the deadlock-prone case.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter

import pytest

from crawler.storage.migrations import head_revision

from bigsite import build_site
from conftest import REPO, read_csv, run_cli, source_entry, write_config
from pgserver import deadlocks, fresh_database, query

pytestmark = pytest.mark.e2e

ARTICLES = 60  # per site: 6 listing pages of 10


@pytest.fixture
def database():
    with fresh_database() as url:
        yield url


@pytest.fixture
def sites(serve, tmp_path):
    servers = {}
    for n, sid in enumerate(["kurskduma", "orelduma", "tambovduma", "lipetskduma"]):
        build_site(tmp_path / "sites" / sid, ARTICLES, name=f"Областная дума № {n + 1} (тест)")
        servers[sid] = serve(tmp_path / "sites" / sid)
    return servers


def start(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "crawler", *map(str, args)], cwd=REPO, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=300)
    return process.returncode, out, err


def article_requests(servers) -> Counter:
    return Counter((sid, path) for sid, server in servers.items() for path in server.paths_requested()
                   if path.startswith("/news/1"))


def test_two_processes_on_a_fresh_database_both_start_and_the_schema_is_created_once(tmp_path, database):
    config = write_config(tmp_path / "cfg", [], state=database)
    for _ in range(3):  # three fresh databases, two processes each, started together
        query(database, "DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        pair = [start("migrate", "--config", config) for _ in range(2)]
        results = [finish(p) for p in pair]
        assert [code for code, _, _ in results] == [0, 0], results
        outputs = sorted(out for _, out, _ in results)
        # one created the schema, the other waited for it and found it done
        assert "(already)" in outputs[0] and "(was unversioned)" in outputs[1], outputs
        assert query(database, "SELECT version_num FROM alembic_version") == [(head_revision(),)]


def test_two_crawls_of_disjoint_sources_store_every_article_once_without_deadlock(tmp_path, database, sites):
    entries = {sid: source_entry(server, sid) for sid, server in sites.items()}
    first = write_config(tmp_path / "host1", [entries["kurskduma"], entries["orelduma"]], state=database)
    second = write_config(tmp_path / "host2", [entries["tambovduma"], entries["lipetskduma"]], state=database)
    pair = [start("crawl", "--config", first), start("crawl", "--config", second)]
    results = [finish(p) for p in pair]
    assert [code for code, _, _ in results] == [0, 0], results
    assert not any("deadlock" in out + err.lower() for _, out, err in results)
    assert deadlocks(database) == 0
    stored = query(database, "SELECT source_id, count(*), count(DISTINCT url_key) FROM articles GROUP BY source_id")
    assert sorted(stored) == sorted((sid, ARTICLES, ARTICLES) for sid in sites)
    requests = article_requests(sites)
    assert len(requests) == 4 * ARTICLES and set(requests.values()) == {1}  # each page fetched once
    runs = query(database, "SELECT source_id, status, new_articles, errors FROM runs")
    assert sorted(runs) == sorted((sid, "ok", ARTICLES, 0) for sid in sites)
    for host, own in (("host1", ["kurskduma", "orelduma"]), ("host2", ["tambovduma", "lipetskduma"])):
        feed = read_csv(tmp_path / host / "feeds" / "runs.csv")  # each host's feeds hold at least its own runs
        assert {r["source_id"] for r in feed if r["status"] == "ok"} >= set(own)
    # the press releases repeat across the sites: their sketch counters were shared and are exact
    assert query(database, "SELECT count(*) FROM anchor_counts a WHERE holders != "
                           "(SELECT count(*) FROM shingle_anchors s WHERE s.hash = a.hash)") == [(0,)]


def test_two_crawls_of_the_same_sources_one_crawls_each_source_the_other_skips_it(tmp_path, database, sites):
    chosen = {sid: sites[sid] for sid in ("kurskduma", "orelduma")}
    entries = [source_entry(server, sid) for sid, server in chosen.items()]
    configs = [write_config(tmp_path / f"host{n}", entries, state=database) for n in (1, 2)]
    pair = [start("crawl", "--config", config) for config in configs]
    results = [finish(p) for p in pair]
    assert [code for code, _, _ in results] == [0, 0], results
    rows = query(database, "SELECT source_id, status, new_articles FROM runs ORDER BY source_id, status")
    assert rows == [(sid, status, n) for sid in sorted(chosen)
                    for status, n in (("ok", ARTICLES), ("skipped (busy)", 0))]
    skipped = [line for _, _, err in results for line in err.splitlines() if "skipped" in line]
    assert len(skipped) == 2 and all("is crawling it" in line and "dumawatch" in line for line in skipped), skipped
    requests = article_requests(chosen)
    assert len(requests) == 2 * ARTICLES and set(requests.values()) == {1}  # nothing fetched twice
    assert query(database, "SELECT count(*), count(DISTINCT url_key) FROM articles") == [(2 * ARTICLES,) * 2]
    assert deadlocks(database) == 0


def test_status_never_touches_the_schema_and_a_write_command_creates_it(tmp_path, database):
    config = write_config(tmp_path / "cfg", [], state=database)
    status = run_cli("status", "--config", config, check=True)
    assert status.returncode == 0
    assert query(database, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]
    run_cli("export", "--config", config, check=True)
    assert query(database, "SELECT version_num FROM alembic_version") == [(head_revision(),)]


def _item(url: str, source: str, text: str) -> dict:
    return {"url_key": url.removeprefix("http://"), "url": url, "source_id": source, "title": "Заседание комитета",
            "text": text, "published_at": "2026-11-20", "content_hash": f"h-{url}", "sketch": []}


def test_a_write_that_loses_a_deadlock_is_retried_and_the_article_is_stored(database):
    """A real deadlock: another session holds the row this article re-roots and waits for a URL key of the
    crawl's open group. PostgreSQL aborts the crawl's statement; the store commits its group (the other
    session goes on) and writes the article again."""
    import threading

    import psycopg

    from crawler.storage.store import Store

    store = Store(database)
    store.add_article(_item("http://orel.example/news/5", "orel", "Первая публикация пресс-релиза."), [])
    store.flush()
    other = psycopg.connect(database.replace("postgresql+psycopg://", "postgresql://"))
    other.execute("UPDATE articles SET title = title WHERE url = 'http://orel.example/news/5'")  # holds the row
    store.mark_seen(["kursk.example/news/list?PAGEN_1=2"], "kursk")  # the crawl's open group holds this key

    def other_session() -> None:
        time.sleep(0.3)  # after the crawl has started waiting for the row, so the crawl's session is the victim
        other.execute("INSERT INTO seen_urls (url_key, source_id, seen_at) VALUES "
                      "('kursk.example/news/list?PAGEN_1=2', 'x', 'now') ON CONFLICT DO NOTHING")
        other.commit()

    thread = threading.Thread(target=other_session)
    thread.start()
    older = _item("http://kursk.example/news/4", "kursk", "Первая публикация пресс-релиза.")
    older["supersedes"] = "http://orel.example/news/5"  # older than the stored copy: it becomes the story's root
    store.add_article(older, [])
    thread.join(10)
    store.flush()
    other.close()
    assert store.hot.retried == 1
    assert deadlocks(database) == 1
    assert query(database, "SELECT url, duplicate_of FROM articles ORDER BY url") == [
        ("http://kursk.example/news/4", ""), ("http://orel.example/news/5", "http://kursk.example/news/4")]
    assert query(database, "SELECT count(*) FROM seen_urls") == [(3,)]
    store.close()


def test_an_article_the_database_refuses_is_an_error_its_feed_validators_wait_and_the_next_run_stores_it(
        serve, tmp_path, database):
    site = serve("wordpress")  # RSS and sitemap with ETag / Last-Modified
    config = write_config(tmp_path / "cfg", [source_entry(site, "zskuzbass", "Asia/Novokuznetsk")], state=database)
    run_cli("migrate", "--config", config, check=True)
    query(database, "ALTER TABLE articles ADD CONSTRAINT refuse_one "
                    "CHECK (url NOT LIKE '%itogi-uborochnoj-kampanii%')")  # the database refuses this article
    first = run_cli("crawl", "--config", config, check=True)
    [(status, errors, detail, stored)] = query(database, "SELECT status, errors, error_detail, new_articles FROM runs")
    assert (status, errors) == ("errors", 1), first.stdout
    assert "itogi-uborochnoj-kampanii/ was not stored" in detail and "itogi-uborochnoj-kampanii" in first.stdout
    assert query(database, "SELECT count(*) FROM http_validators") == [(0,)]  # no 304 may hide the lost entry
    assert query(database, "SELECT count(*) FROM articles") == [(stored,)]
    query(database, "ALTER TABLE articles DROP CONSTRAINT refuse_one")
    site.requests.clear()
    run_cli("crawl", "--config", config, check=True)
    assert [p for p in site.paths_requested() if "itogi-uborochnoj-kampanii" in p]
    assert query(database, "SELECT count(*) FROM articles WHERE url LIKE '%itogi-uborochnoj-kampanii%'") == [(1,)]
    assert query(database, "SELECT count(*) FROM articles") == [(stored + 1,)]
    assert query(database, "SELECT count(*) FROM http_validators")[0][0] > 0


def test_a_group_whose_commit_fails_is_counted_as_errors_and_stored_by_the_next_run(serve, tmp_path, database):
    """The database refuses the commit itself (a deferred constraint trigger, checked at COMMIT): the whole
    open group is rolled back, its articles are errors instead of new articles, and nothing of them stays."""
    site = serve("wordpress")
    config = write_config(tmp_path / "cfg", [source_entry(site, "zskuzbass", "Asia/Novokuznetsk")], state=database)
    run_cli("migrate", "--config", config, check=True)
    query(database, """
        CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.url LIKE '%itogi-uborochnoj-kampanii%' THEN RAISE EXCEPTION 'refused at commit'; END IF;
            RETURN NULL;
        END $$;
        CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON articles
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_at_commit();""")
    first = run_cli("crawl", "--config", config, check=True)
    [(status, new, errors, detail)] = query(database, "SELECT status, new_articles, errors, error_detail FROM runs")
    committed = query(database, "SELECT count(*) FROM articles")[0][0]
    assert status == "errors" and errors >= 1 and new == committed, first.stdout
    assert "refused at commit" in detail and "itogi-uborochnoj-kampanii/ was not stored" in detail
    assert query(database, "SELECT count(*) FROM seen_urls s LEFT JOIN articles a ON a.id = s.article_id "
                           "WHERE s.article_id IS NOT NULL AND a.id IS NULL") == [(0,)]
    assert query(database, "SELECT count(*) FROM http_validators") == [(0,)]
    query(database, "DROP TRIGGER refuse_at_commit ON articles")
    run_cli("crawl", "--config", config, check=True)
    total = query(database, "SELECT count(*), count(DISTINCT url_key) FROM articles")[0]
    assert total[0] == total[1] == committed + errors
    assert query(database, "SELECT count(*) FROM articles WHERE url LIKE '%itogi-uborochnoj-kampanii%'") == [(1,)]
