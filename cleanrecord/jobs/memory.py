"""Giving the memory a task freed back to the system, so that a long-running worker stays flat.

A 50,000-row import allocates tens of MB of short-lived rows and lists. glibc's malloc keeps what they freed
in its heap for reuse, and the heap's top can only shrink past its highest live block: so the worker kept the
high-water mark of its largest imports (30 MB more after some of them than after others, measured on eight
imports in one process). `malloc_trim(0)` returns the free pages of every arena to the system (a few ms).
Where the C library is not glibc (musl, macOS), nothing is done.
"""

import ctypes
import ctypes.util
import functools
import logging
import sys
from typing import Any

log = logging.getLogger(__name__)


@functools.cache  # looked up once a process
def _malloc_trim() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    trim = getattr(libc, "malloc_trim", None)  # glibc only
    if trim is not None:
        trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


def give_back_memory() -> bool:
    """Return freed heap memory to the system; False where the C library cannot (not glibc)."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


def after_task(sender: Any = None, **kwargs: Any) -> None:
    """Receiver of django-tasks' task_finished in the worker (connected by `manage.py worker`). Never raises."""
    try:
        give_back_memory()
    except Exception:
        log.exception("could not give freed memory back to the system")
