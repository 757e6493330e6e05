"""FakePaddle follows Paddle's customers wire contract, driven with a plain aiohttp client."""

from __future__ import annotations

import itertools
import re
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import aiohttp
import pytest
from fake_paddle_client import (
    AUTH,
    CREATED_AT,
    UPDATED_AT,
    codes,
    create_customer,
    error_of,
    fields,
    list_ids,
    send,
)
from yarl import URL

from paddle_async.testing import TEST_API_KEY, FakePaddle, RecordedRequest

ID_PATTERN = re.compile(r"ctm_[0-9a-z]{26}")
MISSING_ID = "ctm_01aaaaaaaaaaaaaaaaaaaaaaaa"


@pytest.fixture
async def http(fake: FakePaddle) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(base_url=fake.base_url, headers=AUTH) as session:
        yield session


# Authentication and the envelope


async def test_missing_authorization_is_403(fake: FakePaddle) -> None:
    """No Authorization header gets 403 authentication_missing in Paddle's envelope."""
    async with aiohttp.ClientSession() as bare:
        reply = await send(bare, "GET", f"{fake.base_url}/customers")
    assert {
        "type": "request_error",
        "code": "authentication_missing",
        "detail": "Authentication header missing.",
        "documentation_url": "https://developer.paddle.com/errors/shared/authentication_missing",
    } == error_of(reply)
    assert 403 == reply.status


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (f"Basic {TEST_API_KEY}", "authentication_malformed"),
        ("Bearer", "authentication_malformed"),
        ("Bearer a b", "authentication_malformed"),
        (TEST_API_KEY, "authentication_malformed"),
        (
            "Bearer pdl_sdbx_apikey_01otherotherotherotherother_OtherKeyForTestsOnly0_xyz",
            "invalid_token",
        ),
    ],
)
async def test_bad_authorization_is_403(fake: FakePaddle, header: str, code: str) -> None:
    """A header that is not `Bearer <key>` is malformed; another key is an invalid token."""
    async with aiohttp.ClientSession(headers={"Authorization": header}) as other:
        reply = await send(other, "GET", f"{fake.base_url}/customers")
    assert (403, code) == codes(reply)


async def test_faults_skip_unauthenticated_requests(fake: FakePaddle) -> None:
    """A request failing auth gets its 403 and leaves scripted faults for the next one."""
    fake.faults.fail_next(1, 503)
    async with aiohttp.ClientSession() as bare:
        assert 403 == (await send(bare, "GET", f"{fake.base_url}/customers")).status
        reply = await send(bare, "GET", f"{fake.base_url}/customers", headers=AUTH)
    assert (503, "service_unavailable") == codes(reply)


async def test_success_envelope_has_data_and_request_id(http: aiohttp.ClientSession) -> None:
    """A success is `{data, meta: {request_id}}`, served as application/json."""
    customer = await create_customer(http, email="jo@example.com")
    reply = await send(http, "GET", f"/customers/{customer['id']}")
    assert ["data", "meta"] == list(reply.body)
    assert ["request_id"] == list(reply.body["meta"])
    assert 4 == uuid.UUID(reply.body["meta"]["request_id"]).version
    assert reply.headers["Content-Type"].startswith("application/json")


async def test_unknown_path_and_wrong_method(http: aiohttp.ClientSession) -> None:
    """An unknown path is 404 not_found; a wrong method is 405 method_not_allowed."""
    assert (404, "not_found") == codes(await send(http, "GET", "/addresses"))
    assert (405, "method_not_allowed") == codes(await send(http, "DELETE", "/customers"))
    assert (405, "method_not_allowed") == codes(
        await send(http, "POST", f"/customers/{MISSING_ID}")
    )


# Create


async def test_create_returns_201_and_the_whole_entity(http: aiohttp.ClientSession) -> None:
    """POST /customers stores the customer with Paddle's defaults and formats."""
    customer = await create_customer(http, email="jo@example.com", name="Jo Brown")
    assert {
        "status": "active",
        "custom_data": None,
        "name": "Jo Brown",
        "email": "jo@example.com",
        "marketing_consent": False,
        "locale": "en",
        "import_meta": None,
    } == {k: v for k, v in customer.items() if k not in ("id", "created_at", "updated_at")}
    assert ID_PATTERN.fullmatch(customer["id"])
    assert re.fullmatch(CREATED_AT, customer["created_at"])
    assert re.fullmatch(UPDATED_AT, customer["updated_at"])


async def test_create_with_every_field(fake: FakePaddle, http: aiohttp.ClientSession) -> None:
    """Name, custom_data and locale are stored as sent."""
    body = {"email": "el@example.com", "name": None, "custom_data": {"a": [1, {"b": None}]}}
    customer = await create_customer(http, **body, locale="el")
    assert (None, {"a": [1, {"b": None}]}, "el") == (
        customer["name"],
        customer["custom_data"],
        customer["locale"],
    )
    assert customer == fake.customer(customer["id"])


@pytest.mark.parametrize(
    ("data", "content_type", "code"),
    [
        (b'{"email": "jo@example.com"}', "text/plain", "bad_request"),
        (b'{"email": "jo@example.com"}', None, "bad_request"),
        (b'{"email": ', "application/json", "invalid_json"),
        (b"", "application/json", "invalid_json"),
        (
            b'{"email": "jo@example.com", "custom_data": {"x": NaN}}',
            "application/json",
            "invalid_json",
        ),
        (b'["jo@example.com"]', "application/json", "bad_request"),
    ],
)
async def test_create_body_must_be_a_json_object(
    fake: FakePaddle, http: aiohttp.ClientSession, data: bytes, content_type: str | None, code: str
) -> None:
    """Wrong Content-Type, broken JSON or a non-object body is refused and nothing is stored."""
    headers = {"Content-Type": content_type} if content_type else {}
    reply = await send(http, "POST", "/customers", data=data, headers=headers)
    assert (400, code) == codes(reply)
    assert [] == fake.customers()


@pytest.mark.parametrize(
    ("body", "bad_fields"),
    [
        ({}, ["email"]),
        ({"email": None}, ["email"]),
        ({"email": ""}, ["email"]),
        ({"email": "a" * 309 + "@example.com"}, ["email"]),
        ({"email": "jo@example.com", "name": "n" * 1025}, ["name"]),
        (
            {"email": "jo@example.com", "name": 5, "custom_data": [1], "locale": None},
            ["name", "custom_data", "locale"],
        ),
        ({"email": "jo@example.com", "nickname": "Jo", "status": "active"}, ["nickname", "status"]),
        (
            {"email": "jo@example.com", "id": MISSING_ID, "marketing_consent": True},
            ["id", "marketing_consent"],
        ),
        (
            {"email": "jo@example.com", "import_meta": None, "created_at": "x", "updated_at": "y"},
            ["import_meta", "created_at", "updated_at"],
        ),
    ],
)
async def test_create_rejects_invalid_fields(
    http: aiohttp.ClientSession, body: dict[str, Any], bad_fields: list[str]
) -> None:
    """Missing, mistyped, too long, unknown and read-only fields give invalid_field naming each."""
    reply = await send(http, "POST", "/customers", json=body)
    assert (400, "invalid_field") == codes(reply)
    assert bad_fields == fields(reply)


@pytest.mark.parametrize(
    "email",
    [
        "jö@example.com",
        ".jo@example.com",
        "jo.@example.com",
        "jo..brown@example.com",
        "jo@example..com",
        "jo brown@example.com",
        "a" * 65 + "@example.com",
        "jo.example.com",
        "jo@",
        "@example.com",
    ],
)
async def test_create_rejects_emails_paddle_rejects(
    http: aiohttp.ClientSession, email: str
) -> None:
    """Non-ASCII, misplaced dots, spaces, a long local part or no @: customer_email_invalid."""
    reply = await send(http, "POST", "/customers", json={"email": email})
    assert (400, "customer_email_invalid") == codes(reply)
    expected_url = "https://developer.paddle.com/errors/customers/customer_email_invalid"
    assert expected_url == error_of(reply)["documentation_url"]


async def test_duplicate_email_is_409_naming_the_existing_customer(
    fake: FakePaddle, http: aiohttp.ClientSession
) -> None:
    """Creating a second customer with an existing email gets 409 customer_already_exists."""
    existing = fake.add_customer(email="jo@example.com", status="archived")
    reply = await send(http, "POST", "/customers", json={"email": "jo@example.com"})
    assert (409, "customer_already_exists") == codes(reply)
    expected = f"customer email conflicts with customer of id {existing['id']}"
    assert expected == error_of(reply)["detail"]
    assert 1 == len(fake.customers())


async def test_ids_increase_in_creation_order(
    fake: FakePaddle, http: aiohttp.ClientSession
) -> None:
    """IDs from seeding, add_customer and the API sort in creation order."""
    ids = fake.seed(300)
    ids.append(fake.add_customer(email="a@example.com")["id"])
    ids += [(await create_customer(http, email=f"api{n}@example.com"))["id"] for n in range(5)]
    assert sorted(set(ids)) == ids
    assert ids == [c["id"] for c in fake.customers()]
    assert all(ID_PATTERN.fullmatch(i) for i in ids)


# Get


async def test_get_returns_the_customer_archived_or_not(
    fake: FakePaddle, http: aiohttp.ClientSession
) -> None:
    """GET /customers/{id} returns a stored customer, archived ones too."""
    stored = fake.add_customer(email="jo@example.com", status="archived", custom_data={"k": 1})
    reply = await send(http, "GET", f"/customers/{stored['id']}")
    assert (200, stored) == (reply.status, reply.body["data"])


@pytest.mark.parametrize("customer_id", [MISSING_ID, "ctm_short", "pro_01aaaaaaaaaaaaaaaaaaaaaaaa"])
async def test_get_unknown_or_malformed_id_is_404(
    http: aiohttp.ClientSession, customer_id: str
) -> None:
    """An unknown or malformed ID is 404 not_found, naming the ID."""
    reply = await send(http, "GET", f"/customers/{customer_id}")
    assert (404, "not_found") == codes(reply)
    assert f"Customer {customer_id} not found." == error_of(reply)["detail"]


# Update


async def test_patch_changes_only_the_given_fields(
    fake: FakePaddle, http: aiohttp.ClientSession
) -> None:
    """PATCH is partial, bumps updated_at and returns the whole entity."""
    before = fake.add_customer(email="jo@example.com", name="Jo", custom_data={"a": 1})
    reply = await send(http, "PATCH", f"/customers/{before['id']}", json={"locale": "fr"})
    after = reply.body["data"]
    assert (200, {**before, "locale": "fr", "updated_at": after["updated_at"]}) == (
        reply.status,
        after,
    )
    assert after["updated_at"] > before["updated_at"]
    assert after == fake.customer(before["id"])


async def test_patch_nulls_clear_and_objects_replace(
    fake: FakePaddle, http: aiohttp.ClientSession
) -> None:
    """`name: null` clears the name; custom_data null clears it and an object replaces it."""
    stored = fake.add_customer(email="jo@example.com", name="Jo", custom_data={"a": 1})
    url = f"/customers/{stored['id']}"
    cleared = (await send(http, "PATCH", url, json={"name": None, "custom_data": None})).body[
        "data"
    ]
    replaced = (await send(http, "PATCH", url, json={"custom_data": {"b": 2}})).body["data"]
    assert (None, None) == (cleared["name"], cleared["custom_data"])
    assert {"b": 2} == replaced["custom_data"]


async def test_patch_everything_and_an_empty_body(
    fake: FakePaddle, http: aiohttp.ClientSession
) -> None:
    """Every updatable field can change at once; `{}` changes nothing but updated_at."""
    stored = fake.add_customer(email="jo@example.com")
    url = f"/customers/{stored['id']}"
    changes = {
        "name": "A",
        "email": "a@example.com",
        "status": "archived",
        "custom_data": {},
        "locale": "el",
    }
    updated = (await send(http, "PATCH", url, json=changes)).body["data"]
    empty = await send(http, "PATCH", url, json={})
    assert changes == {k: updated[k] for k in changes}
    assert (200, {**updated, "updated_at": empty.body["data"]["updated_at"]}) == (
        empty.status,
        empty.body["data"],
    )
    assert fake.find_by_email("jo@example.com") is None


@pytest.mark.parametrize(
    ("body", "bad_fields"),
    [
        ({"email": None, "status": None, "locale": None}, ["email", "status", "locale"]),
        ({"status": "deleted"}, ["status"]),
        ({"name": "n" * 1025, "custom_data": "x"}, ["name", "custom_data"]),
        (
            {"marketing_consent": True, "import_meta": None, "id": MISSING_ID, "x": 1},
            ["marketing_consent", "import_meta", "id", "x"],
        ),
    ],
)
async def test_patch_rejects_invalid_fields(
    fake: FakePaddle, http: aiohttp.ClientSession, body: dict[str, Any], bad_fields: list[str]
) -> None:
    """Nulls for email/status/locale, bad values and unknown or read-only keys: invalid_field."""
    stored = fake.add_customer(email="jo@example.com")
    reply = await send(http, "PATCH", f"/customers/{stored['id']}", json=body)
    assert ((400, "invalid_field"), bad_fields) == (codes(reply), fields(reply))
    assert stored == fake.customer(stored["id"])


async def test_patch_body_errors_and_unknown_id(
    fake: FakePaddle, http: aiohttp.ClientSession
) -> None:
    """PATCH checks the body like POST, after checking that the customer exists."""
    stored = fake.add_customer(email="jo@example.com")
    url = f"/customers/{stored['id']}"
    assert (400, "bad_request") == codes(await send(http, "PATCH", url, data=b"{}"))
    assert (400, "invalid_json") == codes(
        await send(http, "PATCH", url, data=b"{", headers={"Content-Type": "application/json"})
    )
    assert (400, "customer_email_invalid") == codes(
        await send(http, "PATCH", url, json={"email": "jo..b@example.com"})
    )
    assert (404, "not_found") == codes(
        await send(http, "PATCH", f"/customers/{MISSING_ID}", json={"name": "x"})
    )


async def test_patch_to_a_taken_email_is_409(fake: FakePaddle, http: aiohttp.ClientSession) -> None:
    """Taking another customer's email is 409; keeping one's own email is fine."""
    jo = fake.add_customer(email="jo@example.com")
    sam = fake.add_customer(email="sam@example.com")
    taken = await send(http, "PATCH", f"/customers/{sam['id']}", json={"email": "jo@example.com"})
    same = await send(http, "PATCH", f"/customers/{jo['id']}", json={"email": "jo@example.com"})
    assert (409, f"customer email conflicts with customer of id {jo['id']}") == (
        taken.status,
        error_of(taken)["detail"],
    )
    assert 200 == same.status


# Credit balances


async def test_credit_balances_are_listed_and_filtered(
    fake: FakePaddle, http: aiohttp.ClientSession
) -> None:
    """Balances come back unpaginated, filtered by a comma-separated currency_code."""
    customer_id = fake.add_customer(email="jo@example.com")["id"]
    fake.add_credit_balance(customer_id, "USD", available="550", reserved="900", used="1300")
    fake.add_credit_balance(customer_id, "EUR", available="1")
    fake.add_credit_balance(customer_id, "GBP")
    url = f"/customers/{customer_id}/credit-balances"
    every = await send(http, "GET", url)
    some = await send(http, "GET", URL(f"{url}?currency_code=GBP%2CUSD", encoded=True))
    assert ["request_id"] == list(every.body["meta"])
    assert ["USD", "EUR", "GBP"] == [b["currency_code"] for b in every.body["data"]]
    assert {
        "customer_id": customer_id,
        "currency_code": "USD",
        "balance": {"available": "550", "reserved": "900", "used": "1300"},
    } == every.body["data"][0]
    assert ["USD", "GBP"] == [b["currency_code"] for b in some.body["data"]]


async def test_credit_balances_empty_unknown_and_invalid(
    fake: FakePaddle, http: aiohttp.ClientSession
) -> None:
    """No balances is `data: []`; an unknown customer is 404; a bad currency is 400."""
    customer_id = fake.add_customer(email="jo@example.com")["id"]
    empty = await send(http, "GET", f"/customers/{customer_id}/credit-balances")
    missing = await send(http, "GET", f"/customers/{MISSING_ID}/credit-balances")
    bad = await send(http, "GET", f"/customers/{customer_id}/credit-balances?currency_code=usd")
    assert (200, []) == (empty.status, empty.body["data"])
    assert (404, "not_found") == codes(missing)
    assert (400, "invalid_field") == codes(bad)
    with pytest.raises(KeyError):
        fake.add_credit_balance(MISSING_ID, "USD")


# List


async def test_list_defaults(fake: FakePaddle, http: aiohttp.ClientSession) -> None:
    """By default: active customers only, newest first, 50 a page, `next` absolute."""
    ids = fake.seed(66, archived_every=6)
    active = [i for n, i in enumerate(ids) if (n + 1) % 6]
    got, pagination = await list_ids(http, f"{fake.base_url}/customers")
    assert active[::-1][:50] == got
    assert {
        "per_page": 50,
        "next": f"{fake.base_url}/customers?after={got[-1]}",
        "has_more": True,
        "estimated_total": 55,
    } == pagination


@pytest.mark.parametrize("order_by", ["id[ASC]", "id[asc]", "ID[Desc]", "id%5BDESC%5D"])
async def test_pagination_walks_every_page_once(
    fake: FakePaddle, http: aiohttp.ClientSession, order_by: str
) -> None:
    """Following `next` over 4 pages yields each match once, in order, filters kept."""
    ids = fake.seed(40, archived_every=4)
    fake.add_customer(email="other@example.org", name="Not A Match")
    filters = f"search=CUSTOMER&status=active%2Carchived&order_by={order_by}&per_page=11"
    url = f"{fake.base_url}/customers?{filters}"
    pages: list[list[str]] = []
    while True:
        got, pagination = await list_ids(http, url)
        pages.append(got)
        assert urlsplit(pagination["next"]).netloc == urlsplit(fake.base_url).netloc
        assert 40 == pagination["estimated_total"]
        query = dict(parse_qsl(urlsplit(pagination["next"]).query))
        assert {"search": "CUSTOMER", "status": "active,archived", "per_page": "11"} == {
            k: query[k] for k in ("search", "status", "per_page")
        }
        assert got[-1] == query["after"]
        if not pagination["has_more"]:
            break
        url = pagination["next"]
    expected = ids[::-1] if "desc" in order_by.lower() else ids
    assert ([11, 11, 11, 7], expected) == (
        [len(p) for p in pages],
        list(itertools.chain.from_iterable(pages)),
    )


async def test_next_is_present_on_the_last_and_on_empty_pages(
    fake: FakePaddle, http: aiohttp.ClientSession
) -> None:
    """The last page has has_more false and a `next`; an empty page keeps the request's after."""
    ids = fake.seed(3)
    last, last_page = await list_ids(http, f"{fake.base_url}/customers?order_by=id[ASC]")
    empty, empty_page = await list_ids(http, last_page["next"])
    none, none_page = await list_ids(http, f"{fake.base_url}/customers?email=nobody%40example.com")
    assert (ids, False) == (last, last_page["has_more"])
    assert ([], False, last_page["next"]) == (empty, empty_page["has_more"], empty_page["next"])
    expected_next = f"{fake.base_url}/customers?email=nobody%40example.com"
    assert ([], expected_next, 0) == (none, none_page["next"], none_page["estimated_total"])


async def test_next_uses_next_base_url() -> None:
    """With next_base_url, `next` points there, as Paddle's https links do."""
    async with (
        FakePaddle(next_base_url="https://sandbox-api.paddle.com/") as fake,
        aiohttp.ClientSession(base_url=fake.base_url, headers=AUTH) as http,
    ):
        ids = fake.seed(2)
        _, pagination = await list_ids(http, f"{fake.base_url}/customers?per_page=1")
    assert (
        f"https://sandbox-api.paddle.com/customers?per_page=1&after={ids[1]}" == pagination["next"]
    )


async def test_after_excludes_the_cursor_even_if_unknown(
    fake: FakePaddle, http: aiohttp.ClientSession
) -> None:
    """`after` starts strictly after the given ID, in either order, stored or not."""
    ids = fake.seed(5)
    asc, _ = await list_ids(http, f"{fake.base_url}/customers?order_by=id[ASC]&after={ids[1]}")
    desc, _ = await list_ids(http, f"{fake.base_url}/customers?after={ids[3]}")
    between, _ = await list_ids(http, f"{fake.base_url}/customers?order_by=id[ASC]&after={ids[2]}0")
    assert (ids[2:], ids[2::-1], ids[3:]) == (asc, desc, between)


async def test_per_page_is_clamped_and_checked(
    fake: FakePaddle, http: aiohttp.ClientSession
) -> None:
    """per_page over 200 becomes 200; below 1 or not an integer is 400 invalid_field."""
    fake.seed(250)
    got, pagination = await list_ids(http, f"{fake.base_url}/customers?per_page=1000")
    assert (200, 200, True) == (len(got), pagination["per_page"], pagination["has_more"])
    for bad in ("0", "-1", "abc", "1.5", ""):
        reply = await send(http, "GET", f"/customers?per_page={bad}")
        assert ((400, "invalid_field"), ["per_page"]) == (codes(reply), fields(reply))


async def test_filters(fake: FakePaddle, http: aiohttp.ClientSession) -> None:
    """email (exact, CSV, encoded), id (CSV), search (any case) and status filter together."""
    jo = fake.add_customer(email="jo+1@example.com", name="Jo Brown")
    sam = fake.add_customer(email="sam@example.org", name="Sam Miller", status="archived")
    kim = fake.add_customer(email="kim@example.com", name="Kim BROWNING")
    base = f"{fake.base_url}/customers?order_by=id[ASC]"
    cases = {
        "&email=jo%2B1%40example.com,sam@example.org": [jo["id"]],
        "&email=JO%2B1%40example.com": [],
        "&email=jo%2B1%40example.com%2Csam%40example.org&status=archived,active": [
            jo["id"],
            sam["id"],
        ],
        f"&id={sam['id']},{kim['id']}": [kim["id"]],
        f"&id={sam['id']}&status=archived": [sam["id"]],
        "&search=brown": [jo["id"], kim["id"]],
        "&search=EXAMPLE.ORG&status=archived": [sam["id"]],
        f"&search={kim['id'][-8:].upper()}": [kim["id"]],
        "&status=archived": [sam["id"]],
        f"&email=kim%40example.com&id={jo['id']}": [],
    }
    results = {query: (await list_ids(http, base + query))[0] for query in cases}
    assert cases == results


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("email=" + "a" * 90 + "%40example.com", "email"),
        ("email=ok%40example.com," + "a" * 101, "email"),
        ("search=" + "s" * 101, "search"),
        ("status=active,deleted", "status"),
        ("order_by=email[ASC]", "order_by"),
        ("order_by=id", "order_by"),
    ],
)
async def test_list_rejects_invalid_query(
    http: aiohttp.ClientSession, query: str, field: str
) -> None:
    """Long email items or search, unknown statuses and bad order_by are 400 invalid_field."""
    reply = await send(http, "GET", URL(f"/customers?{query}", encoded=True))
    assert ((400, "invalid_field"), [field]) == (codes(reply), fields(reply))


async def test_estimated_total_and_skip_count(
    fake: FakePaddle, http: aiohttp.ClientSession
) -> None:
    """estimated_total counts every match, across pages; Skip-Count: true gives -1."""
    fake.seed(30, archived_every=3)
    url = f"{fake.base_url}/customers?per_page=5"
    _, counted = await list_ids(http, url)
    _, filtered = await list_ids(http, url + "&search=customer1")
    _, later = await list_ids(http, counted["next"])
    skipped = await send(http, "GET", url + "&search=customer1", headers={"Skip-Count": "true"})
    assert (20, 8, 20) == (
        counted["estimated_total"],
        filtered["estimated_total"],
        later["estimated_total"],
    )
    assert (-1, True) == (
        skipped.body["meta"]["pagination"]["estimated_total"],
        skipped.body["meta"]["pagination"]["has_more"],
    )


async def test_200k_customers_seed_and_list(fake: FakePaddle, http: aiohttp.ClientSession) -> None:
    """200,000 seeded customers list page by page from both ends; counts cap at 100001."""
    ids = fake.seed(200_000, archived_every=10)
    first, pagination = await list_ids(
        http, f"{fake.base_url}/customers?per_page=200&status=archived,active"
    )
    second, _ = await list_ids(http, pagination["next"])
    oldest, asc = await list_ids(http, f"{fake.base_url}/customers?per_page=200&order_by=id[ASC]")
    assert (ids[::-1][:200], ids[::-1][200:400]) == (first, second)
    assert [i for n, i in enumerate(ids[:222]) if (n + 1) % 10] == oldest
    assert (100_001, 100_001, True) == (
        pagination["estimated_total"],
        asc["estimated_total"],
        asc["has_more"],
    )
    assert "customer199999@example.com" == fake.customer(ids[-1])["email"]  # type: ignore[index]


async def test_archiving_moves_a_customer_between_status_lists(
    fake: FakePaddle, http: aiohttp.ClientSession
) -> None:
    """Archiving hides a customer from the default list; reactivating brings it back."""
    ids = fake.seed(3)
    url = f"{fake.base_url}/customers?order_by=id[ASC]"
    await send(http, "PATCH", f"/customers/{ids[1]}", json={"status": "archived"})
    hidden, _ = await list_ids(http, url)
    archived, _ = await list_ids(http, url + "&status=archived")
    await send(http, "PATCH", f"/customers/{ids[1]}", json={"status": "active"})
    back, _ = await list_ids(http, url)
    assert ([ids[0], ids[2]], [ids[1]], ids) == (hidden, archived, back)


# Seeding and inspection


async def test_seed_and_add_customer_refuse_taken_emails(fake: FakePaddle) -> None:
    """Seeding numbers emails after the stored customers; a taken email raises ValueError."""
    fake.seed(2)
    third = fake.seed(1)
    fake.add_customer(email="x@example.com")
    with pytest.raises(ValueError, match="conflicts"):
        fake.add_customer(email="customer0@example.com")
    with pytest.raises(ValueError, match="conflicts"):
        fake.seed(1, email_template="x@example.com")
    with pytest.raises(ValueError, match="unique"):
        fake.seed(2, email_template="same@example.com")
    assert "customer2@example.com" == fake.customer(third[0])["email"]  # type: ignore[index]
    assert 4 == len(fake.customers())


def customer_area_of(fake: FakePaddle) -> list[Any]:
    """Return each customer's addresses, businesses and payment methods without their ids and
    times (which differ from run to run), oldest customer first."""
    varying = {"id", "customer_id", "address_id", "created_at", "updated_at", "saved_at"}

    def kept(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: v for k, v in e.items() if k not in varying} for e in entities]

    return [
        (kept(fake.addresses(c)), kept(fake.businesses(c)), kept(fake.payment_methods(c)))
        for c in (customer["id"] for customer in fake.customers())
    ]


async def test_seeding_the_customer_area_is_the_same_every_run(
    fake: FakePaddle, http: aiohttp.ClientSession
) -> None:
    """seed(customer_area=True) gives customer i what the docstring says, by i alone (numbers go
    on after the customers stored before); a plain seed gives none. Payment methods are on
    the customer's seeded address, and only cards are offered at checkout."""
    fake.seed(5)
    ids = fake.seed(20, customer_area=True)
    again = FakePaddle()
    again.seed(5)
    again.seed(20, customer_area=True)
    assert customer_area_of(again) == customer_area_of(fake)
    assert [([], [], [])] * 5 == customer_area_of(fake)[:5]
    numbers = range(5, 25)
    assert [1 + (i % 4 == 1) for i in numbers] == [len(fake.addresses(c)) for c in ids]
    assert [int(i % 3 == 0) for i in numbers] == [len(fake.businesses(c)) for c in ids]
    assert [["card"] * (i % 2 == 0) + ["paypal"] * (i % 5 == 1) for i in numbers] == [
        [m["type"] for m in fake.payment_methods(c)] for c in ids
    ]
    assert {fake.addresses(c)[0]["id"] for c in ids for _ in fake.payment_methods(c)} == {
        m["address_id"] for c in ids for m in fake.payment_methods(c)
    }
    assert {("archived", "Old office")} == {
        (a["status"], a["description"]) for c in ids for a in fake.addresses(c)[1:]
    }
    offered = [
        (await send(http, "GET", f"/customers/{c}/payment-methods?supports_checkout=true")).body
        for c in ids
    ]
    assert [["card"] * (i % 2 == 0) for i in numbers] == [
        [m["type"] for m in reply["data"]] for reply in offered
    ]


async def test_returned_dicts_are_copies(fake: FakePaddle) -> None:
    """Changing a dict the fake returned does not change the stored customer."""
    stored = fake.add_customer(email="jo@example.com", custom_data={"nested": {"a": 1}})
    stored["custom_data"]["nested"]["a"] = 2
    found = fake.find_by_email("jo@example.com")
    assert {"nested": {"a": 1}} == found["custom_data"]  # type: ignore[index]
    assert fake.find_by_email("JO@example.com") is None


async def test_requests_are_recorded(fake: FakePaddle, http: aiohttp.ClientSession) -> None:
    """Each request is recorded in arrival order with its decoded query, body and status."""
    before = time.monotonic()
    await send(http, "POST", "/customers", json={"email": "jo@example.com"})
    await send(http, "GET", URL("/customers?status=active%2Carchived&search=a+b", encoded=True))
    post, get = fake.requests
    assert (
        RecordedRequest(
            method="POST",
            path="/customers",
            query={},
            headers=post.headers,
            body=b'{"email": "jo@example.com"}',
            json={"email": "jo@example.com"},
            received_at=post.received_at,
            status=201,
        ),
        {"status": "active,archived", "search": "a b"},
        200,
    ) == (post, get.query, get.status)
    assert f"Bearer {TEST_API_KEY}" == post.headers["Authorization"]
    assert before <= post.received_at <= get.received_at
