"""``paddle.customers``: the customer operations and the sync, bound to one `Sender`."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterable, Iterable
from typing import Any

from .._pagination import AsyncPaginator
from .._protocol import Sender
from .._resource import takes
from .._types import TimeoutArg
from ._models import CreditBalance, Customer, CustomerAuthToken
from ._operations import (
    create_customer,
    generate_customer_auth_token,
    get_customer,
    list_credit_balances,
    list_customers,
    update_customer,
)
from ._requests import CreateCustomer, ListCreditBalances, ListCustomers, UpdateCustomer
from ._sync import ProgressCallback, StrategyArg, SyncRun, sync_customers

__all__ = ["Customers"]


class Customers:
    """``paddle.customers``: the customer operations bound to one client.

    Each method only passes its arguments on, with the client first, to the module-level
    function it names.

    Args:
        sender: The client (any `Sender`).
    """

    def __init__(self, sender: Sender) -> None:
        self._sender = sender

    @takes(CreateCustomer)
    async def create(self, request: CreateCustomer, *, timeout: TimeoutArg = None) -> Customer:
        """Create a customer; see `create_customer`."""
        return await create_customer(self._sender, request, timeout=timeout)

    async def get(self, customer_id: str, *, timeout: TimeoutArg = None) -> Customer:
        """Get a customer by id; see `get_customer`."""
        return await get_customer(self._sender, customer_id, timeout=timeout)

    @takes(UpdateCustomer)
    async def update(
        self, customer_id: str, request: UpdateCustomer, *, timeout: TimeoutArg = None
    ) -> Customer:
        """Update a customer; see `update_customer`."""
        return await update_customer(self._sender, customer_id, request, timeout=timeout)

    @takes(ListCustomers)
    def list(
        self, request: ListCustomers | None = None, *, timeout: TimeoutArg = None
    ) -> AsyncPaginator[Customer]:
        """List customers lazily; see `list_customers`."""
        return list_customers(self._sender, request, timeout=timeout)

    @takes(ListCreditBalances)
    async def list_credit_balances(
        self,
        customer_id: str,
        request: ListCreditBalances | None = None,
        *,
        timeout: TimeoutArg = None,
    ) -> builtins.list[CreditBalance]:
        """List a customer's credit balances; see `list_credit_balances`."""
        return await list_credit_balances(self._sender, customer_id, request, timeout=timeout)

    async def generate_auth_token(
        self, customer_id: str, *, timeout: TimeoutArg = None
    ) -> CustomerAuthToken:
        """Generate a customer auth token for Paddle.js; see `generate_customer_auth_token`."""
        return await generate_customer_auth_token(self._sender, customer_id, timeout=timeout)

    create_auth_token = generate_auth_token
    """The same as `generate_auth_token`, under the name Paddle's Python SDK gives it."""

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
        return sync_customers(
            self._sender,
            records,
            concurrency=concurrency,
            dry_run=dry_run,
            strategy=strategy,
            expected_count=expected_count,
            on_progress=on_progress,
            window=window,
            lookahead=lookahead,
        )
