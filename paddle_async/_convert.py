"""The one cattrs converter: structures Paddle's JSON into models, unstructures requests.

Resource modules register their own hooks here at import time; this module knows only the
generic rules: aware datetimes from RFC 3339, exact decimals from strings, "open" enums that
keep values Paddle may add later as plain strings, and free-form objects (``dict[str, Any]``)
nested at most `_json.MAX_DEPTH` levels deep.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn

from ._json import TOO_DEEP, nested_too_deeply
from ._types import UNSET

__all__ = [
    "LOCAL",
    "NULLABLE",
    "StructureError",
    "converter",
    "parse_datetime",
    "register_model",
    "register_open_enum",
    "register_structure_hook",
    "structure",
    "structurer",
    "unstructure",
    "unstructure_query",
]

NULLABLE: Final = "paddle_async.nullable"
"""attrs metadata key of a request field: None is a value, sent as ``null``."""
LOCAL: Final = "paddle_async.local"
"""attrs metadata key of a request field: kept on the object, never sent."""

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


_STRUCTURERS: dict[type, Callable[[Any], Any]] = {}


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
    _STRUCTURERS[cls] = structure_model
    return structure_model


def register_structure_hook(cls: type[T], hook: Callable[[Any, type], T]) -> None:
    """Use a hand-written structure function for ``cls`` (a hot path's model)."""
    converter.register_structure_hook(cls, hook)
    _STRUCTURERS[cls] = lambda value: hook(value, cls)


def structurer(cls: type[T]) -> Callable[[Any], T]:
    """Return the one-argument structure function registered for the model ``cls``."""
    return _STRUCTURERS[cls]


# Requests: the other direction


def _unstructure_value(value: Any) -> Any:
    if value.__class__ in _PLAIN:
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        # A free-form JSON object (custom_data), checked when its request was built: sent as
        # it is, never walked (it may nest 100 levels).
        return dict(value)
    if isinstance(value, list | tuple):
        return [_unstructure_value(item) for item in value]
    return converter.unstructure(value)


_PLAIN: Final = frozenset({str, int, float, bool})


def _request_hook(cls: type) -> Callable[[Any], dict[str, Any]]:
    """Build the unstructure function of an attrs request class (see `unstructure`)."""
    fields = tuple(
        (field.name, bool(field.metadata.get(NULLABLE)))
        for field in attrs.fields(cls)
        if not field.metadata.get(LOCAL)
    )

    def unstructure_request(request: Any) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for name, nullable in fields:
            value = getattr(request, name)
            if value is None:
                if nullable:
                    body[name] = None
            elif value is not UNSET:
                body[name] = _unstructure_value(value)
        return body

    return unstructure_request


def _is_request(cls: Any) -> bool:
    # Request classes declare their fields (`_validation.declare`); models declare nothing and
    # keep cattrs' own unstructuring.
    return attrs.has(cls) and any(NULLABLE in field.metadata for field in attrs.fields(cls))


converter.register_unstructure_hook_factory(_is_request, _request_hook)


def unstructure(request: attrs.AttrsInstance) -> dict[str, Any]:
    """Return a request as its JSON object: the fields that were given.

    A field at `UNSET` is left out; None is sent as ``null`` where the field is declared
    nullable (`NULLABLE`) and left out elsewhere; fields declared `LOCAL` are never sent.
    Enums become their values, nested requests (such as a business's contacts) objects,
    sequences arrays.
    """
    body: dict[str, Any] = converter.unstructure(request)
    return body


def unstructure_query(request: attrs.AttrsInstance) -> dict[str, str | int]:
    """Return a list request as query parameters: arrays comma-joined, booleans as JSON's."""
    query: dict[str, str | int] = {}
    for name, value in unstructure(request).items():
        if value is None:
            continue
        if isinstance(value, bool):
            query[name] = "true" if value else "false"
        elif isinstance(value, list):
            query[name] = ",".join(str(item) for item in value)
        else:
            query[name] = value
    return query


def structure(value: Any, cls: type[T]) -> T:
    """Structure ``value`` into ``cls`` with the package converter."""
    return converter.structure(value, cls)
