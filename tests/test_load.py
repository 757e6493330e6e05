"""Under load: the client's limiter against Paddle's limit, and a soak with injected faults."""

from __future__ import annotations

import asyncio

from sliding_window import max_in_any_window

from paddle_async import Paddle, RateLimit
from paddle_async.customers import CreateCustomer, UpdateCustomer
from paddle_async.errors import PaddleError
from paddle_async.testing import FakePaddle


async def test_concurrency_64_gets_no_429(fake: FakePaddle) -> None:
    """At concurrency 64 the client stays within the server's limit in every window."""
    limit, window = 25, 0.5
    fake.faults.rate_limit(limit=limit, window=window, lockout=5.0)
    ids = fake.seed(10)
    # The default margin, 2% of Paddle's 60 s window, absorbs 1.2 s of delay between a send and
    # its arrival. Scaled to this 0.5 s window it would be 10 ms, less than one event-loop stall
    # on a busy machine (client and server share this loop); 20% keeps an absolute 100 ms.
    budget = RateLimit(requests=limit, per=window, margin=0.2)
    async with Paddle(fake.api_key, base_url=fake.base_url, rate_limit=budget) as paddle:
        gate = asyncio.Semaphore(64)

        async def get(n: int) -> None:
            async with gate:
                await paddle.customers.get(ids[n % len(ids)])

        await asyncio.gather(*(get(n) for n in range(125)))
    assert 0 == fake.rate_limited
    arrivals = [r.received_at for r in fake.requests]
    assert 125 == len(arrivals)
    assert max_in_any_window(arrivals, window) <= limit


async def test_a_429_pauses_every_task(fake: FakePaddle) -> None:
    """After one task meets a 429, no task of the client sends until Retry-After has passed."""
    ids = fake.seed(4)
    fake.faults.fail_next(1, 429, retry_after=0.4)
    budget = RateLimit(requests=1000, per=1.0)
    async with Paddle(fake.api_key, base_url=fake.base_url, rate_limit=budget) as paddle:
        await paddle.customers.get(ids[0])
        await asyncio.gather(*(paddle.customers.get(ids[n % 4]) for n in range(20)))
    rejected = next(r for r in fake.requests if r.status == 429)
    later = [r.received_at - rejected.received_at for r in fake.requests if r is not rejected]
    assert 21 == len(later)
    assert min(later) >= 0.39


async def test_fault_soak_loses_nothing_and_doubles_nothing(fake: FakePaddle) -> None:
    """1,000 creates and 1,000 updates with ~20% faults: right results or typed errors only."""
    existing = fake.seed(1000)
    fake.faults.chaos(0.2, seed=7)
    outcomes: dict[str, int] = {"ok": 0, "typed_error": 0}
    wrong: list[str] = []
    async with Paddle(fake.api_key, base_url=fake.base_url, rate_limit=None) as paddle:
        gate = asyncio.Semaphore(32)

        async def create(n: int) -> None:
            email = f"soak{n}@example.com"
            async with gate:
                try:
                    customer = await paddle.customers.create(
                        CreateCustomer(email=email, name=f"S{n}")
                    )
                except PaddleError:
                    outcomes["typed_error"] += 1
                    return
            outcomes["ok"] += 1
            if (customer.email, customer.name) != (email, f"S{n}"):
                wrong.append(email)

        async def update(n: int) -> None:
            async with gate:
                try:
                    customer = await paddle.customers.update(
                        existing[n], UpdateCustomer(name=f"U{n}")
                    )
                except PaddleError:
                    outcomes["typed_error"] += 1
                    return
            outcomes["ok"] += 1
            if (customer.id, customer.name) != (existing[n], f"U{n}"):
                wrong.append(existing[n])

        await asyncio.gather(*(create(n) for n in range(1000)), *(update(n) for n in range(1000)))
        in_use = paddle.connections_in_use()
    fake.faults.clear()
    emails = [c["email"] for c in fake.customers()]
    assert [] == wrong
    assert 2000 == outcomes["ok"] + outcomes["typed_error"]
    assert outcomes["typed_error"] <= 20
    assert len(emails) == len(set(emails))
    assert fake.faults.injected >= 300
    assert 0 == in_use
