"""The crawls ``scripts/same_feeds.py`` runs on each side: which sites, which sources, which watchlist, which commands.

Each scenario mirrors the end-to-end tests that serve those sites (the test named beside it), with a watchlist
that exercises mentions. The sites are fixtures, not code under test: they come from the *after* side's tree
(``tests/sites/``, ``crawler/demo_sites/`` and the generators in ``tests/``), are built once and are served to
both sides alike. ``fx`` is the namespace of the after side's fixture modules (see ``same_feeds.load_fixtures``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import SimpleNamespace


@dataclass
class Site:
    """A site to serve: ``build(directory) → root`` (a static site, see ``crawler/commands/demo_server.py``), or the
    fault-injection site of ``tests/fault_server.py`` (``faults=True``, made fresh for each side)."""

    build: Callable[[Path], Path] | None = None
    faults: bool = False


@dataclass
class Step:
    """One CLI command on the scenario's config (``--config`` is added), with what differs for this step."""

    command: tuple[str, ...] = ("crawl",)
    watchlist: dict | None = None                          # None: the scenario's
    sites: dict[str, Site] = field(default_factory=dict)   # key → another site at the same address (a week later)


@dataclass
class Scenario:
    name: str
    sites: dict[str, Site] = field(default_factory=dict)
    sources: Callable[[dict], list[dict]] = lambda servers: []   # servers by key → source entries
    watchlist: dict | None = None
    config: dict = field(default_factory=dict)                   # extra dumawatch.yaml keys (conftest.write_config)
    steps: list[Step] = field(default_factory=lambda: [Step()])
    store: Callable[[Path], object] | None = None                # fills a SQLite store copied to each side first
    demo: bool = False                                           # `dumawatch demo --dir D` instead of steps


ONCE_MORE = [Step(), Step()]   # a crawl, then an unchanged rerun on the same store (conditional requests, 304s)


def scenarios(fx: SimpleNamespace) -> list[Scenario]:
    entry = fx.conftest.source_entry
    sites = fx.conftest.TEST_SITES
    demo_sites = fx.demo_server.DEMO_SITES_DIR
    mentions = fx.mentions_watchlist

    def static(root: Path) -> Site:
        return Site(build=lambda _directory: root)

    def built(make: Callable[[Path], object]) -> Site:
        def build(directory: Path) -> Path:
            make(directory)
            return directory
        return Site(build=build)

    def without(watchlist: dict, name: str) -> dict:
        reduced = copy.deepcopy(watchlist)
        for kind in ("names", "topics"):
            reduced[kind] = [watch for watch in reduced[kind] if watch["name"] != name]
        return reduced

    def deep(style: str, index: int) -> Scenario:
        site = built(lambda d: fx.deepsite.build_deep_site(d, style, 120, per_page=10, first=index * 5000,
                                                           sitemap_size=10 if style == "wordpress" else 0))
        return Scenario(f"deepsite_{style}", {"site": site}, lambda s: [entry(s["site"], style)],
                        fx.archive_watchlist)

    today = date.today()
    return [
        # crawler/commands/demo.py, tests/test_demo_e2e.py: the demo as users run it (workers: auto)
        Scenario("demo", demo=True),
        # tests/test_dates_e2e.py, test_terminal.py, test_bad_input.py: the demo sites through the test machinery
        Scenario("demo_sites", {"bitrix": static(demo_sites / "bitrix"), "wordpress": static(demo_sites / "wordpress"),
                                "homegrown": static(demo_sites / "homegrown")},
                 lambda s: [entry(s["bitrix"], "volgoduma", "Europe/Volgograd"),
                            entry(s["wordpress"], "zskuzbass", "Asia/Novokuznetsk"),
                            entry(s["homegrown"], "zsko", "Europe/Kirov")],
                 fx.demo.DEMO_WATCHLIST, steps=ONCE_MORE),
        # tests/test_mentions_e2e.py (and test_rematch.py below)
        Scenario("mentions", {"site": static(sites / "mentions")}, lambda s: [entry(s["site"], "mentions")], mentions),
        # the other pipeline wiring (crawler/settings.py): clean, dates and mentions in worker processes
        Scenario("mentions_workers", {"site": static(sites / "mentions")}, lambda s: [entry(s["site"], "mentions")],
                 mentions, config={"workers": 2}),
        # tests/test_rematch.py: crawled with a smaller watchlist, then `rematch` with the whole one
        Scenario("rematch", {"site": static(sites / "mentions")}, lambda s: [entry(s["site"], "mentions")], mentions,
                 steps=[Step(watchlist=without(without(mentions, "Ольга Пыжова"), "Газификация")),
                        Step(("rematch",))]),
        # tests/test_dedupe_e2e.py, test_service.py, test_health.py, …
        Scenario("tverduma", {"site": static(sites / "tverduma")}, lambda s: [entry(s["site"], "tverduma")],
                 mentions, steps=ONCE_MORE),
        Scenario("variants", {"site": static(sites / "variants")}, lambda s: [entry(s["site"], "variants")], mentions),
        Scenario("reprints", {"duma": static(sites / "reprint_duma"), "portal": static(sites / "reprint_portal")},
                 lambda s: [entry(s["portal"], "portal"), entry(s["duma"], "duma")], mentions),
        # tests/test_dates_e2e.py: generic dates, then a profile's date/title/body selectors
        Scenario("relative_dates", {"site": static(sites / "relative_dates")},
                 lambda s: [entry(s["site"], "sndko", "Asia/Novokuznetsk")], mentions),
        Scenario("relative_dates_profiled", {"site": static(sites / "relative_dates")},
                 lambda s: [entry(s["site"], "sndko", "Asia/Novokuznetsk", date="div.footer span.published",
                                  title="//div[@class='col-main']/h1", body="div.col-main")], mentions),
        # tests/test_discover_e2e.py
        Scenario("discover_portal", {"site": static(sites / "discover_portal")},
                 lambda s: [entry(s["site"], "portal")], mentions),
        Scenario("discover_aspx", {"site": static(sites / "discover_aspx")}, lambda s: [entry(s["site"], "aspx")],
                 mentions, steps=[Step(), Step(sites={"site": static(sites / "discover_aspx_later")})]),
        Scenario("mixedsite", {"site": built(fx.mixedsite.build_site)}, lambda s: [entry(s["site"], "big")],
                 mentions, steps=ONCE_MORE),
        # tests/test_render_js.py: without a browser nothing is read; with `render: js` (needs Chromium)
        Scenario("discover_js", {"site": static(sites / "discover_js")}, lambda s: [entry(s["site"], "khural")],
                 mentions),
        Scenario("discover_js_rendered", {"site": static(sites / "discover_js")},
                 lambda s: [entry(s["site"], "khural", render="js")], mentions),
        # tests/test_source_check.py's sites, crawled
        Scenario("check_sites", {name: static(sites / name) for name in (
            "check_wordpress_feed", "check_joomla_sitemap", "check_homegrown_nonews", "check_bitrix_profile",
            "check_gone")},
                 lambda s: [entry(s["check_wordpress_feed"], "wp_feed", region="Республика Ингушетия"),
                            entry(s["check_joomla_sitemap"], "joomla_sitemap", timezone="Europe/Ulyanovsk",
                                  region="Ульяновская область"),
                            entry(s["check_homegrown_nonews"], "js_news", timezone="Asia/Krasnoyarsk",
                                  region="Республика Тыва"),
                            entry(s["check_bitrix_profile"], "bitrix_with_profile", region="Белгородская область",
                                  listing=[s["check_bitrix_profile"].base_url + "/chronicle/"],
                                  article_pattern=r"/chronicle/detail\.php\?doc=\d+"),
                            entry(s["check_gone"], "site_gone")],
                 mentions, config={"scrapy": {"DOWNLOAD_TIMEOUT": 5, "RETRY_TIMES": 1}}),
        Scenario("check_bitrix_bare", {"site": static(sites / "check_bitrix_profile")},
                 lambda s: [entry(s["site"], "bitrix_without_profile", region="Белгородская область")], mentions),
        # tests/test_crash_and_lock.py's generated Bitrix site
        Scenario("bigsite", {"site": built(lambda d: fx.bigsite.build_site(d, 40))},
                 lambda s: [entry(s["site"], "bigsite")], fx.archive_watchlist),
        # tests/test_completeness.py: four CMS shapes with deep listings (a Drupal RSS feed, a WordPress sitemap)
        # (one site each: the four together share texts, so which copy is the original is the crawl's order)
        *(deep(style, index) for index, style in enumerate(fx.deepsite.STYLES)),
        # tests/test_search_e2e.py (search_sites.crawl_sites)
        Scenario("search_sites", {"homegrown": built(fx.search_sites.write_homegrown),
                                  "wordpress": built(fx.search_sites.write_wordpress)},
                 lambda s: [entry(s["homegrown"], "gossovet", listing=[s["homegrown"].base_url + "/Info.aspx?type=list"],
                                  article_pattern=r"Info\.aspx\?id=\d+"),
                            entry(s["wordpress"], "zswp", listing=[s["wordpress"].base_url + "/news/"],
                                  region="Соседняя область")],
                 fx.search_sites.WATCHLIST),
        # tests/test_feed_archive.py: 14 months of stored history (the archive months), then a crawl of a new site
        Scenario("history", {"site": built(lambda d: fx.bigsite.build_site(d, 6, published=lambda n: today))},
                 lambda s: [entry(s["site"], "newsite", region="Новгородская область",
                                  name="Новгородская областная дума"),
                            *({**source, "url": f"http://{source['id']}.example/", "timezone": "Europe/Moscow",
                               "enabled": False} for source in fx.history.HISTORY_SOURCES)],
                 fx.archive_watchlist, config={"feed_window_days": 60},
                 store=lambda path: fx.history.fill_history(path, days=425, per_day=4)),
        # tests/test_faults.py: every fault of the fault site beside a good source
        Scenario("faults", {"faulty": Site(faults=True), "good": static(demo_sites / "bitrix")},
                 lambda s: [{"id": "faulty", "name": "Сбойная дума", "region": "Тестовая область",
                             "url": s["faulty"].base_url + "/", "timezone": "Europe/Moscow",
                             "listing": [s["faulty"].base_url + "/news/"], "article_pattern": r"/news/\d+-[a-z0-9-]+/$"},
                            entry(s["good"], "volgoduma", timezone="Europe/Volgograd")],
                 mentions, config={"scrapy": {"DOWNLOAD_TIMEOUT": 3, "RETRY_TIMES": 1, "DUMAWATCH_RETRY_BACKOFF": 0.2,
                                              "DUMAWATCH_RETRY_AFTER_MAX": 2}}),
    ]
