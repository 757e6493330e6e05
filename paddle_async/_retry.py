"""The only module that imports backoff: what is retried, and how long to wait.

The decision table (by request kind, see `Kind`):

==================================  ======  ======  ====================  ====================
outcome                             GET     PATCH   POST /customers,      POST .../addresses,
                                                    DELETE                .../businesses
(request kind)                      READ    UPDATE  CREATE, DELETE        CREATE_ONCE
==================================  ======  ======  ====================  ====================
connect error, connect timeout      retry   retry   retry (never reached  retry
                                                    Paddle)
429 with a usable Retry-After       wait    wait    wait it (429: not     wait it
                                    it      it      processed)
429 without one                     wait    wait    wait the cap          wait the cap
                                    cap     cap
429 asking for more than the cap    raise   raise   raise                 raise
500, 503 with Paddle's code         retry   retry   retry ("not           retry
                                                    processed")
521, 522, 523                       retry   retry   retry (Cloudflare     retry
                                                    never reached Paddle)
502, 504, 520, 524, other 500/503   retry   retry   retry, outcome        raise (may have
                                                    unknown               been created)
timeout, dropped after sending      retry   retry   retry, outcome        raise (may have
                                                    unknown               been created)
400, 401, 403, 404, 409, other 4xx  raise   raise   raise                 raise
==================================  ======  ======  ====================  ====================

Paddle's codes for a 500 and a 503 are ``internal_error`` and ``service_unavailable``; a 500
or 503 without one (a proxy's HTML page) says nothing about whether the request reached Paddle.
"Retry" waits the backoff schedule; "the cap" is `RetryPolicy.max_retry_after`, Paddle's 60 s
lockout by default. Every 429 also pauses the shared rate limiter, never for more than the cap.
"Outcome unknown" marks the create: a later 409 ``customer_already_exists`` may be our own
customer, which the create operation then reconciles instead of raising. An address or a
business has nothing unique that a retry could run into, so a repeat after an unknown outcome
could make a second one: a `Kind.CREATE_ONCE` request is raised there instead, and the caller
decides (list the customer's addresses or businesses to see whether it was made).
A delete (``Kind.DELETE``) is marked too: a later 404 may mean our own earlier attempt deleted
the entity, which the delete operation then takes as done.

The customer auth token and portal session POSTs are sent as ``Kind.UPDATE`` (the PATCH
column): each call makes a fresh short-lived secret and changes nothing else, so a repeat
after an unknown outcome at worst makes one more, which expires unused.
"""

from __future__ import annotations

import contextlib
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Final, TypeVar

import attrs
import backoff

from . import errors
from ._protocol import Kind

__all__ = [
    "RetryPolicy",
    "call_with_retries",
    "recording_waits",
    "set_waits_enabled",
    "waits_enabled",
]

T = TypeVar("T")
logger = logging.getLogger("paddle_async")

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
# Statuses where Paddle (or Cloudflare in front of it) tells us the request was not processed.
NOT_PROCESSED_STATUSES = frozenset({429, 500, 503, 521, 522, 523})
# A 500 or 503 says so only with Paddle's own code: the same status from a proxy in between
# (an HTML page, no code) says nothing about whether the request reached Paddle.
_PADDLE_NOT_PROCESSED: Final = {500: "internal_error", 503: "service_unavailable"}


def _seconds(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    # NaN passes a plain `< 0` test, and an infinite wait or cap would reach the limiter.
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{attribute.name} must be a finite number, not negative")


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How the client retries failed requests.

    Args:
        max_retries: Retries after the first attempt (0 turns retries off).
        max_time: Seconds from the first attempt after which no retry starts.
        initial_backoff: The first backoff wait, doubled each retry (with jitter).
        max_backoff: The longest backoff wait.
        max_retry_after: The cap on ``Retry-After`` (default 60 s, Paddle's lockout): a 429
            asking for more raises `RateLimitError` at once, a 429 without a usable value
            waits the cap, and the rate limiter is never paused for longer.

    Raises:
        ValueError: A negative number of retries, or a duration that is negative or not
            finite.
    """

    max_retries: int = attrs.field(default=3, validator=attrs.validators.ge(0))
    max_time: float = attrs.field(default=120.0, validator=_seconds)
    initial_backoff: float = attrs.field(default=0.5, validator=_seconds)
    max_backoff: float = attrs.field(default=8.0, validator=_seconds)
    max_retry_after: float = attrs.field(default=60.0, validator=_seconds)

    def backoff_waits(self) -> Iterator[float]:
        """Yield the backoff waits before each retry: exponential, with equal jitter."""
        schedule = backoff.expo(base=2, factor=self.initial_backoff, max_value=self.max_backoff)
        next(schedule)  # backoff's generators are primed with one send(None)
        for nominal in schedule:
            # Half fixed, half random: spreads retrying clients without ever waiting ~0.
            yield nominal / 2 + random.uniform(0, nominal / 2)


class _WaitRecorder:
    """The test switch: record retry waits instead of sleeping through them."""

    active: list[float] | None = None


@contextlib.contextmanager
def recording_waits() -> Iterator[list[float]]:
    """Turn retry waits off inside the block, recording each skipped wait in the yielded list."""
    previous = _WaitRecorder.active
    waits: list[float] = []
    _WaitRecorder.active = waits
    try:
        yield waits
    finally:
        _WaitRecorder.active = previous


@contextlib.contextmanager
def waits_enabled() -> Iterator[None]:
    """Sleep through retry waits inside the block, even where `recording_waits` is active."""
    previous = _WaitRecorder.active
    _WaitRecorder.active = None
    try:
        yield
    finally:
        _WaitRecorder.active = previous


def set_waits_enabled(enabled: bool) -> None:
    """Turn retry waits on or off for the whole process (for test suites)."""
    _WaitRecorder.active = None if enabled else []


@attrs.frozen
class _Decision:
    retry: bool
    unknown_outcome: bool
    wait: float | None  # None: use the backoff schedule
    pause: float | None = None  # a 429: how long to pause the shared limiter


_GIVE_UP = _Decision(False, False, None)
# The kinds whose operations read "an earlier attempt may have reached Paddle" off the error.
_OUTCOME_MATTERS = frozenset({Kind.CREATE, Kind.DELETE})


def _decide(exc: errors.PaddleError, kind: Kind, cap: float) -> _Decision:
    once = kind is Kind.CREATE_ONCE
    if isinstance(exc, errors.TransportError):
        if once and exc.sent:
            return _GIVE_UP  # it may have been created: a repeat could make a second one
        return _Decision(True, exc.sent and kind in _OUTCOME_MATTERS, None)
    if not (isinstance(exc, errors.APIError) and exc.status in RETRYABLE_STATUSES):
        return _GIVE_UP
    processed_maybe = exc.status not in NOT_PROCESSED_STATUSES or (
        exc.status in _PADDLE_NOT_PROCESSED and exc.code != _PADDLE_NOT_PROCESSED[exc.status]
    )
    if once and processed_maybe:
        return _GIVE_UP
    unknown = kind in _OUTCOME_MATTERS and processed_maybe
    if exc.status != 429:
        return _Decision(True, unknown, None)
    retry_after = exc.retry_after
    # parse_retry_after gives only finite, non-negative numbers, but the error may have been
    # made elsewhere: nothing unbounded reaches the limiter either way.
    if retry_after is None or not (math.isfinite(retry_after) and retry_after >= 0):
        # Paddle always sends one; without it (a proxy's 429, or junk) assume its lockout.
        # Waiting the cap, not a short backoff: a retry inside the lockout only meets
        # another 429, and a paused limiter would hold it that long anyway.
        return _Decision(True, unknown, cap, pause=cap)
    if retry_after > cap:
        return _Decision(False, unknown, None, pause=cap)
    return _Decision(True, unknown, retry_after, pause=retry_after)


async def call_with_retries(
    attempt: Callable[[], Awaitable[T]],
    *,
    policy: RetryPolicy,
    kind: Kind,
    describe: str,
    sleep: Callable[[float], Awaitable[None]],
    on_rate_limited: Callable[[float], Awaitable[None]] | None = None,
    clock: Callable[[], float] = time.monotonic,
    started: float | None = None,
    failed: errors.APIError | errors.TransportError | None = None,
) -> T:
    """Run ``attempt`` until it succeeds, raises something final, or the budget runs out.

    Args:
        attempt: Sends the request once; raises a paddle_async error on failure.
        policy: The retry budget and waits.
        kind: How safe the request is to repeat.
        describe: ``METHOD /path`` for log lines.
        sleep: Waits between attempts (the client's, which a close interrupts).
        on_rate_limited: Told how long to pause the shared limiter after a 429: its
            Retry-After, or `RetryPolicy.max_retry_after` when that is absent, unusable or
            larger (never more).
        clock: Monotonic time, for the time budget.
        started: When the first attempt started, on ``clock`` (default: now).
        failed: What the first attempt raised, when the caller made it already: the loop
            carries on from there as if its own first attempt had raised it.

    Raises:
        The last error, with `CustomerAlreadyExistsError.after_unknown_outcome` (a create) or
        `NotFoundError.after_unknown_outcome` (a delete) set when an earlier attempt may have
        reached Paddle.
    """
    if started is None:
        started = clock()
    waits: Iterator[float] | None = None  # made on the first retry: most calls never need it
    unknown_outcome = False
    retries = 0
    exc = failed
    while True:
        if exc is None:
            try:
                return await attempt()
            except (errors.APIError, errors.TransportError) as error:
                exc = error
        # Raised from here, outside the `except`: the error keeps its own traceback and
        # context, whether this loop or the caller made the attempt.
        if isinstance(exc, (errors.CustomerAlreadyExistsError, errors.NotFoundError)):
            exc.after_unknown_outcome = unknown_outcome
            raise exc
        decision = _decide(exc, kind, policy.max_retry_after)
        unknown_outcome = unknown_outcome or decision.unknown_outcome
        if decision.pause is not None and on_rate_limited is not None:
            # Pause every task sharing the limiter, even when this one gives up below.
            await on_rate_limited(decision.pause)
        if not decision.retry:
            raise exc
        if decision.wait is None:
            if waits is None:
                waits = policy.backoff_waits()
            wait = next(waits)
        else:
            wait = decision.wait
        if retries >= policy.max_retries or clock() - started + wait > policy.max_time:
            raise exc
        retries += 1
        logger.debug(
            "retry %d/%d of %s after %s in %.2f s (request_id=%s)",
            retries,
            policy.max_retries,
            describe,
            _what(exc),
            wait,
            getattr(exc, "request_id", None),
        )
        exc = None
        recorder = _WaitRecorder.active
        if recorder is not None:
            recorder.append(wait)
        else:
            await sleep(wait)


def _what(exc: errors.PaddleError) -> str:
    if isinstance(exc, errors.APIError):
        return f"HTTP {exc.status}" + (f" {exc.code}" if exc.code else "")
    return type(exc).__name__
