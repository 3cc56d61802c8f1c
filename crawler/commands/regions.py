"""Choosing sources by region (``--region``): a word or the start of a word of the region's name.

«Волгоград» picks «Волгоградская область», «Кузбасс» picks «Кемеровская область — Кузбасс», «тыва» picks
«Республика Тыва»; «Марс» does not pick «Самарская область» (a substring inside a word is no match). Case
and ё/е do not matter. A text that matches no configured region is an error listing the near matches.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

MAX_SUGGESTIONS = 5


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace("ё", "е").split())


def region_matches(query: str, region: str) -> bool:
    """True when ``query`` starts at a word boundary of ``region`` (a word, words, or a word's beginning)."""
    wanted = _fold(query)
    if not wanted:
        return False
    return re.search(r"(?<!\w)" + re.escape(wanted), _fold(region)) is not None


def near_regions(query: str, regions: list[str]) -> list[str]:
    """The configured regions closest to ``query``: by whole name, then by any of their words."""
    names = sorted({region for region in regions if region})
    wanted = _fold(query)
    scored = []
    for name in names:
        words = [_fold(name), *(_fold(word) for word in re.findall(r"\w+", name))]
        best = max(difflib.SequenceMatcher(None, wanted, word[:max(len(wanted), 1) + 3]).ratio() for word in words)
        scored.append((best, name))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [name for score, name in scored[:MAX_SUGGESTIONS] if score >= 0.6]


def unknown_region_message(sources_path: Path, query: str, regions: list[str]) -> str:
    near = near_regions(query, regions)
    hint = f"; near matches: {', '.join(near)}" if near else "; see the 'region' of the entries"
    return f"{sources_path}: no source's region matches '{query}' (a word or the start of one){hint}"
