"""Write each finished article, with its URL keys, sketch and mentions, to the state store."""

from __future__ import annotations

from crawler.store import ArticleExists
from pipelines.dedupe import DuplicateArticle


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
        spider.count(item["source_id"], "new_articles")
        spider.count(item["source_id"], "new_mentions", len(item.get("mentions") or []))
        return item
