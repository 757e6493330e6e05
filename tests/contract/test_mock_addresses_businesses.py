"""Addresses and businesses against ``prism mock --errors``: the spec's own examples.

Prism answers each valid request with the operation's first success example, so these tests
show that Paddle's documented answers fit the models (built here by hand, not by the SDK's
converter), and that the SDK's requests built from the spec's request examples pass the spec.
The examples use different ids in different operations, so no answer is expected to echo the
request's ids.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import aiohttp
import pytest
import yaml

from paddle_async import Paddle
from paddle_async.addresses import (
    Address,
    AddressStatus,
    CreateAddress,
    ListAddresses,
    UpdateAddress,
)
from paddle_async.businesses import (
    Business,
    BusinessContact,
    BusinessStatus,
    Contact,
    CreateBusiness,
    ListBusinesses,
    UpdateBusiness,
)
from paddle_async.customers import ImportMeta, MigrationProvider
from paddle_async.errors import ValidationError

from .conftest import Contract, skip_module_without_prism
from .prism import SPEC

skip_module_without_prism()

_DOCUMENT = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
CUSTOMER_ID = "ctm_01hv6y1jedq4p1n0yqn5ba3ky4"
ADDRESS_ID = "add_01hv8gq3318ktkfengj2r75gfx"
BUSINESS_ID = "biz_01hv8hkr641vmpwytx38znv56k"
ADDRESSES = "/customers/{customer_id}/addresses"
BUSINESSES = "/customers/{customer_id}/businesses"


def _example(path: str, method: str, status: str) -> dict[str, Any]:
    content = _DOCUMENT["paths"][path][method]["responses"][status]["content"]
    (example,) = content["application/json"]["examples"].values()
    value: dict[str, Any] = example["value"]
    return value


def _request_example(name: str) -> dict[str, Any]:
    value: dict[str, Any] = _DOCUMENT["components"]["examples"][name]["value"]
    return value


def _import_meta(wire: dict[str, Any] | None) -> ImportMeta | None:
    if wire is None:
        return None
    return ImportMeta(
        imported_from=MigrationProvider(wire["imported_from"]), external_id=wire.get("external_id")
    )


def _address(wire: dict[str, Any]) -> Address:
    """Build the model by hand from a spec example."""
    return Address(
        id=wire["id"],
        customer_id=wire["customer_id"],
        country_code=wire["country_code"],
        description=wire["description"],
        first_line=wire["first_line"],
        second_line=wire["second_line"],
        city=wire["city"],
        postal_code=wire["postal_code"],
        region=wire["region"],
        custom_data=wire["custom_data"],
        status=AddressStatus(wire["status"]),
        created_at=datetime.fromisoformat(wire["created_at"]),
        updated_at=datetime.fromisoformat(wire["updated_at"]),
        import_meta=_import_meta(wire["import_meta"]),
    )


def _business(wire: dict[str, Any]) -> Business:
    return Business(
        id=wire["id"],
        customer_id=wire["customer_id"],
        name=wire["name"],
        company_number=wire["company_number"],
        tax_identifier=wire["tax_identifier"],
        contacts=tuple(BusinessContact(email=c["email"], name=c["name"]) for c in wire["contacts"]),
        custom_data=wire["custom_data"],
        status=BusinessStatus(wire["status"]),
        created_at=datetime.fromisoformat(wire["created_at"]),
        updated_at=datetime.fromisoformat(wire["updated_at"]),
        import_meta=_import_meta(wire["import_meta"]),
    )


def _contacts(example: dict[str, Any]) -> dict[str, Any]:
    """A request example with its contacts as `Contact` objects."""
    contacts = [Contact(**contact) for contact in example.get("contacts", ())]
    return example | ({"contacts": contacts} if "contacts" in example else {})


# Addresses


async def test_address_create_parses_the_spec_example(mock_paddle: Paddle) -> None:
    """create sends the spec's request example and parses its 201 example."""
    request = CreateAddress(**_request_example("create-address-standard"))
    expected = _address(_example(ADDRESSES, "post", "201")["data"])
    assert expected == await mock_paddle.addresses.create(CUSTOMER_ID, request)


async def test_address_get_parses_the_spec_example(mock_paddle: Paddle) -> None:
    """get parses the spec's 200 example."""
    expected = _address(_example(ADDRESSES + "/{address_id}", "get", "200")["data"])
    assert expected == await mock_paddle.addresses.get(CUSTOMER_ID, ADDRESS_ID)


async def test_address_update_parses_the_spec_example(mock_paddle: Paddle) -> None:
    """update sends the spec's request example and parses its 200 example (another id)."""
    request = UpdateAddress(**_request_example("update-address-standard"))
    expected = _address(_example(ADDRESSES + "/{address_id}", "patch", "200")["data"])
    assert expected == await mock_paddle.addresses.update(CUSTOMER_ID, ADDRESS_ID, request)


async def test_address_list_parses_the_spec_example(mock_paddle: Paddle) -> None:
    """list parses the spec's 200 example, an imported address included, and stops there."""
    example = _example(ADDRESSES, "get", "200")
    request = ListAddresses(status=["active", "archived"], per_page=50, search="Office")
    pages = [page async for page in mock_paddle.addresses.list(CUSTOMER_ID, request).pages()]
    assert [[_address(item) for item in example["data"]]] == [list(p.items) for p in pages]
    assert [(False, 50, 3)] == [(p.has_more, p.per_page, p.estimated_total) for p in pages]
    assert MigrationProvider.PADDLE_CLASSIC == pages[0].items[0].import_meta.imported_from  # type: ignore[union-attr]


# Businesses


async def test_business_create_parses_the_spec_example(mock_paddle: Paddle) -> None:
    """create sends the spec's request example (a named contact) and parses its 201 example."""
    request = CreateBusiness(**_contacts(_request_example("create-business-standard")))
    expected = _business(_example(BUSINESSES, "post", "201")["data"])
    assert expected == await mock_paddle.businesses.create(CUSTOMER_ID, request)


async def test_business_get_parses_the_spec_example(mock_paddle: Paddle) -> None:
    """get parses the spec's 200 example: three contacts, two with the same e-mail."""
    expected = _business(_example(BUSINESSES + "/{business_id}", "get", "200")["data"])
    business = await mock_paddle.businesses.get(CUSTOMER_ID, BUSINESS_ID)
    assert expected == business
    assert 3 == len(business.contacts)


async def test_business_update_parses_the_spec_example(mock_paddle: Paddle) -> None:
    """update sends the spec's request example (a repeated e-mail under two names)."""
    request = UpdateBusiness(**_contacts(_request_example("update-business-standard")))
    expected = _business(_example(BUSINESSES + "/{business_id}", "patch", "200")["data"])
    assert expected == await mock_paddle.businesses.update(CUSTOMER_ID, BUSINESS_ID, request)


async def test_business_list_parses_the_spec_example(mock_paddle: Paddle) -> None:
    """list, with every parameter, parses the spec's 200 example."""
    example = _example(BUSINESSES, "get", "200")
    request = ListBusinesses(
        after=BUSINESS_ID, id=[BUSINESS_ID], order_by="id[DESC]", per_page=10, search="Uplift",
        status="active",
    )  # fmt: skip
    found = await mock_paddle.businesses.list(CUSTOMER_ID, request).collect()
    assert [_business(item) for item in example["data"]] == found


# The check can fail in mock mode too


async def test_an_unsupported_country_never_reaches_the_mock(
    mock_paddle: Paddle, mock_contract: Contract
) -> None:
    """The SDK refuses what the spec's enum refuses; raw, the same body is a violation."""
    with pytest.raises(ValidationError):
        CreateAddress(country_code="RU")
    assert [] == mock_contract.take()
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{mock_contract.base_url}/customers/{CUSTOMER_ID}/addresses",
            json={"country_code": "RU"},
            headers={"Authorization": "Bearer pdl_sdbx_apikey_01fakefakefakefakefakefake_x"},
        ) as response,
    ):
        assert 422 == response.status
    violations = mock_contract.take()
    assert violations
    assert {"request.body.country_code"} == {v.location for v in violations}
