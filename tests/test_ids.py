"""Customer ids are ``ctm_`` plus 26 ASCII lowercase letters or digits, and nothing else."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from paddle_async import Paddle
from paddle_async._protocol import RawResponse, error_from_response
from paddle_async.customers import ListCustomers
from paddle_async.errors import CustomerAlreadyExistsError, ValidationError
from paddle_async.testing import FakePaddle

ARABIC_INDIC = "ctm_" + "".join(chr(0x0660 + n % 10) for n in range(26))  # U+0660 is 0
FULL_WIDTH = "ctm_" + "".join(chr(0xFF10 + n % 10) for n in range(26))  # U+FF10 is 0
# `\d` in a Python regex matches these too; `int()` even reads them as numbers.
UNICODE_DIGIT_IDS = [
    pytest.param(ARABIC_INDIC, id="arabic-indic"),
    pytest.param(FULL_WIDTH, id="full-width"),
    pytest.param("ctm_01h8441jn5pcwrfhwh78jqt8h\u0661", id="one-digit"),
]


def test_the_ids_are_26_unicode_digits() -> None:
    """The hostile ids have Paddle's length, so only their characters can tell them apart."""
    assert [30, 30] == [len(ARABIC_INDIC), len(FULL_WIDTH)]
    assert all(char.isdigit() for char in ARABIC_INDIC[4:] + FULL_WIDTH[4:])


@pytest.mark.parametrize("customer_id", UNICODE_DIGIT_IDS)
async def test_get_refuses_unicode_digits_before_sending(
    paddle: Paddle, fake: FakePaddle, customer_id: str
) -> None:
    """get, update and credit balances raise ValidationError and send nothing."""
    with pytest.raises(ValidationError) as caught:
        await paddle.customers.get(customer_id)
    assert ["customer_id"] == [error.field for error in caught.value.field_errors]
    with pytest.raises(ValidationError):
        await paddle.customers.list_credit_balances(customer_id)
    assert [] == fake.requests


@pytest.mark.parametrize("customer_id", UNICODE_DIGIT_IDS)
@pytest.mark.parametrize("field", ["id", "after"])
def test_list_filters_refuse_unicode_digits(customer_id: str, field: str) -> None:
    """ListCustomers(id=...) and ListCustomers(after=...) name the bad field."""
    kwargs: dict[str, Any] = {field: [customer_id] if field == "id" else customer_id}
    with pytest.raises(ValidationError) as caught:
        ListCustomers(**kwargs)
    assert [field] == [error.field for error in caught.value.field_errors]


def conflict_naming(customer_id: str) -> CustomerAlreadyExistsError:
    """Return the error the client makes of Paddle's 409 naming ``customer_id``."""
    detail = f"customer email conflicts with customer of id {customer_id}"
    body = {"error": {"type": "request_error", "code": "customer_already_exists", "detail": detail}}
    error = error_from_response(RawResponse(409, {}, json.dumps(body).encode()))
    assert isinstance(error, CustomerAlreadyExistsError)
    return error


@pytest.mark.parametrize("customer_id", UNICODE_DIGIT_IDS)
def test_conflict_detail_with_unicode_digits_names_no_customer(customer_id: str) -> None:
    """An id of Unicode digits in a 409's detail is not taken as the existing customer's id."""
    assert conflict_naming(customer_id).existing_customer_id is None


def test_conflict_detail_with_an_ascii_id_still_names_it() -> None:
    """The usual detail still gives the existing customer's id."""
    error = conflict_naming("ctm_01jwp3yens988zjex66a8hh7rz")
    assert "ctm_01jwp3yens988zjex66a8hh7rz" == error.existing_customer_id


@pytest.mark.parametrize("customer_id", [ARABIC_INDIC, FULL_WIDTH], ids=["arabic", "full-width"])
async def test_fake_paddle_routes_treat_unicode_digits_as_unknown(
    fake: FakePaddle, customer_id: str
) -> None:
    """FakePaddle answers a path or filter holding such an id as it does for any unknown id
    (a cursor that sorts after every stored id)."""
    stored = fake.add_customer(email="jo@example.com")
    headers = {"Authorization": f"Bearer {fake.api_key}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        async with http.get(f"{fake.base_url}/customers/{customer_id}") as reply:
            body = await reply.json()
            assert (404, "not_found") == (reply.status, body["error"]["code"])
            assert f"Customer {customer_id} not found." == body["error"]["detail"]
        params = {"id": customer_id, "status": "active,archived"}
        async with http.get(f"{fake.base_url}/customers", params=params) as reply:
            assert (200, []) == (reply.status, (await reply.json())["data"])
        params = {"after": customer_id, "order_by": "id[ASC]"}
        async with http.get(f"{fake.base_url}/customers", params=params) as reply:
            assert (200, []) == (reply.status, (await reply.json())["data"])
    assert stored == fake.customer(stored["id"])
