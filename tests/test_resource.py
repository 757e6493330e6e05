"""The shared operation helpers and request unstructuring, on a resource the SDK lacks.

A small address-like resource built from the helpers alone shows what a new resource module
gets: bodies and queries through the converter, validated paths, one or a list structured,
a delete answered 204, and a listing whose cursor is its own kind of id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import pytest
from memory_sender import CUSTOMER_ID, MemorySender, envelope, page

from paddle_async import UNSET, AsyncPaginator, Unset
from paddle_async import _validation as rules
from paddle_async._convert import register_model, unstructure, unstructure_query
from paddle_async._protocol import ApiRequest, Kind, Sender
from paddle_async._resource import Path, body, paginate, query, send_list, send_none, send_one
from paddle_async._validation import Request, as_items, declare
from paddle_async.errors import InvalidResponseError, ValidationError

ADDRESS_A = "add_01h844p3h41s12zs5mn4axja51"
ADDRESS_B = "add_01h844p3h41s12zs5mn4axja52"
ADDRESSES = Path("/customers/{customer_id}/addresses")
ADDRESS = Path("/customers/{customer_id}/addresses/{address_id}")


@attrs.frozen(kw_only=True)
class Place:
    """A model, registered like any other."""

    id: str
    country_code: str
    city: str | None = None


register_model(Place)


@attrs.frozen(kw_only=True)
class Contact(Request):
    email: str = attrs.field(metadata=declare(rules.email))
    name: str | None = attrs.field(default=None, metadata=declare(rules.text(1024)))


@attrs.frozen(kw_only=True)
class UpdatePlace(Request):
    city: str | Unset | None = attrs.field(
        default=UNSET, metadata=declare(rules.text(200), null=True)
    )
    region: str | Unset | None = attrs.field(default=UNSET, metadata=declare(rules.text(200)))
    country_code: str | Unset = attrs.field(default=UNSET, metadata=declare(rules.country_code))
    contacts: Sequence[Contact] | Unset = attrs.field(default=UNSET, metadata=declare())
    note: Any = attrs.field(default=None, metadata=declare(local=True))


@attrs.frozen(kw_only=True)
class ListPlaces(Request):
    after: str | None = attrs.field(default=None, metadata=declare(rules.id_of("address")))
    id: Sequence[str] | None = attrs.field(
        default=None, converter=as_items, metadata=declare(rules.each(rules.id_of("address")))
    )
    supports_checkout: bool | None = attrs.field(default=None, metadata=declare())
    per_page: int | None = attrs.field(default=None, metadata=declare(rules.per_page))


def list_places(sender: Sender, customer_id: str, request: ListPlaces) -> AsyncPaginator[Place]:
    return paginate(sender, ADDRESSES(customer_id=customer_id), request, Place, timeout=None)


def place(place_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": place_id, "country_code": "DE", "city": "Berlin", "extra": [1], **fields}


def test_a_body_holds_the_given_fields_as_declared() -> None:
    """UNSET is left out, None is null only where declared, local fields never go out."""
    request = UpdatePlace(city=None, contacts=[Contact(email="ada@example.com")])
    assert {"city": None, "contacts": [{"email": "ada@example.com"}]} == unstructure(request)
    with pytest.raises(ValidationError):
        UpdatePlace(region=None)  # not declared null: Paddle cannot clear it
    assert b'{"city":null,"contacts":[{"email":"ada@example.com"}]}' == body(request)
    assert {"country_code": "DE"} == unstructure(UpdatePlace(country_code="DE", note="mine"))


def test_a_query_joins_lists_and_spells_booleans_as_json() -> None:
    """Lists are comma-joined, booleans true/false, None left out."""
    request = ListPlaces(id=[ADDRESS_A, ADDRESS_B], supports_checkout=False, per_page=10)
    assert {"id": f"{ADDRESS_A},{ADDRESS_B}", "supports_checkout": "false", "per_page": 10} == (
        unstructure_query(request)
    )
    assert f"id={ADDRESS_A},{ADDRESS_B}&supports_checkout=false&per_page=10" == query(request)
    assert "" == query(None)


async def test_send_one_structures_the_model_and_ignores_unknown_keys() -> None:
    """send_one returns data as the model."""
    sender = MemorySender(envelope(place(ADDRESS_A)))
    request = ApiRequest(method="GET", path=ADDRESS(customer_id=CUSTOMER_ID, address_id=ADDRESS_A))
    assert Place(id=ADDRESS_A, country_code="DE", city="Berlin") == await send_one(
        sender, request, Place, timeout=None
    )


async def test_send_list_refuses_data_that_is_no_list() -> None:
    """An unpaginated list whose data is an object is an InvalidResponseError."""
    sender = MemorySender(envelope(place(ADDRESS_A)), envelope([place(ADDRESS_B)]))
    request = ApiRequest(method="GET", path="/x")
    with pytest.raises(InvalidResponseError):
        await send_list(sender, request, Place, timeout=None)
    assert [ADDRESS_B] == [p.id for p in await send_list(sender, request, Place, timeout=None)]


async def test_send_none_takes_a_204() -> None:
    """A delete answered 204 No Content returns None."""
    sender = MemorySender(envelope(None, status=204))
    path = ADDRESS(customer_id=CUSTOMER_ID, address_id=ADDRESS_A)
    request = ApiRequest(method="DELETE", path=path, kind=Kind.UPDATE)
    assert None is await send_none(sender, request, timeout=None)
    assert [request] == sender.sent


async def test_a_listing_pages_with_cursors_of_its_own_kind() -> None:
    """paginate follows next with an address cursor, keeping only the request's parameters."""
    path = f"/customers/{CUSTOMER_ID}/addresses"
    sender = MemorySender(  # newest first, Paddle's default order
        page([place(ADDRESS_B)], next_after=f"{ADDRESS_B}&per_page=1&evil=1", path=path),
        page([place(ADDRESS_A)], path=path),
    )
    places = await list_places(sender, CUSTOMER_ID, ListPlaces(per_page=1)).collect()
    assert [ADDRESS_B, ADDRESS_A] == [p.id for p in places]
    assert [("per_page=1", path), (f"after={ADDRESS_B}&per_page=1", path)] == [
        (r.query, r.path) for r in sender.sent
    ]


async def test_a_listing_refuses_a_cursor_of_another_kind() -> None:
    """A next whose cursor is a customer id, in an address listing, is refused."""
    sender = MemorySender(page([place(ADDRESS_A)], next_after=CUSTOMER_ID))
    with pytest.raises(InvalidResponseError, match="cursor"):
        await list_places(sender, CUSTOMER_ID, ListPlaces()).collect()


def test_a_listing_needs_an_after_declared_as_an_id() -> None:
    """A list request class without an id-checked `after` cannot be paginated."""
    with pytest.raises(TypeError, match="after"):
        paginate(MemorySender(), "/x", UpdatePlace(city="B"), Place, timeout=None)


async def test_a_bad_id_in_a_path_sends_nothing() -> None:
    """Path refuses an id of the wrong kind before a request exists."""
    sender = MemorySender()
    with pytest.raises(ValidationError):
        list_places(sender, ADDRESS_A, ListPlaces())
    assert [] == sender.sent
