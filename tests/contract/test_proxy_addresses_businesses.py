"""Every address and business operation and parameter through ``prism proxy --errors``.

Prism checks each request the SDK sends and each answer FakePaddle gives against Paddle's
spec, in both directions; the `contract` fixture fails a test that leaves a violation
unclaimed. The last tests show the check fails on a body or answer outside the spec.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import aiohttp
import attrs
import pytest

from paddle_async import Paddle
from paddle_async._validation import declare
from paddle_async.addresses import Address, CreateAddress, ListAddresses, UpdateAddress
from paddle_async.businesses import (
    Business,
    Contact,
    CreateBusiness,
    ListBusinesses,
    UpdateBusiness,
)
from paddle_async.errors import BadRequestError, NotFoundError, ServerError
from paddle_async.testing import FakePaddle

from .conftest import Contract, skip_module_without_prism
from .prism import Violation

skip_module_without_prism()

UNKNOWN_CUSTOMER = "ctm_01zzzzzzzzzzzzzzzzzzzzzzzz"
UNKNOWN_ADDRESS = "add_01zzzzzzzzzzzzzzzzzzzzzzzz"
UNKNOWN_BUSINESS = "biz_01zzzzzzzzzzzzzzzzzzzzzzzz"
IMPORTED = {
    "external_id": "59f25141-28c3-4447-b77c-dae5677537f0",
    "imported_from": "paddle_classic",
}
NESTED_DATA: dict[str, Any] = {"crm": {"id": "08bcfb7a", "tags": ["b2b"]}, "note": "Grüße"}
EVERY_ADDRESS_FIELD = CreateAddress(
    description="Head Office",
    first_line="4050 Jefferson Plaza, 41st Floor",
    second_line="Suite 4100",
    city="New York",
    postal_code="10021",
    region="NY",
    country_code="US",
    custom_data=NESTED_DATA,
)


@pytest.fixture
def customer_id(fake: FakePaddle) -> str:
    return str(fake.add_customer(email="owner@example.com")["id"])


def wire(item: Address | Business) -> dict[str, Any]:
    """A model as FakePaddle's wire dict, to compare with what the fake stored."""
    data = attrs.asdict(item)
    for key in ("created_at", "updated_at"):
        data[key] = data[key].isoformat()
    data["status"] = str(data["status"])
    if data["import_meta"] is not None:
        data["import_meta"]["imported_from"] = str(data["import_meta"]["imported_from"])
    if "contacts" in data:
        data["contacts"] = [dict(c) for c in data["contacts"]]
    return data


def stored_wire(stored: dict[str, Any] | None) -> dict[str, Any]:
    assert stored is not None
    times = {
        key: datetime.fromisoformat(stored[key]).isoformat() for key in ("created_at", "updated_at")
    }
    return stored | times


# Addresses


async def test_address_create_with_country_only(
    paddle: Paddle, fake: FakePaddle, customer_id: str
) -> None:
    """The smallest create passes the spec; the 201 answer too."""
    address = await paddle.addresses.create(customer_id, CreateAddress(country_code="XK"))
    assert {"country_code": "XK"} == fake.requests[-1].json
    assert stored_wire(fake.address(address.id)) == wire(address)


async def test_address_create_with_every_field(
    paddle: Paddle, fake: FakePaddle, customer_id: str
) -> None:
    """Every create field at once, at the length limits, passes the spec both ways."""
    longest = attrs.evolve(
        EVERY_ADDRESS_FIELD, first_line="F" * 1024, description="D" * 1024, city="C" * 200
    )
    address = await paddle.addresses.create(customer_id, longest)
    assert 8 == len(fake.requests[-1].json)
    assert stored_wire(fake.address(address.id)) == wire(address)


async def test_address_get_with_every_field_set_and_with_nulls(
    paddle: Paddle, fake: FakePaddle, customer_id: str
) -> None:
    """An archived, imported address and one of nulls are in the spec's shape."""
    full = fake.add_address(
        customer_id, country_code="GB", description="Leeds", first_line="1 Park Row",
        second_line="Floor 2", city="Leeds", postal_code="LS1 5AB", region="West Yorkshire",
        custom_data={"k": 1}, status="archived", import_meta=IMPORTED,
    )  # fmt: skip
    bare = fake.add_address(customer_id, country_code="DE")
    for stored in (full, bare):
        got = await paddle.addresses.get(customer_id, stored["id"])
        assert stored_wire(stored) == wire(got)


@pytest.mark.parametrize(
    "update",
    [
        UpdateAddress(description="Branch"),
        UpdateAddress(first_line="1 Main St", second_line="Unit 5"),
        UpdateAddress(city="Austin", postal_code="73301", region="TX"),
        UpdateAddress(country_code="CA"),
        UpdateAddress(custom_data=NESTED_DATA),
        UpdateAddress(status="archived"),
        UpdateAddress(
            description=None, first_line=None, second_line=None, city=None, postal_code=None,
            region=None, custom_data=None,
        ),
        UpdateAddress(
            description="D", first_line="F", second_line="S", city="C", postal_code="P",
            region="R", country_code="FR", custom_data={}, status="active",
        ),
    ],
    ids=["description", "lines", "place", "country", "custom_data", "status", "nulls", "all"],
)  # fmt: skip
async def test_address_update(
    paddle: Paddle, fake: FakePaddle, customer_id: str, update: UpdateAddress
) -> None:
    """Each update field, nulls included, passes the spec and changes what it names."""
    before = fake.add_address(customer_id, city="Leeds", country_code="GB", custom_data={"a": 1})
    after = await paddle.addresses.update(customer_id, before["id"], update)
    sent = fake.requests[-1].json
    assert sent == {k: v for k, v in sent.items() if v == wire(after)[k]}
    assert stored_wire(fake.address(before["id"])) == wire(after)


async def test_address_list_with_defaults_and_every_parameter(
    paddle: Paddle, fake: FakePaddle, customer_id: str
) -> None:
    """No parameter, then all six (after, id, order_by, per_page, search, status), pass."""
    ids = [fake.add_address(customer_id, city=f"Town {i}")["id"] for i in range(4)]
    archived = fake.add_address(customer_id, city="Town 9", status="archived")["id"]
    assert ids[::-1] == [a.id async for a in paddle.addresses.list(customer_id)]
    assert {} == fake.requests[-1].query
    request = ListAddresses(
        after=ids[0], id=[*ids, archived], order_by="id[ASC]", per_page=2, search="town",
        status=["active", "archived"],
    )  # fmt: skip
    assert [*ids[1:], archived] == [a.id async for a in paddle.addresses.list(customer_id, request)]
    assert {"after", "id", "order_by", "per_page", "search", "status"} == set(
        fake.requests[-1].query
    )
    assert 2 == len([r for r in fake.requests if r.query.get("per_page") == "2"])


# Businesses


async def test_business_create_with_name_only_and_with_every_field(
    paddle: Paddle, fake: FakePaddle, customer_id: str
) -> None:
    """The smallest create and one of every field (contacts with and without names) pass."""
    small = await paddle.businesses.create(customer_id, CreateBusiness(name="Solo"))
    assert {"name": "Solo"} == fake.requests[-1].json
    full = await paddle.businesses.create(
        customer_id,
        CreateBusiness(
            name="N" * 1024,
            company_number="555775291485",
            tax_identifier="555952383",
            contacts=[
                Contact(email="parker@example.com", name="Parker Jones"),
                Contact(email="jo@example.com"),
            ],
            custom_data=NESTED_DATA,
        ),
    )
    assert 5 == len(fake.requests[-1].json)
    for business in (small, full):
        assert stored_wire(fake.business(business.id)) == wire(business)


async def test_business_get_archived_and_imported(
    paddle: Paddle, fake: FakePaddle, customer_id: str
) -> None:
    """An archived, imported business with three contacts is in the spec's shape."""
    stored = fake.add_business(
        customer_id, name="Uplift Inc.", company_number="1", tax_identifier="2",
        contacts=[{"name": f"C {i}", "email": f"c{i}@example.com"} for i in range(3)],
        custom_data={"k": [1]}, status="archived", import_meta=IMPORTED,
    )  # fmt: skip
    assert stored_wire(stored) == wire(await paddle.businesses.get(customer_id, stored["id"]))


@pytest.mark.parametrize(
    "update",
    [
        UpdateBusiness(name="Renamed"),
        UpdateBusiness(company_number="9", tax_identifier="8"),
        UpdateBusiness(contacts=[Contact(email="a@example.com", name="A")]),
        UpdateBusiness(contacts=[Contact(email=f"c{i}@example.com") for i in range(100)]),
        UpdateBusiness(custom_data=NESTED_DATA),
        UpdateBusiness(status="archived"),
        UpdateBusiness(company_number=None, tax_identifier=None, contacts=None, custom_data=None),
    ],
    ids=["name", "numbers", "contacts", "hundred_contacts", "custom_data", "status", "nulls"],
)
async def test_business_update(
    paddle: Paddle, fake: FakePaddle, customer_id: str, update: UpdateBusiness
) -> None:
    """Each update field, nulls and 100 contacts included, passes the spec."""
    before = fake.add_business(
        customer_id,
        name="B",
        company_number="1",
        contacts=[{"name": "Z", "email": "z@example.com"}],
    )
    after = await paddle.businesses.update(customer_id, before["id"], update)
    assert stored_wire(fake.business(before["id"])) == wire(after)


async def test_business_list_with_every_parameter(
    paddle: Paddle, fake: FakePaddle, customer_id: str
) -> None:
    """All six list parameters, and the pages after them, pass the spec."""
    ids = [fake.add_business(customer_id, name=f"Biz {i}")["id"] for i in range(5)]
    request = ListBusinesses(
        after=ids[4], id=ids, order_by="id[DESC]", per_page=1, search="biz",
        status=["archived", "active"],
    )  # fmt: skip
    assert ids[3::-1] == [b.id async for b in paddle.businesses.list(customer_id, request)]


# Errors


async def test_unknown_customer_and_entities_are_404(paddle: Paddle, customer_id: str) -> None:
    """not_found from every operation is the spec's error shape, raised as NotFoundError."""
    calls = [
        paddle.addresses.create(UNKNOWN_CUSTOMER, CreateAddress(country_code="US")),
        paddle.addresses.get(customer_id, UNKNOWN_ADDRESS),
        paddle.addresses.update(customer_id, UNKNOWN_ADDRESS, UpdateAddress(city="X")),
        paddle.addresses.list(UNKNOWN_CUSTOMER).collect(),
        paddle.businesses.create(UNKNOWN_CUSTOMER, CreateBusiness(name="B")),
        paddle.businesses.get(customer_id, UNKNOWN_BUSINESS),
        paddle.businesses.update(customer_id, UNKNOWN_BUSINESS, UpdateBusiness(name="B")),
        paddle.businesses.list(UNKNOWN_CUSTOMER).collect(),
    ]
    codes = []
    for call in calls:
        with pytest.raises(NotFoundError) as caught:
            await call
        codes.append((caught.value.status, caught.value.code))
    assert [(404, "not_found")] * 8 == codes


# The check can fail


@attrs.frozen(kw_only=True)
class _CreateArchivedAddress(CreateAddress):
    """A create body with status, which only an update may send."""

    status: str = attrs.field(default="archived", metadata=declare())


@attrs.frozen(kw_only=True)
class _UpdateBusinessId(UpdateBusiness):
    """An update body with the read-only customer_id."""

    customer_id: str = attrs.field(default=UNKNOWN_CUSTOMER, metadata=declare())


async def test_status_in_an_address_create_is_reported(
    paddle: Paddle, fake: FakePaddle, contract: Contract, customer_id: str
) -> None:
    """A create body with status breaks the spec; Prism never forwards it."""
    with pytest.raises(BadRequestError):
        await paddle.addresses.create(customer_id, _CreateArchivedAddress(country_code="US"))
    message = "Request body must NOT have additional properties; found 'status'"
    path = f"POST /customers/{customer_id}/addresses"
    assert [Violation(path, "request.body", "additionalProperties", message)] == contract.take()
    assert [] == [r for r in fake.requests if r.method == "POST"]


async def test_a_read_only_business_field_is_reported(
    paddle: Paddle, fake: FakePaddle, contract: Contract, customer_id: str
) -> None:
    """customer_id in an update body breaks the spec."""
    business = fake.add_business(customer_id, name="B")["id"]
    with pytest.raises(BadRequestError):
        await paddle.businesses.update(customer_id, business, _UpdateBusinessId(name="C"))
    assert [("request.body", "additionalProperties")] == [
        (v.location, v.code) for v in contract.take()
    ]


async def test_an_unsupported_country_in_an_answer_is_reported(
    paddle: Paddle, fake: FakePaddle, contract: Contract, customer_id: str
) -> None:
    """An address in RU (not a supported country) in a response breaks the spec (Prism: 500)."""
    address = fake.add_address(customer_id, country_code="RU")["id"]
    with pytest.raises(ServerError):
        await paddle.addresses.get(customer_id, address)
    found = [(v.location, v.code) for v in contract.take()]
    assert ("response.body.data.country_code", "enum") in found
    assert {"response.body.data.country_code"} == {location for location, _ in found}


async def test_an_unknown_business_status_in_an_answer_is_reported(
    paddle: Paddle, fake: FakePaddle, contract: Contract, customer_id: str
) -> None:
    """A business status outside the spec's enum, in an answer, breaks the spec."""
    business = fake.add_business(customer_id, name="B", status="paused")["id"]
    with pytest.raises(ServerError):
        await paddle.businesses.get(customer_id, business)
    assert [("response.body.data.status", "enum")] == [
        (v.location, v.code) for v in contract.take()
    ]


async def test_more_than_100_contacts_is_reported(
    fake: FakePaddle, contract: Contract, customer_id: str
) -> None:
    """101 contacts break the spec's maxItems (sent raw: the SDK refuses them itself)."""
    contacts = [{"email": f"c{i}@example.com"} for i in range(101)]
    headers = {"Authorization": f"Bearer {fake.api_key}", "Content-Type": "application/json"}
    body = json.dumps({"name": "B", "contacts": contacts}).encode()
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{contract.base_url}/customers/{customer_id}/businesses", data=body, headers=headers
        ) as response,
    ):
        assert 422 == response.status
    assert [("request.body.contacts", "maxItems")] == [
        (v.location, v.code) for v in contract.take()
    ]
    assert [] == fake.businesses(customer_id)
