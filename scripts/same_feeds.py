"""Check that a refactoring left every feed row as it was: crawl the same sites with two versions, compare the feeds.

    python scripts/same_feeds.py --before main                  # main against the working tree
    python scripts/same_feeds.py --before HEAD~3 --after HEAD   # two revisions
    python scripts/same_feeds.py --before main --only demo --only mentions --show 10 --keep

Each side's code is a git revision (``git archive`` into a temporary directory, removed afterwards) or a
directory (``--after`` defaults to this working tree, uncommitted changes included). For each scenario of
``scripts/feed_scenarios.py`` and each side, in a fresh temporary directory, the real CLI runs with
``PYTHONPATH`` set to that side's tree only, so each side runs its own code (the script checks that
``crawler`` and ``pipelines`` are imported from there):

- ``demo``: ``python -m crawler demo --dir D``, the offline demo as users run it (its sites, config and
  watchlist are the side's own; ``workers: auto``);
- every loopback site the end-to-end tests crawl: all of ``tests/sites/``, the demo sites, and the generated
  ones (``tests/bigsite.py``, ``deepsite.py`` in its four CMS shapes, ``mixedsite.py``, ``search_sites.py``,
  ``fault_server.py``, and ``history.py``'s 14 months of stored history), each on its own 127.0.0.x address,
  the deep sites one per scenario (together, their generated texts make same-day reprints of each other, and
  which copy ``duplicate_of`` names as the original then depends on the order the crawl stored them),
  with the tests' source entries and watchlists (``tests/test_mentions_e2e.py``'s, the demo's, …), with
  ``workers: 0`` as the tests run them and once with ``workers: 2``; some scenarios crawl twice (an
  unchanged rerun), crawl a site again a week later, or ``rematch`` after a watchlist change.

After the scenario's commands, ``export --all`` writes the whole history too. The sites come from the *after*
side (fixtures are not under test); they are built once and served to both sides on the same address and port,
so URLs compare as they are. Then every CSV under the feeds folder (``articles.csv``, ``mentions.csv``,
``runs.csv``, ``health.csv``, ``mentions_daily.csv``, ``archive/YYYY-MM/*.csv``, ``export/all/*.csv``) is
compared row by row, in file order (except among rows tied on ``published_at``, see ``feed_compare.py``), with
each command's exit code.

Normalised, because they differ between any two runs (``scripts/feed_compare.py``, ``RUN_DEPENDENT``); each is
replaced by a token that still tells an empty cell from a filled one:

- ``articles.csv``, ``mentions.csv``: ``first_seen`` (the moment of the crawl);
- ``runs.csv``: ``run_id`` (random; numbered in order of appearance, so rows of one run still share one),
  ``started``, ``finished``, ``duration``;
- ``health.csv``: ``last_run``, ``last_new_article`` (moments of the run);
- ``runs.csv`` ``error_detail`` and ``limit_hit``, ``health.csv`` ``last_error``: the `` | ``-separated items are
  sorted (they are listed in the order the responses failed), none dropped.

Nothing else: ``published_at``, ``published_date``, title, text, url, names, topics, duplicate_of, the
mentions' matched form and snippet, the runs' counts, statuses and error details are compared as they stand.
In the ``demo`` scenario only, each demo site's base URL is written ``http://127.0.0.N:<port>`` in every cell,
since the demo falls back to any free port when its fixed one is taken.

Prints a line per scenario (files, rows compared, identical, different), then the first differing rows of each
differing file with the columns that changed; exits 0 when everything is identical, 1 otherwise, 2 on a usage
error. Run it ``--before HEAD`` to see that the crawls themselves are deterministic.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import yaml
from feed_compare import FileResult, compare_folders, read_feeds
from feed_scenarios import Scenario, Site, scenarios

REPO = Path(__file__).resolve().parent.parent
TIMEOUT = 300   # seconds for one CLI command


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Crawl the demo and every test site with two versions of the "
                                                 "code and compare their feeds row by row.")
    parser.add_argument("--before", required=True, metavar="REV", help="git revision (or directory) before")
    parser.add_argument("--after", metavar="REV_OR_DIR", default=str(REPO),
                        help="git revision or directory after (default: this working tree)")
    parser.add_argument("--only", action="append", metavar="SCENARIO", help="only this scenario (repeatable)")
    parser.add_argument("--show", type=int, default=5, metavar="N", help="differing rows shown per file (5)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory and print it")
    return parser.parse_args(argv)


def checkout(rev: str, target: Path) -> Path:
    """The tree of ``rev``: a directory as it is, else ``git archive REV`` unpacked into ``target``."""
    if Path(rev).is_dir():
        return Path(rev).resolve()
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", rev], capture_output=True)
    if archive.returncode != 0:
        raise SystemExit(f"same_feeds: git archive {rev}: {archive.stderr.decode().strip()}")
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


def load_fixtures(tree: Path) -> SimpleNamespace:
    """The after side's fixture modules (its tests' helpers and demo server). They are imported from a tree
    chosen at run time, hence the path edit, done once here."""
    sys.path[:0] = [str(tree), str(tree / "tests")]
    modules = {name: importlib.import_module(module) for name, module in {
        "conftest": "conftest", "demo_server": "crawler.commands.demo_server", "demo": "crawler.commands.demo", "bigsite": "bigsite",
        "deepsite": "deepsite", "mixedsite": "mixedsite", "search_sites": "search_sites",
        "fault_server": "fault_server", "history": "history", "mentions_e2e": "test_mentions_e2e",
        "feed_archive": "test_feed_archive"}.items()}
    return SimpleNamespace(**modules, mentions_watchlist=modules["mentions_e2e"].WATCHLIST,
                           archive_watchlist=modules["feed_archive"].WATCHLIST)


class Addresses:
    """One 127.0.0.x address and a free port on it per (scenario, site), kept for both sides."""

    def __init__(self) -> None:
        self.taken: dict[tuple[str, str], tuple[str, int]] = {}

    def of(self, scenario: str, key: str) -> tuple[str, int]:
        if (scenario, key) not in self.taken:
            host = f"127.0.0.{60 + len(self.taken) % 180}"
            with socket.socket() as probe:
                probe.bind((host, 0))
                self.taken[scenario, key] = host, probe.getsockname()[1]
        return self.taken[scenario, key]


class Side:
    """One version of the code: its tree, and the environment that makes ``python -m crawler`` run it."""

    def __init__(self, label: str, tree: Path) -> None:
        self.label, self.tree = label, tree
        self.env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
        probe = subprocess.run([sys.executable, "-c", "import crawler, pipelines; print(crawler.__file__); "
                                "print(pipelines.__file__)"], capture_output=True, text=True, env=self.env,
                               cwd=tempfile.gettempdir())
        paths = probe.stdout.split()
        if probe.returncode != 0 or not all(Path(p).resolve().is_relative_to(tree) for p in paths):
            raise SystemExit(f"same_feeds: {label} does not import its own code from {tree}: "
                             f"{probe.stdout}{probe.stderr}")

    def cli(self, *args: object, cwd: Path) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "crawler", *map(str, args)], capture_output=True, text=True,
                              env=self.env, cwd=cwd, timeout=TIMEOUT)


class Runner:
    def __init__(self, fx: SimpleNamespace, work: Path) -> None:
        self.fx, self.work, self.addresses = fx, work, Addresses()
        self.roots: dict[tuple[str, str, int], Path] = {}

    def root(self, scenario: Scenario, key: str, site: Site, step: int) -> Path:
        """The site's directory, built the first time it is asked for."""
        if (scenario.name, key, step) not in self.roots:
            directory = self.work / "sites" / scenario.name / f"{key}-{step}"
            directory.parent.mkdir(parents=True, exist_ok=True)
            self.roots[scenario.name, key, step] = site.build(directory)
        return self.roots[scenario.name, key, step]

    def serve(self, scenario: Scenario, key: str, site: Site, step: int):
        host, port = self.addresses.of(scenario.name, key)
        if site.faults:
            return self.fx.fault_server.serve_faults(host, port=port)
        return self.fx.demo_server.serve_site(self.root(scenario, key, site, step), host=host, port=port)

    def run(self, scenario: Scenario, side: Side) -> tuple[Path, list[str], object]:
        """Run the scenario's commands with ``side``'s code; returns (feeds folder, outcomes, cell rewrite)."""
        directory = self.work / side.label / scenario.name
        directory.mkdir(parents=True)
        if scenario.demo:
            return self.run_demo(directory, side)
        if scenario.store:
            stored = self.work / "stores" / scenario.name / "state.sqlite3"
            if not stored.exists():
                stored.parent.mkdir(parents=True)
                scenario.store(stored)
            (directory / "data").mkdir()
            shutil.copy(stored, directory / "data" / "state.sqlite3")
        outcomes, config = [], directory / "dumawatch.yaml"
        for number, step in enumerate(scenario.steps):
            sites = {**scenario.sites, **step.sites}
            overridden = {key: number if key in step.sites else -1 for key in sites}
            servers = {key: self.serve(scenario, key, site, overridden[key]) for key, site in sites.items()}
            try:
                config = self.fx.conftest.write_config(directory, scenario.sources(servers),
                                                       watchlist=step.watchlist or scenario.watchlist,
                                                       **scenario.config)
                outcomes.append(self.outcome(step.command, side.cli(*step.command, "--config", config,
                                                                   cwd=directory)))
            finally:
                for server in servers.values():
                    server.stop()
        outcomes.append(self.outcome(("export", "--all"), side.cli("export", "--all", "--config", config,
                                                                   cwd=directory)))
        return directory / "feeds", outcomes, None

    def run_demo(self, directory: Path, side: Side) -> tuple[Path, list[str], object]:
        demo = directory / "demo"
        outcomes = [self.outcome(("demo",), side.cli("demo", "--dir", demo, cwd=directory))]
        outcomes.append(self.outcome(("export", "--all"), side.cli("export", "--all", "--config",
                                                                   demo / "dumawatch.yaml", cwd=directory)))
        try:
            sources = yaml.safe_load((demo / "sources.yaml").read_text(encoding="utf-8"))["sources"]
        except (OSError, KeyError, TypeError):
            sources = []
        bases = {}
        for source in sources:
            base = source["url"].rstrip("/")
            bases[base] = base.rsplit(":", 1)[0] + ":<port>"

        def rewrite(cell: str) -> str:
            for base, token in bases.items():
                cell = cell.replace(base, token)
            return cell
        return demo / "feeds", outcomes, rewrite

    @staticmethod
    def outcome(command: tuple[str, ...], result: subprocess.CompletedProcess) -> str:
        said = (result.stderr.strip().splitlines() or [""])[-1][:200] if result.returncode else ""
        return f"{' '.join(command)} → exit {result.returncode}" + (f" ({said})" if said else "")


def report(name: str, outcomes: dict[str, list[str]], results: list[FileResult], seconds: float,
           show: int) -> bool:
    """Print the scenario's summary line and its differences; True when everything is identical."""
    rows = sum(r.rows for r in results)
    identical = sum(r.identical for r in results)
    different = sum(r.different for r in results) + sum(bool(r.note) and not r.different for r in results)
    exits_differ = [o.split(" (")[0] for o in outcomes["before"]] != [o.split(" (")[0] for o in outcomes["after"]]
    same = not different and not exits_differ
    print(f"{'identical' if same else 'DIFFERENT'}  {name:24} {len(results):3} files {rows:6} rows compared "
          f"{identical:6} identical {different:4} different  ({seconds:.0f} s)")
    failed = [o for o in outcomes["before"] + outcomes["after"] if "exit 0" not in o]
    if exits_differ or failed:
        for label in ("before", "after"):
            print(f"    {label}: " + "; ".join(outcomes[label]))
    for result in results:
        if result.different or result.note:
            print(f"    {result.path}: {result.different} of {result.rows} rows differ"
                  + (f" — {result.note}" if result.note else ""))
            for sample in result.samples[:show]:
                print(f"      {sample}")
    return same


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    clock = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="same-feeds-"))
    try:
        sides = [Side("before", checkout(args.before, work / "tree-before")),
                 Side("after", checkout(args.after, work / "tree-after"))]
        fx = load_fixtures(sides[1].tree)
        chosen = [s for s in scenarios(fx) if not args.only or s.name in args.only]
        unknown = set(args.only or ()) - {s.name for s in chosen}
        if unknown:
            print(f"same_feeds: no scenario {', '.join(sorted(unknown))}; there are: "
                  f"{', '.join(s.name for s in scenarios(fx))}", file=sys.stderr)
            return 2
        print(f"before: {args.before} ({sides[0].tree})\nafter:  {args.after} ({sides[1].tree})")
        runner, all_same, totals = Runner(fx, work), True, [0, 0, 0]
        for scenario in chosen:
            started = time.monotonic()
            feeds, outcomes = {}, {}
            for side in sides:
                folder, outcomes[side.label], rewrite = runner.run(scenario, side)
                feeds[side.label] = read_feeds(folder, rewrite)
            results = compare_folders(feeds["before"], feeds["after"], args.show)
            all_same &= report(scenario.name, outcomes, results, time.monotonic() - started, args.show)
            totals[0] += len(results)
            totals[1] += sum(r.rows for r in results)
            totals[2] += sum(r.identical for r in results)
        print(f"\n{'identical' if all_same else 'DIFFERENT'}: {len(chosen)} scenarios, {totals[0]} files, "
              f"{totals[1]} rows compared, {totals[2]} identical ({time.monotonic() - clock:.0f} s)")
        return 0 if all_same else 1
    finally:
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
