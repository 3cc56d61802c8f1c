"""Scrapy's downloader side: middlewares, per-source TLS, decoding of bodies, failure descriptions, rendering with a browser, the log formatter."""
