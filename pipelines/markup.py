"""What the pipelines and the spider both read in a page: control characters, the names of news sections,
the canonical link."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from lxml import etree

CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

NEWS_LINK_TEXT = re.compile(
    r"^(?:все\s+|лента\s+)?(?:новости|новостей|пресс[- ]центр|пресс[- ]служба|пресс[- ]релизы|события|"
    r"новости\s+(?:думы|парламента|собрания|совета|хурала|курултая)|новости и события|архив новостей|"
    r"информация пресс-службы|news|latest news)$",
    re.IGNORECASE,
)


def canonical_link(root: etree._Element, base_url: str) -> str | None:
    for href in root.xpath("//link[@rel='canonical']/@href"):
        if str(href).strip():
            return urljoin(base_url, str(href).strip())
    return None
