"""Webhook notifications as typed events, and the freshness rule for out-of-order deliveries.

A notification's body is ``{event_id, event_type, occurred_at, notification_id, data}``. For
the event types in `ENTITY_EVENTS`, ``data`` is an entity as the API returns it (a customer for
``customer.updated``; a payment method in a shorter shape, without card or PayPal details), and
the event carries it structured as the API's model. Each entity's
events are one line of that table: its event types, its event class and the model.
See https://developer.paddle.com/webhooks/overview.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final

import attrs

from .._convert import StructureError, parse_datetime, structure
from .._json import loads
from ..addresses import Address
from ..businesses import Business
from ..customers import Customer
from ..errors import ValidationError, WebhookPayloadError
from ..payment_methods import PaymentMethod, PaymentMethodDeletionReason
from ._signature import check_body

__all__ = [
    "ADDRESS_EVENT_TYPES",
    "BUSINESS_EVENT_TYPES",
    "CUSTOMER_EVENT_TYPES",
    "ENTITY_EVENTS",
    "AddressEvent",
    "BusinessEvent",
    "PAYMENT_METHOD_EVENT_TYPES",
    "CustomerEvent",
    "EntityEvent",
    "Event",
    "EventShape",
    "PaymentMethodEvent",
    "is_newer",
    "parse_event",
]


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
class EntityEvent(Event):
    """A notification about one entity, which it carries as the API's model.

    Each subclass names the entity's attribute (``customer`` for `CustomerEvent`); `entity`
    is the same object under one name for every kind.
    """

    @property
    def entity(self) -> Any:
        """``data`` as the entity's model: its whole state after the event."""
        return getattr(self, _ENTITY_FIELDS[type(self)])


@attrs.frozen(kw_only=True)
class CustomerEvent(EntityEvent):
    """A ``customer.created``, ``customer.updated`` or ``customer.imported`` notification.

    Attributes:
        customer: ``data`` as a `Customer`: the customer's whole state after the event.
    """

    customer: Customer


@attrs.frozen(kw_only=True)
class AddressEvent(EntityEvent):
    """An ``address.created``, ``address.updated`` or ``address.imported`` notification.

    Attributes:
        address: ``data`` as an `Address`: the address's whole state after the event.
    """

    address: Address


@attrs.frozen(kw_only=True)
class BusinessEvent(EntityEvent):
    """A ``business.created``, ``business.updated`` or ``business.imported`` notification.

    Attributes:
        business: ``data`` as a `Business`: the business's whole state after the event.
    """

    business: Business


@attrs.frozen(kw_only=True)
class PaymentMethodEvent(EntityEvent):
    """A ``payment_method.saved`` or ``payment_method.deleted`` notification.

    Attributes:
        payment_method: ``data`` as a `PaymentMethod`. Paddle's notification is shorter than
            the API's entity: ``card``, ``paypal`` and ``underlying_details`` are None.
    """

    payment_method: PaymentMethod

    @property
    def deletion_reason(self) -> PaymentMethodDeletionReason | str | None:
        """Why it was deleted (``payment_method.deleted`` only): `PaymentMethodDeletionReason`,
        a newer reason as a string, or None."""
        reason = self.data.get("deletion_reason")
        if not isinstance(reason, str):
            return None
        try:
            return PaymentMethodDeletionReason(reason)
        except ValueError:
            return reason


@attrs.frozen
class EventShape:
    """How one entity's notifications parse.

    Attributes:
        event_class: The event's class, a subclass of `EntityEvent`.
        field: The attribute of ``event_class`` that holds the entity.
        model: The entity's model, which ``data`` is structured into.
    """

    event_class: type[EntityEvent]
    field: str
    model: type[Any]


_ENTITY_EVENTS: dict[str, EventShape] = {}
_ENTITY_FIELDS: dict[type[EntityEvent], str] = {}


def _entity_events(event_types: tuple[str, ...], shape: EventShape) -> frozenset[str]:
    for event_type in event_types:
        _ENTITY_EVENTS[event_type] = shape
    _ENTITY_FIELDS[shape.event_class] = shape.field
    return frozenset(event_types)


CUSTOMER_EVENT_TYPES: Final = _entity_events(
    ("customer.created", "customer.updated", "customer.imported"),
    EventShape(CustomerEvent, "customer", Customer),
)
"""The event types `parse_event` turns into a `CustomerEvent`."""

ADDRESS_EVENT_TYPES: Final = _entity_events(
    ("address.created", "address.updated", "address.imported"),
    EventShape(AddressEvent, "address", Address),
)
"""The event types `parse_event` turns into an `AddressEvent`."""

BUSINESS_EVENT_TYPES: Final = _entity_events(
    ("business.created", "business.updated", "business.imported"),
    EventShape(BusinessEvent, "business", Business),
)
"""The event types `parse_event` turns into a `BusinessEvent`."""

PAYMENT_METHOD_EVENT_TYPES: Final = _entity_events(
    ("payment_method.saved", "payment_method.deleted"),
    EventShape(PaymentMethodEvent, "payment_method", PaymentMethod),
)
"""The event types `parse_event` turns into a `PaymentMethodEvent`."""

ENTITY_EVENTS: Final[Mapping[str, EventShape]] = MappingProxyType(_ENTITY_EVENTS)
"""Each event type whose ``data`` `parse_event` structures, and how (read-only)."""


def _a(what: str) -> str:
    """``what`` with its indefinite article: "a customer", "an address"."""
    return ("an " if what[0] in "aeiou" else "a ") + what


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
    """Parse a notification body into an `Event`, or its `EntityEvent` (such as `CustomerEvent`).

    Call it only on a body whose signature was verified (or use
    `WebhookVerifier.verify_and_parse`). Unknown fields are ignored; unknown event types
    become a plain `Event` holding the raw ``data``.

    Args:
        body: The request body, bytes-like or already decoded text.

    Returns:
        The event type's class in `ENTITY_EVENTS` (`CustomerEvent` for ``customer.*``), else
        `Event`.

    Raises:
        WebhookPayloadError: The body is not JSON, a field is missing or has the wrong type,
            or an entity event's ``data`` is not that entity (a customer for ``customer.*``).
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
    shape = _ENTITY_EVENTS.get(event_type)
    if shape is None:
        return Event(**common)
    try:
        entity = structure(data, shape.model)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        # StructureError is a ValueError; the others guard against converter surprises.
        what = shape.field.replace("_", " ")
        raise WebhookPayloadError(
            f"'data' is not {_a(what)}: {exc}", event_id=event_id, event_type=event_type
        ) from None
    return shape.event_class(**common, **{shape.field: entity})


def is_newer(event: EntityEvent, stored: Any) -> bool:
    """Say whether ``event`` holds a later version of its entity than the one you stored.

    Paddle retries deliveries and does not guarantee their order, so an event can arrive after
    a later one. Compare by the entity's ``updated_at``, which Paddle sets on every change.

    Tie rule: an event whose ``updated_at`` equals the stored one is *not* newer. It is the
    same version (typically a redelivery), so skipping it is safe and keeps handlers
    idempotent.

    Args:
        event: An entity event, such as a `CustomerEvent`.
        stored: Your stored entity (a `Customer` for a customer event), its ``updated_at`` (an
            aware datetime), or None when you have nothing stored (then the event is newer).

    Returns:
        True when the event's entity's ``updated_at`` is later than the stored one.

    Raises:
        ValidationError: ``stored`` is a naive datetime, another kind of entity, or the same
            kind with another id.
    """
    if stored is None:
        return True
    entity = event.entity
    if not isinstance(stored, datetime):
        what = _ENTITY_FIELDS[type(event)].replace("_", " ")
        if not isinstance(stored, type(entity)):
            raise ValidationError.single(
                "stored", f"must be {_a(what)} or a datetime, got {type(stored).__name__}"
            )
        if stored.id != entity.id:
            raise ValidationError.single(
                "stored", f"is {what} {stored.id}, but the event is about {entity.id}"
            )
        stored = stored.updated_at
    if stored.tzinfo is None or stored.utcoffset() is None:
        raise ValidationError.single("stored", "a naive datetime; pass an aware one (UTC)")
    later: bool = entity.updated_at > stored
    return later
