"""The Celery application shared by the service (which sends tasks) and ``dumawatch worker`` (which runs them)."""

from __future__ import annotations

from urllib.parse import urlsplit

from celery import Celery

app = Celery("dumawatch")
DEFAULT_BROKER = "redis://127.0.0.1:6379/0"
VISIBILITY_MARGIN = 600  # seconds beyond run_timeout before Redis hands an unacknowledged task to another worker


def queue_name(state_url: str) -> str:
    """The queue of one store: ``dumawatch.<database name>``, so deployments sharing a broker never mix tasks."""
    from sqlalchemy.engine import make_url

    return f"dumawatch.{make_url(state_url).database or 'default'}"


def configure(broker: str, run_timeout: int, state_url: str) -> Celery:
    """Point the app at ``broker`` (Redis or RabbitMQ); results go back through Redis or RabbitMQ's rpc://."""
    scheme = urlsplit(broker).scheme
    app.conf.update(
        broker_url=broker,
        result_backend=broker if scheme.startswith("redis") else "rpc://",
        task_default_queue=queue_name(state_url),
        task_acks_late=True,                 # acknowledged once run: a worker that dies mid-task loses nothing
        task_reject_on_worker_lost=True,     # … its task goes back on the queue
        worker_prefetch_multiplier=1,        # a worker takes one task at a time: the others stay for other hosts
        task_serializer="json", result_serializer="json", accept_content=["json"],
        broker_connection_retry_on_startup=True,
        result_expires=7 * 24 * 3600,
        # Redis redelivers an unacknowledged task after this; it must outlast the longest crawl
        broker_transport_options={"visibility_timeout": run_timeout + VISIBILITY_MARGIN},
        worker_hijack_root_logger=False,
    )
    return app
