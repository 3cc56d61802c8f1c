"""The ``dumawatch`` command line: crawl, export, demo (and the service commands built on them).

Exit codes: 0 the command finished (a crawl whose sources failed still finished: they are reported);
2 a bad configuration or bad arguments (one line on stderr, nothing crawled, nothing overwritten);
3 another run holds the store's lock.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

from crawler import __version__
from crawler.config import DEFAULT_CONFIG, load_config, parse_workers
from crawler.errors import ConfigError, LockedError
from crawler.tables import print_table

EXIT_CONFIG = 2
EXIT_LOCKED = 3


def _add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG,
                        help=f"path to dumawatch.yaml (default: {DEFAULT_CONFIG})")


def _add_selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", action="append", metavar="ID", help="only this source (repeatable)")
    parser.add_argument("--region", action="append", metavar="TEXT",
                        help="only sources whose region contains TEXT (repeatable)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dumawatch", description="Media monitor for the news of Russia's regional parliaments.")
    parser.add_argument("--version", action="version", version=f"dumawatch {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    crawl = commands.add_parser("crawl", help="crawl every enabled source once, update the store, rewrite the feeds",
                                description="Crawl every enabled source once now, update the state store, "
                                            "rewrite the CSV feeds and print a summary per source.")
    _add_config(crawl)
    _add_selection(crawl)
    crawl.add_argument("--verbose", action="store_true", help="show Scrapy's own log")
    crawl.add_argument("--workers", metavar="N", help="worker processes that clean, date and match the pages "
                                                       "beside the crawl: a number (0: none) or 'auto' "
                                                       "(default: the config's 'workers', else auto)")

    export = commands.add_parser("export", help="rewrite the CSV feeds from the store without crawling",
                                 description="Rewrite articles.csv, mentions.csv and runs.csv from the store.")
    _add_config(export)

    demo = commands.add_parser("demo", help="crawl the bundled sample duma sites offline",
                               description="Serve the bundled sample duma sites (1C-Bitrix, WordPress, a "
                                           "windows-1251 home-grown CMS) on loopback and crawl them with the "
                                           "real pipeline.")
    demo.add_argument("--dir", type=Path, help="where to write the demo config, store and feeds "
                                               "(default: a new temporary directory)")
    demo.add_argument("--verbose", action="store_true", help="show Scrapy's own log")

    schedule = commands.add_parser("schedule", help="run the crawl service on the configured schedule",
                                   description="Run the crawls on the cron schedules of the config until "
                                               "SIGTERM/SIGINT (each run in its own process; logs to stderr and "
                                               "the rotating log file).")
    _add_config(schedule)
    schedule.add_argument("--once", action="store_true", help="run every scheduled job once now, then exit")
    schedule.add_argument("--verbose", action="store_true", help="show Scrapy's own log of the crawls")

    status = commands.add_parser("status", help="last run, next run and health of each source",
                                 description="Print a table: the last run of each source, its next scheduled "
                                             "time and its health flags.")
    _add_config(status)

    sources = commands.add_parser("sources", help="work with the source registry",
                                  description="Commands about the configured sources.")
    sources_commands = sources.add_subparsers(dest="sources_command", required=True, metavar="SUBCOMMAND")
    check = sources_commands.add_parser(
        "check", help="visit each source once and tell whether its news can be followed",
        description="Visit each selected source once (robots.txt obeyed) and print, per source: reachable or "
                    "not, which discovery worked (feed / sitemap / listing / none), how many article URLs it "
                    "found, a sample article (title, date, first words) and a verdict: ok, needs a profile, "
                    "down. The state store and the feeds are not touched.")
    _add_config(check)
    _add_selection(check)
    check.add_argument("--write-report", type=Path, metavar="FILE", help="also save the report as CSV")
    check.add_argument("--verbose", action="store_true",
                       help="show Scrapy's own log (off by default: every failure is in the report)")
    _add_reading_commands(commands)
    return parser


def _add_reading_commands(commands) -> None:
    """``browse``, ``search`` and ``reindex``: reading the store (crawler/browse.py, crawler/search.py)."""
    from crawler.browse import DEFAULT_PORT

    browse = commands.add_parser("browse", help="browse and search the store in a web browser (Datasette)",
                                 description="Serve the store read-only with Datasette: articles and mentions "
                                             "with facets, full-text search in every form of the words, "
                                             "canned queries. SQLite stores only.")
    _add_config(browse)
    browse.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    browse.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT})")

    search = commands.add_parser("search", help="print the stored articles that match a query",
                                 description="Print the articles holding every word of QUERY in any form "
                                             "(«Блошкин» finds «Блошкиным»), best first: date, source, title, "
                                             "URL and a snippet with the match in [brackets].")
    _add_config(search)
    search.add_argument("query", metavar="QUERY")
    search.add_argument("--since", metavar="DATE", help="only articles published on or after DATE (YYYY-MM-DD)")
    search.add_argument("--source", metavar="ID", help="only this source's articles")
    search.add_argument("--exact", action="store_true", help="match the words as typed, not every form")
    search.add_argument("--limit", type=int, default=20, metavar="N", help="at most N articles (default: 20)")

    reindex = commands.add_parser("reindex", help="(re)build the store's full-text index, with progress",
                                  description="Build the full-text index (words as written and in normal "
                                              "form) of every stored article: once, for a store made before "
                                              "the index existed. Takes the store's lock.")
    _add_config(reindex)


def print_summary(result, out=sys.stdout) -> None:
    rows = [("source", "pages", "new articles", "mentions", "errors")]
    rows += [(s.source_id, str(s.pages), str(s.new_articles), str(s.new_mentions), str(s.errors))
             for s in result.sources]
    print_table(rows, out, right=range(1, len(rows[0])))
    for source in result.sources:
        for detail in source.error_detail:
            print(f"  {source.source_id}: {detail}", file=out)
    if result.stopped_early:
        print(f"run stopped early: {result.stopped_early}", file=out)
    print(f"run {result.run_id}: {sum(s.new_articles for s in result.sources)} new articles "
          f"in {result.duration:.1f} s", file=out)


def cmd_crawl(args) -> int:
    from crawler.runner import run_crawl, select_sources

    config = load_config(args.config)
    workers = None if args.workers is None else parse_workers(args.workers, "--workers")
    sources = select_sources(config, args.source, args.region)
    if not sources:
        print("dumawatch: no enabled source matches the selection; nothing to crawl", file=sys.stderr)
    result = run_crawl(config, sources, verbose=args.verbose, workers=workers)
    print_summary(result)
    print(f"feeds: {config.feeds_dir}")
    return 0


def cmd_export(args) -> int:
    from crawler.feeds import export_feeds
    from crawler.locking import store_lock
    from crawler.store import Store

    config = load_config(args.config)
    with store_lock(config.lock_path):
        store = Store(config.state_url)
        try:
            counts = export_feeds(config, store, force=True)
        finally:
            store.close()
    for name, count in counts.items():
        print(f"{config.feeds_dir / name}: {count} rows")
    return 0


def cmd_demo(args) -> int:
    from crawler.demo import start_demo_sites, write_demo_config
    from crawler.runner import run_crawl

    clock = time.monotonic()
    directory = args.dir or Path(tempfile.mkdtemp(prefix="dumawatch-demo-"))
    servers = start_demo_sites()
    try:
        for server, entry in servers:
            print(f"serving {server.name} ({entry['id']}) at {server.base_url}/")
        config_path = write_demo_config(directory.resolve(), [entry for _, entry in servers])
        config = load_config(config_path)
        result = run_crawl(config, config.enabled_sources, verbose=args.verbose)
    finally:
        for server, _ in servers:
            server.stop()
    print_summary(result)
    print(f"\nconfig: {config_path}\nfeeds:  {config.feeds_dir}")
    for name, count in result.feeds.items():
        print(f"  {name}: {count} rows")
    _print_sample(config.feeds_dir / "articles.csv", ["published_at", "source_id", "title", "names"], 5)
    _print_sample(config.feeds_dir / "mentions.csv", ["source_id", "watch", "matched"], 5)
    print(f"\ndemo took {time.monotonic() - clock:.1f} s")
    return 0


def _print_sample(path: Path, columns: list[str], limit: int) -> None:
    print(f"\n{path.name} (first {limit} rows):")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for index, row in enumerate(csv.DictReader(handle)):
            if index >= limit:
                break
            print("  " + " | ".join(row[c][:70] for c in columns))


def cmd_sources(args) -> int:
    from crawler.source_check import cmd_sources_check

    return cmd_sources_check(args)


def cmd_schedule(args) -> int:
    from crawler.service import serve

    return serve(load_config(args.config), once=args.once, verbose=args.verbose)


def cmd_status(args) -> int:
    from crawler.status import print_status

    print_status(load_config(args.config))
    return 0


def cmd_browse(args) -> int:
    from crawler.browse import cmd_browse as browse

    return browse(args)


def cmd_search(args) -> int:
    from crawler.search import cmd_search as search

    return search(args)


def cmd_reindex(args) -> int:
    from crawler.search import cmd_reindex as reindex

    return reindex(args)


COMMANDS = {"crawl": cmd_crawl, "export": cmd_export, "demo": cmd_demo, "sources": cmd_sources,
            "schedule": cmd_schedule, "status": cmd_status, "browse": cmd_browse, "search": cmd_search,
            "reindex": cmd_reindex}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ConfigError as exc:
        print(f"dumawatch: error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except LockedError as exc:
        print(f"dumawatch: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except KeyboardInterrupt:
        print("dumawatch: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
