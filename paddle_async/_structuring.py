"""Structure functions generated for attrs models, and the checkers they use per field type.

`Generator.generate` writes, once per attrs class, a function specialised to that class's field
types (as attrs and cattrs generate code, with `exec`): str, bool, int, float, Decimal (from
strings), aware datetimes, "open" enums (``E | str``: a known value becomes the member, an
unknown one stays a string), free-form objects (``dict[str, Any]``, nested at most
`_json.MAX_DEPTH` levels), nested models, lists and tuples, each optionally ``| None``; other
types go to a fallback (the cattrs converter). The rules are the same for every model: unknown
keys are ignored, a missing key takes the field's default, and a missing required key or a
value of the wrong type raises `StructureError` naming ``Model.field``. A field whose metadata
sets `NULL_IS_DEFAULT` also takes its default for ``null`` (a list Paddle may send as null).

When the class has no validators, converters, ``__attrs_pre_init__``/``__attrs_post_init__``
or hash cache (checked when the function is generated), the function fills the object's slots
directly instead of calling its ``__init__``; otherwise it calls the class.
"""

from __future__ import annotations

import enum
import linecache
import operator
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final, TypeVar

import attrs

from ._json import TOO_DEEP, nested_too_deeply

__all__ = ["NULL_IS_DEFAULT", "Checker", "Generator", "StructureError", "parse_datetime"]

NULL_IS_DEFAULT: Final = "paddle_async.null_is_default"
"""attrs metadata key: a model field that takes its default for ``null`` as for a missing key."""

T = TypeVar("T")


class StructureError(ValueError):
    """A value in a response does not have the shape the model expects."""


def _got(value: Any) -> str:
    return type(value).__name__


def parse_datetime(value: Any) -> datetime:
    """Parse an RFC 3339 timestamp (0 to 9 fractional digits, ``Z`` or an offset) as aware.

    A timestamp without an offset is taken as UTC.

    Raises:
        StructureError: ``value`` is not such a string.
    """
    if not isinstance(value, str):
        raise StructureError(f"expected an RFC 3339 string, got {_got(value)}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise StructureError(f"not an RFC 3339 timestamp: {value[:40]!r}") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


# One checker per field type: ``check(value, where)`` returns the structured value or raises
# StructureError("where: ..."). The generated functions write the common ones out inline.

Checker = Callable[[Any, str], Any]


def _wrong(where: str, expected: str, value: Any) -> StructureError:
    return StructureError(f"{where}: expected {expected}, got {_got(value)}")


def _check_datetime(value: Any, where: str) -> datetime:
    try:
        return parse_datetime(value)
    except StructureError as exc:
        raise StructureError(f"{where}: {exc}") from None


def _check_decimal(value: Any, where: str) -> Decimal:
    # Paddle sends amounts as strings; a float would lose exactness, so only str and int pass.
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _wrong(where, "an amount as a string", value)
    try:
        return Decimal(value)
    except InvalidOperation:
        raise StructureError(f"{where}: not a decimal amount: {str(value)[:40]!r}") from None


def _check_json_object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _wrong(where, "an object", value)
    if nested_too_deeply(value):
        raise StructureError(f"{where}: {TOO_DEEP}")
    return value


def _isinstance_checker(kind: type, expected: str) -> Checker:
    def check(value: Any, where: str) -> Any:
        # JSON's true and false are Python ints too: an integer field takes neither.
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise _wrong(where, expected, value)
        return value

    return check


def _open_enum_checker(enum_type: type[enum.Enum]) -> Checker:
    members = {member.value: member for member in enum_type}

    def check(value: Any, where: str) -> Any:
        if not isinstance(value, str):
            raise _wrong(where, "a string", value)
        return members.get(value, value)

    return check


def _sequence_checker(item: Checker, make: type[list[Any]] | type[tuple[Any, ...]]) -> Checker:
    def check(value: Any, where: str) -> Any:
        if not isinstance(value, list):
            raise _wrong(where, "an array", value)
        return make(item(each, f"{where}[{i}]") for i, each in enumerate(value))

    return check


def _optional(check: Checker) -> Checker:
    return lambda value, where: None if value is None else check(value, where)


def _split_optional(tp: Any) -> tuple[Any, bool]:
    """Return ``tp`` without ``| None``, and whether it had it."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if type(None) in args:
            rest = tuple(arg for arg in args if arg is not type(None))
            return (rest[0] if len(rest) == 1 else typing.Union[rest]), True  # noqa: UP007
    return tp, False


def _open_enum_of(tp: Any) -> type[enum.Enum] | None:
    """Return E for ``E | str`` (an open enum), else None."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = set(typing.get_args(tp))
        if len(args) == 2 and str in args:
            (other,) = args - {str}
            if isinstance(other, type) and issubclass(other, enum.Enum):
                return other
    return None


def _is_json_object(tp: Any) -> bool:
    return typing.get_origin(tp) in (dict, Mapping) and typing.get_args(tp) == (str, Any)


def _check_float(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _wrong(where, "a number", value)
    return float(value)


_SIMPLE: Final[dict[Any, tuple[type, str]]] = {
    str: (str, "a string"),
    bool: (bool, "a boolean"),
    int: (int, "an integer"),
}


# The generated structure functions


_MISSING: Final = object()
_HASH_CACHE = "_attrs_cached_hash"


def _slot_setters(cls: type) -> dict[str, Callable[[Any, Any], None]] | None:
    """Return each field's slot setter when ``__init__`` may be skipped, else None."""
    fields = attrs.fields(cls)
    if (
        any(f.validator or f.converter or not f.init for f in fields)
        or hasattr(cls, "__attrs_post_init__")
        or hasattr(cls, "__attrs_pre_init__")
        or any(_HASH_CACHE in getattr(base, "__slots__", ()) for base in cls.__mro__)
    ):
        return None
    setters = {}
    for field in fields:
        slot = next((b.__dict__[field.name] for b in cls.__mro__ if field.name in b.__dict__), None)
        if not isinstance(slot, types.MemberDescriptorType):
            return None  # not a slotted class
        setters[field.name] = slot.__set__
    return setters


def _inline(kind: str, v: str, where: str, expected: str, n: int) -> list[str]:
    """Return the lines that check (and convert) variable ``v`` of a field, by kind."""
    wrong = f"raise _wrong({where!r}, {expected!r}, {v})"
    if kind == "str":
        return [f"if not isinstance({v}, str):", f"    {wrong}"]
    if kind == "bool":
        return [f"if not isinstance({v}, bool):", f"    {wrong}"]
    if kind == "open_enum":
        return [f"if not isinstance({v}, str):", f"    {wrong}", f"{v} = _members{n}.get({v}, {v})"]
    if kind == "datetime":
        return [
            "try:",
            f"    {v} = _fromisoformat({v})",
            "except (TypeError, ValueError):",
            f"    {v} = _check_datetime({v}, {where!r})",  # raises, with the reason
            f"if {v}.tzinfo is None:",
            f"    {v} = {v}.replace(tzinfo=_UTC)",
        ]
    if kind == "json_object":
        # Most custom_data is flat: one pass over its values' types settles that before the
        # walk that counts levels.
        return [
            f"if not isinstance({v}, dict):",
            f"    {wrong}",
            f"if not _flat(map(type, _values({v}))) and _too_deep({v}):",
            f"    raise _StructureError({where + ': ' + TOO_DEEP!r})",
        ]
    return [f"{v} = _check{n}({v}, {where!r})"]


def _passes_as_is(kind: str, default: Any) -> bool:
    """Whether a field's default goes through its own check unchanged (no sentinel needed)."""
    if kind in ("str", "open_enum"):
        return type(default) is str or isinstance(default, enum.StrEnum)
    return kind == "bool" and isinstance(default, bool)


class Generator:
    """Writes structure functions and checkers, asking a registry for nested models.

    Args:
        model: Returns the structure function of a nested model (registering it if need be).
        fallback: Structures a value of a type no checker here knows, ``fallback(value, tp)``.
    """

    def __init__(
        self, *, model: Callable[[type], Callable[[Any], Any]], fallback: Callable[[Any, Any], Any]
    ) -> None:
        self._model = model
        self._fallback = fallback

    def _model_checker(self, cls: type) -> Checker:
        structure_model = self._model(cls)

        def check(value: Any, where: str) -> Any:
            try:
                return structure_model(value)
            except StructureError as exc:
                raise StructureError(f"{where}: {exc}") from None

        return check

    def _fallback_checker(self, tp: Any) -> Checker:
        fallback = self._fallback

        def check(value: Any, where: str) -> Any:
            try:
                return fallback(value, tp)
            except StructureError as exc:
                raise StructureError(f"{where}: {exc}") from None
            except (TypeError, ValueError, KeyError, AttributeError) as exc:
                raise StructureError(f"{where}: {type(exc).__name__}: {exc}") from None

        return check

    def checker(self, tp: Any) -> Checker:
        """Return the checker of a field type (see the module docstring for what is known)."""
        inner, optional = _split_optional(tp)
        check: Checker
        origin = typing.get_origin(inner)
        if inner is Any:
            return lambda value, where: value
        if inner in _SIMPLE:
            check = _isinstance_checker(*_SIMPLE[inner])
        elif inner is float:
            check = _check_float
        elif inner is datetime:
            check = _check_datetime
        elif inner is Decimal:
            check = _check_decimal
        elif _is_json_object(inner):
            check = _check_json_object
        elif (open_enum := _open_enum_of(inner)) is not None:
            check = _open_enum_checker(open_enum)
        elif isinstance(inner, type) and attrs.has(inner):
            check = self._model_checker(inner)
        elif origin in (list, Sequence) and len(typing.get_args(inner)) == 1:
            check = _sequence_checker(self.checker(typing.get_args(inner)[0]), list)
        elif origin is tuple and len(args := typing.get_args(inner)) == 2 and args[1] is Ellipsis:
            check = _sequence_checker(self.checker(args[0]), tuple)
        else:
            check = self._fallback_checker(inner)
        return _optional(check) if optional else check

    def _kind(self, tp: Any) -> tuple[str, str, Any]:
        """Return how a field type is checked in generated code: kind, expected, extra."""
        if tp is str:
            return "str", "a string", None
        if tp is bool:
            return "bool", "a boolean", None
        if tp is datetime:
            return "datetime", "an RFC 3339 string", None
        if _is_json_object(tp):
            return "json_object", "an object", None
        if (open_enum := _open_enum_of(tp)) is not None:
            return "open_enum", "a string", {member.value: member for member in open_enum}
        return "call", "", self.checker(tp)

    def generate(self, cls: type[T]) -> Callable[..., T]:
        name = cls.__name__
        if not attrs.has(cls):
            raise TypeError(f"{name} is not an attrs class")
        attrs.resolve_types(cls)
        fields = attrs.fields(cls)
        setters = _slot_setters(cls)
        namespace: dict[str, Any] = {
            "_cls": cls,
            "_new": object.__new__,
            "_StructureError": StructureError,
            "_wrong": _wrong,
            "_missing": lambda key: StructureError(f"{name} is missing {key!r}"),
            "_not_object": lambda value: StructureError(
                f"expected an object for {name}, got {_got(value)}"
            ),
            "_MISSING": _MISSING,
            "_UTC": UTC,
            "_fromisoformat": datetime.fromisoformat,
            "_check_datetime": _check_datetime,
            "_flat": frozenset((dict, list)).isdisjoint,  # decoded JSON nests only these
            "_values": dict.values,
            "_too_deep": nested_too_deeply,
        }
        head = [f"def structure_{name}(value, _=None):"]
        head += ["    if not isinstance(value, dict):"]
        head += ["        raise _not_object(value)"]
        required = [(n, f) for n, f in enumerate(fields) if f.default is attrs.NOTHING]
        # Each key one at a time, with its default when missing (see the loop below).
        lookup: list[str] = []
        if required:
            lookup += ["try:"]
            lookup += [f"    v{n} = value[{f.name!r}]" for n, f in required]
            lookup += ["except KeyError as exc:", "    raise _missing(exc.args[0]) from None"]
        if len(required) < len(fields):
            lookup += ["get = value.get"]
        body: list[str] = []
        for n, field in enumerate(fields):
            tp, optional = _split_optional(field.type)
            kind, expected, extra = self._kind(tp)
            if kind == "open_enum":
                namespace[f"_members{n}"] = extra
            elif kind == "call":
                namespace[f"_check{n}"] = extra
            v, where = f"v{n}", f"{name}.{field.name}"
            lines = _inline(kind, v, where, expected + (" or null" if optional else ""), n)
            if optional:
                lines = [f"if {v} is not None:", *("    " + line for line in lines)]
            default = field.default
            null_is_default = bool(field.metadata.get(NULL_IS_DEFAULT))
            if default is attrs.NOTHING:
                pass
            elif not null_is_default and (
                (default is None and optional) or _passes_as_is(kind, default)
            ):
                namespace[f"_default{n}"] = default
                lookup += [f"{v} = get({field.name!r}, _default{n})"]
            else:
                # A default the check would not take as it is (a model, a factory's value): used
                # only when the key is missing.
                if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                    namespace[f"_factory{n}"] = default.factory
                    value = f"_factory{n}()"
                else:
                    namespace[f"_default{n}"] = default
                    value = f"_default{n}"
                lookup += [f"{v} = get({field.name!r}, _MISSING)"]
                absent = (
                    f"{v} is _MISSING or {v} is None" if null_is_default else f"{v} is _MISSING"
                )
                lines = [f"if {absent}:", f"    {v} = {value}", "else:"] + [
                    "    " + line for line in lines
                ]
            body += ["    " + line for line in lines]
        if len(fields) > 1:
            # Paddle sends every key, null or not: one C call fetches them all from a plain
            # dict. A missing key (or a dict subclass, which may answer differently) takes the
            # key-by-key lookup, with its defaults and errors.
            namespace["_dict"], namespace["_EMPTY"] = dict, {}
            namespace["_all"] = operator.itemgetter(*(field.name for field in fields))
            targets = ", ".join(f"v{n}" for n in range(len(fields)))
            head += ["    try:"]
            head += [f"        {targets} = _all(value if type(value) is _dict else _EMPTY)"]
            head += ["    except KeyError:", *("        " + line for line in lookup)]
        else:
            head += ["    " + line for line in lookup]
        if setters is not None:
            # Filling the slots skips the keyword __init__: about a third of a small model's cost.
            tail = ["    obj = _new(_cls)"]
            for n, field in enumerate(fields):
                namespace[f"_set{n}"] = setters[field.name]
                tail += [f"    _set{n}(obj, v{n})"]
            tail += ["    return obj"]
        else:
            arguments = ", ".join(f"{field.alias}=v{n}" for n, field in enumerate(fields))
            tail = [
                "    try:",
                f"        return _cls({arguments})",
                "    except (TypeError, ValueError) as exc:",
                f"        raise _StructureError({name + ': '!r} + str(exc)) from None",
            ]
        source = "\n".join(head + body + tail) + "\n"
        filename = f"<paddle_async structure {cls.__module__}.{cls.__qualname__}>"
        # Kept in linecache so that tracebacks and profilers show the generated lines.
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(source, filename, "exec"), namespace)  # our own code, generated above
        function: Callable[..., T] = namespace[f"structure_{name}"]
        return function
