"""``dumawatch sources check`` against loopback sites of each engine style, through the real CLI.

One check run covers: a WordPress site found by its RSS feed, a Joomla site found only by its sitemap
index, a Bitrix-style site found by its news listing (``tverduma``), a port where nothing listens, a
server that answers 404, a home-grown site whose news comes in by JavaScript, and a Bitrix site with a
non-standard news section, checked with and without the profile that finds it (and with a wrong one).
"""

from __future__ import annotations

import re
import socket

import pytest

from crawler.commands.demo_server import serve_site

from conftest import TEST_SITES, next_loopback_address, read_csv, run_cli, source_entry, write_config

pytestmark = pytest.mark.e2e

SITES = ["check_wordpress_feed", "check_joomla_sitemap", "tverduma", "check_homegrown_nonews",
         "check_bitrix_profile", "check_bitrix_profile", "check_gone", "tverduma"]
CHECK_SCRAPY = {"DOWNLOAD_TIMEOUT": 5, "RETRY_TIMES": 1}
EXPECTED = {  # id: (verdict, reachable, discovery, article URLs found)
    "wp_feed": ("ok", "yes", "feed", 3),
    "joomla_sitemap": ("ok", "yes", "sitemap", 3),
    "tver_listing": ("ok", "yes", "listing", 5),
    "nothing_listens": ("down", "no (connection refused)", "none", 0),
    "site_gone": ("down", "no (HTTP 404)", "none", 0),
    "js_news": ("needs a profile", "yes", "none", 0),
    "bitrix_with_profile": ("ok", "yes", "listing", 3),
    # no listing, no pattern, a menu without the word «Новости»: its home page's «Хроника работы» block (dated
    # headline items) is a listing by its structure, whatever the URLs look like (issue #15)
    "bitrix_without_profile": ("ok", "yes", "listing", 3),
    "tver_wrong_profile": ("needs a profile", "yes", "listing", 1),
}


def closed_port_url() -> str:
    """A URL on a loopback address and port where nothing listens (connection refused)."""
    host = next_loopback_address()
    with socket.socket() as probe:
        probe.bind((host, 0))
        port = probe.getsockname()[1]
    return f"http://{host}:{port}/"


@pytest.fixture(scope="module")
def servers():
    running = [serve_site(TEST_SITES / name, host=next_loopback_address()) for name in SITES]
    yield running
    for server in running:
        server.stop()


@pytest.fixture(scope="module")
def checked(servers, tmp_path_factory):
    """One ``sources check`` run over every fixture site, with a CSV report."""
    wordpress, joomla, tver, homegrown, bitrix, bitrix_bare, gone, tver_again = servers
    sources = [
        source_entry(wordpress, "wp_feed", region="Республика Ингушетия"),
        source_entry(joomla, "joomla_sitemap", timezone="Europe/Ulyanovsk", region="Ульяновская область"),
        source_entry(tver, "tver_listing", region="Тверская область"),
        {"id": "nothing_listens", "name": "Сайт без ответа", "url": closed_port_url(), "timezone": "Europe/Moscow"},
        source_entry(gone, "site_gone"),
        source_entry(homegrown, "js_news", timezone="Asia/Krasnoyarsk", region="Республика Тыва"),
        source_entry(bitrix, "bitrix_with_profile", region="Белгородская область",
                     listing=[bitrix.base_url + "/chronicle/"], article_pattern=r"/chronicle/detail\.php\?doc=\d+"),
        source_entry(bitrix_bare, "bitrix_without_profile", region="Белгородская область"),
        source_entry(tver_again, "tver_wrong_profile", article_pattern=r"/deputies/\w+/$"),
    ]
    directory = tmp_path_factory.mktemp("check")
    config = write_config(directory, sources, scrapy=CHECK_SCRAPY)
    (directory / "feeds").mkdir()
    (directory / "feeds" / "articles.csv").write_text("earlier feed\n", encoding="utf-8")
    report = directory / "reports" / "check.csv"
    result = run_cli("sources", "check", "--config", config, "--write-report", report, timeout=120)
    return {"result": result, "dir": directory, "report": report, "config": config}


def table(stdout: str) -> dict[str, list[str]]:
    """The verdicts table at the top of the output: {source id: [verdict, reachable, discovery, articles]}."""
    lines = stdout.split("\n\n", 1)[0].splitlines()
    assert re.split(r"\s{2,}", lines[0].strip()) == ["source", "verdict", "reachable", "discovery", "articles"]
    rows = [re.split(r"\s{2,}", line.strip()) for line in lines[1:]]
    return {row[0]: row[1:] for row in rows}


def block(stdout: str, source_id: str) -> str:
    """The detail block printed for one source."""
    match = re.search(rf"^{source_id}: .*?(?=\n\n|\Z)", stdout, re.M | re.S)
    assert match, f"no block for {source_id} in:\n{stdout}"
    return match.group(0)


def test_check_runs_and_exits_0_even_with_sources_down(checked):
    result = checked["result"]
    assert result.returncode == 0, result.stderr
    assert "9 sources checked" in result.stdout
    assert "5 ok, 2 need a profile, 2 down" in result.stdout


def test_verdicts_table(checked):
    rows = table(checked["result"].stdout)
    assert list(rows) == list(EXPECTED)
    for sid, (verdict, reachable, discovery, articles) in EXPECTED.items():
        assert rows[sid] == [verdict, reachable, discovery, str(articles)], sid


def test_sample_article_is_extracted_and_dated(checked):
    stdout = checked["result"].stdout
    wordpress = block(stdout, "wp_feed")
    assert "title      Парламент принял республиканский бюджет на 2027 год в первом чтении" in wordpress
    assert "date       2026-11-23T15:40:00+03:00" in wordpress
    assert "text       На очередном заседании Народного Собрания депутаты рассмотрели" in wordpress
    assert "discovery  feed (feed 3, sitemap 0, listing 0; 3 article URLs)" in wordpress
    joomla = block(stdout, "joomla_sitemap")
    assert "date       2026-11-24T14:10:00+04:00" in joomla
    assert "title      Законодатели утвердили программу развития сельских территорий" in joomla
    bitrix = block(stdout, "bitrix_with_profile")
    assert "sample     http://" in bitrix and "/chronicle/detail.php?doc=5120" in bitrix
    assert "title      Дума приняла закон о поддержке многодетных семей" in bitrix
    assert "date       2026-11-24T17:30:00+03:00" in bitrix
    assert "Вперед" not in bitrix and "Поделиться" not in bitrix


def test_reasons_are_given(checked):
    stdout = checked["result"].stdout
    assert "verdict    down (home page: connection refused)" in block(stdout, "nothing_listens")
    assert "verdict    down (home page: HTTP 404)" in block(stdout, "site_gone")
    assert "verdict    needs a profile (no article URLs found" in block(stdout, "js_news")
    wrong = block(stdout, "tver_wrong_profile")
    assert "/deputies/petrov/" in wrong and "verdict    needs a profile (sample: no article text" in wrong


def test_csv_report(checked):
    report = checked["report"]
    assert report.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = {row["source_id"]: row for row in read_csv(report)}
    assert list(rows) == list(EXPECTED)
    for sid, (verdict, reachable, discovery, articles) in EXPECTED.items():
        row = rows[sid]
        assert (row["verdict"], row["discovery"], row["articles_found"]) == (verdict, discovery, str(articles)), sid
        assert row["reachable"] == reachable.split()[0]
    assert rows["wp_feed"]["feed_urls"] == "3" and rows["wp_feed"]["listing_urls"] == "0"
    assert rows["joomla_sitemap"]["sitemap_urls"] == "3"
    assert rows["wp_feed"]["sample_date"] == "2026-11-23T15:40:00+03:00"
    assert rows["wp_feed"]["sample_title"] == "Парламент принял республиканский бюджет на 2027 год в первом чтении"
    assert rows["wp_feed"]["sample_text"].startswith("На очередном заседании Народного Собрания")
    assert rows["nothing_listens"]["reach_detail"] == "connection refused"
    assert rows["site_gone"]["why"] == "home page: HTTP 404"
    assert rows["js_news"]["why"].startswith("no article URLs found")
    assert rows["tver_wrong_profile"]["sample_url"].endswith("/deputies/petrov/")
    assert f"report: {report}" in checked["result"].stdout


def test_one_sample_per_source_robots_first_and_nothing_stored(checked, servers):
    wordpress, joomla, tver, homegrown, bitrix, *_ = servers
    articles = {"/2026/11/23/parlament-prinyal-byudzhet-v-pervom-chtenii/",
                "/2026/11/20/deputaty-vstretilis-s-vypusknikami-shkol/",
                "/2026/11/18/komitet-obsudil-gazifikaciyu-gornyh-sel/"}
    assert len(articles & set(wordpress.paths_requested())) == 1
    assert sum(path.startswith("/novosti/") for path in joomla.paths_requested()) == 1
    assert sum(re.fullmatch(r"/news/\d+/", path) is not None for path in tver.paths_requested()) == 1
    assert sum("detail.php" in path for path in bitrix.paths_requested()) == 1
    assert "/chronicle/?PAGEN_1=2" not in bitrix.paths_requested()   # the first listing page is enough
    for server in (wordpress, joomla, tver, homegrown, bitrix):
        assert server.paths_requested()[0] == "/robots.txt"
    directory = checked["dir"]
    assert not (directory / "data").exists(), "the state store was touched"
    assert (directory / "feeds" / "articles.csv").read_text(encoding="utf-8") == "earlier feed\n"
    assert sorted(p.name for p in (directory / "feeds").iterdir()) == ["articles.csv"]


def test_source_and_region_options(checked):
    config = checked["config"]
    by_id = run_cli("sources", "check", "--config", config, "--source", "wp_feed", "--source", "site_gone",
                    timeout=120)
    assert by_id.returncode == 0, by_id.stderr
    assert list(table(by_id.stdout)) == ["wp_feed", "site_gone"]
    by_region = run_cli("sources", "check", "--config", config, "--region", "тыва", timeout=120)
    assert by_region.returncode == 0, by_region.stderr
    assert table(by_region.stdout) == {"js_news": ["needs a profile", "yes", "none", "0"]}


def test_bad_selection_or_config_exits_2(checked, tmp_path):
    unknown = run_cli("sources", "check", "--config", checked["config"], "--source", "nosuch")
    assert unknown.returncode == 2
    assert "no source with id 'nosuch'" in unknown.stderr
    bad = write_config(tmp_path, [{"id": "x", "name": "X", "url": "http://127.0.0.1:9/", "timezone": "Mars/Olympus"}])
    broken = run_cli("sources", "check", "--config", bad)
    assert broken.returncode == 2
    assert "timezone 'Mars/Olympus' is not an IANA time zone" in broken.stderr
    assert broken.stdout == ""


def test_check_and_crawl_give_the_sample_the_same_date(tmp_path):
    """The check reads its sample with the crawl's own stages: a profile's ``date`` selector (here: the press
    release's date, not the date-classed line beside the headline that the page's own evidence gives) is read
    first by both, so the report's sample date is the date the crawl stores."""
    server = serve_site(TEST_SITES / "check_bitrix_profile", host=next_loopback_address())
    try:
        source = source_entry(server, "bitrix_dated", region="Белгородская область",
                              listing=[server.base_url + "/chronicle/"],
                              article_pattern=r"/chronicle/detail\.php\?doc=\d+", date=".chronicle-detail-source")
        config = write_config(tmp_path, [source], scrapy=CHECK_SCRAPY)
        report = tmp_path / "check.csv"
        run_cli("sources", "check", "--config", config, "--write-report", report, check=True, timeout=120)
        run_cli("crawl", "--config", config, check=True)
    finally:
        server.stop()
    [row] = read_csv(report)
    stored = {r["url"]: r["published_at"] for r in read_csv(tmp_path / "feeds" / "articles.csv")}
    assert row["sample_url"].endswith("/chronicle/detail.php?doc=5120")
    assert row["sample_date"] == "2026-11-23"
    assert stored[row["sample_url"]] == row["sample_date"]
