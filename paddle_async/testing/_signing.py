"""Sign webhook bodies and build notifications the way Paddle does, for tests."""

from __future__ import annotations

import json
import secrets as _random
import string
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from ..webhooks._signature import compute_signature, format_signature_header, normalize_secrets

__all__ = ["make_customer_event", "make_event", "sign"]

_ID_ALPHABET = string.ascii_lowercase + string.digits


def _paddle_id(prefix: str) -> str:
    return prefix + "".join(_random.choice(_ID_ALPHABET) for _ in range(26))


def sign(body: bytes, secret: str | Sequence[str], *, timestamp: int | None = None) -> str:
    """Return the ``Paddle-Signature`` header value Paddle would send with ``body``.

    Args:
        body: The exact request body.
        secret: The destination's secret key, or several to mimic a rotation (one ``h1`` each).
        timestamp: ``ts`` in Unix seconds; now by default.

    Returns:
        Such as ``ts=1700000000;h1=5f0c…``.

    Raises:
        ConfigurationError: No secret is given, or one is empty or not a string.
    """
    ts = int(time.time()) if timestamp is None else timestamp
    keys = normalize_secrets(secret)
    return format_signature_header(ts, [compute_signature(body, key, ts) for key in keys])


def make_event(
    event_type: str,
    data: dict[str, Any],
    *,
    event_id: str | None = None,
    notification_id: str | None = None,
    occurred_at: datetime | None = None,
) -> bytes:
    """Build a notification body of any type, as Paddle sends it.

    Args:
        event_type: Such as ``transaction.completed``.
        data: The entity.
        event_id: ``evt_…``; random by default.
        notification_id: ``ntf_…``; random by default.
        occurred_at: An aware datetime; now by default.

    Returns:
        The JSON body, as bytes.

    Raises:
        ValueError: ``occurred_at`` is a naive datetime.
    """
    if occurred_at is not None and occurred_at.utcoffset() is None:
        raise ValueError("occurred_at must be an aware datetime")
    when = datetime.now(UTC) if occurred_at is None else occurred_at.astimezone(UTC)
    payload = {
        "event_id": event_id or _paddle_id("evt_"),
        "event_type": event_type,
        "occurred_at": when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "notification_id": notification_id or _paddle_id("ntf_"),
        "data": data,
    }
    return json.dumps(payload).encode()


def make_customer_event(
    event_type: str,
    customer: dict[str, Any],
    *,
    event_id: str | None = None,
    notification_id: str | None = None,
    occurred_at: datetime | None = None,
) -> bytes:
    """Build a customer notification body, as Paddle sends it.

    Args:
        event_type: ``customer.created``, ``customer.updated`` or ``customer.imported``.
        customer: The customer as the API returns it (``fake.customer(id)``, or a fixture).
        event_id: ``evt_…``; random by default.
        notification_id: ``ntf_…``; random by default.
        occurred_at: An aware datetime; now by default.

    Returns:
        The JSON body, as bytes.

    Raises:
        ValueError: ``occurred_at`` is a naive datetime.
    """
    return make_event(
        event_type,
        customer,
        event_id=event_id,
        notification_id=notification_id,
        occurred_at=occurred_at,
    )
