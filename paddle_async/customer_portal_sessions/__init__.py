"""Customer portal sessions: authenticated links to Paddle's hosted customer portal.

See https://developer.paddle.com/api-reference/customer-portal-sessions/overview.
"""

from ._models import (
    CustomerPortalSession,
    CustomerPortalSessionGeneralUrls,
    CustomerPortalSessionSubscriptionUrls,
    CustomerPortalSessionUrls,
)
from ._namespace import CustomerPortalSessions
from ._operations import create_customer_portal_session
from ._requests import MAX_SUBSCRIPTION_IDS, CreateCustomerPortalSession

__all__ = [
    "MAX_SUBSCRIPTION_IDS",
    "CreateCustomerPortalSession",
    "CustomerPortalSession",
    "CustomerPortalSessionGeneralUrls",
    "CustomerPortalSessionSubscriptionUrls",
    "CustomerPortalSessionUrls",
    "CustomerPortalSessions",
    "create_customer_portal_session",
]
