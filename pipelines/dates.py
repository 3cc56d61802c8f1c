"""Scrapy item pipeline that dates each article: sets ``item["published_at"]``.

The date comes from :func:`pipelines.date_evidence.find_published` — page metadata, the visible date by
the title, the feed/listing hints the spider passed along, the URL — in the source's own time zone.
A source profile's ``date`` selector (CSS or XPath), when given, is read first: the user has said where
the date stands. An article whose date cannot be found keeps going with ``published_at = ""``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pipelines.clean import select_text
from pipelines.date_evidence import Window, find_published
from pipelines.russian_dates import parse_russian_date, to_iso


def profile_date(html: str, selector: str, tz: str, fetched_at: datetime) -> str:
    """The date at the profile's selector, if it is a plausible publication date; else ""."""
    try:
        text = select_text(html, selector)
        value = parse_russian_date(text, tz, fetched_at.astimezone(ZoneInfo(tz))) if text else None
    except Exception:  # a bad selector or an odd page: the generic evidence decides
        return ""
    return to_iso(value) if Window(fetched_at).accepts(value) else ""


class DatesPipeline:
    """Fill ``published_at`` (ISO 8601 local time with offset, a bare date, or "")."""

    crawler = None

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls()
        pipeline.crawler = crawler
        return pipeline

    def _date_selector(self, item, spider) -> str | None:
        spider = spider or (self.crawler.spider if self.crawler else None)
        source = getattr(spider, "sources", {}).get(item.get("source_id"))
        return getattr(source, "date", None)

    def process_item(self, item, spider=None):
        fetched_at = item.get("fetched_at") or datetime.now(UTC)
        html, tz = item.get("html") or "", item.get("timezone") or "Europe/Moscow"
        selector = self._date_selector(item, spider)
        published = profile_date(html, selector, tz, fetched_at) if selector else ""
        item["published_at"] = published or find_published(
            html, item.get("url") or "", tz, fetched_at, item.get("date_hints") or [])
        return item
