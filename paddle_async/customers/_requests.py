"""Customer request classes: what users ask for, validated before anything is sent.

Lenient reading, strict writing: each field declares its rule (`_validation`), checked when the
object is built; a bad one raises `ValidationError` naming every bad field. Bodies and queries
are the given fields, through the package converter (`_convert.unstructure`). Read-only fields
(id, marketing_consent, import_meta, timestamps) have no place here at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Final

import attrs

from .. import _validation as rules
from .._types import UNSET, Unset
from .._validation import Request, as_items, declare, order_by_form, plain_dict
from ._models import CustomerStatus

__all__ = [
    "CreateCustomer",
    "ListCreditBalances",
    "ListCustomers",
    "UpdateCustomer",
]

MAX_NAME: Final = 1024
CUSTOMER_ID: Final = rules.id_of("customer")
NAME: Final = rules.text(MAX_NAME)
LOCALE: Final = rules.text(min_length=1)
STATUS: Final = rules.one_of(CustomerStatus)


@attrs.frozen(kw_only=True)
class CreateCustomer(Request):
    """The body of ``POST /customers``.

    Args:
        email: The e-mail address (required; unique in the account).
        name: The full name; None leaves it out.
        custom_data: Your own JSON object; None leaves it out.
        locale: An IETF BCP 47 short-form locale; None leaves it out (Paddle uses ``en``).

    Raises:
        ValidationError: Naming each bad field.
    """

    email: str = attrs.field(metadata=declare(rules.email))
    name: str | None = attrs.field(default=None, metadata=declare(NAME))
    custom_data: Mapping[str, Any] | None = attrs.field(
        default=None, converter=plain_dict, metadata=declare(rules.custom_data)
    )
    locale: str | None = attrs.field(default=None, metadata=declare(LOCALE))


@attrs.frozen(kw_only=True)
class UpdateCustomer(Request):
    """The body of ``PATCH /customers/{id}``: a partial update.

    A field left at `UNSET` is not sent and stays as it is. ``name=None`` and
    ``custom_data=None`` send ``null``, which clears them. ``email``, ``status`` and ``locale``
    cannot be cleared, so None for them is rejected. A ``custom_data`` object replaces the
    stored one.

    Raises:
        ValidationError: Naming each bad field, or when no field is given at all.
    """

    needs_a_field: ClassVar[bool] = True

    name: str | Unset | None = attrs.field(default=UNSET, metadata=declare(NAME, null=True))
    email: str | Unset = attrs.field(default=UNSET, metadata=declare(rules.email))
    status: CustomerStatus | str | Unset = attrs.field(default=UNSET, metadata=declare(STATUS))
    custom_data: Mapping[str, Any] | Unset | None = attrs.field(
        default=UNSET, converter=plain_dict, metadata=declare(rules.custom_data, null=True)
    )
    locale: str | Unset = attrs.field(default=UNSET, metadata=declare(LOCALE))


@attrs.frozen(kw_only=True)
class ListCustomers(Request):
    """The query of ``GET /customers``.

    Args:
        after: Start after this customer id (a cursor from an earlier listing).
        email: Exact e-mail addresses to match (each at most 100 characters).
        id: Customer ids to match.
        order_by: ``"id[ASC]"`` (oldest first) or ``"id[DESC]"`` (newest first, Paddle's
            default), in any case.
        per_page: Page size, 1 to 200 (Paddle's default is 50).
        search: Free text matched against id, name and e-mail (at most 100 characters).
        status: ``active`` and/or ``archived``; Paddle returns only active customers by default.

    Raises:
        ValidationError: Naming each bad field.
    """

    after: str | None = attrs.field(default=None, metadata=declare(CUSTOMER_ID))
    email: Sequence[str] | None = attrs.field(
        default=None, converter=as_items, metadata=declare(rules.each(rules.filter_item))
    )
    id: Sequence[str] | None = attrs.field(
        default=None, converter=as_items, metadata=declare(rules.each(CUSTOMER_ID))
    )
    order_by: str | None = attrs.field(
        default=None, converter=order_by_form, metadata=declare(rules.order_by)
    )
    per_page: int | None = attrs.field(default=None, metadata=declare(rules.per_page))
    search: str | None = attrs.field(
        default=None, metadata=declare(rules.text(rules.MAX_FILTER_ITEM))
    )
    status: Sequence[CustomerStatus | str] | None = attrs.field(
        default=None, converter=as_items, metadata=declare(rules.each(STATUS))
    )


@attrs.frozen(kw_only=True)
class ListCreditBalances(Request):
    """The query of ``GET /customers/{id}/credit-balances``.

    Args:
        currency_code: Only these currencies (three-letter codes such as ``"USD"``).

    Raises:
        ValidationError: When a code is not three capital letters.
    """

    currency_code: Sequence[str] | None = attrs.field(
        default=None, converter=as_items, metadata=declare(rules.each(rules.currency_code))
    )
