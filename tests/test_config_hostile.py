"""Hostile configuration: every bad file gives one line naming the file and field, exit 2, nothing touched.

Complements tests/test_config_errors.py: malformed YAML in each of the three files, wrong types, unknown
keys at every level, unreadable and missing files, non-http(s) URLs in every URL field, and source ids
that try to reach outside the feeds/state directories. An empty watchlist is valid.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.commands.cli import main
from crawler.config import SOURCE_ID, load_config

from conftest import run_cli, write_config

GOOD = {"id": "volgoduma", "name": "Волгоградская областная дума", "region": "Волгоградская область",
        "url": "http://127.0.0.1:9/", "timezone": "Europe/Volgograd"}
EARLIER = "earlier feed\n"


def prepare(tmp_path: Path, sources=None) -> Path:
    config = write_config(tmp_path, sources or [GOOD])
    feeds = tmp_path / "feeds"
    feeds.mkdir(exist_ok=True)
    (feeds / "articles.csv").write_text(EARLIER, encoding="utf-8")
    return config


def run_in_process(*args) -> subprocess.CompletedProcess:
    """``dumawatch export ARGS`` in this process: validation comes first in every command, and no reactor
    is started, so the many cases here take milliseconds. ``crawl`` itself runs in a subprocess below."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["export", *map(str, args)])
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def expect_config_error(tmp_path: Path, config: Path, file_name: str, *fragments: str):
    """The command refuses ``config`` in this process (``export``); see assert_config_error."""
    return assert_config_error(tmp_path, run_in_process("--config", config), file_name, *fragments)


def assert_config_error(tmp_path: Path, result: subprocess.CompletedProcess, file_name: str, *fragments: str):
    """One line naming the file and the fragments, exit 2, no feed, store or run touched."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert file_name in lines[0], lines[0]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert (tmp_path / "feeds" / "articles.csv").read_text(encoding="utf-8") == EARLIER, "a feed was overwritten"
    assert not (tmp_path / "data" / "state.sqlite3").exists(), "the store was touched"
    assert not (tmp_path / "feeds" / "runs.csv").exists(), "a run was recorded"
    return lines[0]


@pytest.mark.parametrize(("file_name", "text", "fragment"), [
    ("dumawatch.yaml", "sources: sources.yaml\n\tfeeds: x\n", "malformed YAML"),
    ("dumawatch.yaml", "sources: [sources.yaml\n", "malformed YAML (line"),
    ("dumawatch.yaml", "- just\n- a list\n", "expected a mapping"),
    ("dumawatch.yaml", "", "expected a mapping"),
    ("dumawatch.yaml", "\x00\x01binary", "malformed YAML"),
    ("sources.yaml", "sources:\n  - id: a\n   name: b\n", "malformed YAML"),
    ("sources.yaml", "sources: {id: volgoduma}\n", "'sources' must be a list"),
    ("sources.yaml", "sources:\n  - just a string\n", "sources[0]: expected a mapping"),
    ("sources.yaml", "sources:\n  - &a {id: x}\n  - *b\n", "malformed YAML"),
    ("sources.yaml", "42\n", "expected a mapping with a 'sources' list"),
    ("watchlist.yaml", "names: [unclosed\n", "malformed YAML"),
    ("watchlist.yaml", "- Блошкин\n", "expected a mapping"),
    ("watchlist.yaml", "names: Блошкин\n", ""),
])
def test_malformed_files(tmp_path, file_name, text, fragment):
    config = prepare(tmp_path)
    (tmp_path / file_name).write_text(text, encoding="utf-8")
    result = run_cli("crawl", "--config", config, timeout=60) if "malformed" in fragment else \
        run_in_process("--config", config)
    assert_config_error(tmp_path, result, file_name, fragment)


def test_invalid_utf8_file(tmp_path):
    config = prepare(tmp_path)
    (tmp_path / "sources.yaml").write_bytes("sources:\n  - id: ä\n".encode("latin-1"))
    expect_config_error(tmp_path, config, "sources.yaml", "cannot read sources file")


@pytest.mark.parametrize(("change", "fragment"), [
    ({"max_age_days": "ten"}, "max_age_days: expected a positive whole number"),
    ({"max_age_days": -1}, "max_age_days"),
    ({"max_age_days": True}, "max_age_days"),
    ({"url": 42}, "'url' must be a string"),
    ({"url": "http:///no-host"}, "'url' must be an http(s) URL"),
    ({"url": "javascript:alert(1)"}, "'url' must be an http(s) URL"),
    ({"feeds": {"a": 1}}, "'feeds' must be a list of strings"),
    ({"feeds": ["file:///etc/passwd"]}, "'feeds' must be an http(s) URL"),
    ({"sitemaps": ["ftp://volgoduma.ru/sitemap.xml"]}, "'sitemaps' must be an http(s) URL"),
    ({"listing": [None]}, "'listing' must be a list of strings"),
    ({"verify_tls": "no"}, "'verify_tls' must be true or false"),
    ({"encoding": "klingon-8"}, "unknown encoding 'klingon-8'"),
    ({"render": "browser"}, "'render' must be 'js'"),
    ({"schedule": "daily"}, "schedule: expected a mapping"),
    ({"schedule": {"cron": "every day"}}, "cron 'every day': expected 5 fields"),
    ({"schedule": {"cron": "0 * * * *", "when": 1}}, "unknown key 'when'"),
    ({"name": "   "}, "'name' is empty"),
    ({"id": None}, "'id' must match"),
])
def test_wrong_types_in_a_source(tmp_path, change, fragment):
    config = prepare(tmp_path, [{**GOOD, **change}])
    expect_config_error(tmp_path, config, "sources.yaml", fragment)


def test_allow_domains_as_a_string_is_a_list_of_one(tmp_path):
    config = prepare(tmp_path, [{**GOOD, "allow_domains": "volgoduma.ru"}])
    result = run_cli("export", "--config", config, timeout=60)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("key", "value", "fragment"), [
    ("scrapy", ["DOWNLOAD_DELAY"], "'scrapy' must be a mapping"),
    ("schedule", {"cron": "0 */2 * * *", "timezone": "Mars/Olympus"}, "schedule: timezone 'Mars/Olympus' is not an IANA time zone"),
    ("feeds", 42, "'feeds' must be a path"),
    ("state", "", "'state' must be a path"),
    ("run_timeout", "1h", "run_timeout"),
    ("health", {"stale": 3}, "unknown key 'stale'"),
    ("alerts", {"urls": ["not a url"]}, "alerts: urls"),
    ("log", {"file": 5}, "log: file"),
    ("colour", "red", "unknown key 'colour'"),
])
def test_wrong_types_in_the_main_file(tmp_path, key, value, fragment):
    config = prepare(tmp_path)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data[key] = value
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    expect_config_error(tmp_path, config, "dumawatch.yaml", fragment)


@pytest.mark.parametrize("text", [
    "names:\n  - name: Блошкин\n    alias: [x]\n",
    "people: []\n",
    "topics:\n  - name: Бюджет\n    keywords: Бюджет\n    weight: 2\n",
])
def test_unknown_or_wrong_keys_in_the_watchlist(tmp_path, text):
    config = prepare(tmp_path)
    (tmp_path / "watchlist.yaml").write_text(text, encoding="utf-8")
    expect_config_error(tmp_path, config, "watchlist.yaml")


@pytest.mark.parametrize("text", ["", "names: []\ntopics: []\n", "# nothing to watch yet\n"])
def test_empty_watchlist_is_valid(tmp_path, text):
    config = prepare(tmp_path)
    (tmp_path / "watchlist.yaml").write_text(text, encoding="utf-8")
    result = run_cli("crawl", "--config", config, timeout=90)
    assert result.returncode == 4, result.stderr  # no config error; the only source is unreachable: all failed
    assert "Traceback" not in result.stderr
    runs = (tmp_path / "feeds" / "runs.csv").read_text(encoding="utf-8-sig")
    assert "volgoduma" in runs  # the (unreachable) source was tried and reported


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="running as root: chmod 000 does not stop root from reading a file "
                           "(test_directory_in_place_of_a_file covers an unreadable path)")
def test_unreadable_file(tmp_path):
    config = prepare(tmp_path)
    (tmp_path / "sources.yaml").chmod(0)
    try:
        expect_config_error(tmp_path, config, "sources.yaml", "cannot read sources file")
    finally:
        (tmp_path / "sources.yaml").chmod(0o644)


@pytest.mark.parametrize(("file_name", "what"), [("sources.yaml", "sources"), ("watchlist.yaml", "watchlist")])
def test_directory_in_place_of_a_file(tmp_path, file_name, what):
    config = prepare(tmp_path)
    (tmp_path / file_name).unlink()
    (tmp_path / file_name).mkdir()
    expect_config_error(tmp_path, config, file_name, f"{what} file is a directory")


def test_config_itself_is_a_directory(tmp_path):
    prepare(tmp_path)
    (tmp_path / "as-dir.yaml").mkdir()
    result = run_cli("crawl", "--config", tmp_path / "as-dir.yaml", timeout=60)
    assert result.returncode == 2 and "config file is a directory" in result.stderr


@pytest.mark.parametrize(("key", "value", "file_name", "fragment"), [
    ("sources", "missing-dir/sources.yaml", "missing-dir/sources.yaml", "sources file not found"),
    ("watchlist", "missing-dir/watchlist.yaml", "missing-dir/watchlist.yaml", "watchlist file not found"),
])
def test_missing_directory(tmp_path, key, value, file_name, fragment):
    config = prepare(tmp_path)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data[key] = value
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    expect_config_error(tmp_path, config, file_name, fragment)


def test_state_path_is_a_directory(tmp_path):
    config = prepare(tmp_path)
    (tmp_path / "data" / "state.sqlite3").mkdir(parents=True)
    result = run_cli("crawl", "--config", config, timeout=60)
    assert result.returncode == 2 and "is a directory, expected a SQLite file" in result.stderr
    assert (tmp_path / "feeds" / "articles.csv").read_text(encoding="utf-8") == EARLIER


def test_feeds_path_is_a_file(tmp_path):
    config = write_config(tmp_path, [GOOD])
    (tmp_path / "feeds").write_text("not a directory", encoding="utf-8")
    result = run_cli("crawl", "--config", config, timeout=60)
    assert result.returncode == 2 and "exists and is not a directory" in result.stderr
    assert (tmp_path / "feeds").read_text(encoding="utf-8") == "not a directory"


HOSTILE_IDS = ["../../etc/cron.d/x", "..", ".", "/abs", "a/b", "a\\b", "feeds/../../x", "con:", "a b", "a\x00b",
               "Volgoduma", "волгодума", "", "~root", "$HOME", "a.csv", "a\nb", "volgoduma\n"]


@pytest.mark.parametrize("sid", HOSTILE_IDS)
def test_hostile_source_id_refused(tmp_path, sid):
    config = prepare(tmp_path, [{**GOOD, "id": sid}])
    expect_config_error(tmp_path, config, "sources.yaml", "'id' must match [a-z0-9_-]+")


def test_hostile_source_selection_refused(tmp_path):
    config = prepare(tmp_path)
    result = run_cli("crawl", "--config", config, "--source", "../../etc", timeout=60)
    assert result.returncode == 2 and "no source with id '../../etc'" in result.stderr


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_an_accepted_id_names_a_file_inside_its_directory(sid):
    """Whatever id the regex accepts, ``<dir>/<id>.csv`` and ``<dir>/<id>/`` stay inside ``<dir>``."""
    if not SOURCE_ID.fullmatch(sid):
        return
    base = Path("/srv/dumawatch/feeds")
    for candidate in (base / f"{sid}.csv", base / sid / "state.sqlite3"):
        resolved = Path(os.path.normpath(candidate))
        assert base in resolved.parents, (sid, resolved)
    assert not set(sid) & set("/\\.\x00")


def test_alerts_on_written_bare_as_the_readme_shows(tmp_path):
    """YAML 1.1 reads a bare ``on:`` key as the boolean true; ``alerts: {on: [health]}`` still means ``on``."""
    config = prepare(tmp_path)
    config.write_text(config.read_text(encoding="utf-8") + "alerts:\n  urls: ['json://127.0.0.1:9/']\n"
                      "  on: [health]\n", encoding="utf-8")
    assert yaml.safe_load(config.read_text(encoding="utf-8"))["alerts"][True] == ["health"]
    assert load_config(config).service.alert_on == ("health",)
