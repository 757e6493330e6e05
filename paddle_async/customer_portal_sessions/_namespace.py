"""``paddle.customer_portal_sessions``: creating portal sessions, bound to one `Sender`."""

from __future__ import annotations

from .._protocol import Sender
from .._resource import takes
from .._types import TimeoutArg
from ._models import CustomerPortalSession
from ._operations import create_customer_portal_session
from ._requests import CreateCustomerPortalSession

__all__ = ["CustomerPortalSessions"]


class CustomerPortalSessions:
    """``paddle.customer_portal_sessions``: portal sessions, bound to one client.

    The method only passes its arguments on, with the client first, to the module-level
    function it names.

    Args:
        sender: The client (any `Sender`).
    """

    def __init__(self, sender: Sender) -> None:
        self._sender = sender

    @takes(CreateCustomerPortalSession)
    async def create(
        self,
        customer_id: str,
        request: CreateCustomerPortalSession | None = None,
        *,
        timeout: TimeoutArg = None,
    ) -> CustomerPortalSession:
        """Create a customer portal session; see `create_customer_portal_session`."""
        return await create_customer_portal_session(
            self._sender, customer_id, request, timeout=timeout
        )
