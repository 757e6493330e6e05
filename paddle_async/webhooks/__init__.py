"""Verify Paddle webhook signatures and turn notifications into typed events.

verifier = WebhookVerifier(secret)            # or [new_secret, old_secret] while rotating

async def handle(request):                    # any framework: raw bytes in, status out
    try:
        body = await request.read()           # the raw bytes: Paddle signed exactly these
        event = verifier.verify_and_parse(body, request.headers.get(SIGNATURE_HEADER))
    except WebhookVerificationError:
        return 401                            # not provably from Paddle: act on nothing
    except WebhookPayloadError:
        return 400                            # signed, but not a notification we can read
    if isinstance(event, CustomerEvent) and is_newer(event, store.get(event.customer.id)):
        store[event.customer.id] = event.customer
    return 200                                # answer fast; queue slow work

Every failure raises a subclass of `WebhookError` (itself a `paddle_async.errors.PaddleError`);
success returns None or the event. Nothing here does I/O. Paddle takes any answer but a 200
within 5 seconds as a failed delivery and retries it, so never answer 200 to a failure.
"""

from __future__ import annotations

from ..errors import (
    MalformedSignatureError,
    MissingSignatureError,
    SignatureMismatchError,
    TimestampOutOfToleranceError,
    WebhookError,
    WebhookPayloadError,
    WebhookVerificationError,
)
from ._events import (
    ADDRESS_EVENT_TYPES,
    BUSINESS_EVENT_TYPES,
    CUSTOMER_EVENT_TYPES,
    ENTITY_EVENTS,
    PAYMENT_METHOD_EVENT_TYPES,
    AddressEvent,
    BusinessEvent,
    CustomerEvent,
    EntityEvent,
    Event,
    EventShape,
    PaymentMethodEvent,
    is_newer,
    parse_event,
)
from ._signature import (
    DEFAULT_TOLERANCE,
    SIGNATURE_HEADER,
    SignatureHeader,
    compute_signature,
    parse_signature_header,
    verify_signature,
)
from ._verifier import WebhookVerifier

__all__ = [
    "ADDRESS_EVENT_TYPES",
    "BUSINESS_EVENT_TYPES",
    "CUSTOMER_EVENT_TYPES",
    "DEFAULT_TOLERANCE",
    "ENTITY_EVENTS",
    "PAYMENT_METHOD_EVENT_TYPES",
    "SIGNATURE_HEADER",
    "AddressEvent",
    "BusinessEvent",
    "CustomerEvent",
    "EntityEvent",
    "Event",
    "EventShape",
    "MalformedSignatureError",
    "MissingSignatureError",
    "PaymentMethodEvent",
    "SignatureHeader",
    "SignatureMismatchError",
    "TimestampOutOfToleranceError",
    "WebhookError",
    "WebhookPayloadError",
    "WebhookVerificationError",
    "WebhookVerifier",
    "compute_signature",
    "is_newer",
    "parse_event",
    "parse_signature_header",
    "verify_signature",
]
