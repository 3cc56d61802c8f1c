"""The download handler of a crawl with ``render: js`` sources (see ``crawler/download/rendering.py``).

A module of its own: it imports scrapy-playwright (the optional ``js`` extra), and Scrapy loads it only when a
crawl renders a source.
"""

from __future__ import annotations

from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from crawler.download.tls import PerSourceTLSPolicy

__all__ = ["RenderingHandler"]


class RenderingHandler(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's handler for the rendered pages (``meta["playwright"]``); every other request goes
    through Scrapy's HTTP/1.1 handler with the per-source TLS verification of :class:`crawler.download.tls.PerSourceTLSHandler`."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self._contextFactory = PerSourceTLSPolicy(
            self._contextFactory, crawler, crawler.settings.get("DOWNLOADER_CLIENT_TLS_CIPHERS"))
