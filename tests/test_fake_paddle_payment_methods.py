"""FakePaddle serves saved payment methods as Paddle does, driven with a plain aiohttp client."""

from __future__ import annotations

import itertools
import re
import uuid
from datetime import UTC, datetime

import aiohttp
import pytest
from fake_paddle_client import (
    MISSING_CUSTOMER,
    codes,
    customer_id_fixture,  # noqa: F401 (a fixture)
    error_of,
    every_page,
    fields,
    http_fixture,  # noqa: F401 (a fixture)
    list_ids,
    listen,
    send,
)

from paddle_async.testing import FakePaddle

METHOD_ID = re.compile(r"paymtd_[0-9a-z]{26}")
SAVED_AT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z")
MISSING_METHOD = "paymtd_01aaaaaaaaaaaaaaaaaaaaaaaa"


def url(customer_id: str, method_id: str = "") -> str:
    return f"/customers/{customer_id}/payment-methods" + (f"/{method_id}" if method_id else "")


# Seeding: no create API, so the fake makes realistic ones


async def test_a_seeded_card_looks_like_paddles(fake: FakePaddle, customer_id: str) -> None:
    """A card is a Visa ending 4242 in the customer's name, expiring in the future."""
    address = fake.add_address(customer_id, country_code="GB")["id"]
    method = fake.add_payment_method(customer_id)
    assert {
        "customer_id": customer_id,
        "address_id": address,
        "type": "card",
        "card": {
            "type": "visa",
            "last4": "4242",
            "expiry_month": 12,
            "expiry_year": datetime.now(UTC).year + 3,
            "cardholder_name": "Jo Brown",
        },
        "paypal": None,
        "underlying_details": None,
        "origin": "saved_during_purchase",
    } == {k: v for k, v in method.items() if k not in ("id", "saved_at", "updated_at")}
    assert METHOD_ID.fullmatch(method["id"])
    assert SAVED_AT.fullmatch(method["saved_at"])
    assert method == fake.payment_method(method["id"])


async def test_each_type_gets_its_own_details(fake: FakePaddle, customer_id: str) -> None:
    """PayPal has the customer's email and a B- reference; korea_local has its underlying type."""
    paypal = fake.add_payment_method(customer_id, type="paypal", origin="subscription")
    korea = fake.add_payment_method(customer_id, type="korea_local")
    alipay = fake.add_payment_method(customer_id, type="alipay")
    assert (None, "jo@example.com", "subscription") == (
        paypal["card"],
        paypal["paypal"]["email"],
        paypal["origin"],
    )
    assert re.fullmatch(r"B-[0-9A-Z]{17}", paypal["paypal"]["reference"])
    assert {"korea_local": {"type": "kakaopay"}} == korea["underlying_details"]
    assert (None, None, None) == (alipay["card"], alipay["paypal"], alipay["underlying_details"])


async def test_given_details_are_kept(fake: FakePaddle, customer_id: str) -> None:
    """Card, PayPal and underlying details passed in are stored as given, unknown types too."""
    card = {"type": "mastercard", "last4": "0004", "expiry_month": 1, "expiry_year": 2030}
    method = fake.add_payment_method(
        customer_id, type="new_wallet", card=card, underlying_details={"korea_local": None}
    )
    assert ("new_wallet", card, {"korea_local": None}) == (
        method["type"],
        method["card"],
        method["underlying_details"],
    )


async def test_the_address_is_the_customers(fake: FakePaddle, customer_id: str) -> None:
    """Without an address_id the oldest active address is used, or a new US one is stored."""
    first = fake.add_payment_method(customer_id)
    (stored,) = fake.addresses(customer_id)
    fake.add_address(customer_id)
    second = fake.add_payment_method(customer_id)
    assert (stored["id"], stored["id"], "US") == (
        first["address_id"],
        second["address_id"],
        stored["country_code"],
    )
    other = fake.add_customer(email="sam@example.com")["id"]
    with pytest.raises(ValueError, match="not an address"):
        fake.add_payment_method(other, address_id=stored["id"])
    with pytest.raises(KeyError):
        fake.add_payment_method(MISSING_CUSTOMER)


# Get and list


async def test_get_is_scoped_to_the_customer(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str
) -> None:
    """GET returns the customer's payment method; another customer's is 404 not_found."""
    mine = fake.add_payment_method(customer_id)
    other = fake.add_customer(email="sam@example.com")["id"]
    theirs = fake.add_payment_method(other)["id"]
    found = await send(http, "GET", url(customer_id, mine["id"]))
    replies = [
        await send(http, "GET", url(customer_id, theirs)),
        await send(http, "GET", url(customer_id, MISSING_METHOD)),
        await send(http, "GET", url(MISSING_CUSTOMER, theirs)),
    ]
    assert (200, mine) == (found.status, found.body["data"])
    assert [
        f"Payment method {theirs} not found.",
        f"Payment method {MISSING_METHOD} not found.",
        f"Customer {MISSING_CUSTOMER} not found.",
    ] == [error_of(r)["detail"] for r in replies]
    assert [404, 404, 404] == [r.status for r in replies]


async def test_list_pages_through_a_customers_methods(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str
) -> None:
    """Newest first by default, pages follow `next`, other customers' methods never show."""
    ids = [fake.add_payment_method(customer_id)["id"] for _ in range(5)]
    other = fake.add_customer(email="sam@example.com")["id"]
    fake.add_payment_method(other)
    pages, paginations = await every_page(http, fake.base_url + url(customer_id) + "?per_page=2")
    assert ([2, 2, 1], ids[::-1]) == ([len(p) for p in pages], list(itertools.chain(*pages)))
    assert [5, 5, 5] == [p["estimated_total"] for p in paginations]
    assert (
        f"{fake.base_url}/customers/{customer_id}/payment-methods?per_page=2&after={ids[3]}"
        == paginations[0]["next"]
    )


async def test_list_filters_by_address_and_checkout_support(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str
) -> None:
    """address_id (CSV) and supports_checkout filter; by default a subscription's is not offered."""
    home, office = (fake.add_address(customer_id)["id"] for _ in range(2))
    purchase = fake.add_payment_method(customer_id, address_id=home)["id"]
    renewal = fake.add_payment_method(customer_id, address_id=office, origin="subscription")["id"]
    offered = fake.add_payment_method(
        customer_id, address_id=office, origin="subscription", supports_checkout=True
    )["id"]
    base = fake.base_url + url(customer_id) + "?order_by=id[ASC]"
    cases = {
        "": [purchase, renewal, offered],
        f"&address_id={office}": [renewal, offered],
        f"&address_id={home}%2C{office}": [purchase, renewal, offered],
        "&supports_checkout=true": [purchase, offered],
        "&supports_checkout=false": [renewal],
        f"&supports_checkout=true&address_id={office}": [offered],
        "&status=archived&search=nothing": [purchase, renewal, offered],
    }
    results = {query: (await list_ids(http, base + query))[0] for query in cases}
    assert cases == results


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("supports_checkout=yes", "supports_checkout"),
        ("supports_checkout=True", "supports_checkout"),
        ("per_page=-1", "per_page"),
        ("order_by=saved_at[DESC]", "order_by"),
    ],
)
async def test_list_rejects_invalid_query(
    http: aiohttp.ClientSession, customer_id: str, query: str, field: str
) -> None:
    """supports_checkout is lowercase true or false; paging rules as for every list."""
    reply = await send(http, "GET", f"{url(customer_id)}?{query}")
    assert ((400, "invalid_field"), [field]) == (codes(reply), fields(reply))


# Delete


async def test_delete_is_204_with_no_body_and_a_request_id(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str
) -> None:
    """DELETE answers 204 with an empty body and a Request-Id header, and the method is gone."""
    method = fake.add_payment_method(customer_id)["id"]
    kept = fake.add_payment_method(customer_id)["id"]
    reply = await send(http, "DELETE", url(customer_id, method))
    assert (204, b"", None) == (reply.status, reply.raw, reply.headers.get("Content-Type"))
    assert 4 == uuid.UUID(reply.headers["Request-Id"]).version
    again = await send(http, "DELETE", url(customer_id, method))
    got = await send(http, "GET", url(customer_id, method))
    listed, _ = await list_ids(http, fake.base_url + url(customer_id))
    assert [(404, "not_found")] * 2 == [codes(again), codes(got)]
    assert ([kept], None) == (listed, fake.payment_method(method))
    assert 204 == fake.requests[0].status


async def test_delete_through_another_customer_is_404(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str
) -> None:
    """A payment method cannot be deleted through a customer it does not belong to."""
    other = fake.add_customer(email="sam@example.com")["id"]
    theirs = fake.add_payment_method(other)
    reply = await send(http, "DELETE", url(customer_id, theirs["id"]))
    assert ((404, "not_found"), theirs) == (codes(reply), fake.payment_method(theirs["id"]))


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", ""), ("PATCH", "item"), ("PUT", "item"), ("DELETE", "")],
)
async def test_payment_methods_cannot_be_created_or_updated(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str, method: str, path: str
) -> None:
    """There is no create or update API: those methods are 405 method_not_allowed."""
    item = fake.add_payment_method(customer_id)["id"] if path else ""
    reply = await send(http, method, url(customer_id, item), json={"type": "card"})
    assert (405, "method_not_allowed") == codes(reply)


@pytest.mark.parametrize(("status", "deleted"), [(503, False), (500, False), (502, True)])
async def test_faults_on_delete_apply_it_or_not(
    fake: FakePaddle,
    http: aiohttp.ClientSession,
    customer_id: str,
    status: int,
    deleted: bool,
) -> None:
    """DELETE is a write: a 500/503 leaves the method saved, a gateway 502 deletes it first."""
    method = fake.add_payment_method(customer_id)["id"]
    fake.faults.fail_next(1, status, method="DELETE")
    reply = await send(http, "DELETE", url(customer_id, method))
    assert (status, deleted) == (reply.status, fake.payment_method(method) is None)


# Events


async def test_subscribers_hear_saved_and_deleted(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str
) -> None:
    """notify=True tells payment_method.saved; an API delete tells payment_method.deleted.

    Both carry the notification's shorter shape; a deletion says why (`api`).
    """
    heard = listen(fake)
    fake.add_payment_method(customer_id)  # no event unless asked for
    method = fake.add_payment_method(customer_id, notify=True)
    await send(http, "DELETE", url(customer_id, method["id"]))
    await fake.close()
    short = {k: method[k] for k in ("id", "customer_id", "address_id", "type", "origin")}
    assert [
        ("payment_method.saved", {**short, "saved_at": method["saved_at"]}),
        (
            "payment_method.deleted",
            {**short, "saved_at": method["saved_at"], "deletion_reason": "api"},
        ),
    ] == [(t, {k: v for k, v in d.items() if k != "updated_at"}) for t, d in heard]
    assert heard[1][1]["updated_at"] > method["updated_at"]
