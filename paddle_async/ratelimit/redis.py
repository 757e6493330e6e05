"""One rate-limit budget for every process and machine behind one egress IP, kept in Redis.

Paddle limits requests per IP address, not per process: workers that each pace themselves
still go over together. `RedisRateLimiter` gives them one budget with the semantics of the
in-process `SlidingWindowLimiter`: at most ``requests`` in *any* window of ``per`` seconds,
reservations so that waiting requests have a planned start, and a pause shared by all when one
of them meets a 429.

How it works. Three Redis keys per budget: a sorted set, the window log (one member per
request, scored by its send time), a string holding the time until which everyone pauses, and
a marker naming the Redis server process that has kept the log. A Lua script decides each
request atomically on the server, with the server's clock, so hosts whose clocks disagree
still agree on the window; a request takes a place in the log (a reservation) and sleeps
until it is due (the ``_scripts`` module has the details).

A 429 (`pause`) stores its end in Redis, at most ``max_pause`` (60 s) ahead, and drops the
reservations not yet due. A request cancelled while it waits gives its place back; the same
script call moves this limiter's waiting places up as far as the window allows, and their
requests are woken at once. Places of other processes move up within a twelfth of a window
(5.1 s with Paddle's minute; at least 1 s): while requests wait, each limiter makes that call
once per interval, however many of its requests wait. Polling was chosen over a pub/sub
notification: it needs no extra connection or listener task to keep alive through outages
and restarts, costs one short call per process per interval, and a place moved up a few
seconds late is only used a few seconds late (never too early: a place is moved only while
its request is awake, or by its own limiter, which wakes it at once).

A lost log. Redis keeps the log in memory, so a restart, a failover, a flush or an eviction
can lose sends of the last window; relearning the budget from such a log would let a second
full window go out at once, which Paddle answers with a 60-second lockout of the whole IP.
The script notices when the server process answering is not the one that kept the log, and
every process then waits until one window has passed since the log may have lost sends,
logged as a warning. The cost falls on a first start too: Redis cannot tell a log lost in a
restart from one never written, so the very first use of a budget on a Redis that started
less than one window ago waits until it has run for one window (at most 61.2 s with Paddle's
budget). On a Redis that has run longer, a first use starts at once. Waiting once is the safe
side: the alternative risks the lockout, which costs as long and fails requests besides. Keep
the marker: do not flush it, and use a ``maxmemory-policy`` that spares keys without a TTL,
such as the default ``noeviction`` or a ``volatile-*`` one.

Concurrency. The limiter makes at most ``max_connections`` Redis calls at once (default 10);
further requests queue for a turn, which is not counted against ``timeout``. So any number of
concurrent requests never reads as an outage.

When Redis is unreachable, or slower than ``timeout``, the limiter follows its policy
(``on_failure``): ``"wait"`` for Redis up to ``max_wait``, then raise
`RateLimiterUnavailableError`; or ``"local"``: pace this process alone at ``fallback_share`` of
the budget, starting one window after Redis was lost (the ``_fallback`` module has the details).
One warning is logged when Redis is lost and one when it is back; no Redis error reaches the
caller.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import logging
import time
import uuid
from typing import Any, Final

from .. import errors
from .._types import AsyncContextMixin
from ..errors import RateLimiterUnavailableError
from ._base import (
    DEFAULT_MAX_PAUSE,
    Sleep,
    check_max_pause,
    check_positive,
    pause_seconds,
    sleep_unless,
)
from ._fallback import OnFailure, Outage, describe
from ._scripts import ACQUIRE, MICROS, PAUSE, RELEASE, Answer, moved_members, warn_if_lost
from ._window import RateLimit, WaitNotice, spacing

try:
    import redis.asyncio as aioredis
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff
    from redis.exceptions import RedisError
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "paddle_async.ratelimit.redis needs the redis package: pip install 'paddle-async[redis]'"
    ) from exc

__all__ = ["OnFailure", "RateLimiterUnavailableError", "RedisRateLimiter"]

logger = logging.getLogger("paddle_async")

# What "Redis is unavailable" looks like: redis-py's errors, socket errors, our own timeout.
_UNAVAILABLE: Final = (RedisError, OSError, TimeoutError)
# A waiting request asks again at least this often (a fraction of the window, at least 1 s),
# to move up into places that requests of other processes gave back.
_ASK_AGAIN_PER_WINDOW: Final = 12
_ASK_AGAIN_AT_LEAST: Final = 1.0


def _connect(url: str, *, timeout: float, max_connections: int) -> aioredis.Redis:
    """Create a Redis client for ``url``; a URL redis-py refuses is a `ConfigurationError`."""
    scheme = url.partition("://")[0] if "://" in url else ""
    if scheme not in ("redis", "rediss", "unix"):
        shown = f"{scheme}://" if scheme else "no scheme"
        raise errors.ConfigurationError(
            f"the Redis URL must start with redis://, rediss:// or unix://, got {shown}"
        )
    try:
        # Our own retries and timeouts decide; redis-py only reconnects a stale connection.
        return aioredis.Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 1),
            max_connections=max_connections,
        )
    except (ValueError, TypeError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        # redis-py quotes parts of the URL; the part before the host may hold a password.
        credentials = url.partition("://")[2].rpartition("@")[0]
        if credentials:
            reason = reason.replace(credentials, "***")
        raise errors.ConfigurationError(f"the Redis URL is not usable: {reason}") from None


class RedisRateLimiter(AsyncContextMixin):
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
            per egress IP address. For key ``K`` the limiter stores ``{K}:log``,
            ``{K}:pause`` and ``{K}:marker`` (braces included, so a Redis Cluster keeps them
            in one slot).
        timeout: Seconds one Redis call may take before it counts as a failure (the wait
            for a turn among ``max_connections`` calls does not count).
        on_failure: While Redis is unreachable: ``"wait"`` for it, or ``"local"``: pace this
            process alone at ``fallback_share`` of the budget.
        max_wait: With ``"wait"``: seconds a request waits for Redis before raising
            `RateLimiterUnavailableError`; None waits as long as it takes.
        fallback_share: With ``"local"``: the share of ``limit`` this process may use alone;
            at most 1 / the number of processes sharing the budget keeps them all under it.
        retry_interval: Seconds between attempts to reach Redis again.
        max_connections: Redis calls this limiter makes at once; more requests queue for a
            turn. With a client of your own, its pool must allow this many connections.
        max_pause: The longest pause `pause` stores, in seconds (default 60, Paddle's
            lockout).

    Raises:
        ConfigurationError: A setting cannot work, or ``redis`` is a URL redis-py refuses
            (or neither a URL nor a client).
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
        max_connections: int = 10,
        max_pause: float = DEFAULT_MAX_PAUSE,
    ) -> None:
        self._max_pause = check_max_pause(max_pause)
        self._limit = limit or RateLimit()
        # While Redis is unreachable: the outage, and the policy followed meanwhile.
        self._outage = Outage(
            key=key,
            limit=self._limit,
            on_failure=on_failure,
            max_wait=max_wait,
            fallback_share=fallback_share,
            retry_interval=retry_interval,
            max_pause=self._max_pause,
        )
        check_positive("timeout", timeout)
        if not (isinstance(max_connections, int) and max_connections >= 1):
            raise errors.ConfigurationError(
                f"max_connections must be an int of at least 1, got {max_connections!r}"
            )
        self._spacing = spacing(self._limit)
        self._spacing_micros = round(self._spacing * MICROS)
        self._ask_again = max(_ASK_AGAIN_AT_LEAST, self._spacing / _ASK_AGAIN_PER_WINDOW)
        self._key = key
        self._keys = (f"{{{key}}}:log", f"{{{key}}}:pause", f"{{{key}}}:marker")
        self._timeout = timeout
        if isinstance(redis, str):
            self._redis = _connect(redis, timeout=timeout, max_connections=max_connections)
            self._owns_redis = True
        elif hasattr(redis, "register_script"):  # a redis.asyncio.Redis (or cluster) client
            self._redis = redis
            self._owns_redis = False
            pool_size = getattr(getattr(redis, "connection_pool", None), "max_connections", None)
            if isinstance(pool_size, int) and pool_size >= 1:
                max_connections = min(max_connections, pool_size)
        else:
            raise errors.ConfigurationError(
                "redis must be a redis:// URL or a redis.asyncio.Redis client, "
                f"got {type(redis).__name__}"
            )
        # Calls queue here rather than in redis-py's pool, whose limit raises an error that
        # would read as an outage; the wait for a turn is not part of `timeout`.
        self._turns = asyncio.Semaphore(max_connections)
        self._acquire_script = self._redis.register_script(ACQUIRE)
        self._release_script = self._redis.register_script(RELEASE)
        self._pause_script = self._redis.register_script(PAUSE)
        self._name = uuid.uuid4().hex
        self._numbers = itertools.count()
        self._marker = ""  # the marker of the log as last seen (see the acquire script)
        self._closed = False
        self._notice = WaitNotice(
            f"shared rate limit {key!r}",
            self._limit,
            pause="a pause shared through Redis (a 429's Retry-After, or a lost window log)",
        )
        # Requests of this limiter asleep on a place, by member: woken when their place moves.
        self._wakes: dict[str, asyncio.Future[None]] = {}
        self._to_release: list[str] = []
        self._moved_at = 0.0  # when this limiter last asked Redis to move its places up
        self._releasing: set[asyncio.Future[Any]] = set()  # calls aclose() waits for
        # This process's own view of pauses: kept even when Redis cannot share them.
        self._paused_until = 0.0

    def __repr__(self) -> str:
        # No URL: it may hold a password.
        return (
            f"RedisRateLimiter(key={self._key!r}, requests={self._limit.requests}, "
            f"per={self._limit.per}, on_failure={self._outage.on_failure!r})"
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
        return not self._outage.down

    async def aclose(self) -> None:
        """Close the Redis connections if the limiter opened them; a caller's client stays open.

        Requests still waiting for their place then raise `RateLimiterUnavailableError`.
        """
        if self._closed:
            return
        self._closed = True
        for wake in self._wakes.values():
            if not wake.done():
                wake.set_result(None)  # its request finds the limiter closed
        while self._releasing:
            await asyncio.gather(*self._releasing, return_exceptions=True)
        if self._owns_redis:
            await self._redis.aclose()

    def _check_open(self) -> None:
        if self._closed:
            raise RateLimiterUnavailableError("the shared rate limiter is closed", waited=0.0)

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
        noticed = False
        outage = self._outage
        while True:
            self._check_open()
            now = time.monotonic()
            if outage.keeps_away(now):
                waiting_since = now if waiting_since is None else waiting_since
                if await outage.keep_to_policy(sleep, now - waiting_since, self._probe):
                    return  # sent under the local budget
                continue  # Redis may be back: try it
            probing = outage.start_probe(now)  # if so, the others keep to the policy meanwhile
            # Sends made without Redis join the shared log with the first call that succeeds.
            backfill = [round(age * MICROS) for age in outage.local_sends(now)]
            try:
                answer = await self._ask(member, backfill, probing=probing)
            except _UNAVAILABLE as exc:
                await outage.lost(exc)
                continue
            if answer is None:
                continue  # Redis was lost while this request waited for its turn
            outage.found(joined_until=now if backfill else None)
            warn_if_lost(self._key, answer)
            if answer.wait <= 0:
                return
            delay = answer.wait / MICROS
            if not noticed:
                noticed = True
                self._notice.waiting(delay, now, paused=answer.paused > 0)
            try:
                await self._sleep_on_place(member, sleep, delay)
            except BaseException:
                # Cancelled (or the client closed) while holding a place: give it back, so
                # that no request queues behind one that will never be sent.
                self._release(member)
                raise

    async def pause(self, seconds: float) -> None:
        """Hold every request of every process sharing the budget for ``seconds`` from now.

        Args:
            seconds: A 429's Retry-After, clamped to ``[0, max_pause]``; NaN or anything that
                is no number counts as ``max_pause``. This process pauses even when Redis
                cannot share it.
        """
        seconds = pause_seconds(seconds, self._max_pause)
        if seconds <= 0:
            return
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)
        await self._outage.pause(seconds)
        if self._closed:
            return
        try:
            async with self._turns, asyncio.timeout(self._timeout):
                await self._pause_script(keys=self._keys[:2], args=[round(seconds * MICROS)])
        except _UNAVAILABLE as exc:
            logger.warning(
                "shared rate limit %r: could not share a %.1f s pause (a 429's Retry-After) "
                "through Redis (%s); this process pauses alone",
                self._key,
                seconds,
                describe(exc),
            )

    async def _ask(self, member: str, backfill: list[int], *, probing: bool) -> Answer | None:
        """Run the acquire script; return None if Redis was lost while waiting for a turn.

        A request cancelled meanwhile gives its place back once the call has ended: the
        script may still run and give it one, which a release sent at once could miss.
        """
        args: list[Any] = [self._limit.requests, self._spacing_micros, member, self._marker]
        args.extend(backfill)
        abandoned = False

        async def call() -> object:
            async with self._turns:
                if abandoned or (self._outage.down and not probing):
                    return None
                async with asyncio.timeout(self._timeout):
                    return await self._acquire_script(keys=self._keys, args=args)

        calling = asyncio.ensure_future(call())
        try:
            reply = await asyncio.shield(calling)
        except BaseException as exc:
            if calling.done() and not calling.cancelled() and calling.exception() is exc:
                raise  # the call failed: the request asks again with the same member
            # This request was cancelled (its call may still run).
            if not calling.done():
                abandoned = True
                self._releasing.add(calling)  # aclose() waits for it
                calling.add_done_callback(self._releasing.discard)
            calling.add_done_callback(functools.partial(self._release_after, member))
            raise
        if reply is None:
            return None
        answer = Answer.from_reply(reply)
        if answer is None:
            raise RedisError("the acquire script answered something unexpected")
        self._marker = answer.marker
        return answer

    async def _sleep_on_place(self, member: str, sleep: Sleep, delay: float) -> None:
        """Sleep until a place's planned start, or until the place moves up.

        While requests wait, one of them asks Redis every `_ask_again` seconds to move this
        limiter's places up into places that other processes gave back: one call per limiter,
        however many requests wait.
        """
        deadline = time.monotonic() + delay
        wake = self._wakes[member] = asyncio.get_running_loop().create_future()
        try:
            while not wake.done() and (left := deadline - time.monotonic()) > 0:
                await sleep_unless(sleep, min(left, self._ask_again), wake)
                now = time.monotonic()
                if not wake.done() and now < deadline and now >= self._moved_at + self._ask_again:
                    await self._move_up([])
        finally:
            del self._wakes[member]

    def _release_after(self, member: str, call: asyncio.Future[object]) -> None:
        """Give back the place an abandoned call may have taken (unless it never ran)."""
        never_ran = not call.cancelled() and call.exception() is None and call.result() is None
        if not never_ran:
            self._release(member)

    def _release(self, member: str) -> None:
        """Give a reserved place back, in the background: its waiter was cancelled."""
        if self._closed:
            return
        self._to_release.append(member)
        if len(self._to_release) == 1:
            # One script call for every place given back in this step of the event loop.
            task = asyncio.get_running_loop().create_task(self._release_batch())
            self._releasing.add(task)
            task.add_done_callback(self._releasing.discard)

    async def _release_batch(self) -> None:
        members, self._to_release = self._to_release, []
        await self._move_up(members)

    async def _move_up(self, released: list[str]) -> None:
        """Give ``released`` places back, move this limiter's waiting places up as far as the
        window allows, and wake the requests whose places moved."""
        self._moved_at = time.monotonic()
        args: list[Any] = [self._limit.requests, self._spacing_micros, f"{self._name}:"]
        try:
            async with self._turns, asyncio.timeout(self._timeout):
                moved = await self._release_script(keys=self._keys[:2], args=args + released)
        except _UNAVAILABLE:
            return  # given-back places expire with the window; the waits end as planned
        for name in moved_members(moved):
            wake = self._wakes.get(name)
            if wake is not None and not wake.done():
                wake.set_result(None)

    async def _probe(self) -> None:
        """Ask Redis whether it is back (then leave the outage)."""
        self._outage.start_probe(time.monotonic())
        try:
            async with self._turns, asyncio.timeout(self._timeout):
                await self._redis.ping()
        except _UNAVAILABLE as exc:
            await self._outage.lost(exc)
            return
        self._outage.found(joined_until=None)
