"""Payment methods, customer auth tokens and portal sessions against ``prism mock --errors``:
each operation, with each optional parameter, passes the spec and parses its example.

The spec's examples use different ids in different operations (the portal session example's
`customer_id` is not the path's), so nothing here expects an answer to echo the request's ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import attrs
import pytest
import yaml

from paddle_async import Paddle
from paddle_async._validation import declare
from paddle_async.customer_portal_sessions import (
    CreateCustomerPortalSession,
    CustomerPortalSession,
    CustomerPortalSessionGeneralUrls,
    CustomerPortalSessionSubscriptionUrls,
    CustomerPortalSessionUrls,
)
from paddle_async.customers import CustomerAuthToken
from paddle_async.errors import BadRequestError
from paddle_async.payment_methods import (
    Card,
    CardType,
    ListPaymentMethods,
    PaymentMethod,
    PaymentMethodOrigin,
    PaymentMethodType,
)

from .conftest import Contract, skip_module_without_prism
from .prism import SPEC

skip_module_without_prism()

_DOCUMENT = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
CUSTOMER_ID = "ctm_01hv6y1jedq4p1n0yqn5ba3ky4"
METHOD_ID = "paymtd_01j2jff1m3es31sdkejpaym164"
ADDRESS_ID = "add_01j2jfab8zcjy524w6e4s1knjy"
METHODS = "/customers/{customer_id}/payment-methods"


def _example(path: str, method: str, status: str) -> dict[str, Any]:
    content = _DOCUMENT["paths"][path][method]["responses"][status]["content"]
    (example,) = content["application/json"]["examples"].values()
    value: dict[str, Any] = example["value"]
    return value


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _payment_method(wire: dict[str, Any]) -> PaymentMethod:
    """Build the model by hand from a spec example, independently of the SDK's converter."""
    card = wire["card"]
    return PaymentMethod(
        id=wire["id"],
        customer_id=wire["customer_id"],
        address_id=wire["address_id"],
        type=PaymentMethodType(wire["type"]),
        card=Card(
            type=CardType(card["type"]),
            last4=card["last4"],
            expiry_month=card["expiry_month"],
            expiry_year=card["expiry_year"],
            cardholder_name=card["cardholder_name"],
        ),
        paypal=None,
        underlying_details=None,
        origin=PaymentMethodOrigin(wire["origin"]),
        saved_at=_time(wire["saved_at"]),
        updated_at=_time(wire["updated_at"]),
    )


def _session(wire: dict[str, Any]) -> CustomerPortalSession:
    urls = wire["urls"]
    return CustomerPortalSession(
        id=wire["id"],
        customer_id=wire["customer_id"],
        urls=CustomerPortalSessionUrls(
            general=CustomerPortalSessionGeneralUrls(overview=urls["general"]["overview"]),
            subscriptions=tuple(
                CustomerPortalSessionSubscriptionUrls(
                    id=links["id"],
                    cancel_subscription=links["cancel_subscription"],
                    update_subscription_payment_method=links["update_subscription_payment_method"],
                )
                for links in urls["subscriptions"]
            ),
        ),
        created_at=_time(wire["created_at"]),
    )


@pytest.mark.parametrize(
    "request_",
    [
        None,
        ListPaymentMethods(address_id=[ADDRESS_ID, "add_01j2jfab8zcjy524w6e4s1knjz"]),
        ListPaymentMethods(supports_checkout=True),
        ListPaymentMethods(supports_checkout=False),
        ListPaymentMethods(after=METHOD_ID, order_by="id[ASC]", per_page=200),
    ],
    ids=["defaults", "address_id", "supports_checkout", "not_supports_checkout", "paging"],
)
async def test_list_parses_the_spec_example(
    mock_paddle: Paddle, request_: ListPaymentMethods | None
) -> None:
    """list, with each optional parameter, passes the spec and parses its one page."""
    example = _example(METHODS, "get", "200")
    pages = [page async for page in mock_paddle.payment_methods.list(CUSTOMER_ID, request_).pages()]
    assert [[_payment_method(item) for item in example["data"]]] == [list(p.items) for p in pages]
    assert [(False, 1)] == [(p.has_more, p.estimated_total) for p in pages]


async def test_get_parses_the_spec_example(mock_paddle: Paddle) -> None:
    """get parses the spec's 200 example: a saved Visa card."""
    expected = _payment_method(_example(METHODS + "/{payment_method_id}", "get", "200")["data"])
    assert expected == await mock_paddle.payment_methods.get(CUSTOMER_ID, METHOD_ID)


async def test_delete_takes_the_204(mock_paddle: Paddle) -> None:
    """delete's request passes the spec and its 204 gives None."""
    assert await mock_paddle.payment_methods.delete(CUSTOMER_ID, METHOD_ID) is None


async def test_auth_token_parses_the_spec_example(mock_paddle: Paddle) -> None:
    """The body-less auth-token POST passes; the example's two-digit fraction parses."""
    data = _example("/customers/{customer_id}/auth-token", "post", "200")["data"]
    expected = CustomerAuthToken(
        customer_auth_token=data["customer_auth_token"], expires_at=_time(data["expires_at"])
    )
    assert expected == await mock_paddle.customers.generate_auth_token(CUSTOMER_ID)


@pytest.mark.parametrize(
    "request_",
    [
        None,
        CreateCustomerPortalSession(),
        CreateCustomerPortalSession(subscription_ids=["sub_01h04vsc0qhwtsbsxh3422wjs4"]),
        CreateCustomerPortalSession(subscription_ids=[f"sub_{n:026d}" for n in range(25)]),
    ],
    ids=["no body", "empty object", "one", "25"],
)
async def test_portal_session_parses_the_spec_example(
    mock_paddle: Paddle, request_: CreateCustomerPortalSession | None
) -> None:
    """Each portal session body passes the spec, and the 201 example parses."""
    expected = _session(_example("/customers/{customer_id}/portal-sessions", "post", "201")["data"])
    assert expected == await mock_paddle.customer_portal_sessions.create(CUSTOMER_ID, request_)


@attrs.frozen(kw_only=True)
class _UncheckedSession(CreateCustomerPortalSession):
    """A portal session request whose ids skip the SDK's checks."""

    subscription_ids: Sequence[str] | None = attrs.field(default=None, metadata=declare())


async def test_the_mock_refuses_what_the_sdk_refuses(
    mock_paddle: Paddle, mock_contract: Contract
) -> None:
    """A control: 26 subscription ids, sent past the SDK's check, break the spec (422)."""
    ids = [f"sub_{n:026d}" for n in range(26)]
    with pytest.raises(BadRequestError) as caught:
        await mock_paddle.customer_portal_sessions.create(
            CUSTOMER_ID, _UncheckedSession(subscription_ids=ids)
        )
    assert 422 == caught.value.status
    assert ["maxItems"] == [v.code for v in mock_contract.take()]
