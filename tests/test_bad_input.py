"""Every bad input is one line on stderr and exit 2, before any request: the test site's access log stays empty.

Each case runs the real CLI in a subprocess against a served demo site, with one thing wrong: a state file
that is not SQLite, a state or feeds folder on a read-only file system, a selector that does not compile,
alerts without apprise, workbooks without XlsxWriter, an unknown or substring-only ``--region``, a bad cron field, a missing default config.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml

from crawler.commands.regions import region_matches

from conftest import REPO, read_csv, run_cli, source_entry, write_config

pytestmark = pytest.mark.e2e


def one_line(result) -> str:
    assert result.returncode == 2, (result.returncode, result.stdout[-2000:], result.stderr[-2000:])
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def site(serve):
    return serve("bitrix")


def config_for(tmp_path: Path, site, **extra) -> Path:
    entry = source_entry(site, "volgoduma", "Europe/Volgograd", region="Волгоградская область")
    entry.update(extra.pop("entry", {}))
    return write_config(tmp_path / "cfg", [entry], **extra)


@pytest.fixture
def read_only_dir(tmp_path):
    """make(path, populate=None) → a folder on a read-only file system (a tmpfs remounted read-only);
    ``populate(path)`` runs while it is still writable. Root passes permission checks, so chmod would not do."""
    mounted: list[Path] = []

    def make(path: Path, populate=None) -> Path:
        path.mkdir(parents=True, exist_ok=True)
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(path)],
                          capture_output=True).returncode != 0:
            pytest.skip("cannot mount a tmpfs here (needs root)")
        mounted.append(path)
        if populate is not None:
            populate(path)
        subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True, capture_output=True)
        return path

    yield make
    for path in reversed(mounted):
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def test_state_file_that_is_not_a_database(tmp_path, site):
    config = config_for(tmp_path, site)
    state = tmp_path / "cfg" / "data" / "state.sqlite3"
    state.parent.mkdir(parents=True)
    state.write_text("sources:\n  - id: volgoduma\n" * 50, encoding="utf-8")  # a YAML file, say
    line = one_line(run_cli("crawl", "--config", config))
    assert line.startswith("dumawatch: error: ") and "state" in line and "is not a SQLite database" in line
    assert str(state) in line
    assert site.requests == []


def test_state_on_a_read_only_file_system(tmp_path, site, read_only_dir):
    def make_store(folder: Path) -> None:
        db = sqlite3.connect(folder / "state.sqlite3")
        db.execute("CREATE TABLE kept (x)")
        db.commit()
        db.close()

    read_only_dir(tmp_path / "cfg" / "data", make_store)
    config = config_for(tmp_path, site)
    line = one_line(run_cli("crawl", "--config", config))
    assert "state: cannot write in" in line and "Read-only file system" in line
    assert site.requests == []


def test_feeds_folder_on_a_read_only_file_system(tmp_path, site, read_only_dir):
    read_only_dir(tmp_path / "cfg" / "feeds")
    config = config_for(tmp_path, site)
    line = one_line(run_cli("crawl", "--config", config))
    assert "feeds: cannot write in" in line and "Read-only file system" in line
    assert site.requests == []
    assert not (tmp_path / "cfg" / "data" / "state.sqlite3").exists()


@pytest.mark.parametrize(("key", "selector", "expected"), [
    ("body", "div[[class", "'body' selector 'div[[class' does not compile"),
    ("title", "//h1[", "'title' selector '//h1[' does not compile"),
    ("date", "span.news-date-time::", "'date' selector"),
])
def test_selector_that_does_not_compile(tmp_path, site, key, selector, expected):
    config = config_for(tmp_path, site, entry={key: selector})
    line = one_line(run_cli("crawl", "--config", config))
    assert "sources.yaml: source 'volgoduma':" in line and expected in line
    assert site.requests == []


def test_alerts_without_apprise(tmp_path, site):
    config = config_for(tmp_path, site, alerts={"urls": ["json://127.0.0.1:9/hook"]})
    # the same entry point as `dumawatch`, with apprise made unimportable the way Python marks a missing module
    code = ("import sys; sys.modules['apprise'] = None; from crawler.commands.cli import main; "
            f"sys.exit(main(['crawl', '--config', {str(config)!r}]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    line = one_line(result)
    assert "alerts: urls are set but apprise is not installed" in line and "dumawatch[alerts]" in line
    assert site.requests == []


def test_unknown_region_lists_near_matches(tmp_path, site):
    config = config_for(tmp_path, site)
    line = one_line(run_cli("crawl", "--config", config, "--region", "Атлантида"))
    assert "no source's region matches 'Атлантида'" in line
    line = one_line(run_cli("crawl", "--config", config, "--region", "Волгогрд"))  # a typo
    assert "near matches: Волгоградская область" in line
    assert site.requests == []


def test_region_is_a_word_or_its_start_not_any_substring(tmp_path, serve):
    samara, volgograd = serve("bitrix"), serve("homegrown")
    config = write_config(tmp_path / "cfg", [
        source_entry(samara, "samgd", "Europe/Samara", region="Самарская область"),
        source_entry(volgograd, "volgoduma", "Europe/Volgograd", region="Волгоградская область")])
    line = one_line(run_cli("crawl", "--config", config, "--region", "Марс"))
    assert "no source's region matches 'Марс'" in line and "Самарская область" in line  # listed, not matched
    assert samara.requests == [] and volgograd.requests == []
    assert region_matches("волгоград", "Волгоградская область")
    assert region_matches("Кузбасс", "Кемеровская область — Кузбасс")
    assert region_matches("самарская обл", "Самарская область")
    assert not region_matches("марс", "Самарская область")
    assert not region_matches("область", "Облавтодор")
    result = run_cli("crawl", "--config", config, "--region", "Волгоград", timeout=120)
    assert result.returncode == 0, result.stderr
    assert volgograd.requests and not samara.requests


@pytest.mark.parametrize(("cron", "expected"), [
    ("61 * * * *", "cron '61 * * * *': field 1 (minutes) '61': the last value (61) is higher than the maximum"),
    ("0 25 * * *", "field 2 (hours) '25'"),
    ("0 0 * * mox", "field 5 (day of week) 'mox'"),
    ("0 0 * *", "expected 5 fields"),
])
def test_cron_error_names_the_field(tmp_path, site, cron, expected):
    config = config_for(tmp_path, site, schedule={"cron": cron, "timezone": "Europe/Moscow"})
    line = one_line(run_cli("crawl", "--config", config))
    assert expected in line and "Europe/Moscow" not in line  # the zone is fine: not blamed
    assert site.requests == []


def test_bad_timezone_in_schedule_is_named_alone(tmp_path, site):
    config = config_for(tmp_path, site, schedule={"cron": "0 * * * *", "timezone": "Europe/Moskva"})
    line = one_line(run_cli("crawl", "--config", config))
    assert "schedule: timezone 'Europe/Moskva' is not an IANA time zone" in line and "cron" not in line


def test_missing_default_config_points_at_the_option(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # this checkout's code, run from another folder
    line = one_line(run_cli("crawl", cwd=tmp_path, env=env))
    assert "config/dumawatch.yaml: config file not found" in line
    assert str(tmp_path) in line and "--config" in line


def test_xlsx_without_xlsxwriter(tmp_path, site):
    config = config_for(tmp_path, site)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["feeds"] = {"dir": "feeds", "xlsx": True}
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code = ("import sys; sys.modules['xlsxwriter'] = None; from crawler.commands.cli import main; "
            f"sys.exit(main(['crawl', '--config', {str(config)!r}]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert "xlsx is true but XlsxWriter is not installed" in one_line(result)
    assert site.requests == []


def test_feeds_mapping_validated(tmp_path, site):
    config = config_for(tmp_path, site)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["feeds"] = {"dir": "feeds", "xlsx": "yes", "tag": uuid.uuid4().hex}
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert "feeds: unknown key 'tag'" in one_line(run_cli("crawl", "--config", config))
    del data["feeds"]["tag"]
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert "feeds: 'xlsx' must be true or false" in one_line(run_cli("crawl", "--config", config))
    assert site.requests == []


@pytest.mark.parametrize("command", ["export", "status", "schedule"])
def test_other_commands_refuse_a_state_that_is_not_a_database(tmp_path, site, command):
    config = config_for(tmp_path, site)
    state = tmp_path / "cfg" / "data" / "state.sqlite3"
    state.parent.mkdir(parents=True)
    state.write_bytes(b"PK\x03\x04" + b"\x00" * 200)  # a zip (a workbook saved over it, say)
    args = [command, "--config", config] + (["--once"] if command == "schedule" else [])
    line = one_line(run_cli(*args))
    assert "is not a SQLite database" in line
    assert site.requests == []


def test_feeds_folder_turning_read_only_mid_run_loses_nothing(tmp_path, serve):
    """The folder passes the check, then goes read-only during the crawl: one line, exit 1, the run is stored,
    and `export` writes the feeds once the folder is writable again."""
    from bigsite import build_site

    build_site(tmp_path / "site", 40)
    site = serve(tmp_path / "site")
    config = write_config(tmp_path / "cfg", [source_entry(site, "big")],
                          scrapy={"DOWNLOAD_DELAY": 0.1, "CONCURRENT_REQUESTS_PER_DOMAIN": 1})
    feeds = tmp_path / "cfg" / "feeds"
    feeds.mkdir(parents=True)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(feeds)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        crawl = subprocess.Popen([sys.executable, "-m", "crawler", "crawl", "--config", str(config)], cwd=REPO,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while len(site.requests) < 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        subprocess.run(["mount", "-o", "remount,ro", str(feeds)], check=True)
        stdout, stderr = crawl.communicate(timeout=120)
        assert crawl.returncode == 1, (stdout, stderr)
        assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1, stderr
        assert "feeds not written" in stderr and "Read-only file system" in stderr and "dumawatch export" in stderr
        assert "big " in stdout  # the summary was printed
        with sqlite3.connect(tmp_path / "cfg" / "data" / "state.sqlite3") as db:
            assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 40
        subprocess.run(["mount", "-o", "remount,rw", str(feeds)], check=True)
        run_cli("export", "--config", config, check=True)
        assert len(read_csv(feeds / "articles.csv")) == 40
    finally:
        subprocess.run(["umount", "-l", str(feeds)], capture_output=True)
