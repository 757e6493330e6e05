"""Request classes: validation before sending, and the exact JSON they produce."""

from __future__ import annotations

from typing import Any

import pytest

from paddle_async import UNSET
from paddle_async._convert import unstructure, unstructure_query
from paddle_async._validation import check_id
from paddle_async.customers import (
    CreateCustomer,
    CustomerStatus,
    ListCreditBalances,
    ListCustomers,
    UpdateCustomer,
)
from paddle_async.errors import ValidationError


def fields_of(error: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return [item.field for item in error.value.field_errors]


def test_create_sends_only_given_fields() -> None:
    """A create with only an email sends only the email."""
    assert {"email": "a@example.com"} == unstructure(CreateCustomer(email="a@example.com"))


def test_create_full_body() -> None:
    """A full create sends email, name, custom_data and locale."""
    request = CreateCustomer(
        email="a@example.com", name="Ada", custom_data={"ref": "x1"}, locale="el"
    )
    assert {
        "email": "a@example.com",
        "name": "Ada",
        "custom_data": {"ref": "x1"},
        "locale": "el",
    } == unstructure(request)


def test_create_names_every_bad_field() -> None:
    """One ValidationError names each bad field, and it is also a ValueError."""
    with pytest.raises(ValidationError) as caught:
        CreateCustomer(email="", name="x" * 1025, custom_data={"f": object()}, locale="")
    assert ["email", "name", "custom_data", "locale"] == fields_of(caught)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "email",
    [
        "",
        "x" * 310 + "@example.com",
        "no-at-sign",
        "a b@example.com",
        "ada..lovelace@example.com",
        ".ada@example.com",
        "ada.@example.com",
        "ada@example.com.",
        "ada@.example.com",
        "ad\u00e4@example.com",
        "ada@b\u00fccher.example",
        "x" * 65 + "@example.com",
        "ada@@example.com",
        "ada@-example.com",
        "ada,bob@example.com",
    ],
)
def test_create_rejects_bad_emails(email: str) -> None:
    """Empty, overlong and malformed addresses, and those Paddle's rules refuse (non-ASCII,
    leading, trailing or doubled dots, a local part over 64), are rejected before sending."""
    with pytest.raises(ValidationError) as caught:
        CreateCustomer(email=email)
    assert ["email"] == fields_of(caught)


@pytest.mark.parametrize(
    "email",
    [
        "a@example.com",
        "x" * 64 + "@example.com",
        "o'brien+billing@mail.example.co.uk",
        "first.last-tag_1@sub-domain.example",
        "user@localhost",
    ],
)
def test_create_accepts_valid_emails(email: str) -> None:
    """Ordinary addresses, a 64-character local part and atext symbols all pass."""
    assert email == CreateCustomer(email=email).email


@pytest.mark.parametrize("field", ["name", "locale"])
def test_lone_surrogates_are_a_validation_error(field: str) -> None:
    """Text UTF-8 cannot encode is refused as bad input, not a UnicodeEncodeError later."""
    with pytest.raises(ValidationError) as caught:
        CreateCustomer(email="a@example.com", **{field: "x\ud800"})
    assert [field] == fields_of(caught)
    with pytest.raises(ValidationError):
        CreateCustomer(email="a@example.com", custom_data={"k": "\udfff"})
    with pytest.raises(ValidationError):
        ListCustomers(search="\ud800")


def test_create_rejects_non_finite_custom_data() -> None:
    """custom_data must be JSON: NaN is not."""
    with pytest.raises(ValidationError):
        CreateCustomer(email="a@example.com", custom_data={"x": float("nan")})


def test_update_omits_unset_fields() -> None:
    """Only given fields are sent."""
    assert {"name": "Ada"} == unstructure(UpdateCustomer(name="Ada"))


def test_update_sends_null_for_clearable_fields() -> None:
    """name=None and custom_data=None become JSON null."""
    assert {"name": None, "custom_data": None} == unstructure(
        UpdateCustomer(name=None, custom_data=None)
    )


@pytest.mark.parametrize("field", ["email", "status", "locale"])
def test_update_rejects_none_for_unclearable_fields(field: str) -> None:
    """None for email, status or locale is rejected before sending."""
    kwargs: dict[str, Any] = {field: None}
    with pytest.raises(ValidationError) as caught:
        UpdateCustomer(**kwargs)
    assert [field] == fields_of(caught)


def test_update_status_is_sent_as_string() -> None:
    """An enum status is sent as its value."""
    assert {"status": "archived"} == unstructure(UpdateCustomer(status=CustomerStatus.ARCHIVED))


def test_update_rejects_unknown_status() -> None:
    """Only active and archived can be sent."""
    with pytest.raises(ValidationError):
        UpdateCustomer(status="deleted")


def test_empty_update_is_rejected() -> None:
    """An update with no field at all is a bug, caught before sending."""
    with pytest.raises(ValidationError):
        UpdateCustomer()


def test_update_defaults_are_unset() -> None:
    """Every update field defaults to UNSET."""
    request = UpdateCustomer(locale="en")
    assert (UNSET, UNSET, UNSET, UNSET) == (
        request.name,
        request.email,
        request.status,
        request.custom_data,
    )


def test_read_only_fields_cannot_be_sent() -> None:
    """Request classes have no read-only fields to set."""
    with pytest.raises(TypeError):
        CreateCustomer(email="a@example.com", marketing_consent=True)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        UpdateCustomer(import_meta={"imported_from": "x"})  # type: ignore[call-arg]


def test_list_query_joins_arrays_with_commas() -> None:
    """Arrays become one comma-separated parameter; order_by is spelled as Paddle does."""
    request = ListCustomers(
        status=["active", "archived"],
        email=["a@example.com", "b@example.com"],
        order_by="id[asc]",
        per_page=200,
    )
    assert {
        "email": "a@example.com,b@example.com",
        "order_by": "id[ASC]",
        "per_page": 200,
        "status": "active,archived",
    } == unstructure_query(request)


def test_list_accepts_a_single_string_for_arrays() -> None:
    """status="archived" means one status, not a list of characters."""
    assert ("archived",) == ListCustomers(status="archived").status


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"per_page": 0}, "per_page"),
        ({"per_page": 201}, "per_page"),
        ({"per_page": True}, "per_page"),
        ({"status": ["deleted"]}, "status"),
        ({"email": ["x" * 95 + "@example.com"]}, "email"),
        ({"search": "x" * 101}, "search"),
        ({"order_by": "name[ASC]"}, "order_by"),
        ({"after": "../x"}, "after"),
        ({"id": ["ctm_short"]}, "id"),
    ],
)
def test_list_rejects_bad_filters(kwargs: dict[str, Any], field: str) -> None:
    """Each bad filter is named."""
    with pytest.raises(ValidationError) as caught:
        ListCustomers(**kwargs)
    assert [field] == fields_of(caught)


def test_credit_balance_query() -> None:
    """Currency codes are comma-joined and checked."""
    assert {"currency_code": "USD,GBP"} == unstructure_query(
        ListCreditBalances(currency_code=["USD", "GBP"])
    )
    for bad in ("usd", "US", "\uff35SD"):
        with pytest.raises(ValidationError):
            ListCreditBalances(currency_code=["EUR", bad])


@pytest.mark.parametrize(
    "value",
    [
        "../x",
        "a?b",
        "ctm_01H844P3H41S12ZS5MN4AXJA51",
        "ctm_01h844p3h41s12zs5mn4axja5",
        "",
        None,
        42,
    ],
)
def test_malformed_customer_ids_are_rejected(value: Any) -> None:
    """Anything but ctm_ plus 26 lowercase characters never reaches a URL path."""
    with pytest.raises(ValidationError):
        check_id("customer", value)
