"""The four business operations as coroutine functions taking a `Sender` (a `Paddle`)."""

from __future__ import annotations

from typing import Final

from .._pagination import AsyncPaginator
from .._protocol import ApiRequest, Kind, Sender
from .._resource import Path, body, paginate, send_one, takes
from .._types import TimeoutArg
from ._models import Business
from ._requests import CreateBusiness, ListBusinesses, UpdateBusiness

__all__ = ["create_business", "get_business", "list_businesses", "update_business"]

BUSINESSES: Final = Path("/customers/{customer_id}/businesses")
BUSINESS: Final = Path("/customers/{customer_id}/businesses/{business_id}")


@takes(CreateBusiness)
async def create_business(
    sender: Sender, customer_id: str, request: CreateBusiness, *, timeout: TimeoutArg = None
) -> Business:
    """Create a business for a customer.

    Nothing about a business is unique (not even its name), so a repeat could make a second
    one: the create is retried only where Paddle provably did not process it
    (`Kind.CREATE_ONCE`). After a timeout, a dropped connection or a 502, 504, 520 or 524 the
    error is raised, and the business may or may not exist: list the customer's businesses to
    find out.

    Args:
        sender: The client (any `Sender`) to send with.
        customer_id: The customer's id.
        request: The new business's fields.
        timeout: This call's timeout per attempt (default: the client's).

    Returns:
        The created business.

    Raises:
        ValidationError: ``customer_id`` is not a Paddle customer id.
        NotFoundError: No such customer.
    """
    path = BUSINESSES(customer_id=customer_id)
    api_request = ApiRequest(method="POST", path=path, body=body(request), kind=Kind.CREATE_ONCE)
    return await send_one(sender, api_request, Business, timeout=timeout)


async def get_business(
    sender: Sender, customer_id: str, business_id: str, *, timeout: TimeoutArg = None
) -> Business:
    """Get a customer's business by id (archived businesses included).

    Raises:
        ValidationError: An id is not of its entity's form.
        NotFoundError: No such customer, or no such business of this customer.
    """
    path = BUSINESS(customer_id=customer_id, business_id=business_id)
    return await send_one(sender, ApiRequest(method="GET", path=path), Business, timeout=timeout)


@takes(UpdateBusiness)
async def update_business(
    sender: Sender,
    customer_id: str,
    business_id: str,
    request: UpdateBusiness,
    *,
    timeout: TimeoutArg = None,
) -> Business:
    """Update the given fields of a business; returns the whole updated business.

    Raises:
        ValidationError: An id is not of its entity's form.
        NotFoundError: No such customer, or no such business of this customer.
    """
    path = BUSINESS(customer_id=customer_id, business_id=business_id)
    api_request = ApiRequest(method="PATCH", path=path, body=body(request), kind=Kind.UPDATE)
    return await send_one(sender, api_request, Business, timeout=timeout)


@takes(ListBusinesses)
def list_businesses(
    sender: Sender,
    customer_id: str,
    request: ListBusinesses | None = None,
    *,
    timeout: TimeoutArg = None,
) -> AsyncPaginator[Business]:
    """List a customer's businesses lazily, one page in memory at a time.

    Paddle lists active businesses only unless ``request.status`` asks for archived ones.

    Args:
        sender: The client (any `Sender`) to send with.
        customer_id: The customer's id (checked now, before anything is sent).
        request: Filters, order and page size (default: Paddle's, active businesses only).
        timeout: Each page request's timeout (default: the client's).

    Returns:
        An async iterator of `Business`; ``.pages()`` walks whole pages instead.

    Raises:
        ValidationError: ``customer_id`` is not a Paddle customer id.
    """
    path = BUSINESSES(customer_id=customer_id)
    return paginate(sender, path, request or ListBusinesses(), Business, timeout=timeout)
