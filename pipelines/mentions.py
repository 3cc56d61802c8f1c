"""The mentions stage: which watched people and topics an article names, with Russian morphology.

``watchlist.yaml`` (the parsed dict, may be None or empty) is validated and compiled once per process by
:func:`compile_watchlist`; each article then costs one pass of the compiled matcher over its title and body.
:func:`mention_fields` gives ``names`` and ``topics`` (canonical names, in order of first appearance) and
``mentions`` (one dict {kind, watch, matched, snippet} per watch entry found).
"""

from __future__ import annotations

from pipelines.matcher import WatchMatcher
from pipelines.watchlist import load_watchlist


def compile_watchlist(data: dict | None, path: str | None = None) -> WatchMatcher:
    """The matcher for a watchlist dict as parsed from ``path`` (the path only names it in errors)."""
    return WatchMatcher(load_watchlist(data or None, path or "watchlist.yaml"))


def mention_fields(matcher: WatchMatcher, title: str, text: str) -> dict:
    """``names``, ``topics`` and ``mentions`` of an article with this title and text."""
    mentions = matcher.find(title or "", text or "")
    return {"names": [m.watch for m in mentions if m.kind == "name"],
            "topics": [m.watch for m in mentions if m.kind == "topic"],
            "mentions": [m.as_dict() for m in mentions]}
