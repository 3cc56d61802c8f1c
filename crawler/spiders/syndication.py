"""Read RSS/Atom feeds and XML sitemaps into (URL, date) entries, tolerating broken XML."""

from __future__ import annotations

from urllib.parse import urljoin

from lxml import etree
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def looks_like_feed(body: bytes) -> bool:
    head = body[:2048].lstrip().lower()
    return head.startswith(b"<?xml") and (b"<rss" in head or b"<feed" in head or b"<rdf" in head) \
        or head.startswith((b"<rss", b"<feed"))


def parse_feed(body: bytes, base_url: str) -> list[tuple[str, str | None]]:
    """Entries of an RSS 2.0, RSS 1.0 or Atom feed as (absolute link, raw publication date or None)."""
    try:
        root = etree.fromstring(body, etree.XMLParser(recover=True, resolve_entities=False, no_network=True,
                                                      huge_tree=False))
    except (etree.XMLSyntaxError, ValueError):
        return []
    if root is None:
        return []
    entries = []
    for node in root.iter():
        if _local(node.tag) not in ("item", "entry"):
            continue
        link, date = None, None
        for child in node:
            name = _local(child.tag)
            if name == "link":
                href = child.get("href")
                if href and child.get("rel", "alternate") == "alternate":
                    link = link or href
                elif child.text and child.text.strip():
                    link = link or child.text.strip()
            elif name == "guid" and child.get("isPermaLink", "true") == "true" and child.text:
                link = link or child.text.strip() if child.text.strip().startswith("http") else link
            elif name in ("pubdate", "published", "date", "issued") and child.text:
                date = date or child.text.strip()
            elif name == "updated" and child.text and date is None:
                date = None  # an update time is not a publication date
        if link:
            entries.append((urljoin(base_url, link), date))
    return entries


def parse_sitemap(body: bytes) -> tuple[str, list[tuple[str, str | None]]]:
    """("urlset" | "sitemapindex" | "", [(loc, lastmod or None)])."""
    try:
        sitemap = Sitemap(body)
    except Exception:  # scrapy's Sitemap raises lxml errors on garbage
        return "", []
    entries = []
    for entry in sitemap:
        loc = (entry.get("loc") or "").strip()
        if loc:
            entries.append((loc, entry.get("lastmod")))
    return sitemap.type or "", entries


def sitemaps_in_robots(text: str, base_url: str) -> list[str]:
    return list(sitemap_urls_from_robots(text.encode("utf-8"), base_url=base_url))
