"""Write each finished article, with its URL keys, sketch and mentions, to the state store.

An article the store could not write (see crawler/storage/hotpath.py) is dropped as :class:`StoreFailed`: the crawl
counts it as an error of its source (and saves no feed validators for the run, so the next run fetches it).
"""

from __future__ import annotations

from scrapy.exceptions import DropItem

from pipelines.dedupe import DuplicateArticle
from pipelines.errors import ArticleExists, WriteFailed


class StoreFailed(DropItem):
    """The store could not write the article (after retries); its URL is not recorded, so the next run fetches it."""


class StorePipeline:
    """Item pipeline (crawl process, last): the article into the store."""

    def __init__(self, store) -> None:
        self.store = store

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.spider.store)  # the crawl's store, which the runner opened and gave the spider

    def process_item(self, item, spider=None):
        try:
            self.store.add_article(dict(item), item.get("seen_keys") or [])
        except ArticleExists:
            raise DuplicateArticle(f"{item['url']} was stored meanwhile") from None
        except WriteFailed as exc:
            raise StoreFailed(str(exc)) from None
        return item
