"""A client's lifetime: closing under load (calls still running raise ClientClosedError, never
a CancelledError their own task did not ask for), and one event loop per client."""

from __future__ import annotations

import asyncio
import collections

import aiohttp
import pytest
from hostile import HostileServer, silent

from paddle_async import Paddle, RateLimit
from paddle_async.errors import ClientClosedError, ConfigurationError
from paddle_async.testing import TEST_API_KEY, FakePaddle

MISSING_ID = "ctm_01zzzzzzzzzzzzzzzzzzzzzzzz"


def outcomes(results: list[object]) -> dict[str, int]:
    """Count results by type name ("list" for a successful call)."""
    return dict(collections.Counter(type(result).__name__ for result in results))


async def test_closing_ends_500_waiting_calls_with_client_closed_error(
    hostile: HostileServer,
) -> None:
    """500 gets, 4 waiting for a server that never answers and 496 for a pooled connection."""
    hostile.respond = silent
    paddle = Paddle(TEST_API_KEY, base_url=hostile.base_url, rate_limit=None, max_connections=4)
    tasks = [asyncio.create_task(paddle.customers.get(MISSING_ID)) for _ in range(500)]
    await hostile.requested(4)
    await paddle.aclose()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert {"ClientClosedError": 500} == outcomes(results)
    assert 4 == len(hostile.received)
    assert 0 == paddle.connections_in_use()


async def test_closing_ends_calls_waiting_for_the_rate_limit(hostile: HostileServer) -> None:
    """Calls paced by the limiter (2 per minute) stop waiting when the client closes."""
    paddle = Paddle(
        TEST_API_KEY, base_url=hostile.base_url, rate_limit=RateLimit(requests=2, per=60)
    )
    tasks = [asyncio.create_task(paddle.customers.list().collect()) for _ in range(20)]
    await hostile.requested(2)
    await asyncio.sleep(0.05)  # both answers arrive; the other 18 wait about a minute
    await paddle.aclose()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert {"list": 2, "ClientClosedError": 18} == outcomes(results)


async def test_a_call_its_owner_cancels_raises_cancelled_error(hostile: HostileServer) -> None:
    """Cancelled by its owner just before the client closes: CancelledError, connection freed."""
    hostile.respond = silent
    paddle = Paddle(TEST_API_KEY, base_url=hostile.base_url, rate_limit=None, max_connections=1)
    owned = asyncio.create_task(paddle.customers.get(MISSING_ID))
    others = [asyncio.create_task(paddle.customers.get(MISSING_ID)) for _ in range(3)]
    await hostile.requested()
    owned.cancel()
    await paddle.aclose()
    with pytest.raises(asyncio.CancelledError):
        await owned
    results = await asyncio.gather(*others, return_exceptions=True)
    assert {"ClientClosedError": 3} == outcomes(results)
    assert 0 == paddle.connections_in_use()


async def test_a_call_cancelled_by_its_owner_on_an_open_client_frees_its_connection(
    hostile: HostileServer,
) -> None:
    """An owner's cancellation stays a CancelledError and gives the connection back."""
    hostile.respond = silent
    async with Paddle(TEST_API_KEY, base_url=hostile.base_url, rate_limit=None) as paddle:
        task = asyncio.create_task(paddle.customers.get(MISSING_ID))
        await hostile.requested()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert 0 == paddle.connections_in_use()
        assert 0 == task.cancelling() - 1  # the owner's request is the only one counted


async def test_an_owners_timeout_around_a_call_stays_a_builtin_timeout(
    hostile: HostileServer,
) -> None:
    """asyncio.timeout around a call raises its own TimeoutError, whoever closes what after."""
    hostile.respond = silent
    async with Paddle(TEST_API_KEY, base_url=hostile.base_url, rate_limit=None) as paddle:
        with pytest.raises(TimeoutError) as caught:
            async with asyncio.timeout(0.1):
                await paddle.customers.get(MISSING_ID)
    assert TimeoutError is type(caught.value)


async def test_closing_from_inside_a_task_group_cancels_only_the_calls(
    hostile: HostileServer,
) -> None:
    """A task group whose calls end with ClientClosedError reports exactly those errors."""
    hostile.respond = silent
    paddle = Paddle(TEST_API_KEY, base_url=hostile.base_url, rate_limit=None)

    async def close_soon() -> None:
        await hostile.requested(3)
        await paddle.aclose()

    async def run_group() -> None:
        async with asyncio.TaskGroup() as group:
            for _ in range(3):
                group.create_task(paddle.customers.get(MISSING_ID))
            group.create_task(close_soon())

    with pytest.raises(ExceptionGroup) as caught:
        await run_group()
    assert [ClientClosedError] * 3 == [type(e) for e in caught.value.exceptions]


def test_a_client_used_on_a_second_event_loop_says_it_belongs_to_one() -> None:
    """A second asyncio.run() with the same client raises ConfigurationError, not a RuntimeError."""
    clients: list[Paddle] = []

    async def first_run() -> list[object]:
        # The session is the test's, closed with the first loop: the client is left open.
        async with FakePaddle() as fake, aiohttp.ClientSession() as session:
            clients.append(
                Paddle(fake.api_key, base_url=fake.base_url, rate_limit=None, session=session)
            )
            return list(await clients[0].customers.list().collect())

    async def second_run() -> None:
        with pytest.raises(ConfigurationError, match="one client per event loop"):
            await clients[0].customers.get(MISSING_ID)
        with pytest.raises(ConfigurationError, match="one client per event loop"):
            async with clients[0]:
                pass
        await clients[0].aclose()

    assert [] == asyncio.run(first_run())
    asyncio.run(second_run())
    assert clients[0].closed


async def test_closing_a_client_on_a_borrowed_session_ends_its_calls_only(
    hostile: HostileServer,
) -> None:
    """Calls of a client on the caller's session end with ClientClosedError; the session stays."""
    hostile.respond = silent
    async with aiohttp.ClientSession() as session:
        paddle = Paddle(TEST_API_KEY, base_url=hostile.base_url, rate_limit=None, session=session)
        tasks = [asyncio.create_task(paddle.customers.get(MISSING_ID)) for _ in range(3)]
        await hostile.requested(3)
        await paddle.aclose()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        assert {"ClientClosedError": 3} == outcomes(results)
        assert not session.closed
