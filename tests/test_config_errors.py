"""A bad configuration gives one clear line naming the file, the entry and the problem, and exit 2."""

from __future__ import annotations

import pytest
import yaml

from conftest import run_cli, write_config

pytestmark = pytest.mark.e2e

GOOD = {"id": "volgoduma", "name": "Волгоградская областная дума", "region": "Волгоградская область",
        "url": "http://127.0.0.1:9/", "timezone": "Europe/Volgograd"}


def crawl_with_sources(tmp_path, sources):
    config = write_config(tmp_path, sources)
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "articles.csv").write_text("earlier feed\n", encoding="utf-8")
    result = run_cli("crawl", "--config", config)
    assert (feeds / "articles.csv").read_text(encoding="utf-8") == "earlier feed\n", "a feed was overwritten"
    assert not (tmp_path / "data" / "state.sqlite3").exists(), "the store was touched"
    return result


@pytest.mark.parametrize(("change", "expected"), [
    ({"timezone": "Europe/Volgogard"}, "timezone 'Europe/Volgogard' is not an IANA time zone"),
    ({"article_pattern": "/news/(\\d+"}, "article_pattern"),
    ({"url": "ftp://volgoduma.ru/"}, "'url' must be an http(s) URL"),
    ({"url": "file:///etc/passwd"}, "'url' must be an http(s) URL"),
    ({"id": "../../etc"}, "'id' must match [a-z0-9_-]+"),
    ({"listing": "not a url"}, "'listing' must be an http(s) URL"),
    ({"enabled": "yes please"}, "'enabled' must be true or false"),
    ({"colour": "red"}, "unknown key 'colour'"),
    ({"name": 42}, "'name' must be a string"),
])
def test_bad_source_entry(tmp_path, change, expected):
    result = crawl_with_sources(tmp_path, [{**GOOD, **change}])
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "sources.yaml" in lines[0] and expected in lines[0]


def test_duplicate_id(tmp_path):
    result = crawl_with_sources(tmp_path, [GOOD, {**GOOD, "name": "Другая"}])
    assert result.returncode == 2
    assert "duplicate id 'volgoduma'" in result.stderr


def test_malformed_yaml_names_the_line(tmp_path):
    config = write_config(tmp_path, [GOOD])
    (tmp_path / "sources.yaml").write_text("sources:\n  - id: a\n    name: [unclosed\n", encoding="utf-8")
    result = run_cli("crawl", "--config", config)
    assert result.returncode == 2
    assert "sources.yaml: malformed YAML (line" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_config_and_unknown_main_key(tmp_path):
    result = run_cli("crawl", "--config", tmp_path / "nope.yaml")
    assert result.returncode == 2 and "nope.yaml: config file not found" in result.stderr
    config = write_config(tmp_path, [GOOD])
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["feed"] = "typo"
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = run_cli("export", "--config", config)
    assert result.returncode == 2 and "unknown key 'feed'" in result.stderr


def test_bad_watchlist(tmp_path):
    config = write_config(tmp_path, [GOOD])
    (tmp_path / "watchlist.yaml").write_text("names:\n  - nam: Александр Блошкин\n", encoding="utf-8")
    result = run_cli("crawl", "--config", config)
    assert result.returncode == 2
    assert "watchlist.yaml" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_help_on_every_command():
    for command in ([], ["crawl"], ["export"], ["demo"]):
        result = run_cli(*command, "--help")
        assert result.returncode == 0 and "usage: dumawatch" in result.stdout
