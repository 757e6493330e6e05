"""The generated structure functions agree with cattrs' own generated code, for every model.

The reference is a separate cattrs converter, set up here with the documented rules (strict
strings and booleans, aware datetimes, decimals from strings, open enums, free-form objects at
most 100 levels deep) and cattrs' `make_dict_structure_fn` for each model: for every fixture and
every malformed variant, both give the same model, or both refuse.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import cattrs
import pytest
from cattrs.gen import make_dict_structure_fn

from paddle_async._convert import StructureError, parse_datetime, register_model, structurer
from paddle_async._json import nested_too_deeply
from paddle_async.customers import (
    CreditBalance,
    CurrencyCode,
    Customer,
    CustomerBalance,
    CustomerStatus,
    ImportMeta,
    MigrationProvider,
)

FIXTURES = Path(__file__).parent / "data" / "paddle-fixtures"
MODELS = (ImportMeta, Customer, CustomerBalance, CreditBalance)


def _reference() -> cattrs.Converter:
    reference = cattrs.Converter(detailed_validation=False, forbid_extra_keys=False)

    def strict(kind: type) -> Callable[[Any, type], Any]:
        def hook(value: Any, _: type) -> Any:
            if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
                raise StructureError(f"not a {kind.__name__}")
            return value

        return hook

    def decimal(value: Any, _: type) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise StructureError("not an amount")
        return Decimal(value)

    def json_object(value: Any, _: type) -> dict[str, Any]:
        if not isinstance(value, dict) or nested_too_deeply(value):
            raise StructureError("not a JSON object within the limit")
        return value

    def open_enum(enum_type: type[enum.Enum]) -> Callable[[Any, type], Any]:
        members = {member.value: member for member in enum_type}
        return lambda value, _: members.get(strict(str)(value, str), value)

    for kind in (str, bool):
        reference.register_structure_hook(kind, strict(kind))
    reference.register_structure_hook(datetime, lambda value, _: parse_datetime(value))
    reference.register_structure_hook(Decimal, decimal)
    reference.register_structure_hook_func(lambda t: t == dict[str, Any], json_object)
    for enum_type in (CustomerStatus, MigrationProvider, CurrencyCode):
        union = enum_type | str
        reference.register_structure_hook_func(lambda t, u=union: t == u, open_enum(enum_type))

    def only_objects(generated: Callable[[Any, type], Any]) -> Callable[[Any, type], Any]:
        # cattrs' generated code reads any container with `in` and `.get`: a string or a
        # list would pass for an object whose fields all have defaults.
        def hook(value: Any, model: type) -> Any:
            if not isinstance(value, dict):
                raise StructureError("not an object")
            return generated(value, model)

        return hook

    for model in MODELS:
        reference.register_structure_hook(
            model, only_objects(make_dict_structure_fn(model, reference))
        )
    return reference


REFERENCE = _reference()


def by_cattrs(value: Any, model: type) -> Any:
    try:
        return REFERENCE.structure(value, model)
    except (StructureError, KeyError, TypeError, AttributeError, ArithmeticError):
        return StructureError


def by_the_package(value: Any, model: type) -> Any:
    try:
        return structurer(model)(value)
    except StructureError:
        return StructureError


def _customers() -> list[dict[str, Any]]:
    found = json.loads((FIXTURES / "customers_list_default.json").read_text())["data"]
    for name in ("customers_full_entity.json", "customers_minimal_entity.json"):
        found.append(json.loads((FIXTURES / name).read_text())["data"])
    return found


def _balances() -> list[dict[str, Any]]:
    return json.loads((FIXTURES / "customers_list_credit_balances.json").read_text())["data"]


def _variants(base: dict[str, Any]) -> list[Any]:
    variants: list[Any] = [base]
    for key in base:
        variants.append({k: v for k, v in base.items() if k != key})  # each key missing
        for bad in (None, 1, 1.5, True, "x", [], {}):
            variants.append({**base, key: bad})  # each key with each JSON type
    return [*variants, [], "text", None]


CASES = [
    *[
        pytest.param(Customer, value, id=f"customer-fixture-{i}")
        for i, value in enumerate(_customers())
    ],
    *[
        pytest.param(Customer, value, id=f"customer-{i}")
        for i, value in enumerate(
            [
                *_variants(_customers()[0]),
                {**_customers()[0], "status": "paused", "extra": {"new": 1}},
                {**_customers()[0], "import_meta": {"imported_from": "paddle_classic"}},
                {**_customers()[0], "import_meta": {"imported_from": "x", "external_id": 9}},
                {**_customers()[0], "created_at": "2024-04-11T15:57:24.813+02:00"},
                {**_customers()[0], "created_at": "2024-04-11T15:57:24"},
                {**_customers()[0], "updated_at": "2023-11-23T15:33:19.238230688Z"},
            ]
        )
    ],
    *[
        pytest.param(CreditBalance, value, id=f"balance-{i}")
        for i, value in enumerate(
            [
                *_balances(),
                *_variants(_balances()[0]),
                {**_balances()[0], "balance": {"available": "1.5", "used": 2}},
                {**_balances()[0], "balance": {"available": 1.5}},
                {**_balances()[0], "balance": {"available": "many"}},
                {**_balances()[0], "currency_code": "XTS"},
            ]
        )
    ],
    *[
        pytest.param(ImportMeta, value, id=f"import-meta-{i}")
        for i, value in enumerate(
            _variants({"imported_from": "paddle_classic", "external_id": "9"})
        )
    ],
]


@pytest.mark.parametrize(("model", "value"), CASES)
def test_the_generated_function_agrees_with_cattrs(model: type, value: Any) -> None:
    """Same model for good input, StructureError for bad input, whatever the shape."""
    assert by_cattrs(value, model) == by_the_package(value, model)


def test_a_wrong_type_names_the_model_and_field() -> None:
    """A StructureError says which field of which model, nested ones included."""
    customer = _customers()[0]
    errors = []
    for value in (
        {**customer, "email": 7},
        {**customer, "import_meta": {"imported_from": None}},
        {k: v for k, v in customer.items() if k != "id"},
    ):
        with pytest.raises(StructureError) as caught:
            structurer(Customer)(value)
        errors.append(str(caught.value))
    assert [
        "Customer.email: expected a string, got int",
        "Customer.import_meta: ImportMeta.imported_from: expected a string, got NoneType",
        "Customer is missing 'id'",
    ] == errors


@attrs.frozen(kw_only=True)
class Checked:
    """A model with a validator: its structure function must call __init__."""

    amount: int = attrs.field(validator=attrs.validators.ge(0))
    tags: tuple[str, ...] = ()
    ratio: float | None = None


@attrs.define(kw_only=True)
class Plain:
    """A model without slots: built through __init__ too."""

    name: str
    items: list[Checked] = attrs.Factory(list)


def test_a_model_with_a_validator_is_built_through_init() -> None:
    """Validators run (their ValueError becomes a StructureError); tuples and floats work."""
    structure = register_model(Checked)
    assert Checked(amount=2, tags=("a",), ratio=1.0) == structure(
        {"amount": 2, "tags": ["a"], "ratio": 1}
    )
    with pytest.raises(StructureError, match="Checked"):
        structure({"amount": -1})
    with pytest.raises(StructureError, match=r"Checked.tags\[1\]: expected a string"):
        structure({"amount": 1, "tags": ["a", 2]})


def test_a_model_without_slots_and_with_a_factory_default() -> None:
    """A dict-based class and a factory default (a fresh list each time) both work."""
    structure = register_model(Plain)
    first, second = structure({"name": "a"}), structure({"name": "b"})
    assert ([], False) == (first.items, first.items is second.items)
    assert [Checked(amount=3)] == structure({"name": "c", "items": [{"amount": 3}]}).items


class _Answers(dict[str, Any]):
    """A dict subclass that makes up a value for any missing key."""

    def __missing__(self, key: str) -> Any:
        return f"made up {key}"


def test_every_key_at_once_or_one_at_a_time_gives_the_same_model() -> None:
    """A full object, one missing optional keys and a dict subclass all follow the same rules."""
    customer = _customers()[0]
    structure = structurer(Customer)
    full = structure(customer)
    assert full == structure(dict(_Answers(customer)))
    sparse = {k: v for k, v in customer.items() if k in ("id", "email", "created_at", "updated_at")}
    built = structure(sparse)
    assert (None, CustomerStatus.ACTIVE, "en", False) == (
        built.name,
        built.status,
        built.locale,
        built.marketing_consent,
    )
    # A subclass's __missing__ answers a subscript but not .get: optional keys take defaults.
    assert built == structure(_Answers(sparse))
    with pytest.raises(StructureError, match="Customer is missing 'email'"):
        structure({k: v for k, v in sparse.items() if k != "email"})
