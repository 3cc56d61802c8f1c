"""One key per article URL: tracking parameters, print versions, scheme, ``www.``, slashes and fragments folded.

``url_key("https://www.duma.ru/news/12/?utm_source=vk&print=Y#top") == url_key("http://duma.ru/news/12")``.
Built on w3lib's ``canonicalize_url`` (query sorted, percent-encoding normalised, fragment dropped).
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit

from w3lib.url import canonicalize_url

TRACKING_PARAMS = {
    "yclid", "fbclid", "gclid", "dclid", "msclkid", "from", "_openstat", "ref", "referrer", "sessid",
    "phpsessid", "clear_cache", "back_url", "share",
}
PRINT_PARAMS = {"print", "tmpl", "layout", "print_course", "version"}
PRINT_SEGMENT = re.compile(r"/print(?=/|$)|/print\.html?$", re.IGNORECASE)


def site_host(name: str | None) -> str:
    """A host name as dumawatch compares sites: lower case, without ``www.`` (URL keys, same-site checks, the
    spider's on-site test, politeness slots of the worker queue)."""
    return (name or "").lower().removeprefix("www.")


def _is_dropped(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("utm_") or lowered in TRACKING_PARAMS or lowered in PRINT_PARAMS


@lru_cache(maxsize=8192)  # a crawl keys each URL two or three times: at the request, the response, the item
def url_key(url: str) -> str:
    """The normalised key of ``url``: host without ``www.``, path without trailing slash, kept query."""
    try:
        canonical = canonicalize_url(url.strip(), keep_fragments=False)
    except ValueError:
        canonical = url.strip()
    parts = urlsplit(canonical)
    host = site_host(parts.hostname)
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = PRINT_SEGMENT.sub("", parts.path) or "/"
    path = re.sub(r"/index\.(?:php|html?)$", "/", path)
    path = path.rstrip("/") or "/"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_dropped(k)]
    key = host + path
    if query:
        key += "?" + urlencode(sorted(query))
    return key


def host_of(url: str) -> str:
    """The site host of ``url`` (see :func:`site_host`)."""
    return site_host(urlsplit(url).hostname)


def same_site(url: str, other: str) -> bool:
    """True when both URLs are on one site (``www.`` and scheme ignored; subdomains of one another count)."""
    a, b = host_of(url), host_of(other)
    return bool(a) and (a == b or a.endswith("." + b) or b.endswith("." + a))


def on_site(url: str, host: str, allow_domains: tuple[str, ...] = ()) -> bool:
    """True when ``url`` is on the source's host (or a subdomain), or on a domain it allows."""
    target = host_of(url)
    if not target:
        return False
    for domain in map(site_host, (host, *allow_domains)):
        if target == domain or target.endswith("." + domain):
            return True
    return False
