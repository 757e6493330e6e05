"""The five customer operations against FakePaddle over real HTTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from paddle_async import (
    Paddle,
    create_customer,
    get_customer,
    list_credit_balances,
    list_customers,
    update_customer,
)
from paddle_async.customers import (
    CreateCustomer,
    CurrencyCode,
    Customer,
    CustomerStatus,
    ListCreditBalances,
    ListCustomers,
    UpdateCustomer,
)
from paddle_async.errors import (
    AuthenticationError,
    BadRequestError,
    CustomerAlreadyExistsError,
    NotFoundError,
    ValidationError,
)
from paddle_async.testing import FakePaddle

MISSING_ID = "ctm_01zzzzzzzzzzzzzzzzzzzzzzzz"


async def test_create_returns_the_customer(paddle: Paddle, fake: FakePaddle) -> None:
    """create sends only the given fields and returns the stored customer."""
    customer = await paddle.customers.create(CreateCustomer(email="ada@example.com", name="Ada"))
    assert {"email": "ada@example.com", "name": "Ada"} == fake.requests[-1].json
    assert 201 == fake.requests[-1].status
    assert ("ada@example.com", "Ada", "en", CustomerStatus.ACTIVE) == (
        customer.email,
        customer.name,
        customer.locale,
        customer.status,
    )
    assert fake.customer(customer.id) is not None


async def test_create_with_custom_data_and_locale(paddle: Paddle, fake: FakePaddle) -> None:
    """custom_data and locale are sent as given and come back."""
    customer = await create_customer(
        paddle,
        CreateCustomer(email="b@example.com", custom_data={"ref": {"n": [1, 2]}}, locale="el"),
    )
    assert {"email": "b@example.com", "custom_data": {"ref": {"n": [1, 2]}}, "locale": "el"} == (
        fake.requests[-1].json
    )
    assert ({"ref": {"n": [1, 2]}}, "el") == (customer.custom_data, customer.locale)


async def test_create_duplicate_email_raises_with_existing_id(paddle: Paddle) -> None:
    """A second create with the same email raises CustomerAlreadyExistsError naming the first."""
    first = await paddle.customers.create(CreateCustomer(email="dup@example.com"))
    with pytest.raises(CustomerAlreadyExistsError) as caught:
        await paddle.customers.create(CreateCustomer(email="dup@example.com", name="Other"))
    assert (409, "customer_already_exists", first.id) == (
        caught.value.status,
        caught.value.code,
        caught.value.existing_customer_id,
    )
    assert caught.value.request_id


async def test_create_email_paddle_rejects(paddle: Paddle, fake: FakePaddle) -> None:
    """An address Paddle refuses by a rule the SDK does not know comes back as a 400 with its
    code (the SDK refuses the documented rules itself, before sending)."""
    error = {
        "type": "request_error",
        "code": "customer_email_invalid",
        "detail": "Cannot create or update customer with an invalid email address.",
        "documentation_url": "https://developer.paddle.com/errors/customers/customer_email_invalid",
    }
    body = json.dumps({"error": error, "meta": {"request_id": "req-email"}}).encode()
    fake.faults.fail_next(1, 400, body=body, content_type="application/json")
    with pytest.raises(BadRequestError) as caught:
        await paddle.customers.create(CreateCustomer(email="someone@example.com"))
    assert ("customer_email_invalid", "req-email") == (caught.value.code, caught.value.request_id)
    assert [] == fake.customers()


async def test_get_returns_the_customer(paddle: Paddle, fake: FakePaddle) -> None:
    """get returns the stored customer, archived ones included."""
    stored = fake.add_customer(email="arch@example.com", status="archived")
    customer = await get_customer(paddle, stored["id"])
    assert (stored["id"], CustomerStatus.ARCHIVED) == (customer.id, customer.status)


async def test_get_missing_customer_raises_not_found(paddle: Paddle) -> None:
    """An unknown id raises NotFoundError with Paddle's code and a request id."""
    with pytest.raises(NotFoundError) as caught:
        await paddle.customers.get(MISSING_ID)
    assert (404, "not_found") == (caught.value.status, caught.value.code)
    assert caught.value.request_id


async def test_malformed_id_never_reaches_the_server(paddle: Paddle, fake: FakePaddle) -> None:
    """A path-injection attempt is a ValidationError and no request is sent."""
    with pytest.raises(ValidationError):
        await paddle.customers.get("../customers?x=1")
    assert [] == fake.requests


async def test_update_sends_only_given_fields(paddle: Paddle, fake: FakePaddle) -> None:
    """Omitted fields are not sent; the whole customer comes back."""
    stored = fake.add_customer(email="u@example.com", name="Old", custom_data={"a": 1})
    customer = await paddle.customers.update(stored["id"], UpdateCustomer(locale="fr"))
    assert {"locale": "fr"} == fake.requests[-1].json
    assert ("Old", {"a": 1}, "fr") == (customer.name, customer.custom_data, customer.locale)


async def test_update_nulls_clear_fields(paddle: Paddle, fake: FakePaddle) -> None:
    """name=None and custom_data=None send null and clear the fields."""
    stored = fake.add_customer(email="n@example.com", name="Named", custom_data={"a": 1})
    customer = await update_customer(
        paddle, stored["id"], UpdateCustomer(name=None, custom_data=None)
    )
    assert b'{"name":null,"custom_data":null}' == fake.requests[-1].body
    assert (None, None) == (customer.name, customer.custom_data)


async def test_update_custom_data_replaces(paddle: Paddle, fake: FakePaddle) -> None:
    """A custom_data object replaces the stored one."""
    stored = fake.add_customer(email="r@example.com", custom_data={"a": 1})
    customer = await paddle.customers.update(stored["id"], UpdateCustomer(custom_data={"b": 2}))
    assert {"b": 2} == customer.custom_data


async def test_update_archives_and_reactivates(paddle: Paddle, fake: FakePaddle) -> None:
    """status archived hides a customer from default listings; active brings it back."""
    stored = fake.add_customer(email="s@example.com")
    archived = await paddle.customers.update(stored["id"], UpdateCustomer(status="archived"))
    assert CustomerStatus.ARCHIVED == archived.status
    assert [] == [c.id async for c in paddle.customers.list()]
    await paddle.customers.update(stored["id"], UpdateCustomer(status=CustomerStatus.ACTIVE))
    assert [stored["id"]] == [c.id async for c in paddle.customers.list()]


async def test_update_email_taken_raises_conflict(paddle: Paddle, fake: FakePaddle) -> None:
    """Changing the email to another customer's raises CustomerAlreadyExistsError."""
    taken = fake.add_customer(email="taken@example.com")
    other = fake.add_customer(email="other@example.com")
    with pytest.raises(CustomerAlreadyExistsError) as caught:
        await paddle.customers.update(other["id"], UpdateCustomer(email="taken@example.com"))
    assert taken["id"] == caught.value.existing_customer_id


async def test_update_missing_customer(paddle: Paddle) -> None:
    """Updating an unknown id raises NotFoundError."""
    with pytest.raises(NotFoundError):
        await paddle.customers.update(MISSING_ID, UpdateCustomer(name="x"))


async def test_credit_balances(paddle: Paddle, fake: FakePaddle) -> None:
    """Balances come back as exact decimals; the currency filter is comma-separated."""
    stored = fake.add_customer(email="c@example.com")
    fake.add_credit_balance(stored["id"], "USD", available="550", reserved="900", used="1300")
    fake.add_credit_balance(stored["id"], "EUR", available="1")
    fake.add_credit_balance(stored["id"], "JPY", available="2")
    balances = await list_credit_balances(
        paddle, stored["id"], ListCreditBalances(currency_code=["USD", "EUR"])
    )
    assert "USD,EUR" == fake.requests[-1].query["currency_code"]
    assert {CurrencyCode.USD, CurrencyCode.EUR} == {b.currency_code for b in balances}
    usd = next(b for b in balances if b.currency_code == "USD")
    assert "550" == str(usd.balance.available)


async def test_credit_balances_empty(paddle: Paddle, fake: FakePaddle) -> None:
    """A customer without balances has an empty list."""
    stored = fake.add_customer(email="e@example.com")
    assert [] == await paddle.customers.list_credit_balances(stored["id"])


async def test_credit_balances_missing_customer(paddle: Paddle) -> None:
    """An unknown customer raises NotFoundError."""
    with pytest.raises(NotFoundError):
        await paddle.customers.list_credit_balances(MISSING_ID)


async def test_requests_carry_paddle_headers(paddle: Paddle, fake: FakePaddle) -> None:
    """Every request sends the bearer key, Paddle-Version 1, a User-Agent and JSON bodies."""
    await paddle.customers.create(CreateCustomer(email="h@example.com"))
    headers = fake.requests[-1].headers
    assert f"Bearer {fake.api_key}" == headers["Authorization"]
    assert "1" == headers["Paddle-Version"]
    assert headers["User-Agent"].startswith("paddle_async/")
    assert headers["Content-Type"].startswith("application/json")


async def test_wrong_key_raises_authentication_error(fake: FakePaddle) -> None:
    """A key the server does not accept raises AuthenticationError (Paddle answers 403)."""
    other_key = "pdl_sdbx_apikey_01fakefakefakefakefakeother_FakeKeyForTestsOnly000_xyz"
    async with Paddle(other_key, base_url=fake.base_url, rate_limit=None) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.customers.get(MISSING_ID)
    assert (403, "invalid_token") == (caught.value.status, caught.value.code)


# Listing


@pytest.fixture
def seven(fake: FakePaddle) -> list[str]:
    """Seven active customers and one archived one; their ids in creation order."""
    ids = fake.seed(7)
    fake.add_customer(email="archived@example.com", status="archived")
    return ids


async def test_list_walks_every_page(paddle: Paddle, fake: FakePaddle, seven: list[str]) -> None:
    """Listing at per_page 2 follows next across 4 pages, newest first by default."""
    listing = paddle.customers.list(ListCustomers(per_page=2))
    ids = [c.id async for c in listing]
    assert list(reversed(seven)) == ids
    assert 4 == sum(1 for r in fake.requests if r.path == "/customers")


async def test_list_ascending_with_status_filter(
    paddle: Paddle, fake: FakePaddle, seven: list[str]
) -> None:
    """order_by id[ASC] and both statuses return everything oldest first."""
    listing = list_customers(
        paddle, ListCustomers(order_by="id[ASC]", per_page=3, status=["active", "archived"])
    )
    customers = [c async for c in listing]
    assert 8 == len(customers)
    assert seven == [c.id for c in customers[:7]]
    assert "active,archived" == fake.requests[0].query["status"]


async def test_list_filters(paddle: Paddle, fake: FakePaddle, seven: list[str]) -> None:
    """email, id and search filters reach the server and narrow the results."""
    by_email = [
        c async for c in paddle.customers.list(ListCustomers(email=["customer3@example.com"]))
    ]
    by_id = [c.id async for c in paddle.customers.list(ListCustomers(id=seven[:2]))]
    searched = [c async for c in paddle.customers.list(ListCustomers(search="customer5"))]
    assert ["customer3@example.com"] == [c.email for c in by_email]
    assert set(seven[:2]) == set(by_id)
    assert ["customer5@example.com"] == [c.email for c in searched]


async def test_list_break_early_fetches_no_more(
    paddle: Paddle, fake: FakePaddle, seven: list[str]
) -> None:
    """Breaking out after the first item sends one request and leaks nothing."""
    async for _customer in paddle.customers.list(ListCustomers(per_page=2)):
        break
    assert 1 == len(fake.requests)
    assert 0 == paddle.connections_in_use()


async def test_list_resume_from_item_cursor(paddle: Paddle, seven: list[str]) -> None:
    """The cursor after any item resumes the listing right after that item."""
    listing = paddle.customers.list(ListCustomers(per_page=3, order_by="id[ASC]"))
    seen = []
    async for customer in listing:
        seen.append(customer.id)
        if len(seen) == 4:
            break
    resumed = paddle.customers.list(
        ListCustomers(per_page=3, order_by="id[ASC]", after=listing.cursor)
    )
    assert seven == seen + [c.id async for c in resumed]


async def test_list_pages_with_cursor_and_total(paddle: Paddle, seven: list[str]) -> None:
    """pages() yields whole pages with estimated_total and a next cursor to resume from."""
    listing = paddle.customers.list(ListCustomers(per_page=3, order_by="id[ASC]"))
    pages = [page async for page in listing.pages()]
    assert [3, 3, 1] == [len(p.items) for p in pages]
    assert [7, 7, 7] == [p.estimated_total for p in pages]
    assert [True, True, False] == [p.has_more for p in pages]
    assert seven[2] == pages[0].next_cursor
    assert 7 == listing.estimated_total
    resumed = paddle.customers.list(
        ListCustomers(per_page=3, order_by="id[ASC]", after=pages[0].next_cursor)
    )
    assert seven[3:] == [c.id async for c in resumed]


async def test_list_empty(paddle: Paddle) -> None:
    """An empty account lists nothing in one request."""
    assert [] == await paddle.customers.list().collect()


@pytest.fixture
async def evil() -> AsyncIterator[FakePaddle]:
    """A second server standing for a foreign host that must never see the key."""
    async with FakePaddle() as server:
        yield server


async def test_next_on_a_foreign_host_is_not_followed(evil: FakePaddle) -> None:
    """A next URL naming another host is fetched from the configured base URL instead."""
    async with FakePaddle(next_base_url=evil.base_url) as fake:
        ids = fake.seed(5)
        async with Paddle(fake.api_key, base_url=fake.base_url, rate_limit=None) as client:
            listed = [c.id async for c in client.customers.list(ListCustomers(per_page=2))]
        assert sorted(ids) == sorted(listed)
        assert 3 == len(fake.requests)
    assert [] == evil.requests


async def test_module_functions_and_namespace_agree(paddle: Paddle, fake: FakePaddle) -> None:
    """The namespace methods and the module-level functions return the same thing."""
    stored = fake.add_customer(email="same@example.com")
    assert await paddle.customers.get(stored["id"]) == await get_customer(paddle, stored["id"])
    customer: Customer = await paddle.customers.get(stored["id"])
    assert stored["email"] == customer.email


async def test_cancelling_a_listing_leaks_nothing(paddle: Paddle, fake: FakePaddle) -> None:
    """A task cancelled while walking pages releases its connection without warnings."""
    fake.seed(10)
    fake.faults.delay(5.0, n=1)
    seen: list[str] = []

    async def walk() -> None:
        async for customer in paddle.customers.list(ListCustomers(per_page=2)):
            seen.append(customer.id)

    task = asyncio.create_task(walk())
    for _ in range(500):
        if fake.requests:
            break
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert [] == seen
    assert 0 == paddle.connections_in_use()
