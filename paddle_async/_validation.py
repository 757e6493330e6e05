"""Every rule a request is checked by, each defined once, and the base class that applies them.

Lenient reading, strict writing: a request class declares each field's rule in its attrs
metadata (`declare`), and `Request` checks them all when the object is built, raising one
`ValidationError` that names every bad field. A rule is a function of the value that returns
what is wrong with it in words, or None. Request classes declare rules; none re-implements one.

How ``None`` and `UNSET` read, per field: a field that defaults to `UNSET` may stay `UNSET` (not
sent); a field that defaults to None takes None as "not given" (not sent either); a field
declared ``null=True`` takes None as a value, sent as ``null`` (Paddle clears it). Any other
None is checked by the field's rule, which refuses it.

The id patterns of every Paddle entity the SDK names are in `ID_PREFIXES`: one table, used for
paths, filters and pagination cursors alike.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar, Final

import attrs

from ._convert import LOCAL, NULLABLE
from ._countries import SUPPORTED_COUNTRY_CODES
from ._json import TOO_DEEP, dumps, nested_too_deeply
from ._types import UNSET
from .errors import FieldError, ValidationError

__all__ = [
    "ID_PREFIXES",
    "MAX_EMAIL",
    "MAX_FILTER_ITEM",
    "MAX_PER_PAGE",
    "ORDERS",
    "RULE",
    "IdRule",
    "Problems",
    "Request",
    "Rule",
    "as_items",
    "check_id",
    "country_code",
    "currency_code",
    "custom_data",
    "declare",
    "each",
    "email",
    "filter_item",
    "fits_filter",
    "flag",
    "id_of",
    "one_of",
    "order_by",
    "order_by_form",
    "per_page",
    "plain_dict",
    "text",
]

Rule = Callable[[Any], "str | None"]
"""A check of one value: what is wrong with it in words, or None when it passes."""

RULE: Final = "paddle_async.rule"
"""The attrs metadata key of a field's `Rule`."""

ID_PREFIXES: Final[Mapping[str, str]] = {
    "customer": "ctm",
    "address": "add",
    "business": "biz",
    "payment_method": "paymtd",
    "subscription": "sub",
    "customer_portal_session": "cpls",
}
"""Each entity's id prefix (Paddle's pattern ``^{prefix}_[a-z\\d]{26}$``), by the entity's name.

A path parameter ``{name}_id`` is checked against the entity ``name`` here."""

MAX_FILTER_ITEM: Final = 100
"""Paddle's limit on each item of a list filter (``email``, ``search``, ...), in characters."""
MAX_PER_PAGE: Final = 200
"""Paddle's largest page."""
MAX_EMAIL: Final = 320
MAX_LOCAL_PART: Final = 64
ORDERS: Final[Mapping[str, str]] = {"id[asc]": "id[ASC]", "id[desc]": "id[DESC]"}
"""``order_by`` values Paddle's customer-area listings take, by their lower-case form."""

# Paddle's rules (customer_email_invalid): ASCII only, no spaces, no leading, trailing or
# consecutive dots, a local part of at most 64 characters. The local part is a dot-atom of
# RFC 5322 atext; the domain is dot-separated labels of letters, digits and inner hyphens.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"(?P<local>{_ATEXT}(?:\.{_ATEXT})*)@{_LABEL}(?:\.{_LABEL})*")
_CURRENCY = re.compile(r"[A-Z]{3}")
_COUNTRY = re.compile(r"[A-Z]{2}")


def show(value: object) -> str:
    """Return ``repr(value)``, shortened to 60 characters for a message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _encodable(value: str) -> bool:
    """Whether ``value`` can be sent as UTF-8 (lone surrogates cannot)."""
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


# The rules


def text(max_length: int | None = None, *, min_length: int = 0) -> Rule:
    """Return the rule for text of ``min_length`` to ``max_length`` characters, sendable as UTF-8.

    ``min_length=1`` also refuses text of spaces only.
    """

    def check_text(value: Any) -> str | None:
        if not isinstance(value, str):
            return f"must be a string, got {type(value).__name__}"
        if min_length and not value.strip():
            return "must not be empty"
        if len(value) < min_length:
            return f"at least {min_length} characters, got {len(value)}"
        if max_length is not None and len(value) > max_length:
            return f"at most {max_length} characters, got {len(value)}"
        if not _encodable(value):
            return "contains characters UTF-8 cannot encode (lone surrogates)"
        return None

    return check_text


def email(value: Any) -> str | None:
    """Check an e-mail address as Paddle does: ASCII, no spaces, no stray dots, 320 at most."""
    if not isinstance(value, str):
        return f"must be a string, got {type(value).__name__}"
    if not value:
        return "must not be empty"
    if len(value) > MAX_EMAIL:
        return f"at most {MAX_EMAIL} characters, got {len(value)}"
    match = _EMAIL.fullmatch(value)
    if match is None:
        return (
            "not an e-mail address Paddle accepts (ASCII, no spaces, no leading, trailing"
            f" or doubled dots): {show(value)}"
        )
    if len(match["local"]) > MAX_LOCAL_PART:
        return f"the part before @ is at most {MAX_LOCAL_PART} characters"
    return None


def custom_data(value: Any) -> str | None:
    """Check a free-form JSON object: a mapping, nested at most `_json.MAX_DEPTH` levels."""
    if not isinstance(value, Mapping):
        return f"must be a mapping, got {type(value).__name__}"
    if nested_too_deeply(dict(value)):
        # Checked first: encoding a deeper value could reach Python's recursion limit.
        return TOO_DEEP
    try:
        dumps(value)
    except (TypeError, ValueError) as exc:  # UnicodeEncodeError is a ValueError
        return f"must be JSON-serialisable: {exc}"
    return None


@attrs.frozen
class IdRule:
    """The rule for an id of one kind of entity; its `pattern` is also a listing's cursor."""

    kind: str
    prefix: str
    pattern: re.Pattern[str]

    def __call__(self, value: Any) -> str | None:
        if isinstance(value, str) and self.pattern.fullmatch(value):
            return None
        return (
            f"not a Paddle {self.kind.replace('_', ' ')} id ({self.prefix}_ + 26 characters): "
            f"{show(value)}"
        )


@functools.cache
def id_of(kind: str) -> IdRule:
    """Return the rule for an id of the entity ``kind`` (a key of `ID_PREFIXES`).

    Only the prefix and 26 ASCII lowercase letters or digits pass, so nothing like ``../x``,
    ``a?b`` or a non-ASCII digit can reach a URL path. (Paddle's pattern says ``\\d``, which
    Python's ``re`` would let match any Unicode digit, so the digits are spelled out.)
    """
    prefix = ID_PREFIXES[kind]
    return IdRule(kind, prefix, re.compile(rf"{prefix}_[0-9a-z]{{26}}"))


def one_of(values: Iterable[str] | type[enum.Enum]) -> Rule:
    """Return the rule for one of ``values`` (an enum's values, for an enum)."""
    allowed = frozenset(
        str(member.value) for member in values if isinstance(member, enum.Enum)
    ) | frozenset(value for value in values if isinstance(value, str))
    listed = sorted(allowed)

    def check_one_of(value: Any) -> str | None:
        if isinstance(value, str) and value in allowed:
            return None
        return f"must be one of {listed}, got {show(value)}"

    return check_one_of


def flag(value: Any) -> str | None:
    """Check a boolean: True or False (not 1, 0 or a string such as ``"false"``)."""
    if isinstance(value, bool):
        return None
    return f"must be True or False, got {show(value)}"


def per_page(value: Any) -> str | None:
    """Check a page size: a whole number from 1 to 200."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_PER_PAGE:
        return None
    return f"must be an integer from 1 to {MAX_PER_PAGE}, got {show(value)}"


def order_by(value: Any) -> str | None:
    """Check an ``order_by``: ``id[ASC]`` or ``id[DESC]`` (any case; see `order_by_form`)."""
    if isinstance(value, str) and value.lower() in ORDERS:
        return None
    return f"must be 'id[ASC]' or 'id[DESC]', got {show(value)}"


def fits_filter(item: str) -> bool:
    """Tell whether text can be one item of a comma-separated list filter (``email=a,b``)."""
    return len(item) <= MAX_FILTER_ITEM and "," not in item


def filter_item(value: Any) -> str | None:
    """Check one item of a list filter: 1 to 100 characters, no comma, sendable as UTF-8."""
    if isinstance(value, str) and value and fits_filter(value) and _encodable(value):
        return None
    return f"each item 1 to {MAX_FILTER_ITEM} characters, no commas: {show(value)}"


def currency_code(value: Any) -> str | None:
    """Check a currency code: three capital ASCII letters such as ``USD``."""
    if isinstance(value, str) and _CURRENCY.fullmatch(value):
        return None
    return f"must be three capital letters: {show(value)}"


def country_code(value: Any) -> str | None:
    """Check a country code: two capital ASCII letters, one of Paddle's supported countries."""
    if not (isinstance(value, str) and _COUNTRY.fullmatch(value)):
        return f"must be two capital letters (ISO 3166-1 alpha-2): {show(value)}"
    # Paddle's own list (`_countries`): it has XK (Kosovo) and leaves out the countries Paddle
    # does not sell to, such as RU.
    if value not in SUPPORTED_COUNTRY_CODES:
        return f"not a country Paddle supports: {show(value)}"
    return None


def each(rule: Rule, *, max_items: int | None = None, unique: bool = False) -> Rule:
    """Return the rule for a sequence whose every item passes ``rule`` (and not too many).

    ``unique=True`` also refuses an item given twice (Paddle's ``uniqueItems``); the items
    are then checked first, so only hashable ones are compared.
    """

    def check_each(value: Any) -> str | None:
        if isinstance(value, str | bytes) or not isinstance(value, Sequence):
            return f"must be a list, got {type(value).__name__}"
        if max_items is not None and len(value) > max_items:
            return f"at most {max_items} items, got {len(value)}"
        problems = [problem for item in value if (problem := rule(item)) is not None]
        if not problems:
            return _twice(value) if unique else None
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return problems[0] + more

    return check_each


def _twice(items: Sequence[Any]) -> str | None:
    seen: set[Any] = set()
    for item in items:
        if item in seen:
            return f"each item at most once: {show(item)} is given twice"
        seen.add(item)
    return None


# Converters a field may declare, applied before its rule


def as_items(value: str | Sequence[Any] | None) -> tuple[Any, ...] | None:
    """Take a sequence as a tuple, and a single string as one item (not its characters)."""
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    return tuple(value) if isinstance(value, Iterable) else value


def plain_dict(value: Any) -> Any:
    """Copy a mapping into a plain dict (the object keeps its own); anything else as it is."""
    return dict(value) if isinstance(value, Mapping) else value


def order_by_form(value: Any) -> Any:
    """Spell a valid ``order_by`` as Paddle does (``id[ASC]``); anything else as it is."""
    return ORDERS.get(value.lower(), value) if isinstance(value, str) else value


# Declaring and applying


def declare(rule: Rule | None = None, *, null: bool = False, local: bool = False) -> dict[str, Any]:
    """Return the attrs metadata of a request field.

    Args:
        rule: What the field's value must pass.
        null: None is a value, sent as ``null`` (Paddle clears the field).
        local: Kept on the object, never sent (such as a caller's reference).
    """
    return {RULE: rule, NULLABLE: null, LOCAL: local}


@attrs.frozen
class _Check:
    name: str
    rule: Rule | None
    unset_allowed: bool  # defaults to UNSET: may stay UNSET, not sent
    none_not_given: bool  # defaults to None: None is "not given", not sent
    nullable: bool  # None is a value, sent as null


_CHECKS: dict[type, tuple[_Check, ...]] = {}


def _checks(cls: type) -> tuple[_Check, ...]:
    found = _CHECKS.get(cls)
    if found is not None:
        return found
    undeclared = [field.name for field in attrs.fields(cls) if NULLABLE not in field.metadata]
    if undeclared:
        # The converter sends only declared fields' way (UNSET left out, None as declared):
        # an undeclared field would be unstructured by cattrs' defaults instead.
        raise TypeError(
            f"{cls.__name__}: declare every request field (metadata=declare(...)): {undeclared}"
        )
    found = _CHECKS[cls] = tuple(
        _Check(
            field.name,
            field.metadata.get(RULE),
            field.default is UNSET,
            field.default is None,
            bool(field.metadata.get(NULLABLE)),
        )
        for field in attrs.fields(cls)
    )
    return found


class Problems:
    """Collects field errors so that one `ValidationError` names every bad field."""

    def __init__(self) -> None:
        self.items: list[FieldError] = []

    def add(self, field: str, message: str) -> None:
        """Note what is wrong with ``field``."""
        self.items.append(FieldError(field, message))

    def raise_any(self) -> None:
        """Raise `ValidationError` naming every field noted, if any.

        Raises:
            ValidationError: One or more fields were noted.
        """
        if self.items:
            raise ValidationError(self.items)


def check_fields(request: Any) -> None:
    """Check every field of an attrs request by its declared rule.

    Raises:
        ValidationError: Naming every bad field.
    """
    problems = Problems()
    given = False
    for check in _checks(type(request)):
        value = getattr(request, check.name)
        if value is UNSET and check.unset_allowed:
            continue
        if value is None and check.none_not_given:
            continue
        given = True
        rule = check.rule
        if rule is not None and not (value is None and check.nullable):
            problem = rule(value)
            if problem is not None:  # checked here: a call per good field is measurable
                problems.add(check.name, problem)
    if not given and not problems.items and getattr(request, "needs_a_field", False):
        problems.add("*", "at least one field must be given")
    problems.raise_any()


class Request:
    """The base of request classes: each field's declared rule is checked when it is built.

    A subclass is a frozen attrs class whose fields declare their rules (`declare`). Setting
    ``needs_a_field = True`` refuses an object with no field given (an empty update).
    """

    __slots__ = ()
    needs_a_field: ClassVar[bool] = False

    def __attrs_post_init__(self) -> None:
        check_fields(self)


def check_id(kind: str, value: object, field: str | None = None) -> str:
    """Return ``value`` if it is an id of the entity ``kind``, else raise `ValidationError`.

    Args:
        kind: A key of `ID_PREFIXES`, such as ``"customer"``.
        value: What the caller passed.
        field: The name to report (default ``{kind}_id``).

    Raises:
        ValidationError: ``value`` is not such an id.
    """
    rule = id_of(kind)
    if isinstance(value, str) and rule.pattern.fullmatch(value):
        return value
    raise ValidationError.single(field or f"{kind}_id", rule(value) or "")
