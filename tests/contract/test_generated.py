"""Generated requests through ``prism proxy --errors``: whatever the request classes accept
passes the spec, and whatever FakePaddle answers to it does too.

E-mail addresses are drawn from a plain shape here; the SDK's check of Paddle's e-mail rules
is tested in ``tests/test_requests.py`` and `test_emails_the_spec_rejects_are_refused_client_side`.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paddle_async import Paddle
from paddle_async.customers import ListCreditBalances, ListCustomers, UpdateCustomer
from paddle_async.testing import FakePaddle

from .conftest import Contract, skip_module_without_prism

skip_module_without_prism()

# One client and FakePaddle serve every example of a test; each example claims its own verdicts.
# derandomize: the same examples in every run, so CI never fails on a new draw by chance.
EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# Any character UTF-8 can encode: the SDK refuses lone surrogates itself (tests/test_requests.py).
TEXT = st.characters(codec="utf-8")
# Prism re-serialises bodies as JavaScript does, so beyond 2**53 a float such as 2.7e16 would
# come back as a different integer: numbers stay in the range where both languages agree.
JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(min_value=-(2.0**53), max_value=2.0**53)
    | st.text(TEXT, max_size=20)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(TEXT), inner, max_size=3),
    max_leaves=12,
)
CUSTOM_DATA = st.none() | st.dictionaries(st.text(TEXT, max_size=20), JSON_VALUES, max_size=4)
NAMES = st.none() | st.text(TEXT, max_size=1024)
LOCALES = st.text(TEXT, min_size=1, max_size=20).filter(lambda locale: locale.strip() != "")
STATUSES = st.sampled_from(["active", "archived"])
EMAILS = st.from_regex(
    r"[a-z0-9]([a-z0-9._+-]{0,30}[a-z0-9])?@example\.com", fullmatch=True
).filter(lambda email: ".." not in email)
UPDATES = st.fixed_dictionaries(
    {},
    optional={
        "name": NAMES,
        "email": EMAILS,
        "status": STATUSES,
        "custom_data": CUSTOM_DATA,
        "locale": LOCALES,
    },
).filter(bool)


@given(fields=UPDATES)
@EXAMPLES
async def test_generated_updates_pass_the_spec(
    paddle: Paddle, fake: FakePaddle, contract: Contract, fields: dict[str, Any]
) -> None:
    """Any update the request class accepts, and its answer, pass the spec."""
    existing = fake.customers()
    customer_id = existing[0]["id"] if existing else fake.add_customer(email="a@example.com")["id"]
    updated = await paddle.customers.update(customer_id, UpdateCustomer(**fields))
    assert [] == [str(violation) for violation in contract.take()]
    stored = fake.customer(customer_id)
    assert stored is not None
    assert fields == {key: stored[key] for key in fields}
    assert fields == {key: _plain(getattr(updated, key)) for key in fields}


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, str) else value


FILTER_TEXT = st.text(TEXT, min_size=1, max_size=100)


@given(
    search=st.none() | st.text(TEXT, max_size=100),
    emails=st.none() | st.lists(FILTER_TEXT, min_size=1, max_size=3),
    statuses=st.none() | st.lists(STATUSES, min_size=1, max_size=2, unique=True),
    order_by=st.none() | st.sampled_from(["id[ASC]", "id[DESC]", "id[asc]", "id[desc]"]),
    per_page=st.none() | st.integers(min_value=1, max_value=200),
    use_ids=st.booleans(),
    use_after=st.booleans(),
)
@EXAMPLES
async def test_generated_list_queries_pass_the_spec(
    paddle: Paddle,
    fake: FakePaddle,
    contract: Contract,
    search: str | None,
    emails: list[str] | None,
    statuses: list[str] | None,
    order_by: str | None,
    per_page: int | None,
    use_ids: bool,
    use_after: bool,
) -> None:
    """Any list query the request class accepts, and its pages, pass the spec."""
    ids = [customer["id"] for customer in fake.customers()] or fake.seed(5, archived_every=2)
    request = ListCustomers(
        search=search,
        email=emails,
        status=statuses,
        order_by=order_by,
        per_page=per_page,
        id=ids[1:4] if use_ids else None,
        after=ids[2] if use_after else None,
    )
    await paddle.customers.list(request).collect(limit=10)
    assert [] == [str(violation) for violation in contract.take()]


@pytest.mark.parametrize(
    "codes", [["USD"], ["EUR", "GBP", "JPY"], ["XTS"]], ids=["one", "several", "unknown"]
)
async def test_currency_filters_pass_the_spec(
    paddle: Paddle, fake: FakePaddle, codes: list[str]
) -> None:
    """Any three-capital-letter currency filter passes the spec (the query items are strings)."""
    customer_id = fake.add_customer(email="ada@example.com")["id"]
    fake.add_credit_balance(customer_id, "USD", available="1")
    request = ListCreditBalances(currency_code=codes)
    balances = await paddle.customers.list_credit_balances(customer_id, request)
    assert ["USD"] * ("USD" in codes) == [str(b.currency_code) for b in balances]
