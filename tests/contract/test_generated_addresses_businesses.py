"""Generated address and business updates through ``prism proxy --errors``: whatever the
request classes accept passes the spec, and so does what FakePaddle answers to it."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from paddle_async import Paddle
from paddle_async._countries import SUPPORTED_COUNTRY_CODES
from paddle_async.addresses import UpdateAddress
from paddle_async.businesses import Contact, UpdateBusiness
from paddle_async.testing import FakePaddle

from .conftest import Contract, skip_module_without_prism
from .test_generated import CUSTOM_DATA, EMAILS, EXAMPLES, NAMES, STATUSES, TEXT

skip_module_without_prism()

# Fewer than the customers' 40: each example is a round trip through Prism (~0.3 s).
FEWER = settings(EXAMPLES, max_examples=20)


def _nullable_text(max_size: int) -> st.SearchStrategy[str | None]:
    return st.none() | st.text(TEXT, max_size=max_size)


ADDRESS_UPDATES = st.fixed_dictionaries(
    {},
    optional={
        "description": _nullable_text(1024),
        "first_line": _nullable_text(1024),
        "second_line": _nullable_text(1024),
        "city": _nullable_text(200),
        "postal_code": _nullable_text(200),
        "region": _nullable_text(200),
        "country_code": st.sampled_from(sorted(SUPPORTED_COUNTRY_CODES)),
        "custom_data": CUSTOM_DATA,
        "status": STATUSES,
    },
).filter(bool)
CONTACTS = st.none() | st.lists(
    st.builds(Contact, email=EMAILS, name=NAMES), max_size=4, unique_by=lambda c: (c.email, c.name)
)
BUSINESS_UPDATES = st.fixed_dictionaries(
    {},
    optional={
        "name": st.text(TEXT, min_size=1, max_size=1024).filter(lambda n: n.strip() != ""),
        "company_number": _nullable_text(1024),
        "tax_identifier": _nullable_text(1024),
        "contacts": CONTACTS,
        "custom_data": CUSTOM_DATA,
        "status": STATUSES,
    },
).filter(bool)


@given(fields=ADDRESS_UPDATES)
@FEWER
async def test_generated_address_updates_pass_the_spec(
    paddle: Paddle, fake: FakePaddle, contract: Contract, fields: dict[str, Any]
) -> None:
    """Any address update the request class accepts, and its answer, pass the spec."""
    customers = fake.customers()
    customer_id = (
        customers[0]["id"] if customers else fake.add_customer(email="a@example.com")["id"]
    )
    addresses = fake.addresses(customer_id)
    address_id = addresses[0]["id"] if addresses else fake.add_address(customer_id)["id"]
    updated = await paddle.addresses.update(customer_id, address_id, UpdateAddress(**fields))
    assert [] == [str(violation) for violation in contract.take()]
    assert fields == {key: _plain(getattr(updated, key)) for key in fields}


@given(fields=BUSINESS_UPDATES)
@FEWER
async def test_generated_business_updates_pass_the_spec(
    paddle: Paddle, fake: FakePaddle, contract: Contract, fields: dict[str, Any]
) -> None:
    """Any business update the request class accepts, and its answer, pass the spec."""
    customers = fake.customers()
    customer_id = (
        customers[0]["id"] if customers else fake.add_customer(email="a@example.com")["id"]
    )
    businesses = fake.businesses(customer_id)
    business_id = (
        businesses[0]["id"] if businesses else fake.add_business(customer_id, name="B")["id"]
    )
    updated = await paddle.businesses.update(customer_id, business_id, UpdateBusiness(**fields))
    assert [] == [str(violation) for violation in contract.take()]
    expected = dict(fields)
    if "contacts" in expected:
        # None clears the list; a contact without a name comes back with "" (as Paddle's).
        expected["contacts"] = [(c.email, c.name or "") for c in expected["contacts"] or ()]
    got = {key: _plain(getattr(updated, key)) for key in fields}
    if "contacts" in got:
        got["contacts"] = [(c.email, c.name) for c in updated.contacts]
    assert expected == got


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, str) else value
