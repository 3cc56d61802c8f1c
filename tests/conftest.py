"""Shared test fixtures: loopback test sites, config files, and the real CLI in a subprocess.

Every site gets its own 127.0.0.x address so Scrapy's per-host politeness applies to it as it
would to a real site (Scrapy keys its download slots by host name, not port).
"""

from __future__ import annotations

import csv
import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from crawler.demo_server import DEMO_SITES_DIR, SiteServer, serve_site

REPO = Path(__file__).resolve().parent.parent
TEST_SITES = Path(__file__).resolve().parent / "sites"
_addresses = itertools.count(10 + (os.getpid() % 40) * 5)


def next_loopback_address() -> str:
    return f"127.0.0.{next(_addresses) % 250 + 2}"


@pytest.fixture
def serve():
    """serve(name_or_path) → a running SiteServer for tests/sites/NAME, crawler/demo_sites/NAME or a path."""
    servers: list[SiteServer] = []

    def start(site: str | Path) -> SiteServer:
        root = Path(site)
        if not root.is_absolute():
            root = TEST_SITES / site if (TEST_SITES / site).is_dir() else DEMO_SITES_DIR / site
        server = serve_site(root, host=next_loopback_address())
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def write_config(directory: Path, sources: list[dict], watchlist: dict | None = None, scrapy: dict | None = None,
                 **extra) -> Path:
    """Write dumawatch.yaml + sources.yaml + watchlist.yaml into ``directory``; returns the config path."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "sources.yaml").write_text(yaml.safe_dump({"sources": sources}, allow_unicode=True),
                                            encoding="utf-8")
    (directory / "watchlist.yaml").write_text(yaml.safe_dump(watchlist or {"names": [], "topics": []},
                                                             allow_unicode=True), encoding="utf-8")
    extra.setdefault("max_age_days", 100_000)  # fixture sites carry fixed dates: keep them all in range
    extra.setdefault("workers", 0)  # pages cleaned in the crawl process: no pool to start (tests/test_workers_e2e.py)
    config = {"sources": "sources.yaml", "watchlist": "watchlist.yaml", "state": "data/state.sqlite3",
              "feeds": "feeds", "scrapy": {"DOWNLOAD_DELAY": 0, "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
                                           **(scrapy or {})}, **extra}
    path = directory / "dumawatch.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def source_entry(server: SiteServer, sid: str, timezone: str = "Europe/Moscow", **fields) -> dict:
    return {"id": sid, "name": fields.pop("name", server.name), "region": fields.pop("region", "Тестовая область"),
            "url": server.base_url + "/", "timezone": timezone, **fields}


def run_cli(*args: str, timeout: float = 180, check: bool = False, **kwargs) -> subprocess.CompletedProcess:
    """Run ``python -m crawler ARGS`` (the same entry point as ``dumawatch``) in a subprocess."""
    result = subprocess.run([sys.executable, "-m", "crawler", *map(str, args)], capture_output=True, text=True,
                            timeout=timeout, cwd=kwargs.pop("cwd", REPO), **kwargs)
    if check and result.returncode != 0:
        raise AssertionError(f"dumawatch {' '.join(map(str, args))} exited {result.returncode}:\n"
                             f"{result.stdout}\n{result.stderr}")
    return result


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))
