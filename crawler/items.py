"""The article item that flows from the spider through the item pipelines.

The spider fills the *fetch* fields; each pipeline fills its own fields, in this order
(see ``crawler/settings.py`` ITEM_PIPELINES): clean → dates → article evidence → dedupe → mentions → store. With worker
processes (``workers`` > 0), clean, dates, article evidence and mentions run in a worker (``pipelines/offload.py``), then
dedupe → store in the crawl process.
"""

import scrapy


class ArticleItem(scrapy.Item):
    # filled by the spider
    source_id = scrapy.Field()      # str: id of the source entry
    url = scrapy.Field()            # str: the URL the page was fetched from (after redirects)
    html = scrapy.Field()           # str: the decoded page (Scrapy's encoding detection)
    fetched_at = scrapy.Field()     # datetime: aware, UTC, when the page was downloaded
    timezone = scrapy.Field()       # str: IANA time zone of the source (e.g. "Asia/Novokuznetsk")
    date_hints = scrapy.Field()     # list[str]: raw dates from the feed entry / listing row that led here
    listed = scrapy.Field()         # bool: the link stood in a feed, a dated sitemap or a listing block
    # clean pipeline
    canonical_url = scrapy.Field()  # str | None: the page's <link rel="canonical">
    title = scrapy.Field()          # str
    text = scrapy.Field()           # str: body text, paragraphs separated by "\n"
    page_signals = scrapy.Field()   # dict: what the article-evidence stage needs from the whole page
    # dates pipeline
    published_at = scrapy.Field()   # str: ISO 8601 local time with offset, or a date, or "" when unknown
    # offload pipeline (with workers): the text's fingerprints, computed in the worker for dedupe
    fingerprint = scrapy.Field()    # tuple (content hash, sketch, shingle hashes as array("q"))
    # dedupe pipeline
    url_key = scrapy.Field()        # str: normalised URL key (one per article, however many URLs lead to it)
    content_hash = scrapy.Field()   # str: exact fingerprint of the normalised text
    sketch = scrapy.Field()         # list[int]: sampled word-shingle hashes (near-duplicate detection)
    duplicate_of = scrapy.Field()   # str: URL of the earliest article this one reprints, else ""
    supersedes = scrapy.Field()     # str: URL of a stored root this article predates (it becomes the root)
    seen_keys = scrapy.Field()      # list[str]: every URL key that led to this article
    # mentions pipeline
    names = scrapy.Field()          # list[str]: canonical watch names matched
    topics = scrapy.Field()         # list[str]: canonical topic names matched
    mentions = scrapy.Field()       # list[dict]: {kind, watch, matched, snippet}
    # offload pipeline (with workers): title and text in normal form, for the full-text index (crawler/fulltext.py)
    normal_forms = scrapy.Field()   # tuple[str, str]
