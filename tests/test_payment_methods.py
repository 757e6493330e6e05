"""Payment methods: the exact requests (in memory), the models, validation, retried deletes,
and list/get/delete against FakePaddle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from memory_sender import CUSTOMER_ID, MemorySender, envelope, page

from paddle_async import Paddle
from paddle_async._convert import StructureError, structure
from paddle_async._protocol import ApiRequest, Kind
from paddle_async.errors import NotFoundError, ServerError, ValidationError
from paddle_async.payment_methods import (
    Card,
    CardType,
    KoreaLocalPaymentMethodType,
    ListPaymentMethods,
    PaymentMethod,
    PaymentMethodOrigin,
    PaymentMethods,
    PaymentMethodType,
    PayPal,
    delete_payment_method,
    get_payment_method,
    list_payment_methods,
)
from paddle_async.testing import FakePaddle

SPEC = Path(__file__).parent / "data" / "paddle-openapi" / "customer-area-openapi.yaml"
METHOD_ID = "paymtd_01j2jff1m3es31sdkejpaym164"
OTHER_METHOD_ID = "paymtd_01j2jff1m3es31sdkejpaym165"
ADDRESS_ID = "add_01j2jfab8zcjy524w6e4s1knjy"
OTHER_ADDRESS_ID = "add_01j2jfab8zcjy524w6e4s1knjz"
MISSING_METHOD_ID = "paymtd_01zzzzzzzzzzzzzzzzzzzzzzzz"
BASE = f"/customers/{CUSTOMER_ID}/payment-methods"
SAVED = datetime(2024, 7, 12, 3, 23, 26, tzinfo=UTC)


def method_json(method_id: str = METHOD_ID, **fields: Any) -> dict[str, Any]:
    """Return a saved card as Paddle sends it (the spec's example)."""
    return {
        "customer_id": CUSTOMER_ID,
        "address_id": ADDRESS_ID,
        "id": method_id,
        "type": "card",
        "card": {
            "cardholder_name": "Sam Miller",
            "type": "visa",
            "last4": "4242",
            "expiry_month": 5,
            "expiry_year": 2025,
        },
        "paypal": None,
        "origin": "saved_during_purchase",
        "saved_at": "2024-07-12T03:23:26Z",
        "updated_at": "2024-10-29T14:12:28.018784Z",
        **fields,
    }


def not_found(*, after_unknown_outcome: bool) -> NotFoundError:
    error = NotFoundError(status=404, code="not_found", detail="Payment method not found.")
    error.after_unknown_outcome = after_unknown_outcome
    return error


# In memory: the exact requests


async def test_list_sends_every_filter_and_walks_pages() -> None:
    """list: GET .../payment-methods with each filter encoded, then the next page's cursor."""
    query = f"address_id={ADDRESS_ID},{OTHER_ADDRESS_ID}&order_by=id[ASC]&per_page=1"
    query += "&supports_checkout=false"
    pagination = {
        "per_page": 1,
        "next": f"https://api.paddle.com{BASE}?{query}&after={METHOD_ID}",
        "has_more": True,
        "estimated_total": 2,
    }
    sender = MemorySender(
        envelope([method_json()], meta={"pagination": pagination}),
        page([method_json(OTHER_METHOD_ID)], path=BASE),
    )
    request = ListPaymentMethods(
        address_id=[ADDRESS_ID, OTHER_ADDRESS_ID],
        supports_checkout=False,
        order_by="id[asc]",
        per_page=1,
    )
    methods = await list_payment_methods(sender, CUSTOMER_ID, request).collect()
    assert [METHOD_ID, OTHER_METHOD_ID] == [method.id for method in methods]
    assert [
        ApiRequest(method="GET", path=BASE, query=query),
        ApiRequest(method="GET", path=BASE, query=f"{query}&after={METHOD_ID}"),
    ] == sender.sent


async def test_list_sends_after_and_true() -> None:
    """after is sent as given; supports_checkout=True as lowercase true; None leaves both out."""
    sender = MemorySender(page([], path=BASE), page([], path=BASE))
    request = ListPaymentMethods(after=METHOD_ID, supports_checkout=True)
    await list_payment_methods(sender, CUSTOMER_ID, request).collect()
    await list_payment_methods(sender, CUSTOMER_ID).collect()
    assert [f"after={METHOD_ID}&supports_checkout=true", ""] == [r.query for r in sender.sent]


async def test_get_reads_one_method() -> None:
    """get: GET .../payment-methods/{id}, no body, kind READ, a PaymentMethod."""
    sender = MemorySender(envelope(method_json()))
    method = await get_payment_method(sender, CUSTOMER_ID, METHOD_ID)
    assert [ApiRequest(method="GET", path=f"{BASE}/{METHOD_ID}")] == sender.sent
    assert (
        PaymentMethod(
            id=METHOD_ID,
            customer_id=CUSTOMER_ID,
            address_id=ADDRESS_ID,
            type=PaymentMethodType.CARD,
            card=Card(
                type=CardType.VISA,
                last4="4242",
                expiry_month=5,
                expiry_year=2025,
                cardholder_name="Sam Miller",
            ),
            origin=PaymentMethodOrigin.SAVED_DURING_PURCHASE,
            saved_at=SAVED,
            updated_at=datetime(2024, 10, 29, 14, 12, 28, 18784, tzinfo=UTC),
        )
        == method
    )


async def test_delete_sends_a_bodyless_delete_and_returns_none() -> None:
    """delete: DELETE .../payment-methods/{id}, no body, kind DELETE; a 204 gives None."""
    sender = MemorySender(envelope(None, status=204))
    assert await delete_payment_method(sender, CUSTOMER_ID, METHOD_ID) is None
    assert [ApiRequest(method="DELETE", path=f"{BASE}/{METHOD_ID}", kind=Kind.DELETE)] == (
        sender.sent
    )


async def test_a_404_after_an_unknown_outcome_is_a_done_delete() -> None:
    """A 404 the retries met after an attempt that may have deleted it returns None."""
    sender = MemorySender(not_found(after_unknown_outcome=True))
    assert await delete_payment_method(sender, CUSTOMER_ID, METHOD_ID) is None


async def test_a_plain_404_is_raised() -> None:
    """A 404 with no earlier attempt that may have reached Paddle raises NotFoundError."""
    sender = MemorySender(not_found(after_unknown_outcome=False))
    with pytest.raises(NotFoundError):
        await delete_payment_method(sender, CUSTOMER_ID, METHOD_ID)


@pytest.mark.parametrize(
    ("customer_id", "method_id", "field"),
    [
        ("../x", METHOD_ID, "customer_id"),
        (CUSTOMER_ID, "paymtd_01j2jff1m3es31sdkejpaym16\u0664", "payment_method_id"),
        (CUSTOMER_ID, "add_01j2jfab8zcjy524w6e4s1knjy", "payment_method_id"),
        (CUSTOMER_ID, "paymtd_01J2JFF1M3ES31SDKEJPAYM164", "payment_method_id"),
        (CUSTOMER_ID, METHOD_ID + "/../x", "payment_method_id"),
    ],
)
async def test_a_bad_id_sends_nothing(customer_id: str, method_id: str, field: str) -> None:
    """get, delete and list refuse a malformed id (naming it) before sending anything."""
    sender = MemorySender()
    for call in (get_payment_method, delete_payment_method):
        with pytest.raises(ValidationError) as caught:
            await call(sender, customer_id, method_id)
        assert [field] == [error.field for error in caught.value.field_errors]
    if field == "customer_id":
        with pytest.raises(ValidationError):
            list_payment_methods(sender, customer_id)
    assert [] == sender.sent


async def test_the_namespace_only_binds_the_sender() -> None:
    """PaymentMethods(sender) sends exactly what the functions send, timeouts included."""
    sender = MemorySender(
        page([method_json()], path=BASE), envelope(method_json()), envelope(None, status=204)
    )
    methods = PaymentMethods(sender)
    assert [METHOD_ID] == [m.id for m in await methods.list(CUSTOMER_ID, timeout=2).collect()]
    assert METHOD_ID == (await methods.get(CUSTOMER_ID, METHOD_ID, timeout=3)).id
    assert await methods.delete(CUSTOMER_ID, METHOD_ID, timeout=4) is None
    assert [("GET", BASE), ("GET", f"{BASE}/{METHOD_ID}"), ("DELETE", f"{BASE}/{METHOD_ID}")] == [
        (r.method, r.path) for r in sender.sent
    ]
    assert [2, 3, 4] == sender.timeouts


# Validation


def field_errors(make: Any) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        make()
    return sorted(error.field for error in caught.value.field_errors)


def test_every_bad_list_field_is_named() -> None:
    """One ValidationError names each bad field of ListPaymentMethods."""
    assert ["address_id", "after", "order_by", "per_page", "supports_checkout"] == field_errors(
        lambda: ListPaymentMethods(
            address_id=["add_01j2jfab8zcjy524w6e4s1knj\u0665"],
            after=ADDRESS_ID,
            order_by="created_at[ASC]",
            per_page=201,
            supports_checkout="false",  # type: ignore[arg-type]
        )
    )


@pytest.mark.parametrize("value", [1, 0, "true", None])
def test_supports_checkout_is_a_boolean(value: Any) -> None:
    """supports_checkout takes True or False only; None means not given."""
    if value is None:
        assert ListPaymentMethods(supports_checkout=None).supports_checkout is None
    else:
        assert ["supports_checkout"] == field_errors(
            lambda: ListPaymentMethods(supports_checkout=value)
        )


def test_one_address_id_is_one_item() -> None:
    """A single address id string is one item, not its characters."""
    assert (ADDRESS_ID,) == ListPaymentMethods(address_id=ADDRESS_ID).address_id


# Models: lenient reading


def _spec_examples() -> list[Any]:
    spec = yaml.safe_load(SPEC.read_text())
    found: list[Any] = []
    for path in (
        "/customers/{customer_id}/payment-methods",
        BASE.replace(CUSTOMER_ID, "{customer_id}") + "/{payment_method_id}",
    ):
        for operation in spec["paths"][path].values():
            if not isinstance(operation, dict):
                continue
            for response in operation.get("responses", {}).values():
                content = response.get("content", {}).get("application/json", {})
                found += [
                    example["value"]["data"] for example in content.get("examples", {}).values()
                ]
    return found


def test_spec_examples_parse() -> None:
    """The spec's list and get examples parse into PaymentMethods."""
    examples = _spec_examples()
    parsed = [
        structure(item, PaymentMethod)
        for data in examples
        for item in (data if isinstance(data, list) else [data])
    ]
    assert [(METHOD_ID, PaymentMethodType.CARD, CardType.VISA)] * 2 == [
        (m.id, m.type, m.card.type if m.card else None) for m in parsed
    ]


def test_unknown_fields_and_values_are_kept_or_ignored() -> None:
    """New fields are ignored; new type, origin, card type and Korean method values stay text."""
    method = structure(
        method_json(
            type="sepa_debit",
            origin="imported",
            card={"type": "elo", "last4": "0042", "expiry_month": 1, "expiry_year": 2031, "new": 1},
            underlying_details={"korea_local": {"type": "newbank"}, "other": {}},
            fingerprint="abc",
        ),
        PaymentMethod,
    )
    assert ("sepa_debit", "imported", "elo", "0042", "newbank") == (
        method.type,
        method.origin,
        method.card.type if method.card else None,
        method.card.last4 if method.card else None,
        method.underlying_details.korea_local.type
        if method.underlying_details and method.underlying_details.korea_local
        else None,
    )


def test_paypal_and_korea_local_details() -> None:
    """A PayPal method has paypal and no card; a korea_local one its underlying type."""
    paypal = structure(
        method_json(
            type="paypal", card=None, paypal={"email": "a@example.com", "reference": "B-1"}
        ),
        PaymentMethod,
    )
    korea = structure(
        method_json(
            type="korea_local", card=None, underlying_details={"korea_local": {"type": "kakaopay"}}
        ),
        PaymentMethod,
    )
    assert (PaymentMethodType.PAYPAL, None, PayPal(email="a@example.com", reference="B-1")) == (
        paypal.type,
        paypal.card,
        paypal.paypal,
    )
    assert korea.underlying_details is not None
    assert korea.underlying_details.korea_local is not None
    assert KoreaLocalPaymentMethodType.KAKAOPAY == korea.underlying_details.korea_local.type


def test_missing_optional_parts_default() -> None:
    """card, paypal and underlying_details may be absent (a webhook's shorter shape)."""
    data = method_json()
    for key in ("card", "paypal"):
        del data[key]
    method = structure(data, PaymentMethod)
    assert (None, None, None) == (method.card, method.paypal, method.underlying_details)


def test_datetimes_are_aware() -> None:
    """saved_at and updated_at are aware: an offset is kept, none means UTC."""
    method = structure(
        method_json(saved_at="2024-07-12T05:23:26+02:00", updated_at="2024-10-29T14:12:28"),
        PaymentMethod,
    )
    assert timezone(timedelta(hours=2)) == method.saved_at.tzinfo
    assert SAVED == method.saved_at
    assert UTC == method.updated_at.tzinfo


@pytest.mark.parametrize(
    "changes",
    [{"id": None}, {"saved_at": "yesterday"}, {"card": {"expiry_month": "5"}}, {"type": 3}],
)
def test_a_wrong_shape_is_a_structure_error(changes: dict[str, Any]) -> None:
    """A missing id, a bad timestamp or a wrong type raises StructureError."""
    data = {**method_json(), **changes}
    if changes.get("id", "") is None:
        del data["id"]
    with pytest.raises(StructureError):
        structure(data, PaymentMethod)


# FakePaddle, over real HTTP


@pytest.fixture
def customer_id(fake: FakePaddle) -> str:
    return str(fake.add_customer(email="pm@example.com", name="Sam Miller")["id"])


async def test_list_filters_and_get(paddle: Paddle, fake: FakePaddle, customer_id: str) -> None:
    """Seeded methods list newest first; filters by address and checkout support work; get."""
    card = fake.add_payment_method(customer_id)
    other = fake.add_address(customer_id, country_code="GB")["id"]
    paypal = fake.add_payment_method(customer_id, type="paypal", address_id=other)
    renewal = fake.add_payment_method(customer_id, type="korea_local", origin="subscription")
    methods = await paddle.payment_methods.list(customer_id).collect()
    assert [renewal["id"], paypal["id"], card["id"]] == [m.id for m in methods]
    by_address = paddle.payment_methods.list(customer_id, ListPaymentMethods(address_id=other))
    assert [paypal["id"]] == [m.id async for m in by_address]
    at_checkout = ListPaymentMethods(supports_checkout=True, order_by="id[ASC]", per_page=1)
    assert [card["id"], paypal["id"]] == [
        m.id async for m in paddle.payment_methods.list(customer_id, at_checkout)
    ]
    got = await paddle.payment_methods.get(customer_id, paypal["id"])
    assert (PaymentMethodType.PAYPAL, "pm@example.com", None) == (
        got.type,
        got.paypal.email if got.paypal else None,
        got.card,
    )


async def test_delete_removes_it_and_a_second_delete_is_not_found(
    paddle: Paddle, fake: FakePaddle, customer_id: str
) -> None:
    """delete returns None and the method is gone; deleting it again raises NotFoundError."""
    method_id = fake.add_payment_method(customer_id)["id"]
    assert await paddle.payment_methods.delete(customer_id, method_id) is None
    assert (None, []) == (fake.payment_method(method_id), fake.payment_methods(customer_id))
    with pytest.raises(NotFoundError) as caught:
        await paddle.payment_methods.delete(customer_id, method_id)
    assert (404, "not_found", False) == (
        caught.value.status,
        caught.value.code,
        caught.value.after_unknown_outcome,
    )


@pytest.mark.parametrize("fault", ["drop_after_write", "502", "504"])
async def test_a_retried_delete_whose_first_attempt_deleted_it_returns_none(
    paddle: Paddle, fake: FakePaddle, customer_id: str, fault: str, retry_waits: list[float]
) -> None:
    """The first attempt deletes it but its answer is lost; the retry's 404 is no error.

    The retry is the SDK's (one backoff wait), never aiohttp's own unseen repeat of a DELETE
    on a dropped connection, which would hide that the first attempt may have deleted it.
    """
    method_id = fake.add_payment_method(customer_id)["id"]
    if fault == "drop_after_write":
        fake.faults.drop_next(1, after_write=True, method="DELETE")
    else:
        fake.faults.fail_next(1, int(fault), method="DELETE")  # applied: outcome unknown
    assert await paddle.payment_methods.delete(customer_id, method_id) is None
    deletes = [r.status for r in fake.requests if r.method == "DELETE"]
    assert [0 if fault.startswith("drop") else int(fault), 404] == deletes
    assert 1 == len(retry_waits)
    assert fake.payment_method(method_id) is None


async def test_a_retry_after_a_lost_answer_that_deleted_nothing_deletes(
    paddle: Paddle, fake: FakePaddle, customer_id: str
) -> None:
    """A dropped first attempt that never applied is retried and deletes it (204)."""
    method_id = fake.add_payment_method(customer_id)["id"]
    fake.faults.drop_next(1, after_write=False, method="DELETE")
    assert await paddle.payment_methods.delete(customer_id, method_id) is None
    assert [204] == [r.status for r in fake.requests if r.method == "DELETE"][-1:]


async def test_a_missing_method_still_raises_after_a_not_processed_answer(
    paddle: Paddle, fake: FakePaddle, customer_id: str
) -> None:
    """A 503 ("not processed") then 404 raises: no attempt can have deleted anything."""
    fake.faults.fail_next(1, 503, method="DELETE")
    with pytest.raises(NotFoundError) as caught:
        await paddle.payment_methods.delete(customer_id, MISSING_METHOD_ID)
    assert caught.value.after_unknown_outcome is False
    assert 2 == len([r for r in fake.requests if r.method == "DELETE"])


async def test_a_delete_that_runs_out_of_retries_raises_the_last_error(
    fake: FakePaddle, customer_id: str
) -> None:
    """With retries off, a 502 is raised as ServerError (the method may or may not be gone)."""
    method_id = fake.add_payment_method(customer_id)["id"]
    fake.faults.fail_next(1, 502, method="DELETE", apply_write=False)
    async with Paddle(fake.api_key, base_url=fake.base_url, max_retries=0) as client:
        with pytest.raises(ServerError):
            await client.payment_methods.delete(customer_id, method_id)
    assert fake.payment_method(method_id) is not None


async def test_another_customers_method_is_not_found(
    paddle: Paddle, fake: FakePaddle, customer_id: str
) -> None:
    """get and delete through another customer raise NotFoundError and delete nothing."""
    method_id = fake.add_payment_method(customer_id)["id"]
    stranger = fake.add_customer(email="other@example.com")["id"]
    with pytest.raises(NotFoundError):
        await paddle.payment_methods.get(stranger, method_id)
    with pytest.raises(NotFoundError):
        await paddle.payment_methods.delete(stranger, method_id)
    assert fake.payment_method(method_id) is not None


async def test_an_unknown_customer_is_not_found(paddle: Paddle) -> None:
    """Listing the methods of an unknown customer raises NotFoundError while iterating."""
    with pytest.raises(NotFoundError):
        await paddle.payment_methods.list("ctm_01zzzzzzzzzzzzzzzzzzzzzzzz").collect()


async def test_a_dict_for_the_request_says_what_to_build() -> None:
    """list (function and method) given a dict raises a TypeError naming ListPaymentMethods."""
    sender = MemorySender()
    with pytest.raises(TypeError) as caught:
        list_payment_methods(sender, CUSTOMER_ID, {"per_page": 5})  # type: ignore[arg-type]
    assert str(caught.value).endswith(
        "takes a ListPaymentMethods as its request, got dict: build ListPaymentMethods(**data)"
    )
    with pytest.raises(TypeError, match="ListPaymentMethods"):
        PaymentMethods(sender).list(CUSTOMER_ID, {"per_page": 5})  # type: ignore[arg-type]
    assert [] == sender.sent


async def test_a_borrowed_session_keeps_its_middlewares_on_a_delete(
    fake: FakePaddle, customer_id: str, retry_waits: list[float]
) -> None:
    """With the caller's aiohttp session, a dropped DELETE is still the SDK's to repeat, and
    the session's own middlewares still see every attempt."""
    seen: list[str] = []

    async def note(request: aiohttp.ClientRequest, handler: Any) -> aiohttp.ClientResponse:
        seen.append(request.method)
        response: aiohttp.ClientResponse = await handler(request)
        return response

    method_id = fake.add_payment_method(customer_id)["id"]
    fake.faults.drop_next(1, after_write=True, method="DELETE")
    async with (
        aiohttp.ClientSession(middlewares=(note,)) as session,
        Paddle(fake.api_key, base_url=fake.base_url, rate_limit=None, session=session) as client,
    ):
        assert await client.payment_methods.delete(customer_id, method_id) is None
        await client.payment_methods.list(customer_id).collect()
    assert (["DELETE", "DELETE", "GET"], 1) == (seen, len(retry_waits))
