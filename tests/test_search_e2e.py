"""Search in normal form through the real crawl and the real ``dumawatch search`` / ``reindex`` commands.

Two loopback sites (tests/search_sites.py): a windows-1251 home-grown site (``Info.aspx?id=N&type=news``)
whose articles each hold «Блошкин» in one case (with initials in two of them), the rare surname «Тхагалегов»
(not in pymorphy3's dictionary) in two forms, «газификация» in the singular and plural, «ёлка»; and a WordPress
site (slug URLs) with the same words in other forms. Menus and «Другие новости» sidebars name them on every
page: they are no article's text.
"""

from __future__ import annotations

import json
import re
import sqlite3
from urllib.parse import quote
from urllib.request import urlopen

import pytest
from search_sites import WORDPRESS, browse_server, crawl_sites, write_wordpress  # noqa: F401 (a fixture)
from test_postgres_store import postgres  # noqa: F401  (the fixture: a throw-away PostgreSQL cluster)

from conftest import run_cli, write_config

pytestmark = pytest.mark.e2e

BLOSHKIN_IDS = {"id=11", "id=12", "id=13", "id=14", "id=15", "id=16", "vstrecha-s-blochkinym"}


def found(config, *args: str) -> list[str]:
    """The URLs ``dumawatch search ARGS`` prints, each shortened to its id or slug."""
    result = run_cli("search", *args, "--config", config, "--limit", "50", check=True)
    urls = re.findall(r"^  (http://\S+)$", result.stdout, flags=re.M)
    assert re.search(rf"^{len(urls)} articles?\b", result.stdout, flags=re.M), result.stdout
    return [re.search(r"id=\d+|[a-z-]+(?=/$)", url).group() for url in urls]


@pytest.mark.parametrize("workers", [1, 0])
def test_every_form_of_a_word_is_found(serve, tmp_path, workers):
    """With workers the normal forms are computed in the worker processes, without them by the store."""
    config = crawl_sites(serve, tmp_path, workers)
    # a surname in all six cases, with initials before and after, on two sites
    assert set(found(config, "Блошкин")) == BLOSHKIN_IDS
    assert set(found(config, "Блошкиным")) == BLOSHKIN_IDS  # any form of the query works the same
    # a rare surname the dictionary lacks: the matcher's surname rules lead «Тхагалеговым» back to it;
    # the sidebar's «Тхагалегов принял участие…» on every page is not found
    assert set(found(config, "Тхагалегов")) == {"id=17", "id=18"}
    # a topic word in the singular and the plural
    assert set(found(config, "газификация")) == {"id=19", "id=20", "gazifikaciya-poselka"}
    assert set(found(config, "газификаций")) == {"id=19", "id=20", "gazifikaciya-poselka"}
    # ё and е are one letter in normal form
    assert set(found(config, "ёлка")) == {"id=21", "elka-na-ploschadi"}
    assert set(found(config, "елки")) == {"id=21", "elka-na-ploschadi"}
    assert set(found(config, "прием")) == {"id=11"}
    # every word must be there
    assert set(found(config, "Блошкин бюджет")) == {"id=14"}
    assert found(config, "Блошкин газификация") == []


def test_exact_form_filters_and_snippets(serve, tmp_path):
    config = crawl_sites(serve, tmp_path)
    # the exact form finds only that form (case folded): «Блошкину» stands in id=12 and (with initials) id=13
    assert set(found(config, "--exact", "Блошкину")) == {"id=12", "id=13"}
    assert set(found(config, "--exact", "газификаций")) == {"id=20"}
    assert found(config, "--exact", "елку") == ["elka-na-ploschadi"]  # «ёлку» is another form when exact
    assert set(found(config, "Блошкин", "--source", "zswp")) == {"vstrecha-s-blochkinym"}
    assert set(found(config, "Блошкин", "--since", "2026-11-09")) == {"id=15", "id=16", "vstrecha-s-blochkinym"}

    out = run_cli("search", "газификация", "--config", config, check=True).stdout
    assert "2026-11-17  gossovet  Итоги программ газификаций прошлых лет" in out
    assert "итоги программ [газификаций] прошлых лет" in out  # the snippet marks the form that stands there
    assert "3 articles" in out

    # ranked: «Совещание по бюджету» (title and text) before the article naming the budget in its text only
    assert found(config, "бюджет") == ["id=14", "id=22"]
    assert found(config, "поликлиника") == ["id=22"]

    bad = run_cli("search", "Блошкин", "--since", "вчера", "--config", config)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "--since" in bad.stderr
    bad = run_cli("search", "Блошкин", "--source", "nosuch", "--config", config)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "nosuch" in bad.stderr


def test_reindex_builds_the_index_of_an_older_store(serve, tmp_path):
    config = crawl_sites(serve, tmp_path)
    store = tmp_path / "cfg" / "data" / "state.sqlite3"
    with sqlite3.connect(store) as db:  # the store as it was before the index existed
        for trigger in ("articles_fts_insert", "articles_fts_delete", "articles_fts_update"):
            db.execute(f"DROP TRIGGER {trigger}")
        db.execute("DROP TABLE articles_fts")
        db.execute("DROP TABLE articles_lemmas")
        db.execute("UPDATE alembic_version SET version_num = '0003'")  # the revision before the index
        articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert articles == 15

    refused = run_cli("search", "Блошкин", "--config", config)  # read-only: it does not upgrade the store
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1 and "dumawatch reindex" in refused.stderr
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [("0003",)]
    run_cli("migrate", "--config", config, check=True)  # migration 0004: the index, exact words filled in
    before = run_cli("search", "Блошкин", "--config", config, check=True)
    assert f"{articles} stored articles are not in the normal-form index yet: run 'dumawatch reindex'" in before.stderr
    assert "0 articles" in before.stdout
    exact = found(config, "--exact", "Блошкину")  # the exact index is filled by the migration
    assert set(exact) == {"id=12", "id=13"}

    result = run_cli("reindex", "--config", config, check=True)
    assert f"indexed {articles} of {articles} articles" in result.stdout
    assert f"full-text index built for {articles} articles" in result.stdout
    after = run_cli("search", "Блошкин", "--config", config, check=True)
    assert after.stderr == ""
    assert set(found(config, "Блошкин")) == BLOSHKIN_IDS

    # reindex again (a rebuild) changes nothing; a new crawl's articles are indexed as they are stored
    run_cli("reindex", "--config", config, check=True)
    assert set(found(config, "Тхагалегов")) == {"id=17", "id=18"}
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT count(*) FROM articles_lemmas_docsize").fetchone()[0] == articles


def test_postgres_store_is_searched_through_its_snapshot(serve, tmp_path, postgres, browse_server):  # noqa: F811
    """On PostgreSQL, search (and browse) read a SQLite snapshot, refreshed with the rows added since."""
    config = crawl_sites(serve, tmp_path, state=postgres)
    first = run_cli("search", "Блошкин", "--config", config, check=True)
    assert "the store is on postgresql: search reads its read-only SQLite snapshot" in first.stderr
    assert "snapshot refreshed: 15 new articles" in first.stderr
    assert set(found(config, "Блошкин")) == BLOSHKIN_IDS
    assert set(found(config, "Тхагалегов")) == {"id=17", "id=18"}
    again = run_cli("search", "газификация", "--config", config, check=True)
    assert "snapshot refreshed: 0 new articles" in again.stderr  # only what the store added since

    write_wordpress(tmp_path / "wordpress", [*WORDPRESS, (
        "gazoprovod-dostroili", "2026-11-25", "Газопровод к посёлку Ясный достроили",
        "Строители достроили газопровод к посёлку Ясный, о чём доложил Александру Блошкину глава района.")])
    run_cli("crawl", "--config", config, check=True)
    assert set(found(config, "Блошкин")) == BLOSHKIN_IDS | {"gazoprovod-dostroili"}
    base = browse_server(config)  # browse serves the snapshot, refreshed as it starts
    with urlopen(base + "/store/search.json?_shape=array&q=" + quote("газопроводы")) as response:
        rows = json.load(response)
    assert [row["title"] for row in rows][0] == "Газопровод к посёлку Ясный достроили"
    rebuilt = run_cli("reindex", "--config", config, check=True)
    assert "snapshot refreshed: 16 new articles" in rebuilt.stdout
    assert set(found(config, "--exact", "Блошкину")) == {"id=12", "id=13", "gazoprovod-dostroili"}


def test_unreachable_postgres_store_is_one_line(tmp_path):
    config = write_config(tmp_path, [{"id": "x", "name": "X", "region": "Y", "url": "http://127.0.0.9/",
                                      "timezone": "Europe/Moscow"}],
                          state="postgresql+psycopg://postgres@127.0.0.1:1/dumawatch")
    for command in (("browse", "--port", "0"), ("search", "Блошкин"), ("reindex",)):
        result = run_cli(*command, "--config", config)
        assert result.returncode == 2, result.stderr
        assert result.stderr.splitlines()[-1].startswith("dumawatch: error: ")
        assert "cannot read the store to snapshot it (" in result.stderr.splitlines()[-1]
