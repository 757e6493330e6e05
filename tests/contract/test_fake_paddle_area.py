"""FakePaddle's customer-area answers through ``prism proxy --errors``, sent with plain aiohttp.

These requests are written by hand, without the SDK, so that they check FakePaddle on its own:
they pass the spec, and Prism checks that every answer FakePaddle gives (successes and errors
alike) does too. The SDK's operations are checked in the other contract modules.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from paddle_async.testing import FakePaddle

from .conftest import Contract, skip_module_without_prism

skip_module_without_prism()

SUBSCRIPTION = "sub_01h04vsc0qhwtsbsxh3422wjs4"


@pytest.fixture
async def http(fake: FakePaddle, contract: Contract) -> AsyncIterator[aiohttp.ClientSession]:
    headers = {"Authorization": f"Bearer {fake.api_key}"}
    async with aiohttp.ClientSession(base_url=contract.base_url, headers=headers) as session:
        yield session


async def exchange(http: aiohttp.ClientSession, method: str, path: str, **kw: Any) -> int:
    async with http.request(method, path, **kw) as response:
        await response.read()
        return response.status


async def test_every_customer_area_answer_passes_the_spec(
    fake: FakePaddle, http: aiohttp.ClientSession
) -> None:
    """Creates, gets, updates, lists, the delete, the token and the session all pass Prism."""
    customer = fake.add_customer(email="jo@example.com", name="Jo Brown")["id"]
    base = f"/customers/{customer}"
    address = fake.add_address(customer, country_code="GB", city="Leeds")["id"]
    business = fake.add_business(
        customer, name="Uplift Inc.", contacts=[{"name": "Parker Jones", "email": "p@example.com"}]
    )["id"]
    methods = [
        fake.add_payment_method(customer, type=kind, address_id=address)["id"]
        for kind in ("card", "paypal", "korea_local", "apple_pay")
    ]
    statuses = [
        await exchange(http, "POST", f"{base}/addresses", json={"country_code": "US"}),
        await exchange(http, "GET", f"{base}/addresses/{address}"),
        await exchange(http, "PATCH", f"{base}/addresses/{address}", json={"city": None}),
        await exchange(
            http, "GET", f"{base}/addresses", params={"status": "active,archived", "per_page": "1"}
        ),
        await exchange(http, "POST", f"{base}/businesses", json={"name": "Solo", "contacts": None}),
        await exchange(http, "GET", f"{base}/businesses/{business}"),
        await exchange(http, "PATCH", f"{base}/businesses/{business}", json={"status": "archived"}),
        await exchange(http, "GET", f"{base}/businesses", params={"search": "solo"}),
        await exchange(
            http, "GET", f"{base}/payment-methods", params={"supports_checkout": "true"}
        ),
        await exchange(http, "GET", f"{base}/payment-methods/{methods[1]}"),
        await exchange(http, "DELETE", f"{base}/payment-methods/{methods[0]}"),
        await exchange(http, "POST", f"{base}/auth-token"),
        await exchange(http, "POST", f"{base}/portal-sessions"),
        await exchange(
            http, "POST", f"{base}/portal-sessions", json={"subscription_ids": [SUBSCRIPTION]}
        ),
    ]
    assert [201, 200, 200, 200, 201, 200, 200, 200, 200, 200, 204, 200, 201, 201] == statuses


async def test_not_found_and_kosovo_pass_the_spec(
    fake: FakePaddle, http: aiohttp.ClientSession
) -> None:
    """Another customer's address is a 404 envelope the spec accepts; XK is a country for both.

    (Requests the spec refuses, such as an unsupported country, never pass Prism to the fake.)
    """
    customer = fake.add_customer(email="jo@example.com")["id"]
    other = fake.add_customer(email="sam@example.com")["id"]
    theirs = fake.add_address(other)["id"]
    statuses = [
        await exchange(http, "GET", f"/customers/{customer}/addresses/{theirs}"),
        await exchange(
            http, "POST", f"/customers/{customer}/addresses", json={"country_code": "XK"}
        ),
    ]
    assert [404, 201] == statuses
