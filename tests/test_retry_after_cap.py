"""Retry-After is bounded: hostile values never pause the limiter past the cap, nor raise."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paddle_async import Paddle, RetryPolicy
from paddle_async._protocol import Kind, parse_retry_after
from paddle_async._retry import call_with_retries
from paddle_async.errors import RateLimitError
from paddle_async.ratelimit._base import Sleep
from paddle_async.testing import FakePaddle

CAP = 60.0
YEAR_9999 = "Fri, 31 Dec 9999 23:59:59 GMT"


class RecordingLimiter:
    """A `RateLimiter` that lets everything through and records each pause it is asked for."""

    def __init__(self) -> None:
        self.pauses: list[float] = []

    async def acquire(self, sleep: Sleep) -> None:
        return None

    async def pause(self, seconds: float) -> None:
        self.pauses.append(seconds)


@pytest.fixture
def limiter() -> RecordingLimiter:
    return RecordingLimiter()


@pytest.fixture
async def client(fake: FakePaddle, limiter: RecordingLimiter) -> AsyncIterator[Paddle]:
    """A client for `fake` whose rate limiter records pauses."""
    async with Paddle(fake.api_key, base_url=fake.base_url, rate_limit=limiter) as paddle:
        yield paddle


@pytest.mark.parametrize(
    ("header", "low", "high"),
    [("86400", 86400.0, 86400.0), ("1e308", 1e308, 1e308), (YEAR_9999, 2.0e11, 2.6e11)],
    ids=["a-day", "1e308", "year-9999"],
)
async def test_retry_after_over_the_cap_raises_at_once_and_pauses_for_the_cap(
    client: Paddle,
    fake: FakePaddle,
    limiter: RecordingLimiter,
    retry_waits: list[float],
    header: str,
    low: float,
    high: float,
) -> None:
    """A usable Retry-After above the cap raises RateLimitError keeping it; the pause is the cap."""
    fake.faults.fail_next(1, 429, retry_after=header)
    with pytest.raises(RateLimitError) as caught:
        await client.customers.list().collect()
    said = caught.value.retry_after
    assert said is not None
    assert low <= said <= high
    assert ([CAP], [], 1) == (limiter.pauses, retry_waits, len(fake.requests))


UNUSABLE = ["inf", "nan", "-5", "garbage", "1e400", "Infinity", "1_0", "\u0663", "-0"]


@pytest.mark.parametrize("header", [*UNUSABLE, None])
async def test_unusable_retry_after_waits_the_cap_then_retries(
    client: Paddle,
    fake: FakePaddle,
    limiter: RecordingLimiter,
    retry_waits: list[float],
    header: str | None,
) -> None:
    """A 429 without a usable Retry-After pauses the limiter and waits for the cap, once."""
    fake.faults.fail_next(1, 429, retry_after=header)
    assert [] == await client.customers.list().collect()
    assert ([CAP], [CAP], [429, 200]) == (
        limiter.pauses,
        retry_waits,
        [r.status for r in fake.requests],
    )


@pytest.mark.parametrize("header", [*UNUSABLE, None])
async def test_unusable_retry_after_is_none_on_the_error(
    fake: FakePaddle, limiter: RecordingLimiter, header: str | None
) -> None:
    """Without retries, such a 429 raises RateLimitError with retry_after None; pause: the cap."""
    fake.faults.fail_next(1, 429, retry_after=header)
    async with Paddle(
        fake.api_key, base_url=fake.base_url, rate_limit=limiter, max_retries=0
    ) as paddle:
        with pytest.raises(RateLimitError) as caught:
            await paddle.customers.list().collect()
    assert (None, [CAP]) == (caught.value.retry_after, limiter.pauses)


async def test_a_smaller_cap_bounds_the_pause(fake: FakePaddle, limiter: RecordingLimiter) -> None:
    """The cap is RetryPolicy.max_retry_after: a missing Retry-After pauses exactly that long."""
    fake.faults.fail_next(1, 429)
    policy = RetryPolicy(max_retry_after=5.0)
    async with Paddle(fake.api_key, base_url=fake.base_url, rate_limit=limiter, retry=policy) as p:
        await p.customers.list().collect()
    assert [5.0] == limiter.pauses


async def test_usable_retry_after_within_the_cap_is_waited_exactly(
    client: Paddle, fake: FakePaddle, limiter: RecordingLimiter, retry_waits: list[float]
) -> None:
    """A Retry-After within the cap is both the pause and the wait."""
    fake.faults.fail_next(1, 429, retry_after="12.5")
    await client.customers.list().collect()
    assert ([12.5], [12.5]) == (limiter.pauses, retry_waits)


@pytest.mark.parametrize("said", [math.inf, math.nan, -5.0, 1e308])
async def test_an_error_made_elsewhere_never_pauses_past_the_cap(said: float) -> None:
    """Whatever retry_after a RateLimitError carries, the pause handed on is at most the cap."""
    pauses: list[float] = []

    async def attempt() -> None:
        raise RateLimitError(status=429, retry_after=said)

    async def on_rate_limited(seconds: float) -> None:
        pauses.append(seconds)

    async def sleep(seconds: float) -> None:
        return None

    with pytest.raises(RateLimitError):
        await call_with_retries(
            attempt,
            policy=RetryPolicy(max_retries=0),
            kind=Kind.READ,
            describe="GET /customers",
            sleep=sleep,
            on_rate_limited=on_rate_limited,
        )
    assert [CAP] == pauses


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("86400", 86400.0),
        ("1e308", 1e308),
        ("0", 0.0),
        ("2.5", 2.5),
        ("inf", None),
        ("nan", None),
        ("-5", None),
        ("garbage", None),
        ("1e400", None),
        ("9" * 5000, None),
        ("0x10", None),
        ("1_000", None),
        ("\uff15", None),
        ("Fri, 31 Dec 99999 23:59:59 GMT", None),
        ("Fri, 31 Dec " + "9" * 40 + " 23:59:59 GMT", None),
        ("Fri, 31 Dec 9999 23:59:59 +9999", None),
        ("Fri, 31 Dec 9999 99:99:99 GMT", None),
        ("Mon, 01 Jan 0001 00:00:00 +2359", 0.0),
    ],
)
def test_parse_retry_after_hostile_values(value: str, expected: float | None) -> None:
    """Only finite, non-negative seconds or dates parse; overflowing values are None."""
    assert expected == parse_retry_after(value, now=1_700_000_000.0)


def test_a_date_in_year_9999_is_a_huge_number() -> None:
    """An HTTP-date in year 9999 parses (it is a date); the retry loop caps it."""
    now = 1_700_000_000.0
    expected = 253402300799.0 - now
    assert expected == parse_retry_after(YEAR_9999, now=now)


def test_a_date_without_zone_is_utc() -> None:
    """An HTTP-date with -0000 counts from UTC, not from the local zone."""
    assert 30.0 == parse_retry_after("Thu, 01 Jan 1970 00:00:30 -0000", now=0.0)


@given(st.text())
def test_parse_retry_after_never_raises(value: str) -> None:
    """Any text gives None or a finite, non-negative number."""
    seconds = parse_retry_after(value, now=0.0)
    assert seconds is None or (math.isfinite(seconds) and seconds >= 0)


@pytest.mark.parametrize("field", ["max_retry_after", "max_time", "initial_backoff", "max_backoff"])
@pytest.mark.parametrize("value", [math.inf, math.nan, -1.0])
def test_retry_policy_refuses_unbounded_durations(field: str, value: float) -> None:
    """A RetryPolicy duration must be finite and not negative: an infinite cap caps nothing."""
    with pytest.raises(ValueError, match=field):
        RetryPolicy(**{field: value})
