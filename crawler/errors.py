"""Errors that dumawatch reports to the user as one clear line (exit code 2)."""

from pipelines.errors import ConfigError

__all__ = ["ConfigError", "LockedError"]


class LockedError(Exception):
    """Another dumawatch run holds the lock on the same state store."""
