"""FakePaddle serves a customer's businesses as Paddle does, driven with a plain aiohttp client."""

from __future__ import annotations

import itertools
import re
from typing import Any

import aiohttp
import pytest
from fake_paddle_client import (
    CREATED_AT,
    MISSING_CUSTOMER,
    UPDATED_AT,
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

BUSINESS_ID = re.compile(r"biz_[0-9a-z]{26}")
MISSING_BUSINESS = "biz_01aaaaaaaaaaaaaaaaaaaaaaaa"
# The spec's request example (create-business-standard).
UPLIFT = {
    "name": "Uplift Inc.",
    "company_number": "555775291485",
    "tax_identifier": "555952383",
    "contacts": [{"name": "Parker Jones", "email": "parker@example.com"}],
}


def url(customer_id: str, business_id: str = "") -> str:
    return f"/customers/{customer_id}/businesses" + (f"/{business_id}" if business_id else "")


def contacts(n: int) -> list[dict[str, str]]:
    return [{"name": f"Contact {i}", "email": f"contact{i}@example.com"} for i in range(n)]


# Create


async def test_create_returns_201_and_the_whole_business(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str
) -> None:
    """POST stores the spec's example business with Paddle's defaults and formats."""
    reply = await send(http, "POST", url(customer_id), json=UPLIFT)
    business = reply.body["data"]
    assert 201 == reply.status
    assert {
        **UPLIFT,
        "status": "active",
        "customer_id": customer_id,
        "custom_data": None,
        "import_meta": None,
    } == {k: v for k, v in business.items() if k not in ("id", "created_at", "updated_at")}
    assert BUSINESS_ID.fullmatch(business["id"])
    assert re.fullmatch(CREATED_AT, business["created_at"])
    assert re.fullmatch(UPDATED_AT, business["updated_at"])
    assert business == fake.business(business["id"])


async def test_only_the_name_is_required(http: aiohttp.ClientSession, customer_id: str) -> None:
    """A name alone makes a business with no numbers and no contacts."""
    reply = await send(http, "POST", url(customer_id), json={"name": "Solo"})
    assert (201, None, None, []) == (
        reply.status,
        reply.body["data"]["company_number"],
        reply.body["data"]["tax_identifier"],
        reply.body["data"]["contacts"],
    )


async def test_contacts_need_only_an_email_and_may_share_one(
    http: aiohttp.ClientSession, customer_id: str
) -> None:
    """A contact without a name gets "" back; two contacts differing by name may share an email.

    The second half is the spec's own update example (update-business-standard).
    """
    listed = [
        {"email": "ap@example.com"},
        {"name": "Jo Riley", "email": "jo@example.com"},
        {"name": "Jesse Garcia", "email": "jo@example.com"},
    ]
    reply = await send(http, "POST", url(customer_id), json={"name": "B", "contacts": listed})
    assert (201, [{"name": "", "email": "ap@example.com"}, *listed[1:]]) == (
        reply.status,
        reply.body["data"]["contacts"],
    )


async def test_up_to_100_contacts_and_null_contacts(
    http: aiohttp.ClientSession, customer_id: str
) -> None:
    """100 contacts pass; `contacts: null` on create stores none."""
    full = await send(http, "POST", url(customer_id), json={"name": "B", "contacts": contacts(100)})
    none = await send(http, "POST", url(customer_id), json={"name": "C", "contacts": None})
    assert (201, 100) == (full.status, len(full.body["data"]["contacts"]))
    assert (201, []) == (none.status, none.body["data"]["contacts"])


@pytest.mark.parametrize(
    ("body", "bad_fields"),
    [
        ({}, ["name"]),
        ({"name": ""}, ["name"]),
        ({"name": None}, ["name"]),
        ({"name": "n" * 1025}, ["name"]),
        ({"name": "B", "company_number": "c" * 1025}, ["company_number"]),
        ({"name": "B", "tax_identifier": 5}, ["tax_identifier"]),
        ({"name": "B", "contacts": contacts(101)}, ["contacts"]),
        ({"name": "B", "contacts": [*contacts(1), *contacts(1)]}, ["contacts"]),
        ({"name": "B", "contacts": "jo@example.com"}, ["contacts"]),
        ({"name": "B", "contacts": ["jo@example.com"]}, ["contacts[0]"]),
        ({"name": "B", "contacts": [{"name": "Jo"}]}, ["contacts[0].email"]),
        ({"name": "B", "contacts": [*contacts(2), {"email": "jo"}]}, ["contacts[2].email"]),
        ({"name": "B", "contacts": [{"email": "jo..b@example.com"}]}, ["contacts[0].email"]),
        ({"name": "B", "contacts": [{"email": "jö@example.com"}]}, ["contacts[0].email"]),
        ({"name": "B", "contacts": [{"email": ""}]}, ["contacts[0].email"]),
        (
            {"name": "B", "contacts": [{"email": "a@example.com", "name": None}]},
            ["contacts[0].name"],
        ),
        ({"name": "B", "status": "active", "id": MISSING_BUSINESS}, ["status", "id"]),
        ({"name": "B", "vat": "GB1", "custom_data": "x"}, ["vat", "custom_data"]),
    ],
)
async def test_create_rejects_invalid_fields(
    fake: FakePaddle,
    http: aiohttp.ClientSession,
    customer_id: str,
    body: dict[str, Any],
    bad_fields: list[str],
) -> None:
    """Name, lengths, over 100 or repeated contacts, bad contact emails, unknown keys."""
    reply = await send(http, "POST", url(customer_id), json=body)
    assert ((400, "invalid_field"), bad_fields) == (codes(reply), fields(reply))
    assert [] == fake.businesses(customer_id)


async def test_create_for_an_unknown_customer_is_404(http: aiohttp.ClientSession) -> None:
    """The customer in the path must exist."""
    reply = await send(http, "POST", url(MISSING_CUSTOMER), json=UPLIFT)
    assert (404, f"Customer {MISSING_CUSTOMER} not found.") == (
        reply.status,
        error_of(reply)["detail"],
    )


# Get and update


async def test_get_is_scoped_to_the_customer(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str
) -> None:
    """GET returns the customer's business, archived too; another customer's is 404."""
    mine = fake.add_business(customer_id, name="Mine", status="archived")
    other = fake.add_customer(email="sam@example.com")["id"]
    theirs = fake.add_business(other, name="Theirs")["id"]
    found = await send(http, "GET", url(customer_id, mine["id"]))
    hidden = await send(http, "GET", url(customer_id, theirs))
    assert (200, mine) == (found.status, found.body["data"])
    assert (404, f"Business {theirs} not found.") == (hidden.status, error_of(hidden)["detail"])


async def test_patch_nulls_clear_and_contacts_are_replaced(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str
) -> None:
    """company_number, tax_identifier, contacts and custom_data clear with null; name cannot."""
    stored = fake.add_business(customer_id, **UPLIFT, custom_data={"crm": 1})
    business = url(customer_id, stored["id"])
    replaced = await send(http, "PATCH", business, json={"contacts": contacts(2)})
    cleared = await send(
        http,
        "PATCH",
        business,
        json=dict.fromkeys(["company_number", "tax_identifier", "contacts", "custom_data"]),
    )
    refused = await send(http, "PATCH", business, json={"name": None, "status": "gone"})
    assert contacts(2) == replaced.body["data"]["contacts"]
    assert {
        **stored,
        "company_number": None,
        "tax_identifier": None,
        "contacts": [],
        "custom_data": None,
        "updated_at": cleared.body["data"]["updated_at"],
    } == cleared.body["data"]
    assert ((400, "invalid_field"), ["name", "status"]) == (codes(refused), fields(refused))
    assert cleared.body["data"] == fake.business(stored["id"])


async def test_patch_of_another_customers_business_is_404(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str
) -> None:
    """PATCH through the wrong customer finds nothing and changes nothing."""
    other = fake.add_customer(email="sam@example.com")["id"]
    theirs = fake.add_business(other, name="Theirs")
    reply = await send(http, "PATCH", url(customer_id, theirs["id"]), json={"name": "Mine"})
    assert ((404, "not_found"), theirs) == (codes(reply), fake.business(theirs["id"]))


# List


async def test_list_pages_filters_and_hides_archived(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str
) -> None:
    """Archived businesses are hidden by default; pages of 2 follow `next` to the end."""
    ids = [
        fake.add_business(customer_id, name=f"B{n}", status="archived" if n == 2 else "active")[
            "id"
        ]
        for n in range(6)
    ]
    pages, paginations = await every_page(http, fake.base_url + url(customer_id) + "?per_page=2")
    active = [i for n, i in enumerate(ids) if n != 2]
    assert ([2, 2, 1], active[::-1]) == ([len(p) for p in pages], list(itertools.chain(*pages)))
    assert [5, 5, 5] == [p["estimated_total"] for p in paginations]
    assert paginations[0]["next"].startswith(f"{fake.base_url}/customers/{customer_id}/businesses?")


async def test_search_covers_names_numbers_and_contacts(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str
) -> None:
    """Search matches name, company number, tax identifier and contacts' names and emails."""
    uplift = fake.add_business(customer_id, **UPLIFT)["id"]
    highfly = fake.add_business(
        customer_id,
        name="HighFly LLC.",
        tax_identifier="GB123",
        contacts=[{"name": "Blair Lopez", "email": "blair@example.org"}],
    )["id"]
    base = fake.base_url + url(customer_id) + "?order_by=id[ASC]"
    cases = {
        "&search=uplift": [uplift],
        "&search=555775291485": [uplift],
        "&search=gb123": [highfly],
        "&search=PARKER": [uplift],
        "&search=example.org": [highfly],
        "&search=example": [uplift, highfly],
        f"&id={highfly}": [highfly],
    }
    results = {query: (await list_ids(http, base + query))[0] for query in cases}
    assert cases == results


# Seeding and events


async def test_add_business_needs_a_stored_customer(fake: FakePaddle) -> None:
    """Seeding a business for an unknown customer raises KeyError."""
    with pytest.raises(KeyError):
        fake.add_business(MISSING_CUSTOMER, name="B")
    assert (None, []) == (fake.business(MISSING_BUSINESS), fake.businesses(MISSING_CUSTOMER))


async def test_subscribers_hear_business_events(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str
) -> None:
    """An API create and update call subscribers with business.created/updated."""
    heard = listen(fake)
    created = (await send(http, "POST", url(customer_id), json=UPLIFT)).body["data"]
    updated = (
        await send(http, "PATCH", url(customer_id, created["id"]), json={"status": "archived"})
    ).body["data"]
    await fake.close()
    assert [("business.created", created), ("business.updated", updated)] == heard
