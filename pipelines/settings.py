"""The Scrapy setting names the pipelines read (``crawler/settings.py`` sets them in ``build_settings``)."""

WORKERS_SETTING = "DUMAWATCH_WORKERS"                # worker processes for clean, dates and mentions
WATCHLIST_SETTING = "DUMAWATCH_WATCHLIST"            # the watchlist dict parsed from watchlist.yaml
WATCHLIST_PATH_SETTING = "DUMAWATCH_WATCHLIST_PATH"  # its file, for messages
