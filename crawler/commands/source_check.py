"""``dumawatch sources check``: visit each source once and tell whether dumawatch can follow its news.

For every selected source the check runs the generic spider's discovery as a crawl would (the home
page, its feeds and news listings, robots.txt sitemaps, the source's own ``feeds``/``listing``/
``sitemaps``, robots.txt obeyed, all HTTP through Scrapy), but it fetches only the first page of each
listing and only ONE article per source: the sample, cleaned and dated with the pipelines' own
functions. Every other article URL found is only counted. Nothing is written to the user's state store
or feeds: the spider runs against a throwaway in-memory store, without item pipelines. The article URL
templates the crawls have learned are read from the user's store (read only) and printed as a suggested
``article_pattern`` for a source that has none.

Per source it reports whether the home page answered (and why not), which discovery channels found
article URLs (feed / sitemap / listing), how many, the sample's title, date and first words, and a
verdict: ``ok``; ``needs a profile`` (reachable, but no article URLs were found, or the sample gives no
title or text: the entry needs ``listing``, ``article_pattern`` or selectors); ``down`` (the home page
does not answer: connection refused, DNS, timeout, an HTTP error).
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response

from crawler.commands.runner import select_sources
from crawler.config import Config, Source, load_config
from crawler.download.failures import failure_reason
from crawler.download.rendering import enable_rendering
from crawler.report.feed_rows import write_csv
from crawler.report.tables import print_table
from crawler.settings import build_settings
from crawler.spiders.duma import HTML_TYPES, DumaSpider
from crawler.spiders.url_templates import learned_templates, news_templates, suggested_pattern
from crawler.storage.store import Store
from pipelines.clean import MIN_TEXT_CHARS, article_text, headline_and_body
from pipelines.dates import publication_date
from pipelines.page import Page
from pipelines.urlkeys import url_key

OK, NEEDS_PROFILE, DOWN = "ok", "needs a profile", "down"


CHANNELS = ("feed", "sitemap", "listing")
CHECK_LISTING_PAGES = 1      # the first page of each listing is enough to see that it works
SAMPLE_WORDS = 25
REPORT_COLUMNS = ["source_id", "name", "region", "url", "verdict", "why", "reachable", "reach_detail", "final_url",
                  "discovery", "articles_found", "feed_urls", "sitemap_urls", "listing_urls", "sample_url",
                  "sample_title", "sample_date", "sample_text", "errors", "suggested_article_pattern"]


@dataclass
class Sample:
    """The one article fetched for a source, as the pipelines would see it."""
    url: str
    title: str = ""
    date: str = ""
    text: str = ""
    problem: str = ""   # why it yields nothing usable ("HTTP 404", "not a web page", "no article text"…)


@dataclass
class CheckResult:
    """What the check learned about one source."""
    source: Source
    reachable: bool = False
    reach_detail: str = "no answer"
    final_url: str = ""
    found: dict[str, int] = field(default_factory=dict)   # article URLs per discovery channel
    articles: int = 0                                     # distinct article URLs over all channels
    sample: Sample | None = None
    errors: list[str] = field(default_factory=list)
    suggested_pattern: str = ""                           # learned by the crawls so far (crawler/spiders/url_templates.py)
    learned_from: int = 0                                 # how many stored articles it was learned from

    @property
    def discovery(self) -> str:
        worked = [channel for channel in CHANNELS if self.found.get(channel)]
        return "+".join(worked) if worked else "none"

    @property
    def verdict(self) -> tuple[str, str]:
        """(verdict, why)."""
        if not self.reachable:
            return DOWN, f"home page: {self.reach_detail}"
        if not self.articles:
            return NEEDS_PROFILE, "no article URLs found: give the entry listing, feeds or article_pattern"
        sample = self.sample
        if sample is None:
            return NEEDS_PROFILE, "the sample article was not fetched"
        if sample.problem:
            return NEEDS_PROFILE, f"sample: {sample.problem}"
        if not sample.date:
            return OK, "no publication date found on the sample"
        return OK, ""

    def as_row(self) -> dict:
        verdict, why = self.verdict
        sample = self.sample or Sample(url="")
        return {
            "source_id": self.source.id, "name": self.source.name, "region": self.source.region,
            "url": self.source.url, "verdict": verdict, "why": why, "reachable": "yes" if self.reachable else "no",
            "reach_detail": self.reach_detail, "final_url": self.final_url, "discovery": self.discovery,
            "articles_found": self.articles, **{f"{c}_urls": self.found.get(c, 0) for c in CHANNELS},
            "sample_url": sample.url, "sample_title": sample.title, "sample_date": sample.date,
            "sample_text": first_words(sample.text), "errors": " | ".join(self.errors),
            "suggested_article_pattern": self.suggested_pattern,
        }


def first_words(text: str, count: int = SAMPLE_WORDS) -> str:
    words = text.split()
    return " ".join(words[:count]) + (" …" if len(words) > count else "")


class SourceCheckSpider(DumaSpider):
    """The generic spider's discovery, but one sample article per source, the rest only counted."""
    name = "duma-check"

    def __init__(self, sources: list[Source], store: Store, **kwargs):
        super().__init__(sources, store, **kwargs)
        self.home: dict[str, tuple[bool, str, str]] = {}             # reachable, detail, final URL
        self.found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.sample_pages: dict[str, Sample] = {}

    def _too_old(self, raw_date, source) -> bool:
        return False  # the check asks whether the news can be found, not whether it is recent

    def on_error(self, failure):
        meta = failure.request.meta
        source_id, kind = meta.get("source_id"), meta.get("kind")
        if kind == "home":
            self.home[source_id] = (False, failure_reason(failure), failure.request.url)
        elif kind == "article":
            self.sample_pages[source_id] = Sample(url=failure.request.url, problem=failure_reason(failure))
        return super().on_error(failure)

    def parse_home(self, response: Response):
        detail = f"HTTP {response.status}"
        if response.meta.get("redirect_urls"):
            detail += f", redirected to {response.url}"
        self.home[response.meta["source_id"]] = (True, detail, response.url)
        yield from super().parse_home(response)

    def parse_listing(self, response: Response):
        for output in super().parse_listing(response):
            if isinstance(output, scrapy.Request) and output.meta.get("kind") == "listing" \
                    and output.meta.get("page_no", 1) > CHECK_LISTING_PAGES:
                continue
            yield output

    def _article_request(self, url: str, source: Source, hints: list[str], channel: str, tally=None,
                         hints_are_dates: bool = True):
        """Count the article URL for its channel; request it only when it is the source's first."""
        key = url_key(url)
        self.found[source.id][channel].add(key)
        self.channels[source.id][channel] = len(self.found[source.id][channel])
        if source.id in self.samples:
            return None
        self.samples[source.id] = url
        self.queued_keys.add(key)
        return self._request(url, source, self.parse_article, kind="article",
                             meta={"date_hints": hints if hints_are_dates else [], "url_key": key})

    def parse_article(self, response: Response):
        source = self._source(response)
        self.sample_pages[source.id] = read_sample(response, source, self._text_response(response, source))
        return []


def read_sample(response: Response, source: Source, text_response) -> Sample:
    """Title, date and text of the sample page, by the crawl's own clean and dates stages (pipelines/stages.py)."""
    sample = Sample(url=response.url)
    content_type = response.headers.get(b"Content-Type", b"text/html").lower()
    if text_response is None or not any(t in content_type for t in HTML_TYPES):
        sample.problem = f"not a web page ({content_type.decode('latin-1') or 'no content type'})"
        return sample
    page = Page(text_response.text, response.url)
    try:
        title, text = article_text(page, source)
    except Exception as exc:  # a hostile page must not stop the check
        sample.problem = f"cannot extract: {type(exc).__name__}: {exc}"
        return sample
    sample.title, sample.text = headline_and_body(title, text)
    hints = [h for h in response.meta.get("date_hints") or [] if h]
    sample.date = publication_date(page, source, source.timezone, datetime.now(UTC), hints)
    if len(text) < MIN_TEXT_CHARS:
        sample.problem = f"no article text ({len(text)} characters; give a body selector or article_pattern)"
    elif not sample.title:
        sample.problem = "no title (give the entry a title selector)"
    return sample


def check_sources(config: Config, sources: list[Source], verbose: bool = False) -> list[CheckResult]:
    """Run one check crawl of ``sources`` in this process (one process = one crawl, as for ``crawl``)."""
    if not sources:
        return []
    settings = build_settings(config.scrapy, verbose=verbose, watchlist=config.watchlist)
    enable_rendering(settings, sources, str(config.sources_path))  # render: js sources are checked as they are crawled: in the browser
    settings.set("ITEM_PIPELINES", {}, priority="cmdline")   # the sample never reaches a pipeline
    if not verbose:  # every failure is in the report: Scrapy's tracebacks for down sites would only be noise
        settings.set("LOG_LEVEL", "CRITICAL", priority="cmdline")
    store = Store("sqlite://")                                  # throwaway: the user's store is not touched
    try:
        process = CrawlerProcess(settings)
        crawler = process.create_crawler(SourceCheckSpider)
        process.crawl(crawler, sources=sources, store=store)
        process.start()
        spider = crawler.spider
    finally:
        store.close()
    results = [_result(spider, source) for source in sources]
    learned = learned_templates(config.state_url, [source.id for source in sources])  # read only
    for result in results:
        templates = learned.get(result.source.id)
        if templates is not None:
            result.suggested_pattern = suggested_pattern(templates.news, templates.not_news)
            result.learned_from = sum(templates.news[t] for t in news_templates(templates.news, templates.not_news))
    return results


def _result(spider: SourceCheckSpider, source: Source) -> CheckResult:
    reachable, detail, final_url = spider.home.get(source.id, (False, "no answer", ""))
    found = spider.found.get(source.id, {})
    union = set().union(*found.values()) if found else set()
    return CheckResult(
        source=source, reachable=reachable, reach_detail=detail, final_url=final_url,
        found={channel: len(found.get(channel, ())) for channel in CHANNELS}, articles=len(union),
        sample=spider.sample_pages.get(source.id) or (
            Sample(url=spider.samples[source.id], problem="no answer") if source.id in spider.samples else None),
        errors=list(spider.error_details.get(source.id, [])),
    )


def print_report(results: list[CheckResult], elapsed: float, out=sys.stdout) -> None:
    """The verdicts table, then one block per source with its sample."""
    rows = [("source", "verdict", "reachable", "discovery", "articles")]
    for result in results:
        reach = "yes" if result.reachable else f"no ({result.reach_detail})"
        rows.append((result.source.id, result.verdict[0], reach, result.discovery, str(result.articles)))
    print_table(rows, out, right={4})
    for result in results:
        verdict, why = result.verdict
        source = result.source
        print(f"\n{source.id}: {source.name} ({source.url})", file=out)
        print(f"  reachable  {'yes' if result.reachable else 'no'} ({result.reach_detail})", file=out)
        counts = ", ".join(f"{channel} {result.found.get(channel, 0)}" for channel in CHANNELS)
        plural = "" if result.articles == 1 else "s"
        print(f"  discovery  {result.discovery} ({counts}; {result.articles} article URL{plural})", file=out)
        if result.sample:
            sample = result.sample
            print(f"  sample     {sample.url}", file=out)
            if sample.title:
                print(f"  title      {sample.title}", file=out)
            print(f"  date       {sample.date or '(not found)'}", file=out)
            if sample.text:
                print(f"  text       {first_words(sample.text)}", file=out)
        if result.suggested_pattern and not source.article_pattern:
            print(f"  suggested  article_pattern: '{result.suggested_pattern}' "
                  f"(learned from {result.learned_from} stored articles)", file=out)
        for error in result.errors:
            print(f"  error      {error}", file=out)
        print(f"  verdict    {verdict}" + (f" ({why})" if why else ""), file=out)
    tally = {verdict: sum(1 for r in results if r.verdict[0] == verdict) for verdict in (OK, NEEDS_PROFILE, DOWN)}
    print(f"\n{len(results)} sources checked in {elapsed:.1f} s: {tally[OK]} ok, {tally[NEEDS_PROFILE]} need a "
          f"profile, {tally[DOWN]} down", file=out)


def write_report(path: Path, results: list[CheckResult]) -> int:
    return write_csv(path, REPORT_COLUMNS, (result.as_row() for result in results))


def cmd_sources_check(args) -> int:
    """``dumawatch sources check``: exit 0 once the check ran, whatever the verdicts."""
    config = load_config(args.config)
    sources = select_sources(config, args.source, args.region)
    if not sources:
        print("dumawatch: no enabled source matches the selection; nothing to check", file=sys.stderr)
    clock = time.monotonic()
    results = check_sources(config, sources, verbose=getattr(args, "verbose", False))
    print_report(results, time.monotonic() - clock)
    if args.write_report:
        write_report(args.write_report, results)
        print(f"report: {args.write_report}")
    return 0
