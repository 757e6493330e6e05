"""Every customer-area route of FakePaddle: methods, authentication, faults and the request log."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from fake_paddle_client import (
    codes,
    error_of,
    http_fixture,  # noqa: F401 (a fixture)
    send,
)

from paddle_async.testing import FakePaddle

# Each path template and the methods Paddle's spec gives it.
ROUTES = {
    "/customers": {"GET", "POST"},
    "/customers/{customer}": {"GET", "PATCH"},
    "/customers/{customer}/credit-balances": {"GET"},
    "/customers/{customer}/auth-token": {"POST"},
    "/customers/{customer}/portal-sessions": {"POST"},
    "/customers/{customer}/addresses": {"GET", "POST"},
    "/customers/{customer}/addresses/{address}": {"GET", "PATCH"},
    "/customers/{customer}/businesses": {"GET", "POST"},
    "/customers/{customer}/businesses/{business}": {"GET", "PATCH"},
    "/customers/{customer}/payment-methods": {"GET"},
    "/customers/{customer}/payment-methods/{payment_method}": {"GET", "DELETE"},
}
METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")


def paths(fake: FakePaddle) -> dict[str, str]:
    """Fill each template with the IDs of one stored customer and its entities."""
    customer = fake.add_customer(email="jo@example.com")["id"]
    ids = {
        "customer": customer,
        "address": fake.add_address(customer)["id"],
        "business": fake.add_business(customer, name="B")["id"],
        "payment_method": fake.add_payment_method(customer)["id"],
    }
    return {template: template.format(**ids) for template in ROUTES}


@pytest.mark.parametrize("template", list(ROUTES))
async def test_methods_a_route_does_not_have_are_405(
    fake: FakePaddle, http: aiohttp.ClientSession, template: str
) -> None:
    """A method other than the spec's on a known path is 405 method_not_allowed, naming them."""
    path = paths(fake)[template]
    replies = {
        method: await send(http, method, path)
        for method in METHODS
        if method not in ROUTES[template]
    }
    assert dict.fromkeys(replies, (405, "method_not_allowed")) == {
        method: codes(reply) for method, reply in replies.items()
    }
    allowed = {error_of(reply)["detail"] for reply in replies.values()}
    assert {
        f"Method not allowed. Allowed: {', '.join(sorted(ROUTES[template], key=METHODS.index))}."
    } == allowed


async def test_every_route_under_an_unknown_customer_is_404(
    fake: FakePaddle, http: aiohttp.ClientSession
) -> None:
    """Each method of each route under a customer that does not exist is 404 naming it."""
    missing = "ctm_01aaaaaaaaaaaaaaaaaaaaaaaa"
    urls = paths(fake)
    customer = urls["/customers/{customer}"]
    details = {
        (method, template): error_of(
            await send(http, method, urls[template].replace(customer, f"/customers/{missing}"))
        )["detail"]
        for template in list(ROUTES)[1:]
        for method in sorted(ROUTES[template])
    }
    assert dict.fromkeys(details, f"Customer {missing} not found.") == details


@pytest.mark.parametrize(
    "path",
    [
        "/customers/{customer}/subscriptions",
        "/customers/{customer}/addresses/{address}/default",
        "/customers/{customer}/payment-methods/",
        "/addresses",
    ],
)
async def test_paths_outside_the_customer_area_are_404(
    fake: FakePaddle, http: aiohttp.ClientSession, path: str
) -> None:
    """A path no route has is 404 not_found, naming the path."""
    customer = fake.add_customer(email="jo@example.com")["id"]
    address = fake.add_address(customer)["id"]
    full = path.format(customer=customer, address=address)
    reply = await send(http, "GET", full)
    assert ((404, "not_found"), f"Path {full} not found.") == (
        codes(reply),
        error_of(reply)["detail"],
    )


async def test_every_route_needs_the_api_key(fake: FakePaddle) -> None:
    """Without Authorization every route answers 403 authentication_missing, before anything."""
    async with aiohttp.ClientSession(base_url=fake.base_url) as bare:
        replies = [await send(bare, "GET", path) for path in paths(fake).values()]
    assert [(403, "authentication_missing")] * len(ROUTES) == [codes(r) for r in replies]


# A body each write accepts, so that the request succeeds once the faults are spent.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/customers"): {"email": "new@example.com"},
    ("PATCH", "/customers/{customer}"): {"name": "Jo Brown"},
    ("POST", "/customers/{customer}/addresses"): {"country_code": "US"},
    ("PATCH", "/customers/{customer}/addresses/{address}"): {"city": "Paris"},
    ("POST", "/customers/{customer}/businesses"): {"name": "Lost"},
    ("PATCH", "/customers/{customer}/businesses/{business}"): {"name": "Found"},
}
OPERATIONS = [(method, template) for template in ROUTES for method in sorted(ROUTES[template])]


def store_of(fake: FakePaddle) -> list[Any]:
    """Return everything the fake stores that a request can change, customer by customer."""
    return [
        (customer, fake.addresses(c), fake.businesses(c), fake.payment_methods(c))
        for customer in fake.customers()
        for c in [customer["id"]]
    ]


@pytest.mark.parametrize(("method", "template"), OPERATIONS)
async def test_scripted_faults_strike_every_route(
    fake: FakePaddle, http: aiohttp.ClientSession, method: str, template: str
) -> None:
    """fail_next (503, 429 with Retry-After, 502 with an HTML body) and drop_next strike each
    operation of each route; a fault that does not apply the write leaves the store as it was,
    and the request then succeeds."""
    path = paths(fake)[template]
    body = {"json": BODIES[method, template]} if (method, template) in BODIES else {}
    before = store_of(fake)
    fake.faults.fail_next(1, 503)
    fake.faults.fail_next(1, 429, retry_after=3)
    html = b"<html>gateway</html>"
    fake.faults.fail_next(1, 502, body=html, content_type="text/html", apply_write=False)
    unavailable = await send(http, method, path, **body)
    limited = await send(http, method, path, **body)
    gateway = await send(http, method, path, **body)
    # aiohttp sends an idempotent request (GET, DELETE) again, once, when its connection drops.
    drops = 1 if method in ("POST", "PATCH") else 2
    fake.faults.drop_next(drops)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await send(http, method, path, **body)
    assert [(503, "service_unavailable"), (429, "too_many_requests")] == [
        codes(unavailable),
        codes(limited),
    ]
    assert ("3", 502, html) == (limited.headers["Retry-After"], gateway.status, gateway.raw)
    assert before == store_of(fake)
    served = await send(http, method, path, **body)
    assert [503, 429, 502, *[0] * drops, served.status] == [r.status for r in fake.requests]
    assert served.status in (200, 201, 204), served.body


async def test_the_rate_limiter_counts_every_route(
    fake: FakePaddle, http: aiohttp.ClientSession
) -> None:
    """Requests to any route share the limit; over it, any route gets 429 with Retry-After."""
    urls = list(paths(fake).values())
    fake.faults.rate_limit(limit=len(urls), window=60.0, lockout=60.0)
    served = [(await send(http, "GET", path)).status for path in urls]
    refused = await send(http, "GET", urls[-1])
    assert 429 not in served
    assert ((429, "too_many_requests"), "60", 1) == (
        codes(refused),
        refused.headers["Retry-After"],
        fake.rate_limited,
    )


async def test_requests_to_new_routes_are_recorded(
    fake: FakePaddle, http: aiohttp.ClientSession
) -> None:
    """The request log has each route's path, first query values, body and status."""
    urls = paths(fake)
    customer = urls["/customers/{customer}"]
    await send(
        http, "GET", f"{customer}/payment-methods?supports_checkout=true&supports_checkout=false"
    )
    await send(http, "POST", f"{customer}/addresses", json={"country_code": "NO"})
    listing, create = fake.requests
    assert (f"{customer}/payment-methods", {"supports_checkout": "true"}, 200) == (
        listing.path,
        listing.query,
        listing.status,
    )
    assert ({"country_code": "NO"}, 201) == (create.json, create.status)
