"""The hand-written Customer hook agrees with the cattrs-generated one it replaces."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cattrs.gen import make_dict_structure_fn

from paddle_async._convert import StructureError, converter
from paddle_async.customers import Customer
from paddle_async.customers._models import structure_customer

FIXTURES = Path(__file__).parent / "data" / "paddle-fixtures"
_generated = make_dict_structure_fn(Customer, converter)


def _cattrs(value: Any) -> Customer:
    try:
        return _generated(value, Customer)
    except (KeyError, TypeError, AttributeError) as exc:
        raise StructureError(str(exc)) from None


def _customers() -> list[dict[str, Any]]:
    found = json.loads((FIXTURES / "customers_list_default.json").read_text())["data"]
    for name in ("customers_full_entity.json", "customers_minimal_entity.json"):
        found.append(json.loads((FIXTURES / name).read_text())["data"])
    return found


def _variants() -> list[Any]:
    base = _customers()[0]
    variants: list[Any] = [*_customers()]
    for key in base:
        variants.append({k: v for k, v in base.items() if k != key})  # each key missing
        for bad in (None, 1, 1.5, True, "x", [], {}):
            variants.append({**base, key: bad})  # each key with each JSON type
    variants += [
        {**base, "status": "paused", "extra": {"new": 1}},
        {**base, "import_meta": {"imported_from": "paddle_classic", "external_id": "9"}},
        {**base, "created_at": "2024-04-11T15:57:24.813+02:00"},
        {**base, "created_at": "2024-04-11T15:57:24"},
        {**base, "updated_at": "2023-11-23T15:33:19.238230688Z"},
        [],
        "customer",
    ]
    return variants


@pytest.mark.parametrize("value", _variants())
def test_fast_hook_matches_cattrs(value: Any) -> None:
    """Same model for good input, StructureError for bad input, whatever the shape."""
    try:
        expected: Customer | type[StructureError] = _cattrs(value)
    except StructureError:
        expected = StructureError
    if expected is StructureError:
        with pytest.raises(StructureError):
            structure_customer(value)
    else:
        assert expected == structure_customer(value)
