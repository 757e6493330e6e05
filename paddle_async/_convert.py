"""The one cattrs converter: structures Paddle's JSON into models, unstructures requests.

Resource modules register their own hooks here at import time; this module knows only the
generic rules: aware datetimes from RFC 3339, exact decimals from strings, "open" enums that
keep values Paddle may add later as plain strings, and free-form objects (``dict[str, Any]``)
nested at most `_json.MAX_DEPTH` levels deep.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import cattrs
from cattrs.gen import make_dict_structure_fn

from ._json import TOO_DEEP, nested_too_deeply

__all__ = [
    "StructureError",
    "converter",
    "parse_datetime",
    "register_model",
    "register_open_enum",
    "register_structure_hook",
    "structure",
]

T = TypeVar("T")
E = TypeVar("E", bound=enum.Enum)

converter = cattrs.Converter(detailed_validation=False, forbid_extra_keys=False)


class StructureError(ValueError):
    """A value in a response does not have the shape the model expects."""


def parse_datetime(value: Any) -> datetime:
    """Parse an RFC 3339 timestamp (0 to 9 fractional digits, ``Z`` or an offset) as aware."""
    if not isinstance(value, str):
        raise StructureError(f"expected an RFC 3339 string, got {type(value).__name__}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise StructureError(f"not an RFC 3339 timestamp: {value[:40]!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _structure_datetime(value: Any, _: type) -> datetime:
    return parse_datetime(value)


def _structure_decimal(value: Any, _: type) -> Decimal:
    # Paddle sends amounts as strings; a float would lose exactness, so only str and int pass.
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise StructureError(f"expected an amount as a string, got {type(value).__name__}")
    try:
        return Decimal(value)
    except InvalidOperation:
        raise StructureError(f"not a decimal amount: {str(value)[:40]!r}") from None


def _structure_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        raise StructureError(f"expected a string, got {type(value).__name__}")
    return value


def _structure_bool(value: Any, _: type) -> bool:
    if not isinstance(value, bool):
        raise StructureError(f"expected a boolean, got {type(value).__name__}")
    return value


def _structure_dict(value: Any, _: type) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise StructureError(f"expected an object, got {type(value).__name__}")
    if nested_too_deeply(value):
        raise StructureError(TOO_DEEP)
    return value


converter.register_structure_hook(datetime, _structure_datetime)
converter.register_structure_hook(Decimal, _structure_decimal)
converter.register_structure_hook(str, _structure_str)
converter.register_structure_hook(bool, _structure_bool)
_JSON_OBJECT = dict[str, Any]
converter.register_structure_hook_func(lambda t: t == _JSON_OBJECT, _structure_dict)
converter.register_unstructure_hook(datetime, lambda dt: dt.isoformat().replace("+00:00", "Z"))
converter.register_unstructure_hook(Decimal, str)


def register_open_enum(enum_type: type[E]) -> Callable[[Any], E | str]:
    """Structure ``enum_type | str``: known values become members, unknown ones stay strings.

    Returns:
        The plain function (also usable outside the converter, for example by FakePaddle).
    """
    members = {member.value: member for member in enum_type}

    def structure_open(value: Any, _: type = str) -> E | str:
        if not isinstance(value, str):
            raise StructureError(f"expected a string, got {type(value).__name__}")
        return members.get(value, value)

    open_type = enum_type | str
    # A predicate, not register_structure_hook: functools.singledispatch would split the union
    # and replace the hook for plain ``str``.
    converter.register_structure_hook_func(lambda t: t == open_type, structure_open)
    return structure_open


def register_model(cls: type[T]) -> Callable[[Any], T]:
    """Generate and register the structure function of an attrs model.

    Unknown keys are ignored; a missing key takes the field's default. A missing key without a
    default, or a value of the wrong type, raises `StructureError`.

    Returns:
        A one-argument function that structures a dict into ``cls``.
    """
    generated = make_dict_structure_fn(cls, converter)

    def structure_model(value: Any, _: type = cls) -> T:
        if not isinstance(value, dict):
            raise StructureError(
                f"expected an object for {cls.__name__}, got {type(value).__name__}"
            )
        try:
            return generated(value, cls)
        except KeyError as exc:
            raise StructureError(f"{cls.__name__} is missing {exc.args[0]!r}") from None
        except (TypeError, AttributeError) as exc:
            raise StructureError(f"{cls.__name__}: {exc}") from None

    converter.register_structure_hook(cls, structure_model)
    return structure_model


def register_structure_hook(cls: type[T], hook: Callable[[Any, type], T]) -> None:
    """Use a hand-written structure function for ``cls`` (a hot path's model)."""
    converter.register_structure_hook(cls, hook)


def structure(value: Any, cls: type[T]) -> T:
    """Structure ``value`` into ``cls`` with the package converter."""
    return converter.structure(value, cls)
