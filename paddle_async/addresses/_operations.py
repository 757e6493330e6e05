"""The four address operations as coroutine functions taking a `Sender` (a `Paddle`)."""

from __future__ import annotations

from typing import Final

from .._pagination import AsyncPaginator
from .._protocol import ApiRequest, Kind, Sender
from .._resource import Path, body, paginate, send_one, takes
from .._types import TimeoutArg
from ._models import Address
from ._requests import CreateAddress, ListAddresses, UpdateAddress

__all__ = ["create_address", "get_address", "list_addresses", "update_address"]

ADDRESSES: Final = Path("/customers/{customer_id}/addresses")
ADDRESS: Final = Path("/customers/{customer_id}/addresses/{address_id}")


@takes(CreateAddress)
async def create_address(
    sender: Sender, customer_id: str, request: CreateAddress, *, timeout: TimeoutArg = None
) -> Address:
    """Create an address for a customer.

    Nothing about an address is unique, so a repeat could make a second one: the create is
    retried only where Paddle provably did not process it (`Kind.CREATE_ONCE`). After a
    timeout, a dropped connection or a 502, 504, 520 or 524 the error is raised, and the
    address may or may not exist: list the customer's addresses to find out.

    Args:
        sender: The client (any `Sender`) to send with.
        customer_id: The customer's id.
        request: The new address's fields.
        timeout: This call's timeout per attempt (default: the client's).

    Returns:
        The created address.

    Raises:
        ValidationError: ``customer_id`` is not a Paddle customer id.
        NotFoundError: No such customer.
        AddressLocationNotAllowedError: Paddle does not sell to the country.
    """
    path = ADDRESSES(customer_id=customer_id)
    api_request = ApiRequest(method="POST", path=path, body=body(request), kind=Kind.CREATE_ONCE)
    return await send_one(sender, api_request, Address, timeout=timeout)


async def get_address(
    sender: Sender, customer_id: str, address_id: str, *, timeout: TimeoutArg = None
) -> Address:
    """Get a customer's address by id (archived addresses included).

    Raises:
        ValidationError: An id is not of its entity's form.
        NotFoundError: No such customer, or no such address of this customer.
    """
    path = ADDRESS(customer_id=customer_id, address_id=address_id)
    return await send_one(sender, ApiRequest(method="GET", path=path), Address, timeout=timeout)


@takes(UpdateAddress)
async def update_address(
    sender: Sender,
    customer_id: str,
    address_id: str,
    request: UpdateAddress,
    *,
    timeout: TimeoutArg = None,
) -> Address:
    """Update the given fields of an address; returns the whole updated address.

    Raises:
        ValidationError: An id is not of its entity's form.
        NotFoundError: No such customer, or no such address of this customer.
        AddressLocationNotAllowedError: Paddle does not sell to the new country.
    """
    path = ADDRESS(customer_id=customer_id, address_id=address_id)
    api_request = ApiRequest(method="PATCH", path=path, body=body(request), kind=Kind.UPDATE)
    return await send_one(sender, api_request, Address, timeout=timeout)


@takes(ListAddresses)
def list_addresses(
    sender: Sender,
    customer_id: str,
    request: ListAddresses | None = None,
    *,
    timeout: TimeoutArg = None,
) -> AsyncPaginator[Address]:
    """List a customer's addresses lazily, one page in memory at a time.

    Paddle lists active addresses only unless ``request.status`` asks for archived ones.

    Args:
        sender: The client (any `Sender`) to send with.
        customer_id: The customer's id (checked now, before anything is sent).
        request: Filters, order and page size (default: Paddle's, active addresses only).
        timeout: Each page request's timeout (default: the client's).

    Returns:
        An async iterator of `Address`; ``.pages()`` walks whole pages instead.

    Raises:
        ValidationError: ``customer_id`` is not a Paddle customer id.
    """
    path = ADDRESSES(customer_id=customer_id)
    return paginate(sender, path, request or ListAddresses(), Address, timeout=timeout)
