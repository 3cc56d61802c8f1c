"""Where a crawl's log goes: Scrapy's own lines into a log file, and onto the terminal only with ``--verbose``.

The file is ``crawl.log`` in the folder of the service log (``log:`` in the config; by default
``logs/crawl.log`` beside the feeds folder), rotated like the service log (``log: {max_bytes, backups}``).
It gets Scrapy's INFO lines (start, stats, routine drops) and every warning and error, each failure with the
detail a person debugging a site wants; the terminal gets the run summary, where each failure is said once.
Only one crawl writes it at a time (it is opened under the store lock), so rotating it is safe.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from crawler.config import Config

LOG_NAME = "crawl.log"


def crawl_log_path(config: Config) -> Path:
    return config.service.log_file.with_name(LOG_NAME)


def install_crawl_logging(config: Config, settings, terminal: logging.Handler | None = None) -> list[logging.Handler]:
    """Root handlers for the crawl: the rotating file, plus ``terminal`` (``--verbose``); returns them."""
    path = crawl_log_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    formatter = logging.Formatter(settings.get("LOG_FORMAT"), settings.get("LOG_DATEFORMAT"))
    file_handler = logging.handlers.RotatingFileHandler(path, maxBytes=config.service.log_max_bytes,
                                                        backupCount=config.service.log_backups, encoding="utf-8")
    level = settings.get("LOG_LEVEL") if "LOG_LEVEL" in (config.scrapy or {}) else "INFO"
    file_handler.setLevel(level)
    handlers: list[logging.Handler] = [file_handler]
    if terminal is not None:
        terminal.setLevel(settings.get("LOG_LEVEL"))
        handlers.append(terminal)
    logging.root.setLevel(logging.NOTSET)
    for handler in handlers:
        handler.setFormatter(formatter)
        logging.root.addHandler(handler)
    return handlers


def remove_crawl_logging(handlers: list[logging.Handler]) -> None:
    for handler in handlers:
        logging.root.removeHandler(handler)
        handler.close()
