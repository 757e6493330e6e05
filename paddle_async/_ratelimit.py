"""Client-side pacing under Paddle's limit of 240 requests per minute per IP address.

Paddle does not document its window algorithm, so the limiter assumes the strict reading: at
most ``requests`` in *any* window of ``per`` seconds. It keeps the send times of the last
``requests`` requests (reservations, so concurrent tasks queue in order) and lets a new request
go no earlier than ``per`` seconds (plus a small margin for network jitter) after the
``requests``-th latest one. A token bucket would instead allow a full burst and then refill,
which a sliding window on the server punishes with a 60-second lockout.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Awaitable, Callable
from typing import Protocol, runtime_checkable

import attrs

__all__ = ["RateLimit", "RateLimiter", "SlidingWindowLimiter"]

Sleep = Callable[[float], Awaitable[None]]


@runtime_checkable
class RateLimiter(Protocol):
    """What the client needs from a rate limiter; implement it to share a budget elsewhere."""

    async def acquire(self, sleep: Sleep) -> None:
        """Wait (through ``sleep``) until one more request may be sent, and count it."""

    async def pause(self, seconds: float) -> None:
        """Stop every request for ``seconds``: Paddle answered 429 with this Retry-After."""


@attrs.frozen(kw_only=True)
class RateLimit:
    """A request budget: at most `requests` in any window of `per` seconds.

    Args:
        requests: Requests allowed per window (Paddle: 240).
        per: The window in seconds (Paddle: 60).
        margin: A fraction of the window added between the oldest and the newest request of a
            full window, so jitter between our clock and Paddle's cannot tip it over the limit.
    """

    requests: int = attrs.field(default=240, validator=attrs.validators.gt(0))
    per: float = attrs.field(default=60.0, validator=attrs.validators.gt(0))
    margin: float = attrs.field(default=0.02, validator=attrs.validators.ge(0))

    def limiter(self) -> SlidingWindowLimiter:
        """Create an in-process limiter with this budget."""
        return SlidingWindowLimiter(self)


class SlidingWindowLimiter:
    """An in-process `RateLimiter`: a sliding window log shared by every task of a client."""

    def __init__(self, limit: RateLimit, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._limit = limit.requests
        self._spacing = limit.per * (1 + limit.margin)
        self._clock = clock
        # Send times, ascending; the newest may lie in the future (reservations of waiting tasks).
        self._sent: collections.deque[float] = collections.deque()
        self._paused_until = 0.0
        self._generation = 0

    @property
    def paused_until(self) -> float:
        """The clock time until which every request waits (a 429's Retry-After)."""
        return self._paused_until

    def _reserve(self) -> float:
        now = self._clock()
        sent = self._sent
        # Forget what can no longer matter: beyond the latest `limit`, older than one window.
        while len(sent) > self._limit and sent[0] <= now - self._spacing:
            sent.popleft()
        start = max(now, self._paused_until)
        if len(sent) >= self._limit:
            start = max(start, sent[-self._limit] + self._spacing)
        if sent:
            start = max(start, sent[-1])  # first come, first served: the log stays sorted
        sent.append(start)
        return start

    async def acquire(self, sleep: Sleep) -> None:
        """Wait until one more request fits the window, then count it as sent.

        A request cancelled while it waits gives its place back, so abandoned requests (a
        handler's timeout, a cancelled sync) never hold up the ones after them.
        """
        while True:
            generation = self._generation
            start = self._reserve()
            delay = start - self._clock()
            if delay <= 0:
                return
            try:
                await sleep(delay)
            except BaseException:
                if generation == self._generation:
                    self._sent.remove(start)  # any equal entry: they are interchangeable
                raise
            if generation == self._generation:
                return
            # A pause came while we waited: our reservation was dropped; take a new one.

    async def pause(self, seconds: float) -> None:
        """Hold every request until ``seconds`` from now, and drop reservations not yet sent."""
        now = self._clock()
        self._paused_until = max(self._paused_until, now + seconds)
        while self._sent and self._sent[-1] > now:
            self._sent.pop()
        self._generation += 1
