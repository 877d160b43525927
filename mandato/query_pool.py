"""SPARQL queries of the public endpoint in worker processes, with limits that hold end to end and
a fair share of the workers for every client.

Oxigraph's ``Store.query`` has no time limit, and a Python thread cannot be stopped; a query that
aggregates a cartesian product computes before it yields anything. So each query runs in a
separate process (``spawn``) with its own read-only handle on the store, and the process also
renders the answer: the time limit, the row limit and the **byte** limit cover evaluation and
rendering, and only finished bytes cross to the server. While a query runs, the server watches
its worker's resident memory; a worker over its time or memory limit is killed and replaced, and
the client gets 503. Workers run at a lower CPU priority (``nice``) than the server, so saved
queries and the event loop keep answering while workers compute, and they die with the server
(:mod:`mandato.processes`).

Scheduling (all on the server's event loop, so no locks):

- a client (its address) has at most ``per_client`` queries running or waiting; more is 429;
- at most ``queue`` requests wait; when the queue is full, the newest waiter of the client with
  most waiting gives its place up (429) to a client with fewer, else the newcomer gets 429 with
  ``Retry-After``; a free worker goes to the waiting request whose client has the fewest queries
  running, then to the oldest;
- ``workers`` general workers, plus ``fast_workers`` reserved for short queries: a query goes to a
  fast worker only when no general worker is free, and may run there for ``fast_limit`` seconds;
  past that its worker is replaced, its shape (the text with literals, IRIs, variable names and
  numbers blanked) is remembered as slow, its client may not use the fast lane for a while, and it
  goes back to wait for a general worker with the time it has left. So a cheap query (``ASK {}``)
  answers at once while runaway queries hold every general worker;
- a query that kills its worker (the process dies under it) counts against its client's share
  for ``CRASH_PENALTY`` seconds, as if still running, and its shape is refused at once for as long,
  from any client: a crash costs a worker's restart, so it cannot be looped. So does a query the
  endpoint refuses before it runs because it would kill its worker (:meth:`QueryPool.charge`). Spare workers,
  started beforehand, take a dead worker's place at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import multiprocessing as mp
import os
import re
import threading
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from mandato.errors import MandatoError
from mandato.processes import die_with_parent, rss
from mandato.results import Boolean, Table, Triples, render
from mandato.store import Dataset, merged, query_store

GENERAL_NICE, FAST_NICE = 10, 5  # added to the server's niceness: workers yield the CPU to it
SLOW_SHAPES = 4096  # shapes of queries seen to be slow, kept (least recently seen out first)
PENALTY = 10.0  # seconds a client whose query overran the fast lane stays out of it
CRASH_PENALTY = 60.0  # seconds a query that killed its worker counts against its client, and its shape is refused
POLL = 0.05  # seconds between checks of a running worker's memory
MAX_FAILED_STARTS = 5  # workers dying as they start, in a row, before the pool gives up


class QueryTimeout(MandatoError):
    status = 503
    retry_after = 5


class QueryOverMemory(MandatoError):
    status = 503
    retry_after = 5


class WorkersDown(MandatoError):
    status = 503
    retry_after = 30


class Busy(MandatoError):
    """Too many queries of this client, or too many waiting: try again later."""

    status = 429
    retry_after = 2


class QueryTooLarge(MandatoError):
    status = 400


@dataclass(frozen=True)
class Ask:
    """One query as a worker runs it: its text, the format of its answer, the dataset the request
    names (None: the query's own, else the merge of the named graphs) and the base of its IRIs."""

    text: str
    fmt: str
    dataset: Dataset | None = None
    base: str | None = None


class QueryRejected(MandatoError):
    status = 400


def check_size(size: int, max_rows: int) -> None:
    """The row limit of the SPARQL endpoint: over it is an error, never a silent truncation."""
    if size > max_rows:
        raise QueryTooLarge(f"the query returns more than {max_rows} results; add a LIMIT or narrow it")


def check_bytes(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise QueryTooLarge(f"the answer is larger than {max_bytes} bytes; ask for fewer or shorter values")


# -- the worker process ------------------------------------------------------------------------

def _size(term: Any) -> int:
    if isinstance(term, ox.Triple):
        return _size(term.subject) + _size(term.predicate) + _size(term.object)
    return 0 if term is None else len(term.value)


def _evaluate(store: ox.Store, ask: Ask, max_rows: int, max_bytes: int, is_merged: bool) -> bytes:
    result = query_store(store, ask.text, is_merged, ask.dataset, ask.base)
    fmt = ask.fmt
    size = 0
    if isinstance(result, ox.QueryBoolean):
        return render(Boolean(bool(result)), fmt)
    if isinstance(result, ox.QuerySolutions):
        columns = [v.value for v in result.variables]
        rows = []
        for solution in result:
            row = [solution[c] for c in columns]
            size += sum(_size(t) for t in row)
            check_bytes(size, max_bytes)
            rows.append(row)
            check_size(len(rows), max_rows)
        body = render(Table(columns, rows), fmt)
    else:
        triples = []
        for t in result:
            size += _size(t)
            check_bytes(size, max_bytes)
            triples.append(t)
            check_size(len(triples), max_rows)
        body = render(Triples(triples), fmt)
    check_bytes(len(body), max_bytes)
    return body


def _worker(conn: Connection, path: str, nice: int) -> None:
    die_with_parent()
    os.nice(nice)
    store = ox.Store.read_only(path)
    is_merged = merged(store)
    conn.send(("ready",))
    while True:
        try:
            ask, max_rows, max_bytes = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", _evaluate(store, ask, max_rows, max_bytes, is_merged)))
        except MandatoError as exc:
            conn.send(("error", (exc.status, str(exc))))
        except SyntaxError as exc:
            conn.send(("error", (400, "the query is not valid SPARQL: " + str(exc).splitlines()[0][:300])))
        except Exception:
            conn.send(("error", (400, "the query could not be evaluated")))


# -- the pool ----------------------------------------------------------------------------------

class _Handle:
    def __init__(self, ctx: Any, path: Path, lane: str):
        self.lane = lane
        self.conn, child = ctx.Pipe()
        nice = GENERAL_NICE if lane == "general" else FAST_NICE
        self.process = ctx.Process(target=_worker, args=(child, str(path), nice), daemon=True)
        self.process.start()
        child.close()
        self.ready = False

    def rss(self) -> int:
        return rss(self.process.pid)

    def kill(self, wait: bool = True) -> None:
        """Stop the worker. The kernel may take a while to free a large worker's memory: without
        ``wait`` the process is reaped by a thread, so the server's event loop goes on at once."""
        self.process.kill()
        self.conn.close()
        if wait:
            self.process.join(5)
        else:
            threading.Thread(target=self.process.join, args=(30,), daemon=True).start()


@dataclass(eq=False)
class _Waiter:
    client: str
    shape: str
    seq: int
    future: asyncio.Future = field(repr=False)


class _Overtime(Exception):
    pass


class _OverMemory(Exception):
    pass


class _Crashed(Exception):
    pass


BLANKS = re.compile(r"<[^<>\s]*>|\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|[?$]\w+|\b\d+(?:\.\d+)?\b|#[^\n]*")


def shape(text: str) -> str:
    """The query with what a client can vary for free (literals, IRIs, variable names, numbers,
    comments, spacing) blanked: copies of a runaway query share one shape."""
    return hashlib.sha1(" ".join(BLANKS.sub("_", text).split()).upper().encode()).hexdigest()


class QueryPool:
    """Worker processes over the store at ``path``; see the module's docstring."""

    def __init__(self, path: Path, workers: int = 2, timeout: float = 10.0, max_rows: int = 10_000, *,
                 max_bytes: int = 16 * 2**20, memory: int = 512 * 2**20, fast_workers: int = 2,
                 fast_limit: float = 0.5, per_client: int = 4, queue: int = 16):
        self.path, self.timeout, self.max_rows, self.max_bytes = path, timeout, max_rows, max_bytes
        self.memory, self.fast_limit, self.per_client, self.queue = memory, fast_limit, per_client, queue
        self._ctx = mp.get_context("spawn")
        self._idle: dict[str, list[_Handle]] = {"general": [], "fast": []}
        self._spares: list[_Handle] = []  # started, waiting to replace a killed worker
        self._all: set[_Handle] = set()
        self._waiters: list[_Waiter] = []
        self._running: dict[str, int] = {}
        self._pending: dict[str, int] = {}
        self._slow: OrderedDict[str, None] = OrderedDict()
        self._penalty: dict[str, float] = {}
        self._crashes: dict[str, list[float]] = {}  # client: when each of its crashes stops counting
        self._crashed: OrderedDict[str, float] = OrderedDict()  # shape: until when it is refused
        self._seq = itertools.count()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._failed_starts = 0
        for lane, n in (("general", workers), ("fast", fast_workers), ("spare", 1)):
            for _ in range(n):
                self._spawn(lane)

    # -- workers -------------------------------------------------------------------------------

    def _spawn(self, lane: str) -> None:
        handle = _Handle(self._ctx, self.path, lane)
        self._all.add(handle)
        if self._loop is not None:
            self._loop.add_reader(handle.conn.fileno(), self._on_ready, handle)

    def _on_ready(self, handle: _Handle) -> None:
        assert self._loop is not None
        self._loop.remove_reader(handle.conn.fileno())
        try:
            handle.conn.recv()
        except (EOFError, OSError):  # it died starting: replace it, a few times in a row at most
            self._failed_starts += 1
            self._all.discard(handle)
            handle.kill()
            if self._failed_starts <= MAX_FAILED_STARTS:
                self._spawn(handle.lane)
            else:
                self._fail_waiters()
            return
        self._failed_starts = 0
        handle.ready = True
        if handle.lane == "spare":
            self._spares.append(handle)
            return
        self._idle[handle.lane].append(handle)
        self._dispatch()

    def _fail_waiters(self) -> None:
        for w in self._waiters:
            if not w.future.done():
                w.future.set_exception(WorkersDown("the query workers cannot start; see the server's log"))
        self._waiters.clear()

    def _attach(self) -> None:
        """On first use, inside the server's event loop: watch the workers still starting."""
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
            for handle in self._all:
                if not handle.ready:
                    self._loop.add_reader(handle.conn.fileno(), self._on_ready, handle)

    def _replace(self, handle: _Handle) -> None:
        """Kill a worker; a spare started beforehand takes its place at once (a new worker takes a
        second or more to start), and a new spare starts."""
        self._all.discard(handle)
        handle.kill(wait=False)
        if self._spares:
            spare = self._spares.pop()
            spare.lane = handle.lane
            with contextlib.suppress(OSError):  # a spare starts at the fast lane's priority
                os.setpriority(os.PRIO_PROCESS, spare.process.pid, os.getpriority(os.PRIO_PROCESS, 0) +
                               (FAST_NICE if spare.lane == "fast" else GENERAL_NICE))
            self._idle[spare.lane].append(spare)
            self._spawn("spare")
        else:
            self._spawn(handle.lane)

    def close(self) -> None:
        handles, self._all = list(self._all), set()
        for h in handles:
            if self._loop is not None and not h.ready:
                with contextlib.suppress(ValueError, OSError, RuntimeError):
                    self._loop.remove_reader(h.conn.fileno())
            h.kill()

    # -- scheduling ----------------------------------------------------------------------------

    def _dispatch(self) -> None:
        """Give every free worker to the waiting request that should have it."""
        for lane in ("general", "fast"):
            while self._idle[lane]:
                candidates = [w for w in self._waiters if not w.future.done() and (
                    lane == "general" or self._may_use_fast(w.client, w.shape))]
                if not candidates:
                    break
                chosen = min(candidates, key=lambda w: (self._running.get(w.client, 0), w.seq))
                self._waiters.remove(chosen)
                chosen.future.set_result(self._idle[lane].pop())

    def _may_use_fast(self, client: str, key: str) -> bool:
        """A shape not seen to be slow, from a client not kept out of the fast lane."""
        return key not in self._slow and self._penalty.get(client, 0.0) <= time.monotonic()

    async def _acquire(self, client: str, key: str, patience: float) -> _Handle:
        # A free worker that no waiting request may take goes to this one at once: a free general
        # worker means nobody waits, a free fast one that nobody waiting may use it.
        if self._idle["general"]:
            return self._idle["general"].pop()
        if self._idle["fast"] and self._may_use_fast(client, key):
            return self._idle["fast"].pop()
        if self._failed_starts > MAX_FAILED_STARTS:
            raise WorkersDown("the query workers cannot start; see the server's log")
        if len(self._waiters) >= self.queue:
            self._make_room(client)
        assert self._loop is not None
        waiter = _Waiter(client, key, next(self._seq), self._loop.create_future())
        self._waiters.append(waiter)
        self._dispatch()
        try:
            return await asyncio.wait_for(asyncio.shield(waiter.future), patience)
        except TimeoutError:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
            if waiter.future.done():  # given a worker just as the wait ended: hand it back
                self._release(waiter.future.result())
            raise QueryTimeout(f"every query worker stayed busy for the time limit of {self.timeout:g} s; "
                               "try again in a moment") from None

    def _make_room(self, client: str) -> None:
        """The queue is full: the newest waiter of the client with most waiters gives up its place,
        if that client has more waiting than this one (one client cannot fill the queue for all)."""
        waiting = Counter(w.client for w in self._waiters if not w.future.done())
        crowd, most = waiting.most_common(1)[0] if waiting else (client, 0)
        if most <= waiting[client] + 1:
            raise Busy(f"{len(self._waiters)} queries are waiting already; try again in a moment")
        evicted = next(w for w in reversed(self._waiters) if w.client == crowd and not w.future.done())
        self._waiters.remove(evicted)
        evicted.future.set_exception(Busy(f"{self.queue} queries are waiting, {most} of them from this client; "
                                          "try again in a moment"))

    def refusal(self, client: str) -> Busy | None:
        """Why a new query of ``client`` would be refused at once, if it would (the server's front
        door asks before routing: a refusal then costs little)."""
        now = time.monotonic()
        crashes = [t for t in self._crashes.get(client, ()) if t > now]
        if crashes:
            self._crashes[client] = crashes
        else:
            self._crashes.pop(client, None)
        if self._pending.get(client, 0) + len(crashes) >= self.per_client:
            why = f", {len(crashes)} of them queries that stopped their worker," if crashes else ""
            return Busy(f"this client has {self.per_client} queries running or waiting already{why}; "
                        "wait for their answers")
        return None

    def charge(self, client: str) -> None:
        """Count a query against its client's share for ``CRASH_PENALTY`` seconds: one that killed
        its worker, or one refused before running because it would (mandato.query_text)."""
        self._crashes.setdefault(client, []).append(time.monotonic() + CRASH_PENALTY)

    def _crash(self, client: str, key: str) -> None:
        """A query killed its worker: it counts against its client, its shape is refused for a while."""
        self.charge(client)
        self._crashed[key] = time.monotonic() + CRASH_PENALTY
        self._crashed.move_to_end(key)
        while len(self._crashed) > SLOW_SHAPES:
            self._crashed.popitem(last=False)

    def _release(self, handle: _Handle) -> None:
        if handle in self._all:
            self._idle[handle.lane].append(handle)
        self._dispatch()

    # -- answering -----------------------------------------------------------------------------

    async def answer(self, text: str, fmt: str, client: str = "-", dataset: Dataset | None = None,
                     base: str | None = None) -> bytes:
        """The query's answer rendered in ``fmt`` (a writer of :func:`mandato.results.render`), over
        ``dataset`` if the request names one, relative IRIs resolved against ``base``."""
        ask = Ask(text, fmt, dataset, base)
        self._attach()
        assert self._loop is not None
        if refused := self.refusal(client):
            raise refused
        key = shape(text)
        if self._crashed.get(key, 0.0) > time.monotonic():
            raise QueryRejected("a query of this shape stopped its worker a moment ago; it cannot be evaluated")
        deadline = time.monotonic() + self.timeout
        self._pending[client] = self._pending.get(client, 0) + 1
        try:
            while True:
                handle = await self._acquire(client, key, max(deadline - time.monotonic(), 0.001))
                budget = deadline - time.monotonic()
                if handle.lane == "fast":
                    budget = min(budget, self.fast_limit)
                self._running[client] = self._running.get(client, 0) + 1
                try:
                    return await self._run(handle, ask, budget)
                except _Crashed:
                    self._crash(client, key)
                    raise QueryRejected("the query stopped its worker; it could not be evaluated") from None
                except _Overtime:
                    if handle.lane == "fast" and time.monotonic() < deadline:
                        self._slow[key] = None  # not for the fast lane: wait for a general worker
                        self._slow.move_to_end(key)
                        while len(self._slow) > SLOW_SHAPES:
                            self._slow.popitem(last=False)
                        self._penalty[client] = time.monotonic() + PENALTY
                        continue
                    raise QueryTimeout(
                        f"the query ran past the time limit of {self.timeout:g} s and was stopped") from None
                finally:
                    self._running[client] -= 1
        finally:
            self._pending[client] -= 1
            if not self._pending[client]:
                self._pending.pop(client)
                self._running.pop(client, None)

    async def _run(self, handle: _Handle, ask: Ask, budget: float) -> bytes:
        assert self._loop is not None
        done = False
        ready = asyncio.Event()
        fd = handle.conn.fileno()
        try:
            handle.conn.send((ask, self.max_rows, self.max_bytes))
            self._loop.add_reader(fd, ready.set)
            stop = time.monotonic() + budget
            while not ready.is_set():
                left = stop - time.monotonic()
                if left <= 0:
                    raise _Overtime
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(ready.wait(), min(left, POLL))
                if not ready.is_set() and handle.rss() > self.memory:
                    raise _OverMemory
            # uvloop's add_reader (uvicorn's loop under `mandato serve`) leaves the pipe non-blocking:
            # an answer larger than the pipe's buffer would then fail half-read. Read it blocking (the
            # worker is writing it now).
            self._loop.remove_reader(fd)
            os.set_blocking(fd, True)
            kind, payload = handle.conn.recv()
            done = True
        except _OverMemory:
            raise QueryOverMemory(f"the query needed more than {self.memory // 2**20} MiB of memory and was "
                                  "stopped; narrow it") from None
        except (EOFError, OSError):
            raise _Crashed from None
        finally:
            with contextlib.suppress(ValueError, OSError):
                self._loop.remove_reader(fd)
            if done:
                self._release(handle)
            else:  # still computing, or dead: replace it
                self._replace(handle)
                self._dispatch()
        if kind == "error":
            error = QueryRejected(payload[1])
            error.status = payload[0]  # as the worker's error said (406 for XML it cannot write, ...)
            raise error
        return payload
