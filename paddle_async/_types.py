"""Small shared types: the UNSET sentinel, `Environment`, `Timeout`, an ``async with`` mixin."""

from __future__ import annotations

import enum
import math
from types import TracebackType
from typing import Any, Final, Literal, Self, TypeAlias

import attrs

from .errors import ConfigurationError

__all__ = [
    "UNSET",
    "AsyncContextMixin",
    "Environment",
    "Timeout",
    "TimeoutArg",
    "Unset",
    "secret_repr",
]


class Unset(enum.Enum):
    """The type of `UNSET`: a field that is not given, as opposed to one given as None."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> Literal[False]:
        return False


UNSET: Final = Unset.UNSET
"""Marks a field as not given: it is left out of the request body."""


class Environment(enum.Enum):
    """A Paddle environment and its API base URL."""

    PRODUCTION = "https://api.paddle.com"
    SANDBOX = "https://sandbox-api.paddle.com"

    @property
    def base_url(self) -> str:
        """The environment's API base URL."""
        return self.value


def _positive_or_none(_: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    # Infinity would pass here and fail later inside aiohttp; None is how to say "no limit".
    if value is not None and not (
        isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < math.inf
    ):
        raise ConfigurationError(
            f"timeout {attribute.name} must be a positive, finite number of seconds or None, "
            f"got {value!r}"
        )


@attrs.frozen(kw_only=True)
class Timeout:
    """How long a request may take, in seconds.

    Args:
        total: The whole attempt: connecting, sending, waiting for and reading the response.
            Each retry gets its own `total`. None means no limit (not recommended).
        connect: Getting a connection from the pool and connecting, a part of `total`.

    Raises:
        ConfigurationError: A value is not a positive, finite number of seconds or None.
    """

    total: float | None = attrs.field(default=30.0, validator=_positive_or_none)
    connect: float | None = attrs.field(default=5.0, validator=_positive_or_none)

    @classmethod
    def coerce(cls, value: Timeout | float | None) -> Timeout:
        """Accept a `Timeout`, a number of seconds for `total`, or None for the defaults.

        Raises:
            ConfigurationError: ``value`` is none of these, or not a valid number of seconds.
        """
        if value is None:
            return cls()
        if isinstance(value, Timeout):
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigurationError(
                f"timeout must be a Timeout, a number of seconds or None, got {value!r}"
            )
        seconds = float(value)
        return cls(total=seconds, connect=min(seconds, cls().connect or seconds))


TimeoutArg: TypeAlias = "Timeout | float | None"
"""What a ``timeout=`` argument takes: a `Timeout`, seconds for the total, or None (the default)."""


class AsyncContextMixin:
    """``async with`` for an object with ``aclose()``: entering awaits `_open`, leaving `aclose`.

    A subclass defines ``aclose()`` and, when entering has work to do (start a server, check
    it is not closed), ``_open()``. ``__aenter__`` returns the object itself.
    """

    __slots__ = ()

    async def _open(self) -> None:
        """Get ready for use at the start of ``async with`` (nothing by default)."""

    async def aclose(self) -> None:
        """Release what the object holds; called when ``async with`` is left."""
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        await self._open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def secret_repr(value: object) -> str:
    """Return a secret's ``repr``: enough to tell what it is, never enough to use it.

    For an attrs field's ``repr=``: a URL shows its scheme and host only (``'https://host/…'``,
    no path, query or credentials); other text its prefix up to the first ``_`` (``'pca_…'``),
    when that is a short one, else only ``'…'``. None (or anything but text) is shown as it is.
    """
    if not isinstance(value, str):
        return repr(value)
    scheme, separator, rest = value.partition("://")
    if separator and scheme.isalpha():
        host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rpartition("@")[2]
        return repr(f"{scheme}://{host}/…")
    prefix, separator, _ = value.partition("_")
    shown = prefix + "_" if separator and 1 <= len(prefix) <= 8 and prefix.isalnum() else ""
    return repr(shown + "…")
