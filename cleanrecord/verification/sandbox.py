"""Running a function on hostile input in a child process under CPU, memory and wall-clock limits.

Each worker process forks one child on first use and reuses it: a fork per check cost 3× the CPU of a
genuine file check (page tables copied, pages copied as the child touched them, pyHanko's lazy set-up
redone), a reused child costs about what the check costs in process. A thread is no alternative: it cannot
be stopped in the middle of pyHanko's loops, holds the GIL meanwhile, and shares the worker's memory.

The child inherits the parent's state at the fork (code, settings, loaded keys): what may change later is
passed with each call, or named by `generation` so that a change starts a new child. It touches neither
the database nor the parent's files, and leaves by os._exit when the parent goes (its pipe closes), when a
call fails or overruns (it is killed), or after MAX_CALLS calls (so its heap cannot grow without end).
"""

import contextlib
import gc
import math
import os
import pickle
import resource
import select
import signal
import threading
import time
from collections.abc import Callable
from typing import TypeVar

MAX_CALLS = 500
_HEADER = 8  # bytes of length before each pickled message


class _Child:
    def __init__(self, generation):
        requests_out, requests_in = os.pipe()
        replies_out, replies_in = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(requests_in)
                os.close(replies_out)
                _serve(requests_out, replies_in)
            finally:
                os._exit(0)  # no atexit handlers, no closing of the parent's connections
        os.close(requests_out)
        os.close(replies_in)
        self.pid, self.requests, self.replies = pid, requests_in, replies_out
        self.generation, self.calls, self.stopped = generation, 0, False

    def alive(self) -> bool:
        return os.waitpid(self.pid, os.WNOHANG) == (0, 0)

    def call(self, function: Callable, args: tuple, seconds: float, memory: int):
        """The result, or None after killing the child when it overran, failed or died."""
        self.calls += 1
        deadline = time.monotonic() + seconds
        try:
            _write(self.requests, pickle.dumps((function, args, seconds, memory)), deadline)
            header = _read(self.replies, _HEADER, deadline)
            ok, result = pickle.loads(_read(self.replies, int.from_bytes(header, "big"), deadline))  # our child's
        except (OSError, EOFError, TimeoutError):
            self.stop()
            return None
        if not ok:
            self.stop()
        return result

    def stop(self) -> None:
        self.stopped = True
        for fd in (self.requests, self.replies):
            os.close(fd)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):  # reaped already, by alive()
            os.waitpid(self.pid, 0)


_lock = threading.Lock()  # one call at a time per worker process: the child runs one at a time
_child: _Child | None = None


T = TypeVar("T")


def run_bounded(function: Callable[..., T], *args: object, seconds: float, memory: int,
                generation: object = None) -> T | None:
    """`function(*args)` in the child, with `seconds` of CPU and of wall-clock time and `memory` bytes of
    address space beyond the child's own; its result, or None when it ran out of any or raised.

    `function` is pickled by name and its result by value; `generation` is compared with the one the
    child was forked with (e.g. the trusted root certificate), and a different one starts a new child.
    """
    global _child
    with _lock:
        if _child is not None and (_child.generation != generation or _child.calls >= MAX_CALLS
                                   or not _child.alive()):
            _child.stop()
            _child = None
        if _child is None:
            _child = _Child(generation)
        result = _child.call(function, args, seconds, memory)
        if _child.stopped:
            _child = None
        return result


def _serve(requests: int, replies: int) -> None:
    """The child's loop: read a call, run it under its limits, write the result; leave when the pipe closes."""
    gc.freeze()  # the parent's objects are never collected here, so a collection does not copy their pages
    for name in (signal.SIGINT, signal.SIGTERM):  # not the web server's handlers: a signal just ends the child
        signal.signal(name, signal.SIG_DFL)
    _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    _, memory_hard = resource.getrlimit(resource.RLIMIT_AS)
    while True:
        try:
            header = _read(requests, _HEADER, None)
            function, args, seconds, memory = pickle.loads(_read(requests, int.from_bytes(header, "big"), None))
        except EOFError:
            return
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu = math.ceil(usage.ru_utime + usage.ru_stime + seconds)  # the kernel ends the child past it (SIGXCPU)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu if cpu_hard == resource.RLIM_INFINITY else min(cpu, cpu_hard),
                                                 cpu_hard))
        ceiling = _address_space() + memory
        resource.setrlimit(resource.RLIMIT_AS, (ceiling if memory_hard == resource.RLIM_INFINITY
                                                else min(ceiling, memory_hard), memory_hard))
        try:
            reply = pickle.dumps((True, function(*args)))
        except BaseException:  # MemoryError and the like: say so, and leave, since the state is doubtful
            _write(replies, pickle.dumps((False, None)), None)
            return
        _write(replies, reply, None)


def _write(fd: int, payload: bytes, deadline: float | None) -> None:
    data = memoryview(len(payload).to_bytes(_HEADER, "big") + payload)
    while data:
        _wait(fd, deadline, write=True)
        # No more than the pipe takes without blocking once select() says it is writable.
        data = data[os.write(fd, data[:select.PIPE_BUF] if deadline is not None else data):]


def _read(fd: int, size: int, deadline: float | None) -> bytes:
    data = bytearray()
    while len(data) < size:
        _wait(fd, deadline, write=False)
        chunk = os.read(fd, size - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return bytes(data)


def _wait(fd: int, deadline: float | None, *, write: bool) -> None:
    """Until `fd` can be read (or written) without blocking; TimeoutError past `deadline`."""
    if deadline is None:
        return
    left = deadline - time.monotonic()
    readable, writable, _ = select.select([] if write else [fd], [fd] if write else [], [], max(left, 0))
    if left <= 0 or not (writable if write else readable):
        raise TimeoutError


def _address_space() -> int:
    """This process's virtual memory size in bytes."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()
