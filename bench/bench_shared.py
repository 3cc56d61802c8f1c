"""Many crawl hosts, one PostgreSQL: the 4-host corpus crawled by two ``dumawatch worker``s vs one process.

A generated corpus (``bench/corpus.py``: 2,000 articles on 4 hosts, 1C-Bitrix, WordPress and windows-1251
table-layout styles, 4 % cross-site reprints) is served from memory by ``bench/loopback.py``. Each scenario
crawls it into a fresh database of the PostgreSQL server on 127.0.0.1:5432, in one run, side by side:

1. one process: ``dumawatch crawl`` of the four sources;
2. two workers: ``dumawatch schedule --once`` with ``broker:`` (Redis on 127.0.0.1:6379) queues one task per
   host, two ``dumawatch worker`` processes (started and ready beforehand) crawl them; the wall time runs from
   the service's start to its exit (feeds, health and alerts written);
3. two ``dumawatch crawl`` processes started together on disjoint sources (2 + 2), as in issue #18;
4. two ``dumawatch crawl`` processes started together on the same four sources: each source is crawled by one,
   skipped (busy) by the other.

Reported: wall time, articles stored (of all), distinct article pages fetched and fetched twice, deadlocks
the server detected in the database (``pg_stat_database``), and the runs' statuses.

    python bench/bench_shared.py            # 2,000 articles
    python bench/bench_shared.py --quick    # 400 articles
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import yaml
from bench_crawl import serve, write_config
from corpus import build_sites
from harness import ROOT, print_table, write_results

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
BROKER = "redis://127.0.0.1:6379/0"


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(sql)


def query(url: str, sql: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        return conn.execute(sql).fetchall()


def with_keys(config: Path, **keys) -> Path:
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data.update(keys)
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return config


def crawl(config: Path, *sources: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "crawler", "crawl", "--config", str(config)]
    for sid in sources:
        command += ["--source", sid]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_all(processes: list[subprocess.Popen]) -> list[str]:
    errors = []
    for process in processes:
        _, err = process.communicate(timeout=1800)
        if process.returncode != 0:
            print(err[-3000:], file=sys.stderr)
        errors.append(err)
    return errors


def start_worker(config: Path, name: str, log: Path) -> subprocess.Popen:
    handle = open(log, "w")  # noqa: SIM115
    worker = subprocess.Popen([sys.executable, "-m", "crawler", "worker", "--config", str(config), "--name",
                               f"{name}@bench", "--verbose"], cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT,
                              start_new_session=True)
    handle.close()
    deadline = time.monotonic() + 60
    while "ready." not in log.read_text(errors="replace"):
        if worker.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"worker {name} did not start: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.2)
    return worker


def figures(url: str, hosts, articles: set, wall: float, total: int) -> dict:
    fetched = Counter(target for host in hosts for target, _status in host.log if target in articles)
    stored = query(url, "SELECT count(*), count(DISTINCT url_key) FROM articles")[0]
    name = url.rsplit("/", 1)[1]
    return {"wall_s": round(wall, 1), "stored": stored[0], "stored_distinct": stored[1], "of": total,
            "fetched": len(fetched), "fetched_twice": sum(1 for n in fetched.values() if n > 1),
            "deadlocks": query(url, f"SELECT deadlocks FROM pg_stat_database WHERE datname = '{name}'")[0][0],
            "runs": dict(Counter(status for (status,) in query(url, "SELECT status FROM runs")))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--quick", action="store_true", help="400 articles")
    args = parser.parse_args(argv)
    n = 400 if args.quick else args.articles
    sites = build_sites(n, 4)
    ids = [site.source_id for site in sites]
    server, hosts, articles = serve(sites)
    total = len(articles)
    results: dict[str, dict] = {}
    databases = []
    try:
        with tempfile.TemporaryDirectory(prefix="dumawatch-bench-shared-") as tmp:
            def fresh(label: str) -> str:
                name = f"dumawatch_bench_{label}_{uuid.uuid4().hex[:8]}"
                admin(f'CREATE DATABASE "{name}"')
                databases.append(name)
                server.clear_logs()
                return f"{SERVER}/{name}"

            def config(label: str, url: str, **keys) -> Path:
                return with_keys(write_config(Path(tmp) / label, sites, hosts), state=url, **keys)

            url = fresh("one")
            one = config("one", url)
            clock = time.perf_counter()
            wait_all([crawl(one)])
            results["one process"] = figures(url, hosts, articles, time.perf_counter() - clock, total)

            url = fresh("workers")
            service = config("service", url, broker=BROKER)
            worker_config = config("worker", url)
            subprocess.run([sys.executable, "-m", "crawler", "migrate", "--config", str(service)], cwd=ROOT,
                           check=True, capture_output=True)
            workers = [start_worker(worker_config, f"w{i}", Path(tmp) / f"w{i}.log") for i in (1, 2)]
            try:
                clock = time.perf_counter()
                run = subprocess.run([sys.executable, "-m", "crawler", "schedule", "--once", "--config", str(service)],
                                     cwd=ROOT, capture_output=True, text=True, timeout=1800)
                wall = time.perf_counter() - clock
            finally:
                for worker in workers:
                    os.killpg(worker.pid, signal.SIGTERM)
                for worker in workers:
                    worker.wait(timeout=60)
            results["two workers (queue)"] = figures(url, hosts, articles, wall, total)
            results["two workers (queue)"]["workers_used"] = len(set(re.findall(r"done on \S+ \(pid (\d+)\)",
                                                                                run.stderr)))

            url = fresh("disjoint")
            one = config("disjoint", url)
            clock = time.perf_counter()
            wait_all([crawl(one, *ids[:2]), crawl(one, *ids[2:])])
            results["two crawls, disjoint sources"] = figures(url, hosts, articles, time.perf_counter() - clock,
                                                              total)

            url = fresh("same")
            one = config("same", url)
            clock = time.perf_counter()
            errors = wait_all([crawl(one), crawl(one)])
            results["two crawls, same sources"] = figures(url, hosts, articles, time.perf_counter() - clock, total)
            results["two crawls, same sources"]["skip_lines"] = sum(err.count("is crawling it") for err in errors)
    finally:
        server.stop()
        for name in databases:
            admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    base = results["one process"]["wall_s"]
    rows = [[label, f"{r['wall_s']:.1f}", f"{r['wall_s'] / base:.2f}", f"{r['stored']} / {r['of']}",
             r["fetched"], r["fetched_twice"], r["deadlocks"], ", ".join(f"{k} {v}" for k, v in r["runs"].items())]
            for label, r in results.items()]
    print_table(f"{n} articles on 4 hosts into one PostgreSQL (one run, same loopback server)",
                ["", "wall s", "× one process", "stored", "fetched", "twice", "deadlocks", "runs"], rows)
    print(f"two workers used: {results['two workers (queue)']['workers_used']}; "
          f"skip lines of the same-sources pair: {results['two crawls, same sources']['skip_lines']}")
    write_results("shared", {"articles": n, "results": results})
    complete = all(r["stored"] == r["stored_distinct"] == total and r["deadlocks"] == 0 for r in results.values())
    print("every article stored once, no deadlock: " + ("met" if complete else "NOT met"))
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
