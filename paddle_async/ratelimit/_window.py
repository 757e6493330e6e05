"""The in-process limiter: a sliding window log shared by every task of a client.

Paddle does not document its window algorithm, so the limiter assumes the strict reading: at
most ``requests`` in *any* window of ``per`` seconds. It keeps the times of the last
``requests`` sends and a queue of waiting requests, each with a planned start: no earlier than
``per`` seconds (plus a small margin for network jitter) after the ``requests``-th send before
it, and not before the request ahead of it. A token bucket would instead allow a full burst and
then refill, which a sliding window on the server punishes with a 60-second lockout.

The limiter owns the plan: when a waiting request gives its place back (cancelled, or its
client closed), the ones behind it are planned again and woken to wait for their new, earlier
start; when a request goes later than planned (a busy event loop), the ones behind it move
later so that the window still holds; a 429's pause moves every waiting request behind it.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import math
import time
from collections.abc import Callable

import attrs

from .. import errors
from ._base import (
    DEFAULT_MAX_PAUSE,
    Sleep,
    check_max_pause,
    check_positive,
    is_finite_number,
    pause_seconds,
    sleep_unless,
)

__all__ = ["RateLimit", "SlidingWindowLimiter", "WaitNotice", "spacing"]

logger = logging.getLogger("paddle_async")


def _positive_int(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not (isinstance(value, int) and not isinstance(value, bool) and value > 0):
        raise errors.ConfigurationError(f"{attribute.name} must be an int above 0, got {value!r}")


def _positive_finite(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    check_positive(attribute.name, value)


def _non_negative_finite(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (is_finite_number(value) and value >= 0):
        raise errors.ConfigurationError(
            f"{attribute.name} must be a finite number of at least 0, got {value!r}"
        )


@attrs.frozen(kw_only=True)
class RateLimit:
    """A request budget: at most `requests` in any window of `per` seconds.

    Args:
        requests: Requests allowed per window (Paddle: 240).
        per: The window in seconds (Paddle: 60).
        margin: A fraction of the window added between the oldest and the newest request of a
            full window, so jitter between our clock and Paddle's cannot tip it over the limit.

    Raises:
        ConfigurationError: ``requests`` is not an int above 0, ``per`` not a finite number
            above 0, or ``margin`` not a finite number of at least 0.
    """

    requests: int = attrs.field(default=240, validator=_positive_int)
    per: float = attrs.field(default=60.0, validator=_positive_finite)
    margin: float = attrs.field(default=0.02, validator=_non_negative_finite)

    def limiter(self) -> SlidingWindowLimiter:
        """Create an in-process limiter with this budget."""
        return SlidingWindowLimiter(self)


def spacing(limit: RateLimit) -> float:
    """Return the seconds between a send and the one ``requests`` sends later: the window
    plus its margin."""
    return limit.per * (1 + limit.margin)


class WaitNotice:
    """Log one INFO line when pacing starts to delay requests, not one per delayed request.

    A line marks the start of an episode of waits; the episode lasts while requests keep
    waiting, and ends one window (``per``) after the last delayed request went.
    """

    def __init__(self, name: str, limit: RateLimit, *, pause: str) -> None:
        self._name = name
        self._limit = limit
        self._pause = pause
        self._quiet_until = -math.inf

    def waiting(self, seconds: float, now: float, *, paused: bool = False) -> None:
        """Note that a request waits ``seconds`` from ``now`` (a clock in seconds), for a
        pause if ``paused``, else for the budget."""
        quiet = self._quiet_until
        self._quiet_until = max(quiet, now + seconds + self._limit.per)
        if now < quiet:
            return
        reason = (
            f"until {self._pause} ends"
            if paused
            else f"to keep to {self._limit.requests} requests per {self._limit.per:g} s"
        )
        logger.info(
            "%s: a request waits %.1f s %s (logged again after %g s without waits)",
            self._name,
            seconds,
            reason,
            self._limit.per,
        )


class _Place:
    """A waiting request's planned start, and how to wake it when the start moves earlier."""

    __slots__ = ("start", "wake")

    def __init__(self, start: float) -> None:
        self.start = start
        self.wake: asyncio.Future[None] | None = None  # set while its request sleeps


class SlidingWindowLimiter:
    """An in-process `RateLimiter`: a sliding window log shared by every task of a client.

    Args:
        limit: The budget.
        clock: Seconds from a monotonic clock (tests pass a fake one).
        max_pause: The longest pause `pause` takes, in seconds (default 60, Paddle's lockout).

    Raises:
        ConfigurationError: ``max_pause`` is negative or not a finite number.
    """

    def __init__(
        self,
        limit: RateLimit,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_pause: float = DEFAULT_MAX_PAUSE,
    ) -> None:
        self._limit = limit.requests
        self._spacing = spacing(limit)
        self._clock = clock
        self._max_pause = check_max_pause(max_pause)
        # Times of the latest sends, ascending (clock readings when each request went): a
        # request never needs to look further back than `limit` sends.
        self._sent: collections.deque[float] = collections.deque(maxlen=limit.requests)
        self._waiting: list[_Place] = []  # in order; starts ascending and after every send
        self._paused_until = 0.0
        self._replan_pending = False
        self._notice = WaitNotice("rate limit", limit, pause="a 429's pause (Retry-After)")

    @property
    def paused_until(self) -> float:
        """The clock time until which every request waits (a 429's Retry-After)."""
        return self._paused_until

    async def acquire(self, sleep: Sleep) -> None:
        """Wait until one more request fits the window, then count it as sent.

        A request cancelled while it waits gives its place back, and the ones behind it move
        up, so abandoned requests (a handler's timeout, a cancelled sync) never hold up the
        ones after them.

        Args:
            sleep: Sleeps for the given seconds (the client's, which its close interrupts).
        """
        await self._acquire_unless(sleep, None)

    async def _acquire_unless(self, sleep: Sleep, stop: asyncio.Future[None] | None) -> bool:
        """Like `acquire`, but give the place back and return False once ``stop`` is done.

        `RedisRateLimiter`'s ``"local"`` policy (the ``_fallback`` module) paces with it while
        Redis is unreachable: ``stop`` is Redis coming back.

        Returns:
            True when the request was counted as sent; False when ``stop`` ended the wait.
        """
        place = self._reserve()
        events = (stop,) if stop is not None else ()
        noticed = False
        try:
            while True:
                if stop is not None and stop.done():
                    self._give_back(place)
                    return False
                if self._replan_pending:
                    self._replan()
                now = self._clock()
                delay = place.start - now
                if delay <= 0:
                    break
                if not noticed:
                    noticed = True
                    self._notice.waiting(delay, now, paused=self._paused_until > now)
                place.wake = asyncio.get_running_loop().create_future()
                await sleep_unless(sleep, delay, place.wake, *events)
                place.wake = None
        except BaseException:
            # Cancelled, or the client closed: the place goes to the requests behind.
            self._give_back(place)
            raise
        self._went(place)
        return True

    async def pause(self, seconds: float) -> None:
        """Hold every request until ``seconds`` from now; the waiting ones move behind it.

        Args:
            seconds: A 429's Retry-After, clamped to ``[0, max_pause]``; NaN or anything
                that is no number counts as ``max_pause``.
        """
        until = self._clock() + pause_seconds(seconds, self._max_pause)
        if until > self._paused_until:
            self._paused_until = until
            self._replan()

    def _next_start(self, now: float, before: int) -> float:
        """Return the earliest start for the request at `before` in the waiting queue."""
        start = max(now, self._paused_until)
        waiting, sent = self._waiting, self._sent
        if before:
            start = max(start, waiting[before - 1].start)
        elif sent:
            start = max(start, sent[-1])
        # The send `limit` places earlier: the window must hold both of them.
        earlier = before - self._limit
        if earlier >= 0:
            start = max(start, waiting[earlier].start + self._spacing)
        elif len(sent) + earlier >= 0:
            start = max(start, sent[earlier] + self._spacing)
        return start

    def _reserve(self) -> _Place:
        if self._replan_pending:
            self._replan()
        place = _Place(self._next_start(self._clock(), len(self._waiting)))
        self._waiting.append(place)
        return place

    def _went(self, place: _Place) -> None:
        """Count a request as sent now; move the ones behind if it went later than planned."""
        late = place.start < (now := self._clock())
        index = self._waiting.index(place)
        del self._waiting[index]
        self._sent.append(now)
        if late and self._waiting:
            self._replan(settled=index + self._limit)

    def _give_back(self, place: _Place) -> None:
        if place not in self._waiting:  # it went already: nothing to give back
            return
        self._waiting.remove(place)
        if not self._replan_pending and self._waiting:
            # Once, after every request cancelled in the same step has given its place back.
            self._replan_pending = True
            asyncio.get_running_loop().call_soon(self._replan)

    def _replan(self, *, settled: int | None = None) -> None:
        """Plan the waiting requests again; wake those whose start moved earlier.

        Args:
            settled: Stop once past this index and ``limit`` starts in a row stayed the same:
                the ones after depend on unchanged starts only.
        """
        self._replan_pending = False
        now = self._clock()
        unchanged = 0
        for index, place in enumerate(self._waiting):
            start = self._next_start(now, index)
            if start == place.start:
                unchanged += 1
                if settled is not None and index >= settled and unchanged >= self._limit:
                    return
                continue
            unchanged = 0
            moved_up = start < place.start
            place.start = start
            if moved_up and place.wake is not None and not place.wake.done():
                place.wake.set_result(None)
