"""Address response models: what Paddle returns."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import attrs

from .._convert import register_model
from ..customers._models import ImportMeta

__all__ = ["Address", "AddressStatus"]


class AddressStatus(enum.StrEnum):
    """Whether an address is active or archived. Unknown future values are kept as strings."""

    ACTIVE = "active"
    ARCHIVED = "archived"


@attrs.frozen(kw_only=True)
class Address:
    """A customer's address.

    Attributes:
        id: Paddle's id, ``add_`` followed by 26 characters; ids sort in creation order.
        customer_id: The id of the customer the address belongs to.
        country_code: A two-letter ISO 3166-1 alpha-2 code (one Paddle supports when written).
        description: A memorable description such as "Head Office", or None.
        first_line: The first line of the address, or None.
        second_line: The second line, or None.
        city: The city, or None.
        postal_code: The ZIP or postal code, or None (required for some countries).
        region: The state, county or region, or None.
        custom_data: Your own key-value data, or None. ``{}`` and None are kept apart.
        status: `AddressStatus` (``active`` or ``archived``), or a newer value as a string.
        created_at: When the address was created (aware, UTC).
        updated_at: When the address was last changed (aware, UTC).
        import_meta: Where the address was imported from, or None.
    """

    id: str
    customer_id: str
    country_code: str
    description: str | None = None
    first_line: str | None = None
    second_line: str | None = None
    city: str | None = None
    postal_code: str | None = None
    region: str | None = None
    custom_data: dict[str, Any] | None = None
    status: AddressStatus | str = AddressStatus.ACTIVE
    created_at: datetime
    updated_at: datetime
    import_meta: ImportMeta | None = None


register_model(Address)
