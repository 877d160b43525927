"""The HTTP server of ``mandato serve``: uvicorn with its httptools parser (the faster of its two:
see docs/benchmarks.md), its protocol bounded so that no client can hold the server's memory or
its connections (docs/limits.md):

- a request's head (request line and header fields) is at most ``header_bytes`` bytes and
  ``max_headers`` fields, else 431; it must arrive whole within ``header_timeout`` seconds of the
  connection (or of its first byte, on a kept-alive connection), else 408. The parser keeps at
  most one read past the limit, whatever the client sends;
- at most ``max_connections`` connections are open at once. One more takes the place of the
  connection that has waited longest for its request's head, one that was never answered first
  (408 to that one: a client that holds connections open with half-sent requests loses them to
  those that send theirs, and kept-alive clients keep theirs); else, when every connection is busy
  with a request, it is answered 503 and closed.

The body's own limits (size, read time) are :class:`api.middleware.Guard`'s, which reads it.
Each refusal is the one JSON error body, with ``Connection: close``.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .http import Settings

LINGER = 1.0  # seconds a refused connection's input is read and dropped before it is closed (below)
DRAINED = 2**20  # bytes of it read and dropped at most; then it is no longer read
REASONS = {408: b"Request Timeout", 431: b"Request Header Fields Too Large", 503: b"Service Unavailable"}


class _Refused(Exception):
    """Raised in a parser callback to stop reading a request the limits refuse."""


class BoundedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol with the limits of the module docstring."""

    settings: Settings  # set by :func:`bounded_protocol`

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.refusal: tuple[int, str] | None = None
        self.head: int | None = 0  # bytes of the current request's head received; None once it is whole
        self.head_exact = 0  # bytes of its request target and fields, as parsed
        self.fields = 0
        self.head_timer: asyncio.TimerHandle | None = None
        self.draining, self.drained = False, 0
        self.waiting_since = time.monotonic()  # since when the current request's head is awaited
        self.served = 0  # answers sent on this connection
        active = sum(not getattr(c, "draining", False) for c in self.connections)
        if active > self.settings.max_connections and not self._evict():
            self.refuse(503, f"the server has {self.settings.max_connections} connections open; try again later")
            return
        self._start_head_timer()

    def _evict(self) -> bool:
        """Make room by refusing the connection that has waited longest for a request's head."""
        waiting = [c for c in self.connections if isinstance(c, BoundedHttpTools) and c is not self
                   and c.awaits_head]
        if not waiting:
            return False
        oldest = min(waiting, key=lambda c: (c.served > 0, c.waiting_since))  # kept-alive clients last
        oldest.refuse(408, "the server needed this connection: the request's header fields had not arrived")
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def _start_head_timer(self) -> None:
        if self.head_timer is None:
            self.head_timer = self.loop.call_later(self.settings.header_timeout, self._head_late)

    def _stop_head_timer(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def _head_late(self) -> None:
        self.head_timer = None
        if self.head is not None and not self.transport.is_closing():
            self.refuse(408, f"the request's header fields did not arrive within {self.settings.header_timeout:g} s")

    def data_received(self, data: bytes) -> None:
        if self.draining:
            self.drained += len(data)
            if self.drained > DRAINED:  # enough: the client's sending now blocks until the close
                self.transport.pause_reading()
            return
        if self.transport.is_closing():
            return
        if self.head is not None:
            self._start_head_timer()  # a new request on a kept-alive connection
            self.head += len(data)
        super().data_received(data)
        # Still in the head after this read: the parser holds it all, so it is bounded here.
        if self.head is not None and self.head > self.settings.header_bytes and not self.transport.is_closing():
            self.refuse(431, self._too_large())

    def _too_large(self) -> str:
        return f"the request's header fields are larger than {self.settings.header_bytes} bytes"

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.head_exact, self.fields = 0, 0

    def on_url(self, url: bytes) -> None:
        self.head_exact += len(url)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self.fields += 1
        self.head_exact += len(name) + len(value) + 4
        if self.fields > self.settings.max_headers:
            self.refusal = (431, f"the request has more than {self.settings.max_headers} header fields")
            raise _Refused
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        if self.head_exact > self.settings.header_bytes:
            self.refusal = (431, self._too_large())
            raise _Refused
        self._stop_head_timer()
        self.head = None
        super().on_headers_complete()

    @property
    def awaits_head(self) -> bool:
        """Whether the connection waits for a request's head, no request of it being answered."""
        return (self.head is not None and not self.draining
                and (self.cycle is None or self.cycle.response_complete))

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self.head = 0  # the next request's head may follow on this connection

    def on_response_complete(self) -> None:
        self.waiting_since, self.served = time.monotonic(), self.served + 1
        super().on_response_complete()

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to what its parser refuses; a refusal of ours raised in a parser
        callback reaches here too, and gets its own status."""
        if self.refusal is not None:
            self.refuse(*self.refusal)
        else:
            self.refuse(400, "the request is not valid HTTP/1.1")

    def refuse(self, status: int, message: str) -> None:
        """Answer ``status`` with the one error body, and close the connection: after a moment of
        reading and dropping what the client still sends, since a socket closed with input unread
        sends a reset that can destroy the answer before the client reads it."""
        self._stop_head_timer()
        body = json.dumps({"ok": False, "error": message, "errors": [], "status": status}).encode()
        reason = REASONS.get(status, b"Bad Request")
        head = [b"HTTP/1.1 %d %s" % (status, reason), b"content-type: application/json",
                b"content-length: %d" % len(body), b"connection: close", b"x-content-type-options: nosniff"]
        head += [b"%s: %s" % pair for pair in self.server_state.default_headers]
        self.transport.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
        self.head, self.draining = None, True
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER, self.transport.close)


def bounded_protocol(settings: Settings) -> type[BoundedHttpTools]:
    """The protocol class uvicorn makes for each connection, holding ``settings``."""
    return type("MandatoHttp", (BoundedHttpTools,), {"settings": settings})


def run(app: Any, settings: Settings, host: str, port: int, access_log: bool) -> None:
    """Serve ``app`` until stopped (SIGINT or SIGTERM)."""
    import uvicorn

    # A line per request costs a third of the throughput of a cached answer: opt in. No route is a
    # WebSocket, so none of uvicorn's WebSocket protocols is imported.
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=access_log, ws="none",
                http=bounded_protocol(settings), timeout_keep_alive=int(settings.keep_alive),
                backlog=max(2 * settings.max_connections, 128))
