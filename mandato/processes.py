"""Worker processes die with the process that started them.

A worker of ``mandato ingest`` or of the SPARQL endpoint must not outlive the command or server
that started it, however that one ends (Ctrl-C, ``kill``, ``kill -9``): on Linux the kernel sends
the worker SIGKILL when its parent exits (``prctl(PR_SET_PDEATHSIG)``); elsewhere the worker checks
at start-up only. Call :func:`die_with_parent` first thing in a worker (or as the pool's
``initializer``), and start workers from a long-lived thread: Linux ties the signal to the thread
that started the worker.
"""

from __future__ import annotations

import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        import ctypes  # here: a worker's need, not a server's start

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent or parent == 1:  # the parent died before the signal was set
        os._exit(1)


def rss(pid: int) -> int:
    """A process's resident memory in bytes (0 where /proc cannot tell)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0
