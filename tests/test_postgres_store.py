"""The state store on PostgreSQL: `state: postgresql+psycopg://…` works like the SQLite default.

Starts a throw-away PostgreSQL cluster on loopback (skipped where the server binaries are not installed).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml

from conftest import read_csv, run_cli, source_entry, write_config

PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def postgres():
    if not PG_BIN or not shutil.which("initdb", path=PG_BIN[-1]):
        pytest.skip("PostgreSQL server binaries are not installed")
    pytest.importorskip("psycopg")
    bin_dir = PG_BIN[-1]
    home = Path(tempfile.mkdtemp(prefix="dumawatch-pg-"))  # pytest's tmp dirs are private to root
    data = home / "pg"
    data.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(home, "postgres")
        shutil.chown(data, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    run = lambda *cmd: subprocess.run([*as_user, *cmd], check=True, capture_output=True, text=True)  # noqa: E731
    run(f"{bin_dir}/initdb", "-D", str(data), "-U", "postgres", "--auth=trust")
    run(f"{bin_dir}/pg_ctl", "-D", str(data), "-l", str(data / "log"), "-w", "-o",
        f"-h 127.0.0.1 -p {port} -k {data}", "start")
    try:
        run(f"{bin_dir}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "dumawatch")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/dumawatch"
    finally:
        run(f"{bin_dir}/pg_ctl", "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(home, ignore_errors=True)


def test_crawl_and_incremental_run_on_postgres(serve, tmp_path, postgres):
    site = serve("tverduma")
    config = write_config(tmp_path / "cfg", [source_entry(site, "tverduma")])
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["state"] = postgres
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    first = run_cli("crawl", "--config", config, check=True)
    assert len(read_csv(tmp_path / "cfg" / "feeds" / "articles.csv")) == 12, first.stdout
    site.requests.clear()
    run_cli("crawl", "--config", config, check=True)
    assert not [p for p in site.paths_requested() if p.rstrip("/").split("/")[-1].isdigit()]
    runs = read_csv(tmp_path / "cfg" / "feeds" / "runs.csv")
    assert sorted(r["new_articles"] for r in runs) == ["0", "12"]
    exported = run_cli("export", "--config", config, check=True)
    assert "articles.csv: 12 rows" in exported.stdout


def test_missing_driver_is_a_config_error(tmp_path):
    config = write_config(tmp_path, [])
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["state"] = "mysql://user@127.0.0.1/dumawatch"
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = run_cli("export", "--config", config)
    assert result.returncode == 2
    assert "the database driver for mysql is not installed" in result.stderr
