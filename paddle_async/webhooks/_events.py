"""Webhook notifications as typed events, and the freshness rule for out-of-order deliveries.

A notification's body is ``{event_id, event_type, occurred_at, notification_id, data}``; for
customer events ``data`` is the customer entity, as the customers API returns it.
See https://developer.paddle.com/webhooks/overview.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

import attrs

from .._convert import StructureError, parse_datetime, structure
from .._json import loads
from ..customers import Customer
from ..errors import ValidationError, WebhookPayloadError
from ._signature import check_body

__all__ = ["CUSTOMER_EVENT_TYPES", "CustomerEvent", "Event", "is_newer", "parse_event"]

CUSTOMER_EVENT_TYPES: Final = frozenset(
    {"customer.created", "customer.updated", "customer.imported"}
)
"""The event types `parse_event` turns into a `CustomerEvent`."""


@attrs.frozen(kw_only=True)
class Event:
    """A webhook notification of any type; Paddle adds types, which parse as this class.

    Attributes:
        event_id: Paddle's id of the event (``evt_…``); the same on every delivery of it.
        event_type: Such as ``customer.updated``.
        occurred_at: When the event happened (aware).
        notification_id: The id of this notification (``ntf_…``), or None if absent.
        data: The entity, as sent (a dict straight from the JSON).
    """

    event_id: str
    event_type: str
    occurred_at: datetime
    notification_id: str | None = None
    data: dict[str, Any]


@attrs.frozen(kw_only=True)
class CustomerEvent(Event):
    """A ``customer.created``, ``customer.updated`` or ``customer.imported`` notification.

    Attributes:
        customer: ``data`` as a `Customer`: the customer's whole state after the event.
    """

    customer: Customer


def _field(payload: dict[str, Any], name: str, *, optional: bool = False) -> Any:
    value = payload.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        got = "nothing" if value is None else type(value).__name__
        raise WebhookPayloadError(
            f"{name!r} must be a string, got {got}",
            event_id=_text(payload.get("event_id")),
            event_type=_text(payload.get("event_type")),
        )
    return value


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _decode(body: bytes | bytearray | memoryview | str) -> Any:
    text = body if isinstance(body, str) else check_body(body)
    try:
        return loads(text)
    except ValueError:  # also what loads raises for nesting too deep to decode
        raise WebhookPayloadError("the body is not JSON") from None


def parse_event(body: bytes | bytearray | memoryview | str) -> Event:
    """Parse a notification body into an `Event`, or a `CustomerEvent` for customer events.

    Call it only on a body whose signature was verified (or use
    `WebhookVerifier.verify_and_parse`). Unknown fields are ignored; unknown event types
    become a plain `Event` holding the raw ``data``.

    Args:
        body: The request body, bytes-like or already decoded text.

    Returns:
        `CustomerEvent` when ``event_type`` is in `CUSTOMER_EVENT_TYPES`, else `Event`.

    Raises:
        WebhookPayloadError: The body is not JSON, a field is missing or has the wrong type,
            or a customer event's ``data`` is not a customer.
        TypeError: ``body`` is neither bytes-like nor text (such as an already parsed dict).
    """
    payload = _decode(body)
    if not isinstance(payload, dict):
        raise WebhookPayloadError(f"the body must be a JSON object, got {type(payload).__name__}")
    event_id: str = _field(payload, "event_id")
    event_type: str = _field(payload, "event_type")
    notification_id: str | None = _field(payload, "notification_id", optional=True)
    try:
        occurred_at = parse_datetime(_field(payload, "occurred_at"))
    except StructureError as exc:
        raise WebhookPayloadError(
            f"'occurred_at': {exc}", event_id=event_id, event_type=event_type
        ) from None
    data = payload.get("data")
    if not isinstance(data, dict):
        got = "nothing" if data is None else type(data).__name__
        raise WebhookPayloadError(
            f"'data' must be an object, got {got}", event_id=event_id, event_type=event_type
        )
    common: dict[str, Any] = {
        "event_id": event_id,
        "event_type": event_type,
        "occurred_at": occurred_at,
        "notification_id": notification_id,
        "data": data,
    }
    if event_type not in CUSTOMER_EVENT_TYPES:
        return Event(**common)
    try:
        customer = structure(data, Customer)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        # StructureError is a ValueError; the others guard against converter surprises.
        raise WebhookPayloadError(
            f"'data' is not a customer: {exc}", event_id=event_id, event_type=event_type
        ) from None
    return CustomerEvent(**common, customer=customer)


def is_newer(event: CustomerEvent, stored: Customer | datetime | None) -> bool:
    """Say whether ``event`` holds a later version of the customer than the one you stored.

    Paddle retries deliveries and does not guarantee their order, so an event can arrive after
    a later one. Compare by the customer's ``updated_at``, which Paddle sets on every change.

    Tie rule: an event whose ``updated_at`` equals the stored one is *not* newer. It is the
    same version (typically a redelivery), so skipping it is safe and keeps handlers
    idempotent.

    Args:
        event: A customer event.
        stored: Your stored `Customer`, its ``updated_at`` (an aware datetime), or None when
            you have nothing stored (then the event is newer).

    Returns:
        True when the event's ``customer.updated_at`` is later than the stored one.

    Raises:
        ValidationError: ``stored`` is a naive datetime, or a customer with another id.
    """
    if stored is None:
        return True
    if isinstance(stored, Customer):
        if stored.id != event.customer.id:
            raise ValidationError.single(
                "stored", f"is customer {stored.id}, but the event is about {event.customer.id}"
            )
        stored = stored.updated_at
    if stored.tzinfo is None or stored.utcoffset() is None:
        raise ValidationError.single("stored", "a naive datetime; pass an aware one (UTC)")
    return event.customer.updated_at > stored
