"""Addresses and businesses end to end against FakePaddle, and how their creates are retried."""

from __future__ import annotations

import json
import socket

import pytest
from hostile import Answer, HostileServer, Received, scripted, silent

from paddle_async import Paddle
from paddle_async._countries import SUPPORTED_COUNTRY_CODES
from paddle_async.addresses import (
    AddressStatus,
    CreateAddress,
    ListAddresses,
    UpdateAddress,
    create_address,
    get_address,
    list_addresses,
    update_address,
)
from paddle_async.businesses import (
    BusinessContact,
    BusinessStatus,
    Contact,
    CreateBusiness,
    ListBusinesses,
    UpdateBusiness,
    create_business,
    get_business,
    list_businesses,
    update_business,
)
from paddle_async.errors import (
    AddressLocationNotAllowedError,
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from paddle_async.testing import TEST_API_KEY, FakePaddle, _validate

MISSING_CUSTOMER = "ctm_01zzzzzzzzzzzzzzzzzzzzzzzz"
MISSING_ADDRESS = "add_01zzzzzzzzzzzzzzzzzzzzzzzz"
MISSING_BUSINESS = "biz_01zzzzzzzzzzzzzzzzzzzzzzzz"
HEAD_OFFICE = CreateAddress(
    description="Head Office",
    first_line="4050 Jefferson Plaza, 41st Floor",
    city="New York",
    postal_code="10021",
    region="NY",
    country_code="US",
)


@pytest.fixture
def customer_id(fake: FakePaddle) -> str:
    return str(fake.add_customer(email="owner@example.com")["id"])


# Addresses


async def test_an_address_is_created_read_updated_and_listed(
    paddle: Paddle, fake: FakePaddle, customer_id: str
) -> None:
    """The four operations through paddle.addresses, checked against the fake's store."""
    created = await paddle.addresses.create(customer_id, HEAD_OFFICE)
    assert (customer_id, "US", "10021", AddressStatus.ACTIVE) == (
        created.customer_id,
        created.country_code,
        created.postal_code,
        created.status,
    )
    assert created == await paddle.addresses.get(customer_id, created.id)
    updated = await paddle.addresses.update(
        customer_id,
        created.id,
        UpdateAddress(description=None, city="Astoria", custom_data={"k": 1}),
    )
    assert (None, "Astoria", {"k": 1}) == (updated.description, updated.city, updated.custom_data)
    assert updated.updated_at > created.updated_at
    stored = fake.address(created.id)
    assert stored is not None
    assert (None, "Astoria") == (stored["description"], stored["city"])
    assert [created.id] == [a.id async for a in paddle.addresses.list(customer_id)]


async def test_archived_addresses_are_hidden_unless_asked_for(
    paddle: Paddle, fake: FakePaddle, customer_id: str
) -> None:
    """Paddle lists active addresses by default; status=archived (or both) shows the others."""
    active = fake.add_address(customer_id, country_code="DE")["id"]
    archived = fake.add_address(customer_id, country_code="FR", status="archived")["id"]
    assert [active] == [a.id async for a in list_addresses(paddle, customer_id)]
    both = ListAddresses(status=["active", "archived"], order_by="id[ASC]")
    assert [active, archived] == [a.id async for a in list_addresses(paddle, customer_id, both)]
    assert AddressStatus.ARCHIVED == (await get_address(paddle, customer_id, archived)).status


async def test_address_listing_pages_filters_and_searches(
    paddle: Paddle, fake: FakePaddle, customer_id: str
) -> None:
    """per_page, id, search and after reach the fake, and pages follow in order."""
    ids = [fake.add_address(customer_id, city=f"City {i}")["id"] for i in range(5)]
    request = ListAddresses(per_page=2, order_by="id[ASC]")
    pages = [
        [a.id for a in p.items] async for p in list_addresses(paddle, customer_id, request).pages()
    ]
    assert [ids[0:2], ids[2:4], ids[4:]] == pages
    assert [ids[3]] == [
        a.id async for a in list_addresses(paddle, customer_id, ListAddresses(search="city 3"))
    ]
    chosen = ListAddresses(id=[ids[1], ids[4]], order_by="id[ASC]", after=ids[1])
    assert [ids[4]] == [a.id async for a in list_addresses(paddle, customer_id, chosen)]


async def test_an_address_for_an_unknown_customer_is_not_found(paddle: Paddle) -> None:
    """Paddle answers 404 not_found: NotFoundError, for every operation."""
    with pytest.raises(NotFoundError) as caught:
        await create_address(paddle, MISSING_CUSTOMER, HEAD_OFFICE)
    assert "not_found" == caught.value.code
    with pytest.raises(NotFoundError):
        await get_address(paddle, MISSING_CUSTOMER, MISSING_ADDRESS)
    with pytest.raises(NotFoundError):
        await list_addresses(paddle, MISSING_CUSTOMER).collect()


async def test_another_customers_address_is_not_found(
    paddle: Paddle, fake: FakePaddle, customer_id: str
) -> None:
    """An address is reached through its own customer only."""
    other = fake.add_customer(email="other@example.com")["id"]
    address = fake.add_address(other)["id"]
    with pytest.raises(NotFoundError):
        await get_address(paddle, customer_id, address)
    with pytest.raises(NotFoundError):
        await update_address(paddle, customer_id, MISSING_ADDRESS, UpdateAddress(city="X"))


async def test_an_unsupported_country_from_paddle_is_a_typed_error(
    paddle: Paddle, fake: FakePaddle, customer_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """400 address_location_not_allowed is AddressLocationNotAllowedError, a BadRequestError.

    The SDK refuses a country off its list before sending; this is Paddle's answer when its
    list has lost a country since (here: the fake stops selling to the US).
    """
    monkeypatch.setattr(_validate, "SUPPORTED_COUNTRY_CODES", SUPPORTED_COUNTRY_CODES - {"US"})
    with pytest.raises(AddressLocationNotAllowedError) as caught:
        await create_address(paddle, customer_id, HEAD_OFFICE)
    assert isinstance(caught.value, BadRequestError)
    assert (400, "address_location_not_allowed") == (caught.value.status, caught.value.code)
    assert [] == fake.addresses(customer_id)


# Businesses


async def test_a_business_is_created_read_updated_and_listed(
    paddle: Paddle, fake: FakePaddle, customer_id: str
) -> None:
    """The four operations through paddle.businesses, contacts included."""
    created = await paddle.businesses.create(
        customer_id,
        CreateBusiness(
            name="Uplift Inc.",
            company_number="555775291485",
            contacts=[Contact(email="parker@example.com", name="Parker Jones")],
        ),
    )
    assert (
        "Uplift Inc.",
        "555775291485",
        None,
        (BusinessContact(email="parker@example.com", name="Parker Jones"),),
        BusinessStatus.ACTIVE,
    ) == (
        created.name,
        created.company_number,
        created.tax_identifier,
        created.contacts,
        created.status,
    )
    assert created == await paddle.businesses.get(customer_id, created.id)
    contacts = [
        Contact(email="jo@example.com", name="Jo Riley"),
        Contact(email="jo@example.com", name="Jesse"),
    ]
    updated = await paddle.businesses.update(
        customer_id, created.id, UpdateBusiness(company_number=None, contacts=contacts)
    )
    assert (None, ["Jo Riley", "Jesse"]) == (
        updated.company_number,
        [c.name for c in updated.contacts],
    )
    stored = fake.business(created.id)
    assert stored is not None
    assert stored["company_number"] is None
    assert [created.id] == [b.id async for b in paddle.businesses.list(customer_id)]


async def test_archiving_a_business_hides_it_from_the_default_listing(
    paddle: Paddle, customer_id: str
) -> None:
    """status=archived on update; the default listing then leaves it out."""
    business = await create_business(paddle, customer_id, CreateBusiness(name="Gone Ltd"))
    await update_business(paddle, customer_id, business.id, UpdateBusiness(status="archived"))
    assert [] == await list_businesses(paddle, customer_id).collect()
    archived = ListBusinesses(status="archived")
    assert [business.id] == [b.id async for b in list_businesses(paddle, customer_id, archived)]


async def test_business_search_covers_contacts(
    paddle: Paddle, fake: FakePaddle, customer_id: str
) -> None:
    """Paddle searches contacts too; the filter reaches the fake."""
    fake.add_business(customer_id, name="A")
    wanted = fake.add_business(
        customer_id, name="B", contacts=[{"name": "Z", "email": "z@example.com"}]
    )
    found = list_businesses(paddle, customer_id, ListBusinesses(search="z@example"))
    assert [wanted["id"]] == [b.id async for b in found]


async def test_a_business_of_an_unknown_customer_is_not_found(paddle: Paddle) -> None:
    """404 not_found: NotFoundError."""
    with pytest.raises(NotFoundError):
        await create_business(paddle, MISSING_CUSTOMER, CreateBusiness(name="B"))
    with pytest.raises(NotFoundError):
        await get_business(paddle, MISSING_CUSTOMER, MISSING_BUSINESS)
    with pytest.raises(NotFoundError):
        await update_business(paddle, MISSING_CUSTOMER, MISSING_BUSINESS, UpdateBusiness(name="B"))


# Retries of creates that cannot be reconciled


@pytest.mark.parametrize("status", [429, 500, 503, 521, 522, 523])
async def test_a_create_paddle_did_not_process_is_retried(
    paddle: Paddle, fake: FakePaddle, customer_id: str, status: int
) -> None:
    """429, 500, 503 and 521-523 mean "not processed": the retry makes exactly one address."""
    fake.faults.fail_next(1, status, retry_after=1 if status == 429 else None)
    address = await paddle.addresses.create(customer_id, HEAD_OFFICE)
    assert [status, 201] == [r.status for r in fake.requests]
    assert [address.id] == [a["id"] for a in fake.addresses(customer_id)]


@pytest.mark.parametrize("status", [502, 504, 520, 524])
async def test_a_create_of_unknown_outcome_is_not_resent(
    paddle: Paddle, fake: FakePaddle, customer_id: str, status: int
) -> None:
    """502, 504, 520, 524 may come after Paddle made it: raised, never sent twice."""
    fake.faults.fail_next(1, status)  # applied, like a gateway that lost Paddle's answer
    with pytest.raises(ServerError):
        await paddle.businesses.create(customer_id, CreateBusiness(name="Once Ltd"))
    assert [status] == [r.status for r in fake.requests]
    assert 1 == len(fake.businesses(customer_id))


async def test_a_create_whose_connection_dropped_is_not_resent(
    paddle: Paddle, fake: FakePaddle, customer_id: str
) -> None:
    """A connection dropped after sending: the address may exist, so no second POST."""
    fake.faults.drop_next(1, after_write=True)
    with pytest.raises(APIConnectionError) as caught:
        await paddle.addresses.create(customer_id, HEAD_OFFICE)
    assert caught.value.sent is True
    assert 1 == len(fake.requests) == len(fake.addresses(customer_id))


async def test_updates_and_reads_are_still_retried(
    paddle: Paddle, fake: FakePaddle, customer_id: str
) -> None:
    """Only creates are CREATE_ONCE: a PATCH after a 502 and a GET after a drop are repeated."""
    address = fake.add_address(customer_id)["id"]
    fake.faults.fail_next(1, 502)
    await update_address(paddle, customer_id, address, UpdateAddress(city="Paris"))
    fake.faults.drop_next(1)
    assert "Paris" == (await get_address(paddle, customer_id, address)).city
    assert [502, 200, 0, 200] == [r.status for r in fake.requests]


def _address_answer(received: Received) -> Answer:
    assert received.line.startswith(b"POST /customers/")
    data = {
        "id": "add_01hv8gq3318ktkfengj2r75gfx",
        "customer_id": received.target.split("/")[2],
        **json.loads(received.body),
        "status": "active",
        "created_at": "2024-04-12T06:42:58.785Z",
        "updated_at": "2024-04-12T06:42:58.785Z",
    }
    return Answer(status=201, body={"data": data, "meta": {"request_id": "r"}})


async def test_a_timed_out_address_create_is_not_resent(hostile: HostileServer) -> None:
    """Over the wire: the first POST gets no answer in time; the client raises, sends once."""
    hostile.respond = silent
    async with Paddle(TEST_API_KEY, base_url=hostile.base_url, rate_limit=None, timeout=0.2) as p:
        with pytest.raises(APITimeoutError) as caught:
            await p.addresses.create("ctm_01h844p3h41s12zs5mn4axja51", HEAD_OFFICE)
    assert caught.value.sent is True
    assert 1 == len(hostile.received)


async def test_a_503_address_create_is_resent(hostile: HostileServer) -> None:
    """Over the wire: 503 (not processed), then 201: the same body is sent twice, one address."""
    answers = [Answer(status=503, body={"error": {"code": "service_unavailable"}})]

    def script(received: Received) -> Answer:
        return answers.pop() if answers else _address_answer(received)

    hostile.respond = scripted(script)
    async with Paddle(TEST_API_KEY, base_url=hostile.base_url, rate_limit=None) as p:
        address = await p.addresses.create("ctm_01h844p3h41s12zs5mn4axja51", HEAD_OFFICE)
    assert "New York" == address.city
    assert 2 == len(hostile.received)
    assert hostile.received[0].body == hostile.received[1].body
    assert all(r.line.startswith(b"POST /customers/") for r in hostile.received)


async def test_a_refused_connection_create_is_retried(retry_waits: list[float]) -> None:
    """Connection refused: never reached Paddle, so retried until the budget runs out."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with Paddle(
        TEST_API_KEY, base_url=f"http://127.0.0.1:{port}", rate_limit=None, max_retries=2
    ) as p:
        with pytest.raises(APIConnectionError) as caught:
            await p.businesses.create("ctm_01h844p3h41s12zs5mn4axja51", CreateBusiness(name="B"))
    assert caught.value.sent is False
    assert 2 == len(retry_waits)


async def test_a_429_over_the_cap_is_raised_for_a_create(
    paddle: Paddle, fake: FakePaddle, customer_id: str
) -> None:
    """The 429 rules are unchanged for these creates: over max_retry_after raises at once."""
    fake.faults.fail_next(1, 429, retry_after=3600)
    with pytest.raises(RateLimitError):
        await paddle.addresses.create(customer_id, HEAD_OFFICE)
    assert [] == fake.addresses(customer_id)
