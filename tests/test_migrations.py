"""The store's schema by Alembic migrations: one head, the schema the code expects, old stores upgraded in place.

When you add a revision (see crawler/storage/migrations/__init__.py), these tests check it chains to the others and
that a migrated store holds every table, column and index of crawler/storage/store.py, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys

from sqlalchemy import create_engine, inspect

from crawler.storage import store as store_module
from crawler.storage.migrations import _alembic_config, head_revision
from crawler.storage.store import Store

from conftest import REPO, run_cli, source_entry, write_config
from pgserver import fresh_database


def _schema(url: str) -> dict[str, set[str]]:
    engine = create_engine(url)
    try:
        found = inspect(engine)
        return {table: {c["name"] for c in found.get_columns(table)} for table in found.get_table_names()}
    finally:
        engine.dispose()


def _expected() -> dict[str, set[str]]:
    return {name: {c.name for c in table.columns} for name, table in store_module.metadata.tables.items()}


def _indexes(url: str) -> dict[str, set[str]]:
    engine = create_engine(url)
    try:
        found = inspect(engine)
        return {table: {index["name"] for index in found.get_indexes(table)  # not PostgreSQL's unique keys
                        if not index.get("duplicates_constraint")} for table in _expected()}
    finally:
        engine.dispose()


def _expected_indexes() -> dict[str, set[str]]:
    return {name: {index.name for index in table.indexes} for name, table in store_module.metadata.tables.items()}


def test_the_revisions_form_one_chain_to_one_head():
    from alembic.script import ScriptDirectory

    from crawler.storage.migrations import _alembic_config

    script = ScriptDirectory.from_config(_alembic_config())
    assert len(script.get_heads()) == 1
    chain = list(script.walk_revisions())
    assert chain[-1].down_revision is None and chain[0].revision == head_revision()
    from crawler.storage.migrations import _alembic_head

    assert head_revision() == _alembic_head()  # the quick reading of the files agrees with Alembic


def test_a_migrated_store_has_every_table_and_column_of_the_code_on_sqlite_and_postgresql(tmp_path):
    with fresh_database() as postgres:
        for url in (f"sqlite:///{tmp_path / 'state.sqlite3'}", postgres):
            Store(url).close()
            schema = _schema(url)
            assert schema.pop("alembic_version") == {"version_num"}
            if url.startswith("sqlite"):  # the full-text index (FTS5, SQLite only) and its shadow tables
                fulltext = {name for name in schema if name.startswith(("articles_fts", "articles_lemmas"))}
                assert {"articles_fts", "articles_lemmas"} <= fulltext
                for name in fulltext:
                    del schema[name]
            assert schema == _expected(), url
            assert _indexes(url) == _expected_indexes(), url


def _old_release_store(path) -> None:
    """A store as the release before migrations made it: ``create_all``, no ``alembic_version``, one article."""
    engine = create_engine(f"sqlite:///{path}")
    store_module.metadata.create_all(engine)
    engine.dispose()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO articles (id, url_key, url, source_id, title, text, published_at, first_seen, "
                   "content_hash, duplicate_of, names, topics, sketch) VALUES (1, 'tverduma.ru/news/7', "
                   "'http://tverduma.ru/news/7', 'tverduma', 'Сессия думы', 'Депутаты приняли закон.', "
                   "'2026-11-02', '2026-11-02T10:00:00+00:00', 'abc', '', '', '', '11 12')")
        db.executemany("INSERT INTO shingle_anchors (hash, article_id) VALUES (?, 1)", [(11,), (12,)])
        db.executemany("INSERT INTO anchor_counts (hash, holders) VALUES (?, 1)", [(11,), (12,)])


def test_a_store_made_before_migrations_is_upgraded_in_place_and_keeps_its_articles(tmp_path):
    path = tmp_path / "state.sqlite3"
    _old_release_store(path)
    store = Store(f"sqlite:///{path}")
    assert store.article_by_url("http://tverduma.ru/news/7")["sketch"] == "11 12"
    store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [(head_revision(),)]
        assert db.execute("SELECT hash, holders FROM anchor_counts ORDER BY hash").fetchall() == [(11, 1), (12, 1)]


def test_an_older_store_gets_the_sketch_column_and_its_anchor_counts(tmp_path):
    path = tmp_path / "state.sqlite3"
    _old_release_store(path)
    with sqlite3.connect(path) as db:  # from before articles.sketch and anchor_counts
        db.execute("ALTER TABLE articles DROP COLUMN sketch")
        db.execute("DROP TABLE anchor_counts")
        db.execute("DROP INDEX ix_shingle_anchors_hash_article")
    result = run_cli("migrate", "--config", write_config(tmp_path, [], state=f"sqlite:///{path}"), check=True)
    assert f"schema at revision {head_revision()} (was unversioned)" in result.stdout
    assert _schema(f"sqlite:///{path}")["articles"] == _expected()["articles"]
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT hash, holders FROM anchor_counts ORDER BY hash").fetchall() == [(11, 1), (12, 1)]
        assert db.execute("SELECT sketch FROM articles").fetchall() == [("",)]  # unknown: checked in full
        assert "ix_shingle_anchors_hash_article" in {row[1] for row in db.execute("PRAGMA index_list(shingle_anchors)")}


def test_two_processes_migrating_one_new_sqlite_store_together_both_succeed_once(tmp_path):
    config = write_config(tmp_path, [])
    for attempt in range(3):
        (tmp_path / "data" / "state.sqlite3").unlink(missing_ok=True)
        pair = [subprocess.Popen([sys.executable, "-m", "crawler", "migrate", "--config", str(config)], cwd=REPO,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outputs = sorted(p.communicate(timeout=60)[0] for p in pair)
        assert [p.returncode for p in pair] == [0, 0], (attempt, outputs)
        assert "(already)" in outputs[0] and "(was unversioned)" in outputs[1], outputs


def test_status_leaves_an_old_store_as_it_is_and_export_upgrades_it(tmp_path):
    path = tmp_path / "data" / "state.sqlite3"
    path.parent.mkdir(parents=True)
    _old_release_store(path)
    config = write_config(tmp_path, [])
    run_cli("status", "--config", config, check=True)
    assert "alembic_version" not in _schema(f"sqlite:///{path}")
    run_cli("export", "--config", config, check=True)
    assert "alembic_version" in _schema(f"sqlite:///{path}")


def _store_at_revision(path, revision: str) -> None:
    """A store as the release of ``revision`` left it: migrated that far by Alembic, with one run of tverduma."""
    from alembic import command

    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), revision)
        connection.exec_driver_sql(
            "INSERT INTO runs (run_id, source_id, started, finished, status, pages, new_articles, new_mentions, "
            "errors, error_detail, empty_pages, duration) VALUES ('r1', 'tverduma', '2026-11-02T10:00:00+00:00', "
            "'2026-11-02T10:01:00+00:00', 'ok', 7, 3, 1, 0, '', 0, 60.0)")
    engine.dispose()


def _revision_and_run_columns(path) -> tuple[list, set[str]]:
    with sqlite3.connect(path) as db:
        return (db.execute("SELECT version_num FROM alembic_version").fetchall(),
                {row[1] for row in db.execute("PRAGMA table_info(runs)")})


def test_status_reads_an_older_schema_without_touching_it_and_crawl_upgrades_it(serve, tmp_path):
    path = tmp_path / "data" / "state.sqlite3"
    path.parent.mkdir(parents=True)
    _store_at_revision(path, "0001")  # before runs.too_old/limit_hit/not_news, the frontier, digests, the index
    before = _revision_and_run_columns(path)
    assert before[0] == [("0001",)] and "not_news" not in before[1]
    server = serve("tverduma")
    config = write_config(tmp_path, [source_entry(server, "tverduma")])

    status = run_cli("status", "--config", config)
    assert status.returncode == 0, status.stderr
    row = next(line for line in status.stdout.splitlines() if line.startswith("tverduma"))
    assert row.split()[1:7] == ["2026-11-02", "10:00:00", "ok", "7", "3", "1"], status.stdout
    assert status.stderr.count("\n") == 1 and "revision 0001" in status.stderr and "dumawatch migrate" in status.stderr
    assert "Traceback" not in status.stderr
    assert _revision_and_run_columns(path) == before  # not migrated, not altered
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # not even switched to WAL

    search = run_cli("search", "дума", "--config", config)  # read-only too: no index yet, one line, exit 2
    assert search.returncode == 2 and search.stderr.count("\n") == 1 and "dumawatch reindex" in search.stderr
    assert _revision_and_run_columns(path) == before

    run_cli("crawl", "--config", config, check=True)
    revision, columns = _revision_and_run_columns(path)
    assert revision == [(head_revision(),)] and columns == _expected()["runs"]
    status = run_cli("status", "--config", config, check=True)
    assert status.stderr == ""


def test_status_on_a_store_it_cannot_read_says_so_in_one_line(tmp_path):
    path = tmp_path / "data" / "state.sqlite3"
    path.parent.mkdir(parents=True)
    _store_at_revision(path, "0001")
    with sqlite3.connect(path) as db:  # a store broken by hand: its runs lost a column every revision has
        db.execute("ALTER TABLE runs DROP COLUMN new_articles")
    source = {"id": "tverduma", "name": "Тверская дума", "region": "Тверская область", "url": "http://127.0.0.1:9/",
              "timezone": "Europe/Moscow"}
    status = run_cli("status", "--config", write_config(tmp_path, [source]))
    assert status.returncode == 2 and "dumawatch migrate" in status.stderr.splitlines()[-1]
    assert "Traceback" not in status.stderr
    assert _revision_and_run_columns(path)[0] == [("0001",)]


def test_status_on_a_store_not_made_yet_creates_nothing(tmp_path):
    config = write_config(tmp_path, [])
    status = run_cli("status", "--config", config, check=True)
    assert status.stderr == ""
    assert not (tmp_path / "data").exists()
