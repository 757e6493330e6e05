"""Deeply nested JSON: a documented limit both ways, typed errors, never a RecursionError."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from paddle_async import Paddle, _json
from paddle_async._convert import StructureError, converter, structure, structurer
from paddle_async._json import TOO_DEEP
from paddle_async._protocol import Envelope, RawResponse, error_from_response
from paddle_async.customers import (
    CreateCustomer,
    Customer,
    SyncOutcome,
    SyncRecord,
    UpdateCustomer,
)
from paddle_async.errors import InvalidResponseError, ServerError, ValidationError
from paddle_async.testing import FakePaddle

LIMIT = _json.MAX_DEPTH


def nested(depth: int) -> dict[str, Any]:
    """Return an object nested ``depth`` levels deep (``{}`` is one level)."""
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


def nested_text(depth: int) -> str:
    """Return ``nested(depth)`` as JSON text, built without recursing."""
    return '{"a":' * (depth - 1) + "{}" + "}" * (depth - 1)


def customer_text(custom_data: str) -> str:
    return (
        '{"id":"ctm_01hv6y1jedq4p1n0yqn5ba3ky4","email":"deep@example.com","custom_data":'
        + custom_data
        + ',"created_at":"2024-04-11T15:57:24.813Z","updated_at":"2024-04-11T15:57:24.813Z"}'
    )


def seed_deep(fake: FakePaddle, email: str, depth: int) -> str:
    """Store a customer whose custom_data is ``depth`` levels deep; return its id.

    `add_customer` deep-copies custom_data, which recurses, so the value goes into the store
    directly.
    """
    customer_id: str = fake.add_customer(email=email, name="Deep")["id"]
    stored = fake._store.get(customer_id)
    assert stored is not None
    stored.custom_data = nested(depth)
    return customer_id


# The limit itself


def test_the_limit_counts_levels_of_objects_and_arrays() -> None:
    """{} is one level; a value exactly at the limit passes, one more level does not."""
    assert [False, False, True] == [
        _json.nested_too_deeply({}, 1),
        _json.nested_too_deeply(nested(LIMIT), LIMIT),
        _json.nested_too_deeply(nested(LIMIT + 1), LIMIT),
    ]
    assert _json.nested_too_deeply([[1, [2]], {"a": ({"b": []},)}], 4)  # five levels
    assert not _json.nested_too_deeply([[1, [2]], {"a": ({"b": 1},)}], 4)  # four


def test_the_limit_answers_for_a_cycle_and_any_depth() -> None:
    """A reference cycle and a million levels get an answer, without recursion."""
    cycle: dict[str, Any] = {}
    cycle["self"] = cycle
    deep: list[Any] = []
    for _ in range(1_000_000):
        deep = [deep]
    assert (True, True) == (_json.nested_too_deeply(cycle), _json.nested_too_deeply(deep))


# On the way in


@pytest.mark.parametrize("depth", [1100, 5000, 100_000])
def test_too_deep_documents_are_a_value_error(json_decoder: Any, depth: int) -> None:
    """loads refuses documents past the decoder's depth with ValueError, either decoder."""
    with pytest.raises(ValueError, match=r"depth|deep"):
        _json.loads(nested_text(depth))


def test_too_deep_response_is_an_invalid_response(json_decoder: Any) -> None:
    """A success or error body nested 5,000 deep is a typed error, not a RecursionError."""
    body = ('{"data":' + nested_text(5000) + "}").encode()
    with pytest.raises(InvalidResponseError):
        Envelope.from_response(RawResponse(200, {}, body))
    error = error_from_response(RawResponse(500, {}, body))
    assert (ServerError, 500) == (type(error), error.status)


@pytest.mark.parametrize("depth", [LIMIT + 1, 500])
def test_custom_data_over_the_limit_does_not_structure(json_decoder: Any, depth: int) -> None:
    """A customer whose custom_data is deeper than the limit does not structure."""
    document = _json.loads(customer_text(nested_text(depth)))
    with pytest.raises(StructureError, match=f"custom_data: {TOO_DEEP}"):
        structurer(Customer)(document)


def test_custom_data_at_the_limit_structures(json_decoder: Any) -> None:
    """custom_data exactly at the limit is kept as it came."""
    customer = structurer(Customer)(_json.loads(customer_text(nested_text(LIMIT))))
    assert nested(LIMIT) == customer.custom_data


def test_models_and_generic_objects_keep_the_same_limit() -> None:
    """The converter's Customer hook and any dict[str, Any] field refuse the same depth."""
    document = json.loads(customer_text(nested_text(LIMIT + 1)))
    with pytest.raises(StructureError):
        converter.structure(document, Customer)
    with pytest.raises(StructureError):
        structure(nested(LIMIT + 1), dict[str, Any])
    assert nested(LIMIT) == structure(nested(LIMIT), dict[str, Any])


async def test_get_and_list_of_a_1000_deep_customer_raise_invalid_response(
    json_decoder: Any, paddle: Paddle, fake: FakePaddle
) -> None:
    """get and list against FakePaddle holding a 1,000-deep custom_data: InvalidResponseError."""
    customer_id = seed_deep(fake, "deep@example.com", 1000)
    with pytest.raises(InvalidResponseError) as caught:
        await paddle.customers.get(customer_id)
    # orjson decodes 1,000 levels and the model refuses custom_data; the stdlib cannot decode.
    reason = {json.loads: "JSON nested too deeply to decode"}.get(json_decoder, TOO_DEEP)
    assert reason in str(caught.value)
    with pytest.raises(InvalidResponseError):
        await paddle.customers.list().collect()


async def test_sync_with_a_1000_deep_customer_fails_that_record_only(
    json_decoder: Any, paddle: Paddle, fake: FakePaddle
) -> None:
    """sync() meets the deep customer as a typed failure and still syncs the other records."""
    seed_deep(fake, "deep@example.com", 1000)
    fake.add_customer(email="plain@example.com", name="Plain")
    records = [
        SyncRecord(email="deep@example.com", custom_data={"a": 1}),
        SyncRecord(email="plain@example.com", name="Changed"),
    ]
    results = [result async for result in paddle.customers.sync(records, strategy="lookup")]
    outcomes = {result.email: result.outcome for result in results}
    assert {
        "deep@example.com": SyncOutcome.FAILED,
        "plain@example.com": SyncOutcome.UPDATED,
    } == outcomes
    (failed,) = [result for result in results if result.outcome is SyncOutcome.FAILED]
    assert isinstance(failed.error, InvalidResponseError)


async def test_sync_scan_meeting_a_1000_deep_customer_looks_up_instead(
    json_decoder: Any, paddle: Paddle, fake: FakePaddle
) -> None:
    """A scan whose page holds the deep customer gives way to lookups, and the sync goes on."""
    seed_deep(fake, "deep@example.com", 1000)
    summary = await paddle.customers.sync([SyncRecord(email="new@example.com")], strategy="scan")
    assert summary.plan is not None
    assert (1, 1, "lookup") == (summary.records, summary.created, str(summary.plan.strategy))
    assert "the scan failed" in summary.plan.reason


# On the way out

RequestFactory = Callable[[dict[str, Any]], object]
REQUESTS: list[Any] = [
    pytest.param(lambda data: CreateCustomer(email="a@example.com", custom_data=data), id="create"),
    pytest.param(lambda data: UpdateCustomer(custom_data=data), id="update"),
    pytest.param(lambda data: SyncRecord(email="a@example.com", custom_data=data), id="sync"),
]


@pytest.mark.parametrize("make", REQUESTS)
@pytest.mark.parametrize("depth", [LIMIT + 1, 1000, 5000])
def test_requests_refuse_custom_data_over_the_limit(make: RequestFactory, depth: int) -> None:
    """CreateCustomer, UpdateCustomer and SyncRecord raise ValidationError naming custom_data."""
    with pytest.raises(ValidationError) as caught:
        make(nested(depth))
    assert [("custom_data", f"nested more than {LIMIT} levels deep")] == [
        (error.field, error.message) for error in caught.value.field_errors
    ]


@pytest.mark.parametrize("make", REQUESTS)
def test_requests_take_custom_data_at_the_limit(make: RequestFactory) -> None:
    """custom_data exactly at the limit is accepted."""
    assert nested(LIMIT) == make(nested(LIMIT)).custom_data  # type: ignore[attr-defined]


def test_a_cycle_in_custom_data_is_a_validation_error() -> None:
    """A dict that contains itself is refused, not a RecursionError or a hang."""
    cycle: dict[str, Any] = {}
    cycle["self"] = cycle
    with pytest.raises(ValidationError):
        CreateCustomer(email="a@example.com", custom_data=cycle)


def test_encoder_never_raises_recursion_error() -> None:
    """dumps refuses a value too deep for the encoder with ValueError."""
    with pytest.raises(ValueError, match="deep"):
        _json.dumps(nested(5000))
    assert b'{"a":{}}' == _json.dumps(nested(2))
