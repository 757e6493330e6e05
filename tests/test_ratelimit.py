"""The sliding-window limiter: never more than the budget in any window, and shared pauses."""

from __future__ import annotations

import asyncio
import time

import pytest
from sliding_window import max_in_any_window

from paddle_async import RateLimit, RateLimiter, SlidingWindowLimiter


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
