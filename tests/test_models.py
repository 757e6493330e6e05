"""Parsing Paddle's responses into models: fixtures, spec examples, and tolerance."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from paddle_async._convert import StructureError, structure
from paddle_async.customers import (
    CreditBalance,
    CurrencyCode,
    Customer,
    CustomerStatus,
    ImportMeta,
    MigrationProvider,
)

DATA = Path(__file__).parent / "data"
FIXTURES = DATA / "paddle-fixtures"
SPEC = DATA / "paddle-openapi" / "customer-area-openapi.yaml"


def customer_dict(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "ctm_01h844p3h41s12zs5mn4axja51",
        "status": "active",
        "custom_data": None,
        "name": "Alex Wilson",
        "email": "alex@example.com",
        "marketing_consent": False,
        "locale": "en",
        "created_at": "2023-08-18T10:57:31.172Z",
        "updated_at": "2023-08-18T10:57:31.172Z",
    }
    base.update(changes)
    return base


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


@pytest.mark.parametrize("name", ["customers_full_entity.json", "customers_minimal_entity.json"])
def test_fixture_entities_parse(name: str) -> None:
    """Both single-customer fixtures (without import_meta) parse."""
    data = load(name)["data"]
    customer = structure(data, Customer)
    assert data["id"] == customer.id
    assert customer.import_meta is None


def test_minimal_fixture_keeps_nulls() -> None:
    """A null name and null custom_data stay None."""
    customer = structure(load("customers_minimal_entity.json")["data"], Customer)
    assert (None, None) == (customer.name, customer.custom_data)


def test_list_fixture_parses_every_customer() -> None:
    """The list fixture's three customers parse, custom_data objects and nulls alike."""
    document = load("customers_list_default.json")
    customers = [structure(item, Customer) for item in document["data"]]
    assert 3 == len(customers)
    assert [{"customer_reference_id": "abcd1234"}, None, None] == [c.custom_data for c in customers]


def test_credit_balance_fixture_is_exact() -> None:
    """Credit balance amounts are exact decimals, never floats."""
    balances = [
        structure(i, CreditBalance) for i in load("customers_list_credit_balances.json")["data"]
    ]
    assert CurrencyCode.USD == balances[0].currency_code
    balance = balances[0].balance
    assert (Decimal("550"), Decimal("900"), Decimal("1300")) == (
        balance.available,
        balance.reserved,
        balance.used,
    )
    assert isinstance(balance.available, Decimal)


@pytest.mark.parametrize(
    "name",
    [
        "notification_customer.created.json",
        "notification_customer.imported.json",
        "notification_customer.updated.json",
    ],
)
def test_notification_customers_parse(name: str) -> None:
    """The customer inside each webhook sample parses with the same model."""
    customer = structure(load(name), Customer)
    assert customer.id.startswith("ctm_")


def test_imported_customer_keeps_a_provider_the_spec_does_not_list() -> None:
    """The imported sample's provider (not in the spec's enum) is kept as its string."""
    customer = structure(load("notification_customer.imported.json"), Customer)
    assert customer.import_meta is not None
    assert "billing_platform" == customer.import_meta.imported_from
    assert not isinstance(customer.import_meta.imported_from, MigrationProvider)


# The customer operations' paths; the other customer-area operations have models of their own.
CUSTOMER_PATHS = (
    "/customers",
    "/customers/{customer_id}",
    "/customers/{customer_id}/credit-balances",
)


def _spec_examples() -> list[tuple[str, Any]]:
    spec = yaml.safe_load(SPEC.read_text())
    found: list[tuple[str, Any]] = []
    for path in CUSTOMER_PATHS:
        operations = spec["paths"][path]
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {}).get("application/json", {})
                for example in content.get("examples", {}).values():
                    found.append((f"{method.upper()} {path} {status}", example["value"]))
    return found


@pytest.mark.parametrize(("operation", "document"), _spec_examples())
def test_spec_examples_parse(operation: str, document: Any) -> None:
    """Every response example in Paddle's OpenAPI spec parses into our models."""
    data = document["data"]
    if "credit-balances" in operation:
        parsed: list[Any] = [structure(item, CreditBalance) for item in data]
    elif isinstance(data, list):
        parsed = [structure(item, Customer) for item in data]
    else:
        parsed = [structure(data, Customer)]
    assert parsed


def test_unknown_fields_are_ignored() -> None:
    """Fields Paddle adds later do not break parsing."""
    customer = structure(customer_dict(loyalty_tier="gold", nested={"a": [1]}), Customer)
    assert "ctm_01h844p3h41s12zs5mn4axja51" == customer.id


def test_unknown_enum_values_are_kept() -> None:
    """Unknown status, provider and currency values stay as their strings."""
    customer = structure(
        customer_dict(
            status="suspended", import_meta={"imported_from": "stripe", "external_id": None}
        ),
        Customer,
    )
    balance = structure(
        {"customer_id": "ctm_x", "currency_code": "XYZ", "balance": {}}, CreditBalance
    )
    assert "suspended" == customer.status
    assert ImportMeta(imported_from="stripe", external_id=None) == customer.import_meta
    assert "XYZ" == balance.currency_code


def test_known_status_is_an_enum_member() -> None:
    """A known status compares equal to the enum and to its string."""
    customer = structure(customer_dict(status="archived"), Customer)
    assert CustomerStatus.ARCHIVED is customer.status
    assert "archived" == customer.status


def test_empty_custom_data_differs_from_null() -> None:
    """custom_data {} and null are kept apart."""
    assert {} == structure(customer_dict(custom_data={}), Customer).custom_data
    assert structure(customer_dict(custom_data=None), Customer).custom_data is None


def test_missing_optional_fields_take_defaults() -> None:
    """A customer with only id, email and timestamps parses with defaults."""
    customer = structure(
        {
            "id": "ctm_01h844p3h41s12zs5mn4axja51",
            "email": "a@example.com",
            "created_at": "2024-01-01T00:00:00Z",
            "updated_at": "2024-01-01T00:00:00Z",
        },
        Customer,
    )
    assert (None, "active", "en", False, None) == (
        customer.name,
        customer.status,
        customer.locale,
        customer.marketing_consent,
        customer.custom_data,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-04-11T15:57:24Z", datetime(2024, 4, 11, 15, 57, 24, tzinfo=UTC)),
        ("2024-05-03T10:34:12.34Z", datetime(2024, 5, 3, 10, 34, 12, 340000, tzinfo=UTC)),
        ("2024-04-11T15:57:24.813Z", datetime(2024, 4, 11, 15, 57, 24, 813000, tzinfo=UTC)),
        ("2024-04-11T15:59:56.658719Z", datetime(2024, 4, 11, 15, 59, 56, 658719, tzinfo=UTC)),
        ("2023-11-23T15:33:19.238230688Z", datetime(2023, 11, 23, 15, 33, 19, 238230, tzinfo=UTC)),
        ("2024-04-11T15:57:24.813+00:00", datetime(2024, 4, 11, 15, 57, 24, 813000, tzinfo=UTC)),
        ("0001-01-01T00:00:00Z", datetime(1, 1, 1, tzinfo=UTC)),
    ],
)
def test_timestamps_parse_with_any_precision(text: str, expected: datetime) -> None:
    """Timestamps with 0, 2, 3, 6 and 9 fractional digits parse as aware datetimes."""
    customer = structure(customer_dict(created_at=text, updated_at=text), Customer)
    assert expected == customer.created_at
    assert customer.updated_at.tzinfo is not None


@pytest.mark.parametrize(
    "change",
    [
        {"id": 5},
        {"email": None},
        {"created_at": "yesterday"},
        {"custom_data": [1, 2]},
        {"marketing_consent": "yes"},
    ],
)
def test_wrong_types_raise_structure_error(change: dict[str, Any]) -> None:
    """A value of the wrong type raises StructureError, not a cattrs or TypeError."""
    with pytest.raises(StructureError):
        structure(customer_dict(**change), Customer)


def test_float_amounts_are_rejected() -> None:
    """An amount sent as a float is refused rather than silently rounded."""
    with pytest.raises(StructureError):
        structure(
            {"customer_id": "c", "currency_code": "USD", "balance": {"used": 0.1}}, CreditBalance
        )
