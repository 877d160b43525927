"""Remote answers accepted short (hardening, items 5 and 7): a real `oxigraph serve` behind a real
HTTP proxy that shortens, cuts, caps or mangles its answers. A short answer is an error naming
what is wrong, never a result; a store that caps rows is read page by page; no traceback."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from test_remote import OxigraphServer

from mandato.digests import serialized
from mandato.namespaces import REGISTRY_GRAPH, source_graph
from mandato.remote import RemoteStore, push
from mandato.store import Store

CAP = 10_000  # rows, as Virtuoso's default ResultSetMaxRows


class Proxy:
    def __init__(self, upstream: str):
        self.mode = "pass"
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept")}
                r = httpx.post(upstream + self.path, content=body, headers=headers, timeout=30)
                content, extra = proxy.mangle(r.content, body)
                self.send_response(r.status_code)
                self.send_header("Content-Type", r.headers.get("content-type", "application/octet-stream"))
                length = len(content) + (100 if proxy.mode == "cut" else 0)  # "cut": promises more than it sends
                self.send_header("Content-Length", str(length))
                for k, v in extra.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(content)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/query"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def mangle(self, content: bytes, request: bytes) -> tuple[bytes, dict[str, str]]:
        if not content.startswith(b"{"):
            return content, {}
        data = json.loads(content)
        rows = data.get("results", {}).get("bindings")
        if self.mode == "lying" and rows is not None and b"OFFSET" in request:
            data["results"]["bindings"] = []  # the count says more than any page gives
        elif self.mode in ("short", "lying") and rows and len(rows) > 1:
            data["results"]["bindings"] = rows[: len(rows) // 2]
        elif self.mode == "cap" and rows is not None and len(rows) > CAP:
            data["results"]["bindings"] = rows[:CAP]  # silently, as Virtuoso's ResultSetMaxRows
        elif self.mode == "no-head":
            data.pop("head", None)
        elif self.mode == "no-type" and rows:
            rows[0] = {k: {"value": v["value"]} for k, v in rows[0].items()}
        elif self.mode == "partial":
            return content, {"X-SPARQL-MaxRows": "10000"}
        return json.dumps(data).encode(), {}

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def served(corpus_store) -> Store:
    """What the remote store holds: the reference data and one source, more rows than CAP (the
    whole corpus only makes each page slower to sort)."""
    store = Store(None)
    names = [str(REGISTRY_GRAPH), str(source_graph("pe-plan-nacional-trata-2017-2021"))]
    store.replace_graphs({name: serialized(name, corpus_store.graph(name)) for name in names})
    return store


@pytest.fixture(scope="module")
def proxy(tmp_path_factory, served):
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph-proxy") / "data").start()
    push(served, RemoteStore(server.endpoint()))
    p = Proxy(server.base)
    yield p
    p.close()
    server.stop()


@pytest.mark.parametrize("mode, says", [("lying", "counted"), ("cut", "cut short"), ("partial", "partial answer"),
                                        ("no-head", "not well-formed"), ("no-type", "not well-formed")])
def test_a_short_or_broken_remote_answer_is_an_error(cli, proxy, tmp_path, mode, says):
    proxy.mode = mode
    out = tmp_path / "dump.nq"
    code, _, err = cli("--endpoint", proxy.url, "export", "--format", "nquads", "-o", out)
    assert code == 2 and says in err and "Traceback" not in err
    assert not out.exists() or out.stat().st_size == 0


@pytest.mark.parametrize("mode", ["cap", "short"])
def test_a_store_that_caps_or_shortens_rows_is_read_page_by_page_to_the_count(cli, proxy, served, tmp_path, mode):
    proxy.mode = mode
    out = tmp_path / "dump.nq"
    code, _, err = cli("--endpoint", proxy.url, "export", "--format", "nquads", "-o", out)
    assert code == 0, err
    assert out.read_bytes().count(b"\n") == len(served) > CAP
