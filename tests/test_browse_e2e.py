"""``dumawatch browse`` end to end in headless Chromium: the real crawl, the real command, a real browser.

Debian's chromium (``/usr/bin/chromium``, installed by scripts/test.sh) driven by Playwright with that
executable: Playwright never downloads a browser of its own here.
"""

from __future__ import annotations

import socket
import sqlite3
import struct
import zlib
from pathlib import Path

import pytest
from search_sites import WATCHLIST, WORDPRESS, browse_server, crawl_sites, write_wordpress  # noqa: F401 (a fixture)

from conftest import run_cli

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def write_png(path: Path, width: int = 60, height: int = 30) -> None:
    """A real PNG (a grey gradient), standing in for the chart the feeds export draws."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes((x * 4) % 256 for x in range(width)) for _ in range(height))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest.fixture
def browser(tmp_path):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (scripts/test.sh installs it)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield context.new_page()
        finally:
            context.close()


def rows(page) -> list[str]:
    return page.locator("table.rows-and-columns tbody tr").all_inner_texts()


def test_browse_search_facets_links_and_chart(serve, tmp_path, browse_server, browser):  # noqa: F811
    config = crawl_sites(serve, tmp_path, watchlist=WATCHLIST)
    write_png(tmp_path / "cfg" / "feeds" / "mentions_weekly.png")
    base = browse_server(config)
    page = browser

    # the home page renders, with the search form and the chart
    page.goto(base + "/")
    assert page.title() == "dumawatch: store"
    assert page.locator("h1").inner_text() == "dumawatch"
    assert page.locator("#dumawatch-chart").evaluate("img => img.complete && img.naturalWidth") == 60

    # a Cyrillic search in the dictionary form finds the articles where the word stands only inflected
    page.fill("#dumawatch-q", "Блошкин")
    page.click("input[type=submit][value=Search]")
    page.wait_for_load_state()
    found = rows(page)
    assert len(found) == 7, found
    assert any("Александром [Блошкиным]" in row for row in found)
    assert any("А.В. [Блошкину]" in row for row in found)
    # the search's optional filters, in its form: a date (published on or after it), then also one source
    page.fill("input[name=since]", "2026-11-09")
    page.click("input[type=submit][value='Run SQL']")
    page.wait_for_load_state()
    assert len(rows(page)) == 3  # id=15, id=16 and the WordPress site's article of 2026-11-21
    page.fill("input[name=source]", "zswp")
    page.click("input[type=submit][value='Run SQL']")
    page.wait_for_load_state()
    narrowed = rows(page)
    assert len(narrowed) == 1 and "Александром [Блошкиным]" in narrowed[0]
    # the exact form finds that form only
    page.goto(base + "/")
    page.fill("#dumawatch-q", "Блошкину")
    page.click("input[type=submit][value='Exact form']")
    page.wait_for_load_state()
    assert len(rows(page)) == 2

    # the article list: its search box searches in normal form, then a facet narrows the result
    page.goto(base + "/store/article_list")
    assert len(rows(page)) == 15
    page.fill("#_search", "газификация")
    page.press("#_search", "Enter")
    page.wait_for_load_state()
    assert len(rows(page)) == 3
    assert "3 rows where search matches" in page.locator("h3").first.inner_text()
    page.locator(".facet-info[data-column=region] a", has_text="Соседняя область").click()
    page.wait_for_load_state()
    narrowed = rows(page)
    assert len(narrowed) == 1 and "Газификация посёлка завершена" in narrowed[0]

    # every mention leads to its article, and the article to its page on the source's site
    page.goto(base + "/store/mention_list?watch=" + "Закир Тхагалегов")
    assert len(rows(page)) == 2
    page.locator("td.col-article_id a").first.click()
    page.wait_for_load_state()
    assert "/store/articles/" in page.url
    assert "Тхагалегов" in page.locator("td.col-text").inner_text()
    source_link = page.locator("td.col-url a").get_attribute("href")
    assert source_link.startswith("http://127.0.0.") and "Info.aspx?id=1" in source_link

    # the canned queries a press officer needs
    page.goto(base + "/store/new_mentions_since_yesterday")
    assert len(rows(page)) == len(sqlite_rows(config, "SELECT * FROM mentions"))
    page.goto(base + "/store/mentions_per_watch_per_week")
    weekly = rows(page)
    assert any(row.startswith("2026-11-16\ttopic\tГазификация\t3\t3") for row in weekly), weekly
    page.goto(base + "/store/stories_reprinted_by_other_sites")
    assert page.locator("h1").inner_text().startswith("Stories reprinted by other sites")


def test_browse_is_read_only_and_shows_what_a_crawl_adds_meanwhile(serve, tmp_path, browse_server, browser):  # noqa: F811
    config = crawl_sites(serve, tmp_path, watchlist=WATCHLIST)
    base = browse_server(config)
    (config.parent / "feeds" / "mentions_weekly.png").unlink()  # the crawl's export drew it: now there is none
    browser.goto(base + "/")
    assert browser.locator("#dumawatch-q").is_visible()
    assert browser.locator("#dumawatch-chart").count() == 0  # no chart in the feeds folder: none shown
    browser.goto(base + "/store?sql=DELETE FROM articles")
    assert "Statement must be a SELECT" in browser.content()
    assert len(sqlite_rows(config, "SELECT id FROM articles")) == 15

    # the WordPress site publishes a new article; a crawl runs while browse is serving the store
    write_wordpress(tmp_path / "wordpress", [*WORDPRESS, (
        "gazoprovod-dostroili", "2026-11-25", "Газопровод к посёлку Ясный достроили",
        "Строители достроили газопровод к посёлку Ясный, о чём депутату Тхагалегову доложил глава района.")])
    result = run_cli("crawl", "--config", config, check=True)
    assert "1 new articles" in result.stdout
    browser.goto(base + "/store/search?q=газопроводы")
    found = rows(browser)
    assert len(found) == 2  # the new article (title and text) first, then «…в новых газопроводах» (text only)
    assert "Газопровод к посёлку Ясный достроили" in found[0] and "достроили [газопровод] к посёлку" in found[0]
    assert "[газопроводах]" in found[1]
    browser.goto(base + "/store/mention_list?watch=Закир Тхагалегов")
    assert len(rows(browser)) == 3


def sqlite_rows(config: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(config.parent / "data" / "state.sqlite3") as db:
        return db.execute(sql).fetchall()


def test_browse_refuses_a_port_in_use_in_one_line(serve, tmp_path):
    config = crawl_sites(serve, tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("browse", "--config", config, "--port", str(port), timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and f"--port {port}: cannot listen there" in result.stderr
