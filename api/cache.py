"""Answers kept while the embedded store is served, bounded in bytes (not in count: one large
answer weighs as much as thousands of small ones), least recently used out first. Keys are made
by the caller from what determines the answer (resolved parameters, chosen format), never from raw
header values a client can vary at will.

A request already answered (the same path, query string and Accept header) is also remembered,
bounded in count, with the key of its answer: :class:`KeptAnswers` gives that answer again before
routing, parameter resolution and validation, which took most of the server's one event-loop
thread (a kept answer under wrk: ~1,500 answers/s through the whole application, ~8,600 so). A
request that varies its text is routed, resolved and then remembered like any other."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

REQUESTS_KEPT = 10_000  # requests remembered with the key of their answer (oldest forgotten first)


class AnswerCache:
    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.max_item = max_bytes // 16  # a larger answer would evict too much to be worth keeping
        self.size = 0
        self._items: OrderedDict[Hashable, tuple[bytes, str]] = OrderedDict()
        self._requests: OrderedDict[Hashable, Hashable] = OrderedDict()  # request: key of its answer
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[bytes, str] | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: Hashable, body: bytes, media: str) -> None:
        if len(body) > self.max_item:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.size -= len(old[0])
            self._items[key] = (body, media)
            self.size += len(body)
            while self.size > self.max_bytes:
                _, (dropped, _) = self._items.popitem(last=False)
                self.size -= len(dropped)

    def remember(self, request: Hashable, key: Hashable) -> None:
        """That ``request`` was answered with the answer kept under ``key``."""
        with self._lock:
            self._requests[request] = key
            self._requests.move_to_end(request)
            while len(self._requests) > REQUESTS_KEPT:
                self._requests.popitem(last=False)

    def answer_to(self, request: Hashable) -> tuple[bytes, str] | None:
        """The kept answer of a request already answered, if it is still kept."""
        key = self._requests.get(request)
        return None if key is None else self.get(key)

    def __len__(self) -> int:
        return len(self._items)


def request_key(scope: Scope) -> tuple[str, bytes, str | None]:
    """What a saved query's answer depends on in the request, as the client sent it (the Accept
    header as the endpoint reads it: the first one)."""
    return scope["path"], scope.get("query_string", b""), Headers(scope=scope).get("accept")


def asks_afresh(headers: Headers) -> bool:
    """HTTP ``Cache-Control: no-cache``: the answer is not to come from a cache."""
    return "no-cache" in headers.get("cache-control", "")


class KeptAnswers:
    """Answers a GET of a saved query (``/queries/NAME``) from the cache when the same request
    was answered before, without routing it; ``Cache-Control: no-cache`` goes through."""

    def __init__(self, app: ASGIApp, *, cache: AnswerCache):
        self.app, self.cache = app, cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] == "http" and scope["method"] == "GET" and scope["path"].startswith("/queries/")
                and not asks_afresh(Headers(scope=scope))
                and (kept := self.cache.answer_to(request_key(scope))) is not None):
            await Response(kept[0], media_type=kept[1])(scope, receive, send)
            return
        await self.app(scope, receive, send)
