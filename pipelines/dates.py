"""Scrapy item pipeline that dates each article: sets ``item["published_at"]``.

The date comes from :func:`pipelines.date_evidence.find_published` — page metadata, the visible date by
the title, the feed/listing hints the spider passed along, the URL — in the source's own time zone.
An article whose date cannot be found keeps going with ``published_at = ""``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pipelines.date_evidence import find_published


class DatesPipeline:
    """Fill ``published_at`` (ISO 8601 local time with offset, a bare date, or "")."""

    def process_item(self, item, spider=None):
        fetched_at = item.get("fetched_at") or datetime.now(UTC)
        item["published_at"] = find_published(
            item.get("html") or "",
            item.get("url") or "",
            item.get("timezone") or "",
            fetched_at,
            item.get("date_hints") or [],
        )
        return item
