"""One rate-limit budget for every process and machine behind one egress IP, kept in Redis.

Paddle limits requests per IP address, not per process: workers that each pace themselves
still go over together. `RedisRateLimiter` gives them one budget with the semantics of the
in-process `SlidingWindowLimiter`: at most ``requests`` in *any* window of ``per`` seconds,
reservations so waiting requests queue in order, and a pause shared by all when one of them
meets a 429.

How it works. Two Redis keys per budget: a sorted set, the window log (one member per request,
scored by its send time), and a string holding the time until which everyone pauses. One Lua
script decides each request atomically on the server, with the server's clock
(``redis.call('TIME')``), so hosts whose clocks disagree still agree on the window:

1. Forget sends older than one window (plus margin).
2. The request may go at the latest of: now, the pause's end, and the ``requests``-th latest
   send plus one window (plus margin). It takes that place in the log (a reservation) and is
   told how long to sleep; asking again after the sleep confirms the place, or, when a pause
   began in between, moves it behind the pause.

A 429 (`pause`) stores its end in Redis and drops the reservations not yet due.

When Redis is unreachable, or slower than ``timeout``, the limiter follows its policy:

- ``"wait"``: requests wait, trying Redis again every ``retry_interval`` seconds, and raise
  `RateLimiterUnavailableError` after ``max_wait``.
- ``"local"``: this process paces itself with a `SlidingWindowLimiter` at ``fallback_share`` of
  the budget. Its first local send waits one window (plus margin) from the moment Redis was
  lost: no process knows what the others sent in the window before, so a local budget is only
  safe once that window has passed. Requests keep trying Redis every ``retry_interval``
  seconds; once it answers, the sends made meanwhile join the shared log.

Either way one warning goes to the ``paddle_async`` logger when Redis is lost and one when it
is back; no Redis error reaches the caller.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import logging
import math
import time
import uuid
from types import TracebackType
from typing import Any, Final, Literal, Self, TypeAlias

from . import errors
from ._ratelimit import RateLimit, Sleep, SlidingWindowLimiter
from .errors import RateLimiterUnavailableError

try:
    import redis.asyncio as aioredis
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff
    from redis.exceptions import RedisError
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "paddle_async.ratelimit_redis needs the redis package: pip install 'paddle-async[redis]'"
    ) from exc

__all__ = ["OnFailure", "RateLimiterUnavailableError", "RedisRateLimiter"]

logger = logging.getLogger("paddle_async")

OnFailure: TypeAlias = Literal["wait", "local"]
"""What `RedisRateLimiter` does while Redis is unreachable: wait for it, or pace locally."""

_MICROS: Final = 1_000_000
# What "Redis is unavailable" looks like: redis-py's errors, socket errors, our own timeout.
_UNAVAILABLE: Final = (RedisError, OSError, TimeoutError)

# KEYS[1]: the window log, a sorted set of request -> send time (microseconds, Redis's clock).
# KEYS[2]: the pause's end (microseconds), set by a 429.
# ARGV[1]: requests per window. ARGV[2]: the window plus margin, in microseconds.
# ARGV[3]: this request's member. ARGV[4...]: ages (microseconds) of sends made without Redis.
# Returns the microseconds to sleep before asking again with the same member; 0: send now.
_ACQUIRE: Final = """
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit = tonumber(ARGV[1])
local spacing = tonumber(ARGV[2])
local member = ARGV[3]
local paused = tonumber(redis.call('GET', KEYS[2]) or 0)
for i = 4, #ARGV do
  redis.call('ZADD', KEYS[1], now - tonumber(ARGV[i]), member .. ':' .. i)
end
local mine = redis.call('ZSCORE', KEYS[1], member)
if mine then
  mine = tonumber(mine)
  if paused <= now or mine >= paused then
    if mine <= now then return 0 end
    return mine - now
  end
  -- A pause began after this place was taken and before it was used: queue again behind it.
  redis.call('ZREM', KEYS[1], member)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - spacing)
local start = math.max(now, paused)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local kth = redis.call('ZRANGE', KEYS[1], -limit, -limit, 'WITHSCORES')
  start = math.max(start, tonumber(kth[2]) + spacing)
end
redis.call('ZADD', KEYS[1], start, member)
local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIRE', KEYS[1], math.ceil((tonumber(newest[2]) - now + spacing) / 1000) + 1000)
return start - now
"""

# KEYS as above. ARGV[1]: the pause in microseconds. Returns the microseconds the pause lasts.
_PAUSE: Final = """
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local until_ = now + tonumber(ARGV[1])
local paused = tonumber(redis.call('GET', KEYS[2]) or 0)
if until_ > paused then
  redis.call('SET', KEYS[2], until_, 'PX', math.ceil((until_ - now) / 1000) + 1000)
  paused = until_
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], now + 1, '+inf')
return paused - now
"""


class _RedisIsBack(Exception):
    """Ends a local wait early: the shared budget is reachable again."""


class RedisRateLimiter:
    """A `RateLimiter` whose budget every process using the same Redis key shares.

    Use it as ``async with RedisRateLimiter(url) as limiter:`` and pass it to each client as
    ``Paddle(api_key, rate_limit=limiter)``; a client never closes its limiter.

    Args:
        redis: A ``redis://`` (or ``rediss://``, ``unix://``) URL, for which the limiter opens
            and closes its own connections, or a ``redis.asyncio.Redis`` client that the caller
            keeps owning and closing.
        limit: The budget shared by all processes (default: Paddle's 240 requests per 60 s).
            Its ``margin`` is added between the oldest and newest request of a full window.
        key: The name of this budget in Redis, the same in every process sharing it: one
            per egress IP address. For key ``K`` the limiter stores ``{K}:log`` and
            ``{K}:pause`` (braces included, so a Redis Cluster keeps both in one slot).
        timeout: Seconds one Redis call may take before it counts as a failure.
        on_failure: While Redis is unreachable: ``"wait"`` for it, or ``"local"``: pace this
            process alone at ``fallback_share`` of the budget.
        max_wait: With ``"wait"``: seconds a request waits for Redis before raising
            `RateLimiterUnavailableError`; None waits as long as it takes.
        fallback_share: With ``"local"``: the share of ``limit`` this process may use alone;
            at most 1 / the number of processes sharing the budget keeps them all under it.
        retry_interval: Seconds between attempts to reach Redis again.
    """

    def __init__(
        self,
        redis: str | aioredis.Redis,
        *,
        limit: RateLimit | None = None,
        key: str = "paddle_async:ratelimit",
        timeout: float = 0.5,
        on_failure: OnFailure = "wait",
        max_wait: float | None = 60.0,
        fallback_share: float = 0.25,
        retry_interval: float = 1.0,
    ) -> None:
        if on_failure not in ("wait", "local"):
            raise errors.ConfigurationError(
                f"on_failure must be 'wait' or 'local', got {on_failure!r}"
            )
        if not timeout > 0 or not retry_interval > 0:
            raise errors.ConfigurationError("timeout and retry_interval must be positive")
        if max_wait is not None and max_wait < 0:
            raise errors.ConfigurationError("max_wait must not be negative")
        if not 0 < fallback_share <= 1:
            raise errors.ConfigurationError("fallback_share must be above 0 and at most 1")
        self._limit = limit or RateLimit()
        self._spacing = self._limit.per * (1 + self._limit.margin)
        self._key = key
        self._keys = (f"{{{key}}}:log", f"{{{key}}}:pause")
        self._timeout = timeout
        self._on_failure: OnFailure = on_failure
        self._max_wait = max_wait
        self._retry_interval = retry_interval
        if isinstance(redis, str):
            # Our own retries and timeouts decide; redis-py only reconnects a stale connection.
            self._redis = aioredis.Redis.from_url(
                redis,
                socket_timeout=timeout,
                socket_connect_timeout=timeout,
                retry=Retry(NoBackoff(), 1),
            )
            self._owns_redis = True
        else:
            self._redis = redis
            self._owns_redis = False
        self._acquire_script = self._redis.register_script(_ACQUIRE)
        self._pause_script = self._redis.register_script(_PAUSE)
        self._name = uuid.uuid4().hex
        self._numbers = itertools.count()
        self._closed = False
        self._releasing: set[asyncio.Task[None]] = set()
        # This process's own view of pauses: kept even when Redis cannot share them.
        self._paused_until = 0.0
        # The outage, if any: when it began, and when a request may next try Redis.
        self._down_since: float | None = None
        self._next_try = 0.0
        self._fallback: SlidingWindowLimiter | None = None  # made fresh for each outage
        self._fallback_limit = RateLimit(
            requests=max(1, math.floor(self._limit.requests * fallback_share)),
            per=self._limit.per,
            margin=self._limit.margin,
        )
        self._fallback_sent: collections.deque[float] = collections.deque()

    def __repr__(self) -> str:
        # No URL: it may hold a password.
        return (
            f"RedisRateLimiter(key={self._key!r}, requests={self._limit.requests}, "
            f"per={self._limit.per}, on_failure={self._on_failure!r})"
        )

    @property
    def key(self) -> str:
        """The name of the shared budget in Redis."""
        return self._key

    @property
    def limit(self) -> RateLimit:
        """The budget shared by every process using this key."""
        return self._limit

    @property
    def redis_available(self) -> bool:
        """Whether Redis is in use: False from a failed call until a later one succeeds."""
        return self._down_since is None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the Redis connections if the limiter opened them; a caller's client stays open.

        Requests still waiting for their place then raise `RateLimiterUnavailableError`.
        """
        if self._closed:
            return
        self._closed = True
        if self._releasing:
            await asyncio.gather(*self._releasing, return_exceptions=True)
        if self._owns_redis:
            await self._redis.aclose()

    def _check_open(self) -> None:
        if self._closed:
            raise RateLimiterUnavailableError("the shared rate limiter is closed", waited=0.0)

    def _release(self, member: str) -> None:
        """Give a reserved place back, in the background: its waiter was cancelled."""
        if self._closed:
            return
        task = asyncio.get_running_loop().create_task(self._remove(member))
        self._releasing.add(task)
        task.add_done_callback(self._releasing.discard)

    async def _remove(self, member: str) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                await self._redis.zrem(self._keys[0], member)
        except _UNAVAILABLE:
            pass  # the place expires with the window anyway

    async def acquire(self, sleep: Sleep) -> None:
        """Wait until one more request fits the shared window, then count it as sent.

        Args:
            sleep: Sleeps for the given seconds (the client's, which its close interrupts).

        Raises:
            RateLimiterUnavailableError: With ``on_failure="wait"``, Redis stayed unreachable
                for ``max_wait`` seconds (or the limiter was closed).
        """
        self._check_open()
        paused = self._paused_until - time.monotonic()
        if paused > 0:
            await sleep(paused)
        member = f"{self._name}:{next(self._numbers)}"
        waiting_since: float | None = None  # when this request first found Redis unavailable
        while True:
            self._check_open()
            now = time.monotonic()
            if self._down_since is not None and now < self._next_try:
                if self._on_failure == "local":
                    if await self._acquire_locally(sleep):
                        return
                    continue  # Redis came back while this request waited
                waiting_since = now if waiting_since is None else waiting_since
                await self._wait_for_redis(sleep, now - waiting_since)
                continue
            if self._down_since is not None:
                # This request probes Redis; the others keep to the policy meanwhile.
                self._next_try = now + self._retry_interval
            # Sends made without Redis join the shared log with the first call that succeeds.
            backfill = self._backfill(now) if self._fallback_sent else []
            try:
                delay = await self._call_acquire(member, backfill)
            except _UNAVAILABLE as exc:
                await self._lost(exc)
                continue
            except BaseException:
                self._release(member)  # cancelled mid-call: the script may have run
                raise
            self._found(backfilled_until=now if backfill else None)
            if delay <= 0:
                return
            try:
                await sleep(delay / _MICROS)
            except BaseException:
                # Cancelled (or the client closed) while holding a place: give it back, so
                # that no process queues behind a request that will never be sent.
                self._release(member)
                raise

    async def pause(self, seconds: float) -> None:
        """Hold every request of every process sharing the budget for ``seconds`` from now.

        Args:
            seconds: A 429's Retry-After. This process pauses even when Redis cannot share it.
        """
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)
        if self._fallback is not None and self._down_since is not None:
            await self._fallback.pause(seconds)
        if self._closed:
            return
        try:
            async with asyncio.timeout(self._timeout):
                await self._pause_script(keys=self._keys, args=[round(seconds * _MICROS)])
        except _UNAVAILABLE as exc:
            logger.warning(
                "shared rate limit %r: could not share a %.1f s pause (a 429's Retry-After) "
                "through Redis (%s); this process pauses alone",
                self._key,
                seconds,
                _describe(exc),
            )

    async def _call_acquire(self, member: str, backfill: list[int]) -> int:
        args: list[Any] = [self._limit.requests, round(self._spacing * _MICROS), member]
        args.extend(backfill)
        async with asyncio.timeout(self._timeout):
            result = await self._acquire_script(keys=self._keys, args=args)
        return int(result)

    async def _acquire_locally(self, sleep: Sleep) -> bool:
        """Take a place in the local fallback window; return False if Redis came back first."""
        fallback = self._fallback
        assert fallback is not None

        async def sleep_and_probe(seconds: float) -> None:
            # Sleep in steps, so a long local wait notices Redis coming back.
            deadline = time.monotonic() + seconds
            while (left := deadline - time.monotonic()) > 0:
                await sleep(min(left, self._retry_interval))
                if self._down_since is None or (
                    time.monotonic() >= self._next_try and await self._probe()
                ):
                    raise _RedisIsBack

        try:
            await fallback.acquire(sleep_and_probe)
        except _RedisIsBack:
            return False
        now = time.monotonic()
        sent = self._fallback_sent
        sent.append(now)
        while sent and sent[0] <= now - self._spacing:
            sent.popleft()
        return True

    async def _probe(self) -> bool:
        """Ask Redis whether it is back; return True (and leave the outage) if it answers."""
        self._next_try = time.monotonic() + self._retry_interval
        try:
            async with asyncio.timeout(self._timeout):
                await self._redis.ping()
        except _UNAVAILABLE as exc:
            await self._lost(exc)
            return False
        self._found(backfilled_until=None)
        return True

    def _backfill(self, now: float) -> list[int]:
        """Return the ages (microseconds) of local sends still inside the window."""
        sent = self._fallback_sent
        while sent and sent[0] <= now - self._spacing:
            sent.popleft()
        return [round((now - t) * _MICROS) for t in sent]

    async def _wait_for_redis(self, sleep: Sleep, waited: float) -> None:
        if self._max_wait is not None and waited + self._retry_interval > self._max_wait:
            raise RateLimiterUnavailableError(
                f"shared rate limit {self._key!r}: Redis was unreachable for {waited:.1f} s "
                "(on_failure='wait'); the request was not sent",
                waited=waited,
            )
        await sleep(max(0.0, min(self._retry_interval, self._next_try - time.monotonic())))

    async def _lost(self, exc: BaseException) -> None:
        now = time.monotonic()
        self._next_try = now + self._retry_interval
        if self._down_since is not None:
            logger.debug(
                "shared rate limit %r: Redis still unavailable (%s)", self._key, _describe(exc)
            )
            return
        self._down_since = now
        if self._on_failure == "local":
            self._fallback = SlidingWindowLimiter(self._fallback_limit)
            # Others may have used the whole budget just before: start after that window.
            await self._fallback.pause(self._spacing)
            logger.warning(
                "shared rate limit %r: Redis unavailable (%s); pacing this process alone at "
                "%d requests per %g s, after a %.1f s wait, until Redis is back "
                "(on_failure='local')",
                self._key,
                _describe(exc),
                self._fallback_limit.requests,
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
                _describe(exc),
                limit,
            )

    def _found(self, *, backfilled_until: float | None) -> None:
        if backfilled_until is not None:
            sent = self._fallback_sent
            while sent and sent[0] <= backfilled_until:
                sent.popleft()
        if self._down_since is None:
            return
        logger.warning(
            "shared rate limit %r: Redis is back after %.1f s; using the shared budget again",
            self._key,
            time.monotonic() - self._down_since,
        )
        self._down_since = None


def _describe(exc: BaseException) -> str:
    text = str(exc)
    name = type(exc).__name__
    if isinstance(exc, TimeoutError) and not text:
        return "TimeoutError: no answer in time"
    return f"{name}: {text}" if text else name
