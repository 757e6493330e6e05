"""The exceptions of `paddle_async.webhooks`.

The tree (all under `paddle_async.errors.PaddleError`)::

    WebhookError
    ├── WebhookVerificationError          not provably from Paddle: answer 4xx, act on nothing
    │   ├── MissingSignatureError         no Paddle-Signature header, or an empty one
    │   ├── MalformedSignatureError       the header is not ``ts=<seconds>;h1=<hex>``
    │   ├── SignatureMismatchError        no h1 signature matches any secret
    │   └── TimestampOutOfToleranceError  a valid signature, but too old or too far ahead
    └── WebhookPayloadError               a body that is not a notification we can read

No message ever holds a secret, and signatures appear only as their first 8 characters.
"""

from __future__ import annotations

from collections.abc import Sequence

from .errors import PaddleError

__all__ = [
    "MalformedSignatureError",
    "MissingSignatureError",
    "SignatureMismatchError",
    "TimestampOutOfToleranceError",
    "WebhookError",
    "WebhookPayloadError",
    "WebhookVerificationError",
]

_PREFIX_LENGTH = 8


def signature_prefix(signature: str) -> str:
    """Return the first few characters of a signature, safe to show in logs and messages."""
    if len(signature) <= _PREFIX_LENGTH:
        return signature
    return signature[:_PREFIX_LENGTH] + "…"


class WebhookError(PaddleError):
    """A webhook request could not be verified or could not be read."""


class WebhookVerificationError(WebhookError):
    """The request is not provably from Paddle: answer it with a 4xx and act on nothing in it."""


class MissingSignatureError(WebhookVerificationError):
    """The ``Paddle-Signature`` header is missing or empty."""

    def __init__(self) -> None:
        super().__init__("the Paddle-Signature header is missing or empty")


class MalformedSignatureError(WebhookVerificationError):
    """The ``Paddle-Signature`` header is not of the form ``ts=<unix seconds>;h1=<hex>``.

    Attributes:
        reason: What is wrong with it.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"malformed Paddle-Signature header: {reason}")


class SignatureMismatchError(WebhookVerificationError):
    """No ``h1`` signature in the header matches the body under any of the secrets.

    The body was changed on the way (re-encoded JSON counts), it was signed with another secret
    (another notification destination, or the other environment), or it is forged.

    Attributes:
        timestamp: The header's ``ts``.
        signature_prefixes: The first 8 characters of each ``h1`` signature received.
        secret_count: How many secrets were tried.
    """

    def __init__(self, *, timestamp: int, signatures: Sequence[str], secret_count: int) -> None:
        self.timestamp = timestamp
        self.signature_prefixes = tuple(signature_prefix(s) for s in signatures)
        self.secret_count = secret_count
        shown = ", ".join(self.signature_prefixes)
        super().__init__(
            f"no signature matches: {len(self.signature_prefixes)} h1 signature(s) ({shown}) "
            f"checked against {secret_count} secret(s) for ts={timestamp}"
        )


class TimestampOutOfToleranceError(WebhookVerificationError):
    """The signature is valid, but its timestamp is further from now than the tolerance.

    Only a correctly signed request gets this error, so it means a replay, a delivery that
    took too long, or a clock that is off (check NTP) rather than a forgery.

    Attributes:
        timestamp: The header's ``ts`` (Unix seconds).
        now: The clock's time when checked (Unix seconds).
        tolerance: The allowed difference in seconds.
        age: ``now - timestamp``: positive when stale, negative when in the future.
    """

    def __init__(self, *, timestamp: int, now: float, tolerance: float) -> None:
        self.timestamp = timestamp
        self.now = now
        self.tolerance = tolerance
        self.age = now - timestamp
        when = f"{self.age:.1f} s old" if self.age >= 0 else f"{-self.age:.1f} s in the future"
        super().__init__(
            f"signature timestamp ts={timestamp} is {when}; the tolerance is {tolerance:g} s"
        )


class WebhookPayloadError(WebhookError):
    """The body is not a notification this SDK can read (bad JSON, a missing or mistyped field).

    Attributes:
        reason: What is wrong, without the body's contents.
        event_id: The notification's ``event_id`` if it could be read, else None.
        event_type: The notification's ``event_type`` if it could be read, else None.
    """

    def __init__(
        self, reason: str, *, event_id: str | None = None, event_type: str | None = None
    ) -> None:
        self.reason = reason
        self.event_id = event_id
        self.event_type = event_type
        about = ""
        if event_type is not None or event_id is not None:
            about = f" ({event_type or '?'} {event_id or '?'})"
        super().__init__(f"unreadable webhook notification{about}: {reason}")
