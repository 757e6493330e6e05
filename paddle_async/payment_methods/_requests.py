"""The payment method request class: what users ask for, validated before anything is sent."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import attrs

from .. import _validation as rules
from .._validation import Request, as_items, declare, order_by_form

__all__ = ["ListPaymentMethods"]

ADDRESS_ID: Final = rules.id_of("address")
PAYMENT_METHOD_ID: Final = rules.id_of("payment_method")


@attrs.frozen(kw_only=True)
class ListPaymentMethods(Request):
    """The query of ``GET /customers/{id}/payment-methods``.

    Args:
        address_id: Only payment methods for these addresses (``add_…`` ids).
        after: Start after this payment method id (a cursor from an earlier listing).
        order_by: ``"id[ASC]"`` (oldest first) or ``"id[DESC]"`` (newest first, Paddle's
            default), in any case.
        per_page: Page size, 1 to 200 (Paddle's default is 50).
        supports_checkout: True for only those Paddle can offer at checkout, False for only
            the others; None (the default) for all.

    Raises:
        ValidationError: Naming each bad field.
    """

    address_id: Sequence[str] | None = attrs.field(
        default=None, converter=as_items, metadata=declare(rules.each(ADDRESS_ID))
    )
    after: str | None = attrs.field(default=None, metadata=declare(PAYMENT_METHOD_ID))
    order_by: str | None = attrs.field(
        default=None, converter=order_by_form, metadata=declare(rules.order_by)
    )
    per_page: int | None = attrs.field(default=None, metadata=declare(rules.per_page))
    supports_checkout: bool | None = attrs.field(default=None, metadata=declare(rules.flag))
