"""Paddle's error envelope: the error codes the fake answers with and how their bodies look."""

from __future__ import annotations

from typing import Any, Final

import attrs

__all__ = ["DETAILS", "STATUS_CODES", "FieldError", "Problem", "error_body", "error_type"]

DOCS_BASE: Final = "https://developer.paddle.com/errors"

# The documented `detail` text for each code (PADDLE_API.md §3.6).
DETAILS: Final[dict[str, str]] = {
    "bad_request": "Invalid request.",
    "invalid_json": "Invalid JSON in your request.",
    "invalid_field": "Request does not pass validation.",
    "customer_email_invalid": "Cannot create or update customer with an invalid email address.",
    "address_location_not_allowed": "Cannot create address with an unsupported location",
    "authentication_missing": "Authentication header missing.",
    "authentication_malformed": "Authentication header included, but incorrectly formatted.",
    "invalid_token": "Invalid or revoked API key.",
    "forbidden": "You aren't permitted to perform this request.",
    "not_found": "Entity not found.",
    "method_not_allowed": "Method not allowed for this endpoint.",
    "too_many_requests": (
        "IP address exceeded the allowed rate limit. "
        "Retry after the number of seconds in the Retry-After header."
    ),
    "internal_error": "Problem processing your request. The Paddle team has been notified.",
    "service_unavailable": (
        "Endpoint is down temporarily and can't process your request. Try again later."
    ),
    "bad_gateway": "Bad gateway.",
    "gateway_timeout": "Gateway timeout.",
}

# Codes documented under a resource's folder rather than /errors/shared/.
_AREAS: Final = {
    "customer_email_invalid": "customers",
    "customer_already_exists": "customers",
    "address_location_not_allowed": "addresses",
}

# The code used when a status fault is injected without a body of its own.
STATUS_CODES: Final[dict[int, str]] = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    429: "too_many_requests",
    500: "internal_error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}


@attrs.frozen
class FieldError:
    """One item of `error.errors[]`: which field failed validation and why."""

    field: str
    message: str


class Problem(Exception):
    """An error answer: raised by validation and handlers, turned into Paddle's envelope."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str | None = None,
        errors: tuple[FieldError, ...] = (),
    ) -> None:
        super().__init__(status, code, detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = errors

    @classmethod
    def invalid(cls, *errors: FieldError) -> Problem:
        """Build a 400 `invalid_field` problem for the given field errors."""
        return cls(400, "invalid_field", errors=errors)


def error_type(status: int) -> str:
    """Return Paddle's `error.type` for a status: api_error for 429 and 5xx, else request_error."""
    return "api_error" if status == 429 or status >= 500 else "request_error"


def error_body(
    status: int,
    code: str,
    request_id: str,
    *,
    detail: str | None = None,
    errors: tuple[FieldError, ...] = (),
) -> dict[str, Any]:
    """Return Paddle's error envelope as a dict."""
    area = _AREAS.get(code, "shared")
    error: dict[str, Any] = {
        "type": error_type(status),
        "code": code,
        "detail": detail if detail is not None else DETAILS.get(code, "Request failed."),
        "documentation_url": f"{DOCS_BASE}/{area}/{code}",
    }
    if errors:
        error["errors"] = [{"field": e.field, "message": e.message} for e in errors]
    return {"error": error, "meta": {"request_id": request_id}}
