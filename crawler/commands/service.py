"""``dumawatch schedule``: the long-running crawl service (APScheduler 3.x ``BlockingScheduler``).

Sources that share a schedule (the main ``schedule:`` or their own ``schedule:``) form one job. Each run
is a fresh ``python -m crawler crawl --config … --source …`` process, because Scrapy's reactor cannot
restart and a crashing or leaking crawl must not take the service down. Runs never overlap: jobs go
through one worker thread (a slot that falls due during another run waits for it), ``max_instances=1``
with ``coalesce=True`` keeps missed slots from stacking up, and the crawl itself takes the store lock,
so a manual ``dumawatch crawl`` beside the service makes the scheduled run exit 3: it is logged as
skipped and the next slot tries again.

A run past ``run_timeout`` seconds gets SIGTERM (Scrapy stops gracefully, records its rows and writes
whole feeds), then SIGKILL after a grace period; its rows get the status ``timeout``. SIGTERM or SIGINT
to the service stops scheduling, stops the running crawl the same clean way, and exits 0.

After each run the service logs one line per source from the ``runs`` table, the health flags, and
sends the alerts (see alerts.py). With ``broker:`` in the config the runs are crawled by ``dumawatch worker``
processes on any hosts (see crawler/distributed); the service still schedules them, and writes the feeds,
the health and the alerts itself.
With ``alerts: digest:`` a job of its own sends the digest of the new
mentions on that cron, in the main schedule's time zone (see digest.py).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from crawler.commands.rematch import watchlist_note
from crawler.config import Config, Schedule, Source, cron_trigger
from crawler.errors import EXIT_ALL_FAILED, EXIT_LOCKED, LockedError
from crawler.report.alerts import alert_run
from crawler.report.digest import send_digest
from crawler.report.feeds import export_feeds
from crawler.report.health import source_health
from crawler.storage.locking import store_lock
from crawler.storage.store import Store

log = logging.getLogger("dumawatch.service")

KILL_GRACE = 30.0           # seconds between SIGTERM and SIGKILL
MISFIRE_GRACE = 600         # a slot missed by less than this (system busy or asleep) still runs, once


@dataclass
class Job:
    """Sources crawled together because they share one schedule."""
    name: str
    schedule: Schedule
    sources: list[Source]

    @property
    def source_ids(self) -> list[str]:
        return [source.id for source in self.sources]

    def trigger(self):
        return cron_trigger(self.schedule.cron, self.schedule.timezone)


def plan_jobs(config: Config) -> list[Job]:
    """One job per distinct (cron, time zone) among the enabled sources; the main schedule's job is 'default'."""
    groups: dict[Schedule, list[Source]] = {}
    for source in config.enabled_sources:
        schedule = Schedule(**source.schedule) if source.schedule else config.schedule
        groups.setdefault(schedule, []).append(source)
    jobs = []
    for schedule, sources in groups.items():
        name = "default" if schedule == config.schedule else f"{schedule.cron} ({schedule.timezone})"
        jobs.append(Job(name=name, schedule=schedule, sources=sources))
    return jobs


def setup_logging(config: Config, verbose: bool = False) -> None:
    """Service log lines to stderr and to the rotating log file (``log:`` in the config)."""
    settings = config.service
    settings.log_file.parent.mkdir(parents=True, exist_ok=True)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    handlers: list[logging.Handler] = [
        logging.StreamHandler(sys.stderr),
        logging.handlers.RotatingFileHandler(settings.log_file, maxBytes=settings.log_max_bytes,
                                             backupCount=settings.log_backups, encoding="utf-8"),
    ]
    for handler in handlers:
        handler.setFormatter(formatter)
    # APScheduler's own warnings about skipped slots are long: the service logs them itself (on_skipped_slot)
    for name, level in (("dumawatch", logging.INFO), ("apscheduler", logging.INFO if verbose else logging.ERROR)):
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.propagate = False
        for handler in handlers:
            logger.addHandler(handler)


class CrawlService:
    """Runs the crawl processes of the jobs, one at a time, and stops them cleanly on request."""
    def __init__(self, config: Config, verbose: bool = False, kill_grace: float = KILL_GRACE) -> None:
        self.config = config
        self.verbose = verbose
        self.kill_grace = kill_grace
        self.stopping = threading.Event()
        self._idle = threading.Condition()
        self._active = 0

    # -- one run -------------------------------------------------------------------------------------------
    def run_job(self, job: Job) -> str:
        """Crawl the job's sources in a child process; returns the outcome (ok, skipped, timeout, stopped…)."""
        with self._idle:
            self._active += 1
        try:
            return self._run(job)
        except Exception:  # the service must survive anything a run does
            log.exception("run of job '%s' failed inside the service", job.name)
            return "error"
        finally:
            with self._idle:
                self._active -= 1
                self._idle.notify_all()

    def _run(self, job: Job) -> str:
        if self.stopping.is_set():
            return "stopped"
        if self.config.broker:
            return self._run_queued(job)
        spawned = datetime.now(UTC).replace(microsecond=0)
        clock = time.monotonic()
        command = [sys.executable, "-m", "crawler", "crawl", "--config", str(self.config.path), "--no-progress"]
        for sid in job.source_ids:
            command += ["--source", sid]
        if self.verbose:
            command.append("--verbose")
        log.info("run start: job '%s' (%s, %s): %s", job.name, job.schedule.cron, job.schedule.timezone,
                 ", ".join(job.source_ids))
        with tempfile.TemporaryFile() as output:
            # a session of its own: a Ctrl-C on the terminal reaches the service only, which then sends
            # the child one SIGTERM (a second one would make Scrapy stop uncleanly)
            child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=output,
                                     stderr=None if self.verbose else subprocess.STDOUT, start_new_session=True)
            timed_out = self._watch(job, child, clock + self.config.service.run_timeout)
            output.seek(0)
            tail = output.read()[-2000:].decode("utf-8", "replace").strip()
        returncode = child.returncode
        duration = time.monotonic() - clock
        if returncode == EXIT_LOCKED:
            log.warning("run skipped: job '%s': the store is locked by another run (%s); next slot retries",
                        job.name, tail.splitlines()[-1] if tail else "exit 3")
            return "skipped"
        if returncode == EXIT_ALL_FAILED and not timed_out:
            log.warning("run of job '%s': every source failed (see the lines below)", job.name)
        elif returncode != 0 and not timed_out:
            log.error("crawl process of job '%s' exited %s: %s", job.name, returncode, tail[-500:])
        outcome = "timeout" if timed_out else "stopped" if self.stopping.is_set() and returncode else \
            "ok" if returncode == 0 else "failed" if returncode == EXIT_ALL_FAILED else f"crashed (exit {returncode})"
        self._after_run(job, spawned, outcome, duration, returncode)
        return outcome

    def _run_queued(self, job: Job) -> str:
        """With a broker: the job's sources go to ``dumawatch worker`` processes (crawler/distributed)."""
        from crawler.distributed.dispatch import crawl_on_workers

        spawned = datetime.now(UTC).replace(microsecond=0)
        clock = time.monotonic()
        log.info("run start: job '%s' (%s, %s) queued for the workers: %s", job.name, job.schedule.cron,
                 job.schedule.timezone, ", ".join(job.source_ids))
        # the tasks may wait in the queue for a worker: the run may take twice run_timeout before it is given up
        from kombu.exceptions import OperationalError

        try:
            outcome, returncode = crawl_on_workers(self.config, job.sources, self.stopping,
                                                   clock + 2 * self.config.service.run_timeout + self.kill_grace)
        except OperationalError as exc:  # the broker is down or refuses us: one line, the run recorded as such
            from urllib.parse import urlsplit

            broker = urlsplit(self.config.broker)  # host and port only: no password in the log
            log.error("run of job '%s' not queued: the broker %s:%s does not answer: %s", job.name, broker.hostname,
                      broker.port, exc)
            outcome, returncode = "crashed (broker unreachable)", 1
        store = Store(self.config.state_url)
        try:
            with store_lock(self.config.lock_path, wait=True):
                export_feeds(self.config, store)  # the feeds are written here only: the workers' crawls don't
        finally:
            store.close()
        self._after_run(job, spawned, outcome, time.monotonic() - clock, returncode)
        return outcome

    def _after_run(self, job: Job, spawned: datetime, outcome: str, duration: float, returncode: int) -> None:
        store = Store(self.config.state_url)
        try:
            rows = run_rows(store, job.source_ids, spawned)
            if outcome != "ok" and (outcome == "timeout" or len(rows) < len(job.sources)):
                rows = self._record_outcome(store, job, spawned, rows, outcome)
            for row in rows:
                log.info("source %s: run %s, %s, pages %d, new articles %d, mentions %d, errors %d, "
                         "empty pages %d, too old %d, %.1f s%s%s", row["source_id"], row["run_id"], row["status"],
                         row["pages"], row["new_articles"], row["new_mentions"], row["errors"], row["empty_pages"],
                         row.get("too_old") or 0, row["duration"],
                         f" ({row['error_detail'][:300]})" if row["error_detail"] else "",
                         f" (limit hit: {row['limit_hit'][:300]})" if row.get("limit_hit") else "")
            log.info("run end: job '%s': %s (exit %s) in %.1f s, %d new articles, %d mentions", job.name, outcome,
                     returncode, duration, sum(r["new_articles"] for r in rows), sum(r["new_mentions"] for r in rows))
            new_flags: dict[str, list[str]] = {}
            run_id = rows[0]["run_id"] if rows else None
            for sid in job.source_ids:
                health = source_health(store, sid, self.config.service)
                if health.flags:
                    log.warning("health %s: %s", sid, "; ".join(health.details))
                    before = source_health(store, sid, self.config.service, exclude_run_id=run_id)
                    appeared = [d for f, d in zip(health.flags, health.details, strict=True) if f not in before.flags]
                    if appeared:
                        new_flags[sid] = appeared
            alert_run(self.config, store, rows, new_flags)
            note = watchlist_note(self.config, store)
            if note:
                log.warning("watchlist: %s", note)
        finally:
            store.close()

    def _record_outcome(self, store, job: Job, spawned: datetime, rows: list[dict], outcome: str) -> list[dict]:
        """Give the run's rows the status ``outcome`` (adding rows for sources the child did not record)."""
        finished = datetime.now(UTC).isoformat(timespec="seconds")
        run_id = rows[0]["run_id"] if rows else f"svc{int(spawned.timestamp()):x}"
        recorded = {row["source_id"] for row in rows}
        missing = [{"run_id": run_id, "source_id": sid, "started": spawned.isoformat(timespec="seconds"),
                    "finished": finished, "duration": round((datetime.now(UTC) - spawned).total_seconds(), 3)}
                   for sid in job.source_ids if sid not in recorded]
        try:
            with store_lock(self.config.lock_path):
                store.settle_runs(outcome, [row["id"] for row in rows] if outcome == "timeout" else (), missing)
        except LockedError:
            log.warning("could not record the %s run of job '%s': the store is locked", outcome, job.name)
            return rows
        try:
            with store_lock(self.config.lock_path):
                export_feeds(self.config, store)
        except LockedError:
            pass  # the run holding the lock rewrites the feeds itself
        return run_rows(store, job.source_ids, spawned)

    # -- the digest ----------------------------------------------------------------------------------------
    def run_digest(self) -> int:
        """Send the digest of the new mentions (crawler/report/digest.py); never lets a failure reach the scheduler."""
        if self.stopping.is_set():
            return 0
        try:
            store = Store(self.config.state_url)
            try:
                return send_digest(self.config, store)
            finally:
                store.close()
        except Exception:
            log.exception("digest failed inside the service")
            return 0

    # -- stopping ------------------------------------------------------------------------------------------
    def _watch(self, job: Job, child: subprocess.Popen, deadline: float) -> bool:
        """Wait for the crawl; stop it on a service stop or past the deadline. True when it timed out.

        Only this thread signals the child, so it gets exactly one SIGTERM whatever arrives when.
        """
        while True:
            try:
                child.wait(timeout=0.25)
                return False
            except subprocess.TimeoutExpired:
                pass
            if self.stopping.is_set():
                log.info("stopping: asking the running crawl (pid %s) to stop cleanly", child.pid)
                self._stop_child(child)
                return False
            if time.monotonic() > deadline:
                log.warning("run of job '%s' passed run_timeout (%s s): stopping it", job.name,
                            self.config.service.run_timeout)
                self._stop_child(child)
                return True

    def _stop_child(self, child: subprocess.Popen) -> None:
        """SIGTERM (Scrapy stops gracefully and writes its rows and feeds), SIGKILL after the grace period."""
        if child.poll() is not None:
            return
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=self.kill_grace)
        except subprocess.TimeoutExpired:
            log.error("crawl process %s did not stop in %.0f s: killing it", child.pid, self.kill_grace)
            child.kill()
            child.wait()

    def request_stop(self) -> None:
        """Launch no more runs; the run in progress stops its crawl cleanly (see _watch). Signal-safe."""
        self.stopping.set()

    def wait_idle(self) -> None:
        """Wait for the run in progress to stop its crawl and record it."""
        with self._idle:
            while self._active:
                self._idle.wait(0.2)


def next_run(job: Job, trigger=None) -> datetime | None:
    """When the job's schedule fires next (in the schedule's time zone)."""
    trigger = trigger or job.trigger()
    return trigger.get_next_fire_time(None, datetime.now(trigger.timezone))


def run_rows(store, source_ids: list[str], since: datetime) -> list[dict]:
    """The ``runs`` rows of these sources that started at or after ``since`` (the run just made)."""
    return store.runs_started_since(source_ids, since.isoformat(timespec="seconds"))


def serve(config: Config, once: bool = False, verbose: bool = False) -> int:
    """Run the service until SIGTERM/SIGINT (or, with ``once``, run every job once now); returns 0."""
    from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.blocking import BlockingScheduler

    setup_logging(config, verbose)
    jobs = plan_jobs(config)
    service = CrawlService(config, verbose=verbose)
    scheduler = BlockingScheduler(
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": MISFIRE_GRACE},
        timezone=config.schedule.timezone)

    def on_signal(signum, _frame):
        if service.stopping.is_set():
            return
        log.info("received %s: stopping the service", signal.Signals(signum).name)
        service.request_stop()
        if scheduler.running:
            scheduler.shutdown(wait=False)

    def on_skipped_slot(event):
        why = "the previous run is still going" if event.code == EVENT_JOB_MAX_INSTANCES else "missed by too long"
        times = getattr(event, "scheduled_run_times", None) or [getattr(event, "scheduled_run_time", None)]
        when = times[-1].isoformat(timespec="seconds") if times[-1] else "?"
        log.warning("slot %s of job '%s' skipped: %s", when, event.job_id, why)

    scheduler.add_listener(on_skipped_slot, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    log.info("service start (pid %s): %d job(s), %d source(s), run_timeout %s s, log %s", os.getpid(), len(jobs),
             sum(len(job.sources) for job in jobs), config.service.run_timeout, config.service.log_file)
    if once:
        for job in jobs:
            if service.stopping.is_set():
                break
            service.run_job(job)
        if config.service.digest_cron:
            service.run_digest()
        log.info("service stop: --once done")
        return 0
    for job in jobs:
        trigger = job.trigger()
        scheduler.add_job(service.run_job, trigger=trigger, args=[job], id=job.name, name=job.name)
        log.info("job '%s': %s, first run %s", job.name, ", ".join(job.source_ids),
                 next_run(job, trigger).isoformat(timespec="seconds"))
    if config.service.digest_cron and config.service.alert_urls:
        trigger = cron_trigger(config.service.digest_cron, config.schedule.timezone)
        scheduler.add_job(service.run_digest, trigger=trigger, id="digest", name="digest")
        log.info("digest: %s (%s), first %s", config.service.digest_cron, config.schedule.timezone,
                 trigger.get_next_fire_time(None, datetime.now(trigger.timezone)).isoformat(timespec="seconds"))
    if not jobs:
        log.warning("no enabled source: nothing to schedule")
    scheduler.start()  # blocks until a signal shuts the scheduler down
    service.wait_idle()
    log.info("service stop")
    return 0
