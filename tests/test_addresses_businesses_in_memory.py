"""Each address and business operation on an in-memory Sender: the exact request, the model."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime
from typing import Any

import pytest
from memory_sender import CUSTOMER_ID, MemorySender, envelope, page

from paddle_async import Paddle, Timeout
from paddle_async._protocol import ApiRequest, Kind
from paddle_async.addresses import (
    Address,
    Addresses,
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
    Business,
    BusinessContact,
    Businesses,
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
from paddle_async.customers import ImportMeta, MigrationProvider
from paddle_async.errors import InvalidResponseError, ValidationError
from paddle_async.testing import TEST_API_KEY

ADDRESS_ID = "add_01hv8gq3318ktkfengj2r75gfx"
OTHER_ADDRESS_ID = "add_01hv8gwdfkw5z6d1yy6pa3xyrz"
BUSINESS_ID = "biz_01hv8hkr641vmpwytx38znv56k"
OTHER_BUSINESS_ID = "biz_01hv8j0z17hv4ew8teebwjmfcb"
CREATED = datetime(2024, 4, 12, 6, 42, 58, 785000, tzinfo=UTC)
ADDRESSES = f"/customers/{CUSTOMER_ID}/addresses"
BUSINESSES = f"/customers/{CUSTOMER_ID}/businesses"


def address_json(address_id: str = ADDRESS_ID, **fields: Any) -> dict[str, Any]:
    """Return an address as Paddle sends it (the spec's example)."""
    return {
        "id": address_id,
        "status": "active",
        "customer_id": CUSTOMER_ID,
        "description": "Head Office",
        "first_line": "4050 Jefferson Plaza, 41st Floor",
        "second_line": None,
        "city": "New York",
        "postal_code": "10021",
        "region": "NY",
        "country_code": "US",
        "custom_data": None,
        "created_at": "2024-04-12T06:42:58.785Z",
        "updated_at": "2024-04-12T06:42:58.785Z",
        "import_meta": None,
        **fields,
    }


def business_json(business_id: str = BUSINESS_ID, **fields: Any) -> dict[str, Any]:
    """Return a business as Paddle sends it (the spec's example)."""
    return {
        "id": business_id,
        "status": "active",
        "customer_id": CUSTOMER_ID,
        "name": "Uplift Inc.",
        "company_number": "555775291485",
        "tax_identifier": "555952383",
        "contacts": [{"name": "Parker Jones", "email": "parker@example.com"}],
        "custom_data": None,
        "created_at": "2024-04-12T06:42:58.785Z",
        "updated_at": "2024-04-12T06:42:58.785Z",
        "import_meta": None,
        **fields,
    }


# Addresses


async def test_create_address_posts_the_given_fields_as_create_once() -> None:
    """create: POST .../addresses, a compact body of the given fields, kind CREATE_ONCE."""
    sender = MemorySender(envelope(address_json(), status=201))
    request = CreateAddress(country_code="US", postal_code="10021", description="Head Office")
    address = await create_address(sender, CUSTOMER_ID, request)
    assert [
        ApiRequest(
            method="POST",
            path=ADDRESSES,
            body=b'{"country_code":"US","description":"Head Office","postal_code":"10021"}',
            kind=Kind.CREATE_ONCE,
        )
    ] == sender.sent
    assert (ADDRESS_ID, CUSTOMER_ID, "US", AddressStatus.ACTIVE, CREATED, None) == (
        address.id,
        address.customer_id,
        address.country_code,
        address.status,
        address.created_at,
        address.second_line,
    )


async def test_get_address_reads_one() -> None:
    """get: GET .../addresses/{id}, no query, no body, kind READ."""
    sender = MemorySender(envelope(address_json()))
    address = await get_address(sender, CUSTOMER_ID, ADDRESS_ID)
    assert [ApiRequest(method="GET", path=f"{ADDRESSES}/{ADDRESS_ID}")] == sender.sent
    assert isinstance(address, Address)
    assert "Head Office" == address.description


async def test_update_address_sends_nulls_and_leaves_unset_out() -> None:
    """update: PATCH, UNSET left out, None sent as null (clears), kind UPDATE."""
    sender = MemorySender(envelope(address_json(status="archived", description=None)))
    request = UpdateAddress(description=None, status=AddressStatus.ARCHIVED, country_code="XK")
    address = await update_address(sender, CUSTOMER_ID, ADDRESS_ID, request)
    assert [
        ApiRequest(
            method="PATCH",
            path=f"{ADDRESSES}/{ADDRESS_ID}",
            body=b'{"description":null,"country_code":"XK","status":"archived"}',
            kind=Kind.UPDATE,
        )
    ] == sender.sent
    assert (AddressStatus.ARCHIVED, None) == (address.status, address.description)


async def test_list_addresses_walks_pages_with_every_filter() -> None:
    """list: every filter encoded (arrays comma-joined), then the next page's cursor."""
    sender = MemorySender(
        page([address_json(OTHER_ADDRESS_ID)], next_after=OTHER_ADDRESS_ID, path=ADDRESSES),
        page([address_json()], path=ADDRESSES),
    )
    request = ListAddresses(
        id=[OTHER_ADDRESS_ID, ADDRESS_ID],
        status=["active", "archived"],
        search="Head",
        order_by="id[desc]",
        per_page=1,
        after="add_01hv8gzzzzzzzzzzzzzzzzzzzz",
    )
    ids = [a.id async for a in list_addresses(sender, CUSTOMER_ID, request)]
    assert [OTHER_ADDRESS_ID, ADDRESS_ID] == ids
    assert [
        ApiRequest(
            method="GET",
            path=ADDRESSES,
            query=(
                "after=add_01hv8gzzzzzzzzzzzzzzzzzzzz"
                f"&id={OTHER_ADDRESS_ID},{ADDRESS_ID}&order_by=id[DESC]&per_page=1"
                "&search=Head&status=active,archived"
            ),
        ),
        ApiRequest(method="GET", path=ADDRESSES, query=f"after={OTHER_ADDRESS_ID}"),
    ] == sender.sent


async def test_list_addresses_without_a_request_asks_for_paddles_defaults() -> None:
    """list() with no request sends no query: Paddle then lists active addresses only."""
    sender = MemorySender(page([], path=ADDRESSES))
    assert [] == await list_addresses(sender, CUSTOMER_ID).collect()
    assert [ApiRequest(method="GET", path=ADDRESSES)] == sender.sent


# Businesses


async def test_create_business_posts_contacts_as_objects() -> None:
    """create: POST .../businesses with contacts as objects (no name: left out), CREATE_ONCE."""
    sender = MemorySender(envelope(business_json(), status=201))
    request = CreateBusiness(
        name="Uplift Inc.",
        contacts=[
            Contact(email="parker@example.com", name="Parker Jones"),
            Contact(email="jo@example.com"),
        ],
        custom_data={"crm": 1},
    )
    business = await create_business(sender, CUSTOMER_ID, request)
    assert [
        ApiRequest(
            method="POST",
            path=BUSINESSES,
            body=(
                b'{"name":"Uplift Inc.","contacts":[{"email":"parker@example.com",'
                b'"name":"Parker Jones"},{"email":"jo@example.com"}],"custom_data":{"crm":1}}'
            ),
            kind=Kind.CREATE_ONCE,
        )
    ] == sender.sent
    assert (BUSINESS_ID, (BusinessContact(email="parker@example.com", name="Parker Jones"),)) == (
        business.id,
        business.contacts,
    )


async def test_get_business_reads_one() -> None:
    """get: GET .../businesses/{id}, kind READ."""
    sender = MemorySender(envelope(business_json()))
    business = await get_business(sender, CUSTOMER_ID, BUSINESS_ID)
    assert [ApiRequest(method="GET", path=f"{BUSINESSES}/{BUSINESS_ID}")] == sender.sent
    assert isinstance(business, Business)
    assert ("Uplift Inc.", BusinessStatus.ACTIVE) == (business.name, business.status)


async def test_update_business_clears_with_null() -> None:
    """update: None clears company_number, tax_identifier and contacts; kind UPDATE."""
    sender = MemorySender(envelope(business_json(contacts=[], company_number=None)))
    request = UpdateBusiness(company_number=None, tax_identifier=None, contacts=None, name="Up")
    business = await update_business(sender, CUSTOMER_ID, BUSINESS_ID, request)
    assert [
        ApiRequest(
            method="PATCH",
            path=f"{BUSINESSES}/{BUSINESS_ID}",
            body=b'{"name":"Up","company_number":null,"tax_identifier":null,"contacts":null}',
            kind=Kind.UPDATE,
        )
    ] == sender.sent
    assert ((), None) == (business.contacts, business.company_number)


async def test_list_businesses_walks_pages_with_every_filter() -> None:
    """list: every filter encoded, then the next page's cursor."""
    sender = MemorySender(
        page([business_json(OTHER_BUSINESS_ID)], next_after=OTHER_BUSINESS_ID, path=BUSINESSES),
        page([business_json()], path=BUSINESSES),
    )
    request = ListBusinesses(
        id=BUSINESS_ID, status="archived", search="jo@example.com", order_by="ID[DESC]"
    )
    ids = [b.id async for b in list_businesses(sender, CUSTOMER_ID, request)]
    assert [OTHER_BUSINESS_ID, BUSINESS_ID] == ids
    assert [
        ApiRequest(
            method="GET",
            path=BUSINESSES,
            query=f"id={BUSINESS_ID}&order_by=id[DESC]&search=jo%40example.com&status=archived",
        ),
        ApiRequest(method="GET", path=BUSINESSES, query=f"after={OTHER_BUSINESS_ID}"),
    ] == sender.sent


# Shared behaviour


@pytest.mark.parametrize(
    "call",
    [
        lambda s: get_address(s, "../x", ADDRESS_ID),
        lambda s: get_address(s, CUSTOMER_ID, "add_../../customers"),
        lambda s: get_address(s, CUSTOMER_ID, BUSINESS_ID),
        lambda s: update_address(
            s, CUSTOMER_ID, "add_01hv8gq3318ktkfengj2r75gf\u0661", UpdateAddress(city="X")
        ),
        lambda s: create_address(s, "ctm_SHOUT", CreateAddress(country_code="US")),
        lambda s: get_business(s, CUSTOMER_ID, ADDRESS_ID),
        lambda s: update_business(s, CUSTOMER_ID, "biz_?a=b", UpdateBusiness(name="X")),
        lambda s: create_business(s, "a/b", CreateBusiness(name="X")),
    ],
)
async def test_a_bad_id_sends_nothing(call: Any) -> None:
    """A malformed or foreign id (an address id for a business) is refused before sending."""
    sender = MemorySender()
    with pytest.raises(ValidationError):
        await call(sender)
    assert [] == sender.sent


def test_a_listing_checks_the_customer_id_at_once() -> None:
    """list_addresses and list_businesses refuse a bad customer id when called, not iterated."""
    sender = MemorySender()
    with pytest.raises(ValidationError):
        list_addresses(sender, "ctm_1")
    with pytest.raises(ValidationError):
        list_businesses(sender, "../customers")


async def test_a_wrong_shape_is_an_invalid_response_with_the_real_status() -> None:
    """A 201 whose data is not an address raises InvalidResponseError with status 201."""
    sender = MemorySender(envelope({"id": ADDRESS_ID}, status=201))
    with pytest.raises(InvalidResponseError) as caught:
        await create_address(sender, CUSTOMER_ID, CreateAddress(country_code="DE"))
    assert 201 == caught.value.status
    assert "customer_id" in str(caught.value)


async def test_the_timeout_reaches_the_sender() -> None:
    """Each operation hands its timeout= to the sender, every page of a listing too."""
    sender = MemorySender(
        envelope(address_json()),
        page([business_json()], next_after=BUSINESS_ID, path=BUSINESSES),
        page([], path=BUSINESSES),
    )
    timeout = Timeout(total=2.0, connect=1.0)
    await get_address(sender, CUSTOMER_ID, ADDRESS_ID, timeout=timeout)
    await list_businesses(sender, CUSTOMER_ID, timeout=3.5).collect()
    assert [timeout, 3.5, 3.5] == sender.timeouts


async def test_the_namespaces_only_bind_the_sender() -> None:
    """Addresses(sender) and Businesses(sender) send exactly what the functions send."""
    sender = MemorySender(
        envelope(address_json(), status=201),
        envelope(address_json()),
        envelope(address_json()),
        page([address_json()], path=ADDRESSES),
        envelope(business_json(), status=201),
        envelope(business_json()),
        envelope(business_json()),
        page([business_json()], path=BUSINESSES),
    )
    addresses, businesses = Addresses(sender), Businesses(sender)
    await addresses.create(CUSTOMER_ID, CreateAddress(country_code="US"), timeout=1.0)
    await addresses.get(CUSTOMER_ID, ADDRESS_ID, timeout=2.0)
    await addresses.update(CUSTOMER_ID, ADDRESS_ID, UpdateAddress(city=None), timeout=3.0)
    await addresses.list(CUSTOMER_ID, ListAddresses(per_page=5), timeout=4.0).collect()
    await businesses.create(CUSTOMER_ID, CreateBusiness(name="B"), timeout=5.0)
    await businesses.get(CUSTOMER_ID, BUSINESS_ID, timeout=6.0)
    await businesses.update(CUSTOMER_ID, BUSINESS_ID, UpdateBusiness(name="C"), timeout=7.0)
    await businesses.list(CUSTOMER_ID, ListBusinesses(per_page=5), timeout=8.0).collect()
    assert [
        ("POST", ADDRESSES, ""),
        ("GET", f"{ADDRESSES}/{ADDRESS_ID}", ""),
        ("PATCH", f"{ADDRESSES}/{ADDRESS_ID}", ""),
        ("GET", ADDRESSES, "per_page=5"),
        ("POST", BUSINESSES, ""),
        ("GET", f"{BUSINESSES}/{BUSINESS_ID}", ""),
        ("PATCH", f"{BUSINESSES}/{BUSINESS_ID}", ""),
        ("GET", BUSINESSES, "per_page=5"),
    ] == [(r.method, r.path, r.query) for r in sender.sent]
    assert [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0] == sender.timeouts


async def test_the_client_binds_both_namespaces() -> None:
    """paddle.addresses and paddle.businesses are the namespaces, bound to the client."""
    async with Paddle(TEST_API_KEY, base_url="http://127.0.0.1:9") as paddle:
        assert isinstance(paddle.addresses, Addresses)
        assert isinstance(paddle.businesses, Businesses)
        assert paddle.addresses._sender is paddle is paddle.businesses._sender


# Model tolerance


def test_models_ignore_unknown_fields_and_keep_unknown_values() -> None:
    """Unknown keys are ignored, an unknown status or provider kept as a string, times aware."""
    from paddle_async._convert import structurer

    address = structurer(Address)(
        address_json(
            status="suspended",
            brand_new_field={"x": 1},
            import_meta={"imported_from": "paddle_classic", "external_id": "59f2"},
            updated_at="2024-04-12T06:47:01.533006Z",
        )
    )
    assert (
        "suspended",
        ImportMeta(imported_from=MigrationProvider.PADDLE_CLASSIC, external_id="59f2"),
    ) == (
        address.status,
        address.import_meta,
    )
    assert UTC == address.updated_at.tzinfo
    business = structurer(Business)(
        business_json(
            status="frozen",
            contacts=[{"name": "Jo", "email": "jo@example.com", "phone": "+1"}],
            import_meta={"imported_from": "someone_new"},
            extra=[1, 2],
        )
    )
    assert ("frozen", (BusinessContact(email="jo@example.com", name="Jo"),), "someone_new") == (
        business.status,
        business.contacts,
        business.import_meta.imported_from if business.import_meta else None,
    )


def test_models_fill_missing_optional_fields_with_defaults() -> None:
    """A minimal address or business (only what identifies it) structures, with defaults."""
    from paddle_async._convert import structurer

    minimal = {"id": ADDRESS_ID, "customer_id": CUSTOMER_ID, "country_code": "DE"}
    times = {"created_at": "2024-04-12T06:42:58Z", "updated_at": "2024-04-12T06:42:58+02:00"}
    address = structurer(Address)({**minimal, **times})
    assert (None, None, AddressStatus.ACTIVE, None) == (
        address.city,
        address.custom_data,
        address.status,
        address.import_meta,
    )
    business = structurer(Business)(
        {"id": BUSINESS_ID, "customer_id": CUSTOMER_ID, "name": "B", **times}
    )
    assert ((), BusinessStatus.ACTIVE, None) == (
        business.contacts,
        business.status,
        business.tax_identifier,
    )
    assert 4 * 3600 == (business.created_at - business.updated_at).total_seconds() * 2


def test_business_contacts_sent_as_null_read_as_none_given() -> None:
    """Paddle's spec never sends null contacts, but an update may clear them with null: a
    response holding null reads as no contacts, not as a broken response. A wrong type still
    raises."""
    from paddle_async._convert import StructureError, structurer

    times = {"created_at": "2024-04-12T06:42:58Z", "updated_at": "2024-04-12T06:42:58Z"}
    entity = {"id": BUSINESS_ID, "customer_id": CUSTOMER_ID, "name": "B", **times}
    assert () == structurer(Business)({**entity, "contacts": None}).contacts
    with pytest.raises(StructureError, match=r"Business\.contacts"):
        structurer(Business)({**entity, "contacts": "none"})


def test_custom_data_keeps_an_empty_object_apart_from_null() -> None:
    """{} and null custom_data stay different."""
    from paddle_async._convert import structurer

    assert {} == structurer(Address)(address_json(custom_data={})).custom_data
    assert None is structurer(Business)(business_json(custom_data=None)).custom_data


async def outcome(result: Any) -> Any:
    return await result if inspect.isawaitable(result) else result


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (
            lambda s: create_address(s, CUSTOMER_ID, {"country_code": "US"}),
            "create_address() takes a CreateAddress as its request, got dict: "
            "build CreateAddress(**data)",
        ),
        (
            lambda s: Businesses(s).update(CUSTOMER_ID, BUSINESS_ID, CreateBusiness(name="B")),
            "Businesses.update() takes an UpdateBusiness as its request, got CreateBusiness: "
            "build UpdateBusiness(...)",
        ),
        (
            lambda s: Addresses(s).list(CUSTOMER_ID, ListBusinesses()),
            "Addresses.list() takes a ListAddresses as its request, got ListBusinesses: "
            "build ListAddresses(...)",
        ),
    ],
)
async def test_a_request_of_the_wrong_class_says_which_to_build(call: Any, expected: str) -> None:
    """A dict or another resource's request class is a TypeError naming the class to build."""
    sender = MemorySender()
    with pytest.raises(TypeError) as caught:
        await outcome(call(sender))
    assert expected == str(caught.value)
    assert [] == sender.sent
