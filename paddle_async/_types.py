"""Small shared types: the UNSET sentinel, `Environment` and `Timeout`."""

from __future__ import annotations

import enum
from typing import Any, Final, Literal, TypeAlias, TypeVar

import attrs

__all__ = ["UNSET", "Environment", "Timeout", "Unset", "Unsettable"]

T = TypeVar("T")


class Unset(enum.Enum):
    """The type of `UNSET`: a field that is not given, as opposed to one given as None."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> Literal[False]:
        return False


UNSET: Final = Unset.UNSET
"""Marks a field as not given: it is left out of the request body."""

Unsettable: TypeAlias = T | Unset


class Environment(enum.Enum):
    """A Paddle environment and its API base URL."""

    PRODUCTION = "https://api.paddle.com"
    SANDBOX = "https://sandbox-api.paddle.com"

    @property
    def base_url(self) -> str:
        """The environment's API base URL."""
        return self.value


def _positive_or_none(_: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and not value > 0:
        raise ValueError(f"{attribute.name} must be a positive number of seconds or None")


@attrs.frozen(kw_only=True)
class Timeout:
    """How long a request may take, in seconds.

    Args:
        total: The whole attempt: connecting, sending, waiting for and reading the response.
            Each retry gets its own `total`. None means no limit (not recommended).
        connect: Getting a connection from the pool and connecting, a part of `total`.
    """

    total: float | None = attrs.field(default=30.0, validator=_positive_or_none)
    connect: float | None = attrs.field(default=5.0, validator=_positive_or_none)

    @classmethod
    def coerce(cls, value: Timeout | float | None) -> Timeout:
        """Accept a `Timeout`, a number of seconds for `total`, or None for the defaults."""
        if value is None:
            return cls()
        if isinstance(value, Timeout):
            return value
        return cls(total=float(value), connect=min(float(value), cls().connect or float(value)))
