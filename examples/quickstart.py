"""A tour of the five customer operations against the built-in FakePaddle server.

Run it with ``python examples/quickstart.py``: it needs no network and no Paddle account.
Point `Paddle` at ``environment=Environment.SANDBOX`` with a sandbox key to run the same
code against Paddle's sandbox.
"""

from __future__ import annotations

import asyncio

from paddle_async import Paddle
from paddle_async.customers import (
    CreateCustomer,
    ListCreditBalances,
    ListCustomers,
    UpdateCustomer,
)
from paddle_async.errors import CustomerAlreadyExistsError, NotFoundError
from paddle_async.testing import FakePaddle


async def main() -> None:
    async with FakePaddle() as fake:
        fake.seed(450)
        print(f"FakePaddle listening on {fake.base_url} with 450 customers")
        async with Paddle(fake.api_key, base_url=fake.base_url) as paddle:
            customer = await paddle.customers.create(
                CreateCustomer(email="ada@example.com", name="Ada", custom_data={"plan": "pro"})
            )
            print(f"created   {customer.id} {customer.email} name={customer.name!r}")

            customer = await paddle.customers.get(customer.id)
            print(f"got       {customer.id} created_at={customer.created_at.isoformat()}")

            customer = await paddle.customers.update(customer.id, UpdateCustomer(name=None))
            print(f"updated   {customer.id} name={customer.name!r} (None clears, omitted stays)")

            fake.add_credit_balance(customer.id, "USD", available="550", used="1300")
            balances = await paddle.customers.list_credit_balances(
                customer.id, ListCreditBalances(currency_code=["USD", "EUR"])
            )
            for balance in balances:
                print(f"balance   {balance.currency_code} available={balance.balance.available}")

            try:
                await paddle.customers.create(CreateCustomer(email="ada@example.com"))
            except CustomerAlreadyExistsError as error:
                print(f"conflict  {error.code}: existing customer {error.existing_customer_id}")
            try:
                await paddle.customers.get("ctm_01zzzzzzzzzzzzzzzzzzzzzzzz")
            except NotFoundError as error:
                print(f"not found {error.code} (request_id={error.request_id})")

            listing = paddle.customers.list(ListCustomers(per_page=200, order_by="id[ASC]"))
            pages = 0
            count = 0
            async for page in listing.pages():
                pages += 1
                count += len(page.items)
            total = listing.estimated_total
            print(f"listed    {count} customers in {pages} pages (estimated_total={total})")


if __name__ == "__main__":
    asyncio.run(main())
