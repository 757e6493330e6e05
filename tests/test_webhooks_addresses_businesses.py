"""address.* and business.* notifications parse into typed events, like the customer events."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from paddle_async import Paddle
from paddle_async.addresses import Address, AddressStatus, CreateAddress, UpdateAddress
from paddle_async.businesses import Business, BusinessContact, Contact, CreateBusiness
from paddle_async.customers import ImportMeta, MigrationProvider
from paddle_async.errors import ValidationError, WebhookPayloadError
from paddle_async.testing import FakePaddle, make_event
from paddle_async.webhooks import (
    ADDRESS_EVENT_TYPES,
    BUSINESS_EVENT_TYPES,
    ENTITY_EVENTS,
    AddressEvent,
    BusinessEvent,
    Event,
    is_newer,
    parse_event,
)

CUSTOMER_ID = "ctm_01hv6y1jedq4p1n0yqn5ba3ky4"
# The shapes of the spec's address and business examples (get-address, get-business).
ADDRESS: dict[str, Any] = {
    "id": "add_01hv8gq3318ktkfengj2r75gfx",
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
}
BUSINESS: dict[str, Any] = {
    "id": "biz_01hv8hkr641vmpwytx38znv56k",
    "status": "active",
    "customer_id": CUSTOMER_ID,
    "name": "Uplift Inc.",
    "company_number": "555775291485",
    "tax_identifier": "555952383",
    "contacts": [
        {"name": "Parker Jones", "email": "parker@example.com"},
        {"name": "Jo Riley", "email": "jo@example.com"},
    ],
    "custom_data": {"crm_id": "eb9b8d9b"},
    "created_at": "2024-04-12T06:58:37.892Z",
    "updated_at": "2024-04-12T07:01:03.510528Z",
    "import_meta": None,
}
IMPORTED = {
    "external_id": "59f25141-28c3-4447-b77c-dae5677537f0",
    "imported_from": "paddle_classic",
}


def test_the_table_has_the_six_event_types() -> None:
    """address.* and business.* (created, updated, imported) are entries of ENTITY_EVENTS."""
    assert {"address.created", "address.updated", "address.imported"} == ADDRESS_EVENT_TYPES
    assert {"business.created", "business.updated", "business.imported"} == BUSINESS_EVENT_TYPES
    assert ADDRESS_EVENT_TYPES | BUSINESS_EVENT_TYPES <= ENTITY_EVENTS.keys()
    assert {(AddressEvent, "address", Address)} == {
        (s.event_class, s.field, s.model)
        for t, s in ENTITY_EVENTS.items()
        if t.startswith("address.")
    }
    assert {(BusinessEvent, "business", Business)} == {
        (s.event_class, s.field, s.model)
        for t, s in ENTITY_EVENTS.items()
        if t.startswith("business.")
    }


@pytest.mark.parametrize("event_type", sorted(ADDRESS_EVENT_TYPES))
def test_address_notifications_parse_into_address_events(event_type: str) -> None:
    """Each address event carries the address as the API's model; `entity` is the same."""
    data = {**ADDRESS, "import_meta": IMPORTED if event_type == "address.imported" else None}
    event = parse_event(make_event(event_type, data, event_id="evt_01hv8gq3318ktkfengj2r75gfx"))
    assert isinstance(event, AddressEvent)
    assert event.entity is event.address
    assert (event_type, "evt_01hv8gq3318ktkfengj2r75gfx", data) == (
        event.event_type, event.event_id, event.data
    )  # fmt: skip
    address = event.address
    assert (ADDRESS["id"], "New York", AddressStatus.ACTIVE) == (
        address.id, address.city, address.status
    )  # fmt: skip
    assert datetime(2024, 4, 12, 6, 42, 58, 785000, tzinfo=UTC) == address.updated_at
    expected = ImportMeta(
        imported_from=MigrationProvider.PADDLE_CLASSIC, external_id=IMPORTED["external_id"]
    )
    assert (expected if event_type == "address.imported" else None) == address.import_meta


@pytest.mark.parametrize("event_type", sorted(BUSINESS_EVENT_TYPES))
def test_business_notifications_parse_into_business_events(event_type: str) -> None:
    """Each business event carries the business, contacts included, as the API's model."""
    event = parse_event(make_event(event_type, BUSINESS))
    assert isinstance(event, BusinessEvent)
    assert event.entity is event.business
    assert (
        BusinessContact(email="parker@example.com", name="Parker Jones"),
        BusinessContact(email="jo@example.com", name="Jo Riley"),
    ) == event.business.contacts


def test_unknown_fields_and_values_are_tolerated() -> None:
    """A newer status or provider, and fields this version does not know, still parse."""
    data = {
        **ADDRESS,
        "status": "suspended",
        "geo": {"lat": 1},
        "import_meta": {"imported_from": "elsewhere"},
    }
    event = parse_event(make_event("address.imported", data))
    assert isinstance(event, AddressEvent)
    assert ("suspended", "elsewhere") == (
        event.address.status,
        event.address.import_meta.imported_from,
    )  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("event_type", "data", "what"),
    [
        ("address.updated", {**ADDRESS, "country_code": 49}, "'data' is not an address"),
        ("address.created", {k: v for k, v in ADDRESS.items() if k != "customer_id"}, "an address"),
        ("business.created", {**BUSINESS, "contacts": [{"name": "No e-mail"}]}, "a business"),
        ("business.updated", {**BUSINESS, "updated_at": "yesterday"}, "a business"),
    ],
)
def test_data_that_is_not_the_entity_is_a_payload_error(
    event_type: str, data: dict[str, Any], what: str
) -> None:
    """A signed notification whose data is not an address (or business) cannot be read: 400."""
    with pytest.raises(WebhookPayloadError) as caught:
        parse_event(make_event(event_type, data, event_id="evt_x"))
    assert what in caught.value.reason
    assert (event_type, "evt_x") == (caught.value.event_type, caught.value.event_id)


def test_other_customer_area_types_stay_generic() -> None:
    """An event type not in the table (address.deleted does not exist) is a plain Event."""
    event = parse_event(make_event("address.deleted", ADDRESS))
    assert type(event) is Event


def test_is_newer_compares_addresses_and_businesses_by_updated_at() -> None:
    """The freshness rule works for these events: later wins, equal is not newer."""
    stored = parse_event(make_event("address.created", ADDRESS))
    assert isinstance(stored, AddressEvent)
    later = {**ADDRESS, "updated_at": "2024-04-12T07:00:00Z", "city": "Astoria"}
    event = parse_event(make_event("address.updated", later))
    assert isinstance(event, AddressEvent)
    assert is_newer(event, stored.address)
    assert not is_newer(stored, event.address)
    assert not is_newer(stored, stored.address)
    assert is_newer(event, stored.address.updated_at + timedelta(minutes=1))
    assert not is_newer(event, event.address.updated_at + timedelta(microseconds=1))
    business = parse_event(make_event("business.updated", BUSINESS))
    assert isinstance(business, BusinessEvent)
    with pytest.raises(ValidationError, match="must be an address or a datetime"):
        is_newer(event, business.business)
    other = parse_event(make_event("address.updated", {**ADDRESS, "id": "add_" + "0" * 26}))
    assert isinstance(other, AddressEvent)
    with pytest.raises(ValidationError, match="but the event is about"):
        is_newer(event, other.address)


async def test_fake_paddle_notifies_what_the_api_returned(fake: FakePaddle, paddle: Paddle) -> None:
    """FakePaddle's address and business notifications parse into the models the API gave."""
    heard: list[tuple[str, dict[str, Any]]] = []

    async def listen(event_type: str, data: dict[str, Any]) -> None:
        heard.append((event_type, data))

    fake.subscribe(listen)
    customer_id = fake.add_customer(email="owner@example.com")["id"]
    created = await paddle.addresses.create(
        customer_id, CreateAddress(country_code="DE", city="Berlin")
    )
    updated = await paddle.addresses.update(customer_id, created.id, UpdateAddress(city=None))
    business = await paddle.businesses.create(
        customer_id, CreateBusiness(name="B", contacts=[Contact(email="b@example.com")])
    )
    for _ in range(100):
        if len(heard) == 3:
            break
        await asyncio.sleep(0.01)
    events = [parse_event(make_event(event_type, data)) for event_type, data in heard]
    assert ["address.created", "address.updated", "business.created"] == [
        e.event_type for e in events
    ]
    assert [created, updated, business] == [e.entity for e in events]  # type: ignore[attr-defined]
