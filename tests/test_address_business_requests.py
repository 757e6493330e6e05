"""Address and business request classes: each bad field named before anything is sent."""

from __future__ import annotations

import json
from typing import Any

import attrs
import pytest

from paddle_async import UNSET
from paddle_async._resource import body, query
from paddle_async.addresses import CreateAddress, ListAddresses, UpdateAddress
from paddle_async.businesses import Contact, CreateBusiness, ListBusinesses, UpdateBusiness
from paddle_async.errors import ValidationError

SPEC_READ_ONLY = {"id", "customer_id", "import_meta", "created_at", "updated_at"}


def fields_of(make: Any) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        make()
    return [error.field for error in caught.value.field_errors]


# Addresses


def test_country_code_is_required_on_create() -> None:
    """CreateAddress without country_code is a TypeError (required); None is refused."""
    with pytest.raises(TypeError):
        CreateAddress()  # type: ignore[call-arg]
    assert ["country_code"] == fields_of(lambda: CreateAddress(country_code=None))  # type: ignore[arg-type]


@pytest.mark.parametrize("code", ["RU", "us", "USA", "", "ZZ"])
def test_a_country_paddle_does_not_support_is_refused(code: str) -> None:
    """Only Paddle's supported countries pass: not RU, not lower case, not unknown codes."""
    assert ["country_code"] == fields_of(lambda: CreateAddress(country_code=code))
    assert ["country_code"] == fields_of(lambda: UpdateAddress(country_code=code))


def test_kosovo_is_a_supported_country() -> None:
    """XK (user-assigned in ISO 3166-1) is on Paddle's list."""
    assert b'{"country_code":"XK"}' == body(CreateAddress(country_code="XK"))


def test_address_lengths_follow_the_spec() -> None:
    """Lines at most 1,024 characters; city, postal code and region at most 200."""
    CreateAddress(
        country_code="US",
        description="d" * 1024,
        first_line="f" * 1024,
        second_line="s" * 1024,
        city="c" * 200,
        postal_code="p" * 200,
        region="r" * 200,
    )
    bad = {
        "description": "d" * 1025,
        "first_line": "f" * 1025,
        "second_line": "s" * 1025,
        "city": "c" * 201,
        "postal_code": "p" * 201,
        "region": "r" * 201,
    }
    assert list(bad) == fields_of(lambda: CreateAddress(country_code="US", **bad))
    assert list(bad) == fields_of(lambda: UpdateAddress(**bad))


def test_every_bad_field_is_named_at_once() -> None:
    """One ValidationError names each bad field, custom_data included."""
    assert ["country_code", "city", "custom_data"] == fields_of(
        lambda: CreateAddress(country_code="ru", city=7, custom_data=[1])  # type: ignore[arg-type]
    )


def test_update_address_nulls_exactly_where_the_spec_allows() -> None:
    """Text fields and custom_data clear with None; country_code and status refuse None."""
    nullable = ("description", "first_line", "second_line", "city", "postal_code", "region")
    request = UpdateAddress(**dict.fromkeys(nullable), custom_data=None)
    assert {**dict.fromkeys(nullable), "custom_data": None} == json.loads(body(request))
    assert ["country_code", "status"] == fields_of(
        lambda: UpdateAddress(country_code=None, status=None)  # type: ignore[arg-type]
    )


def test_an_empty_update_is_refused() -> None:
    """An update with no field given sends nothing."""
    assert ["*"] == fields_of(UpdateAddress)
    assert ["*"] == fields_of(UpdateBusiness)


def test_create_address_has_no_status_or_read_only_field() -> None:
    """No read-only field in any address body; status only on an update (spec)."""
    assert not SPEC_READ_ONLY & {f.name for f in attrs.fields(CreateAddress)}
    assert not SPEC_READ_ONLY & {f.name for f in attrs.fields(UpdateAddress)}
    assert "status" not in {f.name for f in attrs.fields(CreateAddress)}
    with pytest.raises(TypeError):
        CreateAddress(country_code="US", id="add_x")  # type: ignore[call-arg]


def test_address_status_is_one_of_paddles() -> None:
    """status takes active or archived."""
    assert b'{"status":"archived"}' == body(UpdateAddress(status="archived"))
    assert ["status"] == fields_of(lambda: UpdateAddress(status="deleted"))


# Businesses


def test_business_name_is_required_and_not_blank() -> None:
    """name: required on create, 1 to 1,024 characters, never blank, never None on update."""
    with pytest.raises(TypeError):
        CreateBusiness()  # type: ignore[call-arg]
    assert ["name"] == fields_of(lambda: CreateBusiness(name="  "))
    assert ["name"] == fields_of(lambda: CreateBusiness(name="n" * 1025))
    assert ["name"] == fields_of(lambda: UpdateBusiness(name=None))  # type: ignore[arg-type]
    CreateBusiness(name="n" * 1024)


def test_business_lengths_and_nulls() -> None:
    """company_number and tax_identifier: at most 1,024, and None clears them on update."""
    assert ["company_number", "tax_identifier"] == fields_of(
        lambda: CreateBusiness(name="B", company_number="c" * 1025, tax_identifier="t" * 1025)
    )
    request = UpdateBusiness(company_number=None, tax_identifier=None, custom_data=None)
    assert b'{"company_number":null,"tax_identifier":null,"custom_data":null}' == body(request)
    assert ["status"] == fields_of(lambda: UpdateBusiness(status=None))  # type: ignore[arg-type]


def test_contacts_are_at_most_100_and_valid() -> None:
    """Contacts: up to 100 Contact objects, each with a valid e-mail, all different."""
    hundred = [Contact(email=f"c{i}@example.com") for i in range(100)]
    assert 100 == len(CreateBusiness(name="B", contacts=hundred).contacts or ())
    more = [*hundred, Contact(email="x@example.com")]
    assert ["contacts"] == fields_of(lambda: CreateBusiness(name="B", contacts=more))
    assert ["contacts"] == fields_of(lambda: UpdateBusiness(contacts=more))
    twice = [Contact(email="jo@example.com"), Contact(email="jo@example.com")]
    assert ["contacts"] == fields_of(lambda: CreateBusiness(name="B", contacts=twice))
    assert ["contacts"] == fields_of(
        lambda: CreateBusiness(name="B", contacts=[{"email": "jo@example.com"}])  # type: ignore[list-item]
    )
    assert ["contacts"] == fields_of(
        lambda: CreateBusiness(name="B", contacts=Contact(email="jo@example.com"))  # type: ignore[arg-type]
    )


def test_the_same_email_may_repeat_under_another_name() -> None:
    """Contacts differ as objects: the spec's own example has jo@ under two names."""
    contacts = [
        Contact(email="jo@example.com", name="Jo Riley"),
        Contact(email="jo@example.com", name="Jesse Garcia"),
    ]
    assert 2 == len(UpdateBusiness(contacts=contacts).contacts or ())


@pytest.mark.parametrize(
    "email", ["", "jo", "jo@@example.com", "jo..x@example.com", "jö@example.com", "a b@example.com"]
)
def test_a_contact_needs_a_valid_email(email: str) -> None:
    """A contact's e-mail is checked like a customer's."""
    assert ["email"] == fields_of(lambda: Contact(email=email))


def test_a_contact_name_is_at_most_1024() -> None:
    """A contact's name: at most 1,024 characters; None leaves it out."""
    assert ["name"] == fields_of(lambda: Contact(email="jo@example.com", name="n" * 1025))
    assert b'{"name":"B","contacts":[{"email":"jo@example.com"}]}' == body(
        CreateBusiness(name="B", contacts=[Contact(email="jo@example.com")])
    )


def test_contacts_none_is_left_out_on_create_and_null_on_update() -> None:
    """CreateBusiness(contacts=None) sends nothing; UpdateBusiness(contacts=None) clears."""
    assert b'{"name":"B"}' == body(CreateBusiness(name="B", contacts=None))
    assert b'{"contacts":null}' == body(UpdateBusiness(contacts=None))
    assert UNSET is UpdateBusiness(name="B").contacts


def test_business_bodies_have_no_read_only_field() -> None:
    """No read-only field in any business body; status only on an update."""
    assert not SPEC_READ_ONLY & {f.name for f in attrs.fields(CreateBusiness)}
    assert not SPEC_READ_ONLY & {f.name for f in attrs.fields(UpdateBusiness)}
    assert "status" not in {f.name for f in attrs.fields(CreateBusiness)}


# Listings


@pytest.mark.parametrize("request_class", [ListAddresses, ListBusinesses])
def test_list_filters_are_checked(request_class: Any) -> None:
    """Ids of the listed entity only, page sizes 1 to 200, searches up to 100, known statuses."""
    assert ["after", "id", "order_by", "per_page", "search", "status"] == fields_of(
        lambda: request_class(
            after="ctm_01h844p3h41s12zs5mn4axja51",
            id=["add_x"],
            order_by="name[ASC]",
            per_page=201,
            search="s" * 101,
            status=["gone"],
        )
    )
    assert "" == query(request_class())


def test_list_ids_are_of_the_listed_entity() -> None:
    """An address listing refuses business ids, and the other way round."""
    address_id, business_id = "add_" + "0" * 26, "biz_" + "0" * 26
    assert f"id={address_id}" == query(ListAddresses(id=address_id))
    assert ["id"] == fields_of(lambda: ListAddresses(id=business_id))
    assert f"id={business_id}" == query(ListBusinesses(id=[business_id]))
    assert ["after"] == fields_of(lambda: ListBusinesses(after=address_id))
