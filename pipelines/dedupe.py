"""One row per story: URL variants and same-site copies are dropped, reprints are linked to the first.

- URL variants (tracking parameters, print versions, scheme, ``www.``, the page's own canonical link):
  one ``url_key``; a key already in the store means the article is known.
- The same normalised text on the same site at another URL: the same article.
- A near-duplicate on another site (a press release reprinted by another site, with small edits): its own row,
  ``duplicate_of`` = the URL of the earliest publication. Reprints chain to the first publication, never
  to each other; when a reprint turns out older than the stored root, it becomes the root.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Mapping
from datetime import UTC, datetime

from pipelines.errors import CountedDrop
from pipelines.fingerprints import (
    REPRINT_RESEMBLANCE,
    Fingerprint,
    jaccard,
    parse_sketch,
    shingles,
    sketch_may_match,
)
from pipelines.urlkeys import same_site, url_key

RECENT_TEXTS = 10_000  # their shingle hashes as arrays of 8-byte integers (a few KB per text)


class DuplicateArticle(CountedDrop):
    """The article is already in the store under another URL: a routine drop, counted, said in the summary."""

    counter = "duplicates"
    noted = False


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


def reprinted_article(store, fingerprint: Fingerprint, source_id: str,
                      recent: Mapping[str, array] | None = None) -> dict | None:
    """The stored article of another source that this text reprints (most shared sketch hashes first), or None.

    A site's own look-alike notices are separate articles: reprints cross sites. Each candidate is first
    judged by its sketch alone (most are set aside there, unread), then by the Jaccard similarity of the
    two texts' 3-shingles: from the shingle hashes in ``recent`` (url → hashes, the articles of this crawl),
    else from the candidate's text (its word tuples: cheaper to build than their hashes).
    """
    for candidate in store.near_duplicate_candidates(fingerprint.sketch, other_than=source_id):
        if not sketch_may_match(fingerprint.sketch, parse_sketch(candidate.get("sketch") or "")):
            continue
        kept = recent.get(candidate["url"]) if recent else None
        similarity = (jaccard(fingerprint.shingle_hashes, set(kept)) if kept is not None
                      else jaccard(fingerprint.shingles, shingles(candidate["text"])))
        if similarity >= REPRINT_RESEMBLANCE:
            return candidate
    return None


class DedupePipeline:
    """Item pipeline (crawl process, one item at a time): sets ``url_key``, ``content_hash``, ``sketch``,
    ``duplicate_of``/``supersedes`` and ``seen_keys``, or drops the page as a :class:`DuplicateArticle`."""

    def __init__(self, store) -> None:
        self.store = store
        # shingle hashes of the articles this crawl passed on, newest last: a reprint's candidates are most
        # often articles of the same crawl, whose texts then need no second split and hash
        self._recent: OrderedDict[str, array] = OrderedDict()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.spider.store)  # the crawl's store, which the runner opened and gave the spider

    def _remember(self, url: str, fingerprint: Fingerprint) -> None:
        self._recent[url] = array("q", fingerprint.shingle_hashes)
        if len(self._recent) > RECENT_TEXTS:
            self._recent.popitem(last=False)

    def process_item(self, item, spider=None):
        store = self.store
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
        parts = item.get("fingerprint")  # computed by the page stages (pipelines/stages.py)
        fingerprint = Fingerprint.from_parts(item["text"], parts) if parts else Fingerprint(item["text"])
        item["content_hash"] = fingerprint.content_hash
        same_text = store.article_by_content(item["content_hash"], item["source_id"])
        if same_text is not None:
            store.mark_seen(keys, item["source_id"], same_text["id"])
            raise DuplicateArticle(f"{item['url']} has the same text as {same_text['url']}")
        item["sketch"] = fingerprint.sketch
        item["duplicate_of"] = ""
        candidate = reprinted_article(store, fingerprint, item["source_id"], self._recent)
        if candidate is not None:
            root_url = candidate["duplicate_of"] or candidate["url"]
            root = store.article_by_url(root_url) or candidate
            if published_earlier(item.get("published_at") or "", root["published_at"]):
                item["supersedes"] = root_url
            else:
                item["duplicate_of"] = root_url
        if item["sketch"]:  # only texts with a sketch can be another's candidates
            self._remember(item["url"], fingerprint)
        return item
