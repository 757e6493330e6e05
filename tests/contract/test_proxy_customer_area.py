"""Payment methods, customer auth tokens and portal sessions through ``prism proxy --errors``
in front of FakePaddle: every operation and optional parameter, requests and answers both
checked against Paddle's spec, and controls showing the check fails when either side is wrong."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import pytest

from paddle_async import Paddle
from paddle_async._validation import declare
from paddle_async.customer_portal_sessions import CreateCustomerPortalSession
from paddle_async.errors import BadRequestError, NotFoundError, ServerError
from paddle_async.payment_methods import ListPaymentMethods, PaymentMethodType
from paddle_async.testing import FakePaddle

from .conftest import Contract, skip_module_without_prism

skip_module_without_prism()

UNKNOWN_CUSTOMER = "ctm_01zzzzzzzzzzzzzzzzzzzzzzzz"
UNKNOWN_METHOD = "paymtd_01zzzzzzzzzzzzzzzzzzzzzzzz"
TYPES = ("card", "paypal", "korea_local", "apple_pay", "google_pay", "alipay")


@pytest.fixture
def customer_id(fake: FakePaddle) -> str:
    return str(fake.add_customer(email="jo@example.com", name="Jo Brown")["id"])


def subscription_ids(n: int) -> list[str]:
    return [f"sub_{i:026d}" for i in range(n)]


# Payment methods


async def test_list_without_parameters_walks_every_page(
    paddle: Paddle, fake: FakePaddle, customer_id: str
) -> None:
    """A list without parameters, and each next page, pass the spec both ways."""
    ids = [fake.add_payment_method(customer_id, type=kind)["id"] for kind in TYPES]
    assert ids[::-1] == [m.id async for m in paddle.payment_methods.list(customer_id)]
    assert {} == fake.requests[-1].query
    pages = paddle.payment_methods.list(customer_id, ListPaymentMethods(per_page=4)).pages()
    assert [4, 2] == [len(page.items) async for page in pages]


async def test_list_with_every_parameter(
    paddle: Paddle, fake: FakePaddle, customer_id: str
) -> None:
    """address_id (two), supports_checkout (true, false), after, order_by and per_page pass."""
    home = fake.add_address(customer_id, country_code="GB")["id"]
    work = fake.add_address(customer_id, country_code="XK")["id"]
    other = fake.add_address(customer_id, country_code="US")["id"]
    first = fake.add_payment_method(customer_id, address_id=home)["id"]
    second = fake.add_payment_method(customer_id, address_id=work, origin="subscription")["id"]
    third = fake.add_payment_method(customer_id, address_id=home)["id"]
    fake.add_payment_method(customer_id, address_id=other)
    request = ListPaymentMethods(
        address_id=[home, work],
        supports_checkout=True,
        after=first,
        order_by="id[ASC]",
        per_page=200,
    )
    assert [third] == [m.id async for m in paddle.payment_methods.list(customer_id, request)]
    expected = {"address_id", "supports_checkout", "after", "order_by", "per_page"}
    assert expected == set(fake.requests[-1].query)
    no_checkout = ListPaymentMethods(supports_checkout=False, address_id=work)
    assert [second] == [m.id async for m in paddle.payment_methods.list(customer_id, no_checkout)]
    assert "false" == fake.requests[-1].query["supports_checkout"]


@pytest.mark.parametrize("kind", TYPES)
async def test_get_each_type(paddle: Paddle, fake: FakePaddle, customer_id: str, kind: str) -> None:
    """Each type's payment method (card, PayPal, Korean details, nulls) passes the spec."""
    stored = fake.add_payment_method(customer_id, type=kind)
    method = await paddle.payment_methods.get(customer_id, stored["id"])
    assert (PaymentMethodType(kind), stored["address_id"]) == (method.type, method.address_id)
    assert (stored["card"] is None, stored["paypal"] is None) == (
        method.card is None,
        method.paypal is None,
    )


async def test_delete_is_204_then_404(paddle: Paddle, fake: FakePaddle, customer_id: str) -> None:
    """A delete's 204 without a body, and the 404 of a second one, pass the spec."""
    method_id = fake.add_payment_method(customer_id)["id"]
    assert await paddle.payment_methods.delete(customer_id, method_id) is None
    with pytest.raises(NotFoundError):
        await paddle.payment_methods.delete(customer_id, method_id)
    assert [204, 404] == [r.status for r in fake.requests if r.method == "DELETE"]


async def test_not_found_answers_pass_the_spec(
    paddle: Paddle, fake: FakePaddle, customer_id: str
) -> None:
    """404s from each new operation, for an unknown customer or method, are the spec's shape."""
    calls: list[Any] = [
        paddle.payment_methods.list(UNKNOWN_CUSTOMER).collect(),
        paddle.payment_methods.get(customer_id, UNKNOWN_METHOD),
        paddle.payment_methods.delete(customer_id, UNKNOWN_METHOD),
        paddle.customer_portal_sessions.create(UNKNOWN_CUSTOMER),
    ]
    for call in calls:
        with pytest.raises(NotFoundError) as caught:
            await call
        assert (404, "not_found") == (caught.value.status, caught.value.code)


async def test_auth_token_404_is_undeclared_in_the_spec(paddle: Paddle, contract: Contract) -> None:
    """The spec declares only 200 for auth-token (no `default` error response), so Prism warns
    about Paddle's 404 for an unknown customer; the SDK raises NotFoundError as elsewhere."""
    with pytest.raises(NotFoundError) as caught:
        await paddle.customers.generate_auth_token(UNKNOWN_CUSTOMER)
    assert (404, "not_found") == (caught.value.status, caught.value.code)
    assert [("response", "Warning")] == [(v.location, v.severity) for v in contract.take()]


# Auth tokens and portal sessions


async def test_auth_token_without_a_body(
    paddle: Paddle, fake: FakePaddle, customer_id: str
) -> None:
    """The body-less POST and its 200 pass the spec."""
    token = await paddle.customers.generate_auth_token(customer_id)
    assert customer_id == fake.auth_token_customer(token.customer_auth_token)
    assert (b"", None) == (fake.requests[-1].body, fake.requests[-1].headers.get("Content-Type"))


@pytest.mark.parametrize(
    "request_",
    [
        None,
        CreateCustomerPortalSession(),
        CreateCustomerPortalSession(subscription_ids=[]),
        CreateCustomerPortalSession(subscription_ids=subscription_ids(1)),
        CreateCustomerPortalSession(subscription_ids=subscription_ids(25)),
    ],
    ids=["no body", "empty object", "empty list", "one", "25"],
)
async def test_portal_session_bodies(
    paddle: Paddle, customer_id: str, request_: CreateCustomerPortalSession | None
) -> None:
    """No body, {}, [] and 1 or 25 subscription ids pass the spec, as do the 201 answers."""
    session = await paddle.customer_portal_sessions.create(customer_id, request_)
    expected = list(request_.subscription_ids or ()) if request_ is not None else []
    assert expected == [links.id for links in session.urls.subscriptions]


# The check can fail


@attrs.frozen(kw_only=True)
class _UncheckedSession(CreateCustomerPortalSession):
    """A portal session request whose ids skip the SDK's checks (sent as given)."""

    subscription_ids: Sequence[str] | None = attrs.field(default=None, metadata=declare())


@pytest.mark.parametrize(
    ("ids", "code"),
    [
        (subscription_ids(26), "maxItems"),
        (subscription_ids(1) * 2, "uniqueItems"),
        (["sub_01H04VSC0QHWTSBSXH3422WJS4"], "pattern"),
    ],
    ids=["26 ids", "twice", "upper case"],
)
async def test_a_bad_subscription_list_is_reported(
    paddle: Paddle,
    fake: FakePaddle,
    contract: Contract,
    customer_id: str,
    ids: list[str],
    code: str,
) -> None:
    """Ids the SDK refuses (too many, repeated, malformed) break the spec: Prism refuses them."""
    with pytest.raises(BadRequestError) as caught:
        await paddle.customer_portal_sessions.create(
            customer_id, _UncheckedSession(subscription_ids=ids)
        )
    assert 422 == caught.value.status
    found = contract.take()
    assert [code] == [v.code for v in found]
    assert found[0].location.startswith("request.body.subscription_ids")
    assert [] == [r for r in fake.requests if r.method == "POST"]


@pytest.mark.parametrize(
    ("changes", "location", "values"),
    [
        (
            {"origin": "imported"},
            "response.body.data.origin",
            "saved_during_purchase, subscription",
        ),
        ({"type": "sepa_debit", "card": None}, "response.body.data.type", "alipay, apple_pay"),
    ],
    ids=["origin", "type"],
)
async def test_a_payment_method_outside_the_spec_is_reported(
    paddle: Paddle,
    fake: FakePaddle,
    contract: Contract,
    customer_id: str,
    changes: dict[str, Any],
    location: str,
    values: str,
) -> None:
    """A value outside the spec's enums in an answer is a violation (Prism answers 500)."""
    method_id = fake.add_payment_method(customer_id, **changes)["id"]
    with pytest.raises(ServerError):
        await paddle.payment_methods.get(customer_id, method_id)
    [violation] = contract.take()
    assert (f"GET /customers/{customer_id}/payment-methods/{method_id}", location, "enum") == (
        violation.request,
        violation.location,
        violation.code,
    )
    assert values in violation.message


async def test_a_delete_answered_with_a_body_and_200_is_reported(
    paddle: Paddle, fake: FakePaddle, contract: Contract, customer_id: str
) -> None:
    """A delete answered 200 instead of 204 is a violation, though the SDK takes it."""
    method_id = fake.add_payment_method(customer_id)["id"]
    body = b'{"data": null, "meta": {"request_id": "b15ec92e-8688-40d4-a04d-f44cbec93355"}}'
    fake.faults.fail_next(1, 200, body=body, content_type="application/json", method="DELETE")
    await paddle.payment_methods.delete(customer_id, method_id)
    assert [("response.status", "status")] == [(v.location, v.code) for v in contract.take()]
