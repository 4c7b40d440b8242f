"""Atomic writes: a reader never sees half a file, and a crash never leaves one."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` (text as UTF-8) through a temporary file in the same folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # A lone surrogate (say, from a server's error body) cannot be UTF-8: it is written
    # as its \uXXXX escape, which JSON reads back as the same text, rather than lost.
    payload = data.encode("utf-8", "backslashreplace") if isinstance(data, str) else data
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        # mkstemp makes the file private (0600); keep the old file's mode, or an ordinary one.
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        os.chmod(temp_name, mode)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def read_regular(path: Path) -> bytes:
    """A regular file's bytes; anything else (a FIFO, a device, a folder) raises OSError
    at once instead of blocking, as a FIFO left in a docs or cache folder would."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    finally:
        os.close(fd)
