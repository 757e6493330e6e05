"""The customer portal session request class, validated before anything is sent."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import attrs

from .. import _validation as rules
from .._validation import Request, as_items, declare

__all__ = ["MAX_SUBSCRIPTION_IDS", "CreateCustomerPortalSession"]

MAX_SUBSCRIPTION_IDS: Final = 25
SUBSCRIPTION_IDS: Final = rules.each(
    rules.id_of("subscription"), max_items=MAX_SUBSCRIPTION_IDS, unique=True
)


@attrs.frozen(kw_only=True)
class CreateCustomerPortalSession(Request):
    """The body of ``POST /customers/{id}/portal-sessions``.

    Args:
        subscription_ids: Subscriptions of the customer (``sub_…`` ids, at most 25, each
            once) to make cancel and update-payment-method links for; None (the default)
            for the overview link only.

    Raises:
        ValidationError: Naming each bad field.
    """

    subscription_ids: Sequence[str] | None = attrs.field(
        default=None, converter=as_items, metadata=declare(SUBSCRIPTION_IDS)
    )
