"""The five customer operations as coroutine functions taking a `Sender` (a `Paddle`)."""

from __future__ import annotations

from typing import Final

from .._pagination import AsyncPaginator
from .._protocol import ApiRequest, Kind, Sender
from .._resource import Path, body, paginate, query, send_list, send_one, send_secret, takes
from .._types import TimeoutArg
from .._validation import MAX_FILTER_ITEM, MAX_PER_PAGE, fits_filter
from ..errors import CustomerAlreadyExistsError, NotFoundError
from ._models import CreditBalance, Customer, CustomerAuthToken, CustomerStatus
from ._requests import CreateCustomer, ListCreditBalances, ListCustomers, UpdateCustomer

__all__ = [
    "create_customer",
    "existing_customer",
    "find_customer_by_email",
    "generate_customer_auth_token",
    "get_customer",
    "list_credit_balances",
    "list_customers",
    "update_customer",
]

CUSTOMERS: Final = "/customers"
CUSTOMER: Final = Path("/customers/{customer_id}")
CREDIT_BALANCES: Final = Path("/customers/{customer_id}/credit-balances")
AUTH_TOKEN: Final = Path("/customers/{customer_id}/auth-token")
_ANY_STATUS: Final = ("active", "archived")


def _matches(customer: Customer, request: CreateCustomer) -> bool:
    """Whether an existing customer is exactly what ``request`` would have created."""
    return (
        customer.email == request.email
        and customer.name == request.name
        and customer.custom_data == request.custom_data
        and customer.locale == (request.locale or "en")
        and customer.status == CustomerStatus.ACTIVE
    )


async def find_customer_by_email(
    sender: Sender, email: str, *, timeout: TimeoutArg = None
) -> Customer | None:
    """Return the customer, active or archived, whose e-mail is exactly ``email``, or None.

    An e-mail that fits the ``email`` filter is looked up with it. Any other (over 100
    characters, or with a comma) is searched for by its first 100 characters, page by page
    until it is found, and matched exactly here.
    """
    if fits_filter(email):
        request = ListCustomers(email=email, status=_ANY_STATUS, per_page=MAX_PER_PAGE)
    else:
        search = email[:MAX_FILTER_ITEM]
        request = ListCustomers(search=search, status=_ANY_STATUS, per_page=MAX_PER_PAGE)
    async for customer in list_customers(sender, request, timeout=timeout):
        if customer.email == email:
            return customer
    return None


async def existing_customer(
    sender: Sender, conflict: CustomerAlreadyExistsError, email: str, *, timeout: TimeoutArg = None
) -> Customer | None:
    """Return the customer a 409 ``customer_already_exists`` for ``email`` is about, or None.

    By the error's `existing_customer_id` when Paddle named one and it is still there; else by
    the e-mail (`find_customer_by_email`), as the id in ``detail`` is not a stable API.
    """
    if conflict.existing_customer_id is not None:
        try:
            return await get_customer(sender, conflict.existing_customer_id, timeout=timeout)
        except NotFoundError:
            pass
    return await find_customer_by_email(sender, email, timeout=timeout)


@takes(CreateCustomer)
async def create_customer(
    sender: Sender, request: CreateCustomer, *, timeout: TimeoutArg = None
) -> Customer:
    """Create a customer.

    A create whose first attempt may have reached Paddle (a timeout or dropped connection) is
    retried; if the retry meets 409 ``customer_already_exists`` and the existing customer holds
    exactly the requested values, that customer is returned instead of a duplicate error.

    Args:
        sender: The client (any `Sender`) to send with.
        request: The new customer's fields.
        timeout: This call's timeout per attempt (default: the client's).

    Returns:
        The created customer.

    Raises:
        CustomerAlreadyExistsError: Another customer has this e-mail address.
    """
    api_request = ApiRequest(method="POST", path=CUSTOMERS, body=body(request), kind=Kind.CREATE)
    try:
        return await send_one(sender, api_request, Customer, timeout=timeout)
    except CustomerAlreadyExistsError as conflict:
        if not conflict.after_unknown_outcome:
            raise
        existing = await existing_customer(sender, conflict, request.email, timeout=timeout)
        if existing is not None and _matches(existing, request):
            return existing
        raise


async def get_customer(sender: Sender, customer_id: str, *, timeout: TimeoutArg = None) -> Customer:
    """Get a customer by id (archived customers included).

    Raises:
        ValidationError: ``customer_id`` is not a Paddle customer id.
        NotFoundError: No such customer.
    """
    api_request = ApiRequest(method="GET", path=CUSTOMER(customer_id=customer_id))
    return await send_one(sender, api_request, Customer, timeout=timeout)


@takes(UpdateCustomer)
async def update_customer(
    sender: Sender, customer_id: str, request: UpdateCustomer, *, timeout: TimeoutArg = None
) -> Customer:
    """Update the given fields of a customer; returns the whole updated customer.

    Raises:
        ValidationError: ``customer_id`` is not a Paddle customer id.
        NotFoundError: No such customer.
        CustomerAlreadyExistsError: The new e-mail address belongs to another customer.
    """
    path = CUSTOMER(customer_id=customer_id)
    api_request = ApiRequest(method="PATCH", path=path, body=body(request), kind=Kind.UPDATE)
    return await send_one(sender, api_request, Customer, timeout=timeout)


@takes(ListCustomers)
def list_customers(
    sender: Sender, request: ListCustomers | None = None, *, timeout: TimeoutArg = None
) -> AsyncPaginator[Customer]:
    """List customers lazily, one page in memory at a time.

    Args:
        sender: The client (any `Sender`) to send with.
        request: Filters, order and page size (default: Paddle's, active customers only).
        timeout: Each page request's timeout (default: the client's).

    Returns:
        An async iterator of `Customer`; ``.pages()`` walks whole pages instead.
    """
    return paginate(sender, CUSTOMERS, request or ListCustomers(), Customer, timeout=timeout)


@takes(ListCreditBalances)
async def list_credit_balances(
    sender: Sender,
    customer_id: str,
    request: ListCreditBalances | None = None,
    *,
    timeout: TimeoutArg = None,
) -> list[CreditBalance]:
    """List a customer's credit balances, one per currency (not paginated; may be empty).

    Raises:
        ValidationError: ``customer_id`` is not a Paddle customer id.
        NotFoundError: No such customer.
    """
    path = CREDIT_BALANCES(customer_id=customer_id)
    api_request = ApiRequest(method="GET", path=path, query=query(request))
    return await send_list(sender, api_request, CreditBalance, timeout=timeout)


async def generate_customer_auth_token(
    sender: Sender, customer_id: str, *, timeout: TimeoutArg = None
) -> CustomerAuthToken:
    """Generate an auth token, to open a Paddle.js checkout with the customer's saved methods.

    The request has no body at all (Paddle's API takes none, not even ``{}``). It is retried
    like an update (`Kind.UPDATE`), even after an outcome that is unknown: a repeat at worst
    makes a second token, which expires unused. The token is a secret: no log line or error
    of the SDK holds it, and its ``repr`` is shortened. Generate one per checkout; don't cache.

    Args:
        sender: The client (any `Sender`) to send with.
        customer_id: The customer's id.
        timeout: This call's timeout per attempt (default: the client's).

    Returns:
        The token and when it expires.

    Raises:
        ValidationError: ``customer_id`` is not a Paddle customer id.
        NotFoundError: No such customer.
    """
    api_request = ApiRequest(
        method="POST", path=AUTH_TOKEN(customer_id=customer_id), kind=Kind.UPDATE
    )
    return await send_secret(sender, api_request, CustomerAuthToken, timeout=timeout)
