"""Downloader middlewares that keep a crawl polite and inside its sources' sites.

- :class:`SourceBoundsMiddleware` refuses a request that left its source's site, which only a redirect
  can do (every link the spider follows is on the site already): a redirect to another domain is
  followed only when the source lists that domain in ``allow_domains``; otherwise the request fails
  with :class:`OffsiteRedirect`, which the spider reports.
- :class:`BackoffMiddleware` waits before a retry of a 429/5xx answer: the server's ``Retry-After``
  (in seconds or as an HTTP date, capped at ``DUMAWATCH_RETRY_AFTER_MAX``), else an exponential back-off
  from ``DUMAWATCH_RETRY_BACKOFF`` seconds. Only the one request waits; the reactor keeps running.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import task

from pipelines.urlkeys import on_site

DEFAULT_BACKOFF = 1.0
DEFAULT_RETRY_AFTER_MAX = 60.0


class OffsiteRedirect(IgnoreRequest):
    """A redirect led off the source's site to a domain the source does not allow."""


class SourceBoundsMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        redirects = request.meta.get("redirect_urls")
        sources = getattr(self.crawler.spider, "sources", {})
        source = sources.get(request.meta.get("source_id"))
        if not redirects or source is None:
            return None
        if on_site(request.url, source.host, source.allow_domains):
            return None
        raise OffsiteRedirect(f"redirect to another domain ({request.url}) from {redirects[0]}; "
                              f"add the domain to the source's allow_domains to follow it")


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date); None if absent/bad."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class BackoffMiddleware:
    """Sits just before RetryMiddleware (its process_response runs first) and delays retried answers."""

    def __init__(self, settings):
        self.codes = set(settings.getlist("RETRY_HTTP_CODES"))
        self.max_retries = settings.getint("RETRY_TIMES")
        self.enabled = settings.getbool("RETRY_ENABLED")
        self.base = settings.getfloat("DUMAWATCH_RETRY_BACKOFF", DEFAULT_BACKOFF)
        self.cap = settings.getfloat("DUMAWATCH_RETRY_AFTER_MAX", DEFAULT_RETRY_AFTER_MAX)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings)

    def delay_for(self, request, response) -> float:
        retries = request.meta.get("retry_times", 0)
        max_retries = request.meta.get("max_retry_times", self.max_retries)
        if not self.enabled or request.meta.get("dont_retry") or response.status not in self.codes \
                or retries >= max_retries:
            return 0.0
        asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        delay = asked if asked is not None else self.base * (2 ** retries)
        return min(delay, self.cap)

    async def process_response(self, request, response, spider=None):
        delay = self.delay_for(request, response)
        if delay > 0:
            from twisted.internet import reactor

            await maybe_deferred_to_future(task.deferLater(reactor, delay, lambda: None))
        return response
