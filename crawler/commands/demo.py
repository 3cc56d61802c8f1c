"""``dumawatch demo``: serve the bundled sample duma sites on loopback and crawl them for real.

Three sites in three CMS styles (1C-Bitrix, WordPress with RSS and a sitemap, a home-grown
windows-1251 site), each on its own 127.0.0.x address, crawled by the real spider and pipelines into
a directory of its own, with a config written there that a user can read and reuse.

The sites listen on fixed ports (``DEMO_PORT`` on each address, any free port when it is taken), so the
config a first ``demo --dir D`` wrote still points at the sites of the next ``demo --serve --dir D``. The
files the demo writes are recorded in ``.dumawatch-demo.json`` (their SHA-256): a later run rewrites a file
only while it is still what the demo wrote; a file the user changed is kept, and the demo says so.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import yaml

from crawler.commands.demo_server import DEMO_SITES_DIR, SiteServer, serve_site

DEMO_SOURCES = [
    # (site directory, loopback address, source entry without url)
    ("bitrix", "127.0.0.2", {"id": "volgoduma", "name": "Волгоградская областная дума",
                             "region": "Волгоградская область", "timezone": "Europe/Volgograd"}),
    ("wordpress", "127.0.0.3", {"id": "zskuzbass", "name": "Законодательное собрание Кузбасса",
                                "region": "Кемеровская область — Кузбасс", "timezone": "Asia/Novokuznetsk"}),
    ("homegrown", "127.0.0.4", {"id": "zsko", "name": "Законодательное собрание Кировской области",
                                "region": "Кировская область", "timezone": "Europe/Kirov"}),
]

DEMO_WATCHLIST = {
    "names": [
        {"name": "Александр Блошкин", "aliases": ["Блошкин А.В."]},
        {"name": "Ольга Пыжова"},
    ],
    "topics": [
        {"name": "Память о Сталинградской битве", "keywords": ["Сталинградская битва", "Сталинградская победа"]},
        {"name": "Газификация", "keywords": ["газификация", "газоснабжение"]},
    ],
}


DEMO_PORT = 47017          # the same port on each demo address, so a written config stays valid
MANIFEST = ".dumawatch-demo.json"


def start_demo_sites(host_for: dict[str, str] | None = None, port: int = DEMO_PORT) -> list[tuple[SiteServer, dict]]:
    """Serve each demo site on its own loopback address; returns (server, source entry) pairs."""
    started = []
    for site, host, entry in DEMO_SOURCES:
        address = (host_for or {}).get(site, host)
        try:
            server = serve_site(DEMO_SITES_DIR / site, host=address, port=port)
        except OSError:  # the port is taken (another demo is serving): any free one
            server = serve_site(DEMO_SITES_DIR / site, host=address)
        started.append((server, {**entry, "url": server.base_url + "/"}))
    return started


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_demo_config(directory: Path, entries: list[dict]) -> tuple[Path, list[str]]:
    """Write dumawatch.yaml, sources.yaml and watchlist.yaml for the demo into ``directory``.

    Returns the config's path and the names of the files kept because the user changed them.
    """
    directory.mkdir(parents=True, exist_ok=True)
    manifest_path = directory / MANIFEST
    try:
        written = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        written = {}
    kept = []
    for name, text in demo_files(entries).items():
        path, data = directory / name, text.encode("utf-8")
        if path.exists():
            current = path.read_bytes()
            if current != data and _digest(current) != written.get(name):
                kept.append(name)  # not what the demo wrote last: the user's
                continue
        path.write_bytes(data)
        written[name] = _digest(data)
    manifest_path.write_text(json.dumps(written, indent=1), encoding="utf-8")
    return directory / "dumawatch.yaml", kept


def demo_files(entries: list[dict]) -> dict[str, str]:
    """The demo's config files: name → text."""
    config = {
        "sources": "sources.yaml",
        "watchlist": "watchlist.yaml",
        "state": "state.sqlite3",
        "feeds": "feeds",
        "schedule": {"cron": "0 */2 * * *", "timezone": "Europe/Moscow"},
        "scrapy": {"DOWNLOAD_DELAY": 0, "CONCURRENT_REQUESTS_PER_DOMAIN": 4},
        "max_age_days": 100_000,  # the demo sites' news has fixed dates: keep it in range whenever the demo runs
    }
    return {
        "dumawatch.yaml": yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
        "sources.yaml": yaml.safe_dump({"sources": entries}, allow_unicode=True, sort_keys=False),
        "watchlist.yaml": yaml.safe_dump(DEMO_WATCHLIST, allow_unicode=True, sort_keys=False),
    }
