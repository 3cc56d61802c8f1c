"""Errors that dumawatch reports to the user as one clear line, and the command line's exit codes.

The exit codes are a contract with scripts and with the service, which reads them off its crawl processes
(their meaning is in crawler/commands/cli.py's docstring).
"""

from pipelines.errors import ConfigError

__all__ = ["EXIT_ALL_FAILED", "EXIT_CONFIG", "EXIT_FEEDS", "EXIT_INTERRUPTED", "EXIT_LOCKED", "ConfigError",
           "LockedError"]

EXIT_FEEDS = 1          # the crawl is stored, the feeds could not be written
EXIT_CONFIG = 2         # a ConfigError: bad configuration or arguments, nothing done
EXIT_LOCKED = 3         # a LockedError: another run holds the store's lock
EXIT_ALL_FAILED = 4     # the crawl ran, and every one of its sources failed (recorded in runs as usual)
EXIT_INTERRUPTED = 130  # stopped by Ctrl-C, after its clean stop


class LockedError(Exception):
    """Another dumawatch run holds the lock on the same state store."""
