"""A success whose data has the wrong shape: the error tells the real status and the body."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from paddle_async import Paddle
from paddle_async.customers import CreateCustomer
from paddle_async.errors import InvalidResponseError
from paddle_async.testing import FakePaddle

CUSTOMER_ID = "ctm_01h844p3h41s12zs5mn4axja51"
# A customer with a number for an id, and a long name so the body runs past 200 characters.
BAD_CUSTOMER = {"id": 42, "email": "x@example.com", "name": "n" * 300}
PAGINATION = {"per_page": 50, "next": "https://x/customers?after=x", "has_more": False}

Call = Callable[[Paddle], Awaitable[Any]]


async def create(paddle: Paddle) -> Any:
    return await paddle.customers.create(CreateCustomer(email="new@example.com"))


async def get(paddle: Paddle) -> Any:
    return await paddle.customers.get(CUSTOMER_ID)


async def list_all(paddle: Paddle) -> Any:
    return await paddle.customers.list().collect()


@pytest.mark.parametrize(
    ("call", "status", "data", "meta"),
    [
        (create, 201, BAD_CUSTOMER, {"request_id": "req-1"}),
        (get, 200, BAD_CUSTOMER, {"request_id": "req-1"}),
        (list_all, 203, [BAD_CUSTOMER], {"request_id": "req-1", "pagination": PAGINATION}),
        (list_all, 200, {"not": "a list"}, {"request_id": "req-1", "pagination": PAGINATION}),
    ],
    ids=["create-201", "get-200", "list-item-203", "list-shape-200"],
)
async def test_shape_error_has_the_real_status_and_the_body_start(
    paddle: Paddle, fake: FakePaddle, call: Call, status: int, data: Any, meta: dict[str, Any]
) -> None:
    """InvalidResponseError has the response's own status and its body's first 200 characters."""
    body = json.dumps({"data": data, "meta": meta}).encode()
    fake.faults.fail_next(1, status, body=body, content_type="application/json")
    with pytest.raises(InvalidResponseError) as caught:
        await call(paddle)
    error = caught.value
    assert (status, "req-1", body[:200].decode()) == (
        error.status,
        error.request_id,
        error.body_excerpt,
    )
