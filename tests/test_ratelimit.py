"""The sliding-window limiter: never more than the budget in any window, and shared pauses."""

from __future__ import annotations

import asyncio
import importlib
import logging
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sliding_window import max_in_any_window

import paddle_async
from paddle_async import RateLimit, RateLimiter, SlidingWindowLimiter
from paddle_async.errors import ClientClosedError, ConfigurationError


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_limiter_is_a_rate_limiter() -> None:
    """The in-process limiter satisfies the RateLimiter protocol."""
    assert isinstance(RateLimit().limiter(), RateLimiter)


async def test_no_burst_after_the_budget() -> None:
    """After `requests` sends, the next waits a whole window (no token-bucket refill)."""
    clock = FakeClock()
    limiter = SlidingWindowLimiter(RateLimit(requests=240, per=60.0, margin=0.0), clock=clock)
    for _ in range(240):
        await limiter.acquire(clock.sleep)
    assert [] == clock.slept
    await limiter.acquire(clock.sleep)
    assert [60.0] == clock.slept


async def test_sequential_sends_fit_every_window() -> None:
    """1,000 sequential sends never put more than 240 in any 60-second window."""
    clock = FakeClock()
    limiter = SlidingWindowLimiter(RateLimit(requests=240, per=60.0), clock=clock)
    sent: list[float] = []
    for _ in range(1000):
        await limiter.acquire(clock.sleep)
        sent.append(clock.now)
    assert 240 == max_in_any_window(sent, 60.0)


async def test_concurrent_tasks_share_the_budget() -> None:
    """64 tasks on one limiter send no more than the budget in any real-time window."""
    limiter = SlidingWindowLimiter(RateLimit(requests=10, per=0.2))
    sent: list[float] = []

    async def worker() -> None:
        for _ in range(2):
            await limiter.acquire(asyncio.sleep)
            sent.append(time.monotonic())

    await asyncio.gather(*(worker() for _ in range(32)))
    assert 64 == len(sent)
    assert max_in_any_window(sent, 0.2) <= 10


async def test_pause_holds_every_task() -> None:
    """After a pause (a 429), no task sends until it has passed."""
    limiter = SlidingWindowLimiter(RateLimit(requests=1000, per=1.0))
    await limiter.pause(0.2)
    started = time.monotonic()
    sent: list[float] = []

    async def worker() -> None:
        await limiter.acquire(asyncio.sleep)
        sent.append(time.monotonic() - started)

    await asyncio.gather(*(worker() for _ in range(5)))
    assert min(sent) >= 0.19


async def test_pause_reschedules_waiting_reservations() -> None:
    """A task already waiting for a slot when a pause arrives waits for the pause too."""
    clock = FakeClock()
    limiter = SlidingWindowLimiter(RateLimit(requests=1, per=1.0, margin=0.0), clock=clock)
    await limiter.acquire(clock.sleep)

    async def sleep_and_pause(seconds: float) -> None:
        await clock.sleep(seconds)
        if len(clock.slept) == 1:
            await limiter.pause(5.0)

    await limiter.acquire(sleep_and_pause)
    assert 106.0 == clock.now


async def test_a_cancelled_waiter_gives_its_place_back() -> None:
    """Requests cancelled while waiting (say, by a handler's timeout) free their reservations:
    a later request waits for the window only, not behind the abandoned ones."""
    clock = FakeClock()
    limiter = SlidingWindowLimiter(RateLimit(requests=2, per=0.2, margin=0.0), clock=clock)
    await limiter.acquire(clock.sleep)
    await limiter.acquire(clock.sleep)
    never = asyncio.Event()

    async def wait_forever(seconds: float) -> None:
        await never.wait()

    waiters = [asyncio.create_task(limiter.acquire(wait_forever)) for _ in range(10)]
    await asyncio.sleep(0)
    for waiter in waiters:
        waiter.cancel()
    await asyncio.gather(*waiters, return_exceptions=True)
    await limiter.acquire(clock.sleep)
    # Behind ten abandoned places it would have been asked to wait 1.2 s.
    assert [pytest.approx(0.2)] == clock.slept


async def test_released_places_keep_every_window_within_the_budget() -> None:
    """Cancelling waiters here and there never lets the sends that follow exceed the budget."""
    clock_start = time.monotonic()
    # A 30% margin absorbs the event loop's wake-up jitter, which has nothing to do with this.
    limiter = SlidingWindowLimiter(RateLimit(requests=5, per=0.1, margin=0.3))
    sent: list[float] = []

    async def send() -> None:
        await limiter.acquire(asyncio.sleep)
        sent.append(time.monotonic() - clock_start)

    tasks = [asyncio.create_task(send()) for _ in range(40)]
    await asyncio.sleep(0.05)
    for task in tasks[10::3]:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    assert len(sent) == 40 - len(tasks[10::3])
    assert max_in_any_window(sent, 0.1) <= 5


# Pauses: any value a server or a caller hands over gives a bounded pause and no exception.

MAX = 60.0  # the documented maximum pause: Paddle's lockout


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        pytest.param(float("nan"), [MAX], id="nan"),
        pytest.param(float("inf"), [MAX], id="inf"),
        pytest.param(1e308, [MAX], id="1e308"),
        pytest.param(10**400, [MAX], id="int-beyond-float"),
        pytest.param(86400, [MAX], id="one-day"),
        pytest.param(Decimal("NaN"), [MAX], id="decimal-nan"),
        pytest.param("soon", [MAX], id="not-a-number"),
        pytest.param(None, [MAX], id="none"),
        pytest.param(-1.0, [], id="negative"),
        pytest.param(float("-inf"), [], id="minus-inf"),
        pytest.param(2.5, [2.5], id="plain"),
    ],
)
async def test_a_pause_is_bounded_whatever_it_is_given(seconds: Any, expected: list[float]) -> None:
    """pause() clamps to [0, max_pause]; NaN and what is not a number pause for the maximum."""
    clock = FakeClock()
    limiter = SlidingWindowLimiter(RateLimit(requests=10, per=1.0), clock=clock)
    await limiter.pause(seconds)
    await limiter.acquire(clock.sleep)
    assert expected == clock.slept


async def test_the_maximum_pause_is_configurable() -> None:
    """max_pause bounds a pause below Paddle's 60 s when the caller wants that."""
    clock = FakeClock()
    limiter = SlidingWindowLimiter(RateLimit(requests=10, per=1.0), clock=clock, max_pause=5.0)
    await limiter.pause(30.0)
    await limiter.acquire(clock.sleep)
    assert [5.0] == clock.slept


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: RateLimit(requests=0), id="no-requests"),
        pytest.param(lambda: RateLimit(per=float("inf")), id="infinite-window"),
        pytest.param(lambda: RateLimit(per=float("nan")), id="nan-window"),
        pytest.param(lambda: RateLimit(margin=float("nan")), id="nan-margin"),
        pytest.param(lambda: RateLimit(margin=-0.1), id="negative-margin"),
        pytest.param(lambda: SlidingWindowLimiter(RateLimit(), max_pause=-1.0), id="max-pause<0"),
        pytest.param(
            lambda: SlidingWindowLimiter(RateLimit(), max_pause=float("inf")), id="max-pause-inf"
        ),
    ],
)
def test_budgets_that_cannot_work_are_configuration_errors(make: Callable[[], object]) -> None:
    """A budget or maximum pause that is not a finite positive number is refused at once."""
    with pytest.raises(ConfigurationError):
        make()


BEYOND_FLOAT = 10**400  # an int no float can hold


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: RateLimit(per=BEYOND_FLOAT), id="per"),
        pytest.param(lambda: RateLimit(margin=BEYOND_FLOAT), id="margin"),
        pytest.param(
            lambda: SlidingWindowLimiter(RateLimit(), max_pause=BEYOND_FLOAT), id="max-pause"
        ),
    ],
)
def test_an_int_beyond_any_float_is_a_configuration_error(make: Callable[[], object]) -> None:
    """A setting of 10**400 seconds raises ConfigurationError, not float's OverflowError."""
    with pytest.raises(ConfigurationError):
        make()


# Cancelled waiters: the ones behind them move up.


async def test_cancelled_waiters_never_hold_up_the_ones_after_them() -> None:
    """Budget 2 per 2 s: A and B go at once, C, D and E wait; C and D are cancelled at 0.5 s.
    E then goes when the window allows (~2.04 s), not behind C and D (4.08 s), and so does F,
    a request made at 1 s."""
    limiter = SlidingWindowLimiter(RateLimit(requests=2, per=2.0))
    started = time.monotonic()
    went: dict[str, float] = {}

    async def send(name: str) -> None:
        await limiter.acquire(asyncio.sleep)
        went[name] = time.monotonic() - started

    tasks = {name: asyncio.create_task(send(name)) for name in "ABCDE"}
    await asyncio.sleep(0.5)
    tasks["C"].cancel()
    tasks["D"].cancel()
    await asyncio.sleep(0.5)
    tasks["F"] = asyncio.create_task(send("F"))
    await asyncio.gather(*tasks.values(), return_exceptions=True)
    print(f"\nin-process, C and D cancelled at 0.5 s: {went}")
    assert ["A", "B", "E", "F"] == sorted(went)
    assert went["A"] < 0.3
    assert went["B"] < 0.3
    assert 2.03 <= went["E"] < 2.6
    assert 2.03 <= went["F"] < 2.6


async def steps(condition: Callable[[], bool]) -> None:
    """Let the event loop run until `condition` holds (100 steps at most)."""
    for _ in range(100):
        if condition():
            return
        await asyncio.sleep(0)


async def test_a_waiter_behind_a_cancelled_one_is_woken_early() -> None:
    """On a fake clock: the place given back is taken by the waiter behind it, at once."""
    clock = FakeClock()
    limiter = SlidingWindowLimiter(RateLimit(requests=1, per=10.0, margin=0.0), clock=clock)
    await limiter.acquire(clock.sleep)
    never = asyncio.Event()
    asked: list[float] = []

    async def wait_for_wake(seconds: float) -> None:
        asked.append(seconds)
        await never.wait()

    ahead = asyncio.create_task(limiter.acquire(wait_for_wake))
    behind = asyncio.create_task(limiter.acquire(wait_for_wake))
    await steps(lambda: len(asked) == 2)
    ahead.cancel()
    await asyncio.gather(ahead, return_exceptions=True)
    await steps(lambda: len(asked) == 3)
    behind.cancel()
    await asyncio.gather(behind, return_exceptions=True)
    # behind first waited 20 s (behind `ahead`), then was told to wait 10 s instead.
    assert [10.0, 20.0, 10.0] == asked


async def test_a_failing_sleep_gives_the_place_back() -> None:
    """When the client closes during a wait, its sleep raises: acquire raises that, and the
    request's place is free for the next one."""
    clock = FakeClock()
    limiter = SlidingWindowLimiter(RateLimit(requests=1, per=10.0, margin=0.0), clock=clock)
    await limiter.acquire(clock.sleep)

    async def closed(seconds: float) -> None:
        raise ClientClosedError("the Paddle client was closed")

    with pytest.raises(ClientClosedError):
        await limiter.acquire(closed)
    await limiter.acquire(clock.sleep)
    assert [10.0] == clock.slept


# Pacing is not silent.


def pacing_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "paddle_async" and r.levelno == logging.INFO and "waits" in r.getMessage()
    ]


async def test_pacing_logs_one_line_per_window(caplog: pytest.LogCaptureFixture) -> None:
    """The first delayed request logs one INFO line with its wait; the others delayed after it
    do not; a delay after a window without any logs again."""
    caplog.set_level(logging.INFO, logger="paddle_async")
    clock = FakeClock()
    limiter = SlidingWindowLimiter(RateLimit(requests=2, per=10.0, margin=0.0), clock=clock)
    for _ in range(6):
        await limiter.acquire(clock.sleep)
    first = pacing_lines(caplog)
    clock.now += 60.0
    for _ in range(3):
        await limiter.acquire(clock.sleep)
    assert [10.0, 10.0, 10.0] == clock.slept
    assert 1 == len(first)
    assert "10.0 s" in first[0]
    assert "2 requests per 10 s" in first[0]
    assert 2 == len(pacing_lines(caplog))


# Where the names live.

RATELIMIT_NAMES = ["DEFAULT_MAX_PAUSE", "RateLimit", "RateLimiter", "SlidingWindowLimiter"]
TOP_LEVEL_NAMES = ["RateLimit", "RateLimiter", "SlidingWindowLimiter"]


def test_in_process_names_import_from_the_package_and_the_top_level() -> None:
    """`paddle_async.ratelimit` exports the in-process names in a sorted `__all__`, the very
    objects `paddle_async` exports."""
    ratelimit = importlib.import_module("paddle_async.ratelimit")
    assert RATELIMIT_NAMES == ratelimit.__all__
    assert [True] * 3 == [
        getattr(paddle_async, name) is getattr(ratelimit, name) and name in paddle_async.__all__
        for name in TOP_LEVEL_NAMES
    ]


def test_the_old_redis_module_is_gone() -> None:
    """`paddle_async.ratelimit_redis` no longer imports: the Redis limiter lives in
    `paddle_async.ratelimit.redis`."""
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("paddle_async.ratelimit_redis")
