"""What every rate limiter shares: the protocol, bounds on settings and pauses, and its sleep."""

from __future__ import annotations

import asyncio
import math
import sys
from collections.abc import Awaitable, Callable
from typing import Final, Protocol, TypeGuard, runtime_checkable

from .. import errors

__all__ = [
    "DEFAULT_MAX_PAUSE",
    "RateLimiter",
    "Sleep",
    "check_max_pause",
    "check_positive",
    "is_finite_number",
    "pause_seconds",
    "sleep_unless",
]

Sleep = Callable[[float], Awaitable[None]]

DEFAULT_MAX_PAUSE: Final = 60.0
"""The longest pause a limiter takes from `RateLimiter.pause`: Paddle's lockout, 60 s."""


@runtime_checkable
class RateLimiter(Protocol):
    """What the client needs from a rate limiter; implement it to share a budget elsewhere."""

    async def acquire(self, sleep: Sleep) -> None:
        """Wait (through ``sleep``) until one more request may be sent, and count it."""

    async def pause(self, seconds: float) -> None:
        """Stop every request for ``seconds``: Paddle answered 429 with this Retry-After.

        Implementations must accept any value (the client passes what a server said): bound
        it, and raise nothing but `paddle_async.errors` types.
        """


def is_finite_number(value: object) -> TypeGuard[int | float]:
    """Return whether ``value`` is a finite float, or an int that a float can hold."""
    if isinstance(value, float):
        return math.isfinite(value)
    # math.isfinite() raises OverflowError for an int beyond the largest float (10**400).
    return isinstance(value, int) and abs(value) <= sys.float_info.max


def check_positive(name: str, value: object) -> None:
    """Raise `ConfigurationError` unless ``value`` is a finite number above 0."""
    if not (is_finite_number(value) and value > 0):
        raise errors.ConfigurationError(f"{name} must be a finite number above 0, got {value!r}")


def check_max_pause(max_pause: float) -> float:
    """Return ``max_pause`` if it is a finite number of seconds, at least 0.

    Raises:
        ConfigurationError: It is not.
    """
    if not (is_finite_number(max_pause) and max_pause >= 0):
        raise errors.ConfigurationError(
            f"max_pause must be a finite number of seconds, at least 0, got {max_pause!r}"
        )
    return float(max_pause)


def pause_seconds(seconds: object, max_pause: float) -> float:
    """Return how long a pause asked for ``seconds`` lasts: clamped to ``[0, max_pause]``.

    A 429's Retry-After comes from a server and may be anything: NaN, or something that is no
    number at all, says nothing usable, so the pause is the maximum (a 429 did arrive).
    """
    try:
        value = float(seconds)  # type: ignore[arg-type]
    except Exception:  # anything float() refuses: not a usable number of seconds
        return max_pause
    if math.isnan(value):
        return max_pause
    return min(max(value, 0.0), max_pause)


async def sleep_unless(sleep: Sleep, seconds: float, *events: asyncio.Future[None]) -> None:
    """Sleep through ``sleep`` for ``seconds``, or until one of ``events`` is done.

    ``sleep`` is the client's, which its ``aclose()`` interrupts with `ClientClosedError`; that
    (or any error of the sleep) is raised here.
    """
    sleeping = asyncio.ensure_future(sleep(seconds))
    try:
        await asyncio.wait((sleeping, *events), return_when=asyncio.FIRST_COMPLETED)
    except BaseException:
        if not sleeping.done():
            sleeping.cancel()
        elif not sleeping.cancelled():
            sleeping.exception()  # seen: the caller's own error (its cancellation) wins
        raise
    if sleeping.done():
        sleeping.result()
    else:
        sleeping.cancel()  # woken by an event
