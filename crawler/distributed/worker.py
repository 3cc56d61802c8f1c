"""``dumawatch worker``: take the service's crawl tasks off the Celery queue and run them (on any host)."""

from __future__ import annotations

import os
import socket

from crawler.config import Config
from crawler.distributed.app import DEFAULT_BROKER, configure, queue_name
from crawler.distributed.tasks import CONFIG_ENV


def run_worker(config: Config, broker: str | None = None, concurrency: int = 1, name: str | None = None,
               verbose: bool = False) -> int:
    """Run a Celery worker until SIGTERM/SIGINT (Celery's warm shutdown: the running crawls finish first)."""
    os.environ[CONFIG_ENV] = str(config.path)
    app = configure(broker or config.broker or DEFAULT_BROKER, config.service.run_timeout, config.state_url)
    import crawler.distributed.tasks  # noqa: F401  (registers the task)

    argv = ["worker", f"--concurrency={concurrency}", "--pool=prefork", f"--queues={queue_name(config.state_url)}",
            f"--hostname={name or 'dumawatch-' + str(os.getpid()) + '@' + socket.gethostname()}",
            f"--loglevel={'INFO' if verbose else 'WARNING'}", "--without-gossip", "--without-mingle"]
    app.worker_main(argv=argv)
    return 0
