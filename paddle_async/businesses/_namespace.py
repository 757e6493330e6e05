"""``paddle.businesses``: the business operations, bound to one `Sender`."""

from __future__ import annotations

from .._pagination import AsyncPaginator
from .._protocol import Sender
from .._resource import takes
from .._types import TimeoutArg
from ._models import Business
from ._operations import create_business, get_business, list_businesses, update_business
from ._requests import CreateBusiness, ListBusinesses, UpdateBusiness

__all__ = ["Businesses"]


class Businesses:
    """``paddle.businesses``: a customer's businesses, through one client.

    Each method only passes its arguments on, with the client first, to the module-level
    function it names.

    Args:
        sender: The client (any `Sender`).
    """

    def __init__(self, sender: Sender) -> None:
        self._sender = sender

    @takes(CreateBusiness)
    async def create(
        self, customer_id: str, request: CreateBusiness, *, timeout: TimeoutArg = None
    ) -> Business:
        """Create a business for a customer; see `create_business`."""
        return await create_business(self._sender, customer_id, request, timeout=timeout)

    async def get(
        self, customer_id: str, business_id: str, *, timeout: TimeoutArg = None
    ) -> Business:
        """Get a customer's business by id; see `get_business`."""
        return await get_business(self._sender, customer_id, business_id, timeout=timeout)

    @takes(UpdateBusiness)
    async def update(
        self,
        customer_id: str,
        business_id: str,
        request: UpdateBusiness,
        *,
        timeout: TimeoutArg = None,
    ) -> Business:
        """Update a business; see `update_business`."""
        return await update_business(
            self._sender, customer_id, business_id, request, timeout=timeout
        )

    @takes(ListBusinesses)
    def list(
        self, customer_id: str, request: ListBusinesses | None = None, *, timeout: TimeoutArg = None
    ) -> AsyncPaginator[Business]:
        """List a customer's businesses lazily; see `list_businesses`."""
        return list_businesses(self._sender, customer_id, request, timeout=timeout)
