"""A small bounded, thread-safe LRU map for per-process memos of pure functions.

Entries are values computed from their key alone (plus process-wide data loaded once); a caller that keys by
an object's identity stores that object in the value, so the id cannot be reused while the entry lives."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any


class BoundedMemo:
    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Any) -> Any:
        """The value under `key`, or None."""
        found = self._items.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
        return found

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
