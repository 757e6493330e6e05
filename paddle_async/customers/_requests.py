"""Customer request classes: what users ask for, validated before anything is sent.

Lenient reading, strict writing: these classes check what Paddle documents (lengths, id
shapes, enums) when they are built and raise `ValidationError` naming every bad field.
Read-only fields (id, marketing_consent, import_meta, timestamps) have no place here at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from .._json import TOO_DEEP, dumps, nested_too_deeply
from .._protocol import CUSTOMER_ID_PATTERN
from .._types import UNSET, Unset
from ..errors import FieldError, ValidationError
from ._models import CustomerStatus

__all__ = [
    "CreateCustomer",
    "ListCreditBalances",
    "ListCustomers",
    "UpdateCustomer",
    "check_customer_id",
]

MAX_EMAIL = 320
MAX_NAME = 1024
MAX_FILTER_ITEM = 100
MAX_PER_PAGE = 200
_STATUSES = frozenset(status.value for status in CustomerStatus)
_ORDERS = {"id[asc]": "id[ASC]", "id[desc]": "id[DESC]"}
MAX_LOCAL_PART = 64
# Paddle's rules (customer_email_invalid): ASCII only, no spaces, no leading, trailing or
# consecutive dots, a local part of at most 64 characters. The local part is a dot-atom of
# RFC 5322 atext; the domain is dot-separated labels of letters, digits and inner hyphens.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"(?P<local>{_ATEXT}(?:\.{_ATEXT})*)@{_LABEL}(?:\.{_LABEL})*")


def _encodable(value: str) -> bool:
    """Whether ``value`` can be sent as UTF-8 (lone surrogates cannot)."""
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def check_customer_id(customer_id: object, field: str = "customer_id") -> str:
    """Return ``customer_id`` if it is a Paddle customer id, else raise `ValidationError`.

    Only ``ctm_`` plus 26 ASCII lowercase letters or digits passes, so nothing like ``../x``,
    ``a?b`` or a non-ASCII digit can reach a URL path.
    """
    if isinstance(customer_id, str) and CUSTOMER_ID_PATTERN.fullmatch(customer_id):
        return customer_id
    raise ValidationError.single(
        field, f"not a Paddle customer id (ctm_ + 26 characters): {_show(customer_id)}"
    )


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _tuple_of_str(value: str | Sequence[str] | None) -> tuple[str, ...] | None:
    """Accept a sequence of strings, or a single string meaning one item."""
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    return tuple(value)


class _Problems:
    """Collects field errors so one `ValidationError` names every bad field."""

    def __init__(self) -> None:
        self.items: list[FieldError] = []

    def add(self, field: str, message: str) -> None:
        self.items.append(FieldError(field, message))

    def raise_any(self) -> None:
        if self.items:
            raise ValidationError(self.items)

    def given(self, **fields: object) -> None:
        """Check each field that was given (not `UNSET`) by the rule of the same name."""
        for field, value in fields.items():
            if value is not UNSET:
                getattr(self, field)(field, value)

    def email(self, field: str, value: object) -> None:
        if not isinstance(value, str):
            self.add(field, f"must be a string, got {type(value).__name__}")
        elif not value:
            self.add(field, "must not be empty")
        elif len(value) > MAX_EMAIL:
            self.add(field, f"at most {MAX_EMAIL} characters, got {len(value)}")
        elif (match := _EMAIL.fullmatch(value)) is None:
            self.add(
                field,
                "not an e-mail address Paddle accepts (ASCII, no spaces, no leading, trailing"
                f" or doubled dots): {_show(value)}",
            )
        elif len(match["local"]) > MAX_LOCAL_PART:
            self.add(field, f"the part before @ is at most {MAX_LOCAL_PART} characters")

    def name(self, field: str, value: object) -> None:
        if value is None:
            return
        if not isinstance(value, str):
            self.add(field, f"must be a string or None, got {type(value).__name__}")
        elif len(value) > MAX_NAME:
            self.add(field, f"at most {MAX_NAME} characters, got {len(value)}")
        elif not _encodable(value):
            self.add(field, "contains characters UTF-8 cannot encode (lone surrogates)")

    def locale(self, field: str, value: object) -> None:
        if not isinstance(value, str) or not value.strip():
            self.add(field, "must be a non-empty locale string such as 'en'")
        elif not _encodable(value):
            self.add(field, "contains characters UTF-8 cannot encode (lone surrogates)")

    def custom_data(self, field: str, value: object) -> None:
        if value is None:
            return
        if not isinstance(value, Mapping):
            self.add(field, f"must be a mapping or None, got {type(value).__name__}")
        elif nested_too_deeply(dict(value)):
            # Checked first: encoding a deeper value could reach Python's recursion limit.
            self.add(field, TOO_DEEP)
        else:
            try:
                dumps(value)
            except (TypeError, ValueError) as exc:  # UnicodeEncodeError is a ValueError
                self.add(field, f"must be JSON-serialisable: {exc}")

    def status(self, field: str, value: object) -> None:
        if value not in _STATUSES:
            self.add(field, f"must be one of {sorted(_STATUSES)}, got {_show(value)}")


def _plain(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if value is None else dict(value)


@attrs.frozen(kw_only=True)
class CreateCustomer:
    """The body of ``POST /customers``.

    Args:
        email: The e-mail address (required; unique in the account).
        name: The full name; None leaves it out.
        custom_data: Your own JSON object; None leaves it out.
        locale: An IETF BCP 47 short-form locale; None leaves it out (Paddle uses ``en``).

    Raises:
        ValidationError: Naming each bad field.
    """

    email: str
    name: str | None = None
    custom_data: Mapping[str, Any] | None = attrs.field(default=None, converter=_plain)
    locale: str | None = None

    def __attrs_post_init__(self) -> None:
        problems = _Problems()
        problems.email("email", self.email)
        problems.name("name", self.name)
        problems.custom_data("custom_data", self.custom_data)
        if self.locale is not None:
            problems.locale("locale", self.locale)
        problems.raise_any()

    def to_wire(self) -> dict[str, Any]:
        """Return the JSON body: only the fields that were given."""
        body: dict[str, Any] = {"email": self.email}
        if self.name is not None:
            body["name"] = self.name
        if self.custom_data is not None:
            body["custom_data"] = self.custom_data
        if self.locale is not None:
            body["locale"] = self.locale
        return body


def _plain_unset(value: Mapping[str, Any] | Unset | None) -> dict[str, Any] | Unset | None:
    return value if value is UNSET else _plain(value)


@attrs.frozen(kw_only=True)
class UpdateCustomer:
    """The body of ``PATCH /customers/{id}``: a partial update.

    A field left at `UNSET` is not sent and stays as it is. ``name=None`` and
    ``custom_data=None`` send ``null``, which clears them. ``email``, ``status`` and ``locale``
    cannot be cleared, so None for them is rejected. A ``custom_data`` object replaces the
    stored one.

    Raises:
        ValidationError: Naming each bad field, or when no field is given at all.
    """

    name: str | Unset | None = UNSET
    email: str | Unset = UNSET
    status: CustomerStatus | str | Unset = UNSET
    custom_data: Mapping[str, Any] | Unset | None = attrs.field(
        default=UNSET, converter=_plain_unset
    )
    locale: str | Unset = UNSET

    def __attrs_post_init__(self) -> None:
        problems = _Problems()
        problems.given(
            name=self.name,
            email=self.email,
            status=self.status,
            custom_data=self.custom_data,
            locale=self.locale,
        )
        if not self.to_wire() and not problems.items:
            problems.add("*", "an update needs at least one field")
        problems.raise_any()

    def to_wire(self) -> dict[str, Any]:
        """Return the JSON body: given fields only, None as null."""
        body: dict[str, Any] = {}
        for field in ("name", "email", "status", "custom_data", "locale"):
            value = getattr(self, field)
            if value is not UNSET:
                body[field] = str(value) if field == "status" else value
        return body


@attrs.frozen(kw_only=True)
class ListCustomers:
    """The query of ``GET /customers``.

    Args:
        after: Start after this customer id (a cursor from an earlier listing).
        email: Exact e-mail addresses to match (each at most 100 characters).
        id: Customer ids to match.
        order_by: ``"id[ASC]"`` (oldest first) or ``"id[DESC]"`` (newest first, Paddle's default).
        per_page: Page size, 1 to 200 (Paddle's default is 50).
        search: Free text matched against id, name and e-mail (at most 100 characters).
        status: ``active`` and/or ``archived``; Paddle returns only active customers by default.

    Raises:
        ValidationError: Naming each bad field.
    """

    after: str | None = None
    email: Sequence[str] | None = attrs.field(default=None, converter=_tuple_of_str)
    id: Sequence[str] | None = attrs.field(default=None, converter=_tuple_of_str)
    order_by: str | None = None
    per_page: int | None = None
    search: str | None = None
    status: Sequence[CustomerStatus | str] | None = attrs.field(
        default=None, converter=_tuple_of_str
    )

    def __attrs_post_init__(self) -> None:
        problems = _Problems()
        if self.after is not None and not (
            isinstance(self.after, str) and CUSTOMER_ID_PATTERN.fullmatch(self.after)
        ):
            problems.add("after", f"not a customer id: {_show(self.after)}")
        for item in self.email or ():
            if (
                not isinstance(item, str)
                or not item
                or len(item) > MAX_FILTER_ITEM
                or "," in item
                or not _encodable(item)
            ):
                problems.add(
                    "email",
                    f"each address 1 to {MAX_FILTER_ITEM} characters, no commas: {_show(item)}",
                )
        for item in self.id or ():
            if not isinstance(item, str) or not CUSTOMER_ID_PATTERN.fullmatch(item):
                problems.add("id", f"not a customer id: {_show(item)}")
        if self.order_by is not None and str(self.order_by).lower() not in _ORDERS:
            problems.add("order_by", f"must be 'id[ASC]' or 'id[DESC]', got {_show(self.order_by)}")
        if self.per_page is not None and (
            isinstance(self.per_page, bool)
            or not isinstance(self.per_page, int)
            or not 1 <= self.per_page <= MAX_PER_PAGE
        ):
            problems.add(
                "per_page",
                f"must be an integer from 1 to {MAX_PER_PAGE}, got {_show(self.per_page)}",
            )
        if self.search is not None and (
            not isinstance(self.search, str)
            or len(self.search) > MAX_FILTER_ITEM
            or not _encodable(self.search)
        ):
            problems.add("search", f"a string of at most {MAX_FILTER_ITEM} characters")
        for item in self.status or ():
            problems.status("status", item)
        problems.raise_any()

    def to_query(self) -> dict[str, str | int | None]:
        """Return the query parameters, arrays comma-joined, unset ones None."""
        return {
            "after": self.after,
            "email": ",".join(self.email) if self.email else None,
            "id": ",".join(self.id) if self.id else None,
            "order_by": _ORDERS[self.order_by.lower()] if self.order_by else None,
            "per_page": self.per_page,
            "search": self.search,
            "status": ",".join(str(s) for s in self.status) if self.status else None,
        }


@attrs.frozen(kw_only=True)
class ListCreditBalances:
    """The query of ``GET /customers/{id}/credit-balances``.

    Args:
        currency_code: Only these currencies (three-letter codes such as ``"USD"``).

    Raises:
        ValidationError: When a code is not three letters.
    """

    currency_code: Sequence[str] | None = attrs.field(default=None, converter=_tuple_of_str)

    def __attrs_post_init__(self) -> None:
        problems = _Problems()
        for code in self.currency_code or ():
            if not (isinstance(code, str) and len(code) == 3 and code.isalpha() and code.isupper()):
                problems.add("currency_code", f"must be three capital letters: {_show(code)}")
        problems.raise_any()

    def to_query(self) -> dict[str, str | int | None]:
        """Return the query parameters."""
        return {"currency_code": ",".join(self.currency_code) if self.currency_code else None}
