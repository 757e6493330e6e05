"""Pagination against hostile servers: `next` is re-encoded or refused, and every walk ends."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from hostile import Answer, HostileServer, Received, scripted

from paddle_async import Paddle
from paddle_async._protocol import encode_query
from paddle_async.customers import ListCustomers
from paddle_async.errors import InvalidResponseError
from paddle_async.testing import TEST_API_KEY

# What the SDK may put in a request target: nothing a response sent survives unescaped.
SAFE_LINE = re.compile(rb"GET /customers(\?[A-Za-z0-9_.~%,\[\]=&-]*)? HTTP/1\.1")
# A hostile server that never stops is cut off here, so a walk that fails to end fails the
# test instead of hanging it.
GIVE_UP_AFTER = 50


def cid(n: int) -> str:
    """A customer id that sorts as ``n`` does."""
    return f"ctm_01h{n:023d}"


def customer(n: int) -> dict[str, Any]:
    return {
        "id": cid(n),
        "status": "active",
        "custom_data": None,
        "name": None,
        "email": f"c{n}@example.com",
        "marketing_consent": False,
        "locale": "en",
        "created_at": "2024-01-01T00:00:00.000Z",
        "updated_at": "2024-01-01T00:00:00.000Z",
    }


def page(ids: list[int], next_url: Any, *, has_more: bool = True) -> Answer:
    pagination = {"per_page": 1, "next": next_url, "has_more": has_more, "estimated_total": 9}
    body = {
        "data": [customer(n) for n in ids],
        "meta": {"request_id": "req-p", "pagination": pagination},
    }
    return Answer(body=body)


def after_of(received: Received) -> str | None:
    values = parse_qs(urlsplit(received.target).query).get("after")
    return values[0] if values else None


def bounded(answer: Callable[[Received], Answer]) -> Callable[[Received], Answer]:
    """Answer with ``answer`` until GIVE_UP_AFTER requests, then with a last, empty page."""
    count = 0

    def wrapped(received: Received) -> Answer:
        nonlocal count
        count += 1
        if count >= GIVE_UP_AFTER:
            return page([], "https://api.paddle.com/customers?after=x", has_more=False)
        return answer(received)

    return wrapped


async def walk(
    server: HostileServer, request: ListCustomers | None = None
) -> tuple[list[str], InvalidResponseError | None]:
    """List through ``server``; return the ids seen and the InvalidResponseError, if any."""
    seen: list[str] = []
    async with Paddle(TEST_API_KEY, base_url=server.base_url, rate_limit=None) as paddle:
        try:
            async for item in paddle.customers.list(request):
                seen.append(item.id)
        except InvalidResponseError as error:
            return seen, error
    return seen, None


def second_page_behind(next_url: Any) -> Callable[[Received], Answer]:
    """The first page points at ``next_url``; any later request gets the last page."""

    def answer(received: Received) -> Answer:
        if after_of(received) is None and received.target == "/customers":
            return page([5], next_url)
        return page([4], "https://api.paddle.com/customers?after=" + cid(4), has_more=False)

    return answer


# next: re-encoded safely by the SDK's own encoder

C5 = cid(5)


@pytest.mark.parametrize(
    ("query", "sent"),
    [
        # Percent-encoded UTF-8 is decoded and encoded again: the server reads the same text.
        (f"search=caf%C3%A9&after={C5}", f"search=caf%C3%A9&after={C5}"),
        # Percent-encoded CR/LF in a filter stays encoded: one request line, no extra header.
        (f"search=x%0D%0AX-Evil%3A%201&after={C5}", f"search=x%0D%0AX-Evil%3A%201&after={C5}"),
        (f"search=%00%7F&after={C5}", f"search=%00%7F&after={C5}"),
        # '+' is a space to every server; the SDK spells it %20.
        (f"search=a+b&after={C5}", f"search=a%20b&after={C5}"),
        (f"search=100%25&after={C5}", f"search=100%25&after={C5}"),
        # A parameter the listing never sends is dropped: the SDK did not ask for it.
        (f"evil=1&after={C5}&per_page=1", f"after={C5}&per_page=1"),
        (f"api_key=x&after={C5}", f"after={C5}"),
    ],
    ids=["utf8", "crlf-escaped", "nul-del-escaped", "plus", "percent", "unknown", "unknown-key"],
)
async def test_next_is_re_encoded_by_the_sdk(query: str, sent: str) -> None:
    """The next page's request line holds next's parameters as the SDK encodes them."""
    next_url = f"https://api.paddle.com/customers?{query}"
    async with HostileServer(scripted(second_page_behind(next_url))) as server:
        ids, error = await walk(server)
    expected = [b"GET /customers HTTP/1.1", f"GET /customers?{sent} HTTP/1.1".encode()]
    assert (None, [C5, cid(4)]) == (error, ids)
    assert expected == [r.line for r in server.received]
    assert [] == [h for r in server.received for h in r.headers() if h.startswith(b"X-Evil")]


async def test_next_on_another_host_and_path_goes_to_the_base_url() -> None:
    """Only next's query is used: scheme, host, port and path come from the configuration."""
    hostile = f"http://evil.example:8080/elsewhere/../customers?after={C5}#frag"
    async with HostileServer(scripted(second_page_behind(hostile))) as server:
        _, error = await walk(server)
    assert (None, f"GET /customers?after={C5} HTTP/1.1".encode()) == (
        error,
        server.received[1].line,
    )


# next: refused, ending the walk with InvalidResponseError before anything is sent


@pytest.mark.parametrize(
    "next_url",
    [
        f"https://api.paddle.com/customers?search=a b&after={C5}",
        f"https://api.paddle.com/customers?after={C5}\r\nX-Evil: 1",
        f"https://api.paddle.com/customers?after={C5} HTTP/1.1\r\nX-Evil: 1",
        f"https://api.paddle.com/customers?after={C5}\tx",
        f"https://api.paddle.com/customers?search=caf\u00e9&after={C5}",
        f"https://api.paddle.com/customers?after={C5}%0D%0AX-Evil:%201",
        f"https://api.paddle.com/customers?after={C5}%00",
        f"https://api.paddle.com/customers?after={C5}&after={cid(3)}",
        f"https://api.paddle.com/customers?search=%FF&after={C5}",
        f"https://api.paddle.com/customers?search=%zz&after={C5}",
        f"https://api.paddle.com/customers?after={C5}&junk",
        "https://api.paddle.com/customers?per_page=1",
        "https://api.paddle.com/customers?after=..%2F..%2Fpayouts",
        f"https://api.paddle.com/customers?after={C5.upper()}",
        "https://api.paddle.com/customers",
        "",
        None,
        5,
        "https://api.paddle.com/customers?after=" + "1" * 70_000,
    ],
    ids=[
        "space",
        "crlf",
        "header-injection",
        "tab",
        "non-ascii",
        "escaped-crlf-in-cursor",
        "escaped-nul-in-cursor",
        "duplicate",
        "not-utf8",
        "bad-escape",
        "field-without-equals",
        "no-cursor",
        "cursor-not-an-id",
        "cursor-upper-case",
        "no-query",
        "empty",
        "null",
        "number",
        "huge",
    ],
)
async def test_unusable_next_ends_the_walk_with_invalid_response(next_url: Any) -> None:
    """A next that is not a clean URL with one valid cursor is refused before anything is sent."""
    # The page it came with is not yielded either: a page is yielded once all of it checks out.
    async with HostileServer(scripted(bounded(second_page_behind(next_url)))) as server:
        ids, error = await walk(server)
    assert error is not None
    assert ([], 200, "req-p") == (ids, error.status, error.request_id)
    assert [b"GET /customers HTTP/1.1"] == [r.line for r in server.received]


async def test_every_request_line_is_safe() -> None:
    """Whatever next holds, every request line on the wire has only SDK-encoded characters."""
    nasty = (
        "search=%0D%0A%20%C3%A9%22%3C%3E%5C%5E%60%7B%7C%7D%23%3F&status=a%2Cb&order_by=id%5BDESC%5D"
    )
    next_url = f"https://x/customers?{nasty}&after={C5}"
    async with HostileServer(scripted(second_page_behind(next_url))) as server:
        _, error = await walk(server)
    assert None is error
    assert [True, True] == [SAFE_LINE.fullmatch(r.line) is not None for r in server.received]


# Every walk ends


@pytest.mark.parametrize(
    ("order_by", "items"), [(None, (9, 8, 7)), ("id[ASC]", (1, 2, 3))], ids=["desc", "asc"]
)
async def test_cursor_cycle_a_b_a_ends_with_invalid_response(
    order_by: str | None, items: tuple[int, int, int]
) -> None:
    """next alternating A -> B -> A is a cycle: the walk ends at once with InvalidResponseError."""
    a, b = cid(items[0]), cid(items[1])
    cycle = {None: (items[0], a), a: (items[1], b), b: (items[2], a)}

    def answer(received: Received) -> Answer:
        item, cursor = cycle[after_of(received)]
        query = encode_query({"order_by": order_by, "after": cursor})
        return page([item], f"https://api.paddle.com/customers?{query}")

    async with HostileServer(scripted(bounded(answer))) as server:
        ids, error = await walk(server, ListCustomers(order_by=order_by))
    assert error is not None
    assert "cycle" in str(error)
    assert ([a, b], 3) == (ids, len(server.received))


async def test_fresh_next_with_the_same_item_ends_with_invalid_response() -> None:
    """A new cursor each time but the same item: no progress, so the walk ends on page two."""
    counter = iter(range(1000, 0, -1))

    def answer(received: Received) -> Answer:
        return page([5], f"https://api.paddle.com/customers?after={cid(next(counter))}")

    async with HostileServer(scripted(bounded(answer))) as server:
        ids, error = await walk(server)
    assert error is not None
    assert "no progress" in str(error)
    assert ([C5], 2) == (ids, len(server.received))


async def test_a_page_of_items_all_seen_before_ends_the_walk() -> None:
    """A page holding only the previous page's items (in another order) is no progress."""
    counter = iter(range(1000, 0, -1))
    pages = iter([[6, 5], [5, 6]])

    def answer(received: Received) -> Answer:
        items = next(pages, [4])
        return page(items, f"https://api.paddle.com/customers?after={cid(next(counter))}")

    async with HostileServer(scripted(bounded(answer))) as server:
        _, error = await walk(server)
    assert (True, 2) == (error is not None, len(server.received))


@pytest.mark.parametrize(
    "pagination",
    [
        {"has_more": True, "next": f"https://x/customers?after={C5}"},  # an empty page
        {"next": f"https://x/customers?after={C5}"},  # has_more missing
        {"has_more": "true", "next": f"https://x/customers?after={C5}"},
    ],
    ids=["empty-page-with-more", "no-has-more", "has-more-a-string"],
)
async def test_a_page_that_cannot_be_followed_is_an_error(pagination: dict[str, Any]) -> None:
    """has_more must be a bool, and true only on a page with items (the cursor is an item)."""
    body = {"data": [], "meta": {"request_id": "req-e", "pagination": pagination}}
    async with HostileServer(scripted(bounded(lambda _: Answer(body=body)))) as server:
        _, error = await walk(server)
    assert (True, 1) == (error is not None, len(server.received))


async def test_next_that_changes_the_order_is_an_error() -> None:
    """A next switching order_by would make the cursor meaningless: refused."""
    hostile = f"https://x/customers?order_by=id%5BASC%5D&after={C5}"
    async with HostileServer(scripted(bounded(second_page_behind(hostile)))) as server:
        _, error = await walk(server)
    assert (True, 1) == (error is not None, len(server.received))


async def test_has_more_is_pagination_flag_and_next_cursor_only_when_true() -> None:
    """Page.has_more is Paddle's flag; next_cursor is None on the last page despite its next."""
    async with (
        HostileServer(scripted(second_page_behind(f"https://x/customers?after={C5}"))) as server,
        Paddle(TEST_API_KEY, base_url=server.base_url, rate_limit=None) as paddle,
    ):
        pages = [p async for p in paddle.customers.list().pages()]
    assert [(True, C5), (False, None)] == [(p.has_more, p.next_cursor) for p in pages]
