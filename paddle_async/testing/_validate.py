"""Request validation: JSON bodies for create/update and the list query, as Paddle checks them."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Final, NoReturn

import attrs

from ._problems import FieldError, Problem

__all__ = [
    "ListQuery",
    "check_email",
    "parse_currency_codes",
    "parse_json_object",
    "parse_list_query",
    "validate_create",
    "validate_update",
]

MAX_PER_PAGE: Final = 200
DEFAULT_PER_PAGE: Final = 50
STATUSES: Final = frozenset({"active", "archived"})

_READ_ONLY: Final = frozenset(
    {"id", "marketing_consent", "import_meta", "status", "created_at", "updated_at"}
)
_CREATE_FIELDS: Final = frozenset({"email", "name", "custom_data", "locale"})
_UPDATE_FIELDS: Final = frozenset({"email", "name", "custom_data", "locale", "status"})
_ORDER_BY: Final = {"id[asc]": False, "id[desc]": True}
_CURRENCY_CODE: Final = re.compile(r"[A-Z]{3}")


def _reject_constant(name: str) -> NoReturn:
    # Python's json accepts NaN and Infinity; Paddle's parser does not.
    raise ValueError(f"{name} is not valid JSON")


def parse_json_object(content_type: str, body: bytes) -> dict[str, Any]:
    """Decode a write request's body the way Paddle does.

    Args:
        content_type: The request's media type, without parameters.
        body: The raw request body.

    Returns:
        The decoded JSON object.
    """
    if content_type != "application/json":
        raise Problem(400, "bad_request", "Invalid request: Content-Type must be application/json.")
    try:
        value = json.loads(body, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise Problem(400, "invalid_json") from exc
    if not isinstance(value, dict):
        raise Problem(400, "bad_request", "Invalid request: the body must be a JSON object.")
    return value


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _check_field(key: str, value: object, allowed: frozenset[str]) -> FieldError | None:
    if key not in allowed:
        return FieldError(key, "field is read-only" if key in _READ_ONLY else "unknown field")
    if key == "email":
        return _check_string(key, value, nullable=False, min_len=1, max_len=320)
    if key == "name":
        return _check_string(key, value, nullable=True, max_len=1024)
    if key == "locale":
        return _check_string(key, value, nullable=False, max_len=None)
    if key == "custom_data" and not isinstance(value, dict | None):
        return FieldError(key, f"expected object or null, received {_json_type(value)}")
    if key == "status" and value not in STATUSES:
        return FieldError(key, "must be one of: active, archived")
    return None


def _check_string(
    key: str, value: object, *, nullable: bool, min_len: int = 0, max_len: int | None
) -> FieldError | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        expected = "string or null" if nullable else "string"
        return FieldError(key, f"expected {expected}, received {_json_type(value)}")
    if len(value) < min_len:
        return FieldError(key, f"minimum length of {min_len} not met. provided value length 0")
    if max_len is not None and len(value) > max_len:
        return FieldError(
            key, f"maximum length of {max_len} exceeded. provided value length {len(value)}"
        )
    return None


def _check_fields(body: Mapping[str, Any], allowed: frozenset[str]) -> list[FieldError]:
    # One error per offending field, in the body's order.
    errors = (_check_field(key, value, allowed) for key, value in body.items())
    return [error for error in errors if error is not None]


def validate_create(body: Mapping[str, Any]) -> dict[str, Any]:
    """Check a create body against `customer-create` and Paddle's email rules.

    Args:
        body: The decoded JSON object.

    Returns:
        The fields to store: email, name, custom_data and locale (defaulted).
    """
    errors = _check_fields(body, _CREATE_FIELDS)
    if "email" not in body:
        errors.insert(0, FieldError("email", "field is required"))
    if errors:
        raise Problem.invalid(*errors)
    check_email(body["email"])
    return {
        "email": body["email"],
        "name": body.get("name"),
        "custom_data": body.get("custom_data"),
        "locale": body.get("locale", "en"),
    }


def validate_update(body: Mapping[str, Any]) -> dict[str, Any]:
    """Check a partial update body against `customer-update` and Paddle's email rules.

    Args:
        body: The decoded JSON object.

    Returns:
        The fields to change (a copy of the body once it passes).
    """
    errors = _check_fields(body, _UPDATE_FIELDS)
    if errors:
        raise Problem.invalid(*errors)
    if "email" in body:
        check_email(body["email"])
    return dict(body)


def check_email(email: str) -> None:
    """Apply Paddle's documented email rules (errors/customers/customer_email_invalid).

    Args:
        email: A string of 1 to 320 characters.
    """
    local, at, domain = email.rpartition("@")
    if (
        not email.isascii()
        or any(char.isspace() for char in email)
        or not at
        or "@" in local
        or not local
        or not domain
        or len(local) > 64
        or ".." in email
        or local.startswith(".")
        or local.endswith(".")
        or domain.startswith(".")
        or domain.endswith(".")
    ):
        raise Problem(400, "customer_email_invalid")


@attrs.frozen(kw_only=True)
class ListQuery:
    """The validated query of `GET /customers`."""

    after: str | None = None
    emails: frozenset[str] | None = None
    ids: frozenset[str] | None = None
    search: str | None = None
    statuses: frozenset[str] = frozenset({"active"})
    descending: bool = True
    per_page: int = DEFAULT_PER_PAGE


def _csv(query: Mapping[str, str], key: str) -> list[str] | None:
    # An empty value is treated as not given, like a missing parameter.
    value = query.get(key, "")
    return value.split(",") if value else None


def parse_list_query(query: Mapping[str, str]) -> ListQuery:
    """Validate the query of `GET /customers`; arrays are comma-separated.

    Args:
        query: The decoded query parameters (first value of each).

    Returns:
        The parsed query, with defaults applied and per_page clamped to 200.
    """
    errors: list[FieldError] = []
    emails = _csv(query, "email")
    if emails is not None and any(len(email) > 100 for email in emails):
        errors.append(FieldError("email", "maximum length of 100 exceeded"))
    search = query.get("search") or None
    if search is not None and len(search) > 100:
        message = f"maximum length of 100 exceeded. provided value length {len(search)}"
        errors.append(FieldError("search", message))
    statuses = _csv(query, "status")
    if statuses is not None and not STATUSES.issuperset(statuses):
        errors.append(FieldError("status", "must be a list of: active, archived"))
    order_by = query.get("order_by", "id[DESC]").lower()
    if order_by not in _ORDER_BY:
        errors.append(FieldError("order_by", "must be one of: id[ASC], id[DESC]"))
    per_page = DEFAULT_PER_PAGE
    raw_per_page = query.get("per_page")
    if raw_per_page is not None:
        if raw_per_page.isascii() and raw_per_page.isdigit() and int(raw_per_page) >= 1:
            per_page = min(int(raw_per_page), MAX_PER_PAGE)
        else:
            errors.append(FieldError("per_page", "must be an integer of at least 1"))
    if errors:
        raise Problem.invalid(*errors)
    ids = _csv(query, "id")
    return ListQuery(
        after=query.get("after") or None,
        emails=frozenset(emails) if emails is not None else None,
        ids=frozenset(ids) if ids is not None else None,
        search=search,
        statuses=frozenset(statuses) if statuses is not None else frozenset({"active"}),
        descending=_ORDER_BY.get(order_by, True),
        per_page=per_page,
    )


def parse_currency_codes(query: Mapping[str, str]) -> frozenset[str] | None:
    """Validate the `currency_code` filter of the credit-balances endpoint.

    Args:
        query: The decoded query parameters.

    Returns:
        The requested codes, or None when the filter is not given.
    """
    codes = _csv(query, "currency_code")
    if codes is None:
        return None
    if not all(_CURRENCY_CODE.fullmatch(code) for code in codes):
        raise Problem.invalid(FieldError("currency_code", "must be a list of currency codes"))
    return frozenset(codes)
