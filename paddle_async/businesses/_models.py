"""Business response models: what Paddle returns."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import attrs

from .._convert import NULL_IS_DEFAULT, register_model
from ..customers._models import ImportMeta

__all__ = ["Business", "BusinessContact", "BusinessStatus"]


class BusinessStatus(enum.StrEnum):
    """Whether a business is active or archived. Unknown future values are kept as strings."""

    ACTIVE = "active"
    ARCHIVED = "archived"


@attrs.frozen(kw_only=True)
class BusinessContact:
    """A contact of a business, typically sent invoices.

    Attributes:
        email: The contact's e-mail address.
        name: The contact's full name (Paddle sends one; None if it ever does not).
    """

    email: str
    name: str | None = None


@attrs.frozen(kw_only=True)
class Business:
    """A customer's business.

    Attributes:
        id: Paddle's id, ``biz_`` followed by 26 characters; ids sort in creation order.
        customer_id: The id of the customer the business belongs to.
        name: The business's name.
        company_number: The company number, or None.
        tax_identifier: The tax or VAT number, or None.
        contacts: Up to 100 contacts, as a tuple (empty when there are none, or when Paddle
            sends null).
        custom_data: Your own key-value data, or None. ``{}`` and None are kept apart.
        status: `BusinessStatus` (``active`` or ``archived``), or a newer value as a string.
        created_at: When the business was created (aware, UTC).
        updated_at: When the business was last changed (aware, UTC).
        import_meta: Where the business was imported from, or None.
    """

    id: str
    customer_id: str
    name: str
    company_number: str | None = None
    tax_identifier: str | None = None
    contacts: tuple[BusinessContact, ...] = attrs.field(
        default=(), metadata={NULL_IS_DEFAULT: True}
    )
    custom_data: dict[str, Any] | None = None
    status: BusinessStatus | str = BusinessStatus.ACTIVE
    created_at: datetime
    updated_at: datetime
    import_meta: ImportMeta | None = None


register_model(Business)
