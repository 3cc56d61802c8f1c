"""The bare Scrapy spider of the crawl benchmark: follows the same links as dumawatch and discards the pages.

From each site's home page and ``robots.txt`` sitemap it follows the menu to the news listing, the listing's
pagination and article links, and the sitemap's entries; article pages are downloaded and dropped (no
parsing, no pipelines). Same Scrapy settings as the dumawatch run (robots.txt obeyed, no delay, the same
concurrency). Run by ``bench/bench_crawl.py``::

    python bench/bare_spider.py CONCURRENT_PER_DOMAIN URL [URL...]
"""

from __future__ import annotations

import re
import sys
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import CrawlerProcess

LOC = re.compile(rb"<loc>([^<]+)</loc>")
ARTICLE = re.compile(r"/news/\d+/$|/\d{4}/\d\d/\d\d/[^/]+/$|/news\.php\?id=\d+$")


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls: list[str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.urls = urls

    async def start(self):
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse_page)
            yield scrapy.Request(url.rstrip("/") + "/robots.txt", callback=self.parse_robots)

    def parse_robots(self, response):
        for line in response.text.splitlines():
            if line.lower().startswith("sitemap:"):
                yield scrapy.Request(line.split(":", 1)[1].strip(), callback=self.parse_sitemap)

    def parse_sitemap(self, response):
        for loc in LOC.findall(response.body):
            yield scrapy.Request(loc.decode(), callback=self.discard)

    def parse_page(self, response):
        host = urlsplit(response.url).netloc
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            if urlsplit(url).netloc != host:
                continue
            yield scrapy.Request(url, callback=self.discard if ARTICLE.search(url) else self.parse_page)

    def discard(self, response):
        return None


def main() -> int:
    per_domain, urls = int(sys.argv[1]), sys.argv[2:]
    process = CrawlerProcess({
        "ROBOTSTXT_OBEY": True, "DOWNLOAD_DELAY": 0, "CONCURRENT_REQUESTS": 32,
        "CONCURRENT_REQUESTS_PER_DOMAIN": per_domain, "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False,
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue", "COOKIES_ENABLED": True,
        "USER_AGENT": "dumawatch-bench-bare",
        "CONCURRENT_ITEMS": 4,  # as crawler/settings.py: Scrapy starts that many tasks for every response
    })
    process.crawl(BareSpider, urls=urls)
    process.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
