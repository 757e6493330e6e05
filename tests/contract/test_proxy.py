"""Every SDK operation through ``prism proxy --errors`` in front of FakePaddle.

Prism checks each request the SDK sends and each response FakePaddle gives against Paddle's
OpenAPI spec; the `contract` fixture fails a test that leaves any violation unclaimed.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

import aiohttp
import attrs
import pytest

from paddle_async import Paddle
from paddle_async._validation import declare
from paddle_async.customers import (
    CreateCustomer,
    CreditBalance,
    CurrencyCode,
    Customer,
    CustomerBalance,
    ListCreditBalances,
    ListCustomers,
    UpdateCustomer,
)
from paddle_async.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    CustomerAlreadyExistsError,
    NotFoundError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from paddle_async.testing import FakePaddle

from .conftest import Contract, skip_module_without_prism
from .prism import Violation

skip_module_without_prism()

UNKNOWN_ID = "ctm_01zzzzzzzzzzzzzzzzzzzzzzzz"
OTHER_KEY = "pdl_sdbx_apikey_01wrongkeywrongkeywrongkey_WrongKeyForTestsOnly00_xyz"
NESTED_DATA: dict[str, Any] = {
    "crm": {"id": "abcd1234", "tags": ["vip", "beta"], "score": 9.5, "since": None},
    "flags": [True, False],
    "note": "Grüße, 日本",
}


def _fields(customer: Customer) -> dict[str, Any]:
    """The customer's fields as plain values, to compare with FakePaddle's wire dicts."""
    import_meta = customer.import_meta
    return {
        "id": customer.id,
        "email": customer.email,
        "name": customer.name,
        "status": str(customer.status),
        "custom_data": customer.custom_data,
        "locale": customer.locale,
        "marketing_consent": customer.marketing_consent,
        "import_meta": None
        if import_meta is None
        else {
            "external_id": import_meta.external_id,
            "imported_from": str(import_meta.imported_from),
        },
        "created_at": customer.created_at,
        "updated_at": customer.updated_at,
    }


def _wire_fields(wire: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "email", "name", "status", "custom_data", "locale", "marketing_consent")
    timestamps = {key: datetime.fromisoformat(wire[key]) for key in ("created_at", "updated_at")}
    return {key: wire[key] for key in keys} | {"import_meta": wire["import_meta"]} | timestamps


async def _ids(paddle: Paddle, request: ListCustomers) -> list[str]:
    return [customer.id async for customer in paddle.customers.list(request)]


async def _raw(
    method: str, url: str, *, body: bytes | None = None, authorization: str | None = None
) -> tuple[int, dict[str, str], Any]:
    """Send a request without the SDK; return the status, headers and decoded JSON body."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if authorization is not None:
        headers["Authorization"] = authorization
    timeout = aiohttp.ClientTimeout(total=10)
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.request(method, url, data=body, headers=headers) as response,
    ):
        return response.status, dict(response.headers), json.loads(await response.read())


# Create


async def test_create_with_email_only(paddle: Paddle, fake: FakePaddle) -> None:
    """The smallest create passes the spec, and the 201 entity comes back in the spec's shape."""
    customer = await paddle.customers.create(CreateCustomer(email="ada@example.com"))
    assert _wire_fields(fake.customers()[0]) == _fields(customer)
    assert [("POST", 201)] == [(r.method, r.status) for r in fake.requests]


async def test_create_with_every_field(paddle: Paddle, fake: FakePaddle) -> None:
    """A create with name, nested custom_data and locale passes the spec both ways."""
    request = CreateCustomer(
        email="grace@example.com", name="Grace Hopper", custom_data=NESTED_DATA, locale="el"
    )
    customer = await paddle.customers.create(request)
    expected: dict[str, Any] = {"email": "grace@example.com", "name": "Grace Hopper"}
    expected |= {"custom_data": NESTED_DATA, "locale": "el"}
    assert expected == fake.requests[-1].json
    assert _wire_fields(fake.customers()[0]) == _fields(customer)


async def test_create_at_the_length_limits(paddle: Paddle) -> None:
    """A 1024-character name and a 64-character local part are within the spec."""
    name = "Ø" * 1024
    email = "a" * 64 + "@example.com"
    customer = await paddle.customers.create(CreateCustomer(email=email, name=name))
    assert (email, name) == (customer.email, customer.name)


# Get


async def test_get_a_customer_with_every_field_set(paddle: Paddle, fake: FakePaddle) -> None:
    """An archived, imported customer with marketing consent is in the spec's shape."""
    stored = fake.add_customer(
        email="imported@example.com",
        name="Imported",
        custom_data={"legacy_id": 42},
        locale="de",
        status="archived",
        marketing_consent=True,
        import_meta={
            "external_id": "9b95b0b8-e10f-441a-862e-1936a6d818ab",
            "imported_from": "paddle_classic",
        },
    )
    assert _wire_fields(stored) == _fields(await paddle.customers.get(stored["id"]))


async def test_get_a_customer_with_nulls(paddle: Paddle, fake: FakePaddle) -> None:
    """name, custom_data and import_meta as null, and an import without external_id, pass."""
    plain = fake.add_customer(email="plain@example.com")
    imported = fake.add_customer(
        email="classic@example.com",
        import_meta={"external_id": None, "imported_from": "paddle_classic"},
    )
    assert _wire_fields(plain) == _fields(await paddle.customers.get(plain["id"]))
    assert _wire_fields(imported) == _fields(await paddle.customers.get(imported["id"]))


# Update


@pytest.mark.parametrize(
    ("update", "changed"),
    [
        (UpdateCustomer(name="Ada King"), {"name": "Ada King"}),
        (UpdateCustomer(email="countess@example.com"), {"email": "countess@example.com"}),
        (UpdateCustomer(status="archived"), {"status": "archived"}),
        (UpdateCustomer(custom_data=NESTED_DATA), {"custom_data": NESTED_DATA}),
        (UpdateCustomer(custom_data={}), {"custom_data": {}}),
        (UpdateCustomer(locale="fr"), {"locale": "fr"}),
        (UpdateCustomer(name=None), {"name": None}),
        (UpdateCustomer(custom_data=None), {"custom_data": None}),
    ],
    ids=[
        "name",
        "email",
        "status",
        "custom_data",
        "empty_custom_data",
        "locale",
        "null_name",
        "null_custom_data",
    ],
)
async def test_update_one_field(
    paddle: Paddle, fake: FakePaddle, update: UpdateCustomer, changed: dict[str, Any]
) -> None:
    """An update of one field (nulls included) passes the spec and changes only that field."""
    before = fake.add_customer(email="ada@example.com", name="Ada", custom_data={"tier": "gold"})
    after = await paddle.customers.update(before["id"], update)
    assert changed == fake.requests[-1].json
    stored = fake.customer(before["id"])
    assert stored is not None
    assert _wire_fields(stored) == _fields(after)
    assert before | changed | {"updated_at": stored["updated_at"]} == stored


async def test_update_every_field_at_once(paddle: Paddle, fake: FakePaddle) -> None:
    """An update of all five writable fields passes the spec."""
    before = fake.add_customer(email="ada@example.com", name="Ada")
    update = UpdateCustomer(
        name=None,
        email="lovelace@example.com",
        status="archived",
        custom_data=NESTED_DATA,
        locale="en-GB",
    )
    after = await paddle.customers.update(before["id"], update)
    changed: dict[str, Any] = {"name": None, "email": "lovelace@example.com"}
    changed |= {"status": "archived", "custom_data": NESTED_DATA, "locale": "en-GB"}
    stored = fake.customer(before["id"])
    assert stored is not None
    assert _wire_fields(stored) == _fields(after)
    assert before | changed | {"updated_at": stored["updated_at"]} == stored


async def test_unarchive(paddle: Paddle, fake: FakePaddle) -> None:
    """Setting status back to active passes the spec."""
    before = fake.add_customer(email="ada@example.com", status="archived")
    after = await paddle.customers.update(before["id"], UpdateCustomer(status="active"))
    assert "active" == str(after.status)


# List


async def test_list_walks_every_page(paddle: Paddle, fake: FakePaddle) -> None:
    """Each page request built from meta.pagination.next passes the spec."""
    ids = fake.seed(7)
    pages = [page async for page in paddle.customers.list(ListCustomers(per_page=2)).pages()]
    assert [2, 2, 2, 1] == [len(page.items) for page in pages]
    assert ids[::-1] == [customer.id for page in pages for customer in page.items]
    assert [(2, 7)] * 4 == [(page.per_page, page.estimated_total) for page in pages]


async def test_list_with_defaults(paddle: Paddle, fake: FakePaddle) -> None:
    """A list without parameters passes the spec and returns active customers, newest first."""
    ids = fake.seed(4, archived_every=2)
    assert [ids[2], ids[0]] == await _ids(paddle, ListCustomers())
    assert {} == fake.requests[-1].query


async def test_list_in_ascending_order_from_a_cursor(paddle: Paddle, fake: FakePaddle) -> None:
    """order_by=id[ASC] and after pass the spec."""
    ids = fake.seed(5)
    request = ListCustomers(order_by="id[ASC]", after=ids[1], per_page=2)
    assert ids[2:] == await _ids(paddle, request)


async def test_list_filtered_by_email_and_id(paddle: Paddle, fake: FakePaddle) -> None:
    """Comma-separated email and id filters pass the spec."""
    ids = fake.seed(5)
    by_email = ListCustomers(email=["customer1@example.com", "customer3@example.com"])
    assert [ids[3], ids[1]] == await _ids(paddle, by_email)
    assert [ids[4], ids[0]] == await _ids(paddle, ListCustomers(id=[ids[0], ids[4]]))


async def test_list_by_search_and_both_statuses(paddle: Paddle, fake: FakePaddle) -> None:
    """search and status=active,archived pass the spec."""
    ids = fake.seed(12, archived_every=3)
    request = ListCustomers(search="customer1", status=["active", "archived"])
    assert [ids[11], ids[10], ids[1]] == await _ids(paddle, request)
    archived = [ids[11], ids[8], ids[5], ids[2]]
    assert archived == await _ids(paddle, ListCustomers(status="archived"))


async def test_list_with_every_parameter(paddle: Paddle, fake: FakePaddle) -> None:
    """All seven list parameters in one request pass the spec."""
    ids = fake.seed(6, archived_every=2)
    request = ListCustomers(
        after=ids[0],
        email=[f"customer{i}@example.com" for i in range(6)],
        id=ids,
        order_by="id[ASC]",
        per_page=200,
        search="example.com",
        status=["active", "archived"],
    )
    assert ids[1:] == await _ids(paddle, request)
    expected = {"after", "email", "id", "order_by", "per_page", "search", "status"}
    assert expected == set(fake.requests[-1].query)


# Credit balances


async def test_credit_balances_of_a_customer_without_any(paddle: Paddle, fake: FakePaddle) -> None:
    """An empty data array is in the spec's shape."""
    customer = fake.add_customer(email="ada@example.com")
    assert [] == await paddle.customers.list_credit_balances(customer["id"])


async def test_credit_balances_with_and_without_a_currency_filter(
    paddle: Paddle, fake: FakePaddle
) -> None:
    """Balances, and currency_code with one or several codes, pass the spec."""
    customer_id = fake.add_customer(email="ada@example.com")["id"]
    fake.add_credit_balance(customer_id, "USD", available="550", reserved="900", used="1300")
    fake.add_credit_balance(customer_id, "EUR", available="10")
    fake.add_credit_balance(customer_id, "JPY", used="5000")
    usd = CreditBalance(
        customer_id=customer_id,
        currency_code=CurrencyCode.USD,
        balance=CustomerBalance(
            available=Decimal("550"), reserved=Decimal("900"), used=Decimal("1300")
        ),
    )
    eur = CreditBalance(
        customer_id=customer_id,
        currency_code=CurrencyCode.EUR,
        balance=CustomerBalance(available=Decimal("10")),
    )
    everything = await paddle.customers.list_credit_balances(customer_id)
    assert ["USD", "EUR", "JPY"] == [str(balance.currency_code) for balance in everything]
    only_usd = ListCreditBalances(currency_code="USD")
    assert [usd] == await paddle.customers.list_credit_balances(customer_id, only_usd)
    two = ListCreditBalances(currency_code=["EUR", "USD"])
    assert [usd, eur] == await paddle.customers.list_credit_balances(customer_id, two)
    assert "EUR,USD" == fake.requests[-1].query["currency_code"]


# Errors


async def _call_on_unknown(paddle: Paddle, operation: str) -> object:
    if operation == "get":
        return await paddle.customers.get(UNKNOWN_ID)
    if operation == "update":
        return await paddle.customers.update(UNKNOWN_ID, UpdateCustomer(name="Ada"))
    return await paddle.customers.list_credit_balances(UNKNOWN_ID)


@pytest.mark.parametrize("operation", ["get", "update", "list_credit_balances"])
async def test_unknown_customer_is_404(paddle: Paddle, operation: str) -> None:
    """404 not_found from get, update and credit balances is the spec's error shape."""
    with pytest.raises(NotFoundError) as caught:
        await _call_on_unknown(paddle, operation)
    assert (404, "not_found") == (caught.value.status, caught.value.code)


async def test_create_with_a_taken_email_is_409(paddle: Paddle, fake: FakePaddle) -> None:
    """409 customer_already_exists on create is the spec's error shape."""
    existing = fake.add_customer(email="ada@example.com")
    with pytest.raises(CustomerAlreadyExistsError) as caught:
        await paddle.customers.create(CreateCustomer(email="ada@example.com"))
    assert (409, existing["id"]) == (caught.value.status, caught.value.existing_customer_id)


async def test_update_to_a_taken_email_is_409(paddle: Paddle, fake: FakePaddle) -> None:
    """409 customer_already_exists on update is the spec's error shape."""
    fake.add_customer(email="ada@example.com")
    other = fake.add_customer(email="grace@example.com")
    with pytest.raises(CustomerAlreadyExistsError) as caught:
        await paddle.customers.update(other["id"], UpdateCustomer(email="ada@example.com"))
    assert (409, "customer_already_exists") == (caught.value.status, caught.value.code)


async def test_email_paddle_rejects_is_400(fake: FakePaddle, contract: Contract) -> None:
    """An address within the spec but against Paddle's rules (local part over 64) gets a 400
    in the spec's error shape (sent raw: the SDK refuses it itself)."""
    body = json.dumps({"email": "a" * 65 + "@example.com"}).encode()
    status, _, answer = await _raw(
        "POST", f"{contract.base_url}/customers", body=body, authorization=f"Bearer {fake.api_key}"
    )
    assert (400, "customer_email_invalid") == (status, answer["error"]["code"])
    assert [] == contract.take()


@pytest.mark.parametrize(
    "email",
    ["ada..lovelace@example.com", "adä@example.com", "ada@example.com."],
    ids=["consecutive_dots", "non_ascii", "trailing_dot"],
)
async def test_emails_the_spec_rejects_are_refused_client_side(
    paddle: Paddle, contract: Contract, email: str
) -> None:
    """An e-mail address the spec's format and Paddle's rules reject never leaves the SDK."""
    try:
        with pytest.raises(ValidationError):
            await paddle.customers.create(CreateCustomer(email=email))
    finally:
        sent = contract.take()
    assert [] == sent


@pytest.mark.parametrize("query", ["per_page=0", "order_by=name[ASC]"])
async def test_invalid_field_is_400_in_the_error_shape(
    fake: FakePaddle, contract: Contract, query: str
) -> None:
    """A query the spec allows but Paddle refuses gets 400 invalid_field, errors[] included,
    in the spec's error shape (sent raw: the SDK refuses both itself)."""
    url = f"{contract.base_url}/customers?{query}"
    status, _, body = await _raw("GET", url, authorization=f"Bearer {fake.api_key}")
    fields = [item["field"] for item in body["error"]["errors"]]
    assert (400, "invalid_field", [query.partition("=")[0]]) == (
        status,
        body["error"]["code"],
        fields,
    )


async def test_malformed_authorization_is_403_in_the_error_shape(
    fake: FakePaddle, contract: Contract
) -> None:
    """A bearer header that Prism lets through but Paddle calls malformed gets a spec-shaped
    403 authentication_malformed."""
    url = f"{contract.base_url}/customers"
    status, _, body = await _raw("GET", url, authorization="Bearer two tokens")
    assert (403, "authentication_malformed") == (status, body["error"]["code"])


async def test_wrong_key_is_403(fake: FakePaddle, contract: Contract) -> None:
    """403 invalid_token for a well-formed but unknown key is the spec's error shape."""
    async with Paddle(OTHER_KEY, base_url=contract.base_url, rate_limit=None) as paddle:
        with pytest.raises(AuthenticationError) as caught:
            await paddle.customers.get(UNKNOWN_ID)
    assert (403, "invalid_token") == (caught.value.status, caught.value.code)


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [
        (429, "too_many_requests", RateLimitError),
        (500, "internal_error", ServerError),
        (502, "bad_gateway", ServerError),
        (503, "service_unavailable", ServerError),
        (504, "gateway_timeout", ServerError),
    ],
)
async def test_fault_answers_are_in_the_error_shape(
    paddle: Paddle, fake: FakePaddle, status: int, code: str, error: type[APIError]
) -> None:
    """FakePaddle's injected 429 and 5xx answers are the spec's error shape."""
    fake.faults.fail_next(1, status, retry_after=7 if status == 429 else None)
    with pytest.raises(error) as caught:
        await paddle.customers.get(UNKNOWN_ID)
    assert (status, code) == (caught.value.status, caught.value.code)


# The check can fail


@attrs.frozen(kw_only=True)
class _CreateWithNickname(CreateCustomer):
    """A create request whose body carries a field the spec does not have."""

    nickname: str = attrs.field(default="Ada", metadata=declare())


@attrs.frozen(kw_only=True)
class _UpdateMarketingConsent(UpdateCustomer):
    """An update whose body carries marketing_consent, read-only in the spec."""

    marketing_consent: bool = attrs.field(default=True, metadata=declare())


async def test_an_unknown_request_field_is_reported(
    paddle: Paddle, fake: FakePaddle, contract: Contract
) -> None:
    """A request body with an unknown field is a violation, and Prism never forwards it."""
    with pytest.raises(BadRequestError) as caught:
        await paddle.customers.create(_CreateWithNickname(email="ada@example.com"))
    message = "Request body must NOT have additional properties; found 'nickname'"
    expected = Violation("POST /customers", "request.body", "additionalProperties", message)
    assert [expected] == contract.take()
    assert 422 == caught.value.status
    assert [] == fake.requests


async def test_a_read_only_request_field_is_reported(
    paddle: Paddle, fake: FakePaddle, contract: Contract
) -> None:
    """A read-only field in an update body is a violation."""
    customer_id = fake.add_customer(email="ada@example.com")["id"]
    with pytest.raises(BadRequestError):
        await paddle.customers.update(customer_id, _UpdateMarketingConsent(name="Ada"))
    message = "Request body must NOT have additional properties; found 'marketing_consent'"
    expected = Violation(
        f"PATCH /customers/{customer_id}", "request.body", "additionalProperties", message
    )
    assert [expected] == contract.take()


async def test_a_response_outside_the_spec_is_reported(
    paddle: Paddle, fake: FakePaddle, contract: Contract
) -> None:
    """A customer status outside the spec's enum, in a response, is a violation (Prism: 500)."""
    customer_id = fake.add_customer(email="ada@example.com", status="paused")["id"]
    with pytest.raises(ServerError):
        await paddle.customers.get(customer_id)
    message = (
        "Response body property data.status must be equal to one of the allowed values: "
        "active, archived"
    )
    expected = Violation(
        f"GET /customers/{customer_id}", "response.body.data.status", "enum", message
    )
    assert [expected] == contract.take()


async def test_an_undeclared_success_status_is_reported(
    paddle: Paddle, fake: FakePaddle, contract: Contract
) -> None:
    """A create answered 200 instead of 201 is a violation, which Prism alone would pass."""
    stored = fake.add_customer(email="ada@example.com")
    envelope = {"data": stored, "meta": {"request_id": "b15ec92e-8688-40d4-a04d-f44cbec93355"}}
    body = json.dumps(envelope).encode()
    fake.faults.fail_next(1, 200, body=body, content_type="application/json", method="POST")
    await paddle.customers.create(CreateCustomer(email="grace@example.com"))
    message = (
        "200 is not a status create-customer declares (201); "
        "Prism checked it against `default`, the error response"
    )
    assert [Violation("POST /customers", "response.status", "status", message)] == contract.take()


# Where the spec (as Prism reads it) and Paddle's documented behaviour differ


async def test_no_key_is_401_at_prism_but_403_at_paddle(
    fake: FakePaddle, contract: Contract
) -> None:
    """Prism answers a missing bearer token 401 (HTTP's rule); Paddle documents 403."""
    status, headers, _ = await _raw("GET", contract.base_url + "/customers")
    assert (401, "Bearer") == (status, headers.get("WWW-Authenticate"))
    assert [("prism", "UNAUTHORIZED")] == [(v.location, v.code) for v in contract.take()]
    assert [] == fake.requests
    status, _, body = await _raw("GET", f"{contract.direct_url}/customers")
    assert (403, "authentication_missing") == (status, body["error"]["code"])


async def test_invalid_body_is_422_at_prism_but_400_at_paddle(
    fake: FakePaddle, contract: Contract
) -> None:
    """Prism answers a body that breaks the schema 422; Paddle documents 400 invalid_field."""
    body = b'{"email": "ada@example.com", "nickname": "Ada"}'
    status, _, problem = await _raw(
        "POST", contract.base_url + "/customers", body=body, authorization=f"Bearer {fake.api_key}"
    )
    assert (422, ["body"]) == (status, problem["validation"][0]["location"])
    assert [("request.body", "additionalProperties")] == [
        (v.location, v.code) for v in contract.take()
    ]
    status, _, error = await _raw(
        "POST",
        f"{contract.direct_url}/customers",
        body=body,
        authorization=f"Bearer {fake.api_key}",
    )
    assert (400, "invalid_field", [{"field": "nickname", "message": "unknown field"}]) == (
        status,
        error["error"]["code"],
        error["error"]["errors"],
    )


async def test_malformed_json_is_refused_by_prism_itself(
    fake: FakePaddle, contract: Contract
) -> None:
    """Prism 5.14.2 answers malformed JSON with a 400 of its own (5.16.0 never answers);
    Paddle documents 400 invalid_json in its error envelope."""
    body = b'{"email": "ada@example.com",'
    status, _, answer = await _raw(
        "POST", contract.base_url + "/customers", body=body, authorization=f"Bearer {fake.api_key}"
    )
    assert (400, {"error": {"code": "invalid_json", "message": "Invalid JSON"}}) == (status, answer)
    assert [("prism", "not-forwarded")] == [(v.location, v.code) for v in contract.take()]
    status, _, error = await _raw(
        "POST",
        f"{contract.direct_url}/customers",
        body=body,
        authorization=f"Bearer {fake.api_key}",
    )
    assert (400, "invalid_json") == (status, error["error"]["code"])
