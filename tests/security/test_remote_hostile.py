"""A hostile or broken remote store never takes mandato down (issue 34, "remote answers"): a real
HTTP server on loopback stands in for the SPARQL endpoint, answers every query from a copy of the
corpus, and answers the queries a test picks with a hostile body instead: an RDF/XML document of
nested entities (billion laughs), a DTD in Turtle, a boolean that is a string, columns other than
the query's, a media type not asked for, a drip of one byte a second, more bytes than the cap.
Each is a clear error naming the endpoint (exit 2 on the command line, 502 from the server, which
goes on answering), never a traceback, a hang or a crash. docs/remote-stores.md states the limits.

The command line runs in a subprocess with an address-space limit: the billion laughs, once
parsed, abort the process (an allocation failure Python cannot catch), and a hang must end in a
failure of the test, not of the run."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pyoxigraph as ox
import pytest

from conftest import MANDATO
from mandato.endpoint import Endpoint
from mandato.query_text import query_form
from mandato.remote import RemoteError, RemoteStore

SRJ = "application/sparql-results+json"
DRIP = 25  # bytes a dripping answer sends, one a second, before it gives up (a hang ends in a failure)
DEADLINE = 2.0  # seconds: MANDATO_ENDPOINT_TIMEOUT where a test drips
CAP = 100_000  # bytes: MANDATO_ENDPOINT_MAX_BYTES where a test sends more
FINDING_COUNTS = "?findings"  # in the text of the saved query finding-counts (no parameters: one query)


def laughs(levels: int = 9) -> bytes:
    """About 1 KB of RDF/XML whose one literal expands to 3 * 10**levels bytes."""
    names = ["lol"] + [f"lol{i}" for i in range(1, levels + 1)]
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY {name} "{f"&{below};" * 10}">' for below, name in itertools.pairwise(names)]
    return ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(entities) + "\n]>\n"
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">'
            f'<rdf:Description rdf:about="http://example.org/a"><ex:p>&{names[-1]};</ex:p></rdf:Description>'
            "</rdf:RDF>\n").encode()


class Remote:
    """A SPARQL endpoint (and Graph Store) over ``data``; :meth:`hostile` picks the requests it
    answers with a hostile body: those of one kind (select, ask, construct, put) whose query holds
    ``target``."""

    def __init__(self, data: ox.Store):
        self.data = data
        self.mode: str | None = None
        self.kind = ""
        self.target = ""
        remote = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                remote.answer(self, self.rfile.read(int(self.headers.get("Content-Length", 0))))

            def do_PUT(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                remote.answer(self, None)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.url = self.base + "/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def hostile(self, mode: str | None, kind: str = "", target: str = "") -> None:
        self.mode, self.kind, self.target = mode, kind, target

    def answer(self, handler: BaseHTTPRequestHandler, body: bytes | None) -> None:
        if body is None:
            kind, query = "put", ""
            status, media, content = 204, "text/plain", b""
        else:
            query = parse_qs(body.decode())["query"][0]
            kind = query_form(query) or "select"
            status, media, content = 200, *self.evaluate(query)
        if self.mode is None or kind != self.kind or self.target not in query:
            return send(handler, status, media, content)
        if kind == "put":
            status, media, content = 200, "text/plain", b"stored\n" * 10
        mode = self.mode
        if mode == "laughs":
            return send(handler, 200, "application/rdf+xml", laughs())
        if mode == "doctype":  # valid Turtle: the DTD is a comment and a literal
            return send(handler, 200, "text/turtle", b'# <!DOCTYPE x [ <!ENTITY a "aaaa"> ]>\n'
                        b'<http://example.org/a> <http://example.org/p> "<!DOCTYPE x>" .\n' + content)
        if mode == "string-boolean":
            return send(handler, 200, SRJ, b'{"head":{},"boolean":"false"}')
        if mode == "html":  # the right body, under a media type not asked for
            return send(handler, 200, "text/html", content)
        if mode in ("missing-column", "stray-binding", "duplicate-vars", "bad-name"):
            data = json.loads(content)
            head = data["head"]["vars"]
            last = head[-1]
            if mode == "duplicate-vars":
                head.append(head[0])
            elif mode == "bad-name":
                head[-1] = "a b"
            else:  # the last column left out of the head (and, missing, of every row)
                head.remove(last)
            if mode == "missing-column":
                for row in data["results"]["bindings"]:
                    row.pop(last, None)
            return send(handler, 200, media, json.dumps(data).encode())
        if mode == "drip":
            return send(handler, status, media, content, drip_body=True)
        if mode == "drip-head":
            return send(handler, status, media, content, drip_head=True)
        if mode in ("large", "large-unsized"):
            padded = content + b" " * (CAP * 2)  # JSON, Turtle and text take trailing white space
            return send(handler, status, media, padded, sized=mode == "large")
        raise AssertionError(mode)

    def evaluate(self, query: str) -> tuple[str, bytes]:
        result = self.data.query(query, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryTriples):
            return "application/n-triples", result.serialize(format=ox.RdfFormat.N_TRIPLES) or b""
        return SRJ, result.serialize(format=ox.QueryResultsFormat.JSON) or b""

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def send(handler: BaseHTTPRequestHandler, status: int, media: str, content: bytes, sized: bool = True,
         drip_body: bool = False, drip_head: bool = False) -> None:
    head = f"HTTP/1.0 {status} OK\r\nContent-Type: {media}\r\n"
    if sized:
        head += f"Content-Length: {len(content)}\r\n"
    head_bytes = (head + "\r\n").encode()
    try:
        if drip_head:
            for byte in head_bytes[:DRIP]:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
                time.sleep(1)
            return
        handler.wfile.write(head_bytes)
        handler.wfile.flush()
        if drip_body:
            for byte in content[:DRIP]:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
                time.sleep(1)
            return
        handler.wfile.write(content)
    except OSError:  # the client hung up, as it should
        pass


@pytest.fixture(scope="module")
def remote(corpus_store):
    data = ox.Store()
    data.extend(ox.parse(corpus_store.dump(ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS))
    server = Remote(data)
    yield server
    server.close()


@pytest.fixture
def hostile(remote):
    yield remote.hostile
    remote.hostile(None)


# The command's address space is limited (before it starts, without preexec_fn: the test's own
# threads serve the remote), so that a parser expanding entities fails at 2 GiB, not later.
LIMITED = ("import os, resource, sys; resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30)); "
           "os.execv(sys.argv[1], sys.argv[1:])")


def mandato(remote: Remote, tmp_path: Path, *args: str, timeout: float = 60,
            **env: str) -> tuple[int, str, str, float]:
    """The real command line over ``remote``, in a subprocess: (exit code, stdout, stderr, seconds)."""
    environ = {**os.environ, "MANDATO_ENDPOINT_RETRIES": "0", "MANDATO_ENDPOINT_TIMEOUT": "20", **env}
    started = time.monotonic()
    try:
        out = subprocess.run([sys.executable, "-c", LIMITED, MANDATO, "--endpoint", remote.url,
                              "--store", str(tmp_path / "no-store"), *args],
                             capture_output=True, text=True, env=environ, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"mandato {' '.join(args)} was still waiting for the remote store after {timeout} s")
    return out.returncode, out.stdout, out.stderr, time.monotonic() - started


def assert_refused(result: tuple[int, str, str, float], remote: Remote, *says: str) -> None:
    code, _, err, _ = result
    assert code == 2, f"exit {code}; stderr: {err[-2000:]}"
    assert "Traceback" not in err and remote.url in err, err
    for words in says:
        assert words in err, err


def test_the_remote_answers_right_when_not_hostile(remote, tmp_path):
    """The stand-in endpoint is a fair one: every command below works on it while it is."""
    code, out, err, _ = mandato(remote, tmp_path, "query", "instrument-graph", "-p", "instrument=C182")
    assert code == 0 and "C182" in out, err
    code, out, err, _ = mandato(remote, tmp_path, "query", "finding-counts", "--format", "csv")
    assert code == 0 and out.startswith("source,code,findings,source_iri,file"), err


def test_billion_laughs_in_rdf_xml_are_refused_unparsed(remote, hostile, tmp_path):
    hostile("laughs", "construct")
    result = mandato(remote, tmp_path, "query", "instrument-graph", "-p", "instrument=C182")
    assert result[0] in (0, 1, 2), f"the process died (exit {result[0]}): {result[2][-600:]}"
    assert_refused(result, remote, "application/rdf+xml")


def test_a_dtd_in_turtle_is_refused(remote, hostile, tmp_path):
    hostile("doctype", "construct")
    assert_refused(mandato(remote, tmp_path, "query", "instrument-graph", "-p", "instrument=C182"), remote,
                   "DOCTYPE")


def test_a_boolean_that_is_a_string_is_refused(remote, hostile, tmp_path):
    """``"false"`` is not false, nor true: the parameter lang=en is checked with an ASK."""
    hostile("string-boolean", "ask")
    assert_refused(mandato(remote, tmp_path, "query", "plans", "-p", "lang=en"), remote, "boolean")


@pytest.mark.parametrize(("mode", "says"), [("missing-column", "file"), ("stray-binding", "file"),
                                            ("duplicate-vars", "more than once")])
def test_columns_other_than_the_querys_are_refused(remote, hostile, tmp_path, mode, says):
    hostile(mode, "select", FINDING_COUNTS)
    assert_refused(mandato(remote, tmp_path, "query", "finding-counts"), remote, says)


def test_a_media_type_not_asked_for_is_refused(remote, hostile, tmp_path):
    hostile("html", "select", FINDING_COUNTS)
    assert_refused(mandato(remote, tmp_path, "query", "finding-counts"), remote, "text/html")


@pytest.mark.parametrize("mode", ["drip", "drip-head"])
def test_a_dripping_answer_ends_at_the_deadline(remote, hostile, tmp_path, mode):
    hostile(mode, "select", FINDING_COUNTS)
    result = mandato(remote, tmp_path, "query", "finding-counts", timeout=DRIP + 15,
                     MANDATO_ENDPOINT_TIMEOUT=str(DEADLINE))
    assert_refused(result, remote, f"within {DEADLINE:g} s")
    assert result[3] < DEADLINE + 4, f"{result[3]:.1f} s"  # the command's own start-up included


@pytest.mark.parametrize("mode", ["drip", "drip-head"])
def test_the_deadline_is_for_the_whole_answer(remote, hostile, mode):
    """One byte a second, each in time for a time-out per read, past a 2 s deadline: about 2 s."""
    hostile(mode, "select", FINDING_COUNTS)
    store = RemoteStore(Endpoint(remote.url, timeout=DEADLINE, retries=0))
    started = time.monotonic()
    with pytest.raises(RemoteError) as info:
        store.select("SELECT ?source ?code ?findings ?source_iri ?file WHERE { ?source ?code ?findings }")
    took = time.monotonic() - started
    assert f"no answer within {DEADLINE:g} s" in str(info.value) and remote.url in str(info.value)
    assert DEADLINE - 0.2 < took < DEADLINE + 1, f"{took:.1f} s"


@pytest.mark.parametrize("mode", ["large", "large-unsized"])
def test_an_answer_past_the_byte_cap_is_refused(remote, hostile, tmp_path, mode):
    hostile(mode, "select", FINDING_COUNTS)
    assert_refused(mandato(remote, tmp_path, "query", "finding-counts", MANDATO_ENDPOINT_MAX_BYTES=str(CAP)),
                   remote, f"more than {CAP} bytes", "MANDATO_ENDPOINT_MAX_BYTES")


@pytest.mark.parametrize("mode", ["drip", "large", "large-unsized"])
def test_a_push_reads_the_stores_answer_within_the_same_bounds(remote, hostile, monkeypatch, mode):
    hostile(mode, "put")
    monkeypatch.setenv("MANDATO_ENDPOINT_MAX_BYTES", "100")
    store = RemoteStore(Endpoint(remote.url, graph_store=remote.base + "/store", timeout=DEADLINE, retries=0))
    started = time.monotonic()
    with pytest.raises(RemoteError) as info:
        store.put_graph("https://w3id.org/mandato/graph/x", b"<https://a> <https://b> <https://c> .\n")
    assert remote.base in str(info.value)
    assert time.monotonic() - started < DEADLINE + 1
    assert (f"within {DEADLINE:g} s" if mode == "drip" else "more than 100 bytes") in str(info.value)


@pytest.mark.parametrize(("mode", "kind", "query"), [
    ("string-boolean", "ask", "ASK { ?s ?p ?o }"),
    ("duplicate-vars", "select", "SELECT ?s ?p WHERE { ?s ?p ?o } LIMIT 2"),
    ("stray-binding", "select", "SELECT * WHERE { ?s ?p ?o } LIMIT 2"),  # SELECT *: only the head to check against
    ("bad-name", "select", "SELECT * WHERE { ?s ?p ?o } LIMIT 2"),
    ("html", "select", "SELECT ?s ?p WHERE { ?s ?p ?o } LIMIT 2"),
    ("drip", "select", "SELECT ?s ?p WHERE { ?s ?p ?o } LIMIT 2"),
    ("large", "select", "SELECT ?s ?p WHERE { ?s ?p ?o } LIMIT 2"),
])
def test_the_server_answers_502_and_stays_up(remote, hostile, monkeypatch, mode, kind, query):
    from fastapi.testclient import TestClient

    from mandato.api.app import create_app
    from mandato.api.http import Settings

    monkeypatch.setenv("MANDATO_ENDPOINT_MAX_BYTES", str(CAP))
    store = RemoteStore(Endpoint(remote.url, timeout=10, retries=0))
    with TestClient(create_app(store, Settings(sparql_timeout=DEADLINE)), raise_server_exceptions=False) as client:
        hostile(mode, kind)
        started = time.monotonic()
        r = client.get("/sparql", params={"query": query}, headers={"Accept": SRJ})
        assert time.monotonic() - started < DEADLINE + 1.5
        assert r.status_code == 502, r.text
        body = r.json()
        assert body["ok"] is False and body["status"] == 502 and remote.url in body["error"], body
        assert "Traceback" not in r.text
        hostile(None)
        r = client.get("/sparql", params={"query": query}, headers={"Accept": SRJ})
        assert r.status_code == 200, r.text
        assert r.json()["boolean"] is True if kind == "ask" else len(r.json()["results"]["bindings"]) == 2
