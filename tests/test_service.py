"""The real ``dumawatch schedule`` service in a subprocess, against loopback sites, with a cron in seconds."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, read_csv, run_cli, source_entry, write_config

pytestmark = pytest.mark.e2e

EVERY_2S = {"cron": "*/2 * * * * *", "timezone": "Europe/Moscow"}
SLOW = {"DOWNLOAD_DELAY": 0.4, "RANDOMIZE_DOWNLOAD_DELAY": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}


def start_service(config: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "crawler", "schedule", "--config", str(config), *args],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stop_service(service: subprocess.Popen, timeout: float = 40) -> tuple[int, str]:
    service.send_signal(signal.SIGTERM)
    _, err = service.communicate(timeout=timeout)
    return service.returncode, err


def wait_for(predicate, timeout: float, what: str, service: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if service is not None and service.poll() is not None:
            raise AssertionError(f"service exited {service.returncode} while waiting for {what}: "
                                 f"{service.stderr.read()}")
        if time.monotonic() > deadline:
            if service is not None:
                service.kill()
                raise AssertionError(f"timed out waiting for {what}: {service.communicate()[1]}")
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def stored_runs(directory: Path) -> list[dict]:
    state = directory / "data" / "state.sqlite3"
    if not state.exists():
        return []
    with sqlite3.connect(f"file:{state}?mode=ro", uri=True, timeout=10) as conn:
        conn.row_factory = sqlite3.Row
        try:
            return [dict(row) for row in conn.execute("SELECT * FROM runs ORDER BY started, id")]
        except sqlite3.OperationalError:  # the first crawl has not created the tables yet
            return []


def assert_whole_feeds(feeds: Path) -> dict[str, list[dict]]:
    assert not list(feeds.glob(".*.tmp")), "a half-written feed was left behind"
    return {name: read_csv(feeds / name) for name in ("articles.csv", "mentions.csv", "runs.csv", "health.csv")}


def test_two_runs_never_overlap_and_a_manual_crawl_beside_is_refused(serve, tmp_path):
    server = serve("tverduma")
    config = write_config(tmp_path, [source_entry(server, "tverduma")], scrapy=SLOW, schedule=EVERY_2S)
    service = start_service(config)
    wait_for(lambda: len(server.requests) >= 3, 20, "the first run to start", service)
    manual = run_cli("crawl", "--config", config, timeout=60)
    assert manual.returncode == 3, manual.stderr
    assert "another dumawatch run" in manual.stderr
    wait_for(lambda: len({row["run_id"] for row in stored_runs(tmp_path)}) >= 2, 40, "two runs", service)
    code, err = stop_service(service)
    assert code == 0, err

    rows = stored_runs(tmp_path)
    assert [row["source_id"] for row in rows] == ["tverduma"] * len(rows)
    assert rows[0]["status"] == "ok" and rows[0]["new_articles"] == 12
    for earlier, later in zip(rows, rows[1:], strict=False):
        assert later["started"] >= earlier["finished"], f"runs overlap: {earlier} / {later}"
    feeds = assert_whole_feeds(tmp_path / "feeds")
    assert len(feeds["articles.csv"]) == 12
    assert {row["run_id"] for row in feeds["runs.csv"]} == {row["run_id"] for row in rows}
    log = (tmp_path / "logs" / "dumawatch.log").read_text(encoding="utf-8")
    assert log.count("run start: job 'default'") >= 2
    assert "source tverduma: run " in log and "new articles 12" in log
    assert "service stop" in log


def test_sigterm_in_the_middle_of_a_run_exits_0_with_whole_feeds(serve, tmp_path):
    server = serve("tverduma")
    config = write_config(tmp_path, [source_entry(server, "tverduma")], scrapy=SLOW, schedule=EVERY_2S)
    service = start_service(config)
    wait_for(lambda: len(server.requests) >= 6, 20, "a run in progress", service)
    code, err = stop_service(service)
    assert code == 0, err
    assert "stopping: asking the running crawl" in err

    feeds = assert_whole_feeds(tmp_path / "feeds")
    [run] = feeds["runs.csv"]
    assert run["status"] == "stopped (shutdown)"
    assert 0 < int(run["new_articles"]) < 12
    assert len(feeds["articles.csv"]) == int(run["new_articles"])
    assert [row["source_id"] for row in feeds["health.csv"]] == ["tverduma"]


def test_a_run_past_run_timeout_is_stopped_and_reported(serve, tmp_path):
    server = serve("tverduma")
    config = write_config(tmp_path, [source_entry(server, "tverduma")], scrapy=SLOW, run_timeout=3)
    result = run_cli("schedule", "--config", config, "--once", timeout=60)
    assert result.returncode == 0, result.stderr
    assert "passed run_timeout (3 s)" in result.stderr
    [run] = assert_whole_feeds(tmp_path / "feeds")["runs.csv"]
    assert run["status"] == "timeout"
    assert len(server.requests) < 18  # stopped before the end (or, on a slow machine, before its start)


def test_per_source_schedules_make_separate_jobs_and_status_shows_next_run(serve, tmp_path):
    busy, quiet = serve("tverduma"), serve("tverduma")
    config = write_config(tmp_path, [source_entry(busy, "busy"),
                                     source_entry(quiet, "quiet", schedule={"cron": "0 6 * * *",
                                                                             "timezone": "Asia/Novosibirsk"})],
                          schedule={"cron": "*/30 * * * *", "timezone": "Europe/Moscow"})
    status = run_cli("status", "--config", config, check=True).stdout.splitlines()
    assert status[0].split()[:2] == ["source", "last"]
    busy_line = next(line for line in status if line.startswith("busy "))
    quiet_line = next(line for line in status if line.startswith("quiet "))
    assert "never" in busy_line and "MSK" in busy_line and "no runs" in busy_line
    assert "06:00:00 +07" in quiet_line


def test_bad_service_settings_are_one_line_config_errors(tmp_path, serve):
    server = serve("tverduma")
    for extra, field in (({"run_timeout": 0}, "run_timeout"), ({"health": {"stale_runs": "x"}}, "stale_runs"),
                         ({"alerts": {"on": ["sms"]}}, "alerts: on"), ({"log": {"level": 1}}, "log: unknown"),
                         ({"schedule": {"cron": "* * *"}}, "schedule")):
        config = write_config(tmp_path, [source_entry(server, "tverduma")], **extra)
        result = run_cli("schedule", "--config", config, "--once", timeout=30)
        assert result.returncode == 2, (extra, result.stderr)
        [line] = result.stderr.strip().splitlines()
        assert str(config) in line and field in line, line
