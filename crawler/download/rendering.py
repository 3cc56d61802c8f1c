"""``render: js``: the pages of such a source are built by a real browser before the spider reads them.

Some legislatures fill their news block with JavaScript. For a source with ``render: js``, its home page,
listings and article pages are fetched through scrapy-playwright driving the system's Chromium (Debian's
``chromium`` package; no browser download): the spider and the pipelines then see the page as a reader's
browser shows it. Feeds, sitemaps and robots.txt are plain HTTP as for every source, and so is every request
of the other sources, through the same TLS-verifying handler (``crawler/download/tls.py``). A source with
``verify_tls: false`` is rendered in a browser context that accepts its certificate.

The browser is found as ``$DUMAWATCH_BROWSER``, else ``chromium``, ``chromium-browser``, ``google-chrome`` on
the ``PATH``. When a selected source says ``render: js`` and scrapy-playwright (the ``js`` extra) or the
browser is missing, the run stops before anything is crawled with a one-line error (exit 2). A crawl without
such a source loads none of this.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable

from crawler.errors import ConfigError

__all__ = ["enable_rendering", "find_browser", "render_meta"]

BROWSER_ENV = "DUMAWATCH_BROWSER"
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
RENDERED_KINDS = ("home", "listing", "article")   # HTML pages; feeds, sitemaps and robots.txt are not rendered
INSECURE_CONTEXT = "verify_tls_off"
RENDER_TIMEOUT_MS = 30_000


def find_browser() -> str | None:
    """The Chromium to drive: ``$DUMAWATCH_BROWSER``, else the first of BROWSER_NAMES on the PATH."""
    chosen = os.environ.get(BROWSER_ENV)
    if chosen:
        return chosen if os.access(chosen, os.X_OK) else None
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def browser_for(sources: Iterable, where: str = "") -> str | None:
    """The browser the ``render: js`` sources among ``sources`` need (its path), or None when none renders.

    Raises :class:`ConfigError` (one line, starting with ``where``: the sources file) when a source needs a
    browser that is not there.
    """
    rendered = [source.id for source in sources if getattr(source, "render", None) == "js"]
    if not rendered:
        return None
    try:
        import scrapy_playwright  # noqa: F401
    except ImportError:
        raise ConfigError(f"{where}{': ' if where else ''}source {rendered[0]}: 'render: js' needs scrapy-playwright: "
                          "pip install 'dumawatch[js]'") from None
    browser = find_browser()
    if browser is None:
        raise ConfigError(f"{where}{': ' if where else ''}source {rendered[0]}: 'render: js' needs Chromium: "
                          "install the system's chromium "
                          f"package (apt-get install chromium), or set {BROWSER_ENV} to the browser's path")
    return browser


def enable_rendering(settings, sources: Iterable, where: str = "") -> bool:
    """Route the rendered sources' pages through the browser; False (settings untouched) when none renders.

    Raises :class:`ConfigError` as :func:`browser_for` does.
    """
    browser = browser_for(sources, where)
    if browser is None:
        return False
    handlers = dict(settings.getdict("DOWNLOAD_HANDLERS"))
    handlers.update({"http": "crawler.download.rendering_handler.RenderingHandler",
                     "https": "crawler.download.rendering_handler.RenderingHandler"})
    settings.set("DOWNLOAD_HANDLERS", handlers, priority="cmdline")
    settings.set("PLAYWRIGHT_BROWSER_TYPE", "chromium", priority="cmdline")
    settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", {"executable_path": browser, "headless": True,
                                               "args": ["--no-sandbox", "--disable-dev-shm-usage"]}, priority="cmdline")
    settings.set("PLAYWRIGHT_CONTEXTS", {"default": {}, INSECURE_CONTEXT: {"ignore_https_errors": True}},
                 priority="cmdline")
    settings.set("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT", RENDER_TIMEOUT_MS, priority="cmdline")
    return True


def render_meta(source, kind: str) -> dict:
    """The request meta that sends one of ``source``'s pages through the browser (empty when not rendered)."""
    if getattr(source, "render", None) != "js" or kind not in RENDERED_KINDS:
        return {}
    meta = {"playwright": True}
    if not source.verify_tls:
        meta["playwright_context"] = INSECURE_CONTEXT
    return meta
