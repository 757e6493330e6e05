"""paddle_async: an asyncio-native SDK for the Paddle Billing API.

from paddle_async import Environment, Paddle
from paddle_async.customers import CreateCustomer

async with Paddle(api_key, environment=Environment.SANDBOX) as paddle:
    customer = await paddle.customers.create(CreateCustomer(email="ada@example.com"))
"""

from ._client import Paddle
from ._pagination import AsyncPaginator, Page
from ._protocol import ApiRequest, Envelope, Kind, Sender
from ._retry import RetryPolicy
from ._types import UNSET, Environment, Timeout, Unset
from ._version import __version__
from .customers import (
    CreateCustomer,
    CreditBalance,
    Customer,
    ListCreditBalances,
    ListCustomers,
    UpdateCustomer,
    create_customer,
    get_customer,
    list_credit_balances,
    list_customers,
    update_customer,
)
from .ratelimit import RateLimit, RateLimiter, SlidingWindowLimiter

__all__ = [
    "UNSET",
    "ApiRequest",
    "AsyncPaginator",
    "CreateCustomer",
    "CreditBalance",
    "Customer",
    "Envelope",
    "Environment",
    "ListCreditBalances",
    "Kind",
    "ListCustomers",
    "Paddle",
    "Page",
    "RateLimit",
    "RateLimiter",
    "RetryPolicy",
    "Sender",
    "SlidingWindowLimiter",
    "Timeout",
    "UpdateCustomer",
    "Unset",
    "__version__",
    "create_customer",
    "get_customer",
    "list_credit_balances",
    "list_customers",
    "update_customer",
]
