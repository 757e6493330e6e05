"""Every request carries the same headers whether the client owns its session or borrows one."""

from __future__ import annotations

import aiohttp
import pytest

from paddle_async import Paddle
from paddle_async._protocol import USER_AGENT
from paddle_async.customers import CreateCustomer
from paddle_async.testing import FakePaddle


@pytest.mark.parametrize("borrowed", [False, True], ids=["owned", "borrowed"])
async def test_a_get_and_a_create_carry_the_sdk_headers(fake: FakePaddle, borrowed: bool) -> None:
    async with (
        aiohttp.ClientSession(headers={"User-Agent": "theirs"}) as session,
        Paddle(
            fake.api_key,
            base_url=fake.base_url,
            rate_limit=None,
            session=session if borrowed else None,
        ) as paddle,
    ):
        created = await paddle.customers.create(CreateCustomer(email="ada@example.com"))
        await paddle.customers.get(created.id)

    create, get = fake.requests[-2:]
    for request in (create, get):
        assert f"Bearer {fake.api_key}" == request.headers["Authorization"]
        assert "1" == request.headers["Paddle-Version"]
        assert "application/json" == request.headers["Accept"]
        assert USER_AGENT == request.headers["User-Agent"]
        assert "gzip, deflate" == request.headers["Accept-Encoding"]
    assert "application/json" == create.headers["Content-Type"]
    assert "Content-Type" not in get.headers
