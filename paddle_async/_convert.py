"""The one converter: Paddle's JSON into models, and requests into JSON. Only this imports cattrs.

Models: `register_model` has `_structuring` write a structure function for the class's field
types (no hand-written one per model) and makes it cattrs' hook for that class, so `structure`
and nested models use it; cattrs structures only what the generator leaves to it (types it has
no checker for). Unknown keys are ignored, missing ones take defaults, a wrong type raises
`StructureError` naming ``Model.field``.

Requests: the converter's unstructure hook for request classes (attrs classes whose fields are
declared with `_validation.declare`) leaves `UNSET` fields out, sends None as ``null`` only where
a field is declared `NULLABLE`, never sends `LOCAL` fields, and unstructures nested request
parts; `unstructure_query` turns a list request into query parameters.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Final, TypeVar

import attrs
import cattrs

from ._structuring import NULL_IS_DEFAULT, Checker, Generator, StructureError, parse_datetime
from ._types import UNSET

__all__ = [
    "NULL_IS_DEFAULT",
    "LOCAL",
    "NULLABLE",
    "StructureError",
    "converter",
    "parse_datetime",
    "register_model",
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

converter = cattrs.Converter(detailed_validation=False, forbid_extra_keys=False)


_STRUCTURERS: dict[type, Callable[[Any], Any]] = {}


def _model_function(cls: type) -> Callable[[Any], Any]:
    return _STRUCTURERS[cls] if cls in _STRUCTURERS else register_model(cls)


_generator = Generator(model=_model_function, fallback=converter.structure)


def register_model(cls: type[T]) -> Callable[[Any], T]:
    """Generate and register the structure function of an attrs model.

    Nested models are registered on the way. The function also becomes cattrs' hook for
    ``cls``, so `structure` and other models use it.

    Returns:
        A one-argument function that structures a decoded JSON object into ``cls``.
    """
    function = _generator.generate(cls)
    _STRUCTURERS[cls] = function
    converter.register_structure_hook(cls, function)
    return function


def structurer(cls: type[T]) -> Callable[[Any], T]:
    """Return the one-argument structure function registered for the model ``cls``."""
    function: Callable[[Any], T] = _STRUCTURERS[cls]
    return function


def _hook(check: Checker, what: str) -> Callable[[Any, type], Any]:
    return lambda value, _: check(value, what)


for _type in (str, bool, datetime, Decimal):
    converter.register_structure_hook(_type, _hook(_generator.checker(_type), _type.__name__))
_JSON_OBJECT: Final = dict[str, Any]


def _is_json_object(tp: Any) -> bool:
    return bool(tp == _JSON_OBJECT)


converter.register_structure_hook_func(
    _is_json_object, _hook(_generator.checker(_JSON_OBJECT), "object")
)
converter.register_unstructure_hook(datetime, lambda dt: dt.isoformat().replace("+00:00", "Z"))
converter.register_unstructure_hook(Decimal, str)


def structure(value: Any, cls: type[T]) -> T:
    """Structure ``value`` into ``cls`` with the package converter.

    Raises:
        StructureError: ``value`` does not have the shape of ``cls``.
    """
    return converter.structure(value, cls)


# Requests: the other direction


_PLAIN: Final = frozenset({str, int, float, bool})


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
