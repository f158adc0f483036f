"""Reading an imported file in a child process that has a memory ceiling.

Whatever a file makes the reader do — a workbook whose rows hold millions of cells, a shared
string table that fills memory, a native reader aborting on a failed allocation — happens in a
process of its own, spawned for the file (no copy of the web worker's state and threads) with
RLIMIT_AS set before it opens the file. The importing process receives the header and then the
rows, a few hundred at a time (the pipe's back-pressure keeps the child at most a batch ahead),
and does everything else: checks, staging, the one transaction. A refusal in the child, a
MemoryError, or the child's death all reach the importing process as UnreadableFile, so the batch
ends as failed with a reason, and the worker goes on serving. A fault of the reader itself (an exception
no file should cause) reaches it as ReaderFailed with the child's traceback: the import logs it, and the
clerk reads the batch's number to quote, never the exception.

The child never holds a database connection: spawned, it starts a fresh interpreter that inherits
only the pipe, not the importing process's sockets. It dies with the importing process (see
lifetime.py), so a killed import leaves no reader behind.
"""

import multiprocessing
import os
import resource
import traceback
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from .layouts import AliasIndex, header_key
from .lifetime import die_with_parent
from .readers import Limits, Table, TooLarge, UnreadableFile, open_table, precheck

ROWS_PER_MESSAGE = 500
# Longest wait for the next word from the child: a batch of rows takes milliseconds to read.
STALL_SECONDS = 300


class ReaderFailed(RuntimeError):
    """The child reading the file failed on a fault of its own (not the file's): the message is the child's
    traceback, for the log; services.import_file logs it and tells the clerk the batch's number."""


def memory_message(limit_mb: int, last_row: int) -> str:
    if last_row:
        return _("读取文件所需内存超过上限 %(limit)s MB（读到第 %(row)s 行附近）：文件过大或结构异常（如一行中有极多单元格），"
                 "本文件的数据均未写入。请拆分文件或另存为 CSV 后重新上传") % {"limit": limit_mb, "row": last_row}
    return _("读取文件所需内存超过上限 %(limit)s MB：文件过大或结构异常（如一行中有极多单元格），"
             "本文件的数据均未写入。请拆分文件或另存为 CSV 后重新上传") % {"limit": limit_mb}


@lru_cache(maxsize=8)
def _index(kind: str) -> AliasIndex:
    return AliasIndex.for_kind(kind)


@dataclass(frozen=True)
class HeaderTest:
    """Whether a row is the header: at least `minimum` cells name a known column (or a mapped one).
    A plain value, so that it crosses to the reading process."""

    kind: str
    mapped: frozenset[str]
    minimum: int

    def __call__(self, cells: list) -> bool:
        index, mapped = _index(self.kind), self.mapped
        hits = sum(1 for c in cells if isinstance(c, str) and (index.match(c) or header_key(c) in mapped))
        return hits >= self.minimum


class _Reading:
    """The importing side of the pipe: the rows as they come, and the child stopped on close()."""

    def __init__(self, process, receiver, limit_mb: int):
        self.process, self.receiver, self.limit_mb = process, receiver, limit_mb
        self.last_row = 0

    def receive(self):
        if not self.receiver.poll(STALL_SECONDS):
            self.close()
            raise UnreadableFile(_("读取文件超时（%(seconds)s 秒内没有进展）：本文件的数据均未写入，请检查文件后重新上传")
                                 % {"seconds": STALL_SECONDS})
        try:
            message = self.receiver.recv()
        except (EOFError, OSError):
            self.process.join(10)
            # An allocation failure in native code (abort, -6) or the kernel's out-of-memory killer (-9)
            # ends the child without a word; so would any crash of the reader.
            params = {"row": self.last_row, "code": self.process.exitcode, "limit": self.limit_mb}
            if self.last_row:
                message = _("读取文件的进程读到第 %(row)s 行附近时意外终止（退出码 %(code)s）：可能是所需内存超过上限 "
                            "%(limit)s MB 或文件结构异常，本文件的数据均未写入。请拆分文件或另存为 CSV 后重新上传") % params
            else:
                message = _("读取文件的进程意外终止（退出码 %(code)s）：可能是所需内存超过上限 "
                            "%(limit)s MB 或文件结构异常，本文件的数据均未写入。请拆分文件或另存为 CSV 后重新上传") % params
            raise UnreadableFile(message) from None
        kind = message[0]
        if kind == "refused":
            raise (TooLarge if message[2] else UnreadableFile)(message[1], message[3])
        if kind == "failed":
            raise ReaderFailed(message[1])
        return message

    def rows(self):
        while True:
            message = self.receive()
            if message[0] == "end":
                return
            rows = message[1]
            if rows:
                self.last_row = rows[-1][0]
            yield from rows

    def close(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self.receiver.close()


def _speak(language: str | None) -> None:
    """Let the spawned child's refusals speak `language`. The source language (Chinese) is the messages' own text:
    gettext without catalogues (USE_I18N off in this child only) needs no app registry; another language needs the
    apps' catalogues, hence Django set up first (a second or so, only for a file sent in that language)."""
    if not language or language.startswith("zh"):
        settings.USE_I18N = False
        return
    # Imported here: only a child that speaks another language sets Django up (its app registry, for the catalogues).
    import django

    django.setup(set_prefix=False)
    translation.activate(language)


def open_table_isolated(path: Path, looks_like_header: HeaderTest, encoding: str | None, *, limits: Limits,
                        memory_mb: int) -> Table:
    """open_table, run in a spawned child process under a memory ceiling of `memory_mb` (0: none).

    What can be refused without reading the rows is refused here, before a process is started."""
    precheck(path, limits)
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_read, name="cleanrecord-import-reader", daemon=True,
                              args=(sender, str(path), looks_like_header, encoding, limits, memory_mb, os.getpid(),
                                    translation.get_language()))
    process.start()
    sender.close()
    reading = _Reading(process, receiver, memory_mb)
    try:
        __, file_format, encoding, header, header_row, delimiter = reading.receive()
    except BaseException:
        reading.close()
        raise
    return Table(file_format, encoding, header, header_row, reading.rows(), reading, delimiter)


def _read(sender, path: str, looks_like_header, encoding, limits: Limits, memory_mb: int, parent_pid: int = 0,
          language: str | None = None) -> None:
    """The child: open and read the file, send what it holds; a refusal is sent as a message, in the importing
    process's `language`."""
    if parent_pid:
        die_with_parent(parent_pid)
    _speak(language)
    if memory_mb:
        ceiling = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    last_row = 0
    table: Table | None = None
    batch: list[tuple[int, list]] = []
    try:
        try:
            table = open_table(Path(path), looks_like_header, encoding, limits)
            sender.send(("table", table.file_format, table.encoding, table.header, table.header_row, table.delimiter))
            for row in table.rows:
                batch.append(row)
                if len(batch) == ROWS_PER_MESSAGE:
                    sender.send(("rows", batch))
                    last_row = batch[-1][0]
                    batch = []
            sender.send(("rows", batch))
            sender.send(("end",))
            table.close()
        except UnreadableFile as e:
            sender.send(("refused", str(e), isinstance(e, TooLarge), e.detail))
        except MemoryError:
            batch.clear()  # what can be freed, before saying so
            table = None
            sender.send(("refused", memory_message(memory_mb, last_row), True, "MemoryError"))
        except Exception:  # a fault of the reader: the importing process logs it, the clerk reads a Chinese sentence
            sender.send(("failed", traceback.format_exc()[-4000:]))
    except (BrokenPipeError, ConnectionResetError):
        pass  # the importing process stopped listening (it failed, or was stopped): nothing to tell
    finally:
        sender.close()
