"""``dumawatch demo``: serve the bundled sample duma sites on loopback and crawl them for real.

Three sites in three CMS styles (1C-Bitrix, WordPress with RSS and a sitemap, a home-grown
windows-1251 site), each on its own 127.0.0.x address, crawled by the real spider and pipelines into
a directory of its own, with a config written there that a user can read and reuse.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from crawler.demo_server import DEMO_SITES_DIR, SiteServer, serve_site

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


def start_demo_sites(host_for: dict[str, str] | None = None) -> list[tuple[SiteServer, dict]]:
    """Serve each demo site on its own loopback address; returns (server, source entry) pairs."""
    started = []
    for site, host, entry in DEMO_SOURCES:
        server = serve_site(DEMO_SITES_DIR / site, host=(host_for or {}).get(site, host))
        started.append((server, {**entry, "url": server.base_url + "/"}))
    return started


def write_demo_config(directory: Path, entries: list[dict]) -> Path:
    """Write dumawatch.yaml, sources.yaml and watchlist.yaml for the demo into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "sources.yaml").write_text(
        yaml.safe_dump({"sources": entries}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (directory / "watchlist.yaml").write_text(
        yaml.safe_dump(DEMO_WATCHLIST, allow_unicode=True, sort_keys=False), encoding="utf-8")
    config = {
        "sources": "sources.yaml",
        "watchlist": "watchlist.yaml",
        "state": "state.sqlite3",
        "feeds": "feeds",
        "schedule": {"cron": "0 */2 * * *", "timezone": "Europe/Moscow"},
        "scrapy": {"DOWNLOAD_DELAY": 0, "CONCURRENT_REQUESTS_PER_DOMAIN": 4},
        "max_age_days": 100_000,  # the demo sites' news has fixed dates: keep it in range whenever the demo runs
    }
    path = directory / "dumawatch.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
