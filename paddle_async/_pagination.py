"""A lazy cursor walk over Paddle's ``meta.pagination``: one page in memory at a time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

import attrs

from ._convert import StructureError
from ._json import excerpt
from ._protocol import envelope_request_id, next_page_query
from .errors import InvalidResponseError

__all__ = ["AsyncPaginator", "Page"]

T = TypeVar("T")

FetchPage = Callable[[str], Awaitable[dict[str, Any]]]


@attrs.frozen(kw_only=True)
class Page(Generic[T]):
    """One page of a listing.

    Attributes:
        items: The entities on this page.
        has_more: Whether Paddle has more after this page.
        next_cursor: The ``after`` value of the next page (save it to resume), or None.
        per_page: The page size Paddle applied (requests above 200 are clamped).
        estimated_total: Paddle's estimate of all matches: exact up to 100,000, 100001 above,
            -1 when not counted, None when not sent. For display only.
        request_id: ``meta.request_id`` of this page's response.
    """

    items: Sequence[T]
    has_more: bool
    next_cursor: str | None
    per_page: int | None
    estimated_total: int | None
    request_id: str | None


def _after_of(query: str | None) -> str | None:
    if not query:
        return None
    for part in query.split("&"):
        key, _, value = part.partition("=")
        if key == "after":
            return value or None
    return None


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class AsyncPaginator(Generic[T]):
    """An async iterator over every item of a listing, fetching pages lazily.

    ``async for item in paginator`` yields items; ``async for page in paginator.pages()``
    yields whole `Page` objects. Use one or the other, once. Breaking out early is safe: no
    response is held open between pages.

    Attributes:
        cursor: The id of the last item yielded: pass it as ``after=`` (same filters and
            order) to resume right after that item.
        estimated_total: Paddle's estimate from the first page, once fetched.
    """

    def __init__(
        self,
        fetch_page: FetchPage,
        first_query: str,
        structure_item: Callable[[Any], T],
        cursor_of: Callable[[T], str],
    ) -> None:
        self._fetch_page = fetch_page
        self._next_query: str | None = first_query
        self._structure_item = structure_item
        self._cursor_of = cursor_of
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
        document = await self._fetch_page(query)
        data = document["data"]
        meta = document.get("meta")
        pagination = meta.get("pagination") if isinstance(meta, dict) else None
        request_id = envelope_request_id(document)
        if not isinstance(data, list) or not isinstance(pagination, dict):
            raise InvalidResponseError(
                "a list response without a data array or meta.pagination",
                status=200,
                request_id=request_id,
                body_excerpt=excerpt(document),
            )
        structure = self._structure_item
        try:
            items = [structure(item) for item in data]
        except StructureError as exc:
            raise InvalidResponseError(
                f"unexpected response shape: {exc}",
                status=200,
                request_id=request_id,
                body_excerpt=excerpt(data),
            ) from None
        has_more = pagination.get("has_more") is True
        next_query = next_page_query(pagination.get("next"), query) if has_more else None
        # Guards besides has_more: an empty page or a `next` that repeats ends the walk.
        if not items:
            next_query = None
        self._next_query = next_query
        estimated_total = _int_or_none(pagination.get("estimated_total"))
        if self.estimated_total is None:
            self.estimated_total = estimated_total
        return Page(
            items=items,
            has_more=next_query is not None,
            next_cursor=_after_of(next_query),
            per_page=_int_or_none(pagination.get("per_page")),
            estimated_total=estimated_total,
            request_id=request_id,
        )

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
        # (the page has more) comes first and the cursor is only worked out when read.
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
