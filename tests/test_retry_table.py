"""The retry decision table of `_retry`, row by row, for every request kind (no server)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from paddle_async import RetryPolicy
from paddle_async._protocol import Kind
from paddle_async._retry import call_with_retries
from paddle_async.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    NotFoundError,
    PaddleError,
    error_class_for,
)

# Paddle's own code for the 5xx statuses its docs call "not processed".
PADDLE_CODES = {500: "internal_error", 503: "service_unavailable"}


def api_error(status: int, code: str | None = None) -> APIError:
    return error_class_for(status, code)(status=status, code=code, retry_after=0.0)


def connect_error() -> PaddleError:
    return APIConnectionError("POST /x: cannot connect", method="POST", path="/x", sent=False)


def connect_timeout() -> PaddleError:
    return APITimeoutError("POST /x: no connection", method="POST", path="/x", sent=False)


def total_timeout() -> PaddleError:
    return APITimeoutError("POST /x: no response", method="POST", path="/x", sent=True)


def dropped() -> PaddleError:
    return APIConnectionError("POST /x: connection lost", method="POST", path="/x", sent=True)


Make = Callable[[], PaddleError]
NEVER_REACHED: list[Make] = [connect_error, connect_timeout]
NOT_PROCESSED: list[Make] = [
    lambda s=s: api_error(s, PADDLE_CODES.get(s)) for s in (429, 500, 503, 521, 522, 523)
]
UNKNOWN: list[Make] = [
    total_timeout,
    dropped,
    *(lambda s=s: api_error(s) for s in (502, 504, 520, 524)),
    # A 500 or 503 without Paddle's code: a proxy's page, which says nothing about Paddle.
    *(lambda s=s: api_error(s) for s in (500, 503)),
]
FINAL: list[Make] = [lambda s=s: api_error(s) for s in (400, 401, 403, 404, 409, 422)]


async def attempts(kind: Kind, failure: PaddleError) -> int:
    """Return how many times a request of ``kind`` is sent when its first attempt fails so."""
    sent = 0

    async def attempt() -> str:
        nonlocal sent
        sent += 1
        if sent == 1:
            raise failure
        return "ok"

    async def sleep(_: float) -> None:
        pass

    raised: PaddleError | None = None
    try:
        await call_with_retries(
            attempt, policy=RetryPolicy(), kind=kind, describe="POST /x", sleep=sleep
        )
    except PaddleError as exc:
        raised = exc
    assert raised in (None, failure)  # what is not retried is raised as it came
    return sent


def rows(makers: list[Make], kinds: list[Kind], sends: int) -> list[Any]:
    return [
        pytest.param(kind, make, sends, id=f"{kind.name}-{i}")
        for kind in kinds
        for i, make in enumerate(makers)
    ]


ALL = list(Kind)


@pytest.mark.parametrize(
    ("kind", "make", "sends"),
    [
        *rows(NEVER_REACHED, ALL, 2),
        *rows(NOT_PROCESSED, ALL, 2),
        *rows(UNKNOWN, [Kind.READ, Kind.UPDATE, Kind.CREATE, Kind.DELETE], 2),
        *rows(UNKNOWN, [Kind.CREATE_ONCE], 1),
        *rows(FINAL, ALL, 1),
    ],
)
async def test_the_decision_table(kind: Kind, make: Make, sends: int) -> None:
    """CREATE_ONCE is retried only where Paddle provably did not process the request."""
    assert sends == await attempts(kind, make())


def test_every_kind_is_in_the_table() -> None:
    """A new Kind must be placed in this table (and the docstring's) on purpose."""
    assert {"READ", "UPDATE", "CREATE", "CREATE_ONCE", "DELETE"} == {kind.name for kind in Kind}


async def not_found_after(kind: Kind, first: PaddleError) -> bool:
    """Return `after_unknown_outcome` of the 404 a retry meets after ``first``."""
    failures = [first, error_class_for(404, "not_found")(status=404, code="not_found")]

    async def attempt() -> str:
        raise failures.pop(0)

    async def sleep(_: float) -> None:
        pass

    with pytest.raises(NotFoundError) as caught:
        await call_with_retries(
            attempt, policy=RetryPolicy(), kind=kind, describe="DELETE /x", sleep=sleep
        )
    return caught.value.after_unknown_outcome


@pytest.mark.parametrize(
    ("kind", "make", "unknown"),
    [
        *((Kind.DELETE, make, True) for make in UNKNOWN),
        *((Kind.DELETE, make, False) for make in NEVER_REACHED + NOT_PROCESSED),
        *((Kind.UPDATE, make, False) for make in UNKNOWN),
    ],
)
async def test_a_404_says_whether_an_earlier_delete_may_have_reached_paddle(
    kind: Kind, make: Make, unknown: bool
) -> None:
    """A DELETE's 404 after an outcome that may have reached Paddle is marked; others are not."""
    assert unknown == await not_found_after(kind, make())
