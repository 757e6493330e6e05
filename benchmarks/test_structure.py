"""Micro-benchmark: one 200-customer page, from bytes to models.

Run with ``pytest benchmarks/test_structure.py`` (needs pytest-benchmark; the main suite's
testpaths is tests/ only, so CI never runs this). Compares paddle_async's structuring into
frozen attrs models with plain ``json.loads``, with orjson, and with the official SDK's
``Customer.from_dict`` where those are installed.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from benchmarks._data import customer_bytes

pytest.importorskip("pytest_benchmark")

PAGE_SIZE = 200
PAGE = (
    b'{"data":['
    + b",".join(customer_bytes(i) for i in range(PAGE_SIZE))
    + b'],"meta":{"request_id":"7c0bd7d5-66a3-4b0c-9a8e-3b5a2f1f0b6e","pagination":'
    b'{"per_page":200,"next":"https://api.paddle.com/customers?after=ctm_01hbench000000000000000199",'
    b'"has_more":true,"estimated_total":10000}}}'
)


def _sdk_structure() -> Any:
    from paddle_async._convert import structurer
    from paddle_async.customers import Customer

    return structurer(Customer)


@pytest.mark.benchmark(group="decode")
def test_json_loads(benchmark: Any) -> None:
    """The floor with the stdlib: decode the page, no models."""
    document = benchmark(json.loads, PAGE)
    assert len(document["data"]) == PAGE_SIZE


@pytest.mark.benchmark(group="decode")
def test_orjson_loads(benchmark: Any) -> None:
    """The floor with orjson: decode the page, no models."""
    orjson = pytest.importorskip("orjson")
    document = benchmark(orjson.loads, PAGE)
    assert len(document["data"]) == PAGE_SIZE


@pytest.mark.benchmark(group="structure only")
def test_paddle_async_structure(benchmark: Any) -> None:
    """paddle_async: the decoded page's 200 dicts into frozen attrs `Customer` models."""
    structure = _sdk_structure()
    data = json.loads(PAGE)["data"]

    def run() -> list[Any]:
        return [structure(item) for item in data]

    customers = benchmark(run)
    assert customers[1].id == data[1]["id"]
    assert customers[1].created_at.tzinfo is not None


@pytest.mark.benchmark(group="structure only")
def test_official_from_dict(benchmark: Any) -> None:
    """Paddle's official SDK: the same 200 dicts through ``Customer.from_dict``."""
    entities = pytest.importorskip("paddle_billing.Entities.Customer")
    data = json.loads(PAGE)["data"]

    def run() -> list[Any]:
        return [entities.Customer.from_dict(item) for item in data]

    customers = benchmark(run)
    assert customers[1].id == data[1]["id"]


@pytest.mark.benchmark(group="bytes to models")
def test_paddle_async_page(benchmark: Any) -> None:
    """paddle_async: the page's bytes to models, as the paginator does it."""
    from paddle_async._protocol import Envelope, RawResponse

    structure = _sdk_structure()

    def run() -> list[Any]:
        document = Envelope.from_response(RawResponse(200, {}, PAGE))
        return [structure(item) for item in document.data]

    assert len(benchmark(run)) == PAGE_SIZE


@pytest.mark.benchmark(group="bytes to models")
def test_official_page(benchmark: Any) -> None:
    """Paddle's official SDK: text, ``json.loads`` and ``from_dict``, as its client does."""
    entities = pytest.importorskip("paddle_billing.Entities.Customer")

    def run() -> list[Any]:
        data = json.loads(PAGE.decode("utf-8"))["data"]
        return [entities.Customer.from_dict(item) for item in data]

    assert len(benchmark(run)) == PAGE_SIZE


@pytest.mark.benchmark(group="bytes to models")
def test_json_loads_page(benchmark: Any) -> None:
    """The floor: the page's bytes decoded with the stdlib, no models."""
    assert len(benchmark(lambda: json.loads(PAGE)["data"])) == PAGE_SIZE
