"""Write each finished article, with its URL keys, sketch and mentions, to the state store.

An article the store could not write (see crawler/hotpath.py) is counted as an error of its source.
"""

from __future__ import annotations

from scrapy.exceptions import DropItem

from pipelines.dedupe import DuplicateArticle
from pipelines.errors import ArticleExists, WriteFailed


class StorePipeline:
    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls()
        pipeline.crawler = crawler
        return pipeline

    def process_item(self, item, spider=None):
        spider = spider or self.crawler.spider
        try:
            spider.store.add_article(dict(item), item.get("seen_keys") or [])
        except ArticleExists:
            raise DuplicateArticle(f"{item['url']} was stored meanwhile") from None
        except WriteFailed as exc:  # counted as an error; its URL is not recorded, so the next run fetches it
            spider.store_failed(item["source_id"], str(exc))
            raise DropItem(str(exc)) from None
        spider.count(item["source_id"], "new_articles")
        spider.count(item["source_id"], "new_mentions", len(item.get("mentions") or []))
        return item
