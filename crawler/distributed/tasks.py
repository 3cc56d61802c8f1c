"""The task a ``dumawatch worker`` runs: crawl some sources in a fresh ``dumawatch crawl`` process.

The crawl is a child process (Scrapy's reactor cannot restart in one process) that records its ``runs`` rows
in the shared store and leaves the feeds to the service (``--no-export``). It dies with the worker process
that started it (``PR_SET_PDEATHSIG``): a worker killed mid-task takes its crawl down with it, the store's
connection closes, the sources' locks are released, and the task, sent again, is crawled elsewhere from
what was committed. A crawl past the worker config's ``run_timeout`` gets SIGTERM, then SIGKILL.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile

from crawler.config import load_config
from crawler.distributed.app import app

CONFIG_ENV = "DUMAWATCH_WORKER_CONFIG"   # the worker's own dumawatch.yaml (set by `dumawatch worker`)
KILL_GRACE = 30.0
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the crawl outlives a killed worker and finishes its run
        pass


@app.task(name="dumawatch.crawl", bind=True, acks_late=True, reject_on_worker_lost=True,
          retry_on_worker_lost=True, max_retries=3, default_retry_delay=1)
def crawl(self, source_ids: list[str]) -> dict:
    """Crawl ``source_ids`` with this worker's config; returns the crawl's exit code, host and last lines."""
    config = load_config(os.environ[CONFIG_ENV])
    command = [sys.executable, "-m", "crawler", "crawl", "--config", str(config.path), "--no-export"]
    for sid in source_ids:
        command += ["--source", sid]
    timed_out = False
    with tempfile.TemporaryFile() as output:
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                                 preexec_fn=_die_with_parent)
        try:
            child.wait(timeout=config.service.run_timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=KILL_GRACE)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        output.seek(0)
        tail = output.read()[-2000:].decode("utf-8", "replace").strip()
    return {"exit": child.returncode, "timed_out": timed_out, "host": socket.gethostname(), "pid": os.getpid(),
            "sources": source_ids, "output": tail}
