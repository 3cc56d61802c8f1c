"""Errors that dumawatch reports to the user as one clear line (exit code 2)."""


class ConfigError(Exception):
    """A configuration file is missing, malformed or inconsistent.

    The message names the file, the entry and the problem, e.g.
    ``config/sources.yaml: sources[3] (volgoduma): timezone 'Europe/Volgogard' is not an IANA time zone``.
    """


class LockedError(Exception):
    """Another dumawatch run holds the lock on the same state store."""
