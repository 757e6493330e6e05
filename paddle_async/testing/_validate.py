"""Request bodies as Paddle checks them: one `Body` per request schema, built from field checks.

A `Body` reports every bad field at once as 400 `invalid_field` (missing required fields first,
then the body's own order), and only then runs its rules, which answer with their own codes
(`customer_email_invalid`, `address_location_not_allowed`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Final, NoReturn

import attrs

from .._countries import SUPPORTED_COUNTRY_CODES
from ._listing import split_csv
from ._problems import FieldError, Problem

__all__ = [
    "ADDRESS_CREATE",
    "ADDRESS_UPDATE",
    "BUSINESS_CREATE",
    "BUSINESS_UPDATE",
    "CUSTOMER_CREATE",
    "CUSTOMER_UPDATE",
    "PORTAL_SESSION_CREATE",
    "Body",
    "check_email",
    "parse_currency_codes",
    "parse_json_object",
    "refuse_body",
]

Check = Callable[[str, object], FieldError | None]
"""Check one field's value; return the error, or None when it passes."""

# Fields every response has but no request may send; others are simply unknown.
_READ_ONLY: Final = frozenset(
    {"id", "customer_id", "marketing_consent", "import_meta", "status", "created_at", "updated_at"}
)
_STATUSES: Final = ("active", "archived")
_CURRENCY_CODE: Final = re.compile(r"[A-Z]{3}")
_COUNTRY_CODE: Final = re.compile(r"[A-Z]{2}")
_SUBSCRIPTION_ID: Final = re.compile(r"sub_[0-9a-z]{26}")
MAX_CONTACTS: Final = 100
MAX_SUBSCRIPTION_IDS: Final = 25


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


def refuse_body(body: bytes) -> None:
    """Refuse any body, `{}` included, for an operation whose spec declares none."""
    if body:
        raise Problem(400, "bad_request", "Invalid request: this operation takes no request body.")


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


def _expected(key: str, expected: str, value: object) -> FieldError:
    return FieldError(key, f"expected {expected}, received {_json_type(value)}")


def text(max_len: int | None, *, min_len: int = 0, nullable: bool = False) -> Check:
    """Check a string field's type and length; `nullable` also accepts null."""

    def check(key: str, value: object) -> FieldError | None:
        if value is None and nullable:
            return None
        if not isinstance(value, str):
            return _expected(key, "string or null" if nullable else "string", value)
        if len(value) < min_len:
            return FieldError(
                key, f"minimum length of {min_len} not met. provided value length {len(value)}"
            )
        if max_len is not None and len(value) > max_len:
            return FieldError(
                key, f"maximum length of {max_len} exceeded. provided value length {len(value)}"
            )
        return None

    return check


def _custom_data(key: str, value: object) -> FieldError | None:
    return None if isinstance(value, dict | None) else _expected(key, "object or null", value)


def _status(key: str, value: object) -> FieldError | None:
    return None if value in _STATUSES else FieldError(key, "must be one of: active, archived")


def _country_code(key: str, value: object) -> FieldError | None:
    # Whether Paddle sells there is the address rule's question, answered with its own code.
    if isinstance(value, str) and _COUNTRY_CODE.fullmatch(value):
        return None
    return FieldError(key, "must be a two-letter ISO 3166-1 alpha-2 country code")


def _array(key: str, value: object, limit: int) -> FieldError | None:
    if not isinstance(value, list):
        return _expected(key, "array", value)
    if len(value) > limit:
        return FieldError(key, f"maximum of {limit} items exceeded. provided {len(value)} items")
    # uniqueItems: no two items equal as JSON values.
    seen = {json.dumps(item, sort_keys=True) for item in value}
    return None if len(seen) == len(value) else FieldError(key, "items must all be different")


_CONTACT_NAME: Final = text(1024)
_CONTACT_EMAIL: Final = text(320, min_len=1)


def _contact(key: str, value: object) -> FieldError | None:
    if not isinstance(value, dict):
        return _expected(key, "object", value)
    if "email" not in value:
        return FieldError(f"{key}.email", "field is required")
    error = _CONTACT_EMAIL(f"{key}.email", value["email"])
    if error is None and not valid_email(value["email"]):
        error = FieldError(f"{key}.email", "must be a valid email address")
    if error is None and "name" in value:
        error = _CONTACT_NAME(f"{key}.name", value["name"])
    return error


def _contacts(key: str, value: object) -> FieldError | None:
    if value is None:
        return None
    error = _array(key, value, MAX_CONTACTS)
    if error is not None or not isinstance(value, list):
        return error
    errors = (_contact(f"{key}[{i}]", item) for i, item in enumerate(value))
    return next((error for error in errors if error is not None), None)


def _subscription_ids(key: str, value: object) -> FieldError | None:
    error = _array(key, value, MAX_SUBSCRIPTION_IDS)
    if error is not None or not isinstance(value, list):
        return error
    for i, item in enumerate(value):
        if not (isinstance(item, str) and _SUBSCRIPTION_ID.fullmatch(item)):
            return FieldError(f"{key}[{i}]", "must be sub_ and 26 lowercase letters or digits")
    return None


Rule = Callable[[Mapping[str, Any]], None]
"""A check on a body whose fields passed; raises a `Problem` with its own code."""


@attrs.frozen
class Body:
    """A request body schema: its fields, which are required, and rules checked after them."""

    fields: Mapping[str, Check]
    required: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = ()

    def validate(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Check a decoded body; return the fields to store (a copy of the body).

        Raises:
            Problem: 400 `invalid_field` naming each bad field, or a rule's own problem.
        """
        errors = [FieldError(key, "field is required") for key in self.required if key not in body]
        for key, value in body.items():
            check = self.fields.get(key)
            if check is None:
                reason = "field is read-only" if key in _READ_ONLY else "unknown field"
                errors.append(FieldError(key, reason))
            elif (error := check(key, value)) is not None:
                errors.append(error)
        if errors:
            raise Problem.invalid(*errors)
        for rule in self.rules:
            rule(body)
        return dict(body)


def valid_email(email: str) -> bool:
    """Tell whether an email passes Paddle's documented rules (customer_email_invalid's page)."""
    local, at, domain = email.rpartition("@")
    return not (
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
    )


def check_email(email: str) -> None:
    """Refuse an email Paddle refuses for a customer, with 400 `customer_email_invalid`.

    Args:
        email: A string of 1 to 320 characters.
    """
    if not valid_email(email):
        raise Problem(400, "customer_email_invalid")


def _customer_email(body: Mapping[str, Any]) -> None:
    if "email" in body:
        check_email(body["email"])


def _address_location(body: Mapping[str, Any]) -> None:
    # Paddle's documented cause: "Address indicates a country that Paddle does not support."
    if "country_code" in body and body["country_code"] not in SUPPORTED_COUNTRY_CODES:
        raise Problem(400, "address_location_not_allowed")


_CUSTOMER: Final[dict[str, Check]] = {
    "email": text(320, min_len=1),
    "name": text(1024, nullable=True),
    "custom_data": _custom_data,
    "locale": text(None),
}
CUSTOMER_CREATE: Final = Body(_CUSTOMER, required=("email",), rules=(_customer_email,))
CUSTOMER_UPDATE: Final = Body({**_CUSTOMER, "status": _status}, rules=(_customer_email,))

_ADDRESS: Final[dict[str, Check]] = {
    "description": text(1024, nullable=True),
    "first_line": text(1024, nullable=True),
    "second_line": text(1024, nullable=True),
    "city": text(200, nullable=True),
    "postal_code": text(200, nullable=True),
    "region": text(200, nullable=True),
    "country_code": _country_code,
    "custom_data": _custom_data,
}
ADDRESS_CREATE: Final = Body(_ADDRESS, required=("country_code",), rules=(_address_location,))
ADDRESS_UPDATE: Final = Body({**_ADDRESS, "status": _status}, rules=(_address_location,))

_BUSINESS: Final[dict[str, Check]] = {
    "name": text(1024, min_len=1),
    "company_number": text(1024, nullable=True),
    "tax_identifier": text(1024, nullable=True),
    "contacts": _contacts,
    "custom_data": _custom_data,
}
BUSINESS_CREATE: Final = Body(_BUSINESS, required=("name",))
BUSINESS_UPDATE: Final = Body({**_BUSINESS, "status": _status})

PORTAL_SESSION_CREATE: Final = Body({"subscription_ids": _subscription_ids})


def parse_currency_codes(query: Mapping[str, str]) -> frozenset[str] | None:
    """Validate the `currency_code` filter of the credit-balances endpoint.

    Args:
        query: The decoded query parameters.

    Returns:
        The requested codes, or None when the filter is not given.
    """
    codes = split_csv(query, "currency_code")
    if codes is None:
        return None
    if not all(_CURRENCY_CODE.fullmatch(code) for code in codes):
        raise Problem.invalid(FieldError("currency_code", "must be a list of currency codes"))
    return frozenset(codes)
