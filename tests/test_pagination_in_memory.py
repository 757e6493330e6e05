"""The pagination guards without a server: next_page_params, and walks fed from memory."""

from __future__ import annotations

import re
import tracemalloc

import pytest

from paddle_async._pagination import AsyncPaginator
from paddle_async._protocol import Envelope, RawResponse, encode_query, next_page_params
from paddle_async.errors import InvalidResponseError

CURSOR = re.compile(r"ctm_[0-9a-z]{26}")


def cid(n: int) -> str:
    """A customer id that sorts as ``n`` does."""
    return f"ctm_01h{n:023d}"


# The walk's memory: O(1) in the number of pages


def _envelope(items: list[str], next_url: str) -> Envelope:
    pagination = {"per_page": 1, "next": next_url, "has_more": True}
    meta = {"pagination": pagination}
    return Envelope(data=items, meta=meta, response=RawResponse(200, {}, b"{}"))


async def test_memory_does_not_grow_with_pages() -> None:
    """Walking 4,000 pages holds no more memory after the last page than after the 500th."""
    ids = iter(range(4_000, 0, -1))

    async def fetch_page(query: str) -> Envelope:
        n = next(ids)  # one item a page, newest first, as Paddle's default order
        return _envelope([cid(n)], f"https://x/customers?after={cid(n)}")

    paginator = AsyncPaginator(
        fetch_page, {}, str, str, parameters={"after", "order_by"}, cursor_pattern=CURSOR
    )
    tracemalloc.start()
    try:
        at_500 = at_end = 0
        for count in range(1, 4_000):
            await anext(paginator)
            if count == 500:
                at_500 = tracemalloc.get_traced_memory()[0]
        at_end = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    # A set of the 3,500 cursors seen in between would add about 350 KB.
    assert at_end - at_500 < 32_768


async def test_an_order_not_by_id_still_detects_a_repeated_cursor() -> None:
    """For an order the walk cannot compare, a cursor seen before ends the walk."""
    parameters = frozenset({"after", "order_by"})
    cursors = iter([cid(2), cid(9), cid(2)])

    async def fetch_page(query: str) -> Envelope:
        cursor = next(cursors)
        return _envelope([f"item-{cursor}"], f"https://x/customers?order_by=name&after={cursor}")

    paginator = AsyncPaginator(
        fetch_page,
        {"order_by": "name"},
        str,
        str,
        parameters=parameters,
        cursor_pattern=CURSOR,
    )
    with pytest.raises(InvalidResponseError, match="repeats an earlier cursor"):
        await paginator.collect()


# next_page_params, sans I/O


def test_next_page_params_decodes_and_keeps_known_parameters() -> None:
    """The query is decoded as a server reads it, unknown parameters dropped."""
    got = next_page_params("https://h/p?a=x+y%2B&b=%C3%A9&c=1&d=", {"a", "b", "d"})
    assert {"a": "x y+", "b": "\u00e9", "d": ""} == got


def test_next_page_params_round_trip_through_encode_query() -> None:
    """What the SDK encodes, next_page_params reads back unchanged."""
    params = {"search": "a+b c&d=e\r\n\u00e9%", "status": "active,archived", "order_by": "id[ASC]"}
    query = encode_query(params)
    assert params == next_page_params(f"https://h/customers?{query}", set(params))


def test_next_page_params_reasons_never_quote_the_query() -> None:
    """A refusal names what is wrong, never the query's text (it may hold e-mail addresses)."""
    with pytest.raises(ValueError, match="without '='") as caught:
        next_page_params("https://h/p?email=secret%40example.com&x", {"email"})
    assert "secret" not in str(caught.value)
