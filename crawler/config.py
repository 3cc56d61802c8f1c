"""Load and validate dumawatch's YAML configuration: the main file, sources and watchlist.

Every problem becomes a :class:`~crawler.errors.ConfigError` whose message is one line naming the
file, the entry and the problem, so the CLI can print it and exit 2 before anything is crawled.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from crawler.errors import ConfigError

DEFAULT_CONFIG = Path("config/dumawatch.yaml")
REGISTRY = Path(__file__).parent / "registry" / "sources.yaml"   # the shipped registry of legislatures
REGISTRY_INCLUDE = "dumawatch:registry"                        # how a sources file includes it
DEFAULT_MAX_AGE_DAYS = 30
# safety limits against runaway walks (a pagination that never ends, a sitemap index of thousands): a run that
# hits one says so in its summary and in runs.csv (limit_hit); max_age_days alone decides how deep a walk goes
DEFAULT_LIMITS = {"max_listing_pages": 500, "max_child_sitemaps": 100}
SOURCE_ID = re.compile(r"^[a-z0-9_-]+$")

MAIN_KEYS = {"sources", "watchlist", "state", "feeds", "schedule", "scrapy", "max_age_days", "alerts", "health",
             "log", "run_timeout", "workers", "broker", "feed_window_days", *DEFAULT_LIMITS}
BROKER_SCHEMES = ("redis", "rediss", "amqp", "amqps", "pyamqp")  # Celery brokers: Redis or RabbitMQ
DEFAULT_FEED_WINDOW_DAYS = 90  # articles.csv, mentions.csv and runs.csv hold this many days; the archive holds all
MAX_WORKERS = 64  # a worker is a whole interpreter with the parsers and the watchlist (bench/README.md: memory)
SOURCE_KEYS = {
    "id", "name", "region", "url", "timezone", "feeds", "listing", "sitemaps", "article_pattern", "enabled",
    "schedule", "max_age_days", "title", "date", "body", "encoding", "render", "verify_tls", "allow_domains",
    "note", *DEFAULT_LIMITS,
}
REQUIRED_SOURCE_KEYS = ("id", "name", "url", "timezone")


@dataclass(frozen=True)
class Source:
    """One news site to watch, as given in ``sources.yaml``."""

    id: str
    name: str
    url: str
    timezone: str
    region: str = ""
    feeds: tuple[str, ...] = ()
    listing: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    article_pattern: str | None = None
    enabled: bool = True
    schedule: dict | None = None
    max_age_days: int = DEFAULT_MAX_AGE_DAYS
    max_listing_pages: int = DEFAULT_LIMITS["max_listing_pages"]    # pages of one listing walked at most
    max_child_sitemaps: int = DEFAULT_LIMITS["max_child_sitemaps"]  # child sitemaps read from one index at most
    title: str | None = None      # CSS or XPath selector for the title, when trafilatura needs help
    date: str | None = None       # CSS or XPath selector for the visible publication date
    body: str | None = None       # CSS or XPath selector for the article body
    encoding: str | None = None   # force this encoding when the site lies about its charset
    render: str | None = None     # "js" for sites that need a browser (optional extra)
    verify_tls: bool = True
    allow_domains: tuple[str, ...] = ()

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Schedule:
    cron: str = "0 */2 * * *"
    timezone: str = "Europe/Moscow"


@dataclass(frozen=True)
class ServiceSettings:
    """What ``dumawatch schedule`` reads: time limit, health thresholds, alerts, log file (see service.py)."""

    run_timeout: int = 3600                  # seconds; a crawl running longer is stopped, status "timeout"
    stale_runs: int = 5                      # health: no new article in this many runs (while it used to)
    error_runs: int = 2                      # health: errors in this many runs in a row
    empty_share: float = 0.5                 # health: this share of article pages without extractable text
    alert_urls: tuple[str, ...] = ()         # apprise URLs; none = alerts off
    alert_on: tuple[str, ...] = ("mentions", "health")
    digest_cron: str | None = None           # a digest of the new mentions on this cron (schedule's zone)
    log_file: Path | None = None             # rotating log file of the service
    log_max_bytes: int = 5_000_000
    log_backups: int = 5


@dataclass
class Config:
    """The whole configuration, with every path resolved relative to the file that names it."""

    path: Path
    sources_path: Path
    sources: list[Source]
    watchlist_path: Path
    watchlist: dict
    state_url: str
    state_path: Path | None
    feeds_dir: Path
    schedule: Schedule = field(default_factory=Schedule)
    scrapy: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict)
    service: ServiceSettings = field(default_factory=ServiceSettings)
    workers: int = 0                 # processes that clean, date and match pages beside the crawl (0: none)
    broker: str | None = None        # Celery broker URL: the service queues its runs for `dumawatch worker`
    feeds_xlsx: bool = False         # also write articles.xlsx and mentions.xlsx (feeds: {dir: …, xlsx: true})
    feed_window_days: int = DEFAULT_FEED_WINDOW_DAYS  # days the window feeds hold (crawler/report/feeds.py)

    @property
    def enabled_sources(self) -> list[Source]:
        return [source for source in self.sources if source.enabled]

    @property
    def lock_path(self) -> Path:
        """One lock per state store, shared by ``crawl``, ``schedule`` and every other writer."""
        if self.state_path is not None:
            return self.state_path.with_name(self.state_path.name + ".lock")
        return self.feeds_dir / ".dumawatch.lock"


# libyaml's safe loader where PyYAML was built with it: the pure-Python one is several times slower on a large
# watchlist, which every crawl and every worker process reads
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path, what: str) -> Any:
    """Parse one YAML file; any failure is a one-line ConfigError naming the file."""
    if not path.exists():
        raise ConfigError(f"{path}: {what} file not found")
    if path.is_dir():
        raise ConfigError(f"{path}: {what} file is a directory")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read {what} file: {exc}") from None
    try:
        return yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}: malformed YAML{where}: {problem}") from None


def load_config(path: Path | str = DEFAULT_CONFIG) -> Config:
    """Read ``dumawatch.yaml`` and the sources and watchlist files it names."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{path}: config file not found (looked in {Path.cwd()}; pass --config PATH, "
                          "or run `dumawatch demo --dir DIR` to get a config to start from)")
    data = read_yaml(path, "config")
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings, got {type(data).__name__}")
    _reject_unknown(path, "", data, MAIN_KEYS)
    base = path.parent
    for key in ("sources", "watchlist", "state", "feeds"):
        if key not in data:
            raise ConfigError(f"{path}: missing required key '{key}'")
        if key == "feeds" and isinstance(data[key], dict):
            continue
        if not isinstance(data[key], str) or not data[key].strip():
            raise ConfigError(f"{path}: '{key}' must be a path (a non-empty string)")
    feeds_folder, feeds_xlsx = _feeds_setting(path, data["feeds"])

    default_max_age = _positive_int(path, "max_age_days", data.get("max_age_days", DEFAULT_MAX_AGE_DAYS))
    limits = {key: _positive_int(path, key, data.get(key, value)) for key, value in DEFAULT_LIMITS.items()}
    sources_path = (base / data["sources"]).resolve()
    sources = load_sources(sources_path, default_max_age, limits=limits)
    watchlist_path = (base / data["watchlist"]).resolve()
    watchlist = load_watchlist_file(watchlist_path)
    state_url, state_path = _state_location(path, base, data["state"])
    feeds_dir = (base / feeds_folder).resolve()
    if feeds_dir.exists() and not feeds_dir.is_dir():
        raise ConfigError(f"{path}: feeds: {feeds_dir} exists and is not a directory")
    schedule = _schedule(path, "schedule", data.get("schedule"))
    scrapy_overrides = data.get("scrapy") or {}
    if not isinstance(scrapy_overrides, dict):
        raise ConfigError(f"{path}: 'scrapy' must be a mapping of Scrapy settings")
    return Config(
        path=path.resolve(), sources_path=sources_path, sources=sources, watchlist_path=watchlist_path,
        watchlist=watchlist, state_url=state_url, state_path=state_path, feeds_dir=feeds_dir,
        schedule=schedule, scrapy=dict(scrapy_overrides), raw=data,
        service=_service_settings(path, data, feeds_dir, schedule), feeds_xlsx=feeds_xlsx,
        feed_window_days=_positive_int(path, "feed_window_days",
                                       data.get("feed_window_days", DEFAULT_FEED_WINDOW_DAYS)),
        workers=parse_workers(data.get("workers", "auto"), f"{path}: workers"),
        broker=_broker(path, data.get("broker"), state_path),
    )


def _broker(path: Path, value: Any, state_path: Path | None) -> str | None:
    """The optional ``broker:`` URL (redis://… or amqp://…); workers on other hosts need a shared store."""
    if value is None:
        return None
    if not isinstance(value, str) or urlsplit(value).scheme not in BROKER_SCHEMES:
        raise ConfigError(f"{path}: broker: expected a Redis or RabbitMQ URL (redis://host:6379/0, "
                          f"amqp://user:password@host:5672//), got {value!r}")
    import importlib.util

    if importlib.util.find_spec("celery") is None:
        raise ConfigError(f"{path}: broker: Celery is not installed: pip install 'dumawatch[distributed]'")
    if state_path is not None:
        raise ConfigError(f"{path}: broker: workers share the store, so 'state' must be a database server URL "
                          "(postgresql+psycopg://…), not a SQLite file")
    return value


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def auto_workers() -> int:
    """``workers: auto``: one process per core beside the crawl's own, at most 4 (0 on one core)."""
    return max(0, min(4, usable_cores() - 1))


def parse_workers(value: Any, where: str) -> int:
    """The ``workers`` setting (a whole number >= 0, or "auto") as a number of worker processes."""
    if isinstance(value, str) and value.strip().lower() == "auto":
        return auto_workers()
    if isinstance(value, str) and value.strip().isdigit():  # from the command line
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"{where}: expected a whole number >= 0 or 'auto', got {value!r}")
    if value > MAX_WORKERS:
        raise ConfigError(f"{where}: at most {MAX_WORKERS} worker processes, got {value}")
    return value


def load_watchlist_file(path: Path) -> dict:
    data = read_yaml(path, "watchlist")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with 'names' and 'topics'")
    from pipelines.watchlist import load_watchlist

    load_watchlist(data, str(path))  # validates; the pipeline compiles it again in the crawl
    return data


def load_sources(path: Path, default_max_age: int = DEFAULT_MAX_AGE_DAYS, _seen: tuple = (),
                 limits: dict | None = None) -> list[Source]:
    """Read a sources file, following ``include:`` (included entries first; same id = override).

    An include is a path relative to the including file, or ``dumawatch:registry``: the shipped registry.
    """
    if path in _seen:
        raise ConfigError(f"{path}: include loop ({' → '.join(str(p) for p in (*_seen, path))})")
    data = read_yaml(path, "sources")
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with a 'sources' list")
    _reject_unknown(path, "", data, {"sources", "include"})
    merged: dict[str, dict] = {}
    origin: dict[str, Path] = {}
    includes = data.get("include") or []
    if isinstance(includes, str):
        includes = [includes]
    if not isinstance(includes, list):
        raise ConfigError(f"{path}: 'include' must be a path or a list of paths")
    for included in includes:
        target = REGISTRY if str(included) == REGISTRY_INCLUDE else (path.parent / str(included)).resolve()
        for source in load_sources(target, default_max_age, (*_seen, path), limits):
            merged[source.id] = _source_as_dict(source)
            origin[source.id] = path
    entries = data.get("sources") or []
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: 'sources' must be a list of entries")
    ids_here: set[str] = set()
    for index, entry in enumerate(entries):
        where = f"sources[{index}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: {where}: expected a mapping, got {type(entry).__name__}")
        sid = entry.get("id")
        if isinstance(sid, str):
            where = f"sources[{index}] ({sid!r})"
        _reject_unknown(path, where + ": ", entry, SOURCE_KEYS)
        if not isinstance(sid, str) or not SOURCE_ID.fullmatch(sid):
            raise ConfigError(f"{path}: {where}: 'id' must match [a-z0-9_-]+, got {sid!r}")
        if sid in ids_here:
            raise ConfigError(f"{path}: {where}: duplicate id '{sid}'")
        ids_here.add(sid)
        merged[sid] = {**merged.get(sid, {}), **entry}
    return [_make_source(path, sid, entry, default_max_age, limits or DEFAULT_LIMITS) for sid, entry in merged.items()]


def _source_as_dict(source: Source) -> dict:
    return {k: v for k, v in source.__dict__.items() if v is not None}


def _make_source(path: Path, sid: str, entry: dict, default_max_age: int, limits: dict) -> Source:
    where = f"source '{sid}'"
    for key in REQUIRED_SOURCE_KEYS:
        if key not in entry:
            raise ConfigError(f"{path}: {where}: missing required key '{key}'")
    for key in ("name", "region", "url", "timezone", "article_pattern", "title", "date", "body", "encoding",
                "render", "note"):
        value = entry.get(key)
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{path}: {where}: '{key}' must be a string, got {type(value).__name__}")
    if not entry["name"].strip():
        raise ConfigError(f"{path}: {where}: 'name' is empty")
    _check_url(path, where, "url", entry["url"])
    lists = {}
    for key in ("feeds", "listing", "sitemaps", "allow_domains"):
        value = entry.get(key) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{path}: {where}: '{key}' must be a list of strings")
        if key != "allow_domains":
            for url in value:
                _check_url(path, where, key, url)
        lists[key] = tuple(value)
    try:
        ZoneInfo(entry["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{path}: {where}: timezone '{entry['timezone']}' is not an IANA time zone") from None
    pattern = entry.get("article_pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(f"{path}: {where}: article_pattern {pattern!r} is not a valid regex: {exc}") from None
    for key in ("title", "date", "body"):
        problem = selector_problem(entry.get(key))
        if problem:
            raise ConfigError(f"{path}: {where}: '{key}' selector {entry[key]!r} does not compile: {problem}")
    for key in ("enabled", "verify_tls"):
        if key in entry and not isinstance(entry[key], bool):
            raise ConfigError(f"{path}: {where}: '{key}' must be true or false")
    if entry.get("render") not in (None, "js"):
        raise ConfigError(f"{path}: {where}: 'render' must be 'js' when given")
    if entry.get("encoding"):
        import codecs

        try:
            codecs.lookup(entry["encoding"])
        except LookupError:
            raise ConfigError(f"{path}: {where}: unknown encoding '{entry['encoding']}'") from None
    schedule = entry.get("schedule")
    if schedule is not None:
        schedule = _schedule(path, f"{where}: schedule", schedule).__dict__
    max_age = _positive_int(path, f"{where}: max_age_days", entry.get("max_age_days", default_max_age))
    own_limits = {key: _positive_int(path, f"{where}: {key}", entry.get(key, value)) for key, value in limits.items()}
    return Source(
        id=sid, name=entry["name"].strip(), url=entry["url"], timezone=entry["timezone"],
        region=(entry.get("region") or "").strip(), feeds=lists["feeds"], listing=lists["listing"],
        sitemaps=lists["sitemaps"], article_pattern=pattern, enabled=entry.get("enabled", True),
        schedule=schedule, max_age_days=max_age, **own_limits, title=entry.get("title"), date=entry.get("date"),
        body=entry.get("body"), encoding=entry.get("encoding"), render=entry.get("render"),
        verify_tls=entry.get("verify_tls", True), allow_domains=lists["allow_domains"],
    )


def selector_problem(selector: str | None) -> str:
    """Why a ``title``/``date``/``body`` selector (CSS, or XPath starting with ``/``) does not compile, else ''.

    It is compiled the way the clean pipeline uses it (pipelines/clean.py ``select_text``), on an empty page.
    """
    if selector is None:
        return ""
    if not selector.strip():
        return "it is empty"
    from parsel import Selector

    page = Selector(text="<html><body></body></html>")
    try:
        if selector.lstrip("(").startswith("/"):
            page.xpath(selector)
        else:
            page.css(selector)
    except Exception as exc:  # cssselect's SelectorSyntaxError, lxml's XPathError, parsel's ValueError
        return " ".join(str(exc).split()) or type(exc).__name__
    return ""


def _check_url(path: Path, where: str, key: str, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{path}: {where}: '{key}' must be an http(s) URL, got {url!r}")


def _schedule(path: Path, where: str, value: Any) -> Schedule:
    if value is None:
        return Schedule()
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: {where}: expected a mapping like {{cron: '0 */2 * * *', timezone: ...}}")
    _reject_unknown(path, f"{where}: ", value, {"cron", "timezone"})
    cron = value.get("cron", Schedule.cron)
    tz = value.get("timezone", Schedule.timezone)
    try:
        ZoneInfo(str(tz))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{path}: {where}: timezone {tz!r} is not an IANA time zone") from None
    problem = cron_problem(str(cron))
    if problem:
        raise ConfigError(f"{path}: {where}: cron {cron!r}: {problem}")
    return Schedule(cron=str(cron), timezone=str(tz))


CRON_FIELDS = ("minute", "hour", "day", "month", "day_of_week")
CRON_FIELD_WORDS = {"second": "seconds", "minute": "minutes", "hour": "hours", "day": "day of month",
                    "month": "month", "day_of_week": "day of week"}


def cron_problem(cron: str) -> str:
    """What is wrong with a cron expression, naming the field ('' when it is good)."""
    from apscheduler.triggers.cron import CronTrigger

    fields = cron.split()
    names = ("second", *CRON_FIELDS) if len(fields) == 6 else CRON_FIELDS
    if len(fields) not in (5, 6):
        return (f"expected 5 fields (minute hour day month day-of-week) or 6 with seconds first, "
                f"got {len(fields)}")
    for name, expression in zip(names, fields, strict=True):
        try:
            CronTrigger(**{name: expression}, timezone=ZoneInfo("UTC"))
        except ValueError as exc:
            position = names.index(name) + 1
            why = re.sub(r"^Error validating expression '[^']*': ", "", str(exc))
            return f"field {position} ({CRON_FIELD_WORDS[name]}) {expression!r}: {why}"
    try:
        cron_trigger(cron, "UTC")
    except ValueError as exc:
        return str(exc)
    return ""


def cron_trigger(cron: str, timezone: str):
    """An APScheduler CronTrigger: a 5-field crontab, or 6 fields with seconds first ('*/5 * * * * *').

    As in APScheduler 3.x, day-of-week numbers count from 0 = Monday; names (mon-fri) avoid the doubt.
    """
    from apscheduler.triggers.cron import CronTrigger

    fields = cron.split()
    if len(fields) == 6:
        second, minute, hour, day, month, day_of_week = fields
        return CronTrigger(second=second, minute=minute, hour=hour, day=day, month=month,
                           day_of_week=day_of_week, timezone=ZoneInfo(timezone))
    return CronTrigger.from_crontab(cron, timezone=ZoneInfo(timezone))


def _service_settings(path: Path, data: dict, feeds_dir: Path, schedule: Schedule) -> ServiceSettings:
    """Validate ``run_timeout``, ``health``, ``alerts`` and ``log`` of the main config."""
    timeout = _positive_int(path, "run_timeout", data.get("run_timeout", ServiceSettings.run_timeout))
    health = data.get("health") or {}
    if not isinstance(health, dict):
        raise ConfigError(f"{path}: health: expected a mapping like {{stale_runs: 5, error_runs: 2}}")
    _reject_unknown(path, "health: ", health, {"stale_runs", "error_runs", "empty_share"})
    stale = _positive_int(path, "health: stale_runs", health.get("stale_runs", ServiceSettings.stale_runs))
    error_runs = _positive_int(path, "health: error_runs", health.get("error_runs", ServiceSettings.error_runs))
    share = health.get("empty_share", ServiceSettings.empty_share)
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
        raise ConfigError(f"{path}: health: empty_share: expected a number in (0, 1], got {share!r}")
    alerts = data.get("alerts") or {}
    if not isinstance(alerts, dict):
        raise ConfigError(f"{path}: alerts: expected a mapping like {{urls: ['mailto://...'], on: [mentions]}}")
    _reject_unknown(path, "alerts: ", alerts, {"urls", "on", "digest"})
    urls = alerts.get("urls") or []
    if isinstance(urls, str):
        urls = [urls]
    if not isinstance(urls, list) or not all(isinstance(u, str) and "://" in u for u in urls):
        raise ConfigError(f"{path}: alerts: urls: expected a list of apprise URLs (scheme://...)")
    if urls:
        import importlib.util

        if importlib.util.find_spec("apprise") is None:
            raise ConfigError(f"{path}: alerts: urls are set but apprise is not installed "
                              "(pip install 'dumawatch[alerts]', or remove 'alerts:')")
    on = alerts.get("on", list(ServiceSettings.alert_on))
    if isinstance(on, str):
        on = [on]
    if not isinstance(on, list) or any(kind not in ("mentions", "health") for kind in on):
        raise ConfigError(f"{path}: alerts: on: expected a list of 'mentions' and 'health', got {on!r}")
    digest = alerts.get("digest")
    if digest is not None:
        if not isinstance(digest, str) or not digest.strip():
            raise ConfigError(f"{path}: alerts: digest: expected a cron like '0 8 * * *', got {digest!r}")
        try:
            cron_trigger(digest, schedule.timezone)
        except ValueError as exc:
            raise ConfigError(f"{path}: alerts: digest: bad cron {digest!r}: {exc}") from None
    log = data.get("log")
    log = {"file": log} if isinstance(log, str) else log or {}
    if not isinstance(log, dict):
        raise ConfigError(f"{path}: log: expected a path or a mapping {{file: ..., max_bytes: ..., backups: ...}}")
    _reject_unknown(path, "log: ", log, {"file", "max_bytes", "backups"})
    log_file = log.get("file", "")
    if not isinstance(log_file, str):
        raise ConfigError(f"{path}: log: file: expected a path (a string), got {log_file!r}")
    backups = log.get("backups", ServiceSettings.log_backups)
    if isinstance(backups, bool) or not isinstance(backups, int) or backups < 0:
        raise ConfigError(f"{path}: log: backups: expected a whole number >= 0, got {backups!r}")
    return ServiceSettings(
        run_timeout=timeout, stale_runs=stale, error_runs=error_runs, empty_share=float(share),
        alert_urls=tuple(urls), alert_on=tuple(on), digest_cron=digest.strip() if digest else None,
        log_file=(path.parent / log_file).resolve() if log_file.strip() else feeds_dir.parent / "logs" / "dumawatch.log",
        log_max_bytes=_positive_int(path, "log: max_bytes", log.get("max_bytes", ServiceSettings.log_max_bytes)),
        log_backups=backups,
    )


def _state_location(path: Path, base: Path, state: str) -> tuple[str, Path | None]:
    if "://" in state:
        if state.startswith("sqlite:///"):
            file = Path(state.removeprefix("sqlite:///"))
            return state, file.resolve()
        _check_database_url(path, state)
        return state, None
    file = (base / state).resolve()
    if file.exists() and file.is_dir():
        raise ConfigError(f"{path}: state: {file} is a directory, expected a SQLite file")
    return f"sqlite:///{file}", file


def _check_database_url(path: Path, url: str) -> None:
    """A SQLAlchemy URL whose dialect and driver are installed (a clear line if not)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        parsed = make_url(url)
        parsed.get_dialect().import_dbapi()
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise ConfigError(f"{path}: state: {url!r} is not a usable SQLAlchemy URL: {exc}") from None
    except ImportError as exc:
        hint = " (pip install 'dumawatch[postgres]')" if url.startswith("postgres") else ""
        raise ConfigError(f"{path}: state: the database driver for {parsed.drivername} is not installed: "
                          f"{exc}{hint}") from None


def _feeds_setting(path: Path, value: Any) -> tuple[str, bool]:
    """``feeds: DIR`` or ``feeds: {dir: DIR, xlsx: true}``: the folder and whether to write Excel workbooks."""
    if isinstance(value, str):
        return value, False
    _reject_unknown(path, "feeds: ", value, {"dir", "xlsx"})
    folder, xlsx = value.get("dir"), value.get("xlsx", False)
    if not isinstance(folder, str) or not folder.strip():
        raise ConfigError(f"{path}: feeds: 'dir' must be a path (a non-empty string)")
    if not isinstance(xlsx, bool):
        raise ConfigError(f"{path}: feeds: 'xlsx' must be true or false")
    if xlsx:
        import importlib.util

        if importlib.util.find_spec("xlsxwriter") is None:
            raise ConfigError(f"{path}: feeds: xlsx is true but XlsxWriter is not installed "
                              "(pip install 'dumawatch[xlsx]')")
    return folder, xlsx


def _positive_int(path: Path, where: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"{path}: {where}: expected a positive whole number, got {value!r}")
    return value


def _reject_unknown(path: Path, where: str, data: dict, allowed: set[str]) -> None:
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        raise ConfigError(f"{path}: {where}unknown key '{unknown[0]}' (allowed: {', '.join(sorted(allowed))})")
