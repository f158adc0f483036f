"""How an import's helper processes end with it, and a pause point the kill tests stop an import at.

A child of an import (the spawned reader of sandbox.py, the forked second part of parallel.py) must
not outlive it: killed with `kill -9`, the import cannot stop its children, and a child left running
would hold the batch's lock (the sweep would think the import alive), a connection, a COPY. So each
child asks the kernel for SIGKILL when its parent dies (Linux PR_SET_PDEATHSIG), and checks that its
parent did not die before it asked.
"""

import ctypes
import os
import signal
import sys
import time

PR_SET_PDEATHSIG = 1

# Tests only (test_import_killed.py): the name of the point where an import stops and waits to be killed.
# Read once at start; unset, as in every deployment, pause_at() compares one empty string.
_PAUSE_AT = os.environ.get("CLEANRECORD_TEST_PAUSE_AT", "")


def die_with_parent(parent_pid: int) -> None:
    """Called first thing in a child process: end it as soon as `parent_pid`, the process that started it, ends.

    The death signal fires when the parent's *thread* that started the child ends: every caller waits for
    its child (or stops it) before that thread can finish, so it never fires early.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the broken pipe ends the child at its next message
        pass
    if os.getppid() != parent_pid:  # the parent died before the request above: no signal will come
        os._exit(1)


def pause_at(point: str) -> None:
    """Stop here for good when the tests asked for `point`; a no-op otherwise."""
    if _PAUSE_AT and point == _PAUSE_AT:
        sys.stderr.write(f"paused at {point} pid={os.getpid()}\n")
        sys.stderr.flush()
        while True:
            time.sleep(60)
