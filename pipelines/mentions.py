"""Scrapy item pipeline that flags mentions of watched people and topics in each article.

``DUMAWATCH_WATCHLIST`` (the dict parsed from ``watchlist.yaml``, may be None or empty) is validated and
compiled once, when the crawler starts; each article then costs one pass of the compiled matcher over its title
and body. The pipeline fills ``names`` and ``topics`` (canonical names, in order of first appearance) and
``mentions`` (one dict {kind, watch, matched, snippet} per watch entry found).
"""

from __future__ import annotations

from pipelines.matcher import WatchMatcher
from pipelines.settings import WATCHLIST_PATH_SETTING, WATCHLIST_SETTING
from pipelines.watchlist import load_watchlist


class MentionsPipeline:
    def __init__(self, matcher: WatchMatcher) -> None:
        self.matcher = matcher

    @classmethod
    def from_crawler(cls, crawler):
        return cls.from_watchlist(crawler.settings.get(WATCHLIST_SETTING), crawler.settings.get(WATCHLIST_PATH_SETTING))

    @classmethod
    def from_watchlist(cls, data: dict | None, path: str | None = None):
        """The pipeline for a watchlist dict as parsed from ``path`` (the path only names it in errors)."""
        return cls(WatchMatcher(load_watchlist(data or None, path or "watchlist.yaml")))

    def process_item(self, item, spider=None):
        mentions = self.matcher.find(item.get("title") or "", item.get("text") or "")
        item["names"] = [m.watch for m in mentions if m.kind == "name"]
        item["topics"] = [m.watch for m in mentions if m.kind == "topic"]
        item["mentions"] = [m.as_dict() for m in mentions]
        return item
