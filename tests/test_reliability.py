"""Retries, Retry-After, safe creates, timeouts, cancellation and bad responses, over real HTTP."""

from __future__ import annotations

import asyncio
import logging
import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from paddle_async import Paddle, RetryPolicy
from paddle_async.customers import CreateCustomer, UpdateCustomer
from paddle_async.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ClientClosedError,
    CustomerAlreadyExistsError,
    InvalidResponseError,
    NotFoundError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from paddle_async.testing import TEST_API_KEY, FakePaddle

MISSING_ID = "ctm_01zzzzzzzzzzzzzzzzzzzzzzzz"


async def first_request(fake: FakePaddle) -> None:
    """Return once the fake has received a request (polling: requests have no event)."""
    for _ in range(500):
        if fake.requests:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("no request reached the fake")


def statuses(fake: FakePaddle) -> list[int]:
    return [r.status for r in fake.requests]


@pytest.mark.parametrize("status", [500, 502, 503, 504, 520, 521, 522, 523, 524])
async def test_gets_are_retried_on_server_errors(
    paddle: Paddle, fake: FakePaddle, status: int, retry_waits: list[float]
) -> None:
    """5xx and Cloudflare's 52x are retried with a backoff, and the retry succeeds."""
    stored = fake.add_customer(email="r@example.com")
    fake.faults.fail_next(1, status)
    customer = await paddle.customers.get(stored["id"])
    assert stored["id"] == customer.id
    assert [status, 200] == statuses(fake)
    assert 1 == len(retry_waits)
    assert 0.25 <= retry_waits[0] <= 0.5


async def test_backoff_grows_and_stops_at_the_budget(
    paddle: Paddle, fake: FakePaddle, retry_waits: list[float]
) -> None:
    """Three retries with growing waits, then the last error is raised."""
    fake.faults.fail_next(10, 503)
    with pytest.raises(ServerError) as caught:
        await paddle.customers.get(MISSING_ID)
    assert 503 == caught.value.status
    assert [503, 503, 503, 503] == statuses(fake)
    assert 3 == len(retry_waits)
    assert retry_waits[0] <= 0.5 <= retry_waits[1] <= 1.0 <= retry_waits[2] <= 2.0


@pytest.mark.parametrize(
    ("status", "code"),
    [(400, "bad_request"), (403, "forbidden"), (404, "not_found"), (409, "conflict")],
)
async def test_client_errors_are_never_retried(
    paddle: Paddle, fake: FakePaddle, status: int, code: str, retry_waits: list[float]
) -> None:
    """400, 403, 404 and 409 are raised at once."""
    fake.faults.fail_next(1, status)
    with pytest.raises(APIError) as caught:
        await paddle.customers.get(MISSING_ID)
    assert status == caught.value.status
    assert [status] == statuses(fake)
    assert [] == retry_waits


async def test_429_waits_exactly_retry_after(
    paddle: Paddle, fake: FakePaddle, retry_waits: list[float]
) -> None:
    """A 429 is retried after exactly its Retry-After seconds."""
    fake.faults.fail_next(1, 429, retry_after=3)
    assert [] == [c async for c in paddle.customers.list()]
    assert [3.0] == retry_waits


async def test_429_with_http_date(
    paddle: Paddle, fake: FakePaddle, retry_waits: list[float]
) -> None:
    """Retry-After as an HTTP-date is honoured too."""
    when = datetime.now(UTC) + timedelta(seconds=20)
    fake.faults.fail_next(1, 429, retry_after=format_datetime(when, usegmt=True))
    await paddle.customers.list().collect()
    assert 1 == len(retry_waits)
    assert 17.0 <= retry_waits[0] <= 20.0


async def test_429_over_the_cap_raises_rate_limit_error(
    fake: FakePaddle, retry_waits: list[float]
) -> None:
    """A Retry-After above max_retry_after raises RateLimitError carrying it, without waiting."""
    policy = RetryPolicy(max_retry_after=10.0)
    async with Paddle(fake.api_key, base_url=fake.base_url, retry=policy, rate_limit=None) as p:
        fake.faults.fail_next(1, 429, retry_after=60)
        with pytest.raises(RateLimitError) as caught:
            await p.customers.get(MISSING_ID)
    assert (429, 60.0) == (caught.value.status, caught.value.retry_after)
    assert [] == retry_waits


async def test_time_budget_stops_retries(fake: FakePaddle, retry_waits: list[float]) -> None:
    """No retry starts when its wait would pass the total time budget."""
    policy = RetryPolicy(max_time=1.0)
    async with Paddle(fake.api_key, base_url=fake.base_url, retry=policy, rate_limit=None) as p:
        fake.faults.fail_next(1, 429, retry_after=5)
        with pytest.raises(RateLimitError):
            await p.customers.get(MISSING_ID)
    assert [429] == statuses(fake)


async def test_max_retries_zero_turns_retries_off(fake: FakePaddle) -> None:
    """max_retries=0 sends once."""
    async with Paddle(fake.api_key, base_url=fake.base_url, max_retries=0, rate_limit=None) as p:
        fake.faults.fail_next(1, 503)
        with pytest.raises(ServerError):
            await p.customers.get(MISSING_ID)
    assert [503] == statuses(fake)


async def test_max_retries_overrides_only_the_retries_of_a_policy(
    fake: FakePaddle, retry_waits: list[float]
) -> None:
    """max_retries= beside retry= changes the retry count and keeps the policy's other settings."""
    policy = RetryPolicy(max_retries=5, initial_backoff=0.25, max_backoff=0.25)
    async with Paddle(
        fake.api_key, base_url=fake.base_url, retry=policy, max_retries=1, rate_limit=None
    ) as p:
        fake.faults.fail_next(3, 503)
        with pytest.raises(ServerError):
            await p.customers.get(MISSING_ID)
    assert ([503, 503], 1) == (statuses(fake), len(retry_waits))
    assert 0.125 <= retry_waits[0] <= 0.25  # the policy's backoff, with equal jitter


async def test_update_is_retried_after_a_dropped_connection(
    paddle: Paddle, fake: FakePaddle
) -> None:
    """A PATCH whose connection dropped after it was applied is repeated: same final state."""
    stored = fake.add_customer(email="p@example.com")
    fake.faults.drop_next(1, after_write=True)
    customer = await paddle.customers.update(stored["id"], UpdateCustomer(name="Patched"))
    assert "Patched" == customer.name == fake.customer(stored["id"])["name"]  # type: ignore[index]
    assert [0, 200] == statuses(fake)


# Safe creates


def count_email(fake: FakePaddle, email: str) -> int:
    return sum(1 for c in fake.customers() if c["email"] == email)


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_create_is_retried_when_not_processed(
    paddle: Paddle, fake: FakePaddle, status: int
) -> None:
    """POST is retried on statuses Paddle documents as not processed: one customer results."""
    fake.faults.fail_next(1, status, retry_after=1 if status == 429 else None)
    customer = await paddle.customers.create(CreateCustomer(email="once@example.com"))
    assert [status, 201] == statuses(fake)
    assert 1 == count_email(fake, "once@example.com")
    assert customer.id == fake.find_by_email("once@example.com")["id"]  # type: ignore[index]


async def test_create_connect_error_is_retried(paddle: Paddle, fake: FakePaddle) -> None:
    """A connection dropped before the write is retried and creates exactly one customer."""
    fake.faults.drop_next(1, after_write=False)
    await paddle.customers.create(CreateCustomer(email="drop@example.com"))
    assert 1 == count_email(fake, "drop@example.com")


@pytest.mark.parametrize("fault", ["drop_after", "502", "504", "524"])
async def test_create_with_unknown_outcome_returns_the_customer_once(
    paddle: Paddle, fake: FakePaddle, fault: str
) -> None:
    """When the first attempt was applied but its answer lost, the retry's 409 is reconciled."""
    if fault == "drop_after":
        fake.faults.drop_next(1, after_write=True)
    else:
        fake.faults.fail_next(1, int(fault), apply_write=True)
    request = CreateCustomer(email="ghost@example.com", name="Ghost", custom_data={"k": 1})
    customer = await paddle.customers.create(request)
    stored = fake.find_by_email("ghost@example.com")
    assert stored is not None
    assert (stored["id"], "Ghost", {"k": 1}) == (customer.id, customer.name, customer.custom_data)
    assert 1 == count_email(fake, "ghost@example.com")
    assert 409 in statuses(fake)


async def test_create_unknown_outcome_with_someone_elses_customer_raises(
    paddle: Paddle, fake: FakePaddle
) -> None:
    """If the conflicting customer is not what we asked for, the conflict is raised."""
    other = fake.add_customer(email="taken@example.com", name="Someone else")
    fake.faults.fail_next(1, 502, apply_write=False)
    with pytest.raises(CustomerAlreadyExistsError) as caught:
        await paddle.customers.create(CreateCustomer(email="taken@example.com", name="Me"))
    assert (other["id"], True) == (
        caught.value.existing_customer_id,
        caught.value.after_unknown_outcome,
    )


async def test_plain_conflict_is_not_reconciled(paddle: Paddle, fake: FakePaddle) -> None:
    """A 409 on a first attempt is raised even when the fields match."""
    fake.add_customer(email="same@example.com")
    with pytest.raises(CustomerAlreadyExistsError) as caught:
        await paddle.customers.create(CreateCustomer(email="same@example.com"))
    assert caught.value.after_unknown_outcome is False


# Timeouts, connection errors, cancellation, closing


async def test_total_timeout_is_retried(paddle: Paddle, fake: FakePaddle) -> None:
    """A response slower than the per-call timeout times out and the retry succeeds."""
    stored = fake.add_customer(email="slow@example.com")
    fake.faults.delay(2.0, n=1)
    customer = await paddle.customers.get(stored["id"], timeout=0.2)
    assert stored["id"] == customer.id


async def test_timeout_raises_the_package_error(fake: FakePaddle) -> None:
    """Without retries a timeout raises paddle_async.errors.APITimeoutError, marked as sent."""
    async with Paddle(
        fake.api_key, base_url=fake.base_url, timeout=0.2, max_retries=0, rate_limit=None
    ) as p:
        fake.faults.delay(2.0, n=1)
        with pytest.raises(APITimeoutError) as caught:
            await p.customers.get(MISSING_ID)
    assert caught.value.sent is True
    assert "GET /customers/" in str(caught.value)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_connection_refused_raises_connection_error(retry_waits: list[float]) -> None:
    """Nobody listening: retried, then APIConnectionError marked as never sent."""
    async with Paddle(TEST_API_KEY, base_url=f"http://127.0.0.1:{free_port()}") as p:
        with pytest.raises(APIConnectionError) as caught:
            await p.customers.get(MISSING_ID)
    assert caught.value.sent is False
    assert 3 == len(retry_waits)


async def test_cancelling_a_request_releases_its_connection(
    paddle: Paddle, fake: FakePaddle
) -> None:
    """A task cancelled mid-request gives its connection back; nothing is retried."""
    fake.faults.delay(5.0, n=1)
    task = asyncio.create_task(paddle.customers.get(MISSING_ID))
    await first_request(fake)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert 0 == paddle.connections_in_use()
    assert 1 == len(fake.requests)


async def test_closing_fails_running_requests_clearly(fake: FakePaddle) -> None:
    """Requests in flight when the client closes raise ClientClosedError; so do later ones."""
    client = Paddle(fake.api_key, base_url=fake.base_url, rate_limit=None)
    fake.faults.delay(5.0, n=1)
    task = asyncio.create_task(client.customers.get(MISSING_ID))
    await first_request(fake)
    await client.aclose()
    with pytest.raises(ClientClosedError):
        await task
    with pytest.raises(ClientClosedError):
        await client.customers.get(MISSING_ID)


async def test_closing_interrupts_a_backoff_wait(fake: FakePaddle) -> None:
    """A request waiting to retry stops waiting when the client closes."""
    from paddle_async.testing import retry_waits_enabled

    client = Paddle(fake.api_key, base_url=fake.base_url, rate_limit=None)
    fake.faults.fail_next(1, 429, retry_after=30)
    with retry_waits_enabled():
        task = asyncio.create_task(client.customers.get(MISSING_ID))
        await first_request(fake)
        await asyncio.sleep(0.05)
        await client.aclose()
        with pytest.raises(ClientClosedError):
            await task


async def test_reopening_a_closed_client_is_refused(fake: FakePaddle) -> None:
    """A closed client cannot be entered again."""
    client = Paddle(fake.api_key, base_url=fake.base_url)
    async with client:
        pass
    with pytest.raises(ClientClosedError):
        async with client:
            pass


# Bad responses


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"data": {"id": "ctm_', "application/json"),
        (b"<html>maintenance</html>", "text/html"),
        (b'{"meta": {"request_id": "r-1"}}', "application/json"),
        (b'{"data": {"id": 5, "email": []}, "meta": {"request_id": "r-2"}}', "application/json"),
        (b"", "application/json"),
    ],
)
async def test_bad_success_bodies_raise_invalid_response(
    paddle: Paddle, fake: FakePaddle, body: bytes, content_type: str
) -> None:
    """Truncated JSON, HTML, a 200 without data and wrong types raise InvalidResponseError."""
    fake.faults.fail_next(1, 200, body=body, content_type=content_type)
    with pytest.raises(InvalidResponseError) as caught:
        await paddle.customers.get(MISSING_ID)
    assert 200 == caught.value.status
    assert caught.value.body_excerpt is not None


async def test_html_502_is_a_typed_server_error(paddle: Paddle, fake: FakePaddle) -> None:
    """An HTML 502 from a gateway raises ServerError with the status after retries."""
    fake.faults.fail_next(10, 502, body=b"<html>Bad gateway</html>", content_type="text/html")
    with pytest.raises(ServerError) as caught:
        await paddle.customers.get(MISSING_ID)
    assert (502, None) == (caught.value.status, caught.value.code)
    assert "Bad gateway" in (caught.value.body_excerpt or "")


async def test_retries_are_logged_with_request_id(
    paddle: Paddle, fake: FakePaddle, caplog: pytest.LogCaptureFixture
) -> None:
    """Each retry is logged at DEBUG with the request id of the failed attempt."""
    fake.faults.fail_next(1, 503)
    caplog.set_level(logging.DEBUG, logger="paddle_async")
    with pytest.raises(NotFoundError):
        await paddle.customers.get(MISSING_ID)
    retries = [r for r in caplog.records if r.name == "paddle_async" and "retry" in r.message]
    assert 1 == len(retries)
    assert "request_id=" in retries[0].message
    assert "request_id=None" not in retries[0].message


async def test_validation_errors_send_nothing(paddle: Paddle, fake: FakePaddle) -> None:
    """Bad input raises before any request."""
    with pytest.raises(ValidationError):
        await paddle.customers.update("a?b", UpdateCustomer(name="x"))
    with pytest.raises(ValidationError):
        await paddle.customers.create(CreateCustomer(email="x@example..com"))
    assert 0 == len(fake.requests)
