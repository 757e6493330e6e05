"""What a shared limiter does while Redis is unreachable: the outage, and the policy it follows.

When Redis is unreachable, or slower than ``timeout``, `RedisRateLimiter` follows its policy:

- ``"wait"``: requests wait, trying Redis again every ``retry_interval`` seconds, and raise
  `RateLimiterUnavailableError` after ``max_wait``.
- ``"local"``: this process paces itself with a `SlidingWindowLimiter` at ``fallback_share`` of
  the budget. Its first local send waits one window (plus margin) from the moment Redis was
  lost: no process knows what the others sent in the window before, so a local budget is only
  safe once that window has passed. Requests keep trying Redis every ``retry_interval``
  seconds; once it answers, the sends made meanwhile join the shared log.

Either way one warning goes to the ``paddle_async`` logger when Redis is lost and one when it
is back; no Redis error reaches the caller. This module knows Redis only by name: the limiter
tells it when a call failed (`Outage.lost`) or succeeded (`Outage.found`).
"""

from __future__ import annotations

import asyncio
import collections
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Literal, TypeAlias

from .. import errors
from ..errors import RateLimiterUnavailableError
from ._base import Sleep, check_positive, is_finite_number
from ._window import RateLimit, SlidingWindowLimiter, spacing

__all__ = ["OnFailure", "Outage", "describe"]

logger = logging.getLogger("paddle_async")

OnFailure: TypeAlias = Literal["wait", "local"]
"""What `RedisRateLimiter` does while Redis is unreachable: wait for it, or pace locally."""


class Outage:
    """A shared limiter's view of Redis being unreachable, and its policy meanwhile.

    Args:
        key: The budget's name in Redis, for log lines.
        limit: The shared budget.
        on_failure: ``"wait"`` for Redis, or ``"local"``: pace alone at ``fallback_share``.
        max_wait: With ``"wait"``: seconds a request waits before it fails; None: no limit.
        fallback_share: With ``"local"``: the share of ``limit`` this process may use alone.
        retry_interval: Seconds between attempts to reach Redis again.
        max_pause: The longest pause a 429 asks of the local limiter.

    Raises:
        ConfigurationError: A setting cannot work.
    """

    def __init__(
        self,
        *,
        key: str,
        limit: RateLimit,
        on_failure: OnFailure,
        max_wait: float | None,
        fallback_share: float,
        retry_interval: float,
        max_pause: float,
    ) -> None:
        if on_failure not in ("wait", "local"):
            raise errors.ConfigurationError(
                f"on_failure must be 'wait' or 'local', got {on_failure!r}"
            )
        check_positive("retry_interval", retry_interval)
        if max_wait is not None and not (is_finite_number(max_wait) and max_wait >= 0):
            raise errors.ConfigurationError(
                f"max_wait must be None or a finite number of at least 0, got {max_wait!r}"
            )
        if not (isinstance(fallback_share, int | float) and 0 < fallback_share <= 1):
            raise errors.ConfigurationError("fallback_share must be above 0 and at most 1")
        self.on_failure: OnFailure = on_failure
        self._key = key
        self._limit = limit
        self._spacing = spacing(limit)
        self._max_wait = max_wait
        self._retry_interval = retry_interval
        self._max_pause = max_pause
        # When the outage began (None: Redis is in use), when a request may next try Redis,
        # and a future done when Redis answers again (it ends local waits).
        self._down_since: float | None = None
        self._next_try = 0.0
        self._back: asyncio.Future[None] | None = None
        self._local: SlidingWindowLimiter | None = None  # made fresh for each outage
        self._local_limit = RateLimit(
            requests=max(1, math.floor(limit.requests * fallback_share)),
            per=limit.per,
            margin=limit.margin,
        )
        # Times of the sends made under the local budget that Redis has not heard of, ascending.
        self._local_sends: collections.deque[float] = collections.deque()

    @property
    def down(self) -> bool:
        """Whether Redis is out of use: from a failed call until a later one succeeds."""
        return self._down_since is not None

    def keeps_away(self, now: float) -> bool:
        """Return whether requests keep to the policy at ``now``, rather than try Redis."""
        return self._down_since is not None and now < self._next_try

    def start_probe(self, now: float) -> bool:
        """Return whether a call to Redis made at ``now`` tests whether it is back (an outage).

        When it does, the other requests keep to the policy for ``retry_interval``.
        """
        if self._down_since is None:
            return False
        self._next_try = now + self._retry_interval
        return True

    async def keep_to_policy(
        self, sleep: Sleep, waited: float, probe: Callable[[], Awaitable[None]]
    ) -> bool:
        """Follow the policy once, for a request that has waited ``waited`` seconds for Redis.

        Args:
            sleep: The client's sleep.
            waited: Seconds since this request first found Redis unreachable.
            probe: Asks Redis whether it is back (and calls `lost` or `found`).

        Returns:
            True when the request went under the local budget; False when it should try Redis.

        Raises:
            RateLimiterUnavailableError: With ``"wait"``, the request would wait past
                ``max_wait``.
        """
        if self.on_failure == "local":
            return await self._acquire_locally(sleep, probe)
        if self._max_wait is not None and waited + self._retry_interval > self._max_wait:
            raise RateLimiterUnavailableError(
                f"shared rate limit {self._key!r}: Redis was unreachable for {waited:.1f} s "
                "(on_failure='wait'); the request was not sent",
                waited=waited,
            )
        await sleep(max(0.0, min(self._retry_interval, self._next_try - time.monotonic())))
        return False

    async def _acquire_locally(self, sleep: Sleep, probe: Callable[[], Awaitable[None]]) -> bool:
        """Take a place in the local window; return False if Redis came back first."""
        local, back = self._local, self._back
        assert local is not None
        assert back is not None

        async def sleep_and_probe(seconds: float) -> None:
            # Sleep in steps, so a long local wait notices Redis coming back.
            deadline = time.monotonic() + seconds
            while not back.done() and (left := deadline - time.monotonic()) > 0:
                await sleep(min(left, self._retry_interval))
                if self._down_since is not None and time.monotonic() >= self._next_try:
                    await probe()

        if not await local._acquire_unless(sleep_and_probe, back):
            return False
        now = time.monotonic()
        self._local_sends.append(now)
        _forget_until(self._local_sends, now - self._spacing)
        return True

    def local_sends(self, now: float) -> list[float]:
        """Return the ages (seconds at ``now``) of local sends still inside the window.

        They join the shared log with the first call to Redis that succeeds.
        """
        _forget_until(self._local_sends, now - self._spacing)
        return [now - t for t in self._local_sends]

    async def pause(self, seconds: float) -> None:
        """Pause the local budget too, during an outage with ``"local"``."""
        if self._local is not None and self._down_since is not None:
            await self._local.pause(seconds)

    async def lost(self, exc: BaseException) -> None:
        """Note that a call to Redis failed with ``exc``: begin an outage, or go on with it."""
        now = time.monotonic()
        self._next_try = now + self._retry_interval
        if self._down_since is not None:
            logger.debug(
                "shared rate limit %r: Redis still unavailable (%s)", self._key, describe(exc)
            )
            return
        self._down_since = now
        self._back = asyncio.get_running_loop().create_future()
        if self.on_failure == "local":
            # Others may have used the whole budget just before: start after that window
            # (which may be longer than the pause a 429 could ask for).
            self._local = SlidingWindowLimiter(
                self._local_limit, max_pause=max(self._max_pause, self._spacing)
            )
            await self._local.pause(self._spacing)
            logger.warning(
                "shared rate limit %r: Redis unavailable (%s); pacing this process alone at "
                "%d requests per %g s, after a %.1f s wait, until Redis is back "
                "(on_failure='local')",
                self._key,
                describe(exc),
                self._local_limit.requests,
                self._limit.per,
                self._spacing,
            )
        else:
            limit = (
                "as long as it takes" if self._max_wait is None else f"up to {self._max_wait:g} s"
            )
            logger.warning(
                "shared rate limit %r: Redis unavailable (%s); requests wait for it, %s "
                "(on_failure='wait')",
                self._key,
                describe(exc),
                limit,
            )

    def found(self, *, joined_until: float | None) -> None:
        """Note that a call to Redis succeeded: end the outage, if any.

        Args:
            joined_until: The call carried the local sends made until then (`local_sends`),
                which are forgotten; None if it carried none.
        """
        if joined_until is not None:
            _forget_until(self._local_sends, joined_until)
        if self._down_since is None:
            return
        logger.warning(
            "shared rate limit %r: Redis is back after %.1f s; using the shared budget again",
            self._key,
            time.monotonic() - self._down_since,
        )
        self._down_since = None
        if self._back is not None and not self._back.done():
            self._back.set_result(None)  # local waits end: their requests ask Redis


def describe(exc: BaseException) -> str:
    """Return how a log line names a failed call's error: its type and text."""
    text = str(exc)
    name = type(exc).__name__
    if isinstance(exc, TimeoutError) and not text:
        return "TimeoutError: no answer in time"
    return f"{name}: {text}" if text else name


def _forget_until(times: collections.deque[float], cutoff: float) -> None:
    """Drop the times at or before ``cutoff`` from an ascending deque."""
    while times and times[0] <= cutoff:
        times.popleft()
