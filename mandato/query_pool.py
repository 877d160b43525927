"""SPARQL queries in worker processes, so that a runaway query can really be stopped.

Oxigraph's ``Store.query`` has no time limit, and a Python thread cannot be stopped; a query that
aggregates a cartesian product computes before it yields anything. Each worker is a separate
process (``spawn``) with its own read-only handle on the store; a query that passes the time
limit has its worker killed and replaced, and the caller gets :class:`QueryTimeout`. The server
keeps answering on the other workers. A result over the row limit is an error, never a silent
truncation.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from mandato.errors import MandatoError
from mandato.results import Boolean, Table, Triples


class QueryTimeout(MandatoError):
    status = 503


class QueryTooLarge(MandatoError):
    status = 400


class QueryRejected(MandatoError):
    status = 400


def check_size(size: int, max_rows: int) -> None:
    """The row limit of the SPARQL endpoint: over it is an error, never a silent truncation."""
    if size > max_rows:
        raise QueryTooLarge(f"the query returns more than {max_rows} results; add a LIMIT or narrow it")


# -- terms across the process boundary ------------------------------------------------------

def _encode(term: Any) -> tuple | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("u", term.value)
    if isinstance(term, ox.BlankNode):
        return ("b", term.value)
    if isinstance(term, ox.Literal):
        return ("l", term.value, term.datatype.value, term.language)
    return ("t", _encode(term.subject), _encode(term.predicate), _encode(term.object))


def _decode(data: tuple | None) -> Any:
    if data is None:
        return None
    kind = data[0]
    if kind == "u":
        return ox.NamedNode(data[1])
    if kind == "b":
        return ox.BlankNode(data[1])
    if kind == "l":
        _, value, datatype, language = data
        return ox.Literal(value, language=language) if language else ox.Literal(value, datatype=ox.NamedNode(datatype))
    return ox.Triple(_decode(data[1]), _decode(data[2]), _decode(data[3]))


def _worker(conn: Connection, path: str) -> None:
    store = ox.Store.read_only(path)
    while True:
        try:
            text, max_rows = conn.recv()
        except EOFError:
            return
        try:
            result = store.query(text, use_default_graph_as_union=True)
            if isinstance(result, ox.QueryBoolean):
                conn.send(("ask", bool(result)))
            elif isinstance(result, ox.QuerySolutions):
                columns = [v.value for v in result.variables]
                rows = []
                for solution in result:
                    rows.append([_encode(solution[c]) for c in columns])
                    if len(rows) > max_rows:
                        break
                conn.send(("rows", columns, rows))
            else:
                triples = []
                for t in result:
                    triples.append(_encode(t))
                    if len(triples) > max_rows:
                        break
                conn.send(("triples", triples))
        except SyntaxError as exc:
            conn.send(("error", "the query is not valid SPARQL: " + str(exc).splitlines()[0][:300]))
        except Exception:
            conn.send(("error", "the query could not be evaluated"))


# -- the pool ----------------------------------------------------------------------------------

class _Handle:
    def __init__(self, ctx: Any, path: Path):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(child, str(path)), daemon=True)
        self.process.start()
        child.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryPool:
    """A fixed number of worker processes over the store at ``path``."""

    def __init__(self, path: Path, workers: int = 2, timeout: float = 10.0, max_rows: int = 10_000):
        self.path, self.timeout, self.max_rows = path, timeout, max_rows
        self._ctx = mp.get_context("spawn")
        self._idle: queue.Queue[_Handle] = queue.Queue()
        self._all: set[_Handle] = set()
        self._lock = threading.Lock()
        for _ in range(workers):
            self._add()

    def _add(self) -> None:
        handle = _Handle(self._ctx, self.path)
        with self._lock:
            self._all.add(handle)
        self._idle.put(handle)

    def close(self) -> None:
        with self._lock:
            handles, self._all = list(self._all), set()
        for h in handles:
            h.kill()

    def run(self, text: str) -> Table | Triples | Boolean:
        try:
            handle = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise QueryTimeout(
                f"every query worker is busy; try again in a moment (limit {self.timeout:g} s)") from None
        try:
            handle.conn.send((text, self.max_rows))
            if not handle.conn.poll(self.timeout):
                raise TimeoutError
            answer = handle.conn.recv()
        except (TimeoutError, EOFError, OSError, BrokenPipeError):
            with self._lock:
                self._all.discard(handle)
            handle.kill()
            self._add()
            raise QueryTimeout(f"the query ran past the time limit of {self.timeout:g} s and was stopped") from None
        self._idle.put(handle)
        return self._result(answer)

    def _result(self, answer: tuple) -> Table | Triples | Boolean:
        kind = answer[0]
        if kind == "error":
            raise QueryRejected(answer[1])
        if kind == "ask":
            return Boolean(answer[1])
        items = answer[2] if kind == "rows" else answer[1]
        check_size(len(items), self.max_rows)
        if kind == "rows":
            return Table(answer[1], [[_decode(t) for t in row] for row in items])
        return Triples([_decode(t) for t in items])
