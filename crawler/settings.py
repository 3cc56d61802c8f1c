"""Scrapy settings for a dumawatch crawl: polite defaults, the pipeline order, and the user's overrides."""

from __future__ import annotations

from scrapy.settings import Settings

from crawler import __version__
from pipelines.settings import WATCHLIST_PATH_SETTING, WATCHLIST_SETTING, WORKERS_SETTING

# one list, with or without worker processes: the page stages (pipelines/stages.py: clean → dates → article
# evidence → mentions → fingerprints and normal forms), in the pool of ``workers`` processes or, with 0, here;
# then dedupe and store, which need the store, in the crawl process, one item at a time
ITEM_PIPELINES = {
    "pipelines.offload.OffloadPipeline": 100,
    "pipelines.dedupe.DedupePipeline": 300,
    "pipelines.store.StorePipeline": 500,
}

DOWNLOADER_MIDDLEWARES = {
    "crawler.download.middlewares.BackoffMiddleware": 560,       # process_response runs before RetryMiddleware (550)
    "crawler.download.middlewares.SourceBoundsMiddleware": 60,   # a redirect off the site: refused before robots.txt
}

DEFAULTS = {
    "BOT_NAME": "dumawatch",
    "USER_AGENT": f"dumawatch/{__version__} (media monitor of regional parliaments' news)",
    "ROBOTSTXT_OBEY": True,
    "DOWNLOAD_DELAY": 1.0,
    "LOG_INSTALL_ROOT_HANDLER": True,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    # items processed at once per response: the spider yields at most one item per page, and Scrapy 2.19 starts
    # this many asyncio tasks for every response, a cost per page that grows with it (bench/README.md). Responses
    # are still processed side by side, each with its own items (the worker pool sees many pages at once).
    "CONCURRENT_ITEMS": 4,
    "DOWNLOAD_TIMEOUT": 30,
    "DOWNLOAD_MAXSIZE": 10 * 1024 * 1024,
    "DOWNLOAD_WARNSIZE": 0,
    "RETRY_ENABLED": True,
    "RETRY_TIMES": 2,
    "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
    "REDIRECT_MAX_TIMES": 5,
    "COOKIES_ENABLED": True,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "WARNING",
    "ITEM_PIPELINES": ITEM_PIPELINES,
    "DEPTH_LIMIT": 0,
    "DNS_TIMEOUT": 15,
    "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
    # hostile web (issue 9): certificates verified per source, redirects kept on the source's site,
    # retries of 429/5xx wait (Retry-After, else exponential back-off)
    "DOWNLOAD_HANDLERS": {"https": "crawler.download.tls.PerSourceTLSHandler"},
    "DOWNLOADER_MIDDLEWARES": DOWNLOADER_MIDDLEWARES,
    "LOG_FORMATTER": "crawler.download.logformatter.ShortItemLogFormatter",
    "EXTENSIONS": {"crawler.download.logformatter.QuietDownloadErrors": 0},
    "DUMAWATCH_RETRY_BACKOFF": 1.0,
    "DUMAWATCH_RETRY_AFTER_MAX": 60,
}


def build_settings(overrides: dict | None = None, verbose: bool = False, watchlist: dict | None = None,
                   watchlist_path: str = "watchlist.yaml", workers: int = 0) -> Settings:
    """Scrapy settings for a crawl; ``workers`` > 0 runs the page stages in that many worker processes."""
    settings = Settings()
    settings.setdict(DEFAULTS, priority="project")
    settings.set(WORKERS_SETTING, workers, priority="project")
    settings.set(WATCHLIST_SETTING, watchlist or {}, priority="project")
    settings.set(WATCHLIST_PATH_SETTING, watchlist_path, priority="project")
    if verbose:
        settings.set("LOG_LEVEL", "INFO", priority="cmdline")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings
