"""The generic duma-news spider: discovers each source's news and yields article pages.

For every enabled source it reads, in parallel: the configured ``feeds``, ``listing`` and ``sitemaps``;
the home page (its ``<link rel="alternate">`` feeds and its menu links to the news section);
``robots.txt`` ``Sitemap:`` lines (else ``/sitemap.xml``). Listings are followed page by page until a
page brings nothing new, or nothing younger than the source's ``max_age_days`` (after a crawl of the source
that was cut short, past pages with nothing new too, up to ``MAX_LISTING_PAGES``). An article URL that
the store already knows is never requested again. Every request carries its ``source_id``, so the
spider keeps per-source counters (pages, articles, errors) for the run summary.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urljoin

import scrapy
from scrapy import signals
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.task import LoopingCall

from crawler.config import Source
from crawler.content import binary_kind, decode_page, sanitize_markup
from crawler.discovery import (
    date_beside,
    feed_links,
    is_news_listing_link,
    is_pagination,
    links,
    looks_like_article,
    next_page_links,
    on_site,
    parse_html,
)
from crawler.failures import describe_failure
from crawler.hotpath import GROUP_SECONDS
from crawler.items import ArticleItem
from crawler.store import Store
from crawler.syndication import looks_like_feed, parse_feed, parse_sitemap, sitemaps_in_robots
from pipelines.russian_dates import parse_russian_date
from pipelines.urlkeys import url_key

FEED_GUESSES = ("/rss/", "/feed/", "/rss.xml")
MAX_LISTING_PAGES = 30
MAX_LISTINGS_FROM_MENU = 3
MAX_CHILD_SITEMAPS = 20
HTML_TYPES = (b"text/html", b"application/xhtml")
MAX_ERROR_DETAILS = 50  # per source and run, in the summary and runs.csv; the count keeps counting


class DumaSpider(scrapy.Spider):
    name = "duma"
    custom_settings: dict = {}

    def __init__(self, sources: list[Source], store: Store, **kwargs):
        super().__init__(**kwargs)
        self.sources = {source.id: source for source in sources}
        self.store = store
        self.counters: dict[str, Counter] = defaultdict(Counter)
        self.error_details: dict[str, list[str]] = defaultdict(list)
        self.channels: dict[str, Counter] = defaultdict(Counter)   # article URLs found per discovery channel
        self.samples: dict[str, str] = {}                            # first article URL found per source
        self.requested_keys: set[str] = set()
        self.started_at = datetime.now(UTC)
        # ETag/Last-Modified of feeds and sitemaps, kept until the run has finished: a run that stops early
        # (killed, timed out, shut down) must not leave a validator behind whose 304 would hide the entries
        # it never got to fetch
        self.new_validators: dict[str, tuple[str | None, str | None]] = {}
        self.group_commits: LoopingCall | None = None   # commits the store's open group of writes (on_opened)
        self.store_failures = 0   # articles the store could not write: the run's validators are not saved
        # sources whose last crawl was interrupted: their listings are followed past known pages this time
        self.resuming = store.interrupted(self.sources)
        store.hot.on_group_lost = self.on_group_lost

    # -- bookkeeping ----------------------------------------------------------------------------------------
    def count(self, source_id: str, name: str, n: int = 1) -> None:
        self.counters[source_id][name] += n

    def report_error(self, source_id: str, message: str) -> None:
        self.count(source_id, "errors")
        if len(self.error_details[source_id]) < MAX_ERROR_DETAILS:
            self.error_details[source_id].append(message)
        self.logger.warning("%s: %s", source_id, message)

    def note_problem(self, source_id: str, message: str) -> None:
        """A detail for the summary and runs.csv that is not counted as an error (e.g. a page without text)."""
        if len(self.error_details[source_id]) < MAX_ERROR_DETAILS:
            self.error_details[source_id].append(message)

    def store_failed(self, source_id: str, message: str) -> None:
        """An article that could not be stored: an error of its source, and no validator saved this run."""
        self.store_failures += 1
        self.report_error(source_id, message)

    def on_group_lost(self, lost: list[tuple[str, str, int]], exc: Exception) -> None:
        """The store's commit of a group failed: its articles were counted as new, they are errors now."""
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        for source_id, url, mentions in lost:
            self.count(source_id, "new_articles", -1)
            self.count(source_id, "new_mentions", -mentions)
            self.store_failed(source_id, f"{url} was not stored: {reason}")

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(spider.on_opened, signal=signals.spider_opened)
        return spider

    def on_opened(self, spider=None) -> None:
        """Commit the store's open group of writes at least every GROUP_SECONDS, even while pages are slow."""
        self.group_commits = LoopingCall(self.store.flush, GROUP_SECONDS)
        self.group_commits.start(GROUP_SECONDS, now=False)

    def on_request_dropped(self, request, spider=None):
        """A redirect back to an address of its own chain is a loop the dupefilter ends silently: report it."""
        redirects = request.meta.get("redirect_urls") or []
        if request.url in redirects and request.meta.get("source_id") and not request.meta.get("optional"):
            self.report_error(request.meta["source_id"], f"redirect loop from {redirects[0]}")

    def _request(self, url: str, source: Source, callback, *, kind: str, optional: bool = False,
                 priority: int = 0, meta: dict | None = None, conditional: bool = False) -> scrapy.Request:
        meta = {"source_id": source.id, "kind": kind, "optional": optional, **(meta or {})}
        headers = {}
        if conditional:
            etag, last_modified = self.store.validators(url)
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            meta["handle_httpstatus_list"] = [304]
            meta["conditional"] = True
        return scrapy.Request(url, callback=callback, errback=self.on_error, meta=meta, headers=headers,
                              priority=priority, dont_filter=kind == "home")  # two sources may share one

    # -- start ----------------------------------------------------------------------------------------------
    async def start(self):
        for request in self.start_requests_for_all():
            yield request

    def start_requests_for_all(self):
        for source in self.sources.values():
            yield from self.start_requests_for(source)

    def start_requests_for(self, source: Source):
        if source.render == "js":
            self.note_problem(source.id, "render: js is not available in this version: crawled without a browser")
        configured = bool(source.feeds or source.listing or source.sitemaps)
        for url in source.feeds:
            yield self._request(url, source, self.parse_feed, kind="feed", conditional=True, priority=10)
        for url in source.listing:
            yield self._request(url, source, self.parse_listing, kind="listing", priority=10,
                                meta={"page_no": 1})
        for url in source.sitemaps:
            yield self._request(url, source, self.parse_sitemap, kind="sitemap", conditional=True)
        yield self._request(source.url, source, self.parse_home, kind="home", priority=20,
                            meta={"configured": configured})
        if not configured:
            yield self._request(urljoin(source.url, "/robots.txt"), source, self.parse_robots, kind="robots",
                                optional=True, meta={"dont_obey_robotstxt": True})

    # -- errors and responses -------------------------------------------------------------------------------
    def on_error(self, failure):
        request = failure.request
        source_id = request.meta.get("source_id", "?")
        if failure.check(HttpError):
            response = failure.value.response
            if request.meta.get("optional") and response.status in (404, 410, 403):
                return
            message = f"HTTP {response.status} on {request.url}"
        else:
            message = describe_failure(failure, request.url)
            if message.startswith("forbidden by robots.txt"):
                self.count(source_id, "robots_forbidden")  # the site's wish, not a fault
                return
        if request.meta.get("optional"):
            return
        self.report_error(source_id, message)

    def _source(self, response: Response) -> Source:
        return self.sources[response.meta["source_id"]]

    def _text_response(self, response: Response, source: Source) -> TextResponse | None:
        if not isinstance(response, TextResponse):
            return None
        if source.encoding:
            return response.replace(encoding=source.encoding)
        decoded = decode_page(response.body, response.encoding)  # a lying charset (see crawler/content.py)
        if decoded is not None:
            return response.replace(body=decoded[0].encode("utf-8"), encoding="utf-8")
        return response

    def _save_validators(self, response: Response) -> bool:
        """Remember ETag/Last-Modified; True when the server said 304 Not Modified."""
        if not response.meta.get("conditional"):
            return False
        if response.status == 304:
            self.count(response.meta["source_id"], "not_modified")
            return True
        etag = response.headers.get(b"ETag")
        modified = response.headers.get(b"Last-Modified")
        self.new_validators[response.url] = (etag.decode("latin-1") if etag else None,
                                             modified.decode("latin-1") if modified else None)
        return False

    def closed(self, reason: str) -> None:
        if self.group_commits is not None and self.group_commits.running:
            self.group_commits.stop()
        self.store.flush()
        if reason == "finished" and not self.store_failures:
            for url, (etag, last_modified) in self.new_validators.items():
                self.store.save_validators(url, etag, last_modified)

    # -- discovery ------------------------------------------------------------------------------------------
    def parse_robots(self, response: Response):
        source = self._source(response)
        text = response.text if isinstance(response, TextResponse) else ""
        sitemaps = [url for url in sitemaps_in_robots(text, response.url) if on_site(url, source.host)]
        if not sitemaps:
            sitemaps = [urljoin(source.url, "/sitemap.xml")]
        for url in sitemaps:
            yield self._request(url, source, self.parse_sitemap, kind="sitemap", optional=True, conditional=True)

    def parse_home(self, response: Response):
        source = self._source(response)
        response = self._text_response(response, source)
        if response is None:
            self.report_error(source.id, f"home page {source.url} is not a web page")
            return
        root = parse_html(response.text)
        if root is None:
            self.report_error(source.id, f"home page {source.url} cannot be parsed")
            return
        configured = response.meta.get("configured")
        feeds = [] if configured else [u for u in feed_links(root, response.url) if on_site(u, source.host)]
        for url in feeds:
            yield self._request(url, source, self.parse_feed, kind="feed", conditional=True, priority=10)
        listings = []
        for url, text, _anchor in links(root, response.url):
            if not on_site(url, source.host, source.allow_domains):
                continue
            if not configured and is_news_listing_link(text, url) and url not in listings \
                    and not looks_like_article(url, source.article_pattern):
                listings.append(url)
        for url in listings[:MAX_LISTINGS_FROM_MENU]:
            yield self._request(url, source, self.parse_listing, kind="listing", priority=10, meta={"page_no": 1})
        if not configured and not feeds and not listings:
            for path in FEED_GUESSES:
                yield self._request(urljoin(source.url, path), source, self.parse_feed, kind="feed",
                                    optional=True, conditional=True)
        # the home page's own news block
        yield from self._article_requests(root, response, source, channel="listing")

    def parse_listing(self, response: Response):
        source = self._source(response)
        response = self._text_response(response, source)
        if response is None:
            return
            return
        if looks_like_feed(response.body):
            yield from self.parse_feed(response)
            return
        root = parse_html(response.text)
        if root is None:
            self.report_error(source.id, f"listing {response.url} cannot be parsed")
            return
        fresh = 0
        for request in self._article_requests(root, response, source, channel="listing"):
            fresh += 1
            yield request
        page_no = response.meta.get("page_no", 1)
        if (fresh == 0 and source.id not in self.resuming) or page_no >= MAX_LISTING_PAGES:
            return  # all entries known (or too old): the pagination stops here, unless the last crawl was cut short
        for url in next_page_links(root, response.url):
            yield self._request(url, source, self.parse_listing, kind="listing", priority=5,
                                meta={"page_no": page_no + 1})

    def parse_feed(self, response: Response):
        source = self._source(response)
        if self._save_validators(response):
            return
        entries = parse_feed(response.body, response.url)
        if not entries:
            if not response.meta.get("optional"):
                self.report_error(source.id, f"no entries in feed {response.url}")
            return
        for url, raw_date in entries:
            if on_site(url, source.host, source.allow_domains) and looks_like_article(
                    url, source.article_pattern, trusted=True):
                request = self._article_request(url, source, [raw_date] if raw_date else [], channel="feed")
                if request is not None:
                    yield request

    def parse_sitemap(self, response: Response):
        source = self._source(response)
        if self._save_validators(response):
            return
        body = response.body
        if response.url.endswith(".gz"):
            from scrapy.utils.gz import gunzip

            try:
                body = gunzip(body, max_size=50 * 1024 * 1024)
            except OSError:
                self.report_error(source.id, f"sitemap {response.url} is not valid gzip")
                return
        kind, entries = parse_sitemap(body)
        if kind == "sitemapindex":
            children = [(loc, lastmod) for loc, lastmod in entries if on_site(loc, source.host)
                        and not self._too_old(lastmod, source)]
            children.sort(key=lambda entry: entry[1] or "", reverse=True)
            for loc, _ in children[:MAX_CHILD_SITEMAPS]:
                yield self._request(loc, source, self.parse_sitemap, kind="sitemap", conditional=True,
                                    optional=response.meta.get("optional", False))
            return
        for loc, lastmod in entries:
            if not on_site(loc, source.host, source.allow_domains) or not looks_like_article(loc,
                                                                                             source.article_pattern):
                continue
            if self._too_old(lastmod, source):
                continue
            request = self._article_request(loc, source, [], channel="sitemap")
            if request is not None:
                yield request

    # -- articles -------------------------------------------------------------------------------------------
    def _too_old(self, raw_date: str | None, source: Source) -> bool:
        if not raw_date:
            return False
        try:
            value = parse_russian_date(raw_date, source.timezone, datetime.now(source.tz))
        except Exception:  # an unparseable date is no reason to skip an article
            return False
        if value is None:
            return False
        day = value.date() if isinstance(value, datetime) else value
        return isinstance(day, date) and day < datetime.now(source.tz).date() - timedelta(days=source.max_age_days)

    def _article_requests(self, root, response: Response, source: Source, channel: str):
        seen_here = set()
        for url, _text, anchor in links(root, response.url):
            if url in seen_here or not on_site(url, source.host, source.allow_domains):
                continue
            if not looks_like_article(url, source.article_pattern):
                continue
            seen_here.add(url)
            hint = date_beside(anchor)
            request = self._article_request(url, source, [hint] if hint else [], channel=channel)
            if request is not None:
                yield request

    def _article_request(self, url: str, source: Source, hints: list[str], channel: str):
        """A request for the article at ``url``, or None when it is known, requested already, or too old."""
        key = url_key(url)
        if key in self.requested_keys:
            return None
        self.requested_keys.add(key)
        if self.store.is_known(key):
            self.count(source.id, "known_skipped")
            return None
        if any(self._too_old(hint, source) for hint in hints):
            self.count(source.id, "too_old_skipped")
            return None
        self.channels[source.id][channel] += 1
        self.samples.setdefault(source.id, url)
        return self._request(url, source, self.parse_article, kind="article", priority=0,
                             meta={"date_hints": hints, "url_key": key})

    def parse_article(self, response: Response):
        source = self._source(response)
        content_type = response.headers.get(b"Content-Type", b"text/html").lower()
        kind = binary_kind(response.body)
        if kind is not None:
            self.count(source.id, "not_html")
            self.report_error(source.id, f"not an HTML page: {response.url} is {kind} "
                                         f"(served as {content_type.decode('latin-1') or 'no type'})")
            return
        text_response = self._text_response(response, source)
        if text_response is None or not any(t in content_type for t in HTML_TYPES):
            self.count(source.id, "not_html")
            return
        if is_pagination(response.url) and not looks_like_article(response.url, source.article_pattern):
            return
        html = sanitize_markup(text_response.text)  # no NULs, nesting capped (see crawler/content.py)
        redirects = response.meta.get("redirect_urls") or []
        yield ArticleItem(
            source_id=source.id,
            url=response.url,
            html=html,
            fetched_at=datetime.now(UTC),
            timezone=source.timezone,
            date_hints=[h for h in response.meta.get("date_hints") or [] if h],
            seen_keys=list(dict.fromkeys([response.meta["url_key"], *map(url_key, redirects),
                                          url_key(response.url)])),
        )

