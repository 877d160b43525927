"""Dumps of the dataset for ``GET /dataset``: each made once per dataset version, format and graph,
by a process of its own, into a file kept beside the store, then streamed from that file.

A dump of a large store takes seconds of CPU and, serialised in memory, hundreds of MB: made in
the server's own process, sixteen at once took it from 190 to 776 MB and slowed every other answer.
Here a dump is written by a separate process (lower CPU priority, watched for time and memory like
a query worker: :mod:`mandato.query_pool`) that streams the store's quads into a file
(:func:`mandato.export.export`); at most ``concurrency`` are made at once, requests for a dump
being made wait for it, and the file is then sent in chunks. The store cannot change while it is
served, so a file stays right for as long as the dataset's version, which names its directory:
``<store>.dumps/<version>/`` (a remote store's go to a temporary directory removed at exit).
Directories of other versions are removed when the server starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import multiprocessing as mp
import os
import shutil
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool

from mandato.errors import MandatoError
from mandato.files import replaced_atomically
from mandato.processes import die_with_parent, rss
from mandato.results import EXTENSIONS

if TYPE_CHECKING:
    from mandato.remote import AnyStore

NICE = 10  # added to the server's niceness: a dump yields the CPU to the answers
POLL = 0.1  # seconds between checks of a dump's process


class DumpFailed(MandatoError):
    status = 503
    retry_after = 30


def _write(spec: tuple[str, Any], fmt: str, graph: str | None, target: str, conn: Connection) -> None:
    """In the dump's process: open the store read-only and write the dump to ``target``."""
    die_with_parent()
    os.nice(NICE)
    from mandato.export import export

    try:
        if spec[0] == "local":
            from mandato.store import Store

            store: Any = Store(Path(spec[1]), must_exist=True, read_only=True)
        else:
            from mandato.remote import RemoteStore

            store = RemoteStore(spec[1])
        with replaced_atomically(Path(target)) as fh:
            export(store, fmt, fh, graph)
        conn.send(("ok", 200, ""))
    except MandatoError as exc:
        conn.send(("error", exc.status, str(exc)))
    except Exception:
        conn.send(("error", 500, "the dump could not be written; see the server's log"))


class Dumps:
    """The dump files of one served store (module docstring). A store in memory (tests) has no
    process of its own to read it: its dumps are written by a thread of the server."""

    def __init__(self, store: AnyStore, version: str, *, concurrency: int = 1, timeout: float = 600.0,
                 memory: int = 1024 * 2**20):
        self.store, self.timeout, self.memory = store, timeout, memory
        self.spec: tuple[str, Any] | None = None
        if store.path is not None:
            self.spec = ("local", str(store.path))
            root = Path(f"{store.path}.dumps")
            self.temporary = False
        else:
            if hasattr(store, "endpoint"):
                self.spec = ("remote", store.endpoint)
            root = Path(tempfile.mkdtemp(prefix="mandato-dumps-"))
            self.temporary = True
        self.root, self.directory = root, root / version
        self.slots = asyncio.Semaphore(concurrency)
        self.making: dict[str, asyncio.Lock] = {}
        self._clear_others()

    def _clear_others(self) -> None:
        """Remove the dumps of other versions of the dataset, and parts of dumps left unfinished."""
        with contextlib.suppress(OSError):
            for old in self.root.iterdir():
                if old != self.directory:
                    shutil.rmtree(old, ignore_errors=True)
            for part in self.directory.glob(".*.part"):
                part.unlink(missing_ok=True)

    def close(self) -> None:
        if self.temporary:
            shutil.rmtree(self.root, ignore_errors=True)

    async def file(self, fmt: str, graph: str | None) -> Path:
        """The dump's file, made first if it is not made yet. A remote store may change while
        served: its dump is made again for each request, unless made while the request waited."""
        which = "all" if graph is None else hashlib.sha256(graph.encode()).hexdigest()[:20]
        target = self.directory / f"{which}.{EXTENSIONS[fmt]}"
        asked = time.time()
        if target.is_file() and not self.temporary:
            return target
        lock = self.making.setdefault(target.name, asyncio.Lock())
        async with lock:  # one process per dump: the others wait for its file
            if not target.is_file() or (self.temporary and target.stat().st_mtime < asked):
                async with self.slots:
                    await run_in_threadpool(self._make, fmt, graph, target)
        return target

    def _make(self, fmt: str, graph: str | None, target: Path) -> None:
        """Start the dump's process and wait for it, within the time and memory limits. (A thread
        that waits for the process to end: a worker dies with the thread that started it.)"""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DumpFailed(f"cannot keep dumps in {self.directory} ({exc.strerror})") from None
        if self.spec is None:
            from mandato.export import export

            with replaced_atomically(target) as fh:
                export(self.store, fmt, fh, graph)
            return
        ctx = mp.get_context("spawn")
        receiving, sending = ctx.Pipe(duplex=False)
        process = ctx.Process(target=_write, args=(self.spec, fmt, graph, str(target), sending), daemon=True)
        process.start()
        sending.close()
        deadline = time.monotonic() + self.timeout
        try:
            while not receiving.poll(POLL):
                if not process.is_alive():
                    raise DumpFailed("the dump's process stopped before it finished; see the server's log")
                if time.monotonic() > deadline:
                    raise DumpFailed(f"the dump took longer than {self.timeout:g} s and was stopped")
                if rss(process.pid or 0) > self.memory:
                    raise DumpFailed(f"the dump needed more than {self.memory // 2**20} MiB and was stopped")
            kind, status, message = receiving.recv()
        except EOFError:
            raise DumpFailed("the dump's process stopped before it finished; see the server's log") from None
        finally:
            receiving.close()
            if process.is_alive():
                process.kill()
            process.join(5)
            for part in self.directory.glob(f".{target.name}.*.part"):  # left by a process stopped
                part.unlink(missing_ok=True)
        if kind == "error":
            error = MandatoError(message)
            error.status = status  # as the dump's process said (406: RDF/XML cannot carry a value, ...)
            raise error

