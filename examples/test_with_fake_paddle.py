"""Testing code that uses paddle_async with the fixtures its pytest plugin provides.

Copy this file into your test suite: with ``pip install paddle-async pytest-asyncio`` the
fixtures ``fake_paddle``, ``paddle_client``, ``fake_paddle_env`` and ``paddle_retry_waits`` are
there, without a conftest.py. The ``asyncio`` marks make it run whatever ``asyncio_mode`` your
project uses (strict, pytest-asyncio's default, needs them; auto does not mind them).
"""

from __future__ import annotations

import pytest

from paddle_async import Paddle
from paddle_async.customers import CreateCustomer, ListCustomers, UpdateCustomer
from paddle_async.errors import CustomerAlreadyExistsError, ServerError
from paddle_async.testing import FakePaddle

pytestmark = pytest.mark.asyncio


async def rename(paddle: Paddle, email: str, name: str) -> str:
    """The code under test: rename the customer with this e-mail; return the customer's id."""
    listing = paddle.customers.list(ListCustomers(email=[email]))
    customer = await anext(aiter(listing))
    await paddle.customers.update(customer.id, UpdateCustomer(name=name))
    return customer.id


async def test_create_reaches_the_fake(paddle_client: Paddle, fake_paddle: FakePaddle) -> None:
    """What the client creates is in the fake's store."""
    customer = await paddle_client.customers.create(CreateCustomer(email="ada@example.com"))
    stored = fake_paddle.customer(customer.id)
    assert stored is not None
    assert "ada@example.com" == stored["email"]


@pytest.mark.fake_paddle(seed=3)
async def test_code_under_test_against_seeded_customers(
    paddle_client: Paddle, fake_paddle: FakePaddle
) -> None:
    """A marker seeds the fake: customer0@example.com ... customer2@example.com exist."""
    customer_id = await rename(paddle_client, "customer1@example.com", "Grace")
    stored = fake_paddle.customer(customer_id)
    assert stored is not None
    assert "Grace" == stored["name"]


async def test_a_conflict_is_a_typed_error(paddle_client: Paddle, fake_paddle: FakePaddle) -> None:
    """Data added straight into the fake behaves as if it came through the API."""
    fake_paddle.add_customer(email="taken@example.com")
    with pytest.raises(CustomerAlreadyExistsError):
        await paddle_client.customers.create(CreateCustomer(email="taken@example.com"))


async def test_retries_do_not_wait(
    paddle_client: Paddle, fake_paddle: FakePaddle, paddle_retry_waits: list[float]
) -> None:
    """Two 503s are retried at once; the skipped backoff waits are recorded."""
    fake_paddle.faults.fail_next(2, 503)
    customer = await paddle_client.customers.create(CreateCustomer(email="ada@example.com"))
    assert "ada@example.com" == customer.email
    assert 2 == len(paddle_retry_waits)


async def test_errors_after_the_last_retry(paddle_client: Paddle, fake_paddle: FakePaddle) -> None:
    """A server that keeps failing ends in ServerError, after 1 + 3 attempts."""
    fake_paddle.faults.fail_next(4, 500)
    with pytest.raises(ServerError):
        await paddle_client.customers.get("ctm_01h8441jn5pcwrfhwh78jqt8hk")
    assert 4 == len(fake_paddle.requests)


async def test_code_that_builds_its_own_client(fake_paddle_env: FakePaddle) -> None:
    """With fake_paddle_env, Paddle() finds the fake through PADDLE_API_KEY/PADDLE_BASE_URL."""
    async with Paddle(rate_limit=None) as paddle:
        await paddle.customers.create(CreateCustomer(email="ada@example.com"))
    assert fake_paddle_env.find_by_email("ada@example.com") is not None
