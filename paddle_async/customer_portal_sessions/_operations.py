"""Creating a customer portal session, as a coroutine function taking a `Sender`."""

from __future__ import annotations

from typing import Final

from .._protocol import ApiRequest, Kind, Sender
from .._resource import Path, body, send_secret, takes
from .._types import TimeoutArg
from ._models import CustomerPortalSession
from ._requests import CreateCustomerPortalSession

__all__ = ["create_customer_portal_session"]

PORTAL_SESSIONS: Final = Path("/customers/{customer_id}/portal-sessions")


@takes(CreateCustomerPortalSession)
async def create_customer_portal_session(
    sender: Sender,
    customer_id: str,
    request: CreateCustomerPortalSession | None = None,
    *,
    timeout: TimeoutArg = None,
) -> CustomerPortalSession:
    """Create a customer portal session: links that sign the customer in to Paddle's portal.

    Retried like an update (`Kind.UPDATE`), even after an outcome that is unknown: a repeat
    at worst makes a second session, whose links expire unused. The links are secrets: no
    log line or error of the SDK holds them, and their ``repr`` is shortened.

    Args:
        sender: The client (any `Sender`) to send with.
        customer_id: The customer's id.
        request: The subscriptions to make links for; None sends no body at all (the
            overview link only).
        timeout: This call's timeout per attempt (default: the client's).

    Returns:
        The session; redirect the customer to ``session.urls.general.overview``.

    Raises:
        ValidationError: ``customer_id`` is not a Paddle customer id.
        NotFoundError: No such customer.
    """
    path = PORTAL_SESSIONS(customer_id=customer_id)
    api_request = ApiRequest(
        method="POST",
        path=path,
        body=None if request is None else body(request),
        kind=Kind.UPDATE,
    )
    return await send_secret(sender, api_request, CustomerPortalSession, timeout=timeout)
