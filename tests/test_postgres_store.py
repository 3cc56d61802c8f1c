"""The state store on PostgreSQL: `state: postgresql+psycopg://…` works like the SQLite default.

Runs on a fresh database of the PostgreSQL server on loopback (tests/pgserver.py; scripts/test.sh starts it).
"""

from __future__ import annotations

import pytest
import yaml

from conftest import read_csv, run_cli, source_entry, write_config
from pgserver import fresh_database

pytestmark = pytest.mark.e2e


@pytest.fixture
def postgres():
    with fresh_database() as url:
        yield url


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
