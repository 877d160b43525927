"""Remote triplestores: any SPARQL 1.1 Query/Update/Graph Store endpoint (Oxigraph server, Apache
Jena Fuseki, GraphDB, Virtuoso, QLever, Amazon Neptune) in place of the embedded store.

Queries go through SPARQLWrapper; loads go one named graph at a time through the SPARQL 1.1 Graph
Store HTTP Protocol (``PUT …?graph=<iri>``, which replaces that graph atomically), or, for
servers without it, through one SPARQL Update request per graph (``DROP SILENT GRAPH`` then
``INSERT DATA``). Transient failures (connection errors, time-outs, 502/503/504) are retried a
bounded number of times with exponential back-off; every other failure is a clear error. Answers
are parsed completely, so a truncated body is an error, never a partial result, and a store's own
signals of a partial answer (a row cap, a query past its time) are errors too. Credentials come
from the environment only: ``MANDATO_ENDPOINT_TOKEN`` (bearer) or ``MANDATO_ENDPOINT_USER`` and
``MANDATO_ENDPOINT_PASSWORD`` (Basic or Digest, as the server asks: :class:`AnyAuth`).

Saved queries expect the server to query the union of the named graphs by default:
``oxigraph serve --union-default-graph``, Fuseki's ``tdb2:unionDefaultGraph true``, Virtuoso as
installed. Saved queries pin their parameters in a form every tested engine reads alike
(:func:`mandato.catalogue.inject_values`). docs/remote-stores.md says what each engine needs and
what was measured.
"""

from __future__ import annotations

import hashlib
import html
import http.client
import json
import os
import re
import time
import urllib.error
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import httpx
import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef

from mandato.catalogue import inject_values
from mandato.endpoint import Endpoint
from mandato.errors import MandatoError
from mandato.namespaces import GRAPH
from mandato.results import Boolean, Queryable, Result, Table, Triples, serialized
from mandato.store import Dataset, Store
from mandato.terms import to_sparql

TRANSIENT = {502, 503, 504}
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
        raise RemoteError(f"{what} at {url} failed after {self.endpoint.retries + 1} tries: {problem}")

    def _http(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}

        def attempt() -> httpx.Response:
            try:
                r = httpx.request(method, url, headers=headers, auth=self.credentials, timeout=self.endpoint.timeout,
                                  **kwargs)
            except httpx.ConnectError as exc:
                raise _Transient(f"cannot connect ({exc})") from None
            except httpx.TimeoutException:
                raise _Transient(f"no answer within {self.endpoint.timeout:g} s") from None
            except httpx.TransportError as exc:
                raise _Transient(f"the connection failed ({exc})") from None
            if r.status_code in TRANSIENT:
                raise _Transient(f"HTTP {r.status_code}: {_summary(r.text)}")
            if r.status_code >= 400:
                raise RemoteError(f"{url} refused the request: HTTP {r.status_code} {_summary(r.text)}")
            return r

        return self._retrying(f"{method} request", url, attempt)

    def run(self, sparql: str, dataset: Dataset | None = None) -> Result:
        """Run a query through SPARQLWrapper (over ``dataset`` if given: the protocol's
        ``default-graph-uri`` and ``named-graph-uri``) and parse the whole answer."""
        from SPARQLWrapper import BASIC, DIGEST, JSON, POST, TURTLE, SPARQLWrapper  # imported when queried
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        url = self.endpoint.query
        client = SPARQLWrapper(url)
        client.setMethod(POST)
        # Whole-line comments go: the endpoint does not need them, and SPARQLWrapper guesses the
        # query form from the text with them (a header saying "creates" read as CREATE, an update).
        client.setQuery("\n".join(line for line in sparql.splitlines() if not line.lstrip().startswith("#")))
        client.setTimeout(int(self.endpoint.timeout))
        for name, value in self.headers.items():
            client.addCustomHttpHeader(name, value)
        if self.credentials is not None:
            scheme = self._scheme(url)
            if scheme != "none":
                client.setHTTPAuth(DIGEST if scheme == "digest" else BASIC)
                client.setCredentials(self.credentials.user, self.credentials.password)
        if dataset is not None:
            for name in dataset.default:
                client.addDefaultGraph(name)
            for name in dataset.named:
                client.addNamedGraph(name)
        graph = client.queryType in ("CONSTRUCT", "DESCRIBE")
        # The answer's format by the Accept header alone: with a format= parameter as well (SPARQLWrapper's
        # default), Virtuoso answers 406 when the two disagree. Graphs in N-Triples first: Virtuoso's
        # Turtle writes a decimal with an integral value as a bare integer ("100"^^xsd:decimal as 100).
        client.setOnlyConneg(True)
        client.setReturnFormat(TURTLE if graph else JSON)
        if graph:
            client.addCustomHttpHeader("Accept", "application/n-triples, text/turtle;q=0.9")
        media = ""

        def attempt() -> bytes:
            nonlocal media
            try:
                response = client.query().response
                _check_complete(url, response.status, response.headers)
                media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
                return response.read()
            except http.client.HTTPException as exc:  # IncompleteRead: shorter than Content-Length
                raise RemoteError(f"{url} sent an answer cut short ({type(exc).__name__}); nothing was kept") from None
            except urllib.error.HTTPError as exc:
                body = exc.read().decode("utf-8", errors="replace")
                if exc.code in TRANSIENT:
                    raise _Transient(f"HTTP {exc.code}: {_summary(body)}") from None
                raise RemoteError(f"{url} refused the query: HTTP {exc.code} {_summary(body)}") from None
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
                raise _Transient(f"cannot reach the endpoint ({getattr(exc, 'reason', exc)})") from None
            except SPARQLWrapperException as exc:
                raise RemoteError(f"{url} refused the query: {_summary(str(exc))}") from None

        body = self._retrying("query", url, attempt)
        if graph:
            rdf_format = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.TURTLE
            try:
                return Triples(list(ox.parse(body, format=rdf_format)))
            except SyntaxError:
                raise RemoteError(f"{url} sent an incomplete or broken {rdf_format.name} answer") from None
        try:
            data = json.loads(body)
        except ValueError:
            raise RemoteError(f"{url} sent an incomplete or broken SPARQL JSON answer") from None
        try:
            if "boolean" in data:
                return Boolean(bool(data["boolean"]))
            columns = data["head"]["vars"]
            if client.queryType == "ASK" and columns == ["__ASK_RETVAL"]:  # Virtuoso 7's JSON answer to ASK
                held = data["results"]["bindings"]  # one row (1) when true, none when false
                return Boolean(bool(held) and held[0]["__ASK_RETVAL"]["value"] not in ("0", "false"))
            rows = [[_term(b.get(c)) for c in columns] for b in data["results"]["bindings"]]
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise RemoteError(f"{url} sent a SPARQL JSON answer that is not well-formed ({type(exc).__name__}: "
                              f"{str(exc)[:80]}); expected head.vars and results.bindings, each with a type") from None
        return Table(columns, rows)

    def _scheme(self, url: str) -> str:
        """How ``url`` wants credentials ("basic", "digest", or "none"), from its answer to a first
        request without them (SPARQLWrapper needs to know before it sends)."""
        assert self.credentials is not None
        where = str(httpx.URL(url).copy_with(query=None))
        if self.credentials.wanted(where) is None:  # the cheapest query
            self._http("POST", url, data={"query": "ASK {}"}, headers={"Accept": "application/sparql-results+json"})
        return self.credentials.wanted(where) or "none"

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
