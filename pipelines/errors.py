"""The errors the pipeline stages raise or meet: a bad watchlist, an article the store will not take."""


class ConfigError(Exception):
    """A configuration file is missing, malformed or inconsistent (reported as one line, exit code 2).

    The message names the file, the entry and the problem, e.g.
    ``config/sources.yaml: sources[3] (volgoduma): timezone 'Europe/Volgogard' is not an IANA time zone``.
    """


class ArticleExists(Exception):
    """Another article row already holds this URL key (written meanwhile)."""


class WriteFailed(Exception):
    """An article could not be written (after retries): the crawl counts it as an error."""
