"""What every list operation shares: the query, the cursor walk and `meta.pagination`.

Customers, addresses, businesses and payment methods are listed alike: `after` is an ID (the
cursor, exclusive), `order_by` is `id[ASC]` or `id[DESC]`, `per_page` is clamped to 200, and
`next` repeats the request's query with the new cursor. Each operation names the filters it
takes from `FILTERS`; a parameter it does not take is ignored (Paddle documents no error for
one, so the fake assumes it is ignored there too).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, Generic, Protocol, TypeVar
from urllib.parse import urlencode

import attrs

from ._problems import FieldError, Problem

__all__ = [
    "FILTERS",
    "ListQuery",
    "Page",
    "Walk",
    "first_values",
    "pagination",
    "parse_list_query",
    "split_csv",
    "walk",
]

MAX_PER_PAGE: Final = 200
DEFAULT_PER_PAGE: Final = 50
STATUSES: Final = frozenset({"active", "archived"})
# Paddle stops counting at 100,000 and reports 100001 beyond (PADDLE_API.md §3.5).
COUNT_CAP: Final = 100_000
FILTERS: Final = frozenset({"id", "email", "search", "status", "address_id", "supports_checkout"})
"""The filters an operation may take besides `after`, `order_by` and `per_page`."""

_ORDER_BY: Final = {"id[asc]": False, "id[desc]": True}
_BOOLEANS: Final = {"true": True, "false": False}


def first_values(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Return the first value of each query parameter, as Paddle reads a repeated one."""
    values: dict[str, str] = {}
    for key, value in pairs:
        values.setdefault(key, value)
    return values


def split_csv(query: Mapping[str, str], key: str) -> list[str] | None:
    """Return a comma-separated parameter's items; an empty value counts as not given."""
    value = query.get(key, "")
    return value.split(",") if value else None


@attrs.frozen(kw_only=True)
class ListQuery:
    """A validated list query; a filter the operation does not take stays None."""

    after: str | None = None
    ids: frozenset[str] | None = None
    emails: frozenset[str] | None = None
    address_ids: frozenset[str] | None = None
    supports_checkout: bool | None = None
    search: str | None = None
    statuses: frozenset[str] | None = None
    descending: bool = True
    per_page: int = DEFAULT_PER_PAGE


def _too_long(field: str, value: str, limit: int) -> FieldError:
    message = f"maximum length of {limit} exceeded. provided value length {len(value)}"
    return FieldError(field, message)


def _filters(
    query: Mapping[str, str], filters: frozenset[str]
) -> tuple[dict[str, Any], list[FieldError]]:
    errors: list[FieldError] = []
    found: dict[str, Any] = {}
    if "email" in filters and (emails := split_csv(query, "email")) is not None:
        if any(len(email) > 100 for email in emails):
            errors.append(FieldError("email", "maximum length of 100 exceeded"))
        found["emails"] = frozenset(emails)
    if "search" in filters and (search := query.get("search") or None) is not None:
        if len(search) > 100:
            errors.append(_too_long("search", search, 100))
        found["search"] = search
    if "status" in filters:
        statuses = split_csv(query, "status") or ["active"]
        if not STATUSES.issuperset(statuses):
            errors.append(FieldError("status", "must be a list of: active, archived"))
        found["statuses"] = frozenset(statuses)
    if "supports_checkout" in filters and "supports_checkout" in query:
        flag = _BOOLEANS.get(query["supports_checkout"])
        if flag is None:
            errors.append(FieldError("supports_checkout", "must be true or false"))
        found["supports_checkout"] = flag
    for name, key in (("ids", "id"), ("address_ids", "address_id")):
        if key in filters and (items := split_csv(query, key)) is not None:
            found[name] = frozenset(items)
    return found, errors


def parse_list_query(query: Mapping[str, str], filters: frozenset[str]) -> ListQuery:
    """Validate a list operation's query; arrays are comma-separated.

    Args:
        query: The decoded query parameters (first value of each).
        filters: The filters this operation takes, from `FILTERS`.

    Returns:
        The parsed query, with defaults applied and per_page clamped to 200.
    """
    found, errors = _filters(query, filters)
    order_by = query.get("order_by", "id[DESC]").lower()
    if order_by not in _ORDER_BY:
        errors.append(FieldError("order_by", "must be one of: id[ASC], id[DESC]"))
    per_page = DEFAULT_PER_PAGE
    raw_per_page = query.get("per_page")
    if raw_per_page is not None:
        if raw_per_page.isascii() and raw_per_page.isdigit() and int(raw_per_page) >= 1:
            per_page = min(int(raw_per_page), MAX_PER_PAGE)
        else:
            errors.append(FieldError("per_page", "must be an integer of at least 1"))
    if errors:
        raise Problem.invalid(*errors)
    return ListQuery(
        after=query.get("after") or None,
        descending=_ORDER_BY.get(order_by, True),
        per_page=per_page,
        **found,
    )


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=_Identified)


@attrs.frozen
class Page(Generic[T]):
    """One page of a list: its entities, whether more follow, and the count of all matches."""

    items: list[T]
    has_more: bool
    total: int


@attrs.frozen
class Walk:
    """One page of IDs, whether more matches follow it, and the count of all matches."""

    ids: list[str]
    has_more: bool
    total: int


def walk(
    ids: Sequence[str],
    query: ListQuery,
    matches: Callable[[str], bool] | None,
    *,
    count: bool = True,
) -> Walk:
    """Take the page after the query's cursor from IDs sorted ascending.

    Without a `matches` predicate a page is a bisect and a slice, however long `ids` is; with
    one, IDs are tested one by one until the page is full (plus one, to know if more follow).

    Args:
        ids: The candidate IDs in ascending order.
        query: The validated query (cursor, order, page size).
        matches: Tells whether an ID passes the filters; None passes all.
        count: Whether to count all matches (a scan when filtered); the total is -1 otherwise.

    Returns:
        The page's IDs in the query's order.
    """
    after = query.after
    if query.descending:
        end = bisect_left(ids, after) if after is not None else len(ids)
        if matches is not None:
            candidates: Iterable[str] = (ids[i] for i in range(end - 1, -1, -1))
        else:
            candidates = reversed(ids[max(0, end - query.per_page - 1) : end])
    else:
        start = bisect_right(ids, after) if after is not None else 0
        if matches is not None:
            candidates = (ids[i] for i in range(start, len(ids)))
        else:
            candidates = ids[start : start + query.per_page + 1]
    if matches is None:
        # Unfiltered, the slice above already holds the page and one more.
        found = list(candidates)
    else:
        found = []
        for entity_id in candidates:
            if matches(entity_id):
                found.append(entity_id)
                if len(found) > query.per_page:
                    break
    if matches is None:
        total = len(ids)
    elif count:
        total = sum(1 for entity_id in ids if matches(entity_id))
    else:
        total = -1
    return Walk(ids=found[: query.per_page], has_more=len(found) > query.per_page, total=total)


def pagination(
    *,
    base_url: str,
    path: str,
    query: Sequence[tuple[str, str]],
    parsed: ListQuery,
    page: Page[Any],
    skip_count: bool,
) -> dict[str, Any]:
    """Build `meta.pagination` for a page, with an absolute `next` URL.

    Args:
        base_url: The origin `next` starts with.
        path: The request's path.
        query: The request's query pairs, in their order.
        parsed: The validated query.
        page: The page answered.
        skip_count: Whether the request asked to skip counting (`Skip-Count: true`).

    Returns:
        `per_page`, `next`, `has_more` and `estimated_total`.
    """
    # `next` is always present: the request's own query with `after` moved to the new cursor
    # (or kept as sent when the page is empty).
    after = page.items[-1].id if page.items else parsed.after
    pairs = [(key, value) for key, value in query if key != "after"]
    if after is not None:
        pairs.append(("after", after))
    encoded = urlencode(pairs)
    return {
        "per_page": parsed.per_page,
        "next": f"{base_url}{path}" + (f"?{encoded}" if encoded else ""),
        "has_more": page.has_more,
        "estimated_total": -1 if skip_count else min(page.total, COUNT_CAP + 1),
    }
