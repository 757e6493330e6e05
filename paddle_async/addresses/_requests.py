"""Address request classes: what users ask for, validated before anything is sent.

Each field declares its rule (`_validation`); a bad one raises `ValidationError` naming every
bad field. Read-only fields (id, customer_id, import_meta, timestamps) have no place here, and
``status`` only on an update (a new address is always active).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Final

import attrs

from .. import _validation as rules
from .._types import UNSET, Unset
from .._validation import Request, as_items, declare, order_by_form, plain_dict
from ._models import AddressStatus

__all__ = ["CreateAddress", "ListAddresses", "UpdateAddress"]

MAX_LINE: Final = 1024
"""Paddle's limit on ``description``, ``first_line`` and ``second_line``."""
MAX_PLACE: Final = 200
"""Paddle's limit on ``city``, ``postal_code`` and ``region``."""
ADDRESS_ID: Final = rules.id_of("address")
LINE: Final = rules.text(MAX_LINE)
PLACE: Final = rules.text(MAX_PLACE)
STATUS: Final = rules.one_of(AddressStatus)


@attrs.frozen(kw_only=True)
class CreateAddress(Request):
    """The body of ``POST /customers/{customer_id}/addresses``.

    Args:
        country_code: A two-letter code of a country Paddle supports (required), such as
            ``"US"``; ``XK`` (Kosovo) is one, countries Paddle does not sell to are not.
        description: A memorable description (at most 1,024 characters); None leaves it out.
        first_line: The first line (at most 1,024 characters); None leaves it out.
        second_line: The second line (at most 1,024 characters); None leaves it out.
        city: The city (at most 200 characters); None leaves it out.
        postal_code: The ZIP or postal code (at most 200 characters; Paddle requires one for
            some countries, such as the US); None leaves it out.
        region: The state, county or region (at most 200 characters); None leaves it out.
        custom_data: Your own JSON object; None leaves it out.

    Raises:
        ValidationError: Naming each bad field.
    """

    country_code: str = attrs.field(metadata=declare(rules.country_code))
    description: str | None = attrs.field(default=None, metadata=declare(LINE))
    first_line: str | None = attrs.field(default=None, metadata=declare(LINE))
    second_line: str | None = attrs.field(default=None, metadata=declare(LINE))
    city: str | None = attrs.field(default=None, metadata=declare(PLACE))
    postal_code: str | None = attrs.field(default=None, metadata=declare(PLACE))
    region: str | None = attrs.field(default=None, metadata=declare(PLACE))
    custom_data: Mapping[str, Any] | None = attrs.field(
        default=None, converter=plain_dict, metadata=declare(rules.custom_data)
    )


@attrs.frozen(kw_only=True)
class UpdateAddress(Request):
    """The body of ``PATCH /customers/{customer_id}/addresses/{address_id}``: a partial update.

    A field left at `UNSET` is not sent and stays as it is. None for ``description``,
    ``first_line``, ``second_line``, ``city``, ``postal_code``, ``region`` or ``custom_data``
    sends ``null``, which clears it. ``country_code`` and ``status`` cannot be cleared, so None
    for them is rejected. ``status="archived"`` archives the address (hidden from listings by
    default); ``"active"`` brings it back. A ``custom_data`` object replaces the stored one.

    Raises:
        ValidationError: Naming each bad field, or when no field is given at all.
    """

    needs_a_field: ClassVar[bool] = True

    description: str | Unset | None = attrs.field(default=UNSET, metadata=declare(LINE, null=True))
    first_line: str | Unset | None = attrs.field(default=UNSET, metadata=declare(LINE, null=True))
    second_line: str | Unset | None = attrs.field(default=UNSET, metadata=declare(LINE, null=True))
    city: str | Unset | None = attrs.field(default=UNSET, metadata=declare(PLACE, null=True))
    postal_code: str | Unset | None = attrs.field(default=UNSET, metadata=declare(PLACE, null=True))
    region: str | Unset | None = attrs.field(default=UNSET, metadata=declare(PLACE, null=True))
    country_code: str | Unset = attrs.field(default=UNSET, metadata=declare(rules.country_code))
    custom_data: Mapping[str, Any] | Unset | None = attrs.field(
        default=UNSET, converter=plain_dict, metadata=declare(rules.custom_data, null=True)
    )
    status: AddressStatus | str | Unset = attrs.field(default=UNSET, metadata=declare(STATUS))


@attrs.frozen(kw_only=True)
class ListAddresses(Request):
    """The query of ``GET /customers/{customer_id}/addresses``.

    Args:
        after: Start after this address id (a cursor from an earlier listing).
        id: Address ids to match.
        order_by: ``"id[ASC]"`` (oldest first) or ``"id[DESC]"`` (newest first, Paddle's
            default), in any case.
        per_page: Page size, 1 to 200 (Paddle's default is 50).
        search: Free text matched against every field but status and the timestamps (at most
            100 characters).
        status: ``active`` and/or ``archived``; Paddle returns only active addresses by default,
            so archived ones are hidden unless asked for.

    Raises:
        ValidationError: Naming each bad field.
    """

    after: str | None = attrs.field(default=None, metadata=declare(ADDRESS_ID))
    id: Sequence[str] | None = attrs.field(
        default=None, converter=as_items, metadata=declare(rules.each(ADDRESS_ID))
    )
    order_by: str | None = attrs.field(
        default=None, converter=order_by_form, metadata=declare(rules.order_by)
    )
    per_page: int | None = attrs.field(default=None, metadata=declare(rules.per_page))
    search: str | None = attrs.field(
        default=None, metadata=declare(rules.text(rules.MAX_FILTER_ITEM))
    )
    status: Sequence[AddressStatus | str] | None = attrs.field(
        default=None, converter=as_items, metadata=declare(rules.each(STATUS))
    )
