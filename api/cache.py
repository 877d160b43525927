"""Answers kept while the embedded store is served, bounded in bytes (not in count: one large
answer weighs as much as thousands of small ones), least recently used out first. Keys are made
by the caller from what determines the answer (resolved parameters, chosen format), never from raw
header values a client can vary at will."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable


class AnswerCache:
    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.max_item = max_bytes // 16  # a larger answer would evict too much to be worth keeping
        self.size = 0
        self._items: OrderedDict[Hashable, tuple[bytes, str]] = OrderedDict()
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

    def __len__(self) -> int:
        return len(self._items)
