"""Customer portal session models: authenticated links to Paddle's customer portal.

The links are secrets (anyone holding one is signed in as the customer until its token
expires): their ``repr`` shows only the scheme and host, and the SDK never logs them.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from .._convert import register_model
from .._types import secret_repr

__all__ = [
    "CustomerPortalSession",
    "CustomerPortalSessionGeneralUrls",
    "CustomerPortalSessionSubscriptionUrls",
    "CustomerPortalSessionUrls",
]


@attrs.frozen(kw_only=True)
class CustomerPortalSessionGeneralUrls:
    """Links that belong to no one subscription.

    Attributes:
        overview: The portal's overview page, signed in as the customer (a secret).
    """

    overview: str = attrs.field(repr=secret_repr)


@attrs.frozen(kw_only=True)
class CustomerPortalSessionSubscriptionUrls:
    """Links for one of the subscriptions the session was created for (secrets).

    Attributes:
        id: The subscription's id (``sub_…``).
        cancel_subscription: The subscription's page with the cancel form open.
        update_subscription_payment_method: The subscription's page with the payment method
            form open (the overview page for a manually collected subscription).
    """

    id: str
    cancel_subscription: str = attrs.field(repr=secret_repr)
    update_subscription_payment_method: str = attrs.field(repr=secret_repr)


@attrs.frozen(kw_only=True)
class CustomerPortalSessionUrls:
    """A session's authenticated links.

    Attributes:
        general: The overview link.
        subscriptions: One entry per subscription id the session was created with, else empty.
    """

    general: CustomerPortalSessionGeneralUrls
    subscriptions: tuple[CustomerPortalSessionSubscriptionUrls, ...] = ()


@attrs.frozen(kw_only=True)
class CustomerPortalSession:
    """A customer portal session: links that sign the customer in to Paddle's portal.

    Sessions are short-lived: create one each time the customer asks for the portal, and
    never store or log its links.

    Attributes:
        id: Paddle's id, ``cpls_`` followed by 26 characters.
        customer_id: The customer it signs in (None if Paddle left it out: the spec does
            not require it).
        urls: The links (`urls.general.overview`, and per subscription).
        created_at: When it was created (aware, UTC).
    """

    id: str
    customer_id: str | None = None
    urls: CustomerPortalSessionUrls
    created_at: datetime


for _model in (
    CustomerPortalSessionGeneralUrls,
    CustomerPortalSessionSubscriptionUrls,
    CustomerPortalSessionUrls,
    CustomerPortalSession,
):
    register_model(_model)
