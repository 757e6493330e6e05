"""The command line's shared output helpers: times in UTC, response models as Paddle's JSON, and
a list written a page at a time up to ``--limit``. Every resource's commands use these."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from paddle_async import Paddle
from paddle_async.cli._customers import CUSTOMER_SHAPE
from paddle_async.cli._output import (
    ItemWriter,
    model_json,
    page_size,
    to_json,
    utc_text,
    write_pages,
)
from paddle_async.customer_portal_sessions import (
    CustomerPortalSession,
    CustomerPortalSessionGeneralUrls,
    CustomerPortalSessionSubscriptionUrls,
    CustomerPortalSessionUrls,
)
from paddle_async.customers import CustomerAuthToken, ListCustomers
from paddle_async.payment_methods import (
    Card,
    CardType,
    KoreaLocalUnderlyingDetails,
    PaymentMethod,
    PaymentMethodOrigin,
    UnderlyingDetails,
)
from paddle_async.testing import FakePaddle

NEW_YORK = timezone(timedelta(hours=-5))
SAVED = datetime(2024, 5, 3, 6, 50, 23, 422000, tzinfo=NEW_YORK)


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), "2024-01-02T03:04:05Z"),
        (SAVED, "2024-05-03T11:50:23.422000Z"),
        (datetime(2024, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=2))), "2023-12-31T22:30:00Z"),
    ],
)
def test_utc_text_is_iso_8601_in_utc_with_z(moment: datetime, text: str) -> None:
    """Any aware time is written in UTC, ending in Z as Paddle writes it (no +00:00)."""
    assert text == utc_text(moment)


def test_model_json_is_paddles_object_in_field_order() -> None:
    """Fields in order, nested models as objects, enums and unknown values as their text."""
    method = PaymentMethod(
        id="paymtd_01hkm9xwqpbbpr1ksmvg3sx3v1",
        customer_id="ctm_01hv6y1jedq4p1n0yqn5ba3ky4",
        address_id="add_01hv8gq3318ktkfengj2r75gfx",
        type="korea_local",
        card=Card(type=CardType.VISA, last4="0042", expiry_month=1, expiry_year=2030),
        underlying_details=UnderlyingDetails(korea_local=KoreaLocalUnderlyingDetails(type="new")),
        origin=PaymentMethodOrigin.SUBSCRIPTION,
        saved_at=SAVED,
        updated_at=SAVED + timedelta(days=1),
    )
    assert (
        '{"id": "paymtd_01hkm9xwqpbbpr1ksmvg3sx3v1", '
        '"customer_id": "ctm_01hv6y1jedq4p1n0yqn5ba3ky4", '
        '"address_id": "add_01hv8gq3318ktkfengj2r75gfx", "type": "korea_local", '
        '"card": {"type": "visa", "last4": "0042", "expiry_month": 1, "expiry_year": 2030, '
        '"cardholder_name": null}, "paypal": null, '
        '"underlying_details": {"korea_local": {"type": "new"}}, "origin": "subscription", '
        '"saved_at": "2024-05-03T11:50:23.422000Z", "updated_at": "2024-05-04T11:50:23.422000Z"}'
    ) == to_json(model_json(method))


def test_model_json_keeps_secrets_whole_and_makes_tuples_lists() -> None:
    """An auth token and a portal session's links in full (their reprs shorten them), a missing
    time as null, and a tuple of nested models as a JSON array."""
    token = CustomerAuthToken(customer_auth_token="pca_01hwyzq8hmdwed5p4jc4hnv6bh_secret")
    links = CustomerPortalSessionSubscriptionUrls(
        id="sub_01h04vsc0qhwtsbsxh3422wjs4",
        cancel_subscription="https://customer-portal.paddle.com/cpl_1?action=cancel",
        update_subscription_payment_method="https://customer-portal.paddle.com/cpl_1?action=pm",
    )
    session = CustomerPortalSession(
        id="cpls_01h4ge9r64c22exjsx0fy8b48b",
        urls=CustomerPortalSessionUrls(
            general=CustomerPortalSessionGeneralUrls(
                overview="https://customer-portal.paddle.com/cpl_1?action=overview"
            ),
            subscriptions=(links,),
        ),
        created_at=SAVED,
    )
    assert {
        "customer_auth_token": "pca_01hwyzq8hmdwed5p4jc4hnv6bh_secret",
        "expires_at": None,
    } == model_json(token)
    assert {
        "id": "cpls_01h4ge9r64c22exjsx0fy8b48b",
        "customer_id": None,
        "urls": {
            "general": {"overview": "https://customer-portal.paddle.com/cpl_1?action=overview"},
            "subscriptions": [
                {
                    "id": "sub_01h04vsc0qhwtsbsxh3422wjs4",
                    "cancel_subscription": "https://customer-portal.paddle.com/cpl_1?action=cancel",
                    "update_subscription_payment_method": (
                        "https://customer-portal.paddle.com/cpl_1?action=pm"
                    ),
                }
            ],
        },
        "created_at": "2024-05-03T11:50:23.422000Z",
    } == model_json(session)


@pytest.mark.parametrize(("limit", "per_page"), [(None, 200), (1, 1), (200, 200), (5000, 200)])
def test_page_size_asks_for_no_more_than_the_limit(limit: int | None, per_page: int) -> None:
    """Paddle's largest page (200), or the limit when it is smaller."""
    assert per_page == page_size(limit)


@pytest.mark.parametrize(
    ("limit", "shown", "pages"), [(None, 5, 3), (3, 3, 2), (4, 4, 2), (2, 2, 1), (9, 5, 3)]
)
async def test_write_pages_stops_at_the_limit_without_fetching_more(
    fake: FakePaddle, paddle: Paddle, limit: int | None, shown: int, pages: int
) -> None:
    """Five customers two a page: the limit's items, newest first, from the pages they need;
    the output is closed (a whole JSON array) however the walk ended."""
    newest_first = fake.seed(5)[::-1]
    out = io.StringIO()
    writer = ItemWriter(out, "json", CUSTOMER_SHAPE)
    await write_pages(writer, paddle.customers.list(ListCustomers(per_page=2)), limit)
    assert newest_first[:shown] == [item["id"] for item in json.loads(out.getvalue())]
    assert (shown, pages) == (writer.count, len(fake.requests))
