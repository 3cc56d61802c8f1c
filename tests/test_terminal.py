"""What a crawl shows: a live line on a terminal, nothing but the summary on a pipe, Scrapy's log in crawl.log.

A pseudo-terminal (pexpect) stands in for the user's terminal. Also here: routine drops counted (not printed),
each failure said once, ``--verbose``, Ctrl-C (exit 130 after the clean stop) and ``status`` during a run.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time

import pexpect
import pytest

from bigsite import build_site
from conftest import REPO, read_csv, run_cli, source_entry, write_config

pytestmark = pytest.mark.e2e

SLOW = {"DOWNLOAD_DELAY": 0.1, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}
LIVE = re.compile(r"crawling: (\d+)/(\d+) sources done, (\d+) pages, (\d+) new articles?, (\d+) errors?, "
                  r"(\d+):(\d\d) elapsed")


def summary_rows(stdout: str) -> dict[str, list[str]]:
    return {line.split()[0]: line.split() for line in stdout.splitlines()
            if line.split() and line.split()[0] not in ("source", "run", "feeds:", "log:")}


def test_live_line_on_a_terminal_then_cleared(serve, tmp_path):
    build_site(tmp_path / "site", 40)
    big, small = serve(tmp_path / "site"), serve("homegrown")
    config = write_config(tmp_path / "cfg", [source_entry(big, "big"), source_entry(small, "zsko", "Europe/Kirov")],
                          scrapy=SLOW)
    child = pexpect.spawn(sys.executable, ["-m", "crawler", "crawl", "--config", str(config)], cwd=str(REPO),
                          encoding="utf-8", timeout=180, dimensions=(30, 160))
    child.expect(pexpect.EOF)
    child.close()
    output = child.before
    assert child.exitstatus == 0, output[-3000:]
    frames = [tuple(int(g) for g in m.groups()) for m in LIVE.finditer(output)]
    assert len(frames) >= 3, output[:3000]
    assert frames[-1][1] == 2
    assert any(done == 1 for done, *_ in frames), "the quick site was never shown done while the big one ran"
    assert max(pages for _, _, pages, *_ in frames) >= 20
    assert max(new for _, _, _, new, *_ in frames) >= 10
    assert frames[-1][5] * 60 + frames[-1][6] >= 1  # elapsed counts up
    # tqdm's leave=False: the line is overwritten with blanks before the summary is printed
    tail = output[output.rindex("crawling:"):output.index("source ")]
    assert re.search(r"\r {40,}\r", tail), repr(tail)
    rows = summary_rows(output)
    assert rows["big"][2] == "40" and rows["zsko"][2] == "12"


def test_pipe_gets_the_summary_only_and_the_log_file_the_rest(serve, tmp_path):
    bitrix = serve("bitrix")
    dead = {"id": "dead", "name": "Недоступная дума", "region": "Нигде", "url": "http://127.0.0.254:9/",
            "timezone": "Asia/Kamchatka"}
    config = write_config(tmp_path / "cfg", [source_entry(bitrix, "volgoduma", "Europe/Volgograd"), dead],
                          scrapy={"RETRY_TIMES": 0})
    first = run_cli("crawl", "--config", config)
    assert first.returncode == 0
    assert first.stderr == "", first.stderr            # no Scrapy line, no live line on a pipe
    assert "crawling:" not in first.stdout and "\r" not in first.stdout
    failure = "connection refused on http://127.0.0.254:9/"
    assert first.stdout.count(failure) == 1, first.stdout  # said once, in the summary
    log = tmp_path / "cfg" / "logs" / "crawl.log"  # beside the feeds folder
    assert f"log:   {log}" in first.stdout
    text = log.read_text(encoding="utf-8")
    assert "[scrapy.core.engine] INFO: Spider closed (finished)" in text and failure in text

    # the same site at another address (as a rerun of the demo on new ports): every text is already stored
    again = serve("bitrix")
    entries = [source_entry(again, "volgoduma", "Europe/Volgograd")]
    config = write_config(tmp_path / "cfg", entries, scrapy={"RETRY_TIMES": 0})
    second = run_cli("crawl", "--config", config)
    assert second.returncode == 0 and second.stderr == ""
    assert "Dropped" not in second.stdout
    row = summary_rows(second.stdout)["volgoduma"]
    assert row[2] == "0" and row[5] == "18", second.stdout  # new articles 0, known text 18
    assert log.read_text(encoding="utf-8").count("has the same text as") == 18  # in the log file, at INFO
    assert len(read_csv(tmp_path / "cfg" / "feeds" / "articles.csv")) == 18


def test_verbose_shows_scrapys_log(serve, tmp_path):
    site = serve("homegrown")
    config = write_config(tmp_path / "cfg", [source_entry(site, "zsko", "Europe/Kirov")])
    result = run_cli("crawl", "--config", config, "--verbose")
    assert result.returncode == 0
    assert "[scrapy.core.engine] INFO: Spider opened" in result.stderr
    assert "Traceback" not in result.stderr


def test_ctrl_c_exits_130_after_the_clean_stop_and_status_shows_the_run(serve, tmp_path):
    build_site(tmp_path / "site", 120)
    site = serve(tmp_path / "site")
    config = write_config(tmp_path / "cfg", [source_entry(site, "big")],
                          scrapy={"DOWNLOAD_DELAY": 0.25, "CONCURRENT_REQUESTS_PER_DOMAIN": 1})
    before = run_cli("status", "--config", config, check=True).stdout
    assert re.search(r"^big\s+never", before, re.M)
    crawl = subprocess.Popen([sys.executable, "-m", "crawler", "crawl", "--config", str(config)], cwd=REPO,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        marker = tmp_path / "cfg" / "data" / "state.sqlite3.lock.running.json"
        deadline = time.monotonic() + 60
        while (len(site.requests) < 15 or not marker.exists()) and time.monotonic() < deadline:
            time.sleep(0.1)
        started = json.loads(marker.read_text(encoding="utf-8"))["started"]
        status = run_cli("status", "--config", config, check=True).stdout
        line = next(line for line in status.splitlines() if line.startswith("big "))
        assert "running" in line and started[:19].replace("T", " ") in line, status
        assert crawl.poll() is None, "the crawl ended before Ctrl-C"
        crawl.send_signal(signal.SIGINT)
        stdout, stderr = crawl.communicate(timeout=60)
    finally:
        if crawl.poll() is None:
            crawl.kill()
    assert crawl.returncode == 130, (stdout, stderr)
    assert "run stopped by Ctrl-C" in stdout and "Traceback" not in stderr
    runs = read_csv(tmp_path / "cfg" / "feeds" / "runs.csv")
    assert [row["status"] for row in runs] == ["stopped (shutdown)"]
    stored = int(runs[0]["new_articles"])
    assert 0 < stored < 120
    assert len(read_csv(tmp_path / "cfg" / "feeds" / "articles.csv")) == stored
    assert not marker.exists()
    after = run_cli("status", "--config", config, check=True).stdout
    assert "running" not in after and "stopped (shutdown)" in after


def test_no_live_line_with_no_progress_nor_in_the_service(serve, tmp_path):
    site = serve("homegrown")
    config = write_config(tmp_path / "cfg", [source_entry(site, "zsko", "Europe/Kirov")], scrapy=SLOW)
    for args in (["crawl", "--config", str(config), "--no-progress"],
                 ["schedule", "--config", str(config), "--once", "--verbose"]):  # the service, on a terminal
        child = pexpect.spawn(sys.executable, ["-m", "crawler", *args], cwd=str(REPO), encoding="utf-8",
                              timeout=180, dimensions=(30, 160))
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0, child.before[-3000:]
        assert "crawling:" not in child.before, child.before[-3000:]
    assert "source zsko: run" in child.before and "new articles 0" in child.before  # the service's own lines
    assert len(read_csv(tmp_path / "cfg" / "feeds" / "articles.csv")) == 12
