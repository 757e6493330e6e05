"""The five customer operations as coroutine functions taking a `Sender` (a `Paddle`)."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, TypeVar

from .._convert import StructureError
from .._pagination import AsyncPaginator, query_parameters
from .._protocol import (
    CUSTOMER_ID_PATTERN,
    ApiRequest,
    Envelope,
    Kind,
    Sender,
    encode_json,
    encode_query,
)
from .._types import TimeoutArg
from ..errors import CustomerAlreadyExistsError, NotFoundError
from ._models import CreditBalance, Customer, CustomerStatus
from ._models import structure_credit_balance as _structure_credit_balance
from ._models import structure_customer as _structure_customer
from ._requests import (
    CreateCustomer,
    ListCreditBalances,
    ListCustomers,
    UpdateCustomer,
    check_customer_id,
)

__all__ = [
    "create_customer",
    "get_customer",
    "list_credit_balances",
    "list_customers",
    "update_customer",
]

T = TypeVar("T")

_LIST_CUSTOMERS_PARAMETERS = query_parameters(ListCustomers)
# Run for every item of a page: attrgetter is a C call, where a function is a Python one.
_customer_id: Callable[[Customer], str] = operator.attrgetter("id")


def _structure(document: Envelope, structure: Callable[[Any], T]) -> T:
    """Structure ``data`` of an envelope, turning shape errors into `InvalidResponseError`."""
    try:
        return structure(document.data)
    except StructureError as exc:
        raise document.invalid(f"unexpected response shape: {exc}") from None


def _structure_list(value: Any, structure: Callable[[Any], T]) -> list[T]:
    if not isinstance(value, list):
        raise StructureError(f"expected a list, got {type(value).__name__}")
    return [structure(item) for item in value]


def _matches(customer: Customer, request: CreateCustomer) -> bool:
    """Whether an existing customer is exactly what ``request`` would have created."""
    return (
        customer.email == request.email
        and customer.name == request.name
        and customer.custom_data == request.custom_data
        and customer.locale == (request.locale or "en")
        and customer.status == CustomerStatus.ACTIVE
    )


async def _find_existing(
    sender: Sender, conflict: CustomerAlreadyExistsError, email: str, timeout: TimeoutArg
) -> Customer | None:
    if conflict.existing_customer_id is not None:
        try:
            return await get_customer(sender, conflict.existing_customer_id, timeout=timeout)
        except NotFoundError:
            pass
    # The id in `detail` is not a stable API: fall back to an exact e-mail lookup.
    if len(email) > 100:
        return None
    listing = list_customers(
        sender, ListCustomers(email=[email], status=["active", "archived"]), timeout=timeout
    )
    async for customer in listing:
        if customer.email == email:
            return customer
    return None


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
    api_request = ApiRequest(
        method="POST", path="/customers", body=encode_json(request.to_wire()), kind=Kind.CREATE
    )
    try:
        document = await sender.send(api_request, timeout=timeout)
    except CustomerAlreadyExistsError as conflict:
        if not conflict.after_unknown_outcome:
            raise
        existing = await _find_existing(sender, conflict, request.email, timeout)
        if existing is not None and _matches(existing, request):
            return existing
        raise
    return _structure(document, _structure_customer)


async def get_customer(sender: Sender, customer_id: str, *, timeout: TimeoutArg = None) -> Customer:
    """Get a customer by id (archived customers included).

    Raises:
        ValidationError: ``customer_id`` is not a Paddle customer id.
        NotFoundError: No such customer.
    """
    path = f"/customers/{check_customer_id(customer_id)}"
    document = await sender.send(ApiRequest(method="GET", path=path), timeout=timeout)
    return _structure(document, _structure_customer)


async def update_customer(
    sender: Sender, customer_id: str, request: UpdateCustomer, *, timeout: TimeoutArg = None
) -> Customer:
    """Update the given fields of a customer; returns the whole updated customer.

    Raises:
        ValidationError: ``customer_id`` is not a Paddle customer id.
        NotFoundError: No such customer.
        CustomerAlreadyExistsError: The new e-mail address belongs to another customer.
    """
    path = f"/customers/{check_customer_id(customer_id)}"
    api_request = ApiRequest(
        method="PATCH", path=path, body=encode_json(request.to_wire()), kind=Kind.UPDATE
    )
    document = await sender.send(api_request, timeout=timeout)
    return _structure(document, _structure_customer)


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

    async def fetch_page(page_query: str) -> Envelope:
        return await sender.send(
            ApiRequest(method="GET", path="/customers", query=page_query), timeout=timeout
        )

    return AsyncPaginator(
        fetch_page,
        (request or ListCustomers()).to_query(),
        _structure_customer,
        _customer_id,
        parameters=_LIST_CUSTOMERS_PARAMETERS,
        cursor_pattern=CUSTOMER_ID_PATTERN,
    )


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
    path = f"/customers/{check_customer_id(customer_id)}/credit-balances"
    query = encode_query((request or ListCreditBalances()).to_query())
    document = await sender.send(ApiRequest(method="GET", path=path, query=query), timeout=timeout)
    return _structure(document, lambda data: _structure_list(data, _structure_credit_balance))
