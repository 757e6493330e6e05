"""Every exception paddle_async raises.

The tree::

    PaddleError
    ├── ValidationError (also ValueError)     bad input, caught before any request is sent
    ├── ConfigurationError (also ValueError)  a client that cannot work (key for another env)
    ├── ClientClosedError                     the client was closed before or during a request
    ├── RateLimiterUnavailableError           a shared limiter (Redis) unreachable: not sent
    ├── TransportError                        the request got no HTTP response
    │   ├── APIConnectionError                could not connect, or the connection dropped
    │   │                                     (also the builtin ConnectionError)
    │   └── APITimeoutError                   connect or total timeout (also the builtin
    │                                         TimeoutError)
    ├── InvalidResponseError                  not Paddle's envelope (truncated JSON, ...)
    │   └── ResponseTooLargeError             a body over the client's ``max_response_bytes``
    └── APIError                              Paddle (or a gateway) answered with an error
        ├── BadRequestError                   400
        │   └── AddressLocationNotAllowedError
        │                                     400 address_location_not_allowed
        ├── AuthenticationError               403 authentication_missing, authentication_malformed,
        │                                     invalid_token; 401 invalid_access_token
        ├── PermissionDeniedError             403 forbidden
        ├── NotFoundError                     404
        ├── ConflictError                     409
        │   └── CustomerAlreadyExistsError    409 customer_already_exists
        ├── RateLimitError                    429
        └── ServerError                       5xx (and Cloudflare's 52x)

Raised by `paddle_async.webhooks`, outside requests (re-exported there under the same names)::

    PaddleError
    └── WebhookError
        ├── WebhookVerificationError          not provably from Paddle: answer 401, act on nothing
        │   ├── MissingSignatureError         no Paddle-Signature header, or a blank one
        │   ├── MalformedSignatureError       no ts= or h1= part, ts not seconds, no hex h1
        │   ├── SignatureMismatchError        no h1 matches any secret
        │   └── TimestampOutOfToleranceError  ts too old or too far ahead (replay guard)
        └── WebhookPayloadError               signed, but not a notification: answer 400

Paddle takes any answer but a 200 within 5 seconds as a failed delivery and retries it, so a
webhook handler never answers 200 to a `WebhookError`.

Classes are chosen by HTTP status and Paddle's ``code`` only, never by ``type`` or ``detail`` text.
This module is a leaf: it imports nothing from the rest of the package.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AddressLocationNotAllowedError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "CustomerAlreadyExistsError",
    "FieldError",
    "InvalidResponseError",
    "MalformedSignatureError",
    "MissingSignatureError",
    "NotFoundError",
    "PaddleError",
    "PermissionDeniedError",
    "RateLimitError",
    "RateLimiterUnavailableError",
    "ResponseTooLargeError",
    "ServerError",
    "SignatureMismatchError",
    "TimestampOutOfToleranceError",
    "TransportError",
    "ValidationError",
    "WebhookError",
    "WebhookPayloadError",
    "WebhookVerificationError",
    "error_class_for",
]


class FieldError:
    """One field-level problem: the field's name and a message."""

    __slots__ = ("field", "message")

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message

    def __repr__(self) -> str:
        return f"FieldError(field={self.field!r}, message={self.message!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FieldError):
            return NotImplemented
        return (self.field, self.message) == (other.field, other.message)

    def __hash__(self) -> int:
        return hash((self.field, self.message))


class PaddleError(Exception):
    """The root of every exception raised by paddle_async."""


class ValidationError(PaddleError, ValueError):
    """Input that Paddle would reject, caught before any request is sent.

    Attributes:
        field_errors: One `FieldError` per bad field.
    """

    def __init__(self, field_errors: Sequence[FieldError]) -> None:
        self.field_errors: tuple[FieldError, ...] = tuple(field_errors)
        text = "; ".join(f"{e.field}: {e.message}" for e in self.field_errors)
        super().__init__(f"invalid input: {text}")

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        """Build an error about one field."""
        return cls([FieldError(field, message)])


class ConfigurationError(PaddleError, ValueError):
    """The client is configured in a way that cannot work, such as a key for another environment."""


class ClientClosedError(PaddleError):
    """The `Paddle` client was closed before or while this request ran."""


class RateLimiterUnavailableError(PaddleError):
    """A shared rate limiter (such as ``ratelimit.redis.RedisRateLimiter``) could not be
    reached in time, so the request was not sent.

    Attributes:
        waited: Seconds the request waited for the limiter before giving up.
    """

    def __init__(self, message: str, *, waited: float) -> None:
        super().__init__(message)
        self.waited = waited


class TransportError(PaddleError):
    """The request got no HTTP response.

    Attributes:
        method: The HTTP method.
        path: The request path (without the query, which may hold e-mail addresses).
        sent: False when the request provably never reached the server (the connection could
            not be made); True when it may have been sent, so its outcome is unknown.
    """

    def __init__(self, message: str, *, method: str, path: str, sent: bool) -> None:
        super().__init__(message)
        self.method = method
        self.path = path
        self.sent = sent


class APIConnectionError(TransportError, builtins.ConnectionError):
    """The connection could not be made, or it dropped before a response arrived.

    Also a builtin `ConnectionError`, so ``except ConnectionError:`` catches it too.
    """


class APITimeoutError(TransportError, builtins.TimeoutError):
    """The connect or total timeout passed before a response arrived.

    Also a builtin `TimeoutError`, so ``except TimeoutError:`` catches it too.
    """


# How many characters of a body an error keeps as ``body_excerpt``.
_EXCERPT_CHARACTERS = 200


class InvalidResponseError(PaddleError):
    """Paddle (or something in between) answered with a body that is not Paddle's envelope.

    Attributes:
        status: The HTTP status.
        request_id: ``meta.request_id`` if it could be read, else a request-id header, else None.
        body_excerpt: The body's first 200 characters as text (UTF-8, undecodable bytes
            replaced); longer text passed in is cut to that length.
    """

    def __init__(
        self, message: str, *, status: int, request_id: str | None, body_excerpt: str
    ) -> None:
        super().__init__(message)
        self.status = status
        self.request_id = request_id
        self.body_excerpt = body_excerpt[:_EXCERPT_CHARACTERS]


class ResponseTooLargeError(InvalidResponseError):
    """The response body (decompressed) was larger than the client's ``max_response_bytes``.

    The connection it came on was closed, not returned to the pool.

    Attributes:
        limit: The limit in bytes that the body went over.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        request_id: str | None,
        body_excerpt: str,
        limit: int,
    ) -> None:
        super().__init__(message, status=status, request_id=request_id, body_excerpt=body_excerpt)
        self.limit = limit


class APIError(PaddleError):
    """Paddle answered with an error.

    Attributes:
        status: The HTTP status.
        code: Paddle's error code (``not_found``, ``invalid_field``, ...); None if absent.
        type: ``request_error`` or ``api_error`` as Paddle sent it (informational only).
        detail: Paddle's human-readable explanation.
        documentation_url: A link to Paddle's page about this error.
        request_id: ``meta.request_id``; quote it to Paddle support.
        field_errors: Field-level problems from ``error.errors``.
        body_excerpt: The first 200 characters of a body that was not JSON (an HTML 502), as
            text, else None.
        retry_after: Seconds from the ``Retry-After`` header (a number or an HTTP-date), or
            None when absent or not a usable number (negative, not finite, unparsable).
    """

    def __init__(
        self,
        *,
        status: int,
        code: str | None = None,
        type: str | None = None,
        detail: str | None = None,
        documentation_url: str | None = None,
        request_id: str | None = None,
        field_errors: Sequence[FieldError] = (),
        body_excerpt: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.type = type
        self.detail = detail
        self.documentation_url = documentation_url
        self.request_id = request_id
        self.field_errors: tuple[FieldError, ...] = tuple(field_errors)
        self.body_excerpt = None if body_excerpt is None else body_excerpt[:_EXCERPT_CHARACTERS]
        self.retry_after = retry_after
        super().__init__(self._message())

    def _message(self) -> str:
        parts = [f"HTTP {self.status}"]
        if self.code:
            parts.append(self.code)
        text = " ".join(parts)
        if self.detail:
            text += f": {self.detail}"
        elif self.body_excerpt:
            text += f": {self.body_excerpt!r}"
        if self.field_errors:
            text += " [" + "; ".join(f"{e.field}: {e.message}" for e in self.field_errors) + "]"
        if self.request_id:
            text += f" (request_id={self.request_id})"
        return text


class BadRequestError(APIError):
    """400: Paddle rejected the request (``bad_request``, ``invalid_field``, ...)."""


class AddressLocationNotAllowedError(BadRequestError):
    """400 ``address_location_not_allowed``: Paddle does not sell to the address's country.

    Requests are checked against Paddle's list of supported countries before they are sent, so
    this means Paddle's list has changed since this version of the SDK was released.
    """


class AuthenticationError(APIError):
    """The API key is missing, malformed, revoked, expired or for the other environment."""


class PermissionDeniedError(APIError):
    """403 ``forbidden``: the key lacks the permission this operation needs."""


class NotFoundError(APIError):
    """404: no such entity (or it belongs to the other environment).

    Attributes:
        after_unknown_outcome: True when an earlier attempt of the same delete may have
            reached Paddle (a timeout, a dropped connection, a gateway error), so the entity
            may be gone because of that attempt.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.after_unknown_outcome = False


class ConflictError(APIError):
    """409: the request conflicts with the current state."""


class CustomerAlreadyExistsError(ConflictError):
    """409 ``customer_already_exists``: another customer already has this e-mail address.

    Attributes:
        existing_customer_id: The id of the customer holding the address, which the client
            reads from ``detail`` when Paddle includes one (the text format is not a stable
            API, so it may be None).
        after_unknown_outcome: True when an earlier attempt of the same create may have reached
            Paddle (a timeout or dropped connection), so the existing customer may be our own.
    """

    def __init__(self, *, existing_customer_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.existing_customer_id = existing_customer_id
        self.after_unknown_outcome = False


class RateLimitError(APIError):
    """429: the IP address went over Paddle's rate limit.

    Attributes:
        retry_after: Seconds ``Retry-After`` asked for, as sent even above
            ``RetryPolicy.max_retry_after`` (the client never waits or pauses longer than that
            cap); None when the header was absent or not a usable number (negative, not
            finite, not seconds or an HTTP-date).
    """


class ServerError(APIError):
    """5xx: a problem on Paddle's side (or at a gateway in between)."""


_BY_CODE: dict[str, builtins.type[APIError]] = {
    "authentication_missing": AuthenticationError,
    "authentication_malformed": AuthenticationError,
    "invalid_token": AuthenticationError,
    "invalid_access_token": AuthenticationError,
    "forbidden": PermissionDeniedError,
    "customer_already_exists": CustomerAlreadyExistsError,
    "address_location_not_allowed": AddressLocationNotAllowedError,
    "too_many_requests": RateLimitError,
}

_BY_STATUS: dict[int, builtins.type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: AuthenticationError,
    404: NotFoundError,
    409: ConflictError,
    422: BadRequestError,
    429: RateLimitError,
}


def error_class_for(status: int, code: str | None) -> builtins.type[APIError]:
    """Return the exception class for an HTTP status and Paddle error code."""
    if code is not None:
        cls = _BY_CODE.get(code)
        if cls is not None:
            return cls
    cls = _BY_STATUS.get(status)
    if cls is not None:
        return cls
    if status >= 500:
        return ServerError
    return APIError


# Webhook errors (raised by paddle_async.webhooks). No message ever holds a secret, and
# signatures appear only as their first 8 characters.

_SIGNATURE_PREFIX_LENGTH = 8


def _signature_prefix(signature: str) -> str:
    """Return the first few characters of a signature, safe to show in logs and messages."""
    if len(signature) <= _SIGNATURE_PREFIX_LENGTH:
        return signature
    return signature[:_SIGNATURE_PREFIX_LENGTH] + "…"


class WebhookError(PaddleError):
    """A webhook request could not be verified or could not be read."""


class WebhookVerificationError(WebhookError):
    """The request is not provably from Paddle: act on nothing in it and answer 401.

    Paddle takes any answer but a 200 within 5 seconds as a failed delivery and retries it
    (for up to 3 days on live accounts), so a genuine notification refused for a reason you
    can fix (a wrong secret, a clock that is off) arrives again, or can be replayed, once it is.
    """


class MissingSignatureError(WebhookVerificationError):
    """The ``Paddle-Signature`` header is missing, empty or blank."""

    def __init__(self) -> None:
        super().__init__("the Paddle-Signature header is missing or empty")


class MalformedSignatureError(WebhookVerificationError):
    """The ``Paddle-Signature`` header is not of the form ``ts=<unix seconds>;h1=<hex>``.

    ``<hex>`` is 64 hex digits, an HMAC-SHA256. A header in which no ``h1`` value has that
    form is malformed; one such value beside a well-formed one is skipped.

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
        signature_prefixes: The first 8 characters of each ``h1`` signature checked (every
            one of 64 hex digits; others are skipped).
        secret_count: How many secrets were tried.
    """

    def __init__(self, *, timestamp: int, signatures: Sequence[str], secret_count: int) -> None:
        self.timestamp = timestamp
        self.signature_prefixes = tuple(_signature_prefix(s) for s in signatures)
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

    After a verified signature it means Paddle sent something this version cannot read: answer
    400. Paddle retries it like any failed delivery, then marks the notification failed;
    replay it through Paddle's API once a fixed handler can read it.

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
