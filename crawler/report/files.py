"""Files of the feeds folder: each written whole or not at all, readable as the umask says, and known again by
its size and modification time.

:func:`replaced_atomically` gives a temporary file beside the target that replaces it when the block ends (fsynced,
then renamed: a reader never sees half a file); :func:`file_state` is what ``.dumawatch-feeds.json`` keeps of a
file written, so a file changed or removed since is noticed and written again.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def file_mode() -> int:
    """The mode a new file gets under this process's umask (0644 under the usual 022)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:  # read without changing it: thread-safe
            for line in status:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def replaced_atomically(path: Path, encoding: str = "utf-8", newline: str | None = None,
                        binary: bool = False) -> Iterator:
    """A file to write (text, or bytes with ``binary``) that replaces ``path`` whole when the block ends (fsynced,
    then renamed over it), with the mode the umask gives; on any error the temporary file is removed and ``path``
    stays as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    options = {"mode": "wb"} if binary else {"mode": "w", "encoding": encoding, "newline": newline}
    handle = tempfile.NamedTemporaryFile(**options, dir=path.parent, prefix=f".{path.name}.", suffix=".tmp",
                                         delete=False)
    try:
        with handle:
            os.fchmod(handle.fileno(), file_mode())  # mkstemp makes 0600: a colleague could not read the feed
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def file_state(path: Path) -> list[int] | None:
    """[size, mtime in ns] of ``path``, or None when there is no such file."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]
