"""What every answer of the server shares, as one pure ASGI middleware (no ``BaseHTTPMiddleware``:
it costs a task and a copy per request): limits on the request, HEAD and OPTIONS, the ETag of
the dataset's version, and the security and caching headers.

- A SPARQL query from a client the query pool would refuse at once (its share is taken) gets its
  429 here, before routing. A client that comes back before the ``Retry-After`` of its last 429
  gets its next 429 after a pause (a tarpit: an awaiting coroutine, no CPU), so clients that
  ignore ``Retry-After`` cannot keep the server busy refusing them.
- A path holding a control character is not found (Starlette's router would match ``/id/x%0A``
  as ``/id/x``); a query string or body over its limit is refused (414, 413), a body without a
  declared length included, and so is a body that does not arrive within ``body_timeout`` (408).
- HEAD is answered as GET without the body; OPTIONS (other than a CORS preflight, which
  :class:`starlette.middleware.cors.CORSMiddleware` answers) gives 204 with ``Allow``.
- GET answers carry an ETag tied to the dataset's version (the store cannot change while served),
  the Accept header and the cookies (a page's language), and ``Vary: Accept, Cookie``;
  ``If-None-Match`` gives 304.
- Every answer carries ``X-Content-Type-Options: nosniff``, a frame policy, a referrer policy and a
  Content Security Policy (the interactive API page, started by an inline script, gets a wider one;
  a page for people that sets its own keeps it).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mandato.errors import MandatoError

from .http import error_body, error_response

CSP = "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
# The OpenAPI page: Swagger UI bundled in the package (api/static), started by an inline script.
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
DOCS_PATHS = ("/docs",)
TARPIT = 1.0  # seconds before a refusal to a client that did not wait its Retry-After
REFUSED_KEPT = 10_000  # clients whose last refusal is remembered (oldest forgotten first)
VARY = "Accept, Cookie"  # a page's language may come from its cookie (api.pages)
SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"no-referrer")]


class Guard:
    def __init__(self, app: ASGIApp, *, version: str, max_query_string: int, max_body: int, routes: list[Any],
                 refusal: Callable[[str], MandatoError | None] = lambda _client: None, body_timeout: float = 10.0):
        self.app, self.version, self.routes, self.refusal = app, version, routes, refusal
        self.max_query_string, self.max_body, self.body_timeout = max_query_string, max_body, body_timeout
        self.refused: OrderedDict[str, float] = OrderedDict()  # client: when its Retry-After ends

    def _allowed(self, scope: Scope) -> list[str]:
        methods: set[str] = set()
        for route in self.routes:
            match, _ = route.matches({**scope, "method": "GET"})
            if match != Match.NONE:
                methods |= set(getattr(route, "methods", None) or ())
        if "GET" in methods:
            methods.add("HEAD")
        return sorted(methods | {"OPTIONS"}) if methods else []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        docs = path.startswith(DOCS_PATHS)
        extra = [*SECURITY_HEADERS, (b"content-security-policy", (DOCS_CSP if docs else CSP).encode())]
        client = scope["client"][0] if scope.get("client") else "-"

        async def reply(response: Response) -> None:
            response.raw_headers += extra
            if response.status_code == 429:
                await self._tarpit(client, response.raw_headers)
            await response(scope, receive, send)

        if path == "/sparql" and (refused := self.refusal(client)):
            await reply(error_response(refused))
            return
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in path):
            await reply(error_body(404, "no resource at a path holding a control character"))
            return
        if len(scope.get("query_string", b"")) > self.max_query_string:
            await reply(error_body(414, f"the query string is longer than {self.max_query_string} bytes"))
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await reply(error_body(413, f"the request body is larger than {self.max_body} bytes"))
            return
        method = scope["method"]
        if method == "OPTIONS":
            allowed = self._allowed(scope)
            if not allowed:
                await reply(error_body(404, f"no resource at {path}"))
                return
            await reply(Response(status_code=204, headers={"Allow": ", ".join(allowed)}))
            return
        if method not in ("GET", "HEAD"):
            try:
                async with asyncio.timeout(self.body_timeout):
                    body = await self._body(receive)
            except TimeoutError:  # the rest of the body may still come: the connection is closed
                late = error_body(408, f"the request body did not arrive within {self.body_timeout:g} s")
                late.headers["Connection"] = "close"
                await reply(late)
                return
            if body is None:
                await reply(error_body(413, f"the request body is larger than {self.max_body} bytes"))
                return
            receive = _replay(body)
        head = method == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}
        tag = None
        if scope["method"] == "GET":
            tag = '"' + hashlib.sha256(
                f"{self.version}|{path}|{scope.get('query_string', b'').decode('latin-1')}|"
                f"{headers.get('accept', '')}|{headers.get('cookie', '')}".encode()).hexdigest()[:24] + '"'
            if tag in [t.strip() for t in headers.get("if-none-match", "").split(",")]:
                await reply(Response(status_code=304, headers={"ETag": tag, "Vary": VARY}))
                return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                if message["status"] == 429:
                    await self._tarpit(client, message.get("headers", []))
                own = message.get("headers", [])
                # A page sets its own Content-Security-Policy (api.pages): it is kept, and where it
                # lets other sites frame the page (a reconciliation preview), X-Frame-Options goes.
                policy = next((v for k, v in own if k.lower() == b"content-security-policy"), None)
                if policy is not None:
                    framed = b"frame-ancestors *" in policy
                    out = [*own, *(h for h in SECURITY_HEADERS if not (framed and h[0] == b"x-frame-options"))]
                else:
                    out = [*own, *extra]
                if scope["method"] == "GET":
                    out.append((b"vary", VARY.encode()))
                    if message["status"] == 200 and tag is not None:
                        out += [(b"etag", tag.encode()), (b"cache-control", b"public, max-age=300")]
                message = {**message, "headers": out}
            elif message["type"] == "http.response.body" and head:
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _tarpit(self, client: str, headers: list[tuple[bytes, bytes]]) -> None:
        """Before a 429: pause if the client is back before its last Retry-After ended."""
        if self.refused.get(client, 0.0) > time.monotonic():
            await asyncio.sleep(TARPIT)
        retry = next((float(v) for k, v in headers if k.lower() == b"retry-after" and v.isdigit()), 1.0)
        self.refused[client] = time.monotonic() + retry
        self.refused.move_to_end(client)
        while len(self.refused) > REFUSED_KEPT:
            self.refused.popitem(last=False)

    async def _body(self, receive: Receive) -> bytes | None:
        """The request body, or None when it passes the limit (also without Content-Length)."""
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive
