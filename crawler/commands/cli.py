"""The ``dumawatch`` command line: crawl, export, demo, migrate (and the service commands built on them:
schedule, status, and worker for several crawl hosts).

Exit codes: 0 the command finished (a crawl in which some sources failed still finished: they are reported);
1 the crawl finished and is stored, but the feeds could not be written (one line; ``export`` retries);
2 a bad configuration or bad arguments (one line on stderr, nothing crawled, nothing overwritten);
3 another run holds the store's lock; 4 a crawl in which every selected source failed (reported as well);
130 a crawl stopped by Ctrl-C (after its clean stop: what it fetched is stored, the feeds are written).

Each command imports its own modules when it runs (inside its ``cmd_*`` function), on purpose: ``status``,
``search`` or ``--help`` start without loading Scrapy, Twisted, trafilatura or the morphology.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from crawler import __version__
from crawler.config import DEFAULT_CONFIG, load_config, parse_workers
from crawler.errors import (
    EXIT_ALL_FAILED,
    EXIT_CONFIG,
    EXIT_FEEDS,
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    ConfigError,
    LockedError,
)
from crawler.report.tables import print_table


def _add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG,
                        help=f"path to dumawatch.yaml (default: {DEFAULT_CONFIG})")


def _add_selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", action="append", metavar="ID", help="only this source (repeatable)")
    parser.add_argument("--region", action="append", metavar="TEXT",
                        help="only sources whose region has a word starting with TEXT, e.g. Волгоград, "
                             "Кузбасс (repeatable)")


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
    crawl.add_argument("--no-export", action="store_true",
                       help="record the run in the store but leave the feeds alone (a `dumawatch worker`'s "
                            "crawls: the service exports them)")
    crawl.add_argument("--no-progress", dest="progress", action="store_false",
                       help="no live progress line, even on a terminal (the service's runs never have one)")
    crawl.add_argument("--workers", metavar="N", help="worker processes that clean, date and match the pages "
                                                       "beside the crawl: a number (0: none) or 'auto' "
                                                       "(default: the config's 'workers', else auto)")

    rematch = commands.add_parser("rematch", help="apply the current watchlist to every stored article",
                                  description="Match every stored article again with the current watchlist "
                                              "(mentions, names and topics), then rewrite the feeds. Needed "
                                              "after a change to watchlist.yaml; sends no alerts.")
    _add_config(rematch)

    export = commands.add_parser(
        "export", help="rewrite the CSV feeds from the store without crawling, or export any period",
        description="Rewrite the recent window's articles.csv, mentions.csv and runs.csv, health.csv, the archive "
                    "months that changed and the chart from the store. With --all, --since or --until, write "
                    "articles.csv, mentions.csv and runs.csv of that period instead, into a folder of their own.")
    _add_config(export)
    export.add_argument("--all", action="store_true", help="export the whole history (into <feeds>/export/all/)")
    export.add_argument("--since", metavar="YYYY-MM-DD", help="export from this day on (inclusive)")
    export.add_argument("--until", metavar="YYYY-MM-DD", help="export up to this day (inclusive)")
    export.add_argument("--out", type=Path, metavar="DIR",
                        help="folder for --all/--since/--until (default: <feeds>/export/<period>/)")

    demo = commands.add_parser("demo", help="crawl the bundled sample duma sites offline",
                               description="Serve the bundled sample duma sites (1C-Bitrix, WordPress, a "
                                           "windows-1251 home-grown CMS) on loopback and crawl them with the "
                                           "real pipeline. A config file you edited in --dir is kept.")
    demo.add_argument("--dir", type=Path, help="where to write the demo config, store and feeds "
                                               "(default: a new temporary directory)")
    demo.add_argument("--serve", action="store_true", help="keep the sample sites up after the crawl, until "
                                                            "Ctrl-C, to crawl them again with the printed config")
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

    migrate = commands.add_parser("migrate", help="create or upgrade the store's schema now",
                                  description="Create the state store's tables, or upgrade a store made by an "
                                              "older version, to this version's schema (Alembic migrations). "
                                              "Every writing command does this by itself on first use; "
                                              "`status` never does.")
    _add_config(migrate)

    worker = commands.add_parser("worker", help="run crawl tasks from the queue (several hosts, one PostgreSQL)",
                                 description="Take the service's crawl tasks off the Celery queue (the config's "
                                             "'broker', default redis://127.0.0.1:6379/0) and run each as a fresh "
                                             "crawl into the shared store, until SIGTERM/SIGINT.")
    _add_config(worker)
    worker.add_argument("--broker", metavar="URL", help="Redis or RabbitMQ URL (default: the config's 'broker')")
    worker.add_argument("--concurrency", type=int, default=1, metavar="N",
                        help="crawls this worker runs at once (default: 1)")
    worker.add_argument("--name", help="the worker's name in the logs (default: dumawatch-PID@HOST)")
    worker.add_argument("--verbose", action="store_true", help="Celery's log of every task")

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


ROUTINE_NOTES = ("no article text on ",)  # counted in the "no text" column, not listed one by one


def _add_reading_commands(commands) -> None:
    """``browse``, ``search`` and ``reindex``: reading the store (crawler/commands/browse.py, crawler/commands/search.py)."""
    from crawler.commands.browse import DEFAULT_PORT

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
    """One row per source, then each failure once (routine drops are counted, not listed)."""
    rows = [("source", "pages", "new articles", "mentions", "errors", "known text", "no text", "too old",
             "not news")]
    rows += [(s.source_id, str(s.pages), str(s.new_articles), str(s.new_mentions), str(s.errors),
              str(s.duplicates), str(s.empty_pages), str(s.too_old), str(s.not_news)) for s in result.sources]
    print_table(rows, out, right=range(1, len(rows[0])))
    for source in result.sources:
        for detail in source.error_detail:
            if not detail.startswith(ROUTINE_NOTES):
                print(f"  {source.source_id}: {detail}", file=out)
        for limit in source.limit_hit:
            print(f"  {source.source_id}: limit hit: {limit}", file=out)
    failed = [s.source_id for s in result.sources if s.status == "failed"]
    if failed:
        print(f"failed: {', '.join(failed)}", file=out)
    if result.interrupted:
        print("run stopped by Ctrl-C: what was fetched is stored and in the feeds", file=out)
    elif result.stopped_early:
        print(f"run stopped early: {result.stopped_early}", file=out)
    print(f"run {result.run_id}: {sum(s.new_articles for s in result.sources)} new articles "
          f"in {result.duration:.1f} s", file=out)


def _exit_code(result) -> int:
    if result.feeds_error:
        print(f"dumawatch: error: feeds not written: {result.feeds_error} (the run is stored; fix it and "
              "run `dumawatch export`)", file=sys.stderr)
        return EXIT_FEEDS
    if result.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_ALL_FAILED if result.all_failed else 0


def cmd_crawl(args) -> int:
    from crawler.commands.crawllog import crawl_log_path
    from crawler.commands.runner import run_crawl, select_sources

    config = load_config(args.config)
    workers = None if args.workers is None else parse_workers(args.workers, "--workers")
    sources = select_sources(config, args.source, args.region)
    if not sources:
        print("dumawatch: no enabled source matches the selection; nothing to crawl", file=sys.stderr)
    result = run_crawl(config, sources, verbose=args.verbose, workers=workers, export=not args.no_export,
                       progress=None if args.progress else False)
    print_summary(result)
    if not args.no_export:
        print(f"feeds: {config.feeds_dir}")
    print(f"log:   {crawl_log_path(config)}")
    for note in result.notes:
        print(f"dumawatch: {note}", file=sys.stderr)
    return _exit_code(result)


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option}: expected a day as YYYY-MM-DD, got {value!r}") from None


def cmd_export(args) -> int:
    from crawler.commands.preflight import check_feeds, check_state
    from crawler.commands.rematch import watchlist_note
    from crawler.report.archive import export_period
    from crawler.report.feeds import export_feeds
    from crawler.storage.locking import store_lock
    from crawler.storage.store import Store

    since, until = _day(args.since, "--since"), _day(args.until, "--until")
    if args.all and (since or until):
        raise ConfigError("--all exports the whole history: give it without --since/--until")
    if since and until and since > until:
        raise ConfigError(f"--since {since} is after --until {until}")
    if args.out and not (args.all or since or until):
        raise ConfigError("--out goes with --all, --since or --until")
    config = load_config(args.config)
    check_state(config)
    check_feeds(config)
    with store_lock(config.lock_path):
        store = Store(config.state_url)
        try:
            if args.all or since or until:
                counts = export_period(config, store, since, until, args.out)
            else:
                counts = export_feeds(config, store, force=True)
            note = watchlist_note(config, store)
        finally:
            store.close()
    for name, count in counts.items():
        print(f"{config.feeds_dir / name}: {count} {'series' if name.endswith('.png') else 'rows'}")
    if note:
        print(f"dumawatch: {note}", file=sys.stderr)
    return 0


def cmd_rematch(args) -> int:
    from crawler.commands.rematch import rematch_store

    config = load_config(args.config)
    result = rematch_store(config)
    print(f"rematched {result.articles} articles in {result.seconds:.1f} s: {result.changed} changed, "
          f"mentions {result.mentions_before} → {result.mentions_after}")
    for name, count in result.feeds.items():
        print(f"{config.feeds_dir / name}: {count} {'series' if name.endswith('.png') else 'rows'}")
    return 0


def cmd_demo(args) -> int:
    from crawler.commands.demo import start_demo_sites, write_demo_config
    from crawler.commands.runner import run_crawl

    clock = time.monotonic()
    directory = args.dir or Path(tempfile.mkdtemp(prefix="dumawatch-demo-"))
    servers = start_demo_sites()
    serving = False
    try:
        for server, entry in servers:
            print(f"serving {server.name} ({entry['id']}) at {server.base_url}/")
        config_path, kept = write_demo_config(directory.resolve(), [entry for _, entry in servers])
        for name in kept:
            print(f"kept your edited {directory.resolve() / name} (not overwritten)")
        if "sources.yaml" in kept:
            text = (directory.resolve() / "sources.yaml").read_text(encoding="utf-8")
            moved = [server.base_url for server, _ in servers if server.base_url not in text]
            if moved:  # the fixed ports were taken: the kept file names addresses no demo site listens on
                print(f"note: the sample sites listen at {', '.join(moved)} this time (their usual ports are "
                      "taken); your sources.yaml names other addresses")
        config = load_config(config_path)
        result = run_crawl(config, config.enabled_sources, verbose=args.verbose)
        _print_demo_result(config_path, config, result)
        print(f"\ndemo took {time.monotonic() - clock:.1f} s")
        if result.interrupted or result.feeds_error or not args.serve:
            if not args.serve:
                print("the sample sites stop now; `dumawatch demo --serve` keeps them up to crawl again")
            return _exit_code(result)
        serving = True
        _serve_until_stopped(config_path)
        return 0
    finally:
        for server, _ in servers:
            server.stop()
        if serving:
            print("sample sites stopped")


def _print_demo_result(config_path: Path, config, result) -> None:
    from crawler.commands.crawllog import crawl_log_path

    print_summary(result)
    print(f"\nconfig: {config_path}\nfeeds:  {config.feeds_dir}\nlog:    {crawl_log_path(config)}")
    for name, count in result.feeds.items():
        print(f"  {name}: {count} rows")
    if result.feeds.get("articles.csv") is not None:
        _print_sample(config.feeds_dir / "articles.csv", ["published_at", "source_id", "title", "names"], 5)
        _print_sample(config.feeds_dir / "mentions.csv", ["source_id", "watch", "matched"], 5)


def _serve_until_stopped(config_path: Path) -> None:
    """``demo --serve``: keep the sample sites up until Ctrl-C or SIGTERM (the crawl's signal handlers are
    Scrapy's, left behind by its stopped reactor: put Python's own back)."""
    import signal
    import threading

    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"\nthe sample sites stay up until Ctrl-C. In another terminal, edit the files beside {config_path} "
          f"and crawl again:\n  dumawatch crawl --config {config_path}\n  dumawatch status --config {config_path}\n"
          f"  dumawatch schedule --config {config_path}", flush=True)
    while not stop.wait(1.0):
        pass


def _print_sample(path: Path, columns: list[str], limit: int) -> None:
    print(f"\n{path.name} (first {limit} rows):")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for index, row in enumerate(csv.DictReader(handle)):
            if index >= limit:
                break
            print("  " + " | ".join(row[c][:70] for c in columns))


def cmd_sources(args) -> int:
    from crawler.commands.source_check import cmd_sources_check

    return cmd_sources_check(args)


def cmd_schedule(args) -> int:
    from crawler.commands.crawllog import crawl_log_path
    from crawler.commands.preflight import check_log, check_writable
    from crawler.commands.service import serve

    config = load_config(args.config)
    check_writable(config, crawl_log_path(config))   # each run would fail on it: say it now, exit 2
    check_log(config, config.service.log_file)
    return serve(config, once=args.once, verbose=args.verbose)


def cmd_migrate(args) -> int:
    from crawler.storage.store import Store

    config = load_config(args.config)
    store = Store(config.state_url)  # a store opened to write is migrated
    store.close()
    before, after = store.migration
    print(f"{config.state_url}: schema at revision {after}" + (" (already)" if before == after else
                                                               f" (was {before or 'unversioned'})"))
    return 0


def cmd_worker(args) -> int:
    from crawler.config import BROKER_SCHEMES

    config = load_config(args.config)
    if args.broker and args.broker.split("://")[0] not in BROKER_SCHEMES:
        raise ConfigError(f"--broker: expected a Redis or RabbitMQ URL, got {args.broker!r}")
    if args.concurrency < 1:
        raise ConfigError("--concurrency: expected a whole number of at least 1")
    if config.state_path is not None:
        raise ConfigError(f"{config.path}: state: workers share the store, so 'state' must be a database server "
                          "URL (postgresql+psycopg://…), not a SQLite file")
    import importlib.util

    if importlib.util.find_spec("celery") is None:
        raise ConfigError("dumawatch worker needs Celery: pip install 'dumawatch[distributed]'")
    from crawler.distributed.worker import run_worker

    return run_worker(config, broker=args.broker, concurrency=args.concurrency, name=args.name,
                      verbose=args.verbose)


def cmd_status(args) -> int:
    from crawler.commands.preflight import check_state
    from crawler.commands.status import print_status

    config = load_config(args.config)
    check_state(config, write=False)   # a file that is not SQLite: one line, not a traceback
    print_status(config)
    return 0


def cmd_browse(args) -> int:
    from crawler.commands.browse import cmd_browse as browse

    return browse(args)


def cmd_search(args) -> int:
    from crawler.commands.search import cmd_search as search

    return search(args)


def cmd_reindex(args) -> int:
    from crawler.commands.search import cmd_reindex as reindex

    return reindex(args)


COMMANDS = {"crawl": cmd_crawl, "export": cmd_export, "rematch": cmd_rematch, "demo": cmd_demo, "sources": cmd_sources,
            "schedule": cmd_schedule, "status": cmd_status, "migrate": cmd_migrate, "worker": cmd_worker,
            "browse": cmd_browse, "search": cmd_search, "reindex": cmd_reindex}


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
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
