"""The dates stage: when the article was published (``published_at``), in the source's own time zone.

The date comes from :func:`pipelines.date_evidence.find_published` — page metadata, the visible date by
the title, the feed/listing hints the spider passed along, the URL. A source profile's ``date`` selector
(CSS or XPath), when given, is read first: the user has said where the date stands. An article whose date
cannot be found keeps going with ``published_at = ""``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pipelines.clean import select_text
from pipelines.date_evidence import Window, find_published
from pipelines.page import Page
from pipelines.russian_dates import parse_russian_date, to_iso

DEFAULT_TIMEZONE = "Europe/Moscow"


def profile_date(html: str, selector: str, tz: str, fetched_at: datetime, tree=None) -> str:
    """The date at the profile's selector, if it is a plausible publication date; else ""."""
    try:
        text = select_text(html, selector, tree)
        value = parse_russian_date(text, tz, fetched_at.astimezone(ZoneInfo(tz))) if text else None
    except Exception:  # a bad selector or an odd page: the generic evidence decides
        return ""
    return to_iso(value) if Window(fetched_at).accepts(value) else ""


def publication_date(page: Page, source, tz: str | None, fetched_at: datetime | None,
                     hints: list[str] | None = None) -> str:
    """The article's ``published_at``: ISO 8601 local time with offset, a bare date, or "".

    ``source``: the source's profile (its ``date`` selector is read first), or None; ``tz``: the source's
    time zone; ``fetched_at``: when the page was fetched (aware); ``hints``: the raw dates of the feed entry
    or listing row that led to the page.
    """
    fetched_at = fetched_at or datetime.now(UTC)
    tz = tz or DEFAULT_TIMEZONE
    selector = getattr(source, "date", None)
    published = profile_date(page.html, selector, tz, fetched_at, page.tree) if selector else ""
    return published or find_published(page.html, page.url, tz, fetched_at, hints or [], tree=page.tree)
