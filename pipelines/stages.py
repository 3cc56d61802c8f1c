"""The article's way from a fetched page to the fields of its row: one ordered list of plain functions.

Each stage is a function ``stage(item, page, context) -> dict``: it reads the item's fields (what the spider
fetched, and what earlier stages set), the :class:`~pipelines.page.Page` (the html parsed once) and the
:class:`Context` (the source's profile, the compiled watchlist), and returns the fields it sets, or raises a
:class:`~pipelines.errors.CountedDrop` saying why the page is no article. No stage knows Scrapy's crawler or
spider, nor the store.

``PAGE_STAGES``, in order:

1. ``clean``: title, body text and canonical link (trafilatura; «Другие новости» and menus left out);
2. ``date``: ``published_at`` in the source's time zone;
3. ``judge``: is it a news article at all (not a list, a law, a form…);
4. ``mention``: the watched names and topics, with Russian morphology;
5. ``fingerprint``: the text's hash, sketch and shingle hashes (for dedupe);
6. ``index_forms``: title and text in normal form (for the full-text index).

:class:`PageStages` runs them; the crawl does so through ``pipelines.offload.OffloadPipeline`` (in worker
processes, or in the crawl process with ``workers: 0``: the same list either way), ``sources check`` and the
benchmarks call the same functions. Dedupe and store need the store and one item at a time: they follow as
Scrapy pipelines in the crawl process (``pipelines/dedupe.py``, ``pipelines/store.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pipelines.article_evidence import NotNews, judge
from pipelines.clean import clean_article
from pipelines.dates import publication_date
from pipelines.fingerprints import Fingerprint
from pipelines.matcher import WatchMatcher
from pipelines.mentions import compile_watchlist, mention_fields
from pipelines.normal_forms import article_normal_forms
from pipelines.page import Page

__all__ = ["PAGE_STAGES", "Context", "PageStages"]


@dataclass(frozen=True)
class Context:
    """What the stages need besides the page: the source's profile (selectors, or None) and the watchlist."""

    source: object | None
    matcher: WatchMatcher


def clean(item, page: Page, context: Context) -> dict:
    return clean_article(page, context.source)


def date(item, page: Page, context: Context) -> dict:
    return {"published_at": publication_date(page, context.source, item.get("timezone"), item.get("fetched_at"),
                                             item.get("date_hints"))}


def judge_article(item, page: Page, context: Context) -> dict:
    if page.signals is None:  # the page could not be parsed as a tree: the clean stage has dropped it already
        return {}
    verdict = judge(page.signals, item.get("title") or "", item.get("text") or "", item.get("published_at") or "",
                    listed=bool(item.get("listed")))
    if not verdict.is_news:
        raise NotNews(f"not news: {item['url']} ({verdict.reason})")
    return {}


def mention(item, page: Page, context: Context) -> dict:
    return mention_fields(context.matcher, item.get("title") or "", item.get("text") or "")


def fingerprint(item, page: Page, context: Context) -> dict:
    return {"fingerprint": Fingerprint(item["text"]).parts()}


def index_forms(item, page: Page, context: Context) -> dict:
    return {"normal_forms": article_normal_forms(item.get("title") or "", item["text"])}


Stage = Callable[[object, Page, Context], dict]
PAGE_STAGES: tuple[tuple[str, Stage], ...] = (
    ("clean", clean), ("date", date), ("judge", judge_article), ("mention", mention),
    ("fingerprint", fingerprint), ("index_forms", index_forms),
)


class PageStages:
    """The page stages for one crawl: the sources' profiles, and the watchlist compiled once."""

    def __init__(self, sources: Mapping[str, object], watchlist: dict | None, watchlist_path: str | None = None,
                 stages: tuple[tuple[str, Stage], ...] = PAGE_STAGES) -> None:
        self.sources = dict(sources)
        self.matcher = compile_watchlist(watchlist, watchlist_path)
        self.stages = stages

    def run(self, item, seconds: dict[str, float] | None = None):
        """Run every stage on ``item`` (a dict or Scrapy item, changed in place and returned).

        Raises the stage's :class:`~pipelines.errors.CountedDrop` when the page is no article. ``seconds``, when
        given, gets each stage's CPU time added under its name (the benchmarks' per-stage figures).
        """
        page = Page(item.get("html") or "", item.get("url") or "")
        context = Context(self.sources.get(item.get("source_id")), self.matcher)
        for name, stage in self.stages:
            clock = time.process_time()
            try:
                item.update(stage(item, page, context))
            finally:
                if seconds is not None:
                    seconds[name] = seconds.get(name, 0.0) + time.process_time() - clock
        return item
