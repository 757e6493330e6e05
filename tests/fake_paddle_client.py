"""A plain aiohttp client for the FakePaddle tests: send, then read Paddle's envelopes.

The tests of FakePaddle drive it over real HTTP without the SDK, so what they check is the
wire: statuses, headers and JSON bodies.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import attrs
import pytest
from yarl import URL

from paddle_async.testing import TEST_API_KEY, FakePaddle

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
CREATED_AT = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
UPDATED_AT = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z"
MISSING_CUSTOMER = "ctm_01aaaaaaaaaaaaaaaaaaaaaaaa"


# Fixtures for the FakePaddle test modules, which import them (under these names) to use them.


@pytest.fixture(name="http")
async def http_fixture(fake: FakePaddle) -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp session on `fake`, sending the test key."""
    async with aiohttp.ClientSession(base_url=fake.base_url, headers=AUTH) as session:
        yield session


@pytest.fixture(name="customer_id")
def customer_id_fixture(fake: FakePaddle) -> str:
    """The ID of a customer stored in `fake`: Jo Brown, jo@example.com."""
    customer_id: str = fake.add_customer(email="jo@example.com", name="Jo Brown")["id"]
    return customer_id


def listen(fake: FakePaddle) -> list[tuple[str, dict[str, Any]]]:
    """Subscribe to `fake`; return the list its events are appended to."""
    heard: list[tuple[str, dict[str, Any]]] = []

    async def listener(event_type: str, data: dict[str, Any]) -> None:
        heard.append((event_type, data))

    fake.subscribe(listener)
    return heard


@attrs.frozen
class Reply:
    status: int
    body: Any
    headers: dict[str, str]
    raw: bytes


async def send(http: aiohttp.ClientSession, method: str, url: str | URL, **kw: Any) -> Reply:
    """Send a request and read the whole answer; `body` is the JSON, or None."""
    async with http.request(method, url, **kw) as response:
        raw = await response.read()
        body = await response.json() if response.content_type == "application/json" else None
        return Reply(response.status, body, dict(response.headers), raw)


def error_of(reply: Reply) -> dict[str, Any]:
    """Return the `error` object of Paddle's envelope, checking the envelope's shape."""
    assert {"error", "meta"} == set(reply.body)
    assert 4 == uuid.UUID(reply.body["meta"]["request_id"]).version
    return dict(reply.body["error"])


def codes(reply: Reply) -> tuple[int, str]:
    """Return the status and the error code."""
    return reply.status, error_of(reply)["code"]


def fields(reply: Reply) -> list[str]:
    """Return the fields an `invalid_field` error names, in order."""
    return [e["field"] for e in error_of(reply)["errors"]]


async def create_customer(http: aiohttp.ClientSession, **body: Any) -> dict[str, Any]:
    """Create a customer through the API; return it."""
    reply = await send(http, "POST", "/customers", json=body)
    assert 201 == reply.status
    return dict(reply.body["data"])


async def list_ids(http: aiohttp.ClientSession, url: str) -> tuple[list[str], dict[str, Any]]:
    """GET a list URL as given (already encoded); return the IDs and `meta.pagination`."""
    reply = await send(http, "GET", URL(url, encoded=True))
    assert 200 == reply.status, reply.body
    return [item["id"] for item in reply.body["data"]], reply.body["meta"]["pagination"]


async def every_page(
    http: aiohttp.ClientSession, url: str
) -> tuple[list[list[str]], list[dict[str, Any]]]:
    """Follow `next` from a list URL until `has_more` is false; return each page's IDs."""
    pages: list[list[str]] = []
    paginations: list[dict[str, Any]] = []
    while len(pages) < 100:
        ids, pagination = await list_ids(http, url)
        pages.append(ids)
        paginations.append(pagination)
        if not pagination["has_more"]:
            break
        url = pagination["next"]
    return pages, paginations
