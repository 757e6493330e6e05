"""The fake's in-memory customer store: IDs, timestamps, indexes and cursor pages.

Customers are kept in ID order, which is creation order, in sorted lists (all, and one per
status), so an unfiltered page is a bisect and a slice however many customers there are.
"""

from __future__ import annotations

import copy
import functools
import random
import time
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Final

import attrs

from ._validate import ListQuery

__all__ = ["Customer", "EmailTakenError", "Page", "Store"]

# Crockford's base32 in lowercase: its characters sort in ASCII order, so IDs sort as numbers do.
_ALPHABET: Final = "0123456789abcdefghjkmnpqrstvwxyz"
# Two characters (10 bits) per lookup halves the work of encoding an ID.
_PAIRS: Final = tuple(a + b for a in _ALPHABET for b in _ALPHABET)
_EPOCH: Final = datetime(1970, 1, 1)


def _encode(value: int, pairs: int) -> str:
    return "".join(_PAIRS[(value >> (10 * i)) & 1023] for i in range(pairs - 1, -1, -1))


# Seeded customers share one timestamp and pages repeat, so formatting is worth caching.
@functools.lru_cache(maxsize=4096)
def _created_at(us: int) -> str:
    # created_at has milliseconds, like Paddle's: 2024-04-11T15:57:24.813Z
    return (_EPOCH + timedelta(microseconds=us)).isoformat(timespec="milliseconds") + "Z"


@functools.lru_cache(maxsize=4096)
def _updated_at(us: int) -> str:
    # updated_at has microseconds, like Paddle's: 2024-04-11T15:59:56.658719Z
    return (_EPOCH + timedelta(microseconds=us)).isoformat(timespec="microseconds") + "Z"


def _now_us() -> int:
    return time.time_ns() // 1000


class EmailTakenError(ValueError):
    """Another customer already has this email address."""

    def __init__(self, email: str, existing_id: str) -> None:
        super().__init__(f"customer email conflicts with customer of id {existing_id}")
        self.email = email
        self.existing_id = existing_id


class _IdGenerator:
    """Make `ctm_` IDs: 10 characters of milliseconds, then 16 of a counter.

    The time part never goes back and the counter always goes up, so every ID is greater than
    the one before it, even within one millisecond or when the clock steps back.
    """

    def __init__(self) -> None:
        self._last_ms = 0
        self._prefix = ""
        # A random start makes IDs differ between fakes; 64 bits leave 16 bits of headroom.
        self._counter = random.getrandbits(64)

    def next(self, now_us: int) -> str:
        ms = now_us // 1000
        if ms > self._last_ms:
            self._last_ms = ms
            self._prefix = "ctm_" + _encode(ms, 5)
        self._counter += 1
        return self._prefix + _encode(self._counter, 8)


@attrs.define(eq=False)
class Customer:
    """A stored customer; `wire()` gives Paddle's JSON shape."""

    id: str
    email: str
    name: str | None
    custom_data: dict[str, Any] | None
    locale: str
    status: str
    marketing_consent: bool
    import_meta: dict[str, Any] | None
    created_us: int
    updated_us: int
    _search_key: str | None = None

    def wire(self, *, deep: bool = False) -> dict[str, Any]:
        """Return the customer as Paddle sends it; `deep` copies nested values too."""
        custom_data, import_meta = self.custom_data, self.import_meta
        if deep:
            custom_data, import_meta = copy.deepcopy(custom_data), copy.deepcopy(import_meta)
        return {
            "id": self.id,
            "status": self.status,
            "custom_data": custom_data,
            "name": self.name,
            "email": self.email,
            "marketing_consent": self.marketing_consent,
            "locale": self.locale,
            "created_at": _created_at(self.created_us),
            "updated_at": _updated_at(self.updated_us),
            "import_meta": import_meta,
        }

    def matches_search(self, needle: str) -> bool:
        """Tell whether a lowercase needle occurs in the ID, name or email (any case)."""
        if self._search_key is None:
            self._search_key = f"{self.id}\0{self.name or ''}\0{self.email}".lower()
        return needle in self._search_key


@attrs.frozen
class Page:
    """One page of a list: its customers, whether more follow, and the count of all matches."""

    items: list[Customer]
    has_more: bool
    total: int


class Store:
    """Customers and their credit balances, indexed by ID, status and email."""

    def __init__(self) -> None:
        self._ids = _IdGenerator()
        self._by_id: dict[str, Customer] = {}
        self._sorted: list[str] = []
        self._by_status: dict[str, list[str]] = {}
        self._by_email: dict[str, str] = {}
        self._balances: dict[str, dict[str, dict[str, Any]]] = {}

    def __len__(self) -> int:
        return len(self._sorted)

    def get(self, customer_id: str) -> Customer | None:
        """Return the customer with this ID, or None."""
        return self._by_id.get(customer_id)

    def by_email(self, email: str) -> Customer | None:
        """Return the customer with exactly this email, or None."""
        customer_id = self._by_email.get(email)
        return None if customer_id is None else self._by_id[customer_id]

    def all(self) -> list[Customer]:
        """Return every customer in ID order."""
        return [self._by_id[customer_id] for customer_id in self._sorted]

    def _check_email_free(self, email: str, customer_id: str | None = None) -> None:
        existing = self._by_email.get(email)
        if existing is not None and existing != customer_id:
            raise EmailTakenError(email, existing)

    def _insert(self, customers: list[Customer]) -> None:
        # New IDs are always greater than stored ones, so appending keeps every list sorted.
        for customer in customers:
            self._by_id[customer.id] = customer
            self._by_email[customer.email] = customer.id
            self._sorted.append(customer.id)
            self._by_status.setdefault(customer.status, []).append(customer.id)

    def create(
        self,
        *,
        email: str,
        name: str | None = None,
        custom_data: Mapping[str, Any] | None = None,
        locale: str = "en",
        status: str = "active",
        marketing_consent: bool = False,
        import_meta: Mapping[str, Any] | None = None,
    ) -> Customer:
        """Store a new customer.

        Returns:
            The stored customer.

        Raises:
            EmailTakenError: another customer has this email.
        """
        self._check_email_free(email)
        now = _now_us()
        customer = Customer(
            id=self._ids.next(now),
            email=email,
            name=name,
            custom_data=copy.deepcopy(dict(custom_data)) if custom_data is not None else None,
            locale=locale,
            status=status,
            marketing_consent=marketing_consent,
            import_meta=copy.deepcopy(dict(import_meta)) if import_meta is not None else None,
            created_us=now,
            updated_us=now,
        )
        self._insert([customer])
        return customer

    def seed(
        self, emails: Iterable[str], names: Iterable[str], archived: Callable[[int], bool]
    ) -> list[str]:
        """Store many active or archived customers at once, checking emails first.

        Returns:
            The new IDs, in creation order.
        """
        emails = list(emails)
        if len(set(emails)) != len(emails):
            raise ValueError("seed emails are not unique")
        for email in emails:
            self._check_email_free(email)
        now = _now_us()
        new_id = self._ids.next
        customers = [
            Customer(
                id=new_id(now),
                email=email,
                name=name,
                custom_data=None,
                locale="en",
                status="archived" if archived(j) else "active",
                marketing_consent=False,
                import_meta=None,
                created_us=now,
                updated_us=now,
            )
            for j, (email, name) in enumerate(zip(emails, names, strict=True))
        ]
        self._insert(customers)
        return [customer.id for customer in customers]

    def update(self, customer: Customer, changes: Mapping[str, Any]) -> Customer:
        """Apply validated changes to a customer and bump its updated_at.

        Raises:
            EmailTakenError: another customer has the new email.
        """
        if "email" in changes:
            self._check_email_free(changes["email"], customer.id)
            del self._by_email[customer.email]
            customer.email = changes["email"]
            self._by_email[customer.email] = customer.id
        if "status" in changes and changes["status"] != customer.status:
            old = self._by_status[customer.status]
            del old[bisect_left(old, customer.id)]
            insort(self._by_status.setdefault(changes["status"], []), customer.id)
            customer.status = changes["status"]
        if "name" in changes:
            customer.name = changes["name"]
        if "custom_data" in changes:
            # An object replaces the stored one (PADDLE_API.md §2.5 assumes replace, not merge).
            customer.custom_data = copy.deepcopy(changes["custom_data"])
        if "locale" in changes:
            customer.locale = changes["locale"]
        customer._search_key = None
        # Strictly later than before, even when two updates land in the same microsecond.
        customer.updated_us = max(_now_us(), customer.updated_us + 1)
        return customer

    def set_balance(self, customer_id: str, currency_code: str, balance: dict[str, str]) -> None:
        """Set a customer's credit balance in one currency (one balance per currency)."""
        if customer_id not in self._by_id:
            raise KeyError(customer_id)
        self._balances.setdefault(customer_id, {})[currency_code] = {
            "customer_id": customer_id,
            "currency_code": currency_code,
            "balance": dict(balance),
        }

    def balances(self, customer_id: str, currencies: frozenset[str] | None) -> list[dict[str, Any]]:
        """Return a customer's credit balances, optionally only in some currencies."""
        return [
            copy.deepcopy(balance)
            for code, balance in self._balances.get(customer_id, {}).items()
            if currencies is None or code in currencies
        ]

    def _candidates(self, query: ListQuery) -> tuple[list[str], bool]:
        """Pick a sorted ID list to walk, and whether statuses still need checking."""
        if query.ids is not None or query.emails is not None:
            # Small candidate sets from the indexes; never a set of every stored ID.
            chosen: set[str] | None = None
            if query.emails is not None:
                chosen = {self._by_email[e] for e in query.emails if e in self._by_email}
            if query.ids is not None:
                known = {i for i in query.ids if i in self._by_id}
                chosen = known if chosen is None else chosen & known
            return sorted(chosen or ()), True
        present = {status for status, ids in self._by_status.items() if ids}
        if query.statuses >= present:
            return self._sorted, False
        if len(query.statuses) == 1:
            (status,) = query.statuses
            return self._by_status.get(status, []), False
        return self._sorted, True

    def page(self, query: ListQuery, *, count: bool = True) -> Page:
        """Return the page of customers after the query's cursor, in the query's order.

        Args:
            query: The validated list query.
            count: Whether to count all matches (a scan when filters apply); -1 otherwise.

        Returns:
            The page, whether more matches follow it, and the count of all matches.
        """
        ids, check_status = self._candidates(query)
        by_id = self._by_id
        needle = query.search.lower() if query.search is not None else None

        def matches(customer_id: str) -> bool:
            customer = by_id[customer_id]
            if check_status and customer.status not in query.statuses:
                return False
            return needle is None or customer.matches_search(needle)

        filtered = check_status or needle is not None
        after = query.after
        if query.descending:
            end = bisect_left(ids, after) if after is not None else len(ids)
            if filtered:
                walk: Iterable[str] = (ids[i] for i in range(end - 1, -1, -1))
            else:
                walk = reversed(ids[max(0, end - query.per_page - 1) : end])
        else:
            start = bisect_right(ids, after) if after is not None else 0
            if filtered:
                walk = (ids[i] for i in range(start, len(ids)))
            else:
                walk = ids[start : start + query.per_page + 1]
        found: list[str] = []
        for customer_id in walk:
            if not filtered or matches(customer_id):
                found.append(customer_id)
                if len(found) > query.per_page:
                    break
        if not filtered:
            total = len(ids)
        elif count:
            total = sum(1 for customer_id in ids if matches(customer_id))
        else:
            total = -1
        items = [by_id[customer_id] for customer_id in found[: query.per_page]]
        return Page(items=items, has_more=len(found) > query.per_page, total=total)
