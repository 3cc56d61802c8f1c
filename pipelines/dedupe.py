"""One row per story: URL variants and same-site copies are dropped, reprints are linked to the first.

- URL variants (tracking parameters, print versions, scheme, ``www.``, the page's own canonical link):
  one ``url_key``; a key already in the store means the article is known.
- The same normalised text on the same site at another URL: the same article.
- A near-duplicate on another site (a press release reprinted by another site, with small edits): its own row,
  ``duplicate_of`` = the URL of the earliest publication. Reprints chain to the first publication, never
  to each other; when a reprint turns out older than the stored root, it becomes the root.
"""

from __future__ import annotations

from datetime import UTC, datetime

from scrapy.exceptions import DropItem

from pipelines.fingerprints import REPRINT_RESEMBLANCE, content_hash, jaccard, shingle_sketch, shingles
from pipelines.urlkeys import same_site, url_key


class DuplicateArticle(DropItem):
    """The article is already in the store under another URL."""


def _instant(published_at: str) -> datetime | None:
    if not published_at:
        return None
    try:
        value = datetime.fromisoformat(published_at)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(hour=12, tzinfo=UTC)
    return value


def published_earlier(a: str, b: str) -> bool:
    """True when publication date ``a`` is known to be earlier than ``b``."""
    first, second = _instant(a), _instant(b)
    return first is not None and second is not None and first < second


class DedupePipeline:
    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls()
        pipeline.crawler = crawler
        return pipeline

    def process_item(self, item, spider=None):
        spider = spider or self.crawler.spider
        store = spider.store
        canonical = item.get("canonical_url")
        if canonical and same_site(canonical, item["url"]):
            item["url"] = canonical
        item["url_key"] = url_key(item["url"])
        keys = list(dict.fromkeys([item["url_key"], *(item.get("seen_keys") or [])]))
        item["seen_keys"] = keys
        known = store.article_by_any_key(keys)
        if known is not None:
            store.mark_seen(keys, item["source_id"], known["id"])
            raise DuplicateArticle(f"{item['url']} is already stored as {known['url']}")
        item["content_hash"] = content_hash(item["text"])
        same_text = store.article_by_content(item["content_hash"], item["source_id"])
        if same_text is not None:
            store.mark_seen(keys, item["source_id"], same_text["id"])
            raise DuplicateArticle(f"{item['url']} has the same text as {same_text['url']}")
        item["sketch"] = shingle_sketch(item["text"])
        item["duplicate_of"] = ""
        own_shingles = None  # built once, only when a candidate from another site needs checking
        # a site's own look-alike notices are separate articles: reprints cross sites
        for candidate in store.near_duplicate_candidates(item["sketch"], other_than=item["source_id"]):
            if own_shingles is None:
                own_shingles = shingles(item["text"])
            if jaccard(own_shingles, shingles(candidate["text"])) < REPRINT_RESEMBLANCE:
                continue
            root_url = candidate["duplicate_of"] or candidate["url"]
            root = store.article_by_url(root_url) or candidate
            if published_earlier(item.get("published_at") or "", root["published_at"]):
                item["supersedes"] = root_url
            else:
                item["duplicate_of"] = root_url
            break
        return item
