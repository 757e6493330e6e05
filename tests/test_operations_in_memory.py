"""Every customer operation against an in-memory Sender: the exact request, and the model."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from memory_sender import CUSTOMER_ID, OTHER_ID, MemorySender, customer_json, envelope, page

from paddle_async import Timeout
from paddle_async._protocol import ApiRequest, Kind
from paddle_async.customers import (
    CreateCustomer,
    CreditBalance,
    CurrencyCode,
    Customer,
    Customers,
    CustomerStatus,
    ListCreditBalances,
    ListCustomers,
    SyncOutcome,
    SyncRecord,
    UpdateCustomer,
    create_customer,
    get_customer,
    list_credit_balances,
    list_customers,
    sync_customers,
    update_customer,
)
from paddle_async.errors import (
    CustomerAlreadyExistsError,
    InvalidResponseError,
    NotFoundError,
    ValidationError,
)

CREATED = datetime(2024, 4, 11, 15, 57, 24, 813000, tzinfo=UTC)


def conflict(existing_id: str | None, *, unknown_outcome: bool) -> CustomerAlreadyExistsError:
    error = CustomerAlreadyExistsError(
        status=409, code="customer_already_exists", existing_customer_id=existing_id
    )
    error.after_unknown_outcome = unknown_outcome
    return error


async def test_create_posts_the_given_fields() -> None:
    """create: POST /customers, a compact body of the given fields, kind CREATE, a Customer."""
    sender = MemorySender(envelope(customer_json(name="Ada"), status=201))
    customer = await create_customer(sender, CreateCustomer(email="ada@example.com", name="Ada"))
    assert [
        ApiRequest(
            method="POST",
            path="/customers",
            body=b'{"email":"ada@example.com","name":"Ada"}',
            kind=Kind.CREATE,
        )
    ] == sender.sent
    assert (CUSTOMER_ID, "Ada", CustomerStatus.ACTIVE, CREATED) == (
        customer.id,
        customer.name,
        customer.status,
        customer.created_at,
    )


async def test_get_reads_one_customer() -> None:
    """get: GET /customers/{id}, no query, no body, kind READ."""
    sender = MemorySender(envelope(customer_json()))
    customer = await get_customer(sender, CUSTOMER_ID)
    assert [ApiRequest(method="GET", path=f"/customers/{CUSTOMER_ID}")] == sender.sent
    assert (
        Customer(id=CUSTOMER_ID, email="ada@example.com", created_at=CREATED, updated_at=CREATED)
        == customer
    )


async def test_update_patches_given_fields_with_nulls() -> None:
    """update: PATCH /customers/{id}, UNSET fields left out, None sent as null, kind UPDATE."""
    sender = MemorySender(envelope(customer_json(status="archived")))
    request = UpdateCustomer(name=None, status=CustomerStatus.ARCHIVED)
    customer = await update_customer(sender, CUSTOMER_ID, request)
    assert [
        ApiRequest(
            method="PATCH",
            path=f"/customers/{CUSTOMER_ID}",
            body=b'{"name":null,"status":"archived"}',
            kind=Kind.UPDATE,
        )
    ] == sender.sent
    assert CustomerStatus.ARCHIVED == customer.status


async def test_list_walks_pages_with_the_encoded_query() -> None:
    """list: GET /customers with the filters, then the next page's query from meta.next."""
    sender = MemorySender(
        page([customer_json(OTHER_ID)], next_after=OTHER_ID),
        page([customer_json(CUSTOMER_ID)]),
    )
    request = ListCustomers(status=["active", "archived"], email="ada@example.com", per_page=1)
    ids = [customer.id async for customer in list_customers(sender, request)]
    assert [OTHER_ID, CUSTOMER_ID] == ids
    assert [
        ApiRequest(
            method="GET",
            path="/customers",
            query="email=ada%40example.com&per_page=1&status=active,archived",
        ),
        ApiRequest(method="GET", path="/customers", query=f"after={OTHER_ID}"),
    ] == sender.sent


async def test_list_without_a_request_sends_no_query() -> None:
    """list() with no request asks for Paddle's defaults: an empty query."""
    sender = MemorySender(page([]))
    assert [] == await list_customers(sender).collect()
    assert [ApiRequest(method="GET", path="/customers")] == sender.sent


async def test_list_credit_balances_reads_a_list() -> None:
    """list_credit_balances: GET .../credit-balances with the currency filter, a list back."""
    balance = {
        "customer_id": CUSTOMER_ID,
        "currency_code": "EUR",
        "balance": {"available": "10.50", "reserved": "0", "used": "2"},
    }
    sender = MemorySender(envelope([balance]))
    request = ListCreditBalances(currency_code=["EUR", "USD"])
    balances = await list_credit_balances(sender, CUSTOMER_ID, request)
    assert [
        ApiRequest(
            method="GET",
            path=f"/customers/{CUSTOMER_ID}/credit-balances",
            query="currency_code=EUR,USD",
        )
    ] == sender.sent
    assert [(CurrencyCode.EUR, Decimal("10.50"), Decimal(0), Decimal(2))] == [
        (b.currency_code, b.balance.available, b.balance.reserved, b.balance.used) for b in balances
    ]
    assert all(isinstance(b, CreditBalance) for b in balances)


async def test_a_bad_id_sends_nothing() -> None:
    """get, update and credit balances refuse a malformed id before sending anything."""
    sender = MemorySender()
    with pytest.raises(ValidationError):
        await get_customer(sender, "../x")
    with pytest.raises(ValidationError):
        await update_customer(sender, "ctm_SHOUT", UpdateCustomer(name="A"))
    with pytest.raises(ValidationError):
        await list_credit_balances(sender, "ctm_01h844p3h41s12zs5mn4axja5\u0661")
    assert [] == sender.sent


async def test_a_wrong_shape_is_an_invalid_response_with_the_real_status() -> None:
    """A 201 whose data is not a customer raises InvalidResponseError with status 201."""
    sender = MemorySender(envelope({"id": 7}, status=201))
    with pytest.raises(InvalidResponseError) as caught:
        await create_customer(sender, CreateCustomer(email="ada@example.com"))
    assert (201, "memory-1") == (caught.value.status, caught.value.request_id)


async def test_the_timeout_reaches_the_sender() -> None:
    """Each operation hands its timeout= to the sender, every page of a listing too."""
    sender = MemorySender(
        envelope(customer_json()), page([customer_json()], next_after=CUSTOMER_ID), page([])
    )
    timeout = Timeout(total=2.0, connect=1.0)
    await get_customer(sender, CUSTOMER_ID, timeout=timeout)
    await list_customers(sender, timeout=3.5).collect()
    assert [timeout, 3.5, 3.5] == sender.timeouts


async def test_a_create_of_unknown_outcome_returns_its_own_customer() -> None:
    """After an unknown outcome, a 409 whose customer holds exactly the request is returned."""
    sender = MemorySender(
        conflict(CUSTOMER_ID, unknown_outcome=True), envelope(customer_json(name="Ada"))
    )
    customer = await create_customer(sender, CreateCustomer(email="ada@example.com", name="Ada"))
    assert CUSTOMER_ID == customer.id
    assert ["POST /customers", f"GET /customers/{CUSTOMER_ID}"] == [
        f"{r.method} {r.path}" for r in sender.sent
    ]


async def test_a_first_attempt_conflict_is_raised_without_a_lookup() -> None:
    """A 409 on a create that surely did not reach Paddle before is someone else's customer."""
    sender = MemorySender(conflict(CUSTOMER_ID, unknown_outcome=False))
    with pytest.raises(CustomerAlreadyExistsError):
        await create_customer(sender, CreateCustomer(email="ada@example.com"))
    assert 1 == len(sender.sent)


async def test_reconciliation_finds_a_long_email_by_search() -> None:
    """Without an id, an e-mail too long for the filter is found by search, matched exactly."""
    email = "a" * 60 + "@" + "b" * 60 + ".example.com"
    sender = MemorySender(
        conflict(None, unknown_outcome=True),
        page([customer_json(OTHER_ID, email="x" + email), customer_json(email=email)]),
    )
    customer = await create_customer(sender, CreateCustomer(email=email))
    assert CUSTOMER_ID == customer.id
    lookup = sender.sent[1]
    assert ("GET", "/customers") == (lookup.method, lookup.path)
    assert f"search={email[:100]}" in lookup.query.replace("%40", "@")


async def test_reconciliation_falls_back_to_the_email_when_the_id_is_gone() -> None:
    """A conflict naming a customer that 404s is looked up by e-mail instead."""
    sender = MemorySender(
        conflict(OTHER_ID, unknown_outcome=True),
        NotFoundError(status=404, code="entity_not_found"),
        page([customer_json()]),
    )
    customer = await create_customer(sender, CreateCustomer(email="ada@example.com"))
    assert CUSTOMER_ID == customer.id
    assert "email=ada%40example.com" in sender.sent[2].query


async def test_the_namespace_only_binds_the_sender() -> None:
    """Customers(sender) sends exactly what the functions send."""
    sender = MemorySender(envelope(customer_json()), page([customer_json()]))
    customers = Customers(sender)
    assert CUSTOMER_ID == (await customers.get(CUSTOMER_ID)).id
    assert [CUSTOMER_ID] == [c.id for c in await customers.list().collect()]
    assert [f"/customers/{CUSTOMER_ID}", "/customers"] == [r.path for r in sender.sent]


async def test_sync_takes_a_sender() -> None:
    """A sync of one record whose customer already matches sends one lookup and no write."""
    sender = MemorySender(page([customer_json(name="Ada")]))
    run = sync_customers(sender, [SyncRecord(email="ada@example.com", name="Ada")])
    results = [result async for result in run]
    assert [SyncOutcome.UNCHANGED] == [result.outcome for result in results]
    assert (1, 1) == (len(sender.sent), run.summary.requests.total)
