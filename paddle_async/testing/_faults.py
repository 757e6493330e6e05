"""Fault injection for `FakePaddle`: error answers, dropped connections, delays, a rate limiter."""

from __future__ import annotations

import math
import random
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Final

import attrs

__all__ = ["CHAOS_KINDS", "Fault", "Faults"]

CHAOS_KINDS: Final = ("429", "500", "502", "503", "504", "520", "524", "drop_before", "drop_after")
"""The fault kinds `Faults.chaos` picks from by default."""

# Cloudflare's 52x answers come from the CDN, not from Paddle, so they are HTML pages.
_CDN_PAGE: Final = (
    "<!DOCTYPE html><html><head><title>{status} error</title></head>"
    "<body><h1>Error {status}</h1><p>The origin did not answer in time.</p></body></html>"
)


def _default_apply_write(status: int) -> bool:
    # Paddle says 429/500/503 mean "not processed", and Cloudflare's 521-523 say it never
    # reached the origin; any other gateway error (502, 504, 520, 524) leaves the outcome
    # unknown, so the fake takes the worst case for the client there: the write happened.
    return status in (502, 504, 520, 524)


def _format_retry_after(value: float | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if value < 0:
        raise ValueError("retry_after must not be negative")
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _check_status(status: int, body: bytes | None) -> None:
    if not 200 <= status <= 599:
        raise ValueError(f"a fault status must be between 200 and 599, got {status}")
    if status < 400 and body is None:
        raise ValueError("a fault with a non-error status needs a body")


def _check_count(n: int) -> None:
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")


def _check_fraction(fraction: float) -> None:
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must be between 0 and 1, got {fraction}")


@attrs.frozen(kw_only=True)
class Fault:
    """One injected fault: an error answer (`status` > 0) or a dropped connection (`status` 0).

    `apply_write` says whether a write (POST/PATCH/DELETE) is applied before the fault strikes.
    """

    status: int = 0
    retry_after: str | None = None
    body: bytes | None = None
    content_type: str | None = None
    apply_write: bool = False

    @property
    def drops(self) -> bool:
        """Whether the connection is closed without an answer."""
        return self.status == 0


def _status_fault(
    status: int,
    *,
    retry_after: float | str | None = None,
    body: bytes | None = None,
    content_type: str | None = None,
    apply_write: bool | None = None,
) -> Fault:
    _check_status(status, body)
    return Fault(
        status=status,
        retry_after=_format_retry_after(retry_after),
        body=body,
        content_type=content_type,
        apply_write=_default_apply_write(status) if apply_write is None else apply_write,
    )


def _matches(method: str | None, request_method: str) -> bool:
    return method is None or method.upper() == request_method


class _RateLimiter:
    """A sliding window over arrival times, with a lockout once the limit is exceeded."""

    def __init__(self, limit: int, window: float, lockout: float) -> None:
        self.limit, self.window, self.lockout = limit, window, lockout
        self._served: deque[float] = deque()
        self._locked_until = -math.inf

    def refuse(self, now: float) -> float | None:
        """Count a request arriving at `now`; return seconds to wait if it is refused."""
        if now < self._locked_until:
            return self._locked_until - now
        while self._served and self._served[0] <= now - self.window:
            self._served.popleft()
        if len(self._served) >= self.limit:
            self._locked_until = now + self.lockout
            return self.lockout
        self._served.append(now)
        return None


class Faults:
    """Make the fake misbehave on purpose; reach it as `FakePaddle.faults`.

    Scripted faults (`fail_next`, `drop_next`) are used up in the order they were added,
    before random ones (`fail_fraction`, then `chaos`). All apply only to requests that
    pass authentication and the rate limiter.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.injected = 0
        """How many status and drop faults were injected (the rate limiter's 429s not included)."""
        self.rate_limited = 0
        """How many requests the rate limiter refused with 429."""
        self.clear()

    def clear(self) -> None:
        """Remove every fault, delay and the rate limiter (the counters stay)."""
        self._queue: deque[tuple[Fault, str | None]] = deque()
        self._fraction: tuple[float, random.Random, Sequence[Fault], str | None] | None = None
        self._chaos: tuple[float, random.Random, Sequence[Fault], str | None] | None = None
        self._delay: tuple[float, int | None, str | None] | None = None
        self._limiter: _RateLimiter | None = None

    def fail_next(
        self,
        n: int = 1,
        status: int = 503,
        *,
        retry_after: float | str | None = None,
        body: bytes | None = None,
        content_type: str | None = None,
        apply_write: bool | None = None,
        method: str | None = None,
    ) -> None:
        """Answer the next `n` requests with an error status.

        Args:
            n: How many requests to fail.
            status: The HTTP status: 4xx or 5xx, or 2xx/3xx with a `body` (to send a
                malformed success, say).
            retry_after: The Retry-After header: seconds, or a string sent as is (an HTTP-date);
                None sends no header.
            body: A raw body to send instead of Paddle's error envelope (an HTML page, say).
            content_type: The body's Content-Type; defaults to text/plain.
            apply_write: Whether a POST, PATCH or DELETE is applied before the error. Defaults
                to False for 429, 500, 503 ("not processed") and 521-523 (the origin was never
                reached), and True for 502, 504, 520 and 524.
            method: Only fail requests with this HTTP method.
        """
        _check_count(n)
        fault = _status_fault(
            status,
            retry_after=retry_after,
            body=body,
            content_type=content_type,
            apply_write=apply_write,
        )
        self._queue.extend([(fault, method)] * n)

    def drop_next(
        self, n: int = 1, *, after_write: bool = False, method: str | None = None
    ) -> None:
        """Close the connection of the next `n` requests without answering.

        Args:
            n: How many requests to drop.
            after_write: Apply a POST, PATCH or DELETE before dropping (the client cannot know).
            method: Only drop requests with this HTTP method.
        """
        _check_count(n)
        self._queue.extend([(Fault(status=0, apply_write=after_write), method)] * n)

    def fail_fraction(
        self,
        fraction: float,
        statuses: Sequence[int] = (500, 502, 503, 504),
        *,
        seed: int = 0,
        retry_after: float | str | None = None,
        apply_write: bool | None = None,
        method: str | None = None,
    ) -> None:
        """Fail a random share of requests with a random status from `statuses`.

        Args:
            fraction: The probability, 0 to 1, that a request fails.
            statuses: The statuses to pick from.
            seed: Seeds the random choices, so a test sees the same faults every run.
            retry_after: The Retry-After header, as in `fail_next`.
            apply_write: As in `fail_next`; None picks the default per status.
            method: Only fail requests with this HTTP method.
        """
        _check_fraction(fraction)
        faults = [
            _status_fault(s, retry_after=retry_after, apply_write=apply_write) for s in statuses
        ]
        self._fraction = (fraction, random.Random(seed), faults, method)

    def chaos(
        self,
        fraction: float,
        *,
        seed: int = 0,
        kinds: Sequence[str] = CHAOS_KINDS,
        retry_after: float | str | None = None,
        method: str | None = None,
    ) -> None:
        """Give a random share of requests one random fault from `kinds`.

        Args:
            fraction: The probability, 0 to 1, that a request gets a fault.
            seed: Seeds the random choices.
            kinds: Status codes as strings ("429", "503", ...) or "drop_before" / "drop_after"
                (drop the connection before or after applying a write). 520-524 answer with an
                HTML page, as the CDN in front of Paddle would; other statuses with Paddle's
                envelope.
            retry_after: The Retry-After header sent with "429".
            method: Only affect requests with this HTTP method.
        """
        _check_fraction(fraction)
        faults = []
        for kind in kinds:
            if kind in ("drop_before", "drop_after"):
                faults.append(Fault(status=0, apply_write=kind == "drop_after"))
            elif kind.isdigit() and 520 <= int(kind) <= 524:
                page = _CDN_PAGE.format(status=kind).encode()
                faults.append(_status_fault(int(kind), body=page, content_type="text/html"))
            elif kind.isdigit():
                ra = retry_after if kind == "429" else None
                faults.append(_status_fault(int(kind), retry_after=ra))
            else:
                raise ValueError(f"unknown chaos kind {kind!r}")
        self._chaos = (fraction, random.Random(seed), faults, method)

    def delay(self, seconds: float, *, n: int | None = None, method: str | None = None) -> None:
        """Hold back responses: the request is handled (writes applied), then the answer waits.

        Args:
            seconds: How long to wait before answering.
            n: Delay only the next `n` responses; None delays all until `clear()`.
            method: Only delay requests with this HTTP method.
        """
        if seconds < 0 or (n is not None and n < 0):
            raise ValueError("seconds and n must not be negative")
        self._delay = (seconds, n, method) if n != 0 else None

    def rate_limit(self, limit: int = 240, window: float = 60.0, lockout: float = 60.0) -> None:
        """Refuse requests over `limit` in any `window` seconds, like Paddle's per-IP limit.

        A refused request gets 429 `too_many_requests` with Retry-After (whole seconds, rounded
        up) and starts a lockout: every request in the next `lockout` seconds gets 429 too.
        Refused requests do not count towards the limit.

        Args:
            limit: Requests allowed in any window.
            window: The window's length in seconds.
            lockout: How long every request is refused once the limit is exceeded, in seconds.
        """
        if limit < 1 or window <= 0 or lockout < 0:
            raise ValueError("limit must be at least 1, window positive and lockout not negative")
        self._limiter = _RateLimiter(limit, window, lockout)

    # The fake's side: called once per authenticated request, in this order.

    def _refuse(self) -> str | None:
        """Run the rate limiter; return the Retry-After value if the request is refused."""
        if self._limiter is None:
            return None
        wait = self._limiter.refuse(self._clock())
        if wait is None:
            return None
        self.rate_limited += 1
        return str(max(1, math.ceil(wait)))

    def _pick(self, method: str) -> Fault | None:
        """Choose the fault for a request, if any, and count it."""
        fault = None
        for i, (queued, queued_method) in enumerate(self._queue):
            if _matches(queued_method, method):
                del self._queue[i]
                fault = queued
                break
        for random_faults in (self._fraction, self._chaos):
            if fault is None and random_faults is not None:
                fraction, rng, choices, only = random_faults
                if _matches(only, method) and rng.random() < fraction:
                    fault = rng.choice(choices)
        if fault is not None:
            self.injected += 1
        return fault

    def _delay_for(self, method: str) -> float:
        """Return how long to hold back this request's response."""
        if self._delay is None:
            return 0.0
        seconds, n, only = self._delay
        if not _matches(only, method):
            return 0.0
        if n is not None:
            self._delay = (seconds, n - 1, only) if n > 1 else None
        return seconds
