"""Spreading the crawls over several hosts with Celery: the service queues, ``dumawatch worker`` crawls.

With ``broker:`` in the config (a Redis or RabbitMQ URL) and ``state:`` on PostgreSQL, the service's scheduler
(``crawler/commands/service.py``, APScheduler as without a broker) no longer starts the crawls itself: each run puts
"crawl these sources" tasks on the Celery queue (:mod:`crawler.distributed.dispatch`), one task per site
host, so one host's pages are fetched by one worker with Scrapy's politeness, and waits for them. Any
number of ``dumawatch worker`` processes, on any hosts, take the tasks (:mod:`crawler.distributed.worker`);
each task is a fresh ``dumawatch crawl --no-export`` process, as the service's runs are without a broker
(:mod:`crawler.distributed.tasks`). The service then exports the feeds and computes health and alerts, in
one place. A task is acknowledged only once it has run (``acks_late``): a worker that dies mid-task has it
sent again and taken by another worker, and per-source locks in the store (``crawler/storage/source_locks.py``)
keep a source from being crawled twice at once.
"""
