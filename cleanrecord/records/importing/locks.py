"""Proof of life for an import, and for the files it reads: a lock the kernel releases when the process dies.

The importing process holds an exclusive flock on a lock file of its batch and on the upload copy
it reads, for as long as it runs. The nightly sweep tries the same lock without waiting: if it gets
it, no live process on this host is behind the file, whatever its age.
"""

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def held(path: Path, *, create: bool = False, remove: bool = False) -> Iterator[None]:
    """Hold an exclusive lock on `path` (made when `create`, deleted on the way out when `remove`).

    A lock file made here appears under its name already locked (made and locked under a name of its
    own, then renamed): a lock file that no process holds is one whose process is gone, however young."""
    made = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(made, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600) if create else os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        if create:
            os.replace(made, path)
        yield
    finally:
        if remove:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        os.close(fd)


def is_held(path: Path) -> bool:
    """True if a live process holds the lock on `path`; False if it is free (or gone)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
