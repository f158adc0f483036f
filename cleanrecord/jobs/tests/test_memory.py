"""The worker gives what a task freed back to the system (glibc's malloc_trim), where the C library can."""

import platform
import sys

import pytest

from cleanrecord.jobs import memory


@pytest.mark.skipif(not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_freed_memory_is_given_back_on_glibc():
    garbage = [bytes(1000) for _ in range(50_000)]  # 50 MB in small blocks, then freed
    del garbage
    assert memory.give_back_memory() is True


def test_the_receiver_never_raises():
    memory.after_task(sender=None, task_result=None)
