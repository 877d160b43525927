"""Files mandato writes: whole or not at all. A file is written under a temporary name in its own
directory and renamed over its target once complete (a rename within one file system is atomic),
so a reader never sees half a file and a failed write leaves the target as it was."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


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
