"""Finding the news on sites never seen (issue #15): real crawls of loopback sites whose article URLs have no
«news» shape, beside laws, stenograms, deputies, galleries, forms and rubric listings of the same shapes.

- ``discover_portal``: Drupal-style ``/folder/NNN`` and ``/node/N``, a slug under ``/politics/region/``, a
  ``/slug.html``; a mega-menu; the listing at ``/informacziya-press-sluzhby/news.html`` (no «Новости» in the
  menu), paginated Bitrix-style; dated blocks of laws and stenograms beside the news; an ``<h1>`` that is the
  section's name on every page, the headline in ``<title>``; «Дата последнего изменения» under each article.
- ``discover_aspx``: a home-grown windows-1251 ASP.NET site: news at ``Info.aspx?id=N&page=1&type=news`` and
  laws at ``Info.aspx?id=N&type=law`` in one table-layout «Пресс-релизы» listing; a title whose «—» stands
  inside quotes; «Обновлено» under each article. ``discover_aspx_later`` is the same site a week later.
- ``tests/mixedsite.py``: 250 rows over 25 listing pages (windows-1251), news and laws at one ``/folder/N`` shape.
"""

from __future__ import annotations

import sqlite3

import pytest
from mixedsite import build_site

from crawler.commands.demo_server import serve_site

from conftest import read_csv, run_cli, source_entry, write_config

PORTAL_NEWS = {  # path → (local day, headline)
    "/folder/2917316": ("2026-11-24", "Депутаты обсудили ремонт региональных дорог в 2027 году"),
    "/folder/2917320": ("2026-11-23", "Молодёжный парламент подвёл итоги года"),
    "/node/512": ("2026-11-22", "В Думе обсудили поддержку сельских фельдшеров"),
    "/node/518": ("2026-11-21", "Принят закон о поддержке многодетных семей"),
    "/politics/region/deputaty-proverili-stroitelstvo-shkoly-v-zarechnom": (
        "2026-11-20", "Депутаты проверили строительство школы в Заречном"),
    "/sobytiya/vstrecha-s-veteranami-truda.html": ("2026-11-19", "Председатель Думы встретился с ветеранами труда"),
}
PORTAL_NOT_NEWS_FETCHED = {"/folder/2950001", "/folder/2950002", "/folder/2950003", "/node/700", "/node/702",
                           "/node/703"}  # laws and stenograms in dated blocks: fetched, judged, not stored
PORTAL_NEVER_FETCHED = {"/folder/2101", "/folder/2102", "/folder/2103", "/node/699", "/node/701", "/webform/12",
                        "/news/rubric/986/", "/news/rubric/987/", "/o-dume.html", "/kontakty.html"}
ASPX_NEWS = {
    "/Info.aspx?id=1091416&page=1&type=news": ("2026-11-27",
                                               "Парламентарии рассмотрели проект бюджета на 2027 год в первом чтении"),
    "/Info.aspx?id=1091420&page=1&type=news": ("2026-11-26", "Комитет по аграрной политике поддержал субсидии фермерам"),
    "/Info.aspx?id=1091431&page=1&type=news": ("2026-11-25", "Депутаты встретились со студентами аграрного университета"),
    "/Info.aspx?id=1091440&page=1&type=news": ("2026-11-24",
                                               "Объявлен конкурс детского рисунка «Мой край — моя гордость»"),
}
ASPX_LAWS = {"/Info.aspx?id=2001&type=law", "/Info.aspx?id=2002&type=law", "/Info.aspx?id=2003&type=law"}
ASPX_LATER_NEWS = "/Info.aspx?id=1091452&page=1&type=news"
ASPX_LATER_LAWS = {"/Info.aspx?id=2004&type=law", "/Info.aspx?id=2005&type=law", "/Info.aspx?id=2006&type=law"}


def crawl(config) -> tuple[dict[str, dict], dict]:
    result = run_cli("crawl", "--config", config, check=True)
    feeds = config.parent / "feeds"
    rows = {row["url"]: row for row in read_csv(feeds / "articles.csv")}
    runs = read_csv(feeds / "runs.csv")
    return rows, {"stdout": result.stdout, "run": runs[0]}


@pytest.mark.parametrize("workers", [0, 1])  # judged in the crawl process, or in a worker process
def test_portal_news_found_by_structure_and_nothing_else_stored(serve, tmp_path, workers):
    site = serve("discover_portal")
    config = write_config(tmp_path, [source_entry(site, "portal")], workers=workers)
    rows, outcome = crawl(config)
    stored = {url.removeprefix(site.base_url): row for url, row in rows.items()}
    assert set(stored) == set(PORTAL_NEWS)                       # every article, and no law, stenogram, list
    for path, (day, headline) in PORTAL_NEWS.items():
        assert stored[path]["title"] == headline, path            # not the section's <h1> «Новости»
        assert stored[path]["published_at"] == day, path          # not «Дата последнего изменения: 01.12.2026»
        assert "Поделиться" not in stored[path]["text"] and "Другие новости" not in stored[path]["text"]
    requested = set(site.paths_requested())
    assert PORTAL_NOT_NEWS_FETCHED <= requested
    assert not requested & PORTAL_NEVER_FETCHED, requested & PORTAL_NEVER_FETCHED  # menu links are not guessed at
    run = outcome["run"]
    assert run["not_news"] == "6" and run["errors"] == "0" and run["status"] == "ok"
    assert "not news: " in run["error_detail"] and "Стенограмма пленарного заседания" in run["error_detail"]
    header = outcome["stdout"].splitlines()[0].split()
    assert header[-2:] == ["not", "news"]
    portal_line = next(line for line in outcome["stdout"].splitlines() if line.startswith("portal"))
    assert portal_line.split()[-1] == "6"

    # the next run: the laws and stenograms are remembered, so nothing is fetched again and the listing's
    # first page, bringing nothing new, ends the pagination
    before = len(site.requests)
    rows, outcome = crawl(config)
    again = set(site.paths_requested()[before:])
    assert not again & (set(PORTAL_NEWS) | PORTAL_NOT_NEWS_FETCHED)
    assert "/informacziya-press-sluzhby/news.html?PAGEN_1=2" not in again
    assert outcome["run"]["not_news"] == "0" and outcome["run"]["new_articles"] == "0" and len(rows) == 6


def test_aspx_site_learns_its_template_and_skips_laws_later(serve, tmp_path):
    site = serve("discover_aspx")
    config = write_config(tmp_path, [source_entry(site, "aspx")])
    rows, outcome = crawl(config)
    stored = {url.removeprefix(site.base_url): row for url, row in rows.items()}
    assert set(stored) == set(ASPX_NEWS)
    for path, (day, headline) in ASPX_NEWS.items():
        assert stored[path]["title"] == headline, path            # «…«Мой край — моя гордость»», not cut at «—»
        assert stored[path]["published_at"] == day, path          # not «Обновлено: 01.12.2026»
    assert ASPX_LAWS <= set(site.paths_requested())
    assert outcome["run"]["not_news"] == "3"
    with sqlite3.connect(tmp_path / "data" / "state.sqlite3") as conn:
        votes = dict(((t, (n, o)) for t, n, o in conn.execute(
            "SELECT template, news, not_news FROM url_templates WHERE source_id = 'aspx'")))
    assert votes == {r"/Info\.aspx\?id=\d+&page=\d+&type=news": (4, 0), r"/Info\.aspx\?id=\d+&type=law": (0, 3)}

    # sources check prints the learned template as the entry's suggested article_pattern (reading the store only)
    check = run_cli("sources", "check", "--config", config, "--write-report", tmp_path / "check.csv", check=True)
    pattern = r"^https?://[^/]+/Info\.aspx\?id=\d+&page=\d+&type=news"
    assert f"suggested  article_pattern: '{pattern}' (learned from 4 stored articles)" in check.stdout
    assert read_csv(tmp_path / "check.csv")[0]["suggested_article_pattern"] == pattern

    # a week later, on the same address: one more news item, three more laws; the laws are not requested again
    host, port = site.host, site.port
    site.stop()
    later = serve_site(site.root.parent / "discover_aspx_later", host=host, port=port)
    try:
        rows, outcome = crawl(config)
        requested = set(later.paths_requested())
    finally:
        later.stop()
    assert ASPX_LATER_NEWS in requested and not requested & (ASPX_LATER_LAWS | ASPX_LAWS | set(ASPX_NEWS))
    new = [row for url, row in rows.items() if url.endswith(ASPX_LATER_NEWS)]
    assert len(new) == 1 and new[0]["published_at"] == "2026-11-30" and len(rows) == 5
    assert outcome["run"]["new_articles"] == "1" and outcome["run"]["not_news"] == "0"


def test_rules_on_the_issue_urls():
    """The URL shapes the issue lists, as the fallback rule (outside listing blocks) now judges them."""
    from crawler.spiders.discovery import is_news_listing_link, looks_like_article

    for url in ["https://x.ru/taxonomy/term/30", "https://x.ru/webform/5970", "https://x.ru/banner/click/11735",
                "https://x.ru/ndoc/doc/0/777307431", "https://x.ru/activity/stenogram/210213",
                "https://x.ru/reports/show/20", "https://x.ru/news/rubric/986/",
                "https://x.ru/docs/zakony-i-postanovleniya-2016.html", "https://x.ru/novosti/date-2017-02-20.html"]:
        assert not looks_like_article(url), url
    for url in ["https://x.ru/Info.aspx?id=1091416&page=429&type=news",
                "https://zaxid.net/news/showNews.do?slug&objectId=1503302"]:
        assert looks_like_article(url), url
    for url in ["https://x.ru/informacziya-press-sluzhby/news.html", "https://x.ru/press-sluzhba/arkhiv-novostey/",
                "https://x.ru/novosti.html", "https://x.ru/PressRelease.aspx"]:
        assert is_news_listing_link("", url), url


def test_at_scale_news_and_laws_at_one_url_shape(serve, tmp_path):
    """25 listing pages, 250 rows: 200 news and 50 laws, all at /folder/N; windows-1251; then an unchanged rerun."""
    news, laws = build_site(tmp_path / "site", pages=25)
    site = serve(tmp_path / "site")
    config = write_config(tmp_path / "cfg", [source_entry(site, "big")])
    rows, outcome = crawl(config)
    assert {url.removeprefix(site.base_url) for url in rows} == set(news)
    assert outcome["run"]["not_news"] == str(len(laws)) and outcome["run"]["status"] == "ok"
    assert set(laws) <= set(site.paths_requested())
    assert not {"/folder/100", "/folder/101", "/folder/102", "/folder/103"} & set(site.paths_requested())
    before = len(site.requests)
    rows, outcome = crawl(config)
    again = site.paths_requested()[before:]
    assert not [path for path in again if path.startswith("/folder/")], again
    assert outcome["run"]["new_articles"] == "0" and len(rows) == len(news)


def test_an_old_store_gets_the_not_news_column_and_the_templates_table(tmp_path):
    """A store from before issue #15: its runs get not_news = 0, url_templates is created, runs.csv reads it."""
    from crawler.storage.store import Store

    path = tmp_path / "state.sqlite3"
    Store(f"sqlite:///{path}").close()
    db = sqlite3.connect(path)  # as written before the column and the table existed
    for column in ("not_news", "too_old", "limit_hit"):  # the run columns of this release
        db.execute(f"ALTER TABLE runs DROP COLUMN {column}")
    for table in ("url_templates", "walks", "store_state"):
        db.execute(f"DROP TABLE {table}")
    db.execute("UPDATE alembic_version SET version_num = '0001'")  # the release's schema revision
    db.execute("INSERT INTO runs (run_id, source_id, started, finished, status, pages, new_articles, new_mentions, "
               "errors, error_detail, empty_pages, duration) VALUES ('old', 'x', '2026-11-01T00:00:00+00:00', "
               "'2026-11-01T00:01:00+00:00', 'ok', 3, 1, 0, 0, '', 0, 60.0)")
    db.commit()
    db.close()
    store = Store(f"sqlite:///{path}")
    try:
        assert [row["not_news"] for row in store.iter_runs()] == [0]
        store.add_url_template_votes("x", {r"/node/\d+": (2, 0)})
        store.add_url_template_votes("x", {r"/node/\d+": (1, 1)})
        assert store.url_template_votes(["x", "y"]) == {"x": [(r"/node/\d+", 3, 1)], "y": []}
    finally:
        store.close()
