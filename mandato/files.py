"""Files mandato reads and writes.

Read: only regular files of a bounded size (:func:`read_regular`): a FIFO, a directory or a device
is refused before it is opened (opening a FIFO waits for a writer for ever), and a file over its
limit before it is read (docs/limits.md).

Written: whole or not at all (:func:`replaced_atomically`). A file is written under a temporary
name in its own directory and renamed over its target once complete (a rename within one file
system is atomic), so a reader never sees half a file and a failed write leaves the target as it
was."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from mandato.errors import IngestError, Location


@contextlib.contextmanager
def replaced_atomically(target: Path) -> Iterator[BinaryIO]:
    """A binary file to write; on leaving the block without an error it replaces ``target``, on
    an error it is removed."""
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.part")
    try:
        with open(tmp, "xb") as fh:  # a new file, with the permissions any new file gets
            yield fh
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


MAX_FILE_BYTES = 512 << 20  # the largest source file (or manifest, or layout) read
PROGRESS_BYTES = 20_000_000  # a file larger gets progress lines on stderr while it is read
FILE_KINDS = {stat.S_IFDIR: "a directory", stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFCHR: "a character device",
              stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket"}


def progress(message: str) -> None:
    """A progress line on stderr, where ingest says what it reads (``pipeline.build``'s lines)."""
    print(message, file=sys.stderr, flush=True)


def regular_file(path: Path, what: str = "the file", limit: int = MAX_FILE_BYTES) -> int:
    """The size of ``path``, a regular file of at most ``limit`` bytes, checked without opening
    it (opening a FIFO waits for a writer for ever); else an error naming it."""
    where = Location(str(path))
    try:
        info = os.stat(path)
    except OSError as exc:
        raise IngestError(where, f"cannot read {what} ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        kind = FILE_KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
        raise IngestError(where, f"{what} is {kind}, not a regular file", "a document saved as a file")
    if info.st_size > limit:
        raise IngestError(where, f"{what} is {info.st_size >> 20} MiB, larger than {limit >> 20} MiB",
                          f"a file of at most {limit >> 20} MiB (split the document)")
    return info.st_size


def read_regular(path: Path, what: str = "the file", limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (see :func:`regular_file`), with a
    progress line when it is large."""
    size = regular_file(path, what, limit)
    where = Location(str(path))
    if size > PROGRESS_BYTES:
        progress(f"reading {path.name} ({size / 1e6:.0f} MB)")
    try:
        # O_NONBLOCK: should the file be swapped for a FIFO since it was checked, opening it does not wait
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise IngestError(where, f"cannot read {what} ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise IngestError(where, f"{what} is not a regular file", "a document saved as a file")
        try:
            data = fh.read(size + 1)  # one buffer the size of the file
            if len(data) > size:  # it grew since: read on, to the limit
                data += fh.read(limit + 1 - len(data))
        except OSError as exc:
            raise IngestError(where, f"cannot read {what} ({exc.strerror})") from None
    if len(data) > limit:
        raise IngestError(where, f"{what} is larger than {limit >> 20} MiB",
                          f"a file of at most {limit >> 20} MiB (split the document)")
    return data
