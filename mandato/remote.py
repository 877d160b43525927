"""Remote triplestores: any SPARQL 1.1 Query/Update/Graph Store endpoint (Oxigraph server, Apache
Jena Fuseki, GraphDB, Virtuoso, QLever, Amazon Neptune) in place of the embedded store.

Queries and loads go through one HTTP client (httpx). Queries are SPARQL 1.1 Protocol POSTs;
loads go one named graph at a time through the SPARQL 1.1 Graph Store HTTP Protocol
(``PUT …?graph=<iri>``, which replaces that graph atomically), or, for servers without it, through
one SPARQL Update request per graph (``DROP SILENT GRAPH`` then ``INSERT DATA``). Transient
failures (connection errors, time-outs, 502/503/504) are retried a bounded number of times with
exponential back-off; every other failure is a clear error. Answers are parsed completely, so a
truncated body is an error, never a partial result, and a store's own signals of a partial answer
(a row cap, a query past its time) are errors too. Credentials come from the environment only:
``MANDATO_ENDPOINT_TOKEN`` (bearer) or ``MANDATO_ENDPOINT_USER`` and ``MANDATO_ENDPOINT_PASSWORD``
(Basic or Digest, as the server asks: :class:`AnyAuth`).

A remote store's answer is input from elsewhere, held to limits (docs/remote-stores.md, "What a
remote answer is held to"): one deadline for the whole answer (the time-out), not one per read; a
byte cap, checked as the body is read; only the media types asked for (SPARQL JSON for rows and
booleans, N-Triples or Turtle for graphs: parsers that read no DTD), no content coding, and no DTD
or entity declaration anywhere in an answer. No XML is parsed from a remote answer (if one ever
is, through defusedxml). A SPARQL JSON answer must have the query's columns, each once, a value
only for its columns and a boolean that is JSON's ``true`` or ``false``.

Saved queries expect the server to query the union of the named graphs by default:
``oxigraph serve --union-default-graph``, Fuseki's ``tdb2:unionDefaultGraph true``, Virtuoso as
installed. Saved queries pin their parameters in a form every tested engine reads alike
(:func:`mandato.catalogue.inject_values`). docs/remote-stores.md says what each engine needs and
what was measured.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import httpx
import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef

from mandato import __version__
from mandato.catalogue import inject_values
from mandato.endpoint import Endpoint
from mandato.errors import MandatoError
from mandato.namespaces import GRAPH
from mandato.query_text import projection, query_form
from mandato.results import Boolean, Queryable, Result, Table, Triples, serialized
from mandato.store import Dataset, Store
from mandato.terms import to_sparql

TRANSIENT = {502, 503, 504}
# The answers asked for, each read by a parser that reads no DTD and expands no entity. N-Triples
# first: Virtuoso's Turtle writes a decimal with an integral value as a bare integer ("100"^^xsd:decimal as 100).
ROW_MEDIA = ("application/sparql-results+json", "application/json")
GRAPH_MEDIA = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/turtle": ox.RdfFormat.TURTLE}
ROW_ACCEPT = "application/sparql-results+json, application/json;q=0.9"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"
DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
VARNAME = re.compile(r"\w[\w\u00b7\u0300-\u036f\u203f\u2040]*")  # SPARQL 1.1 VARNAME, near enough
ERROR_TEXT = 64 * 1024  # bytes of a refusal read for its message
# mandato's graphs, not the store's own (Virtuoso keeps its system graphs beside them) or other data.
OURS = f'FILTER(STRSTARTS(STR(?g), "{GRAPH}"))'
GRAPHS = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {OURS} }} ORDER BY ?g"
COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {OURS} }}"
QUADS = f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {OURS} }}"


class RemoteError(MandatoError):
    status = 502


HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")  # <p>, </h1>, <a href=...>; not <https://...>


def _summary(text: str) -> str:
    """A server's error text on one line, without HTML tags but with the IRIs it names."""
    return " ".join(html.unescape(HTML_TAG.sub(" ", text)).split())[:300]


class AnyAuth(httpx.Auth):
    """Basic or Digest authentication, as the server's challenge asks (curl's ``--anyauth``): the
    first request to an address goes without credentials, so a password is never sent in clear
    to a server that asks for Digest (Virtuoso's ``/sparql-auth``); the scheme is then kept for
    that address. ``MANDATO_ENDPOINT_AUTH=basic`` (or ``digest``) uses that scheme from the first
    request on, for servers that take Basic but challenge otherwise."""

    SCHEMES = ("any", "basic", "digest")

    def __init__(self, user: str, password: str, scheme: str = "any"):
        self.user, self.password, self.scheme = user, password, scheme
        self.basic = httpx.BasicAuth(user, password)
        self.digest = httpx.DigestAuth(user, password)
        self.schemes: dict[str, str] = {}  # address (without its query string) -> "basic" | "digest" | "none"

    def wanted(self, where: str) -> str | None:
        """The scheme for an address: the one set, else the one its challenge asked (None: not asked yet)."""
        return self.scheme if self.scheme != "any" else self.schemes.get(where)

    def auth_flow(self, request: httpx.Request) -> Any:
        where = str(request.url.copy_with(query=None))
        scheme = self.wanted(where)
        if scheme == "basic":
            yield from self.basic.auth_flow(request)
            return
        if scheme == "digest":
            yield from self.digest.auth_flow(request)
            return
        response = yield request
        challenge = response.headers.get("www-authenticate", "").lower()
        if response.status_code != 401:
            self.schemes[where] = "none"
        elif challenge.startswith("digest"):
            self.schemes[where] = "digest"
            yield from self.digest.auth_flow(request)
        elif challenge.startswith("basic"):
            self.schemes[where] = "basic"
            yield from self.basic.auth_flow(request)


def credentials() -> tuple[dict[str, str], AnyAuth | None]:
    """The headers and authentication the environment gives (module docstring)."""
    token = os.environ.get("MANDATO_ENDPOINT_TOKEN")
    if token:
        return {"Authorization": f"Bearer {token}"}, None
    user = os.environ.get("MANDATO_ENDPOINT_USER")
    if user:
        scheme = os.environ.get("MANDATO_ENDPOINT_AUTH", "any").strip().lower() or "any"
        if scheme not in AnyAuth.SCHEMES:
            raise MandatoError(f"MANDATO_ENDPOINT_AUTH must be one of {', '.join(AnyAuth.SCHEMES)}, not {scheme!r}")
        return {}, AnyAuth(user, os.environ.get("MANDATO_ENDPOINT_PASSWORD", ""), scheme)
    return {}, None


class RemoteStore(Queryable):
    """The store interface of :class:`mandato.store.Store` over a remote SPARQL endpoint."""

    path = None
    pins_values = True  # saved queries' parameters as BIND and FILTER, not VALUES (mandato.catalogue.inject_values)

    def __init__(self, endpoint: Endpoint):
        self.endpoint = endpoint
        self.matchers: dict[str, Any] = {}
        self.headers, self.credentials = credentials()
        # One client for queries and loads. No connection is kept between requests, so that each
        # request's socket is the one its deadline watches (_Deadline); no content coding is asked
        # for, so the byte cap counts the bytes parsed.
        self.client = httpx.Client(headers={"User-Agent": f"mandato/{__version__}", "Accept-Encoding": "identity"},
                                   limits=httpx.Limits(max_keepalive_connections=0),
                                   event_hooks={"response": [self._bounded]})

    # -- transport -----------------------------------------------------------------------------

    def _retrying(self, what: str, url: str, attempt: Callable[[], Any]) -> Any:
        problem = ""
        for n in range(self.endpoint.retries + 1):
            if n:
                time.sleep(self.endpoint.backoff * 2 ** (n - 1))
            try:
                return attempt()
            except _Transient as exc:
                problem = str(exc)
        tries = self.endpoint.retries + 1
        raise RemoteError(f"{what} at {url} failed after {tries} {'try' if tries == 1 else 'tries'}: {problem}")

    def _bounded(self, response: httpx.Response) -> None:
        """Every response, before any of its body is read (httpx's own reads of a 401 included):
        no content coding, and a body of at most ``max_bytes``, refused as it is read past them."""
        url = str(response.request.url.copy_with(query=None))
        coding = response.headers.get("Content-Encoding", "").strip().lower()
        if coding not in ("", "identity"):
            raise RemoteError(f"{url} sent its answer in the content coding {coding!r}, which was not asked for "
                              "(Accept-Encoding: identity); nothing was read")
        cap = self.endpoint.max_bytes
        length = response.headers.get("Content-Length", "").strip()
        if length.isdigit() and int(length) > cap:
            raise _too_large(url, cap)
        response.stream = _Capped(response.stream, cap, url)

    def _exchange(self, method: str, url: str, what: str, accepted: Any = None, whole: bool = True,
                  complete: bool = False, **kwargs: Any) -> tuple[bytearray, str]:
        """One request and its whole answer: (body, media type). The deadline (the endpoint's
        time-out) runs from the request's start with ``whole``, else from the end of the request
        (a load's body may take long to send); ``accepted``: the media types asked for;
        ``complete``: refuse a store's signals of a partial answer (:func:`_check_complete`)."""
        timeout = self.endpoint.timeout
        deadline = _Deadline(timeout, whole)
        headers = {**self.headers, **kwargs.pop("headers", {})}
        reading = False
        body = bytearray()
        try:
            with self.client.stream(method, url, headers=headers, auth=self.credentials, timeout=timeout,
                                    extensions={"trace": deadline.trace}, **kwargs) as r:
                reading = True
                if r.status_code >= 300:
                    summary = _summary(_error_text(r))
                    if r.status_code in TRANSIENT:
                        raise _Transient(f"HTTP {r.status_code}: {summary}")
                    if r.status_code < 400:
                        raise RemoteError(f"{url} answered HTTP {r.status_code} (to {r.headers.get('Location', '?')}"
                                          f"), a redirect mandato does not follow: name the address it gives")
                    raise RemoteError(f"{url} refused the {what}: HTTP {r.status_code} {summary}")
                if complete:
                    _check_complete(url, r.status_code, r.headers)
                media = r.headers.get("Content-Type", "").split(";")[0].strip().lower()
                if accepted is not None and media not in accepted:
                    raise RemoteError(f"{url} answered {media or 'without a media type'}, which was not asked for "
                                      f"(asked for {', '.join(accepted)}); nothing was read")
                for chunk in r.iter_raw():
                    body += chunk
                    if deadline.passed():
                        break
        except httpx.InvalidURL as exc:
            raise RemoteError(f"{url} is not an address mandato can send a {what} to ({exc})") from None
        except (httpx.TransportError, OSError) as exc:
            if deadline.passed() or isinstance(exc, httpx.TimeoutException):
                raise _Transient(deadline.message) from None
            if isinstance(exc, httpx.ConnectError):
                raise _Transient(f"cannot reach the endpoint (cannot connect: {exc})") from None
            if reading and isinstance(exc, httpx.RemoteProtocolError):
                raise RemoteError(f"{url} sent an answer cut short ({exc}); nothing was kept") from None
            raise _Transient(f"cannot reach the endpoint (the connection failed: {str(exc) or type(exc).__name__})") \
                from None
        finally:
            deadline.cancel()
        if deadline.passed():  # an answer that ends with its connection ends early when the deadline shuts it
            raise _Transient(deadline.message)
        return body, media

    def _http(self, method: str, url: str, **kwargs: Any) -> bytearray:
        """A request other than a query (a load); its answer is read within the same bounds."""
        return self._retrying(f"{method} request", url,
                              lambda: self._exchange(method, url, "request", whole=False, **kwargs)[0])

    def run(self, sparql: str, dataset: Dataset | None = None) -> Result:
        """Run a query (over ``dataset`` if given: the protocol's ``default-graph-uri`` and
        ``named-graph-uri``) and parse the whole answer, checked against the query."""
        url = self.endpoint.query
        # Whole-line comments go: the endpoint does not need them.
        text = "\n".join(line for line in sparql.splitlines() if not line.lstrip().startswith("#"))
        form = query_form(text)
        graph = form in ("construct", "describe")
        data: dict[str, Any] = {"query": text}
        if dataset is not None:
            data["default-graph-uri"] = list(dataset.default)
            data["named-graph-uri"] = list(dataset.named)
        # The answer's format by the Accept header alone: with a format= parameter as well, Virtuoso
        # answers 406 when the two disagree.
        accept = GRAPH_ACCEPT if graph else ROW_ACCEPT
        accepted = tuple(GRAPH_MEDIA) if graph else ROW_MEDIA
        body, media = self._retrying("query", url, lambda: self._exchange(
            "POST", url, "query", accepted=accepted, complete=True, data=data, headers={"Accept": accept}))
        if DTD.search(body):
            raise RemoteError(f"{url} sent an answer holding a DTD or an entity declaration (<!DOCTYPE, <!ENTITY), "
                              "which mandato never reads; nothing was kept")
        if graph:
            rdf_format = GRAPH_MEDIA[media]
            try:
                return Triples(list(ox.parse(body, format=rdf_format)))
            except (SyntaxError, ValueError):
                raise RemoteError(f"{url} sent an incomplete or broken {rdf_format.name} answer") from None
        return _solutions(url, body, form, projection(text) if form == "select" else None)

    # -- the store interface --------------------------------------------------------------------

    def named_graphs(self) -> list[str]:
        return [str(r["g"]) for r in self.select(GRAPHS).records()]

    def graph(self, name: str) -> Graph:
        """One named graph, read as its quads are (counted, page by page past a row cap: Virtuoso
        cuts a CONSTRUCT at its cap without saying so)."""
        g = Graph()
        g.parse(data=ox.serialize([q.triple for q in self.quads(name)], format=ox.RdfFormat.N_TRIPLES), format="nt")
        return g

    def __len__(self) -> int:
        return int(self.select(COUNT).records()[0]["n"] or 0)

    def quads(self, graph: str | None = None) -> list[ox.Quad]:
        """Every quad (of one named graph), counted first and checked against the count: a store
        that caps its answers (Virtuoso: 10,000 rows) is read page by page in a stable order, and
        an answer shorter than the count is an error, never a silently short dump."""
        bound: dict[str, URIRef | Literal] = {} if graph is None else {"g": URIRef(graph)}
        expected = int(self.select(inject_values(COUNT, bound) if bound else COUNT).records()[0]["n"] or 0)
        quads = inject_values(QUADS, bound) if bound else QUADS
        try:
            rows: list[list[Any]] = self.select(quads).rows
            page = len(rows) if len(rows) < expected else 0  # a cap the store did not announce
        except Capped as capped:
            rows, page = [], max(capped.rows - 1, 1)  # a page of exactly the cap is flagged too
        if page:  # page through with the cap as the page size, in a stable order
            rows = []
            # The order inside a subquery, the pages outside: Virtuoso refuses a sorted page that
            # ends past its MaxSortedTopRows (10,000), not a sorted subquery paged from outside.
            ordered = "SELECT ?g ?s ?p ?o WHERE {{ {{ {} ORDER BY ?g ?s ?p ?o }} }} LIMIT {} OFFSET {}"
            while len(rows) < expected:
                chunk = self.select(ordered.format(quads, page, len(rows))).rows
                if not chunk:
                    break
                rows += chunk
        if len(rows) != expected:
            raise RemoteError(f"{self.endpoint.query} counted {expected} quads but sent {len(rows)}; the dump "
                              "would be incomplete, so nothing was written")
        return [ox.Quad(s, p, o, g) for g, s, p, o in rows]

    def dump(self, rdf_format: ox.RdfFormat, graph: str | None = None, prefixes: dict[str, str] | None = None) -> bytes:
        quads = self.quads(graph)
        if rdf_format.supports_datasets:
            return serialized(quads, rdf_format, prefixes)
        return serialized(list(dict.fromkeys(q.triple for q in quads)), rdf_format, prefixes)

    def put_graph(self, name: str, ntriples: bytes) -> None:
        """Replace one named graph: Graph Store Protocol PUT, else one SPARQL Update request."""
        if self.endpoint.graph_store:
            self._http("PUT", self.endpoint.graph_store, params={"graph": name}, content=ntriples,
                       headers={"Content-Type": "application/n-triples"})
            return
        update_url = self.endpoint.update or self.endpoint.query
        graph = to_sparql(URIRef(name))  # refuses an IRI that could change the update's text
        # Blank nodes: INSERT DATA may hold them (SPARQL 1.1 Update §3.1.1), but Virtuoso refuses
        # them there; a template with an empty WHERE makes the same fresh nodes on every store.
        insert = "INSERT {" if b"_:" in ntriples else "INSERT DATA {"
        where = b" WHERE {}" if b"_:" in ntriples else b""
        body = f"DROP SILENT GRAPH {graph} ;\n{insert} GRAPH {graph} {{\n".encode() + ntriples + b"\n} }" + where
        self._http("POST", update_url, content=body, headers={"Content-Type": "application/sparql-update"})



class _Transient(Exception):
    """A failure worth another try."""


class Capped(RemoteError):
    """The store sent the first ``rows`` rows of the answer and said so (Virtuoso's row cap)."""

    def __init__(self, message: str, rows: int):
        super().__init__(message)
        self.rows = rows


def _check_complete(url: str, status: int, headers: Any) -> None:
    """A store's own signals of a partial answer: HTTP 206, Virtuoso's row cap and SQL state."""
    if status == 206 or headers.get("X-SPARQL-MaxRows") or headers.get("X-SQL-State"):
        signal = f"HTTP {status}" if status == 206 else ", ".join(
            f"{h}: {headers.get(h)}" for h in ("X-SPARQL-MaxRows", "X-SQL-State") if headers.get(h))
        message = (f"{url} sent a partial answer ({signal}): the store capped or cut it short; "
                   "raise its limits (Virtuoso: ResultSetMaxRows, MaxQueryExecutionTime)")
        cap = headers.get("X-SPARQL-MaxRows")
        if status != 206 and cap and cap.isdigit() and not headers.get("X-SQL-State"):
            raise Capped(message, int(cap))
        raise RemoteError(message)


class _Deadline:
    """One deadline for a whole answer: a watchdog that shuts the request's socket when it passes,
    so that a read waiting on a server that sends a byte now and then ends then, not at the next
    byte (a time-out per read never would). The socket is the one httpcore reports connecting
    (its ``trace`` extension); the watch starts at once, or (``whole`` false) when the request has
    been sent."""

    def __init__(self, seconds: float, whole: bool = True):
        self.seconds = seconds
        self.expired = False
        self.at: float | None = None
        self.streams: list[Any] = []
        self.lock = threading.Lock()
        self.timer: threading.Timer | None = None
        self.message = f"no answer within {seconds:g} s (the whole answer, from the request to its last byte)"
        if whole:
            self.start()
        else:
            self.message = f"no answer within {seconds:g} s (the whole answer, once the request was sent)"

    def start(self) -> None:
        self.at = time.monotonic() + self.seconds
        self.timer = threading.Timer(self.seconds, self.expire)
        self.timer.daemon = True
        self.timer.start()

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event.endswith((".connect_tcp.complete", ".start_tls.complete")):
            with self.lock:
                self.streams.append(info.get("return_value"))
                expired = self.expired
            if expired:
                self.expire()
        elif event == "http11.receive_response_headers.started" and self.timer is None:
            self.start()

    def expire(self) -> None:
        with self.lock:
            self.expired = True
            streams = list(self.streams)
        for stream in streams:
            sock = stream.get_extra_info("socket") if stream is not None else None
            if isinstance(sock, socket.socket):
                with contextlib.suppress(OSError):  # the plain socket's shutdown, also under TLS
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)  # a blocked read returns at once

    def passed(self) -> bool:
        return self.expired or (self.at is not None and time.monotonic() >= self.at)

    def cancel(self) -> None:
        if self.timer is not None:
            self.timer.cancel()


class _Capped(httpx.SyncByteStream):
    """A response body that raises once it has given more than ``cap`` bytes."""

    def __init__(self, stream: Any, cap: int, url: str):
        self.stream, self.cap, self.url = stream, cap, url

    def __iter__(self) -> Iterator[bytes]:
        seen = 0
        for chunk in self.stream:
            seen += len(chunk)
            if seen > self.cap:
                raise _too_large(self.url, self.cap)
            yield chunk

    def close(self) -> None:
        self.stream.close()


def _too_large(url: str, cap: int) -> RemoteError:
    return RemoteError(f"{url} sent more than {cap} bytes, the most one answer may hold "
                       "(MANDATO_ENDPOINT_MAX_BYTES); nothing was kept")


def _error_text(response: httpx.Response) -> str:
    """The start of a refusal's text, for its message (at most ERROR_TEXT bytes are read)."""
    text = bytearray()
    try:
        for chunk in response.iter_raw():
            text += chunk
            if len(text) >= ERROR_TEXT:
                break
    except RemoteError:  # longer than the cap: the start is enough
        pass
    return text[:ERROR_TEXT].decode("utf-8", errors="replace")


def _solutions(url: str, body: bytearray, form: str | None, projected: list[str] | None) -> Table | Boolean:
    """A SPARQL JSON answer, checked: a boolean is JSON's true or false; the columns are the
    query's (``projected``, when its text says), each once and each a variable name; a row has
    values for its columns only."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise RemoteError(f"{url} sent an incomplete or broken SPARQL JSON answer") from None
    if isinstance(data, dict) and "boolean" in data:
        if form == "select":
            raise RemoteError(f"{url} answered a SELECT query with a boolean, not rows")
        if not isinstance(data["boolean"], bool):
            raise RemoteError(f"{url} sent a boolean that is not JSON's true or false: "
                              f"{json.dumps(data['boolean'])[:60]}")
        return Boolean(data["boolean"])
    try:
        columns = data["head"]["vars"]
        bindings = data["results"]["bindings"]
        if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
            raise TypeError("head.vars is not a list of names")
        if not isinstance(bindings, list) or not all(isinstance(b, dict) for b in bindings):
            raise TypeError("results.bindings is not a list of objects")
    except (KeyError, TypeError) as exc:
        raise RemoteError(f"{url} sent a SPARQL JSON answer that is not well-formed ({type(exc).__name__}: "
                          f"{str(exc)[:80]}); expected head.vars and results.bindings, each with a type") from None
    if form == "ask" and columns == ["__ASK_RETVAL"] and len(bindings) <= 1:  # Virtuoso 7's JSON answer to ASK
        held = bindings  # one row (1) when true, none when false
        try:
            return Boolean(bool(held) and held[0]["__ASK_RETVAL"]["value"] not in ("0", "false"))
        except (KeyError, TypeError):
            raise RemoteError(f"{url} sent a SPARQL JSON answer to ASK that is not well-formed") from None
    if form == "ask":
        raise RemoteError(f"{url} answered an ASK query with rows, not a boolean")
    seen: set[str] = set()
    for c in columns:
        if not VARNAME.fullmatch(c):
            raise RemoteError(f"{url} sent a column name that is not a SPARQL variable name: {c[:60]!r}")
        if c in seen:
            raise RemoteError(f"{url} sent the column ?{c} more than once")
        seen.add(c)
    if projected is not None and seen != set(projected):
        missing, extra = [c for c in projected if c not in seen], [c for c in columns if c not in projected]
        raise RemoteError(f"{url} answered with the columns {' '.join('?' + c for c in columns) or '(none)'}, not the "
                          f"query's {' '.join('?' + c for c in projected)}"
                          + (f"; missing {' '.join('?' + c for c in missing)}" if missing else "")
                          + (f"; not asked for {' '.join('?' + c for c in extra)}" if extra else ""))
    if projected is not None:
        columns = list(dict.fromkeys(projected))
    for b in bindings:
        stray = [k for k in b if k not in seen]
        if stray:
            raise RemoteError(f"{url} sent a value for ?{stray[0][:60]}, which is not a column of its answer "
                              "(head.vars)")
    try:
        rows = [[_term(b.get(c)) for c in columns] for b in bindings]
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise RemoteError(f"{url} sent a SPARQL JSON answer that is not well-formed ({type(exc).__name__}: "
                          f"{str(exc)[:80]}); expected head.vars and results.bindings, each with a type") from None
    return Table(columns, rows)


def _term(b: dict[str, str] | None) -> Any:
    if b is None:
        return None
    kind = b["type"]
    if kind not in ("uri", "bnode", "literal", "typed-literal"):
        raise ValueError(f"binding type {kind!r}")
    if kind == "uri":
        return ox.NamedNode(b["value"])
    if kind == "bnode":
        return _blank(b["value"])
    if "xml:lang" in b:
        return ox.Literal(b["value"], language=b["xml:lang"])
    if "datatype" in b:
        return ox.Literal(b["value"], datatype=ox.NamedNode(b["datatype"]))
    return ox.Literal(b["value"])


BLANK_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def _blank(label: str) -> ox.BlankNode:
    """A blank node of a store's answer. Labels that are not valid blank node names (Virtuoso's
    ``nodeID://b10006``) become one, the same label always the same node, so pages of one answer
    still join."""
    if BLANK_ID.fullmatch(label) and not label.endswith("."):
        return ox.BlankNode(label)
    return ox.BlankNode("r" + hashlib.blake2b(label.encode(), digest_size=12).hexdigest())


AnyStore = Store | RemoteStore  # the embedded store or a remote SPARQL endpoint


def push(local: Any, remote: RemoteStore, progress: Callable[[str], None] | None = None) -> list[tuple[str, int]]:
    """Load every named graph of ``local`` into ``remote``, one graph at a time; re-running it
    is idempotent and completes a push that was interrupted half-way."""
    say = progress or (lambda _m: None)
    graphs = local.named_graphs()
    done = []
    for i, name in enumerate(graphs, start=1):
        data = local.dump(ox.RdfFormat.N_TRIPLES, graph=name)
        triples = data.count(b"\n")
        say(f"[{i}/{len(graphs)}] {name} ({triples} triples)")
        remote.put_graph(name, data)
        done.append((name, triples))
    return done


class RemoteRunner:
    """The SPARQL endpoint's runner over a remote store: the HTTP time-out stops the wait (the
    server may go on computing: set its own time-out too), and rows or bytes over the limit are
    an error."""

    def __init__(self, store: RemoteStore, timeout: float, max_rows: int, max_bytes: int = 16 * 2**20):
        self.store = RemoteStore(replace(store.endpoint, timeout=timeout, retries=0))
        self.max_rows, self.max_bytes = max_rows, max_bytes

    def run(self, text: str, dataset: Dataset | None = None, base: str | None = None) -> Result:
        from mandato.query_pool import check_size

        # The remote store would resolve the query's relative IRIs against its own address.
        result = self.store.run(f"BASE <{base}>\n{text}" if base else text, dataset)
        size = len(result.rows) if isinstance(result, Table) else len(result.triples) \
            if isinstance(result, Triples) else 0
        check_size(size, self.max_rows)
        return result

    async def answer(self, text: str, fmt: str, client: str = "-", dataset: Dataset | None = None,
                     base: str | None = None) -> bytes:
        """The answer rendered in ``fmt``, as :meth:`mandato.query_pool.QueryPool.answer` gives it."""
        from starlette.concurrency import run_in_threadpool

        from mandato.query_pool import check_bytes
        from mandato.results import render

        body = render(await run_in_threadpool(self.run, text, dataset, base), fmt)
        check_bytes(len(body), self.max_bytes)
        return body

    def refusal(self, client: str) -> None:
        """No share per client here: the remote store applies its own limits."""
        return None

    def charge(self, client: str) -> None:
        """No share to count a query against (:meth:`refusal`)."""

    def close(self) -> None:
        """Nothing to stop: no worker processes."""
