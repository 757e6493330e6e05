"""The customers operations at the wire level: method + path + query + body in, answer out.

Nothing here knows about aiohttp; `_fake` turns an `Answer` or a `Problem` into a response.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final
from urllib.parse import urlencode

import attrs

from ._problems import Problem
from ._store import Customer, EmailTakenError, Store
from ._validate import (
    parse_currency_codes,
    parse_json_object,
    parse_list_query,
    validate_create,
    validate_update,
)

__all__ = ["Answer", "Call", "is_write", "route"]

_ONE: Final = re.compile(r"/customers/([^/]+)")
_BALANCES: Final = re.compile(r"/customers/([^/]+)/credit-balances")
# Paddle stops counting at 100,000 and reports 100001 beyond (PADDLE_API.md §3.5).
_COUNT_CAP: Final = 100_000


@attrs.frozen(kw_only=True)
class Call:
    """One authenticated request, as the operations see it."""

    method: str
    path: str
    query: Sequence[tuple[str, str]]
    content_type: str
    body: bytes
    skip_count: bool
    base_url: str

    @property
    def first_values(self) -> dict[str, str]:
        """Return the first value of each query parameter."""
        values: dict[str, str] = {}
        for key, value in self.query:
            values.setdefault(key, value)
        return values


@attrs.frozen(kw_only=True)
class Answer:
    """A successful answer, plus the customer events it causes."""

    status: int
    data: Any
    pagination: dict[str, Any] | None = None
    events: tuple[tuple[str, Customer], ...] = ()


def _customer(store: Store, customer_id: str) -> Customer:
    customer = store.get(customer_id)
    if customer is None:
        raise Problem(404, "not_found", f"Customer {customer_id} not found.")
    return customer


def _conflict(error: EmailTakenError) -> Problem:
    return Problem(409, "customer_already_exists", str(error))


def _create(store: Store, call: Call) -> Answer:
    fields = validate_create(parse_json_object(call.content_type, call.body))
    try:
        customer = store.create(**fields)
    except EmailTakenError as error:
        raise _conflict(error) from None
    return Answer(status=201, data=customer.wire(), events=(("customer.created", customer),))


def _update(store: Store, call: Call, customer_id: str) -> Answer:
    customer = _customer(store, customer_id)
    changes = validate_update(parse_json_object(call.content_type, call.body))
    try:
        store.update(customer, changes)
    except EmailTakenError as error:
        raise _conflict(error) from None
    return Answer(status=200, data=customer.wire(), events=(("customer.updated", customer),))


def _next_url(call: Call, after: str | None) -> str:
    # The request's own query, in its order, with `after` moved to the new cursor.
    pairs = [(key, value) for key, value in call.query if key != "after"]
    if after is not None:
        pairs.append(("after", after))
    query = urlencode(pairs)
    return f"{call.base_url}/customers" + (f"?{query}" if query else "")


def _list(store: Store, call: Call) -> Answer:
    query = parse_list_query(call.first_values)
    page = store.page(query, count=not call.skip_count)
    after = page.items[-1].id if page.items else query.after
    total = -1 if call.skip_count else min(page.total, _COUNT_CAP + 1)
    return Answer(
        status=200,
        data=[customer.wire() for customer in page.items],
        pagination={
            "per_page": query.per_page,
            "next": _next_url(call, after),
            "has_more": page.has_more,
            "estimated_total": total,
        },
    )


def _balances(store: Store, call: Call, customer_id: str) -> Answer:
    _customer(store, customer_id)
    currencies = parse_currency_codes(call.first_values)
    return Answer(status=200, data=store.balances(customer_id, currencies))


def _not_allowed(allowed: str) -> Problem:
    return Problem(405, "method_not_allowed", f"Method not allowed. Allowed: {allowed}.")


def route(store: Store, call: Call) -> Answer:
    """Run the operation a request asks for.

    Args:
        store: The customers.
        call: The authenticated request.

    Returns:
        The successful answer; errors are raised as `Problem`.
    """
    if call.path == "/customers":
        if call.method == "GET":
            return _list(store, call)
        if call.method == "POST":
            return _create(store, call)
        raise _not_allowed("GET, POST")
    if match := _ONE.fullmatch(call.path):
        if call.method == "GET":
            return Answer(status=200, data=_customer(store, match[1]).wire())
        if call.method == "PATCH":
            return _update(store, call, match[1])
        raise _not_allowed("GET, PATCH")
    if match := _BALANCES.fullmatch(call.path):
        if call.method == "GET":
            return _balances(store, call, match[1])
        raise _not_allowed("GET")
    raise Problem(404, "not_found", f"Path {call.path} not found.")


def is_write(method: str) -> bool:
    """Tell whether a method changes state (the fake's writes are POST and PATCH)."""
    return method in ("POST", "PATCH")
