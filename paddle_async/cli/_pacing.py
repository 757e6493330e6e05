"""Knowing when the client's rate limiter holds requests back, to say so on the progress bar.

The command line builds the client's limiter itself and wraps it in `WatchedLimiter`, which
implements the public `paddle_async.RateLimiter` protocol by delegating: it sees every wait
because a limiter waits only through the ``sleep`` it is given. No limiter internals are read.
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Awaitable, Callable

from .. import RateLimiter

__all__ = ["LONG_WAIT", "WatchedLimiter", "parse_rate"]

Sleep = Callable[[float], Awaitable[None]]

LONG_WAIT = 1.0
"""Waits at least this long (seconds) are shown; shorter ones are ordinary pacing."""

_RATE = re.compile(r"(\d+)(?:/(\d+(?:\.\d+)?)s)?")


def parse_rate(text: str) -> tuple[int, float]:
    """Read ``--rate-limit``: ``N`` per minute, or ``N/Ws`` for N per W seconds; 0 is off.

    Returns:
        The requests and the window in seconds (0 requests: no pacing).

    Raises:
        argparse.ArgumentTypeError: Not of that form (argparse shows a usage error).
    """
    match = _RATE.fullmatch(text.strip())
    if match is None or (match[2] is not None and float(match[2]) <= 0):
        raise argparse.ArgumentTypeError(
            f"expected N (requests per minute) or N/Ws (N per W seconds, such as 100/10s), "
            f"got {text!r}"
        )
    return int(match[1]), float(match[2]) if match[2] else 60.0


class WatchedLimiter:
    """A `RateLimiter` that passes everything to ``inner`` and remembers its long waits.

    Args:
        inner: The limiter that decides.
        clock: Seconds from a monotonic clock.
        long_wait: The shortest wait `waiting` reports.
    """

    def __init__(
        self,
        inner: RateLimiter,
        *,
        clock: Callable[[], float] = time.monotonic,
        long_wait: float = LONG_WAIT,
    ) -> None:
        self._inner = inner
        self._clock = clock
        self._long_wait = long_wait
        self._ends: dict[object, float] = {}
        # Read by the progress bar's drawing thread: replaced whole, never changed in place.
        self._snapshot: tuple[float, ...] = ()

    async def acquire(self, sleep: Sleep) -> None:
        """Wait as ``inner`` decides, noting each long wait while it lasts."""

        async def watched(seconds: float) -> None:
            if seconds < self._long_wait:
                await sleep(seconds)
                return
            token = object()
            self._ends[token] = self._clock() + seconds
            self._snapshot = tuple(self._ends.values())
            try:
                await sleep(seconds)
            finally:
                del self._ends[token]
                self._snapshot = tuple(self._ends.values())

        await self._inner.acquire(watched)

    async def pause(self, seconds: float) -> None:
        """Pass a 429's pause on to ``inner``."""
        await self._inner.pause(seconds)

    def waiting(self) -> float | None:
        """Return the seconds until the first long-waiting request may go, or None if none waits.

        Safe to call from another thread.
        """
        ends = self._snapshot
        if not ends:
            return None
        return max(min(ends) - self._clock(), 0.0)
