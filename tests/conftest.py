"""Shared test fixtures: loopback test sites, config files, the real CLI in a subprocess; the `e2e` marker.

Every site gets its own 127.0.0.x address so Scrapy's per-host politeness applies to it as it
would to a real site (Scrapy keys its download slots by host name, not port).
"""

from __future__ import annotations

import ast
import csv
import inspect
import itertools
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from crawler.commands.demo_server import DEMO_SITES_DIR, SiteServer, serve_site

REPO = Path(__file__).resolve().parent.parent
TEST_SITES = Path(__file__).resolve().parent / "sites"
_addresses = itertools.count(10 + (os.getpid() % 40) * 5)


# The `e2e` marker; `python -m pytest -m "not e2e"` is the fast loop (README, Quick start). A test is end to
# end when it needs more than this process: a loopback site server, the CLI in a subprocess (a real crawl), a
# browser, LibreOffice, PostgreSQL, Redis/RabbitMQ/Celery, an SMTP server. It is marked here, not by hand: by
# the fixtures it uses, and by the names its code calls (the test function's, its fixtures', and those of the
# tests/ helpers they call, followed transitively), so a new test that calls run_cli is marked by itself.
# Modules that are end to end as a whole also say so (`pytestmark = pytest.mark.e2e`).
E2E_FIXTURES = {"serve", "browse_server", "smtp", "browser"}
E2E_CALLS = {
    "run_cli", "serve_site", "serve_faults", "fresh_database",  # tests/ and crawler/ helpers
    "subprocess.run", "subprocess.Popen", "subprocess.call", "subprocess.check_call",
    "subprocess.check_output",
    "pexpect.spawn", "sync_playwright", "Controller",  # a pseudo-terminal, a browser, aiosmtpd's server
    "psycopg.connect",  # PostgreSQL
}
TESTS_DIR = Path(__file__).resolve().parent


def _dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of attributes on a name; None for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def _defined_in_tests(obj) -> bool:
    try:
        return Path(inspect.getfile(obj)).resolve().is_relative_to(TESTS_DIR)
    except TypeError:  # built-ins, C extensions
        return False


def _reaches_outside(obj, seen: dict) -> bool:
    """Whether ``obj`` (a function or class from tests/) names an E2E_CALLS entry, itself or through the
    tests/ functions and classes it names."""
    if obj in seen:
        return seen[obj]
    seen[obj] = False  # a recursion back here adds nothing
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(obj)))
    except (OSError, TypeError):  # no source to read
        return False
    namespace = getattr(obj, "__globals__", None) or vars(sys.modules[obj.__module__])
    found = False
    for node in ast.walk(tree):
        name = _dotted(node) if isinstance(node, ast.Attribute | ast.Name) else None
        if name is None:
            continue
        if name in E2E_CALLS or name.rsplit(".", 1)[-1] in E2E_CALLS:
            found = True
            break
        target = namespace.get(name) if isinstance(node, ast.Name) else None
        if (inspect.isfunction(target) or inspect.isclass(target)) and target is not obj \
                and _defined_in_tests(target) and _reaches_outside(target, seen):
            found = True
            break
    seen[obj] = found
    return found


def pytest_collection_modifyitems(config, items):
    seen: dict = {}
    for item in items:
        if item.get_closest_marker("e2e") or not isinstance(item, pytest.Function):
            continue
        fixtures = [definition.func for name in item.fixturenames
                    for definition in item._fixtureinfo.name2fixturedefs.get(name, ())
                    if _defined_in_tests(definition.func)]
        if E2E_FIXTURES & set(item.fixturenames) or any(
                _reaches_outside(function, seen) for function in [item.function, *fixtures]):
            item.add_marker(pytest.mark.e2e)


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
    # one worker process, as users run (`workers: auto` is 1 on two cores): the worker pool's path is the one
    # tested by default; the crawl-process path (workers: 0) by the tests that ask for it: test_discover_e2e and
    # test_search_e2e run both, test_workers_e2e compares the two row by row
    extra.setdefault("workers", 1)
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
