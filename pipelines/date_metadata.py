"""Page-wide date evidence read from the raw text, without parsing the page: JSON-LD, ``<meta>`` tags, the URL.

``json_ld_dates`` and ``meta_dates`` return the raw date strings a page declares (``datePublished``,
``article:published_time`` and kin: ``STRONG_META``; the weaker ``<meta name="date">``: ``WEAK_META``), best
first; ``url_date`` reads a full date written in a URL's path. Regular expressions only: a page that declares
its date this way is never parsed.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Sequence
from datetime import date

STRONG_META = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "published_time",
    "datepublished",
    "article.published",
    "article:published",
    "article_date_original",
    "publication_date",
    "publish-date",
    "publish_date",
    "publishdate",
    "pubdate",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "mediator_published_time",
    "date_published",
)
WEAK_META = ("date", "dc.date", "dcterms.date", "created", "citation_publication_date", "citation_date")

LD_JSON = re.compile(r"<script\b[^>]*?application/ld\+json[^>]*>(.*?)</script\s*>", re.I | re.S)
META_TAG = re.compile(r"<meta\b[^>]*>", re.I)
META_ATTR = re.compile(r"""\b(property|name|itemprop|content)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.I)
ARTICLE_TYPES = re.compile(r"article|blogposting|report|liveblog", re.I)
URL_YMD = re.compile(
    r"(?<!\d)((?:19|20)\d\d)([/_-]?)(0[1-9]|1[0-2]|(?<=[/_-])[1-9])\2(0[1-9]|[12]\d|3[01]|(?<=[/_-])[1-9])(?!\d)"
)
URL_DMY = re.compile(r"(?<!\d)(0[1-9]|[12]\d|3[01])([._-])(0[1-9]|1[0-2])\2((?:19|20)\d\d)(?!\d)")


def json_ld_dates(html: str) -> list[str]:
    """``datePublished`` values of the page's JSON-LD, article-like types and shallow objects first."""
    if "datePublished" not in html:
        return []
    found: list[tuple[int, int, str]] = []
    for match in LD_JSON.finditer(html):
        text = match.group(1).strip()
        if "datePublished" not in text:
            continue
        try:
            _walk_json_ld(json.loads(text), 0, found)
        except (ValueError, RecursionError):
            for value in re.findall(r'"datePublished"\s*:\s*"([^"]{6,40})"', text):
                found.append((1, 0, value))
    found.sort(key=lambda item: (item[0], item[1]))
    return [value for _, _, value in found]


def _walk_json_ld(node: object, depth: int, found: list[tuple[int, int, str]]) -> None:
    if depth > 6:
        return
    if isinstance(node, list):
        for item in node:
            _walk_json_ld(item, depth + 1, found)
        return
    if not isinstance(node, dict):
        return
    value = node.get("datePublished")
    if isinstance(value, str):
        kind = node.get("@type")
        kind = " ".join(map(str, kind)) if isinstance(kind, list) else str(kind or "")
        found.append((0 if ARTICLE_TYPES.search(kind) else 1, depth, value))
    for key, child in node.items():
        if key in ("itemListElement", "hasPart", "relatedLink", "comment", "review", "isPartOf"):
            continue  # other articles, not this one
        if isinstance(child, dict | list) and (depth < 2 or key in ("@graph", "mainEntity", "mainEntityOfPage")):
            _walk_json_ld(child, depth + 1, found)


def meta_dates(html: str, names: Sequence[str]) -> list[str]:
    """``content`` of ``<meta>`` tags whose property/name/itemprop is in ``names``, in that order."""
    by_name: dict[str, list[str]] = {}
    for tag in META_TAG.finditer(html):
        attrs = {m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or "" for m in META_ATTR.finditer(tag.group())}
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").strip().lower()
        if key in names and attrs.get("content"):
            by_name.setdefault(key, []).append(html_lib.unescape(attrs["content"]))
    return [content for name in names for content in by_name.get(name, [])]


def url_date(url: str) -> date | None:
    """A full date written in the URL path: /2022/11/01/, /2022-11-01-title, /20221101/, /01-11-2022/."""
    path = re.sub(r"^[a-z]+://[^/]+", "", url or "", flags=re.I)
    for match in URL_YMD.finditer(path):
        try:
            return date(int(match.group(1)), int(match.group(3)), int(match.group(4)))
        except ValueError:
            continue
    for match in URL_DMY.finditer(path):
        try:
            return date(int(match.group(4)), int(match.group(3)), int(match.group(1)))
        except ValueError:
            continue
    return None
