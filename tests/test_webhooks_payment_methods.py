"""payment_method.saved and payment_method.deleted notifications parse into PaymentMethodEvents,
from the spec's shape and from FakePaddle's own notifications."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from paddle_async import Paddle
from paddle_async.errors import ValidationError
from paddle_async.payment_methods import (
    PaymentMethod,
    PaymentMethodDeletionReason,
    PaymentMethodOrigin,
    PaymentMethodType,
)
from paddle_async.testing import FakePaddle, make_event, sign
from paddle_async.webhooks import (
    ENTITY_EVENTS,
    PAYMENT_METHOD_EVENT_TYPES,
    PaymentMethodEvent,
    WebhookPayloadError,
    WebhookVerifier,
    is_newer,
    parse_event,
)

SECRET = "pdl_ntfset_01fakefakefake_FakeSecretForTestsOnly"
METHOD_ID = "paymtd_01hs8ssmdcm1xbqkhrnh7kqrrt"


def notification(**changes: Any) -> dict[str, Any]:
    """The data of a payment_method.deleted notification, in the shape Paddle documents."""
    return {
        "id": METHOD_ID,
        "type": "card",
        "origin": "saved_during_purchase",
        "saved_at": "2024-05-03T11:50:23.422Z",
        "address_id": "add_01hv8h6jj90jjz0d71m6hj4r9z",
        "updated_at": "2024-05-03T12:24:18.826Z",
        "customer_id": "ctm_01hv6y1jedq4p1n0yqn5ba3ky4",
        "deletion_reason": "api",
        **changes,
    }


def parsed(event_type: str, data: dict[str, Any]) -> PaymentMethodEvent:
    event = parse_event(make_event(event_type, data))
    assert isinstance(event, PaymentMethodEvent)
    return event


@pytest.mark.parametrize("event_type", ["payment_method.saved", "payment_method.deleted"])
def test_both_types_parse_into_payment_method_events(event_type: str) -> None:
    """Each type gives a PaymentMethodEvent carrying a PaymentMethod, without card details."""
    data = notification()
    if event_type == "payment_method.saved":
        del data["deletion_reason"]
    event = parsed(event_type, data)
    method = event.payment_method
    assert event.entity is method
    assert (METHOD_ID, PaymentMethodType.CARD, PaymentMethodOrigin.SAVED_DURING_PURCHASE) == (
        method.id,
        method.type,
        method.origin,
    )
    assert (None, None, None) == (method.card, method.paypal, method.underlying_details)
    assert datetime(2024, 5, 3, 12, 24, 18, 826000, tzinfo=UTC) == method.updated_at
    expected = PaymentMethodDeletionReason.API if event_type.endswith("deleted") else None
    assert expected == event.deletion_reason


def test_the_table_names_both_types() -> None:
    """ENTITY_EVENTS holds both types, with PaymentMethodEvent and the PaymentMethod model."""
    assert frozenset({"payment_method.saved", "payment_method.deleted"}) == (
        PAYMENT_METHOD_EVENT_TYPES
    )
    assert {(PaymentMethodEvent, "payment_method", PaymentMethod)} == {
        (shape.event_class, shape.field, shape.model)
        for event_type, shape in ENTITY_EVENTS.items()
        if event_type in PAYMENT_METHOD_EVENT_TYPES
    }


def test_unknown_values_are_kept() -> None:
    """A new type, origin or deletion reason arrives as its string; fields added are ignored."""
    event = parsed(
        "payment_method.deleted",
        notification(
            type="sepa_debit", origin="imported", deletion_reason="expired", mandate="m-1"
        ),
    )
    assert ("sepa_debit", "imported", "expired") == (
        event.payment_method.type,
        event.payment_method.origin,
        event.deletion_reason,
    )
    assert (
        parsed("payment_method.deleted", notification(deletion_reason=None)).deletion_reason is None
    )
    replaced = parsed(
        "payment_method.deleted", notification(deletion_reason="replaced_by_newer_version")
    )
    assert PaymentMethodDeletionReason.REPLACED_BY_NEWER_VERSION == replaced.deletion_reason


@pytest.mark.parametrize(
    "changes", [{"id": None}, {"updated_at": "later"}, {"type": 7}], ids=["id", "time", "type"]
)
def test_data_that_is_not_a_payment_method_is_a_payload_error(changes: dict[str, Any]) -> None:
    """A notification whose data is not a payment method raises WebhookPayloadError."""
    data = notification(**changes)
    if changes.get("id", "") is None:
        del data["id"]
    with pytest.raises(WebhookPayloadError, match="'data' is not a payment method"):
        parse_event(make_event("payment_method.saved", data))


def test_freshness_works_for_payment_methods() -> None:
    """is_newer compares a payment method event with a stored PaymentMethod by updated_at."""
    older = parsed("payment_method.saved", notification(updated_at="2024-05-03T11:50:23Z"))
    newer = parsed("payment_method.deleted", notification())
    assert is_newer(newer, older.payment_method)
    assert not is_newer(older, newer.payment_method)
    other = parsed("payment_method.saved", notification(id="paymtd_01hs8ssmdcm1xbqkhrnh7kqrrz"))
    with pytest.raises(ValidationError, match="is payment method paymtd_"):
        is_newer(newer, other.payment_method)


async def test_fake_paddles_notifications_parse(fake: FakePaddle, paddle: Paddle) -> None:
    """FakePaddle's payment_method.saved (notify=True) and .deleted (through the API) bodies,
    signed and verified, parse into PaymentMethodEvents about the same payment method."""
    heard: list[tuple[str, dict[str, Any]]] = []

    async def hear(event_type: str, data: dict[str, Any]) -> None:
        heard.append((event_type, data))

    fake.subscribe(hear)
    customer_id = fake.add_customer(email="jo@example.com")["id"]
    method_id = fake.add_payment_method(customer_id, type="paypal", notify=True)["id"]
    await paddle.payment_methods.delete(customer_id, method_id)
    await fake.close()  # waits for every subscriber call
    verifier = WebhookVerifier(SECRET)
    events = []
    for event_type, data in heard:
        body = make_event(event_type, data)
        event = verifier.verify_and_parse(body, sign(body, SECRET))
        assert isinstance(event, PaymentMethodEvent)
        events.append(event)
    assert [
        ("payment_method.saved", method_id, PaymentMethodType.PAYPAL, None),
        ("payment_method.deleted", method_id, PaymentMethodType.PAYPAL, "api"),
    ] == [
        (e.event_type, e.payment_method.id, e.payment_method.type, e.deletion_reason)
        for e in events
    ]
