"""The rules of `_validation`, each defined once, and what declaring them on a request does."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import attrs
import pytest

from paddle_async import UNSET, Unset
from paddle_async import _validation as rules
from paddle_async._resource import Path
from paddle_async._validation import ID_PREFIXES, Request, as_items, check_id, declare
from paddle_async.errors import FieldError, ValidationError

TAIL = "01h844p3h41s12zs5mn4axja51"


@attrs.frozen(kw_only=True)
class Contact(Request):
    """A nested request part, as a business's contacts will be."""

    email: str = attrs.field(metadata=declare(rules.email))
    name: str | None = attrs.field(default=None, metadata=declare(rules.text(1024)))


@attrs.frozen(kw_only=True)
class Example(Request):
    """A request declaring one field of each kind."""

    needs_a_field: ClassVar[bool] = True

    country_code: str | Unset = attrs.field(default=UNSET, metadata=declare(rules.country_code))
    name: str | Unset | None = attrs.field(
        default=UNSET, metadata=declare(rules.text(5, min_length=1), null=True)
    )
    region: str | None = attrs.field(default=None, metadata=declare(rules.text(5)))
    subscription_ids: Sequence[str] | None = attrs.field(
        default=None,
        converter=as_items,
        metadata=declare(rules.each(rules.id_of("subscription"), max_items=2)),
    )
    contacts: Sequence[Contact] | Unset = attrs.field(default=UNSET, metadata=declare())


def problems(make: Any) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as caught:
        make()
    return [(error.field, error.message) for error in caught.value.field_errors]


def test_the_id_table_names_the_customer_area() -> None:
    """One table holds every prefix the customer area needs."""
    assert {
        "customer": "ctm",
        "address": "add",
        "business": "biz",
        "payment_method": "paymtd",
        "subscription": "sub",
        "customer_portal_session": "cpls",
    } == dict(ID_PREFIXES)


@pytest.mark.parametrize(("kind", "prefix"), sorted(ID_PREFIXES.items()))
def test_each_id_kind_takes_its_prefix_and_26_ascii_characters(kind: str, prefix: str) -> None:
    """An id passes with its own prefix only, and never with Unicode digits or capitals."""
    assert f"{prefix}_{TAIL}" == check_id(kind, f"{prefix}_{TAIL}")
    other = "ctm" if prefix != "ctm" else "add"
    for bad in (f"{other}_{TAIL}", f"{prefix}_{TAIL[:-1]}\u0661", f"{prefix}_{TAIL.upper()}", None):
        with pytest.raises(ValidationError) as caught:
            check_id(kind, bad)
        assert [f"{kind}_id"] == [error.field for error in caught.value.field_errors]


def test_a_path_checks_each_id_against_its_own_prefix() -> None:
    """Path fills several ids, each checked by its own pattern and named when bad."""
    path = Path("/customers/{customer_id}/addresses/{address_id}")
    assert f"/customers/ctm_{TAIL}/addresses/add_{TAIL}" == path(
        customer_id=f"ctm_{TAIL}", address_id=f"add_{TAIL}"
    )
    with pytest.raises(ValidationError) as caught:
        path(customer_id=f"ctm_{TAIL}", address_id=f"ctm_{TAIL}")
    assert ["address_id"] == [error.field for error in caught.value.field_errors]
    with pytest.raises(ValidationError) as caught:
        path(customer_id="../x", address_id=f"add_{TAIL}")
    assert ["customer_id"] == [error.field for error in caught.value.field_errors]


def test_a_path_refuses_a_parameter_that_is_no_known_id() -> None:
    """A template naming no entity of the table is a mistake found when it is defined."""
    with pytest.raises(ValueError, match="order_id"):
        Path("/orders/{order_id}")


def test_one_error_names_every_bad_field() -> None:
    """Each declared rule is checked, and every bad field is named in one ValidationError."""
    assert [
        ("country_code", "must be two capital letters (ISO 3166-1 alpha-2): 'de'"),
        ("name", "at most 5 characters, got 6"),
        ("region", "must be a string, got int"),
        ("subscription_ids", "at most 2 items, got 3"),
    ] == problems(
        lambda: Example(
            country_code="de",
            name="Ada Lo",
            region=5,  # type: ignore[arg-type]
            subscription_ids=[f"sub_{TAIL}"] * 3,
        )
    )


def test_none_reads_as_each_field_declares() -> None:
    """UNSET and a None default are 'not given'; None is a value only where declared null."""
    assert (None, UNSET) == (Example(name=None).name, Example(name=None).country_code)
    assert [("country_code", "must be two capital letters (ISO 3166-1 alpha-2): None")] == (
        problems(lambda: Example(country_code=None))  # type: ignore[arg-type]
    )


def test_a_class_can_ask_for_at_least_one_field() -> None:
    """needs_a_field refuses an object with nothing given (an empty update)."""
    assert [("*", "at least one field must be given")] == problems(Example)
    assert [("*", "at least one field must be given")] == problems(lambda: Example(region=None))


def test_each_names_the_first_bad_item_and_how_many_more() -> None:
    """A list rule reports its first bad item, counting the others."""
    rule = rules.each(rules.id_of("subscription"))
    assert None is rule([f"sub_{TAIL}"])
    assert "not a Paddle subscription id (sub_ + 26 characters): 'x' (and 1 more)" == rule(
        [f"sub_{TAIL}", "x", "y"]
    )
    assert "must be a list, got str" == rule(f"sub_{TAIL}")


@pytest.mark.parametrize(
    ("item", "fits"),
    [("a" * 100, True), ("a" * 101, False), ("a,b", False), ("", True)],
)
def test_the_filter_item_limit(item: str, fits: bool) -> None:
    """An item fits a list filter with at most 100 characters and no comma."""
    assert fits == rules.fits_filter(item)
    assert (fits and item != "") == (rules.filter_item(item) is None)


@pytest.mark.parametrize("code", ["DE", "US", "GB"])
def test_country_codes_in_form_pass(code: str) -> None:
    """Two capital ASCII letters pass the country rule."""
    assert None is rules.country_code(code)


@pytest.mark.parametrize("code", ["de", "DEU", "D", "\uff24\uff25", 49])
def test_country_codes_out_of_form_fail(code: Any) -> None:
    """Lower case, three letters, full-width letters and numbers fail it."""
    assert rules.country_code(code) is not None


@pytest.mark.parametrize("code", ["RU", "KP", "AQ", "XX"])
def test_country_codes_paddle_does_not_support_fail(code: str) -> None:
    """Codes of the right form outside Paddle's supported list (RU, KP, ...) fail, by name."""
    assert f"not a country Paddle supports: {code!r}" == rules.country_code(code)


def test_the_rule_checks_against_the_packages_one_list() -> None:
    """The country rule uses `_countries.SUPPORTED_COUNTRY_CODES`: XK passes, every code does."""
    from paddle_async._countries import SUPPORTED_COUNTRY_CODES

    assert [] == [code for code in SUPPORTED_COUNTRY_CODES if rules.country_code(code)]
    assert None is rules.country_code("XK")


@pytest.mark.parametrize("value", ["", "   ", "x\ud800", 7])
def test_required_text_refuses_blank_and_unsendable_text(value: Any) -> None:
    """text(min_length=1) refuses empty text, spaces only, lone surrogates and non-strings."""
    assert rules.text(min_length=1)(value) is not None


def test_nested_parts_are_checked_when_built() -> None:
    """A nested request part checks its own fields."""
    with pytest.raises(ValidationError) as caught:
        Contact(email="not an address")
    assert ["email"] == [error.field for error in caught.value.field_errors]


def test_problems_collects_then_raises_once() -> None:
    """The collector raises nothing until something is noted, then one error for all."""
    collector = rules.Problems()
    collector.raise_any()
    collector.add("b", "must be a string, got int")
    collector.add("c", "bad")
    with pytest.raises(ValidationError) as caught:
        collector.raise_any()
    assert (FieldError("b", "must be a string, got int"), FieldError("c", "bad")) == (
        caught.value.field_errors
    )


@attrs.frozen(kw_only=True)
class Undeclared(Request):
    """A request class that forgot to declare a field."""

    name: str = attrs.field(metadata=declare(rules.text(10)))
    note: str | None = None


def test_every_request_field_must_be_declared() -> None:
    """A request class with a field not declared with declare() cannot be built."""
    with pytest.raises(TypeError, match=r"\['note'\]"):
        Undeclared(name="a")


def test_each_unique_names_the_first_repeat() -> None:
    """each(unique=True) refuses an item given twice, after checking the items themselves."""
    rule = rules.each(rules.id_of("subscription"), unique=True)
    first, second = f"sub_{TAIL}", f"sub_{TAIL[:-1]}2"
    assert rule([first, second]) is None
    assert f"each item at most once: {first!r} is given twice" == rule([first, second, first])
    assert rules.each(rules.id_of("subscription"))([first, first]) is None
    assert (rule(["x", "x"]) or "").startswith("not a Paddle subscription id")


@pytest.mark.parametrize(
    ("value", "passes"), [(True, True), (False, True), (1, False), ("true", False)]
)
def test_flag_takes_only_booleans(value: Any, passes: bool) -> None:
    """flag passes True and False only: not 1, and not the string "true"."""
    assert passes == (rules.flag(value) is None)
