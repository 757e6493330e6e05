"""The SDK against ``prism mock --errors``: each operation parses the spec's own example.

Prism answers every valid request with the first example of the operation's success response,
so these tests show that what Paddle documents as its answers fits the SDK's models, and that
the SDK's requests for them pass the spec.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import yaml

from paddle_async import Paddle
from paddle_async.customers import (
    CreateCustomer,
    CreditBalance,
    CurrencyCode,
    Customer,
    CustomerBalance,
    CustomerStatus,
    ImportMeta,
    MigrationProvider,
    UpdateCustomer,
)

from .conftest import skip_module_without_prism
from .prism import SPEC

skip_module_without_prism()

_DOCUMENT = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
CUSTOMER_ID = "ctm_01hv6y1jedq4p1n0yqn5ba3ky4"


def _example(path: str, method: str, status: str) -> dict[str, Any]:
    """Return the one example of an operation's response."""
    content = _DOCUMENT["paths"][path][method]["responses"][status]["content"]
    (example,) = content["application/json"]["examples"].values()
    value: dict[str, Any] = example["value"]
    return value


def _request_example(name: str) -> dict[str, Any]:
    value: dict[str, Any] = _DOCUMENT["components"]["examples"][name]["value"]
    return value


def _customer(wire: dict[str, Any]) -> Customer:
    """Build the model by hand from a spec example, independently of the SDK's converter."""
    import_meta = wire["import_meta"]
    return Customer(
        id=wire["id"],
        email=wire["email"],
        name=wire["name"],
        status=CustomerStatus(wire["status"]),
        custom_data=wire["custom_data"],
        locale=wire["locale"],
        marketing_consent=wire["marketing_consent"],
        created_at=datetime.fromisoformat(wire["created_at"]),
        updated_at=datetime.fromisoformat(wire["updated_at"]),
        import_meta=None
        if import_meta is None
        else ImportMeta(
            imported_from=MigrationProvider(import_meta["imported_from"]),
            external_id=import_meta.get("external_id"),
        ),
    )


def _credit_balance(wire: dict[str, Any]) -> CreditBalance:
    totals = wire["balance"]
    return CreditBalance(
        customer_id=wire["customer_id"],
        currency_code=CurrencyCode(wire["currency_code"]),
        balance=CustomerBalance(
            available=Decimal(totals["available"]),
            reserved=Decimal(totals["reserved"]),
            used=Decimal(totals["used"]),
        ),
    )


async def test_create_parses_the_spec_example(mock_paddle: Paddle) -> None:
    """create sends the spec's request example and parses its 201 example."""
    request = CreateCustomer(**_request_example("create-customer-standard"))
    expected = _customer(_example("/customers", "post", "201")["data"])
    assert expected == await mock_paddle.customers.create(request)


async def test_get_parses_the_spec_example(mock_paddle: Paddle) -> None:
    """get parses the spec's 200 example."""
    expected = _customer(_example("/customers/{customer_id}", "get", "200")["data"])
    assert expected == await mock_paddle.customers.get(CUSTOMER_ID)


async def test_update_parses_the_spec_example(mock_paddle: Paddle) -> None:
    """update sends the spec's request example and parses its 200 example."""
    request = UpdateCustomer(**_request_example("update-customer-standard"))
    expected = _customer(_example("/customers/{customer_id}", "patch", "200")["data"])
    assert expected == await mock_paddle.customers.update(CUSTOMER_ID, request)


async def test_list_parses_the_spec_example(mock_paddle: Paddle) -> None:
    """list parses the spec's 200 example, its pagination included, and stops on has_more."""
    example = _example("/customers", "get", "200")
    pagination = example["meta"]["pagination"]
    pages = [page async for page in mock_paddle.customers.list().pages()]
    assert [[_customer(item) for item in example["data"]]] == [list(p.items) for p in pages]
    assert [(False, None, 50, 4, example["meta"]["request_id"])] == [
        (p.has_more, p.next_cursor, p.per_page, p.estimated_total, p.request_id) for p in pages
    ]
    assert (50, 4) == (pagination["per_page"], pagination["estimated_total"])


async def test_list_credit_balances_parses_the_spec_example(mock_paddle: Paddle) -> None:
    """list_credit_balances parses the spec's 200 example, amounts as exact decimals."""
    example = _example("/customers/{customer_id}/credit-balances", "get", "200")
    balances = await mock_paddle.customers.list_credit_balances(CUSTOMER_ID)
    assert [_credit_balance(item) for item in example["data"]] == balances
    assert Decimal("550") == balances[0].balance.available
