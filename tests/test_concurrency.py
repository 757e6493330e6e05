"""Many tasks on one client: every caller gets its own answer back."""

from __future__ import annotations

import asyncio

from paddle_async import Paddle
from paddle_async.customers import UpdateCustomer
from paddle_async.testing import FakePaddle


async def test_gets_and_updates_in_flight_together(paddle: Paddle, fake: FakePaddle) -> None:
    """2,000 gets and 500 updates at concurrency 64 each return their own customer."""
    ids = fake.seed(2000)
    emails = {c["id"]: c["email"] for c in fake.customers()}
    gate = asyncio.Semaphore(64)
    mismatches: list[str] = []

    async def get(customer_id: str) -> None:
        async with gate:
            customer = await paddle.customers.get(customer_id)
        if (customer.id, customer.email) != (customer_id, emails[customer_id]):
            mismatches.append(customer_id)

    async def update(customer_id: str, n: int) -> None:
        async with gate:
            customer = await paddle.customers.update(customer_id, UpdateCustomer(name=f"name-{n}"))
        if (customer.id, customer.name) != (customer_id, f"name-{n}"):
            mismatches.append(customer_id)

    jobs = [get(customer_id) for customer_id in ids]
    jobs += [update(customer_id, n) for n, customer_id in enumerate(ids[::4])]
    await asyncio.gather(*jobs)
    assert [] == mismatches
    assert 2500 == len(fake.requests)
    assert 0 == paddle.connections_in_use()
