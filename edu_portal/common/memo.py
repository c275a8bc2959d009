"""What a process builds once and reuses while what it depends on is the same (STYLE: small files).

Page parts built from constants and a few choices (a language, the current menu entry, the filters chosen), and
reads keyed by a version that a change replaces. Per process, not shared: nothing here is ever out of date, only
kept under a key that is no longer asked for.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Kept(Generic[T]):
    """At most `limit` values by key, emptied when full: the keys are few in practice (languages × roles ×
    pages...), the bound is against a spread nobody foresaw. None is never kept (it means "build")."""

    def __init__(self, limit: int = 512) -> None:
        self.limit, self.entries = limit, {}

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        value = self.entries.get(key)
        if value is None:
            if len(self.entries) >= self.limit:
                self.entries.clear()
            value = self.entries[key] = build()
        return value

    def clear(self) -> None:
        self.entries.clear()
