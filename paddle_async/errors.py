"""Every exception paddle_async raises.

The tree::

    PaddleError
    ├── ValidationError (also ValueError)     bad input, caught before any request is sent
    ├── ConfigurationError (also ValueError)  a client that cannot work (key for another env)
    ├── ClientClosedError                     the client was closed before or during a request
    ├── RateLimiterUnavailableError           a shared limiter (Redis) unreachable: not sent
    ├── TransportError                        the request got no HTTP response
    │   ├── ConnectionError                   could not connect, or the connection dropped
    │   └── TimeoutError                      connect or total timeout
    ├── InvalidResponseError                  not Paddle's envelope (truncated JSON, ...)
    └── APIError                              Paddle (or a gateway) answered with an error
        ├── BadRequestError                   400
        ├── AuthenticationError               403 authentication_missing, authentication_malformed,
        │                                     invalid_token; 401 invalid_access_token
        ├── PermissionDeniedError             403 forbidden
        ├── NotFoundError                     404
        ├── ConflictError                     409
        │   └── CustomerAlreadyExistsError    409 customer_already_exists
        ├── RateLimitError                    429
        └── ServerError                       5xx (and Cloudflare's 52x)

Raised outside requests (defined in their own modules, rooted here too)::

    PaddleError
    └── WebhookError                          paddle_async.webhooks
        ├── WebhookVerificationError          not provably from Paddle: answer 401
        │   ├── MissingSignatureError         no Paddle-Signature header
        │   ├── MalformedSignatureError       no ts= or h1= part, or not numbers/hex
        │   ├── SignatureMismatchError        no h1 matches any secret
        │   └── TimestampOutOfToleranceError  ts too old or too far ahead (replay guard)
        └── WebhookPayloadError               signed, but not a notification: answer 400

Classes are chosen by HTTP status and Paddle's ``code`` only, never by ``type`` or ``detail`` text.
This module is a leaf: it imports nothing from the rest of the package.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Sequence
from typing import Any

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "ConnectionError",
    "CustomerAlreadyExistsError",
    "FieldError",
    "InvalidResponseError",
    "NotFoundError",
    "PaddleError",
    "PermissionDeniedError",
    "RateLimitError",
    "RateLimiterUnavailableError",
    "ServerError",
    "TimeoutError",
    "TransportError",
    "ValidationError",
    "error_class_for",
]

# ASCII digits only: ``\d`` would match any Unicode digit (CUSTOMER_ID_PATTERN says the same).
_CUSTOMER_ID_IN_TEXT = re.compile(r"ctm_[0-9a-z]{26}")


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
    """A shared rate limiter (such as ``ratelimit_redis.RedisRateLimiter``) could not be
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


class ConnectionError(TransportError):
    """The connection could not be made, or it dropped before a response arrived."""


class TimeoutError(TransportError):
    """The connect or total timeout passed before a response arrived."""


class InvalidResponseError(PaddleError):
    """Paddle (or something in between) answered with a body that is not Paddle's envelope.

    Attributes:
        status: The HTTP status.
        request_id: ``meta.request_id`` if it could be read, else a request-id header, else None.
        body_excerpt: The first 200 characters of the body.
    """

    def __init__(
        self, message: str, *, status: int, request_id: str | None, body_excerpt: str
    ) -> None:
        super().__init__(message)
        self.status = status
        self.request_id = request_id
        self.body_excerpt = body_excerpt


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
        body_excerpt: The first 200 characters of a body that was not JSON (an HTML 502), else None.
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
        self.body_excerpt = body_excerpt
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


class AuthenticationError(APIError):
    """The API key is missing, malformed, revoked, expired or for the other environment."""


class PermissionDeniedError(APIError):
    """403 ``forbidden``: the key lacks the permission this operation needs."""


class NotFoundError(APIError):
    """404: no such entity (or it belongs to the other environment)."""


class ConflictError(APIError):
    """409: the request conflicts with the current state."""


class CustomerAlreadyExistsError(ConflictError):
    """409 ``customer_already_exists``: another customer already has this e-mail address.

    Attributes:
        existing_customer_id: The id of the customer holding the address, parsed from ``detail``
            when Paddle includes it (the text format is not a stable API, so it may be None).
        after_unknown_outcome: True when an earlier attempt of the same create may have reached
            Paddle (a timeout or dropped connection), so the existing customer may be our own.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        match = _CUSTOMER_ID_IN_TEXT.search(self.detail or "")
        self.existing_customer_id: str | None = match.group(0) if match else None
        self.after_unknown_outcome = False


class RateLimitError(APIError):
    """429: the IP address went over Paddle's rate limit.

    Attributes:
        retry_after: Seconds Paddle asked us to wait (from ``Retry-After``), or None.
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
