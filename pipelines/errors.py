"""The errors the pipeline stages raise or meet: a page dropped for a counted reason, a bad watchlist, an
article the store will not take."""

from scrapy.exceptions import DropItem


class CountedDrop(DropItem):
    """A page dropped for a reason the run counts per source.

    The crawl counts it in the source's ``counter`` when Scrapy signals the drop (``item_dropped``; Scrapy's
    own stats count it too, by class name); when ``noted``, the message also goes into the run's details
    (the summary and ``runs.csv``).
    """

    counter = ""
    noted = True


class ConfigError(Exception):
    """A configuration file is missing, malformed or inconsistent (reported as one line, exit code 2).

    The message names the file, the entry and the problem, e.g.
    ``config/sources.yaml: sources[3] (volgoduma): timezone 'Europe/Volgogard' is not an IANA time zone``.
    """


class ArticleExists(Exception):
    """Another article row already holds this URL key (written meanwhile)."""


class WriteFailed(Exception):
    """An article could not be written (after retries): the crawl counts it as an error."""
