"""call_with_retries carries on from a first attempt its caller made (as `Paddle.send` does)."""

from __future__ import annotations

import pytest

from paddle_async import RetryPolicy
from paddle_async._protocol import Kind
from paddle_async._retry import call_with_retries
from paddle_async.errors import (
    APIConnectionError,
    APIError,
    CustomerAlreadyExistsError,
    NotFoundError,
)


async def _no_sleep(seconds: float) -> None:
    return None


def _dropped() -> APIConnectionError:
    return APIConnectionError(
        "POST /customers: connection lost", method="POST", path="/customers", sent=True
    )


async def test_a_failed_first_attempt_is_retried_by_the_loop() -> None:
    """The loop counts the caller's attempt: one retry left means one more call of attempt."""
    calls = 0

    async def attempt() -> str:
        nonlocal calls
        calls += 1
        return "second"

    result = await call_with_retries(
        attempt,
        policy=RetryPolicy(max_retries=1),
        kind=Kind.READ,
        describe="GET /customers",
        sleep=_no_sleep,
        failed=APIError(status=503),
    )

    assert "second" == result
    assert 1 == calls


async def test_no_retry_left_raises_the_first_error_without_calling_attempt() -> None:
    async def attempt() -> str:
        raise AssertionError("no retry was allowed")

    first = APIError(status=503)
    with pytest.raises(APIError) as raised:
        await call_with_retries(
            attempt,
            policy=RetryPolicy(max_retries=0),
            kind=Kind.READ,
            describe="GET /customers",
            sleep=_no_sleep,
            failed=first,
        )
    assert first is raised.value


async def test_a_final_first_error_is_raised_as_it_is() -> None:
    async def attempt() -> str:
        raise AssertionError("a 404 is never retried")

    first = NotFoundError(status=404)
    with pytest.raises(NotFoundError) as raised:
        await call_with_retries(
            attempt,
            policy=RetryPolicy(),
            kind=Kind.READ,
            describe="GET /customers/x",
            sleep=_no_sleep,
            failed=first,
        )
    assert first is raised.value


@pytest.mark.parametrize(("first_sent", "unknown"), [(True, True), (False, False)])
async def test_a_create_conflict_after_the_first_attempt_knows_the_outcome(
    first_sent: bool, unknown: bool
) -> None:
    """A 409 after a dropped first attempt is flagged: that attempt may have created it."""

    async def attempt() -> str:
        raise CustomerAlreadyExistsError(status=409, code="customer_already_exists")

    first = (
        _dropped()
        if first_sent
        else APIConnectionError(
            "POST /customers: cannot connect", method="POST", path="/customers", sent=False
        )
    )
    with pytest.raises(CustomerAlreadyExistsError) as raised:
        await call_with_retries(
            attempt,
            policy=RetryPolicy(max_retries=1),
            kind=Kind.CREATE,
            describe="POST /customers",
            sleep=_no_sleep,
            failed=first,
        )
    assert unknown is raised.value.after_unknown_outcome


async def test_a_conflict_as_the_first_error_has_no_unknown_outcome() -> None:
    first = CustomerAlreadyExistsError(status=409, code="customer_already_exists")
    first.after_unknown_outcome = True  # whatever it said, the loop decides

    async def attempt() -> str:
        raise AssertionError("a 409 is never retried")

    with pytest.raises(CustomerAlreadyExistsError) as raised:
        await call_with_retries(
            attempt,
            policy=RetryPolicy(),
            kind=Kind.CREATE,
            describe="POST /customers",
            sleep=_no_sleep,
            failed=first,
        )
    assert raised.value.after_unknown_outcome is False


async def test_the_time_budget_counts_from_the_callers_start() -> None:
    """``started`` is when the caller's attempt began: a budget spent already allows no retry."""

    async def attempt() -> str:
        raise AssertionError("the budget is spent")

    with pytest.raises(APIError):
        await call_with_retries(
            attempt,
            policy=RetryPolicy(max_time=10.0, initial_backoff=0.5),
            kind=Kind.READ,
            describe="GET /customers",
            sleep=_no_sleep,
            clock=lambda: 100.0,
            started=89.0,
            failed=APIError(status=503),
        )
