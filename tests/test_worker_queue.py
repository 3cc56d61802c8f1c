"""``dumawatch worker`` with a real broker and real worker processes: the service queues, workers crawl.

Redis (the default broker) and RabbitMQ (by URL) on their standard loopback ports, the store on the
PostgreSQL server (tests/pgserver.py), Bitrix-style loopback sites (``/news/10042/``, ``?PAGEN_1=N``).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bigsite import build_site
from conftest import REPO, read_csv, run_cli, source_entry, write_config
from pgserver import fresh_database, query

pytest.importorskip("celery")
REDIS = "redis://127.0.0.1:6379/0"
RABBITMQ = "amqp://guest:guest@127.0.0.1:5672//"


@pytest.fixture
def database():
    with fresh_database() as url:
        yield url


class Workers:
    """`dumawatch worker` processes, each in a session of its own (so one can be killed with its crawl)."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.processes: list[tuple[subprocess.Popen, Path]] = []
        self.after_stop: list = []  # clean-ups once no worker runs (a queue deleted earlier is declared again)

    def start(self, config: Path, name: str, broker: str) -> subprocess.Popen:
        log = self.tmp_path / f"{name}.log"
        handle = open(log, "w")  # noqa: SIM115 (the worker writes to it until it is stopped)
        process = subprocess.Popen([sys.executable, "-m", "crawler", "worker", "--config", str(config), "--broker",
                                    broker, "--name", f"{name}@test", "--verbose"], cwd=REPO,
                                   stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
        handle.close()
        self.processes.append((process, log))
        deadline = time.monotonic() + 60
        while "ready." not in log.read_text(encoding="utf-8", errors="replace"):
            assert process.poll() is None, log.read_text(encoding="utf-8", errors="replace")
            assert time.monotonic() < deadline, f"worker {name} not ready: {log.read_text()}"
            time.sleep(0.2)
        return process

    def stop(self) -> None:
        for process, _ in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process, _ in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for clean_up in self.after_stop:
            clean_up()


@pytest.fixture
def workers(tmp_path):
    pool = Workers(tmp_path)
    yield pool
    pool.stop()


def _delete_queue(broker: str, database: str) -> None:
    """RabbitMQ keeps a durable queue after its consumers are gone: the test's own one goes."""
    from kombu import Connection

    from crawler.distributed.app import queue_name

    with Connection(broker) as connection:
        connection.default_channel.queue_delete(queue_name(database))


def crawl_processes(config: Path) -> list[int]:
    """Pids of the `dumawatch crawl --no-export` processes running for a worker with this config."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--no-export" in argv and str(config).encode() in argv:
            found.append(int(entry.name))
    return found


def session_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[3])


def configs(tmp_path: Path, entries: list[dict], database: str, broker: str) -> tuple[Path, Path]:
    """The service's config and the workers' (same sources and store, feeds folders of their own)."""
    service = write_config(tmp_path / "service", entries, state=database, broker=broker)
    worker = write_config(tmp_path / "worker", entries, state=database, scrapy={"CONCURRENT_REQUESTS_PER_DOMAIN": 2})
    run_cli("migrate", "--config", service, check=True)  # as the README's set-up does, before the workers start
    return service, worker


def test_the_service_spreads_the_hosts_over_two_workers_and_writes_the_feeds_itself(tmp_path, serve, database, workers):
    entries = []
    for n, sid in enumerate(["smolduma", "bryanskduma", "kalugaduma"]):
        build_site(tmp_path / "sites" / sid, 40, name=f"Дума № {n + 1} (тест)")
        entries.append(source_entry(serve(tmp_path / "sites" / sid), sid))
    service_config, worker_config = configs(tmp_path, entries, database, REDIS)
    workers.start(worker_config, "w1", REDIS)
    workers.start(worker_config, "w2", REDIS)
    run = subprocess.run([sys.executable, "-m", "crawler", "schedule", "--once", "--config", str(service_config)],
                         cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    queued = re.findall(r"queued: ([\w, ]+) \(task", run.stderr)
    assert len(queued) == 2  # as many tasks as workers, each site host in one of them
    assert sorted(sid for line in queued for sid in line.split(", ")) == sorted(e["id"] for e in entries)
    done_by = set(re.findall(r"done on \S+ \(pid (\d+)\)", run.stderr))
    assert len(done_by) == 2, run.stderr  # both workers took tasks
    assert query(database, "SELECT count(*), count(DISTINCT url_key) FROM articles") == [(120, 120)], (
        run.stderr, query(database, "SELECT source_id, status, pages, new_articles, errors, error_detail FROM runs"))
    assert sorted(query(database, "SELECT source_id, status, new_articles FROM runs")) == sorted(
        (entry["id"], "ok", 40) for entry in entries)
    # the feeds, health and alerts are the service's: the workers' crawls wrote no feed
    assert len(read_csv(tmp_path / "service" / "feeds" / "articles.csv")) == 120
    assert {row["health"] for row in read_csv(tmp_path / "service" / "feeds" / "health.csv")} == {"ok"}
    assert not (tmp_path / "worker" / "feeds" / "articles.csv").exists()


@pytest.mark.parametrize("broker", [RABBITMQ, REDIS], ids=["rabbitmq-whole-worker", "redis-pool-process"])
def test_a_worker_killed_mid_job_has_its_job_retried_by_another_and_nothing_is_lost(tmp_path, serve, database,
                                                                                      workers, broker):
    """RabbitMQ: the whole worker (and its crawl) is killed, as when its machine dies: the broker sends the
    unacknowledged task to the other worker. Redis: the worker's pool process running the task is killed: the
    worker sends the task again (``retry_on_worker_lost``/``reject_on_worker_lost``)."""
    if broker == RABBITMQ:
        workers.after_stop.append(lambda: _delete_queue(broker, database))
    build_site(tmp_path / "sites" / "pskovduma", 240, name="Псковское областное Собрание (тест)")
    site = serve(tmp_path / "sites" / "pskovduma")
    service_config, worker_config = configs(tmp_path, [source_entry(site, "pskovduma")], database, broker)
    first = workers.start(worker_config, "w1", broker)
    service = subprocess.Popen([sys.executable, "-m", "crawler", "schedule", "--once", "--config",
                                str(service_config)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    deadline = time.monotonic() + 120
    while not crawl_processes(worker_config) or query(database, "SELECT count(*) FROM articles")[0][0] < 30:
        assert time.monotonic() < deadline and service.poll() is None, "the crawl did not get going"
        time.sleep(0.1)
    victim = crawl_processes(worker_config)[0]
    assert session_of(victim) == first.pid
    if broker == RABBITMQ:
        workers.start(worker_config, "w2", broker)  # the other machine
        os.killpg(first.pid, signal.SIGKILL)        # the first one dies with its crawl
    else:
        pool_process = int(Path(f"/proc/{victim}/stat").read_text().rsplit(")", 1)[1].split()[1])
        os.kill(pool_process, signal.SIGKILL)       # the worker's process running the task dies
    while Path(f"/proc/{victim}").exists() and "zombie" not in Path(f"/proc/{victim}/status").read_text():
        time.sleep(0.05)  # the crawl goes down with it (PR_SET_PDEATHSIG): what it committed stays
    stored_before = query(database, "SELECT count(*) FROM articles")[0][0]
    out, err = service.communicate(timeout=300)
    assert service.returncode == 0, err
    assert stored_before < 240
    assert query(database, "SELECT count(*), count(DISTINCT url_key) FROM articles") == [(240, 240)], err
    # the killed crawl recorded no run; the retried one stored the rest
    assert query(database, "SELECT status, new_articles FROM runs") == [("ok", 240 - stored_before)], err
    assert len(read_csv(tmp_path / "service" / "feeds" / "articles.csv")) == 240
    paths = [p for p in site.paths_requested() if p.startswith("/news/1")]
    assert len(set(paths)) == 240


def test_sources_of_one_host_always_go_to_one_task():
    from crawler.config import Source
    from crawler.distributed.dispatch import spread

    def source(sid: str, url: str) -> Source:
        return Source(id=sid, name=sid, url=url, timezone="Europe/Moscow")

    sources = [source("zsnso", "https://zsnso.ru/"), source("zsnso_press", "https://www.zsnso.ru/press/"),
               source("omsk", "https://omsk-parlament.ru/"), source("tomsk", "https://duma.tomsk.ru/"),
               source("tomsk_news", "https://duma.tomsk.ru/news/")]
    for tasks in (1, 2, 3, 10):
        groups = spread(sources, tasks)
        assert len(groups) == min(tasks, 3)
        assert sorted(sid for group in groups for sid in group) == sorted(s.id for s in sources)
        for pair in (("zsnso", "zsnso_press"), ("tomsk", "tomsk_news")):
            assert any(set(pair) <= set(group) for group in groups), (tasks, groups)


def test_a_bad_broker_or_a_sqlite_store_for_workers_is_one_line_and_exit_2(tmp_path):
    config = write_config(tmp_path / "a", [], broker="http://127.0.0.1:6379/0")
    result = run_cli("crawl", "--config", config)
    assert result.returncode == 2 and "broker: expected a Redis or RabbitMQ URL" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    config = write_config(tmp_path / "b", [], broker=REDIS)  # the default state: a SQLite file
    result = run_cli("schedule", "--once", "--config", config)
    assert result.returncode == 2 and "'state' must be a database server URL" in result.stderr
    worker = run_cli("worker", "--config", write_config(tmp_path / "c", []))
    assert worker.returncode == 2 and "not a SQLite file" in worker.stderr
    assert not (tmp_path / "a" / "data").exists() and not (tmp_path / "c" / "data").exists()


def test_a_broker_that_does_not_answer_is_one_log_line_and_the_run_is_recorded(tmp_path, serve, database):
    site = serve("tverduma")
    config = write_config(tmp_path / "svc", [source_entry(site, "tverduma")], state=database,
                          broker="redis://127.0.0.1:1/0")  # nothing listens there
    run = subprocess.run([sys.executable, "-m", "crawler", "schedule", "--once", "--config", str(config)], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "not queued: the broker 127.0.0.1:1 does not answer" in run.stderr
    assert "Traceback" not in run.stderr
    assert query(database, "SELECT source_id, status FROM runs") == [("tverduma", "crashed (broker unreachable)")]
    assert not site.requests
