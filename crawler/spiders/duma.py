"""The generic duma-news spider: discovers each source's news and yields article pages.

For every enabled source it reads, in parallel: the configured ``feeds``, ``listing`` and ``sitemaps``;
the home page (its ``<link rel="alternate">`` feeds and its menu links to the news section);
``robots.txt`` ``Sitemap:`` lines (else ``/sitemap.xml``). Listings are followed page by page until a
page brings nothing stored before this run, or nothing younger than the source's ``max_age_days``; a walk
an earlier run left unfinished goes on to the horizon or the listing's end (see ``crawler/spiders/frontier.py``).
An article URL that the store already knows is never requested again, and no page twice in a run. Every
request carries its ``source_id``, so the spider keeps per-source counters (pages, articles, errors,
``too_old``, limits hit) for the run summary.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.task import LoopingCall
from w3lib.url import canonicalize_url

from crawler.config import Source
from crawler.download.content import binary_kind, decode_page, sanitize_markup
from crawler.download.failures import describe_failure
from crawler.download.rendering import render_meta
from crawler.items import ArticleItem
from crawler.spiders.discovery import (
    date_beside,
    feed_links,
    is_news_listing_link,
    is_pagination,
    links,
    looks_like_article,
    next_page_links,
    parse_html,
)
from crawler.spiders.frontier import Frontier, PageTally
from crawler.spiders.listing_blocks import headline_blocks, in_chrome
from crawler.spiders.syndication import looks_like_feed, parse_feed, parse_sitemap, sitemaps_in_robots
from crawler.spiders.url_templates import LearnedTemplates, template_of
from crawler.storage.hotpath import GROUP_SECONDS
from crawler.storage.store import Store
from pipelines.article_evidence import NotNews
from pipelines.errors import CountedDrop
from pipelines.russian_dates import parse_russian_date
from pipelines.store import StoreFailed
from pipelines.urlkeys import on_site, site_host, url_key

FEED_GUESSES = ("/rss/", "/feed/", "/rss.xml")
MAX_LISTINGS_FROM_MENU = 3
HTML_TYPES = (b"text/html", b"application/xhtml")
MAX_ERROR_DETAILS = 50  # per source and run, in the summary and runs.csv; the count keeps counting


def listing_page_key(url: str) -> str:
    """One key per listing page: ``/news`` and ``/news/`` are one page, ``/news?page=1`` another (all parameters
    count, unlike an article's URL key: ``?from=20`` is a page here, a tracking parameter there)."""
    parts = urlsplit(canonicalize_url(url, keep_fragments=False))
    host = site_host(parts.hostname)
    port = f":{parts.port}" if parts.port else ""
    return f"{host}{port}{parts.path.rstrip('/') or '/'}?{parts.query}"


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
        self.queued_keys: set[str] = set()      # article URL keys requested in this run (by any channel)
        self.settled_keys: set[str] = set()     # article URL keys found known or too old in this run
        self.listing_pages: set[str] = set()    # listing pages requested in this run (listing and page number)
        self.limits_hit: dict[str, list[str]] = defaultdict(list)
        self.started_at = datetime.now(UTC)
        self.started_iso = self.started_at.isoformat(timespec="seconds")  # as the store writes seen_at
        self.frontier = Frontier(store, list(self.sources))
        # ETag/Last-Modified of feeds and sitemaps, kept until the run has finished: a run that stops early
        # (killed, timed out, shut down) must not leave a validator behind whose 304 would hide the entries
        # it never got to fetch
        self.new_validators: dict[str, tuple[str | None, str | None]] = {}
        self.group_commits: LoopingCall | None = None   # commits the store's open group of writes (on_opened)
        # each source's article-URL templates: the votes of earlier runs, and this run's, saved when it closes
        self.templates: dict[str, LearnedTemplates] = defaultdict(LearnedTemplates)
        self.templates.update((source_id, LearnedTemplates.from_votes(rows))
                              for source_id, rows in store.url_template_votes(self.sources).items())
        self.template_votes: dict[str, dict[str, list[int]]] = defaultdict(dict)
        self.store_failures = 0   # articles the store could not write: the run's validators are not saved
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

    def note_limit(self, source_id: str, message: str) -> None:
        """A safety limit was hit: the summary and runs.csv (limit_hit) say so."""
        if message not in self.limits_hit[source_id]:
            self.limits_hit[source_id].append(message)
        self.logger.warning("%s: %s", source_id, message)

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
        crawler.signals.connect(spider.on_item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(spider.on_item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(spider.on_item_error, signal=signals.item_error)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.on_stored, signal=signals.item_scraped)
        return spider

    def on_item_scraped(self, item, response=None, spider=None) -> None:
        """A stored article: counted with its mentions, and a news vote for its URL's template (its first URL,
        before any redirect)."""
        if item.get("source_id") in self.sources:
            self.count(item["source_id"], "new_articles")
            self.count(item["source_id"], "new_mentions", len(item.get("mentions") or []))
        self._template_vote(item, response, is_news=True)

    def on_item_dropped(self, item, response=None, exception=None, spider=None) -> None:
        """A dropped page is counted for its source by the reason the stage gave (pipelines/errors.py
        ``CountedDrop``), and named in the run's details when the reason says so; an article the store could not
        write is an error. A page that said it is not news: a not-news vote for its template, and its URLs are
        remembered as seen (with no article), so no later run requests it again nor pages on because of it."""
        source_id = item.get("source_id")
        if source_id not in self.sources:
            return
        if isinstance(exception, CountedDrop):
            self.count(source_id, exception.counter)
            if exception.noted:
                self.note_problem(source_id, str(exception))
        elif isinstance(exception, StoreFailed):
            self.store_failed(source_id, str(exception))
        if isinstance(exception, NotNews):
            self._template_vote(item, response, is_news=False)
            if item.get("seen_keys"):
                self.store.mark_seen(item["seen_keys"], item["source_id"])
        if response is not None:
            self._settle(response.meta)

    def on_item_error(self, item, response=None, spider=None, failure=None) -> None:
        """A pipeline failed on the item (a bug, logged by Scrapy): its listing page must not wait for it."""
        if response is not None:
            self._settle(response.meta)

    def _template_vote(self, item, response, is_news: bool) -> None:
        source_id = item.get("source_id")
        if source_id not in self.sources:
            return
        url = response.request.url if response is not None and response.request is not None else item["url"]
        redirects = response.meta.get("redirect_urls") if response is not None else None
        url = redirects[0] if redirects else url
        template = self.templates[source_id].vote(url, is_news)
        votes = self.template_votes[source_id].setdefault(template, [0, 0])
        votes[0 if is_news else 1] += 1

    def on_opened(self, spider=None) -> None:
        """Commit the store's open group of writes at least every GROUP_SECONDS, even while pages are slow."""
        self.group_commits = LoopingCall(self.store.flush, GROUP_SECONDS)
        self.group_commits.start(GROUP_SECONDS, now=False)

    def on_request_dropped(self, request, spider=None):
        """A redirect back to an address of its own chain is a loop the dupefilter ends silently: report it."""
        self._settle(request.meta)
        redirects = request.meta.get("redirect_urls") or []
        if request.url in redirects and request.meta.get("source_id") and not request.meta.get("optional"):
            self.report_error(request.meta["source_id"], f"redirect loop from {redirects[0]}")

    def _request(self, url: str, source: Source, callback, *, kind: str, optional: bool = False,
                 priority: int = 0, meta: dict | None = None, conditional: bool = False) -> scrapy.Request:
        meta = {"source_id": source.id, "kind": kind, "optional": optional, **render_meta(source, kind),
                **(meta or {})}
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
        configured = bool(source.feeds or source.listing or source.sitemaps)
        for url in source.feeds:
            yield self._request(url, source, self.parse_feed, kind="feed", conditional=True, priority=10)
        for url in source.listing:
            request = self._listing_request(url, source)
            if request is not None:
                yield request
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
        self._settle(request.meta)
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
        decoded = decode_page(response.body, response.encoding)  # a lying charset (see crawler/download/content.py)
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
        for source_id, votes in self.template_votes.items():  # what pages said they were: kept however it ended
            self.store.add_url_template_votes(source_id, {t: (n, o) for t, (n, o) in votes.items()})
        if reason == "finished" and not self.store_failures:
            for url, (etag, last_modified) in self.new_validators.items():
                self.store.save_validators(url, etag, last_modified)
            self.frontier.save()  # a run stopped early leaves its walks unfinished: the next run completes them

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
        if not configured:  # a news block's «Все новости» / «Архив» link leads to its full listing
            for block in headline_blocks(root, response.url):
                listings.extend(url for url in block.more if url not in listings and on_site(url, source.host)
                                and not looks_like_article(url, source.article_pattern))
        for url in listings[:MAX_LISTINGS_FROM_MENU]:
            request = self._listing_request(url, source)
            if request is not None:
                yield request
        if not configured and not feeds and not listings:
            for path in FEED_GUESSES:
                yield self._request(urljoin(source.url, path), source, self.parse_feed, kind="feed",
                                    optional=True, conditional=True)
        # the home page's own news block
        yield from self._article_requests(root, response, source, channel="listing")

    def _listing_request(self, url: str, source: Source, page_no: int = 1, walk: str | None = None,
                         priority: int = 10) -> scrapy.Request | None:
        """A request for one page of a listing, or None when this run has requested that page already."""
        page = listing_page_key(url)
        if page in self.listing_pages:
            return None
        self.listing_pages.add(page)
        return self._request(url, source, self.parse_listing, kind="listing", priority=priority,
                             meta={"page_no": page_no, "walk_url": walk or url})

    def parse_listing(self, response: Response):
        source = self._source(response)
        response = self._text_response(response, source)
        if response is None:
            return
        if looks_like_feed(response.body):
            yield from self.parse_feed(response)
            return
        root = parse_html(response.text)
        if root is None:
            self.report_error(source.id, f"listing {response.url} cannot be parsed")
            return
        page_no = response.meta.get("page_no", 1)
        walk = self.frontier.walk(source.id, response.meta.get("walk_url") or response.url)
        tally = PageTally(walk=walk, page_no=page_no)
        yield from self._article_requests(root, response, source, channel="listing", min_items=2, tally=tally)
        following = next_page_links(root, response.url)

        def next_pages() -> list[scrapy.Request]:
            outcome = self.frontier.next_step(walk, tally, bool(following), page_no, source.max_listing_pages)
            if outcome == "limit":
                self.note_limit(source.id, f"max_listing_pages ({source.max_listing_pages}) reached on "
                                           f"{walk.start_url}")
            if outcome:
                return []  # nothing new, nothing young enough, the listing's end, or the limit: the pagination stops
            # undated rows: the next page waits for the articles queued before it, whose dates tell the horizon
            priority = -1 if tally.undated else 5
            requests = (self._listing_request(url, source, page_no + 1, walk.start_url, priority=priority)
                        for url in following)
            return [request for request in requests if request is not None]

        if tally.undated and self.frontier.hold(walk, page_no, next_pages):
            return  # decided when the previous page's articles have settled (crawler/spiders/frontier.py)
        yield from next_pages()

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
                    request.meta["listed"] = True   # a feed entry is news by the site's own word
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
            if len(children) > source.max_child_sitemaps:
                self.note_limit(source.id, f"max_child_sitemaps ({source.max_child_sitemaps}) reached in "
                                           f"{response.url} ({len(children)} child sitemaps)")
            for loc, _ in children[:source.max_child_sitemaps]:
                yield self._request(loc, source, self.parse_sitemap, kind="sitemap", conditional=True,
                                    optional=response.meta.get("optional", False))
            return
        for loc, lastmod in entries:
            if not on_site(loc, source.host, source.allow_domains) or not looks_like_article(loc,
                                                                                             source.article_pattern):
                continue
            request = self._article_request(loc, source, [lastmod] if lastmod else [], channel="sitemap",
                                            hints_are_dates=False)
            if request is not None:
                request.meta["listed"] = bool(lastmod)
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

    def _article_requests(self, root, response: Response, source: Source, channel: str, min_items: int = 3,
                          tally: PageTally | None = None):
        """Requests for the page's article links: by the source's ``article_pattern`` when it has one, else
        the links of the page's listing blocks (whatever their URL shape) and the links outside them that the
        source's learned templates, the blocks' own templates or (on a page without blocks) the URL shape
        call articles; never a link whose template only ever led to non-news pages. On a listing page a block
        may be as short as ``min_items`` (its last page)."""
        decide = self.link_judge(root, response.url, source, min_items)
        seen_here = set()
        for url, _text, anchor in links(root, response.url):
            if url in seen_here or not on_site(url, source.host, source.allow_domains):
                continue
            listed = decide(url, anchor)
            if listed is None:
                continue
            seen_here.add(url)
            hint = date_beside(anchor)
            request = self._article_request(url, source, [hint] if hint else [], channel=channel, tally=tally)
            if request is not None:
                request.meta["listed"] = listed
                yield request

    def link_judge(self, root, page_url: str, source: Source, min_items: int = 3):
        """``decide(url, anchor)``: None when the link is no article candidate, else whether a listing block
        holds it. A menu, header or footer link is no candidate unless the source's ``article_pattern`` says so."""
        if source.article_pattern:
            return lambda url, anchor: True if looks_like_article(url, source.article_pattern) else None
        blocks = headline_blocks(root, page_url, min_items)
        in_blocks = {url for block in blocks for url in block.links}
        block_templates = {template_of(url) for url in in_blocks}
        learned = self.templates[source.id]

        def decide(url: str, anchor) -> bool | None:
            if is_pagination(url) and not looks_like_article(url):
                return None  # a page of a listing: its walk requests it (crawler/spiders/frontier.py), never as an article
            known = learned.verdict(url)
            if known is False:
                self.count(source.id, "template_skipped")
                return None
            if url in in_blocks:
                return True
            if in_chrome(anchor):
                return None
            if not looks_like_article(url) and known is not True:
                return None
            if known is True or not blocks or template_of(url) in block_templates:
                return False
            return None

        return decide

    def _article_request(self, url: str, source: Source, hints: list[str], channel: str,
                         tally: PageTally | None = None, hints_are_dates: bool = True):
        """A request for the article at ``url``, or None when it is known, requested already, or too old.

        ``tally`` (a listing page's) counts the entry: *known* only when the store held it before this run,
        *new* when it is requested now or was queued or stored by another channel of this run, else *too old*.
        ``hints`` are the raw dates beside the entry (passed on to the dates pipeline when ``hints_are_dates``;
        a sitemap's ``lastmod`` only decides the horizon).
        """
        key = url_key(url)
        if tally is not None:
            tally.keys.append(key)
        if key in self.queued_keys:
            if tally is not None:
                tally.new += 1
            return None
        seen = self.store.seen_at(key)
        if seen is not None:
            before_run = seen < self.started_iso  # stored in this run's first second: new, to be safe
            if tally is not None:
                if before_run:
                    tally.known += 1
                else:
                    tally.new += 1
            if key not in self.settled_keys:
                self.settled_keys.add(key)
                self.count(source.id, "known_skipped")
            return None
        if any(self._too_old(hint, source) for hint in hints):
            if tally is not None:
                tally.too_old += 1
            if key not in self.settled_keys:
                self.settled_keys.add(key)
                self.count(source.id, "too_old")
            return None
        meta = {"date_hints": hints if hints_are_dates else [], "url_key": key}
        if tally is not None:
            tally.new += 1
            if not hints and tally.walk is not None:
                tally.undated += 1
                meta["walk_page"] = (tally.walk.key, tally.page_no)  # its date goes back to the walk (on_stored)
                self.frontier.expect(meta["walk_page"])
        self.queued_keys.add(key)
        self.channels[source.id][channel] += 1
        self.samples.setdefault(source.id, url)
        return self._request(url, source, self.parse_article, kind="article", priority=0, meta=meta)

    def on_stored(self, item, response=None, spider=None) -> None:
        """An article reached the store: when an undated listing row led to it, tell its walk how old it is."""
        walk_page = response.meta.get("walk_page") if response is not None else None
        published = (item.get("published_at") or "")[:10]
        walk = self.frontier.walks.get(walk_page[0]) if walk_page else None
        source = self.sources.get(item.get("source_id"))
        if walk is not None and source is not None and published:
            walk.fetched_old.setdefault(walk_page[1], []).append(self._too_old(published, source))
        if response is not None:
            self._settle(response.meta)

    def _settle(self, meta: dict) -> None:
        """An article request from an undated listing page is done with (stored, dropped, failed): a listing
        decision that waited for its page is taken now."""
        walk_page = meta.get("walk_page")
        if not walk_page or meta.get("settled"):
            return
        meta["settled"] = True
        decision = self.frontier.settle(tuple(walk_page))
        for request in decision() if decision is not None else ():
            self.crawler.engine.crawl(request)

    def on_idle(self, spider=None) -> None:
        """Nothing left to fetch: the listing decisions still held are taken with what is known."""
        requests = [request for decision in self.frontier.release_all() for request in decision()]
        for request in requests:
            self.crawler.engine.crawl(request)
        if requests:
            raise DontCloseSpider

    def parse_article(self, response: Response):
        item = self._article_item(response)
        if item is None:
            self._settle(response.meta)  # nothing to date: a listing decision must not wait for it
            return
        yield item

    def _article_item(self, response: Response) -> ArticleItem | None:
        """The item of an article page, or None (not HTML, or a page of a listing)."""
        source = self._source(response)
        content_type = response.headers.get(b"Content-Type", b"text/html").lower()
        kind = binary_kind(response.body)
        if kind is not None:
            self.count(source.id, "not_html")
            self.report_error(source.id, f"not an HTML page: {response.url} is {kind} "
                                         f"(served as {content_type.decode('latin-1') or 'no type'})")
            return None
        text_response = self._text_response(response, source)
        if text_response is None or not any(t in content_type for t in HTML_TYPES):
            self.count(source.id, "not_html")
            return None
        if is_pagination(response.url) and not looks_like_article(response.url, source.article_pattern):
            return None
        html = sanitize_markup(text_response.text)  # no NULs, nesting capped (see crawler/download/content.py)
        redirects = response.meta.get("redirect_urls") or []
        seen_keys = list(dict.fromkeys([response.meta["url_key"], *map(url_key, redirects), url_key(response.url)]))
        self.queued_keys.update(seen_keys)  # stored by this run: new for any listing that links them too
        return ArticleItem(
            source_id=source.id,
            url=response.url,
            html=html,
            fetched_at=datetime.now(UTC),
            timezone=source.timezone,
            date_hints=[h for h in response.meta.get("date_hints") or [] if h],
            listed=bool(response.meta.get("listed")),
            seen_keys=seen_keys,
        )
