"""The five customer operations as coroutine functions, and the `Customers` namespace."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterable, Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from .._convert import StructureError
from .._json import excerpt
from .._pagination import AsyncPaginator
from .._protocol import ApiRequest, Kind, encode_json, encode_query, envelope_request_id
from .._types import Timeout
from ..errors import CustomerAlreadyExistsError, InvalidResponseError, NotFoundError
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

if TYPE_CHECKING:
    from .._client import Paddle
    from ._sync import ProgressCallback, StrategyArg, SyncRun

__all__ = [
    "Customers",
    "create_customer",
    "get_customer",
    "list_credit_balances",
    "list_customers",
    "update_customer",
]

T = TypeVar("T")
TimeoutArg = Timeout | float | None


def _structure(document: dict[str, Any], structure: Callable[[Any], T]) -> T:
    """Structure ``data`` of an envelope, turning shape errors into `InvalidResponseError`."""
    try:
        return structure(document["data"])
    except StructureError as exc:
        raise InvalidResponseError(
            f"unexpected response shape: {exc}",
            status=200,
            request_id=envelope_request_id(document),
            body_excerpt=excerpt(document["data"]),
        ) from None


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
    client: Paddle, conflict: CustomerAlreadyExistsError, email: str, timeout: TimeoutArg
) -> Customer | None:
    if conflict.existing_customer_id is not None:
        try:
            return await get_customer(client, conflict.existing_customer_id, timeout=timeout)
        except NotFoundError:
            pass
    # The id in `detail` is not a stable API: fall back to an exact e-mail lookup.
    if len(email) > 100:
        return None
    listing = list_customers(
        client, ListCustomers(email=[email], status=["active", "archived"]), timeout=timeout
    )
    async for customer in listing:
        if customer.email == email:
            return customer
    return None


async def create_customer(
    client: Paddle, request: CreateCustomer, *, timeout: TimeoutArg = None
) -> Customer:
    """Create a customer.

    A create whose first attempt may have reached Paddle (a timeout or dropped connection) is
    retried; if the retry meets 409 ``customer_already_exists`` and the existing customer holds
    exactly the requested values, that customer is returned instead of a duplicate error.

    Args:
        client: The client to send with.
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
        document = await client._send(api_request, timeout=timeout)
    except CustomerAlreadyExistsError as conflict:
        if not conflict.after_unknown_outcome:
            raise
        existing = await _find_existing(client, conflict, request.email, timeout)
        if existing is not None and _matches(existing, request):
            return existing
        raise
    return _structure(document, _structure_customer)


async def get_customer(client: Paddle, customer_id: str, *, timeout: TimeoutArg = None) -> Customer:
    """Get a customer by id (archived customers included).

    Raises:
        ValidationError: ``customer_id`` is not a Paddle customer id.
        NotFoundError: No such customer.
    """
    path = f"/customers/{check_customer_id(customer_id)}"
    document = await client._send(ApiRequest(method="GET", path=path), timeout=timeout)
    return _structure(document, _structure_customer)


async def update_customer(
    client: Paddle, customer_id: str, request: UpdateCustomer, *, timeout: TimeoutArg = None
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
    document = await client._send(api_request, timeout=timeout)
    return _structure(document, _structure_customer)


def list_customers(
    client: Paddle, request: ListCustomers | None = None, *, timeout: TimeoutArg = None
) -> AsyncPaginator[Customer]:
    """List customers lazily, one page in memory at a time.

    Args:
        client: The client to send with.
        request: Filters, order and page size (default: Paddle's, active customers only).
        timeout: Each page request's timeout (default: the client's).

    Returns:
        An async iterator of `Customer`; ``.pages()`` walks whole pages instead.
    """
    query = encode_query((request or ListCustomers()).to_query())

    async def fetch_page(page_query: str) -> dict[str, Any]:
        document: dict[str, Any] = await client._send(
            ApiRequest(method="GET", path="/customers", query=page_query), timeout=timeout
        )
        return document

    return AsyncPaginator(fetch_page, query, _structure_customer, _customer_id)


def _customer_id(customer: Customer) -> str:
    return customer.id


async def list_credit_balances(
    client: Paddle,
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
    document = await client._send(ApiRequest(method="GET", path=path, query=query), timeout=timeout)
    return _structure(document, lambda data: _structure_list(data, _structure_credit_balance))


class Customers:
    """``paddle.customers``: the customer operations bound to one client."""

    def __init__(self, client: Paddle) -> None:
        self._client = client

    async def create(self, request: CreateCustomer, *, timeout: TimeoutArg = None) -> Customer:
        """Create a customer; see `create_customer`."""
        return await create_customer(self._client, request, timeout=timeout)

    async def get(self, customer_id: str, *, timeout: TimeoutArg = None) -> Customer:
        """Get a customer by id; see `get_customer`."""
        return await get_customer(self._client, customer_id, timeout=timeout)

    async def update(
        self, customer_id: str, request: UpdateCustomer, *, timeout: TimeoutArg = None
    ) -> Customer:
        """Update a customer; see `update_customer`."""
        return await update_customer(self._client, customer_id, request, timeout=timeout)

    def list(
        self, request: ListCustomers | None = None, *, timeout: TimeoutArg = None
    ) -> AsyncPaginator[Customer]:
        """List customers lazily; see `list_customers`."""
        return list_customers(self._client, request, timeout=timeout)

    async def list_credit_balances(
        self,
        customer_id: str,
        request: ListCreditBalances | None = None,
        *,
        timeout: TimeoutArg = None,
    ) -> builtins.list[CreditBalance]:
        """List a customer's credit balances; see `list_credit_balances`."""
        return await list_credit_balances(self._client, customer_id, request, timeout=timeout)

    def sync(
        self,
        records: Iterable[Any] | AsyncIterable[Any],
        *,
        concurrency: int = 8,
        dry_run: bool = False,
        strategy: StrategyArg = "auto",
        expected_count: int | None = None,
        on_progress: ProgressCallback | None = None,
        window: int = 1000,
        lookahead: int = 10_000,
    ) -> SyncRun:
        """Make Paddle's customers match ``records`` in few requests; see `sync_customers`."""
        from ._sync import sync_customers  # the sync builds on this module

        return sync_customers(
            self._client,
            records,
            concurrency=concurrency,
            dry_run=dry_run,
            strategy=strategy,
            expected_count=expected_count,
            on_progress=on_progress,
            window=window,
            lookahead=lookahead,
        )
