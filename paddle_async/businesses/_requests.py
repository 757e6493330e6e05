"""Business request classes: what users ask for, validated before anything is sent.

Each field declares its rule (`_validation`); a bad one raises `ValidationError` naming every
bad field. Read-only fields (id, customer_id, import_meta, timestamps) have no place here, and
``status`` only on an update (a new business is always active).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Final

import attrs

from .. import _validation as rules
from .._types import UNSET, Unset
from .._validation import Request, as_items, declare, order_by_form, plain_dict, show
from ._models import BusinessStatus

__all__ = ["Contact", "CreateBusiness", "ListBusinesses", "UpdateBusiness"]

MAX_TEXT: Final = 1024
"""Paddle's limit on ``name``, ``company_number``, ``tax_identifier`` and a contact's name."""
MAX_CONTACTS: Final = 100
BUSINESS_ID: Final = rules.id_of("business")
NAME: Final = rules.text(MAX_TEXT, min_length=1)
TEXT: Final = rules.text(MAX_TEXT)
STATUS: Final = rules.one_of(BusinessStatus)


@attrs.frozen(kw_only=True)
class Contact(Request):
    """A contact in a create or update of a business.

    Args:
        email: The contact's e-mail address (required).
        name: The contact's full name (at most 1,024 characters); None leaves it out.

    Raises:
        ValidationError: Naming each bad field.
    """

    email: str = attrs.field(metadata=declare(rules.email))
    name: str | None = attrs.field(default=None, metadata=declare(TEXT))


def _contacts(value: Any) -> str | None:
    """Check ``contacts``: at most 100 `Contact`s, no two the same."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        return f"must be a list of Contact, got {type(value).__name__}"
    if len(value) > MAX_CONTACTS:
        return f"at most {MAX_CONTACTS} items, got {len(value)}"
    for item in value:
        if not isinstance(item, Contact):
            return f"each item must be a Contact, got {show(item)}"
    if len(set(value)) != len(value):
        return "contacts must all be different (the same e-mail with another name may repeat)"
    return None


@attrs.frozen(kw_only=True)
class CreateBusiness(Request):
    """The body of ``POST /customers/{customer_id}/businesses``.

    Args:
        name: The business's name (required; 1 to 1,024 characters, not blank).
        company_number: The company number (at most 1,024 characters); None leaves it out.
        tax_identifier: The tax or VAT number (at most 1,024 characters); None leaves it out.
        contacts: Up to 100 `Contact`s, all different; None leaves it out.
        custom_data: Your own JSON object; None leaves it out.

    Raises:
        ValidationError: Naming each bad field.
    """

    name: str = attrs.field(metadata=declare(NAME))
    company_number: str | None = attrs.field(default=None, metadata=declare(TEXT))
    tax_identifier: str | None = attrs.field(default=None, metadata=declare(TEXT))
    contacts: Sequence[Contact] | None = attrs.field(
        default=None, converter=as_items, metadata=declare(_contacts)
    )
    custom_data: Mapping[str, Any] | None = attrs.field(
        default=None, converter=plain_dict, metadata=declare(rules.custom_data)
    )


@attrs.frozen(kw_only=True)
class UpdateBusiness(Request):
    """The body of ``PATCH /customers/{customer_id}/businesses/{business_id}``: a partial update.

    A field left at `UNSET` is not sent and stays as it is. None for ``company_number``,
    ``tax_identifier``, ``contacts`` or ``custom_data`` sends ``null``, which clears it.
    ``name`` and ``status`` cannot be cleared, so None for them is rejected. ``contacts``
    replaces the whole list. ``status="archived"`` archives the business (hidden from listings
    by default); ``"active"`` brings it back. A ``custom_data`` object replaces the stored one.

    Raises:
        ValidationError: Naming each bad field, or when no field is given at all.
    """

    needs_a_field: ClassVar[bool] = True

    name: str | Unset = attrs.field(default=UNSET, metadata=declare(NAME))
    company_number: str | Unset | None = attrs.field(
        default=UNSET, metadata=declare(TEXT, null=True)
    )
    tax_identifier: str | Unset | None = attrs.field(
        default=UNSET, metadata=declare(TEXT, null=True)
    )
    contacts: Sequence[Contact] | Unset | None = attrs.field(
        default=UNSET, converter=as_items, metadata=declare(_contacts, null=True)
    )
    custom_data: Mapping[str, Any] | Unset | None = attrs.field(
        default=UNSET, converter=plain_dict, metadata=declare(rules.custom_data, null=True)
    )
    status: BusinessStatus | str | Unset = attrs.field(default=UNSET, metadata=declare(STATUS))


@attrs.frozen(kw_only=True)
class ListBusinesses(Request):
    """The query of ``GET /customers/{customer_id}/businesses``.

    Args:
        after: Start after this business id (a cursor from an earlier listing).
        id: Business ids to match.
        order_by: ``"id[ASC]"`` (oldest first) or ``"id[DESC]"`` (newest first, Paddle's
            default), in any case.
        per_page: Page size, 1 to 200 (Paddle's default is 50).
        search: Free text matched against every field, contacts included, but status and the
            timestamps (at most 100 characters).
        status: ``active`` and/or ``archived``; Paddle returns only active businesses by
            default, so archived ones are hidden unless asked for.

    Raises:
        ValidationError: Naming each bad field.
    """

    after: str | None = attrs.field(default=None, metadata=declare(BUSINESS_ID))
    id: Sequence[str] | None = attrs.field(
        default=None, converter=as_items, metadata=declare(rules.each(BUSINESS_ID))
    )
    order_by: str | None = attrs.field(
        default=None, converter=order_by_form, metadata=declare(rules.order_by)
    )
    per_page: int | None = attrs.field(default=None, metadata=declare(rules.per_page))
    search: str | None = attrs.field(
        default=None, metadata=declare(rules.text(rules.MAX_FILTER_ITEM))
    )
    status: Sequence[BusinessStatus | str] | None = attrs.field(
        default=None, converter=as_items, metadata=declare(rules.each(STATUS))
    )
