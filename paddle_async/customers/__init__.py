"""Paddle customers: models, request classes and operations.

See https://developer.paddle.com/api-reference/customers/overview.
"""

from ._models import (
    CreditBalance,
    CurrencyCode,
    Customer,
    CustomerAuthToken,
    CustomerBalance,
    CustomerStatus,
    ImportMeta,
    MigrationProvider,
)
from ._namespace import Customers
from ._operations import (
    create_customer,
    generate_customer_auth_token,
    get_customer,
    list_credit_balances,
    list_customers,
    update_customer,
)
from ._requests import CreateCustomer, ListCreditBalances, ListCustomers, UpdateCustomer
from ._sync import (
    SyncOutcome,
    SyncPlan,
    SyncProgress,
    SyncRecord,
    SyncRequests,
    SyncResult,
    SyncRun,
    SyncStrategy,
    SyncSummary,
    sync_customers,
)

__all__ = [
    "CreateCustomer",
    "CreditBalance",
    "CurrencyCode",
    "Customer",
    "CustomerAuthToken",
    "CustomerBalance",
    "CustomerStatus",
    "Customers",
    "ImportMeta",
    "ListCreditBalances",
    "ListCustomers",
    "MigrationProvider",
    "SyncOutcome",
    "SyncPlan",
    "SyncProgress",
    "SyncRecord",
    "SyncRequests",
    "SyncResult",
    "SyncRun",
    "SyncStrategy",
    "SyncSummary",
    "UpdateCustomer",
    "create_customer",
    "generate_customer_auth_token",
    "get_customer",
    "list_credit_balances",
    "list_customers",
    "sync_customers",
    "update_customer",
]
