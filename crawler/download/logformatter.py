"""Log lines a person can read when sites fail: one line per problem, never a page of HTML or a traceback.

- :class:`ShortItemLogFormatter` names an item by its URL: Scrapy's own formatter prints the entire item
  when one is dropped, and with the page's HTML inside, one empty page would put megabytes on stderr.
  Routine drops (a text already stored, a page without article text) are INFO, not warnings: the run
  summary counts them.
- :class:`QuietDownloadErrors` (an extension) turns the traceback Scrapy's robots.txt middleware logs
  when a site is down (DNS failure, connection refused, a refused certificate) into one line: the failure
  itself reaches the spider's errback and is reported in the run summary.
"""

from __future__ import annotations

import logging

from scrapy.logformatter import LogFormatter

ROBOTS_LOGGER = "scrapy.downloadermiddlewares.robotstxt"


def _short(item) -> str:
    try:
        return f"<{item.get('source_id', '?')} {item.get('url', '?')}>"
    except AttributeError:
        return repr(item)[:200]


ROUTINE_DROPS = ("DuplicateArticle", "EmptyPage")  # known text, no article text: counted in the summary


class ShortItemLogFormatter(LogFormatter):
    def dropped(self, item, exception, response, spider):
        result = super().dropped(item, exception, response, spider)
        if type(exception).__name__ in ROUTINE_DROPS:
            result["level"] = logging.INFO  # routine, not a warning: in crawl.log, and with --verbose
        result["msg"] = "Dropped: %(exception)s"
        result["args"] = {"exception": exception, "item": _short(item)}
        return result

    def item_error(self, item, exception, response, spider):
        result = super().item_error(item, exception, response, spider)
        result["args"] = {**result.get("args", {}), "item": _short(item)}
        return result

    def scraped(self, item, response, spider):
        result = super().scraped(item, response, spider)
        result["args"] = {**result.get("args", {}), "item": _short(item)}
        return result


class _NoTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and str(record.msg).startswith("Error downloading"):
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


class QuietDownloadErrors:
    """Extension: robots.txt download failures logged as one warning line, without a traceback."""

    _filter = _NoTraceback()

    @classmethod
    def from_crawler(cls, crawler):
        logger = logging.getLogger(ROBOTS_LOGGER)
        if cls._filter not in logger.filters:
            logger.addFilter(cls._filter)
        return cls()
