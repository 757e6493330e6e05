"""FakePaddle's faults, rate limiter, subscribers and lifetime, over plain aiohttp."""

from __future__ import annotations

import asyncio
import re
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from fake_paddle_client import AUTH, codes, create_customer, error_of, send
from sliding_window import max_in_any_window

from paddle_async.testing import TEST_API_KEY, FakePaddle


@pytest.fixture
async def http(fake: FakePaddle) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(base_url=fake.base_url, headers=AUTH) as session:
        yield session


# Faults


async def test_fail_next_answers_with_paddle_envelopes(
    fake: FakePaddle, http: aiohttp.ClientSession
) -> None:
    """fail_next answers the next n requests with the status's Paddle error, then recovers."""
    fake.faults.fail_next(1, 500)
    fake.faults.fail_next(1, 503)
    fake.faults.fail_next(1, 429, retry_after=2)
    replies = [await send(http, "GET", "/customers") for _ in range(4)]
    assert [(500, "internal_error"), (503, "service_unavailable"), (429, "too_many_requests")] == [
        codes(r) for r in replies[:3]
    ]
    assert ["api_error"] * 3 == [error_of(r)["type"] for r in replies[:3]]
    assert ("2", None) == (replies[2].headers["Retry-After"], replies[0].headers.get("Retry-After"))
    assert 200 == replies[3].status
    assert ([500, 503, 429, 200], 3) == ([r.status for r in fake.requests], fake.faults.injected)


@pytest.mark.parametrize(
    ("retry_after", "header"),
    [(0.5, "0.5"), (3.0, "3"), ("Wed, 21 Oct 2037 07:28:00 GMT", "Wed, 21 Oct 2037 07:28:00 GMT")],
)
async def test_retry_after_is_sent_as_given(
    fake: FakePaddle, http: aiohttp.ClientSession, retry_after: float | str, header: str
) -> None:
    """Retry-After carries seconds, or any string such as an HTTP-date, as given."""
    fake.faults.fail_next(1, 429, retry_after=retry_after)
    assert header == (await send(http, "GET", "/customers")).headers["Retry-After"]


async def test_fail_next_with_a_raw_body(fake: FakePaddle, http: aiohttp.ClientSession) -> None:
    """A fault with a body sends it as is, such as a gateway's HTML page or a broken 200."""
    fake.faults.fail_next(1, 502, body=b"<html>Bad gateway</html>", content_type="text/html")
    fake.faults.fail_next(1, 200, body=b'{"data": ', content_type="application/json")
    html = await send(http, "GET", "/customers")
    async with http.get("/customers") as response:
        broken = (response.status, await response.read())
    assert (502, b"<html>Bad gateway</html>") == (html.status, html.raw)
    assert html.headers["Content-Type"].startswith("text/html")
    assert (200, b'{"data": ') == broken
    with pytest.raises(ValueError, match="body"):
        fake.faults.fail_next(1, 200)


@pytest.mark.parametrize(
    ("status", "apply_write", "applied"),
    [
        (429, None, False),
        (500, None, False),
        (503, None, False),
        (502, None, True),
        (504, None, True),
        (520, None, True),
        (521, None, False),
        (522, None, False),
        (523, None, False),
        (524, None, True),
        (503, True, True),
        (502, False, False),
    ],
)
async def test_failed_writes_are_applied_or_not(
    fake: FakePaddle,
    http: aiohttp.ClientSession,
    status: int,
    apply_write: bool | None,
    applied: bool,
) -> None:
    """429/500/503/521-523 leave a write undone; 502/504/520/524 apply it (unless told not to)."""
    fake.faults.fail_next(1, status, apply_write=apply_write)
    reply = await send(http, "POST", "/customers", json={"email": "jo@example.com"})
    assert (status, applied) == (reply.status, fake.find_by_email("jo@example.com") is not None)


async def test_method_filter_targets_faults(fake: FakePaddle, http: aiohttp.ClientSession) -> None:
    """A fault for POST waits for a POST; GETs pass untouched."""
    fake.faults.fail_next(1, 503, method="post")
    get = await send(http, "GET", "/customers")
    post = await send(http, "POST", "/customers", json={"email": "jo@example.com"})
    assert (200, 503) == (get.status, post.status)


async def test_drop_before_a_write(fake: FakePaddle, http: aiohttp.ClientSession) -> None:
    """drop_next closes the connection without a response, and the write is not applied."""
    fake.faults.drop_next(1)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await send(http, "POST", "/customers", json={"email": "jo@example.com"})
    after = await send(http, "GET", "/customers")
    assert ([], 0, (200, [])) == (
        fake.customers(),
        fake.requests[0].status,
        (after.status, after.body["data"]),
    )


async def test_drop_after_a_write(fake: FakePaddle, http: aiohttp.ClientSession) -> None:
    """drop_next(after_write=True) applies the write, then closes the connection unanswered."""
    stored = fake.add_customer(email="jo@example.com")
    fake.faults.drop_next(1, after_write=True)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await send(http, "PATCH", f"/customers/{stored['id']}", json={"name": "Jo"})
    assert ("Jo", [0], 1) == (
        fake.customer(stored["id"])["name"],  # type: ignore[index]
        [r.status for r in fake.requests],
        fake.faults.injected,
    )


async def test_fail_fraction_is_seeded(fake: FakePaddle, http: aiohttp.ClientSession) -> None:
    """fail_fraction fails about that share with the given statuses, the same way per seed."""
    statuses = []
    for _ in range(2):
        fake.faults.fail_fraction(0.5, (500, 503), seed=3)
        statuses.append([(await send(http, "GET", "/customers")).status for _ in range(40)])
    assert statuses[0] == statuses[1]
    assert {200, 500, 503} == set(statuses[0])
    assert 10 < statuses[0].count(200) < 30
    fake.faults.fail_fraction(0.0)
    assert 200 == (await send(http, "GET", "/customers")).status


async def test_chaos_mixes_every_kind(fake: FakePaddle, http: aiohttp.ClientSession) -> None:
    """chaos(1.0) gives each request one fault; 52x come as HTML pages, drops as disconnects."""
    fake.faults.chaos(1.0, seed=5, retry_after=1)
    outcomes: list[int | str] = []
    for n in range(60):
        try:
            reply = await send(http, "POST", "/customers", json={"email": f"c{n}@example.com"})
        except aiohttp.ServerDisconnectedError:
            outcomes.append("drop")
        else:
            outcomes.append(reply.status)
            if reply.status in (520, 524):
                assert reply.headers["Content-Type"].startswith("text/html")
            else:
                assert error_of(reply)["type"] == "api_error"
    assert {429, 500, 502, 503, 504, 520, 524, "drop"} == set(outcomes)
    assert 60 == fake.faults.injected
    applied = {c["email"] for c in fake.customers()}
    assert 0 < len(applied) < 60
    with pytest.raises(ValueError, match="kind"):
        fake.faults.chaos(0.1, kinds=("418-teapot",))


async def test_delay_holds_the_response_after_applying_the_write(
    fake: FakePaddle, http: aiohttp.ClientSession
) -> None:
    """A delayed write is applied before the wait, so a client timing out still created it."""
    fake.faults.delay(5.0, n=1)
    with pytest.raises(asyncio.TimeoutError):
        await send(
            http,
            "POST",
            "/customers",
            json={"email": "jo@example.com"},
            timeout=aiohttp.ClientTimeout(total=0.1),
        )
    start = time.monotonic()
    assert 200 == (await send(http, "GET", "/customers")).status
    assert time.monotonic() - start < 1.0
    assert fake.find_by_email("jo@example.com") is not None


async def test_delay_applies_to_n_responses(fake: FakePaddle, http: aiohttp.ClientSession) -> None:
    """delay(seconds, n=2) holds back the next two responses only."""
    fake.faults.delay(0.1, n=2)
    took = []
    for _ in range(3):
        start = time.monotonic()
        await send(http, "GET", "/customers")
        took.append(time.monotonic() - start)
    assert [True, True] == [t >= 0.1 for t in took[:2]]


async def test_close_does_not_wait_out_a_delay() -> None:
    """Closing the fake wakes a delayed response instead of waiting for it."""
    start = time.monotonic()
    async with FakePaddle() as fake, aiohttp.ClientSession(headers=AUTH) as http:
        fake.faults.delay(30.0)
        task = asyncio.create_task(send(http, "GET", f"{fake.base_url}/customers"))
        while not fake.requests:  # noqa: ASYNC110 (the fake offers no arrival event)
            await asyncio.sleep(0.01)
        await fake.close()
        await asyncio.gather(task, return_exceptions=True)
    assert time.monotonic() - start < 5.0


async def test_clear_removes_pending_faults(fake: FakePaddle, http: aiohttp.ClientSession) -> None:
    """clear() drops scripted and random faults, delays and the rate limiter."""
    fake.faults.fail_next(3)
    fake.faults.chaos(1.0)
    fake.faults.rate_limit(limit=1, window=60.0)
    fake.faults.delay(10.0)
    fake.faults.clear()
    assert [200, 200] == [(await send(http, "GET", "/customers")).status for _ in range(2)]


async def test_rate_limit_allows_limit_per_window(
    fake: FakePaddle, http: aiohttp.ClientSession
) -> None:
    """No more than `limit` requests are served in any window; refused ones get 429."""
    fake.faults.rate_limit(limit=20, window=0.25, lockout=0.05)
    deadline = time.monotonic() + 0.7
    while time.monotonic() < deadline:
        await asyncio.gather(*(send(http, "GET", "/customers") for _ in range(8)))
    served = [r.received_at for r in fake.requests if r.status == 200]
    refused = [r for r in fake.requests if r.status == 429]
    # A millisecond less than the window: arrival is stamped just before the limiter's clock.
    assert max_in_any_window(served, 0.249) <= 20
    assert (len(refused), True) == (fake.rate_limited, len(served) >= 40)


async def test_rate_limit_lockout(fake: FakePaddle, http: aiohttp.ClientSession) -> None:
    """Going over the limit locks out every request for `lockout` seconds, with Retry-After."""
    fake.faults.rate_limit(limit=3, window=0.1, lockout=0.4)
    first = [(await send(http, "GET", "/customers")).status for _ in range(4)]
    await asyncio.sleep(0.15)
    locked = await send(http, "GET", "/customers")
    await asyncio.sleep(0.3)
    unlocked = await send(http, "GET", "/customers")
    assert [200, 200, 200, 429] == first
    assert ((429, "too_many_requests"), "1") == (codes(locked), locked.headers["Retry-After"])
    assert (200, 2, 0) == (unlocked.status, fake.rate_limited, fake.faults.injected)


# Subscribers


async def test_subscribers_hear_applied_creates_and_updates() -> None:
    """Each applied create or update calls subscribers; close() waits for them."""
    heard: list[tuple[str, str | None]] = []

    async def listener(event_type: str, customer: dict[str, Any]) -> None:
        await asyncio.sleep(0.01)
        heard.append((event_type, customer["name"]))

    async with (
        FakePaddle() as fake,
        aiohttp.ClientSession(base_url=fake.base_url, headers=AUTH) as http,
    ):
        fake.subscribe(listener)
        fake.add_customer(email="seeded@example.com")
        created = await create_customer(http, email="jo@example.com", name="Jo")
        await send(http, "POST", "/customers", json={"email": "jo@example.com"})
        fake.faults.fail_next(1, 503)
        await send(http, "PATCH", f"/customers/{created['id']}", json={"name": "Lost"})
        fake.faults.fail_next(1, 502)
        await send(http, "PATCH", f"/customers/{created['id']}", json={"name": "Jo B"})
    assert [("customer.created", "Jo"), ("customer.updated", "Jo B")] == heard


async def test_failing_subscriber_makes_close_raise() -> None:
    """A subscriber that raises makes close() raise an ExceptionGroup holding its error."""

    async def broken(event_type: str, customer: dict[str, Any]) -> None:
        raise RuntimeError("webhook endpoint down")

    fake = FakePaddle()
    await fake.start()
    fake.subscribe(broken)
    async with aiohttp.ClientSession(base_url=fake.base_url, headers=AUTH) as http:
        await create_customer(http, email="jo@example.com")
    with pytest.raises(ExceptionGroup) as caught:
        await fake.close()
    assert ["webhook endpoint down"] == [str(e) for e in caught.value.exceptions]


# Lifetime and the command line


async def test_base_url_needs_a_start() -> None:
    """base_url is an error before start(); starting twice is an error too."""
    fake = FakePaddle()
    with pytest.raises(RuntimeError):
        _ = fake.base_url
    async with fake:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", fake.base_url)
        with pytest.raises(RuntimeError):
            await fake.start()


async def test_command_line_serves_until_terminated() -> None:
    """`python -m paddle_async.testing` prints its URL and key and answers with seeded data,
    addresses and payment methods too."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "paddle_async.testing",
        "--port",
        "0",
        "--seed",
        "3",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        banner = (await asyncio.wait_for(proc.stdout.readline(), 10)).decode()
        key_line = (await asyncio.wait_for(proc.stdout.readline(), 10)).decode()
        base_url = banner.split()[-1]
        async with aiohttp.ClientSession(headers=AUTH) as http:
            reply = await send(http, "GET", f"{base_url}/customers")
            owned = [
                await send(http, "GET", f"{base_url}/customers/{customer['id']}/{path}")
                for customer in reply.body["data"]  # customers 2, 1, 0
                for path in ("addresses?status=active,archived", "payment-methods")
            ]
    finally:
        proc.terminate()
        _, err = await proc.communicate()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base_url)
    assert f"API key: {TEST_API_KEY}\n" == key_line
    assert (200, 3) == (reply.status, len(reply.body["data"]))
    # Seeded with the customer area: customer 1 has two addresses and PayPal, 0 and 2 a card.
    assert [1, ["card"], 2, ["paypal"], 1, ["card"]] == [
        len(o.body["data"]) if n % 2 == 0 else [m["type"] for m in o.body["data"]]
        for n, o in enumerate(owned)
    ]
    assert (0, b"") == (proc.returncode, err)
