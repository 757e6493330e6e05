"""``paddle.addresses``: the address operations, bound to one `Sender`."""

from __future__ import annotations

from .._pagination import AsyncPaginator
from .._protocol import Sender
from .._resource import takes
from .._types import TimeoutArg
from ._models import Address
from ._operations import create_address, get_address, list_addresses, update_address
from ._requests import CreateAddress, ListAddresses, UpdateAddress

__all__ = ["Addresses"]


class Addresses:
    """``paddle.addresses``: a customer's addresses, through one client.

    Each method only passes its arguments on, with the client first, to the module-level
    function it names.

    Args:
        sender: The client (any `Sender`).
    """

    def __init__(self, sender: Sender) -> None:
        self._sender = sender

    @takes(CreateAddress)
    async def create(
        self, customer_id: str, request: CreateAddress, *, timeout: TimeoutArg = None
    ) -> Address:
        """Create an address for a customer; see `create_address`."""
        return await create_address(self._sender, customer_id, request, timeout=timeout)

    async def get(
        self, customer_id: str, address_id: str, *, timeout: TimeoutArg = None
    ) -> Address:
        """Get a customer's address by id; see `get_address`."""
        return await get_address(self._sender, customer_id, address_id, timeout=timeout)

    @takes(UpdateAddress)
    async def update(
        self,
        customer_id: str,
        address_id: str,
        request: UpdateAddress,
        *,
        timeout: TimeoutArg = None,
    ) -> Address:
        """Update an address; see `update_address`."""
        return await update_address(self._sender, customer_id, address_id, request, timeout=timeout)

    @takes(ListAddresses)
    def list(
        self, customer_id: str, request: ListAddresses | None = None, *, timeout: TimeoutArg = None
    ) -> AsyncPaginator[Address]:
        """List a customer's addresses lazily; see `list_addresses`."""
        return list_addresses(self._sender, customer_id, request, timeout=timeout)
