"""``render: js``: a source whose news feed and article texts are built by JavaScript, crawled through the
system's Chromium (scrapy-playwright); without the browser, a one-line error and nothing crawled."""

from __future__ import annotations

import os

import pytest

from conftest import read_csv, run_cli, source_entry, write_config

pytestmark = pytest.mark.e2e

NEWS = {
    "/view.php?nid=301": ("2026-11-26", "Хурал принял закон о сельских старостах"),
    "/view.php?nid=302": ("2026-11-25", "Депутаты обсудили подготовку к отопительному сезону"),
    "/view.php?nid=303": ("2026-11-24", "Председатель Хурала провёл приём граждан в Кяхте"),
}


def test_rendered_source_is_read_as_a_browser_shows_it(serve, tmp_path):
    site = serve("discover_js")
    plain = write_config(tmp_path / "plain", [source_entry(site, "khural")])
    run_cli("crawl", "--config", plain, check=True)
    assert read_csv(tmp_path / "plain" / "feeds" / "articles.csv") == []   # without a browser: nothing to read

    rendered = write_config(tmp_path / "rendered", [source_entry(site, "khural", render="js")])
    run_cli("crawl", "--config", rendered, check=True)
    rows = {row["url"].removeprefix(site.base_url): row for row in
            read_csv(tmp_path / "rendered" / "feeds" / "articles.csv")}
    assert set(rows) == set(NEWS)
    for path, (day, title) in NEWS.items():
        assert rows[path]["title"] == title and rows[path]["published_at"] == day
        assert len(rows[path]["text"]) > 200 and "Загрузка" not in rows[path]["text"]
    assert rows["/view.php?nid=301"]["text"].startswith("На сессии Народного Хурала депутаты приняли закон")


def test_missing_browser_is_a_one_line_error_before_anything_is_crawled(serve, tmp_path):
    site = serve("discover_js")
    config = write_config(tmp_path, [source_entry(site, "khural", render="js")])
    result = run_cli("crawl", "--config", config, env={**os.environ, "DUMAWATCH_BROWSER": str(tmp_path / "nothing")})
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "render: js" in result.stderr and "needs Chromium" in result.stderr
    assert site.paths_requested() == [] and not (tmp_path / "feeds" / "articles.csv").exists()


def test_sources_check_renders_the_source_too(serve, tmp_path):
    site = serve("discover_js")
    config = write_config(tmp_path, [source_entry(site, "khural", render="js")])
    result = run_cli("sources", "check", "--config", config, check=True)
    assert "khural  ok       yes        listing           3" in result.stdout
    assert "title      Хурал принял закон о сельских старостах" in result.stdout
