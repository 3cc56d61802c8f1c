"""A demo to keep using: ``demo --serve`` keeps the sample sites up for another process's crawl, and
``demo --dir`` never overwrites a config file the user changed."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest
import yaml

from conftest import REPO, read_csv, run_cli

pytestmark = pytest.mark.e2e


def test_demo_serve_keeps_the_sites_up_for_another_crawl(tmp_path):
    directory = tmp_path / "demo"
    demo = subprocess.Popen([sys.executable, "-m", "crawler", "demo", "--serve", "--dir", str(directory)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = demo.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "stay up until Ctrl-C" in line:
                break
        assert any("stay up until Ctrl-C" in line for line in lines), "".join(lines) + demo.stderr.read()
        config = directory / "dumawatch.yaml"
        assert f"dumawatch crawl --config {config}" in demo.stdout.readline() + demo.stdout.readline()

        # the user adds a name to the watchlist and crawls again, from another process, while the demo serves
        watchlist = yaml.safe_load((directory / "watchlist.yaml").read_text(encoding="utf-8"))
        watchlist["topics"].append({"name": "Здравоохранение", "keywords": ["поликлиника"]})
        (directory / "watchlist.yaml").write_text(yaml.safe_dump(watchlist, allow_unicode=True), encoding="utf-8")
        again = run_cli("crawl", "--config", config, timeout=120)
        assert again.returncode == 0, again.stderr
        # the one line on stderr says the stored articles were matched with the old watchlist (see `rematch`)
        assert [line for line in again.stderr.splitlines() if "dumawatch rematch" not in line] == [], again.stderr
        assert "watchlist.yaml changed" in again.stderr
        rows = {line.split()[0]: line.split() for line in again.stdout.splitlines()
                if line.split() and line.split()[0] in ("volgoduma", "zskuzbass", "zsko")}
        assert set(rows) == {"volgoduma", "zskuzbass", "zsko"}
        assert all(int(row[1]) > 0 and row[4] == "0" for row in rows.values()), again.stdout  # pages, no errors
        assert "connection refused" not in again.stdout
        status = run_cli("status", "--config", config, check=True).stdout
        assert status.count(" ok ") >= 3, status
        demo.send_signal(signal.SIGINT)
        demo.communicate(timeout=30)
    finally:
        if demo.poll() is None:
            demo.kill()
    assert demo.returncode == 0
    sources = yaml.safe_load((directory / "sources.yaml").read_text(encoding="utf-8"))["sources"]
    for entry in sources:  # Ctrl-C closed the sites
        parts = urlsplit(entry["url"])
        with socket.socket() as probe:
            probe.settimeout(2)
            assert probe.connect_ex((parts.hostname, parts.port)) != 0


def test_demo_dir_keeps_an_edited_file(tmp_path):
    directory = tmp_path / "demo"
    first = run_cli("demo", "--dir", directory, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "kept your edited" not in first.stdout
    assert "`dumawatch demo --serve` keeps them up" in first.stdout
    edited = "names:\n  - name: Ольга Пыжова\ntopics: []\n"
    (directory / "watchlist.yaml").write_text(edited, encoding="utf-8")
    sources_before = (directory / "sources.yaml").read_bytes()

    second = run_cli("demo", "--dir", directory, timeout=120)
    assert second.returncode == 0, second.stderr
    assert f"kept your edited {directory / 'watchlist.yaml'} (not overwritten)" in second.stdout
    assert (directory / "watchlist.yaml").read_text(encoding="utf-8") == edited
    assert f"kept your edited {directory / 'sources.yaml'}" not in second.stdout
    sources_after = (directory / "sources.yaml").read_bytes()
    if sources_after != sources_before:  # the fixed demo ports were taken by another demo: the file follows
        assert b"127.0.0.2:" in sources_after
    assert len(read_csv(directory / "feeds" / "articles.csv")) == 44

    # a file the demo wrote and the user left alone is still the demo's to rewrite
    (directory / "dumawatch.yaml").unlink()
    third = run_cli("demo", "--dir", directory, timeout=120)
    assert third.returncode == 0 and (directory / "dumawatch.yaml").exists()
    assert f"kept your edited {directory / 'watchlist.yaml'}" in third.stdout
    assert f"kept your edited {directory / 'dumawatch.yaml'}" not in third.stdout
