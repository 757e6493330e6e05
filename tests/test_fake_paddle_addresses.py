"""FakePaddle serves a customer's addresses as Paddle does, driven with a plain aiohttp client."""

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

ADDRESS_ID = re.compile(r"add_[0-9a-z]{26}")
MISSING_ADDRESS = "add_01aaaaaaaaaaaaaaaaaaaaaaaa"
# The spec's request example (create-address-standard).
HEAD_OFFICE = {
    "description": "Head Office",
    "first_line": "4050 Jefferson Plaza, 41st Floor",
    "city": "New York",
    "postal_code": "10021",
    "region": "NY",
    "country_code": "US",
}


def url(customer_id: str, address_id: str = "") -> str:
    return f"/customers/{customer_id}/addresses" + (f"/{address_id}" if address_id else "")


# Create


async def test_create_returns_201_and_the_whole_address(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str
) -> None:
    """POST stores the spec's example address with Paddle's defaults and formats."""
    reply = await send(http, "POST", url(customer_id), json=HEAD_OFFICE)
    address = reply.body["data"]
    assert (201, ["request_id"]) == (reply.status, list(reply.body["meta"]))
    assert {
        **HEAD_OFFICE,
        "status": "active",
        "customer_id": customer_id,
        "second_line": None,
        "custom_data": None,
        "import_meta": None,
    } == {k: v for k, v in address.items() if k not in ("id", "created_at", "updated_at")}
    assert ADDRESS_ID.fullmatch(address["id"])
    assert re.fullmatch(CREATED_AT, address["created_at"])
    assert re.fullmatch(UPDATED_AT, address["updated_at"])
    assert address == fake.address(address["id"])


async def test_only_the_country_is_required(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str
) -> None:
    """An address of a supported country alone is enough; Kosovo's XK is supported."""
    reply = await send(http, "POST", url(customer_id), json={"country_code": "XK"})
    assert (201, "XK", None) == (
        reply.status,
        reply.body["data"]["country_code"],
        reply.body["data"]["city"],
    )
    assert [reply.body["data"]] == fake.addresses(customer_id)


@pytest.mark.parametrize("country_code", ["RU", "ZZ"])
async def test_an_unsupported_country_is_address_location_not_allowed(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str, country_code: str
) -> None:
    """A two-letter code Paddle does not sell to is 400 address_location_not_allowed."""
    reply = await send(http, "POST", url(customer_id), json={"country_code": country_code})
    assert (400, "address_location_not_allowed") == codes(reply)
    assert {
        "type": "request_error",
        "code": "address_location_not_allowed",
        "detail": "Cannot create address with an unsupported location",
        "documentation_url": "https://developer.paddle.com/errors/addresses/address_location_not_allowed",
    } == error_of(reply)
    assert [] == fake.addresses(customer_id)


@pytest.mark.parametrize(
    ("body", "bad_fields"),
    [
        ({}, ["country_code"]),
        ({"city": "Paris"}, ["country_code"]),
        ({"country_code": None}, ["country_code"]),
        ({"country_code": "us"}, ["country_code"]),
        ({"country_code": "USA"}, ["country_code"]),
        ({"country_code": 1}, ["country_code"]),
        ({"country_code": "US", "description": "d" * 1025}, ["description"]),
        ({"country_code": "US", "first_line": "f" * 1025}, ["first_line"]),
        ({"country_code": "US", "second_line": "s" * 1025}, ["second_line"]),
        ({"country_code": "US", "city": "c" * 201}, ["city"]),
        ({"country_code": "US", "postal_code": "p" * 201}, ["postal_code"]),
        ({"country_code": "US", "region": "r" * 201}, ["region"]),
        ({"country_code": "US", "city": 5, "custom_data": [1]}, ["city", "custom_data"]),
        (
            {"country_code": "US", "status": "active", "id": MISSING_ADDRESS},
            ["status", "id"],
        ),
        (
            {"country_code": "US", "customer_id": MISSING_CUSTOMER, "import_meta": None},
            ["customer_id", "import_meta"],
        ),
        ({"country_code": "US", "street": "Main St"}, ["street"]),
    ],
)
async def test_create_rejects_invalid_fields(
    fake: FakePaddle,
    http: aiohttp.ClientSession,
    customer_id: str,
    body: dict[str, Any],
    bad_fields: list[str],
) -> None:
    """Missing or malformed country, long text, wrong types, read-only or unknown keys."""
    reply = await send(http, "POST", url(customer_id), json=body)
    assert ((400, "invalid_field"), bad_fields) == (codes(reply), fields(reply))
    assert [] == fake.addresses(customer_id)


async def test_the_longest_texts_pass(http: aiohttp.ClientSession, customer_id: str) -> None:
    """1,024 characters for description and lines, 200 for city, postal code and region."""
    body = {
        "country_code": "US",
        "description": "d" * 1024,
        "first_line": "f" * 1024,
        "second_line": "s" * 1024,
        "city": "c" * 200,
        "postal_code": "p" * 200,
        "region": "r" * 200,
    }
    reply = await send(http, "POST", url(customer_id), json=body)
    assert (201, body) == (reply.status, {k: reply.body["data"][k] for k in body})


async def test_create_for_an_unknown_customer_is_404(http: aiohttp.ClientSession) -> None:
    """The customer in the path must exist: 404 not_found naming it, before the body is read."""
    for customer_id in (MISSING_CUSTOMER, "ctm_short"):
        reply = await send(http, "POST", url(customer_id), data=b"not json")
        assert (404, f"Customer {customer_id} not found.") == (
            reply.status,
            error_of(reply)["detail"],
        )


async def test_create_body_must_be_a_json_object(
    http: aiohttp.ClientSession, customer_id: str
) -> None:
    """A wrong Content-Type is bad_request; broken JSON is invalid_json."""
    text = await send(http, "POST", url(customer_id), data=b'{"country_code": "US"}')
    broken = await send(
        http, "POST", url(customer_id), data=b"{", headers={"Content-Type": "application/json"}
    )
    assert [(400, "bad_request"), (400, "invalid_json")] == [codes(text), codes(broken)]


# Get


async def test_get_returns_an_address_archived_or_not(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str
) -> None:
    """GET returns a stored address, archived ones too."""
    stored = fake.add_address(customer_id, country_code="GB", status="archived")
    reply = await send(http, "GET", url(customer_id, stored["id"]))
    assert (200, stored) == (reply.status, reply.body["data"])


async def test_another_customers_address_is_not_found(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str
) -> None:
    """An address is found only under its own customer; elsewhere it is 404 not_found."""
    other = fake.add_customer(email="sam@example.com")["id"]
    theirs = fake.add_address(other, country_code="DE")["id"]
    replies = [
        await send(http, "GET", url(customer_id, theirs)),
        await send(http, "GET", url(customer_id, MISSING_ADDRESS)),
        await send(http, "GET", url(customer_id, "add_short")),
        await send(http, "GET", url(MISSING_CUSTOMER, theirs)),
    ]
    assert [
        (404, f"Address {theirs} not found."),
        (404, f"Address {MISSING_ADDRESS} not found."),
        (404, "Address add_short not found."),
        (404, f"Customer {MISSING_CUSTOMER} not found."),
    ] == [(r.status, error_of(r)["detail"]) for r in replies]


# Update


async def test_patch_changes_only_the_given_fields(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str
) -> None:
    """PATCH is partial, bumps updated_at and returns the whole address."""
    before = fake.add_address(customer_id, **HEAD_OFFICE, custom_data={"crm": 1})
    reply = await send(http, "PATCH", url(customer_id, before["id"]), json={"city": "Albany"})
    after = reply.body["data"]
    assert (200, {**before, "city": "Albany", "updated_at": after["updated_at"]}) == (
        reply.status,
        after,
    )
    assert after["updated_at"] > before["updated_at"]
    assert after == fake.address(before["id"])


async def test_patch_nulls_clear_the_nullable_fields(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str
) -> None:
    """Every text field and custom_data is cleared by null; country_code and status are not."""
    stored = fake.add_address(customer_id, **HEAD_OFFICE, second_line="Suite 5", custom_data={})
    nullable = ["description", "first_line", "second_line", "city", "postal_code", "region"]
    cleared = await send(
        http,
        "PATCH",
        url(customer_id, stored["id"]),
        json=dict.fromkeys([*nullable, "custom_data"]),
    )
    refused = await send(
        http,
        "PATCH",
        url(customer_id, stored["id"]),
        json={"country_code": None, "status": None},
    )
    assert [None] * 7 == [cleared.body["data"][k] for k in [*nullable, "custom_data"]]
    assert ((400, "invalid_field"), ["country_code", "status"]) == (
        codes(refused),
        fields(refused),
    )


async def test_patch_checks_country_and_fields(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str
) -> None:
    """A new country must be supported; read-only and unknown fields are invalid_field."""
    stored = fake.add_address(customer_id, country_code="US")
    address = url(customer_id, stored["id"])
    moved = await send(http, "PATCH", address, json={"country_code": "FR"})
    russia = await send(http, "PATCH", address, json={"country_code": "RU"})
    bad = await send(
        http, "PATCH", address, json={"status": "deleted", "created_at": "x", "city": "c" * 201}
    )
    assert (200, "FR") == (moved.status, moved.body["data"]["country_code"])
    assert (400, "address_location_not_allowed") == codes(russia)
    assert ["status", "created_at", "city"] == fields(bad)
    assert "FR" == fake.address(stored["id"])["country_code"]  # type: ignore[index]


async def test_patch_of_an_unknown_address_is_404_before_the_body(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str
) -> None:
    """Another customer's address is 404 (nothing changes); so is an unknown customer's."""
    other = fake.add_customer(email="sam@example.com")["id"]
    theirs = fake.add_address(other)
    replies = [
        await send(http, "PATCH", url(customer_id, theirs["id"]), json={"city": "Paris"}),
        await send(http, "PATCH", url(MISSING_CUSTOMER, theirs["id"]), data=b"{"),
    ]
    assert [(404, "not_found")] * 2 == [codes(r) for r in replies]
    assert theirs == fake.address(theirs["id"])


# List


async def test_list_defaults(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str
) -> None:
    """Active addresses of this customer only, newest first, 50 a page, `next` absolute."""
    other = fake.add_customer(email="sam@example.com")["id"]
    ids = [fake.add_address(customer_id)["id"] for _ in range(3)]
    archived = fake.add_address(customer_id, status="archived")["id"]
    fake.add_address(other)
    got, pagination = await list_ids(http, fake.base_url + url(customer_id))
    assert (ids[::-1], archived) == (got, fake.addresses(customer_id)[-1]["id"])
    assert {
        "per_page": 50,
        "next": f"{fake.base_url}/customers/{customer_id}/addresses?after={ids[0]}",
        "has_more": False,
        "estimated_total": 3,
    } == pagination


async def test_pagination_walks_every_page_once(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str
) -> None:
    """Following `next` over pages of 4 yields each match once, in order, filters kept."""
    ids = [
        fake.add_address(customer_id, status="archived" if n % 3 == 0 else "active")["id"]
        for n in range(11)
    ]
    start = fake.base_url + url(customer_id) + "?status=active,archived&order_by=id[ASC]&per_page=4"
    pages, paginations = await every_page(http, start)
    assert ([4, 4, 3], ids) == ([len(p) for p in pages], list(itertools.chain(*pages)))
    assert [True, True, False] == [p["has_more"] for p in paginations]
    assert [11, 11, 11] == [p["estimated_total"] for p in paginations]
    assert all(
        "per_page=4" in p["next"] and "status=active%2Carchived" in p["next"] for p in paginations
    )


async def test_filters(fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str) -> None:
    """id (CSV), search over the address's text in any case, and status filter together."""
    office = fake.add_address(customer_id, **HEAD_OFFICE)["id"]
    depot = fake.add_address(
        customer_id, country_code="GB", city="Leeds", description="Depot", status="archived"
    )["id"]
    home = fake.add_address(customer_id, country_code="DE", postal_code="10115")["id"]
    other = fake.add_customer(email="sam@example.com")["id"]
    theirs = fake.add_address(other, **HEAD_OFFICE)["id"]
    base = fake.base_url + url(customer_id) + "?order_by=id[ASC]"
    cases = {
        f"&id={office},{depot},{theirs}": [office],
        f"&id={depot}&status=archived": [depot],
        "&search=jefferson": [office],
        "&search=LEEDS": [],
        "&search=leeds&status=active,archived": [depot],
        "&search=10115": [home],
        f"&search={office[-10:].upper()}": [office],
        "&status=archived": [depot],
        "&status=active,archived": [office, depot, home],
    }
    results = {query: (await list_ids(http, base + query))[0] for query in cases}
    assert cases == results


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("per_page=0", "per_page"),
        ("per_page=x", "per_page"),
        ("order_by=city[ASC]", "order_by"),
        ("status=active,deleted", "status"),
        ("search=" + "s" * 101, "search"),
    ],
)
async def test_list_rejects_invalid_query(
    http: aiohttp.ClientSession, customer_id: str, query: str, field: str
) -> None:
    """Paddle's list rules hold here too: page size, order, statuses, search length."""
    reply = await send(http, "GET", f"{url(customer_id)}?{query}")
    assert ((400, "invalid_field"), [field]) == (codes(reply), fields(reply))


async def test_archiving_hides_and_reactivating_shows(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str
) -> None:
    """PATCH status archived moves an address out of the default list; active brings it back."""
    ids = [fake.add_address(customer_id)["id"] for _ in range(3)]
    listing = fake.base_url + url(customer_id) + "?order_by=id[ASC]"
    await send(http, "PATCH", url(customer_id, ids[1]), json={"status": "archived"})
    hidden, _ = await list_ids(http, listing)
    archived, _ = await list_ids(http, listing + "&status=archived")
    await send(http, "PATCH", url(customer_id, ids[1]), json={"status": "active"})
    back, _ = await list_ids(http, listing)
    assert ([ids[0], ids[2]], [ids[1]], ids) == (hidden, archived, back)


# Seeding and events


async def test_add_address_needs_a_stored_customer(fake: FakePaddle) -> None:
    """Seeding an address for an unknown customer raises KeyError; returned dicts are copies."""
    with pytest.raises(KeyError):
        fake.add_address(MISSING_CUSTOMER)
    customer_id = fake.add_customer(email="jo@example.com")["id"]
    stored = fake.add_address(customer_id, custom_data={"nested": {"a": 1}})
    stored["custom_data"]["nested"]["a"] = 2
    assert {"nested": {"a": 1}} == fake.address(stored["id"])["custom_data"]  # type: ignore[index]
    assert (None, []) == (fake.address(MISSING_ADDRESS), fake.addresses(MISSING_CUSTOMER))


async def test_subscribers_hear_address_events(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str
) -> None:
    """An API create and update call subscribers with address.created/updated and the address."""
    heard = listen(fake)
    fake.add_address(customer_id)  # seeding causes no event
    created = (await send(http, "POST", url(customer_id), json=HEAD_OFFICE)).body["data"]
    updated = (
        await send(http, "PATCH", url(customer_id, created["id"]), json={"region": None})
    ).body["data"]
    await fake.close()
    assert [("address.created", created), ("address.updated", updated)] == heard
