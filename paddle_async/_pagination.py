"""A lazy cursor walk over Paddle's ``meta.pagination``: one page in memory at a time.

The walk follows ``has_more`` and trusts no byte of ``next``:

- Only the query of ``next`` is read, decoded strictly (`next_page_params`); parameters the
  listing never sends are dropped, the ``after`` cursor must look like an id of the listed kind,
  and the query is encoded again by the SDK (`encode_query`) for the configured base URL and
  path.
- Every page must move on. Paddle's cursor is the last item's id and items come in ``order_by``
  order (only ``id[ASC]`` and ``id[DESC]`` exist; ``id[DESC]`` is the default), so each cursor
  must sort strictly past the one its page was fetched with, and each page must start strictly
  past the previous page's last item and end elsewhere. That rules out any cycle in O(1) memory,
  however long the walk. For an order not by id, the cursors seen are remembered instead
  (O(pages)) and a page must hold an item the previous page did not.
- ``has_more`` must be true or false, and true only on a page with items (an empty page has no
  item whose id could move the cursor).

A page is yielded only once all of it checks out; anything else ends the walk with
`InvalidResponseError`, never a loop or a silently short listing. How long a walk is stays the
server's to say: new items keep coming, a page at a time, to a caller that can stop.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping, Sequence
from typing import Any, Generic, TypeVar

import attrs

from ._convert import StructureError
from ._protocol import Envelope, encode_query, next_page_params

__all__ = ["CURSOR", "AsyncPaginator", "Page"]

T = TypeVar("T")

FetchPage = Callable[[str], Awaitable[Envelope]]
Query = Mapping[str, str | int | None]

CURSOR = "after"
_ORDER_BY = "order_by"
# The default of the spec's shared order_by parameter, so of every Paddle list operation.
_DEFAULT_ORDER = "id[desc]"
_DIRECTIONS = {"id[asc]": 1, "id[desc]": -1}


@attrs.frozen(kw_only=True)
class Page(Generic[T]):
    """One page of a listing.

    Attributes:
        items: The entities on this page.
        has_more: Paddle's ``has_more`` for this page. The walk fetches another page exactly
            when it is true: a true flag that cannot be followed (a page without items, an
            unusable ``next``, a cursor that does not move on) raises `InvalidResponseError`.
        next_cursor: The ``after`` cursor of the next page (save it to resume), or None when
            ``has_more`` is false.
        per_page: The page size Paddle applied (requests above 200 are clamped).
        estimated_total: Paddle's estimate of all matches: exact up to 100,000, 100001 above,
            -1 when not counted, None when not sent. For display only.
        request_id: This page's request id (``meta.request_id``, else the ``Request-Id``
            header), or None.
    """

    items: Sequence[T]
    has_more: bool
    next_cursor: str | None
    per_page: int | None
    estimated_total: int | None
    request_id: str | None


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _step(before: str, after: str) -> int:
    """Return +1 if ``after`` sorts past ``before``, -1 if ahead of it, 0 if they are equal."""
    return (after > before) - (after < before)


def _order_of(value: object) -> str:
    return _DEFAULT_ORDER if value is None else str(value).lower()


class AsyncPaginator(Generic[T]):
    """An async iterator over every item of a listing, fetching pages lazily.

    ``async for item in paginator`` yields items; ``async for page in paginator.pages()``
    yields whole `Page` objects. Use one or the other, once. Breaking out early is safe: no
    response is held open between pages.

    Args:
        fetch_page: Sends one page request with the given encoded query.
        query: The first page's query parameters, as the request class gives them.
        structure_item: Builds one item from its JSON.
        cursor_of: The id of an item, which is also the cursor after it.
        parameters: Every query parameter name the listing may send (``after`` among them);
            ``next`` keeps only these. Without ``order_by``, Paddle's default order holds.
        cursor_pattern: What an ``after`` cursor (an id of the listed kind) looks like.

    Attributes:
        cursor: The id of the last item yielded: pass it as ``after=`` (same filters and
            order) to resume right after that item.
        estimated_total: Paddle's estimate from the first page, once fetched.
    """

    def __init__(
        self,
        fetch_page: FetchPage,
        query: Query,
        structure_item: Callable[[Any], T],
        cursor_of: Callable[[T], str],
        *,
        parameters: Collection[str],
        cursor_pattern: re.Pattern[str],
    ) -> None:
        if CURSOR not in parameters:
            raise ValueError(f"a cursor listing must be able to send {CURSOR!r}")
        self._fetch_page = fetch_page
        self._next_query: str | None = encode_query(query)
        self._structure_item = structure_item
        self._cursor_of = cursor_of
        self._parameters = frozenset(parameters)
        self._cursor_pattern = cursor_pattern
        self._order = _order_of(query.get(_ORDER_BY))
        # +1 or -1: the sign every step of the cursor must have; 0 for an order not known
        # to be by id, where the cursors seen so far are remembered instead (O(pages)).
        self._direction = _DIRECTIONS.get(self._order, 0)
        first_cursor = query.get(CURSOR)
        self._sent_cursor = None if first_cursor is None else str(first_cursor)
        self._cursors_seen: set[str] | None = None
        if not self._direction:
            self._cursors_seen = set() if self._sent_cursor is None else {self._sent_cursor}
        # For the no-progress guard: the previous page's last id, and for an order not by id,
        # all of its ids (one page's worth).
        self._previous_last: str | None = None
        self._previous_ids: set[str] = set()
        self._buffer: Sequence[T] = ()
        self._index = 0
        self._last: T | None = None  # the last item yielded; `cursor` is its id
        self.estimated_total: int | None = None

    @property
    def cursor(self) -> str | None:
        """The id of the last item yielded, or None before the first."""
        last = self._last
        return None if last is None else self._cursor_of(last)

    async def _fetch(self, query: str) -> Page[T]:
        envelope = await self._fetch_page(query)
        data = envelope.data
        pagination = envelope.meta.get("pagination")
        if not isinstance(data, list) or not isinstance(pagination, dict):
            raise envelope.invalid("a list response without a data array or meta.pagination")
        has_more = pagination.get("has_more")
        if not isinstance(has_more, bool):
            raise envelope.invalid("meta.pagination.has_more is neither true nor false")
        structure = self._structure_item
        try:
            items = [structure(item) for item in data]
        except StructureError as exc:
            raise envelope.invalid(f"unexpected response shape: {exc}") from None
        if items:
            self._check_progress(envelope, items)
        next_cursor = None
        self._next_query = None
        if has_more:
            next_cursor = self._follow(envelope, pagination.get("next"), bool(items))
        estimated_total = _int_or_none(pagination.get("estimated_total"))
        if self.estimated_total is None:
            self.estimated_total = estimated_total
        return Page(
            items=items,
            has_more=has_more,
            next_cursor=next_cursor,
            per_page=_int_or_none(pagination.get("per_page")),
            estimated_total=estimated_total,
            request_id=envelope.request_id,
        )

    def _check_progress(self, envelope: Envelope, items: Sequence[T]) -> None:
        """Raise unless this page moves on from the previous one."""
        cursor_of = self._cursor_of
        last = cursor_of(items[-1])
        previous_last = self._previous_last
        if previous_last is not None:
            if self._direction:
                # Items come in the listing's order, after the previous page's: a page that
                # moves on starts past where the previous one ended. O(1) per page.
                first = cursor_of(items[0])
                stalled = last == previous_last or _step(previous_last, first) != self._direction
            else:
                stalled = last == previous_last or set(map(cursor_of, items)) <= self._previous_ids
            if stalled:
                raise envelope.invalid("no progress: the page does not move past the previous page")
        if not self._direction:
            self._previous_ids = set(map(cursor_of, items))
        self._previous_last = last

    def _follow(self, envelope: Envelope, next_url: object, has_items: bool) -> str:
        """Set the next page's query from ``next``; return its cursor."""
        if not has_items:
            raise envelope.invalid("has_more is true on a page without items: no cursor to move")
        try:
            params = next_page_params(next_url, self._parameters)
        except ValueError as exc:
            raise envelope.invalid(f"meta.pagination.next is unusable: {exc}") from None
        cursor = params.get(CURSOR)
        if cursor is None or not self._cursor_pattern.fullmatch(cursor):
            raise envelope.invalid("meta.pagination.next has no 'after' cursor of the listed ids")
        if _order_of(params.get(_ORDER_BY)) != self._order:
            raise envelope.invalid("meta.pagination.next changes order_by")
        sent = self._sent_cursor
        if self._cursors_seen is None:
            if sent is not None and _step(sent, cursor) != self._direction:
                raise envelope.invalid(
                    "meta.pagination.next does not move past the cursor of this page (a cycle)"
                )
        elif cursor in self._cursors_seen:
            raise envelope.invalid("meta.pagination.next repeats an earlier cursor (a cycle)")
        else:
            self._cursors_seen.add(cursor)
        self._sent_cursor = cursor
        self._next_query = encode_query(params)
        return cursor

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Yield each page in turn, fetching the next only when asked for it."""
        while self._next_query is not None:
            page = await self._fetch(self._next_query)
            if page.items:
                self._last = page.items[-1]
            yield page

    def __aiter__(self) -> AsyncIterator[T]:
        return self

    async def __anext__(self) -> T:
        # A plain iterator rather than an async generator: nothing is left to finalize when a
        # caller breaks out early or is cancelled. This runs once per item, so the common case
        # (the page has more) comes first and the cursor is only worked out when read. The
        # loop ends: a page without items has has_more false, or its fetch raised.
        index = self._index
        buffer = self._buffer
        while index >= len(buffer):
            query = self._next_query
            self._buffer = ()  # drop the old page before fetching the next one
            self._index = index = 0
            if query is None:
                raise StopAsyncIteration
            self._buffer = buffer = (await self._fetch(query)).items
        self._index = index + 1
        item = self._last = buffer[index]
        return item

    async def collect(self, limit: int | None = None) -> list[T]:
        """Return the items in a list (all of them, or the first ``limit``)."""
        result: list[T] = []
        async for item in self:
            result.append(item)
            if limit is not None and len(result) >= limit:
                break
        return result
