"""Paddle-shaped IDs for the fake: a prefix, then 26 characters that sort in creation order."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Final

__all__ = ["new_id_generator", "now_us"]

# Crockford's base32 in lowercase: its characters sort in ASCII order, so IDs sort as numbers do.
_ALPHABET: Final = "0123456789abcdefghjkmnpqrstvwxyz"
# Two characters (10 bits) per lookup halves the work of encoding an ID.
_PAIRS: Final = tuple(a + b for a in _ALPHABET for b in _ALPHABET)


def _encode(value: int, pairs: int) -> str:
    return "".join(_PAIRS[(value >> (10 * i)) & 1023] for i in range(pairs - 1, -1, -1))


def now_us() -> int:
    """Return the wall clock in microseconds since the epoch."""
    return time.time_ns() // 1000


class _IdGenerator:
    """Make IDs such as `ctm_…`: 10 characters of milliseconds, then 16 of a counter.

    The time part never goes back and the counter always goes up, so every ID is greater than
    the one before it, even within one millisecond or when the clock steps back.
    """

    def __init__(self, prefix: str) -> None:
        self._prefix = prefix
        self._last_ms = 0
        self._head = ""
        # A random start makes IDs differ between fakes; 64 bits leave 16 bits of headroom.
        self._counter = random.getrandbits(64)

    def next(self, at_us: int) -> str:
        ms = at_us // 1000
        if ms > self._last_ms:
            self._last_ms = ms
            self._head = self._prefix + _encode(ms, 5)
        self._counter += 1
        return self._head + _encode(self._counter, 8)


def new_id_generator(prefix: str) -> Callable[[int], str]:
    """Return a function making increasing IDs with this prefix from a time in microseconds.

    Args:
        prefix: Such as `ctm_` or `add_`.

    Returns:
        A function of the time in microseconds since the epoch.
    """
    return _IdGenerator(prefix).next
