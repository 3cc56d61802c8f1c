"""Load and validate dumawatch's YAML configuration: the main file, sources and watchlist.

Every problem becomes a :class:`~crawler.errors.ConfigError` whose message is one line naming the
file, the entry and the problem, so the CLI can print it and exit 2 before anything is crawled.

Each mapping (the main file, a sources file and its entries, ``schedule``, ``feeds``, ``health``, ``alerts``,
``log``) is a table at the end of this module giving every key its check and its default; the checks are
built from a few pieces (``rule``, ``all_of``, ``optional``…). What needs several keys or the file system
(include, ids, the state store, the feeds folder, the log file, broker and state) is checked by hand.
"""

from __future__ import annotations

import codecs
import importlib.util
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from apscheduler.triggers.cron import CronTrigger
from parsel import Selector

from crawler.errors import ConfigError
from pipelines.watchlist import load_watchlist

DEFAULT_CONFIG = Path("config/dumawatch.yaml")
REGISTRY = Path(__file__).parent / "registry" / "sources.yaml"   # the shipped registry of legislatures
REGISTRY_INCLUDE = "dumawatch:registry"                        # how a sources file includes it
DEFAULT_MAX_AGE_DAYS = 30
# safety limits against runaway walks (a pagination that never ends, a sitemap index of thousands): a run that
# hits one says so in its summary and in runs.csv (limit_hit); max_age_days alone decides how deep a walk goes
DEFAULT_LIMITS = {"max_listing_pages": 500, "max_child_sitemaps": 100}
SOURCE_ID = re.compile(r"^[a-z0-9_-]+$")

BROKER_SCHEMES = ("redis", "rediss", "amqp", "amqps", "pyamqp")  # Celery brokers: Redis or RabbitMQ
DEFAULT_FEED_WINDOW_DAYS = 90  # articles.csv, mentions.csv and runs.csv hold this many days; the archive holds all
MAX_WORKERS = 64  # a worker is a whole interpreter with the parsers and the watchlist (bench/README.md: memory)


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
    settings = checked(f"{path}: ", data, MAIN)
    base = path.parent
    sources_path = (base / settings["sources"]).resolve()
    limits = {key: settings[key] for key in DEFAULT_LIMITS}
    sources = load_sources(sources_path, settings["max_age_days"], limits=limits)
    watchlist_path = (base / settings["watchlist"]).resolve()
    watchlist = load_watchlist_file(watchlist_path)
    state_url, state_path = _state_location(path, base, settings["state"])
    feeds_folder, feeds_xlsx = settings["feeds"]
    feeds_dir = (base / feeds_folder).resolve()
    if feeds_dir.exists() and not feeds_dir.is_dir():
        raise ConfigError(f"{path}: feeds: {feeds_dir} exists and is not a directory")
    if settings["broker"] is not None and state_path is not None:
        raise ConfigError(f"{path}: broker: workers share the store, so 'state' must be a database server URL "
                          "(postgresql+psycopg://…), not a SQLite file")
    return Config(
        path=path.resolve(), sources_path=sources_path, sources=sources, watchlist_path=watchlist_path,
        watchlist=watchlist, state_url=state_url, state_path=state_path, feeds_dir=feeds_dir,
        schedule=settings["schedule"], scrapy=settings["scrapy"], raw=data,
        service=_service_settings(path, settings, feeds_dir), feeds_xlsx=feeds_xlsx,
        feed_window_days=settings["feed_window_days"], workers=settings["workers"], broker=settings["broker"],
    )


def _service_settings(path: Path, settings: dict, feeds_dir: Path) -> ServiceSettings:
    """What ``dumawatch schedule`` reads, from the checked ``run_timeout``, ``health``, ``alerts`` and ``log``."""
    health, alerts, log = settings["health"], settings["alerts"], settings["log"]
    log_file = (path.parent / log["file"]).resolve() if log["file"].strip() else \
        feeds_dir.parent / "logs" / "dumawatch.log"
    return ServiceSettings(
        run_timeout=settings["run_timeout"], stale_runs=health["stale_runs"], error_runs=health["error_runs"],
        empty_share=health["empty_share"], alert_urls=alerts["urls"], alert_on=alerts["on"],
        digest_cron=alerts["digest"], log_file=log_file, log_max_bytes=log["max_bytes"],
        log_backups=log["backups"],
    )


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
    data = checked(f"{path}: ", data, SOURCES_FILE)
    merged: dict[str, dict] = {}
    for included in data["include"]:
        target = REGISTRY if str(included) == REGISTRY_INCLUDE else (path.parent / str(included)).resolve()
        for source in load_sources(target, default_max_age, (*_seen, path), limits):
            merged[source.id] = _source_as_dict(source)
    ids_here: set[str] = set()
    for index, entry in enumerate(data["sources"]):
        where = f"sources[{index}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: {where}: expected a mapping, got {type(entry).__name__}")
        sid = entry.get("id")
        if isinstance(sid, str):
            where = f"sources[{index}] ({sid!r})"
        reject_unknown(f"{path}: {where}: ", entry, SOURCE)
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
    """One entry (merged with the entry of the same id it overrides); the main file gives the default depth."""
    values = checked(f"{path}: source '{sid}': ", {"max_age_days": default_max_age, **limits, **entry}, SOURCE)
    del values["note"]
    return Source(**values)


def selector_problem(selector: str | None) -> str:
    """Why a ``title``/``date``/``body`` selector (CSS, or XPath starting with ``/``) does not compile, else ''.

    It is compiled the way the clean pipeline uses it (pipelines/clean.py ``select_text``), on an empty page.
    """
    if selector is None:
        return ""
    if not selector.strip():
        return "it is empty"
    page = Selector(text="<html><body></body></html>")
    try:
        if selector.lstrip("(").startswith("/"):
            page.xpath(selector)
        else:
            page.css(selector)
    except Exception as exc:  # cssselect's SelectorSyntaxError, lxml's XPathError, parsel's ValueError
        return " ".join(str(exc).split()) or type(exc).__name__
    return ""


CRON_FIELDS = ("minute", "hour", "day", "month", "day_of_week")
CRON_FIELD_WORDS = {"second": "seconds", "minute": "minutes", "hour": "hours", "day": "day of month",
                    "month": "month", "day_of_week": "day of week"}


def cron_problem(cron: str) -> str:
    """What is wrong with a cron expression, naming the field ('' when it is good)."""
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


def cron_trigger(cron: str, timezone: str) -> CronTrigger:
    """An APScheduler CronTrigger: a 5-field crontab, or 6 fields with seconds first ('*/5 * * * * *').

    As in APScheduler 3.x, day-of-week numbers count from 0 = Monday; names (mon-fri) avoid the doubt.
    """
    fields = cron.split()
    if len(fields) == 6:
        second, minute, hour, day, month, day_of_week = fields
        return CronTrigger(second=second, minute=minute, hour=hour, day=day, month=month,
                           day_of_week=day_of_week, timezone=ZoneInfo(timezone))
    return CronTrigger.from_crontab(cron, timezone=ZoneInfo(timezone))


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
    # deliberately lazy: SQLAlchemy takes ~0.4 s to import and only a database server URL needs it here; every
    # command loads the config, and `dumawatch --help`, `demo` and `sources check` never touch the store
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


# --- checking a mapping against its table ------------------------------------------------------------------
# A check is called as check(at, key, value): ``at`` starts every message ("FILE: source 'x': "), ``value`` is
# the given value or the key's default. It returns the value to use, or raises the one-line ConfigError.

Check = Callable[[str, str, Any], Any]
Table = dict[str, tuple[Check, Any]]  # key -> (its check, its default)
REQUIRED = object()                   # the default of a key that must be given


def reject_unknown(at: str, data: dict, allowed: Iterable[str]) -> None:
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        raise ConfigError(f"{at}unknown key '{unknown[0]}' (allowed: {', '.join(sorted(allowed))})")


def checked(at: str, data: dict, table: Table) -> dict[str, Any]:
    """Every key of ``table`` in its order: the given value or the default, through the key's check."""
    reject_unknown(at, data, table)
    values = {}
    for key, (check, default) in table.items():
        if key not in data and default is REQUIRED:
            raise ConfigError(f"{at}missing required key '{key}'")
        values[key] = check(at, key, data.get(key, default))
    return values


def rule(message: str, ok: Callable[[Any], Any], errors: type[Exception] | tuple = ()) -> Check:
    """The value passes when ``ok(value)`` is true and raises none of ``errors``; otherwise the ConfigError says
    ``message``, with {key}, {value}, {type} (the value's type) and {why} (the error raised) filled in."""
    def check(at: str, key: str, value: Any) -> Any:
        try:
            passed, why = ok(value), ""
        except errors as exc:
            passed, why = False, exc
        if not passed:
            raise ConfigError(at + message.format(key=key, value=value, type=type(value).__name__, why=why))
        return value
    return check


def to(convert: Callable[[Any], Any]) -> Check:
    """Not a check but a conversion: the value to use is ``convert(value)``."""
    return lambda at, key, value: convert(value)


def all_of(*checks: Check) -> Check:
    """Each check in turn, each given what the one before returned."""
    def check(at: str, key: str, value: Any) -> Any:
        for one in checks:
            value = one(at, key, value)
        return value
    return check


def each(check: Check) -> Check:
    """``check`` on every item of a list."""
    return lambda at, key, values: tuple(check(at, key, value) for value in values)


def mapping(table: Table, expected: str, given: Callable[[Any], Any] = lambda value: value or {}) -> Check:
    """A nested mapping (``health:``), as ``given(value)``, checked against its table: ``health: …`` problems."""
    def check(at: str, key: str, value: Any) -> dict[str, Any]:
        if not isinstance(value := given(value), dict):
            raise ConfigError(f"{at}{key}: expected {expected}")
        return checked(f"{at}{key}: ", value, table)
    return check


def _bare_on(value: Any) -> Any:
    """``alerts:`` as written: YAML 1.1 reads a bare ``on:`` key as the boolean true, so that key is ``on``."""
    if isinstance(value, dict) and True in value and "on" not in value:
        return {("on" if key is True else key): item for key, item in value.items()}
    return value or {}


def optional(check: Check) -> Check:
    """Nothing given (None) stays None; anything else goes through ``check``."""
    return lambda at, key, value: None if value is None else check(at, key, value)


def installed(module: str, message: str) -> Check:
    """A setting that needs an optional dependency: when it is on, ``module`` must be importable."""
    return rule(message, lambda value: not value or importlib.util.find_spec(module) is not None)


def _listed(value: Any) -> Any:
    """One string as a tuple of one, a list as a tuple, nothing (None, '') as ()."""
    if isinstance(value, str) and value:
        return (value,)
    return tuple(value) if isinstance(value, list) else value or ()


def _http(url: str | None) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def cron(at: str, key: str, value: Any) -> str:
    if problem := cron_problem(str(value)):
        raise ConfigError(f"{at}{key} {value!r}: {problem}")
    return str(value)


def selector(at: str, key: str, value: str | None) -> str | None:
    if problem := selector_problem(value):
        raise ConfigError(f"{at}'{key}' selector {value!r} does not compile: {problem}")
    return value


def workers(at: str, key: str, value: Any) -> int:
    return parse_workers(value, at + key)  # the CLI's --workers too


def feeds_setting(at: str, key: str, value: Any) -> tuple[str, bool]:
    """``feeds: DIR`` or ``feeds: {dir: DIR, xlsx: true}``: the folder and whether to write Excel workbooks."""
    if not isinstance(value, dict):
        return file_path(at, key, value), False
    values = checked(f"{at}{key}: ", value, FEEDS)
    return values["dir"], values["xlsx"]


# the kinds of value; their messages are a contract (tests/test_config_errors.py, test_config_hostile.py)
string = rule("'{key}' must be a string, got {type}", lambda v: v is None or isinstance(v, str))
nonblank = all_of(string, to(lambda v: (v or "").strip()), rule("'{key}' is empty", bool))  # and stripped
file_path = rule("'{key}' must be a path (a non-empty string)", lambda v: isinstance(v, str) and v.strip())
boolean = rule("'{key}' must be true or false", lambda v: isinstance(v, bool))
positive = rule("{key}: expected a positive whole number, got {value!r}", lambda v: type(v) is int and v > 0)
non_negative = rule("{key}: expected a whole number >= 0, got {value!r}", lambda v: type(v) is int and v >= 0)
share = rule("{key}: expected a number in (0, 1], got {value!r}", lambda v: type(v) in (int, float) and 0 < v <= 1)
strings = all_of(to(_listed), rule("'{key}' must be a list of strings",
                                   lambda v: isinstance(v, tuple) and all(isinstance(s, str) for s in v)))
http_url = rule("'{key}' must be an http(s) URL, got {value!r}", _http)
iana_zone = rule("{key} {value!r} is not an IANA time zone", lambda v: ZoneInfo(str(v)),
                 (ZoneInfoNotFoundError, ValueError))
regex = optional(rule("{key} {value!r} is not a valid regex: {why}", re.compile, re.error))
encoding = rule("unknown {key} '{value}'", lambda v: not v or codecs.lookup(v), LookupError)
render = rule("'{key}' must be 'js' when given", lambda v: v in (None, "js"))
# and the kinds of one key each
include_paths = all_of(to(_listed),
                       rule("'{key}' must be a path or a list of paths", lambda v: isinstance(v, tuple)))
source_entries = all_of(to(lambda v: v or []),
                        rule("'{key}' must be a list of entries", lambda v: isinstance(v, list)))
xlsx = all_of(boolean, installed("xlsxwriter", "{key} is true but XlsxWriter is not installed "
                                               "(pip install 'dumawatch[xlsx]')"))
scrapy_settings = all_of(rule("'{key}' must be a mapping of Scrapy settings", lambda v: isinstance(v or {}, dict)),
                         to(lambda v: dict(v or {})))
broker = optional(all_of(
    rule("{key}: expected a Redis or RabbitMQ URL (redis://host:6379/0, amqp://user:password@host:5672//), "
         "got {value!r}", lambda v: isinstance(v, str) and urlsplit(v).scheme in BROKER_SCHEMES),
    installed("celery", "{key}: Celery is not installed: pip install 'dumawatch[distributed]'")))
alert_urls = all_of(to(_listed),
                    rule("{key}: expected a list of apprise URLs (scheme://...)",
                         lambda v: isinstance(v, tuple) and all(isinstance(u, str) and "://" in u for u in v)),
                    installed("apprise", "{key} are set but apprise is not installed "
                                         "(pip install 'dumawatch[alerts]', or remove 'alerts:')"))
alert_kinds = all_of(to(lambda v: [v] if isinstance(v, str) else v),
                     rule("{key}: expected a list of 'mentions' and 'health', got {value!r}",
                          lambda v: isinstance(v, list | tuple) and all(k in ("mentions", "health") for k in v)),
                     to(tuple))
digest = optional(all_of(
    rule("{key}: expected a cron like '0 8 * * *', got {value!r}", lambda v: isinstance(v, str) and v.strip()),
    # it runs in the schedule's zone, which does not change which crons are valid
    rule("{key}: bad cron {value!r}: {why}", lambda v: cron_trigger(v, "UTC"), ValueError), to(str.strip)))

# --- the tables: every key of every mapping, its check and its default ---------------------------------------

SCHEDULE: Table = {"timezone": (iana_zone, Schedule.timezone), "cron": (cron, Schedule.cron)}
schedule = mapping(SCHEDULE, "a mapping like {cron: '0 */2 * * *', timezone: ...}",
                   given=lambda value: {} if value is None else value)
FEEDS: Table = {"dir": (file_path, None), "xlsx": (xlsx, False)}
HEALTH: Table = {"stale_runs": (positive, ServiceSettings.stale_runs),
                 "error_runs": (positive, ServiceSettings.error_runs),
                 "empty_share": (all_of(share, to(float)), ServiceSettings.empty_share)}
ALERTS: Table = {"urls": (alert_urls, ()), "on": (alert_kinds, ServiceSettings.alert_on), "digest": (digest, None)}
LOG: Table = {"file": (rule("{key}: expected a path (a string), got {value!r}", lambda v: isinstance(v, str)), ""),
              "max_bytes": (positive, ServiceSettings.log_max_bytes),
              "backups": (non_negative, ServiceSettings.log_backups)}
MAIN: Table = {
    "sources": (file_path, REQUIRED), "watchlist": (file_path, REQUIRED), "state": (file_path, REQUIRED),
    "feeds": (feeds_setting, REQUIRED),
    "max_age_days": (positive, DEFAULT_MAX_AGE_DAYS),
    **{limit: (positive, default) for limit, default in DEFAULT_LIMITS.items()},
    "feed_window_days": (positive, DEFAULT_FEED_WINDOW_DAYS),
    "schedule": (all_of(schedule, to(lambda values: Schedule(**values))), None),
    "scrapy": (scrapy_settings, None),
    "run_timeout": (positive, ServiceSettings.run_timeout),
    "health": (mapping(HEALTH, "a mapping like {stale_runs: 5, error_runs: 2}"), None),
    "alerts": (mapping(ALERTS, "a mapping like {urls: ['mailto://...'], on: [mentions]}", _bare_on), None),
    "log": (mapping(LOG, "a path or a mapping {file: ..., max_bytes: ..., backups: ...}",
                    given=lambda value: {"file": value} if isinstance(value, str) else value or {}), None),
    "workers": (workers, "auto"),
    "broker": (broker, None),
}
SOURCES_FILE: Table = {"include": (include_paths, ()), "sources": (source_entries, None)}
SOURCE: Table = {  # max_age_days and the limits default to the main file's (see _make_source)
    "id": (string, REQUIRED),  # matched against SOURCE_ID by load_sources
    "name": (nonblank, REQUIRED),
    "url": (all_of(string, http_url), REQUIRED),
    "timezone": (all_of(string, iana_zone), REQUIRED),
    "region": (all_of(string, to(lambda v: (v or "").strip())), ""),
    **dict.fromkeys(("feeds", "listing", "sitemaps"), (all_of(strings, each(http_url)), ())),
    "allow_domains": (strings, ()),
    "article_pattern": (all_of(string, regex), None),
    **dict.fromkeys(("title", "date", "body"), (all_of(string, selector), None)),
    "encoding": (all_of(string, encoding), None),
    "render": (all_of(string, render), None),
    "enabled": (boolean, True),
    "verify_tls": (boolean, True),
    "schedule": (optional(schedule), None),
    "max_age_days": (positive, DEFAULT_MAX_AGE_DAYS),
    **{limit: (positive, default) for limit, default in DEFAULT_LIMITS.items()},
    "note": (string, None),
}
