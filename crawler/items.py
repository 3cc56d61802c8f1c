"""The article item that flows from the spider through the item pipelines.

The spider fills the *fetch* fields; each stage fills its own fields, in this order: the page stages
(``pipelines/stages.py``: clean → dates → article evidence → mentions → fingerprints, normal forms), in a worker
process or in the crawl process, then dedupe → store in the crawl process (``crawler/settings.py`` ITEM_PIPELINES).
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
    # clean stage
    canonical_url = scrapy.Field()  # str | None: the page's <link rel="canonical">
    title = scrapy.Field()          # str
    text = scrapy.Field()           # str: body text, paragraphs separated by "\n"
    # dates stage
    published_at = scrapy.Field()   # str: ISO 8601 local time with offset, or a date, or "" when unknown
    # fingerprint stage: the text's fingerprints, for dedupe
    fingerprint = scrapy.Field()    # tuple (content hash, sketch, shingle hashes as array("q"))
    # dedupe pipeline (crawl process)
    url_key = scrapy.Field()        # str: normalised URL key (one per article, however many URLs lead to it)
    content_hash = scrapy.Field()   # str: exact fingerprint of the normalised text
    sketch = scrapy.Field()         # list[int]: sampled word-shingle hashes (near-duplicate detection)
    duplicate_of = scrapy.Field()   # str: URL of the earliest article this one reprints, else ""
    supersedes = scrapy.Field()     # str: URL of a stored root this article predates (it becomes the root)
    seen_keys = scrapy.Field()      # list[str]: every URL key that led to this article
    # mentions stage
    names = scrapy.Field()          # list[str]: canonical watch names matched
    topics = scrapy.Field()         # list[str]: canonical topic names matched
    mentions = scrapy.Field()       # list[dict]: {kind, watch, matched, snippet}
    # index_forms stage: title and text in normal form, for the full-text index (crawler/storage/fulltext.py)
    normal_forms = scrapy.Field()   # tuple[str, str]
