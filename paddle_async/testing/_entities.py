"""The fake's stored entities and the JSON shapes Paddle gives them.

Each entity keeps its fields as attributes, so the store can change them in place, and builds
its wire shape on demand: `wire()` for API responses, `notification()` for the `data` of the
event a change causes. Timestamps are kept as microseconds since the epoch and formatted the
way Paddle formats each field.
"""

from __future__ import annotations

import copy
import functools
from datetime import datetime, timedelta
from typing import Any, Final

import attrs

__all__ = [
    "Address",
    "Business",
    "Customer",
    "Entity",
    "PaymentMethod",
    "format_trimmed",
]

_EPOCH: Final = datetime(1970, 1, 1)


# Seeded entities share one timestamp and pages repeat, so formatting is worth caching.
@functools.lru_cache(maxsize=4096)
def _milliseconds(us: int) -> str:
    # created_at has milliseconds, like Paddle's: 2024-04-11T15:57:24.813Z
    return (_EPOCH + timedelta(microseconds=us)).isoformat(timespec="milliseconds") + "Z"


@functools.lru_cache(maxsize=4096)
def _microseconds(us: int) -> str:
    # updated_at has microseconds, like Paddle's: 2024-04-11T15:59:56.658719Z
    return (_EPOCH + timedelta(microseconds=us)).isoformat(timespec="microseconds") + "Z"


def format_trimmed(us: int) -> str:
    """Format a timestamp with trailing zeros of the fraction dropped, as Go's RFC3339Nano does.

    Paddle's examples show it: `2024-05-03T10:34:12.34Z`, `2024-07-12T03:23:26Z`.
    """
    text = _microseconds(us)[:-1].rstrip("0").rstrip(".")
    return text + "Z"


def _copy(value: Any, deep: bool) -> Any:
    return copy.deepcopy(value) if deep else value


@attrs.define(eq=False, kw_only=True)
class Entity:
    """What every stored entity has: an ID, an owner, timestamps and a search key."""

    id: str
    created_us: int
    updated_us: int
    _search_key: str | None = None

    @property
    def owner(self) -> str | None:
        """The ID of the customer this entity belongs to; None for a customer."""
        return None

    @property
    def state(self) -> str | None:
        """The status lists index by; None for entities without a status."""
        return None

    def wire(self, *, deep: bool = False) -> dict[str, Any]:
        """Return the entity as the API sends it; `deep` copies nested values too."""
        raise NotImplementedError

    def notification(self, event_type: str) -> dict[str, Any]:
        """Return the `data` of a notification about this entity (a copy)."""
        return self.wire(deep=True)

    def _search_text(self) -> str:
        return self.id

    def matches_search(self, needle: str) -> bool:
        """Tell whether a lowercase needle occurs in the searched fields (any case)."""
        if self._search_key is None:
            self._search_key = self._search_text().lower()
        return needle in self._search_key

    def changed(self, now_us: int) -> None:
        """Note a change: forget the search key and move updated_at strictly later."""
        self._search_key = None
        # Strictly later than before, even when two updates land in the same microsecond.
        self.updated_us = max(now_us, self.updated_us + 1)


@attrs.define(eq=False, kw_only=True)
class Customer(Entity):
    """A stored customer."""

    email: str
    name: str | None
    custom_data: dict[str, Any] | None
    locale: str
    status: str
    marketing_consent: bool
    import_meta: dict[str, Any] | None

    @property
    def state(self) -> str | None:
        """The customer's status."""
        return self.status

    def wire(self, *, deep: bool = False) -> dict[str, Any]:
        """Return the customer as Paddle sends it; `deep` copies nested values too."""
        # Listing builds 200 of these per page, so the common case avoids any call it can.
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
            "created_at": _milliseconds(self.created_us),
            "updated_at": _microseconds(self.updated_us),
            "import_meta": import_meta,
        }

    def _search_text(self) -> str:
        # Paddle searches a customer's id, name and email (spec: search_query for customers).
        return f"{self.id}\0{self.name or ''}\0{self.email}"


@attrs.define(eq=False, kw_only=True)
class _Owned(Entity):
    """An entity that belongs to a customer and has a status."""

    customer_id: str
    status: str
    custom_data: dict[str, Any] | None
    import_meta: dict[str, Any] | None

    @property
    def owner(self) -> str | None:
        """The customer's ID."""
        return self.customer_id

    @property
    def state(self) -> str | None:
        """The entity's status."""
        return self.status


@attrs.define(eq=False, kw_only=True)
class Address(_Owned):
    """A stored address of a customer."""

    description: str | None
    first_line: str | None
    second_line: str | None
    city: str | None
    postal_code: str | None
    region: str | None
    country_code: str

    def wire(self, *, deep: bool = False) -> dict[str, Any]:
        """Return the address as Paddle sends it; `deep` copies nested values too."""
        return {
            "id": self.id,
            "status": self.status,
            "customer_id": self.customer_id,
            "description": self.description,
            "first_line": self.first_line,
            "second_line": self.second_line,
            "city": self.city,
            "postal_code": self.postal_code,
            "region": self.region,
            "country_code": self.country_code,
            "custom_data": _copy(self.custom_data, deep),
            "created_at": _milliseconds(self.created_us),
            "updated_at": _microseconds(self.updated_us),
            "import_meta": _copy(self.import_meta, deep),
        }

    def _search_text(self) -> str:
        # "Searches all fields except status, created_at, and updated_at" (spec, list-addresses);
        # the fake leaves custom_data and import_meta out as well.
        fields = (
            self.id,
            self.description,
            self.first_line,
            self.second_line,
            self.city,
            self.postal_code,
            self.region,
            self.country_code,
        )
        return "\0".join(field or "" for field in fields)


@attrs.define(eq=False, kw_only=True)
class Business(_Owned):
    """A stored business of a customer; each contact has a name (maybe empty) and an email."""

    name: str
    company_number: str | None
    tax_identifier: str | None
    contacts: list[dict[str, str]]

    def wire(self, *, deep: bool = False) -> dict[str, Any]:
        """Return the business as Paddle sends it; `deep` copies nested values too."""
        return {
            "id": self.id,
            "status": self.status,
            "customer_id": self.customer_id,
            "name": self.name,
            "company_number": self.company_number,
            "tax_identifier": self.tax_identifier,
            "contacts": [dict(contact) for contact in self.contacts],
            "custom_data": _copy(self.custom_data, deep),
            "created_at": _milliseconds(self.created_us),
            "updated_at": _microseconds(self.updated_us),
            "import_meta": _copy(self.import_meta, deep),
        }

    def _search_text(self) -> str:
        # "Searches all fields, including contacts, except status, created_at, and updated_at"
        # (spec, list-businesses); custom_data and import_meta are left out here too.
        contacts = (f"{contact['name']}\0{contact['email']}" for contact in self.contacts)
        fields = (self.id, self.name, self.company_number, self.tax_identifier, *contacts)
        return "\0".join(field or "" for field in fields)


@attrs.define(eq=False, kw_only=True)
class PaymentMethod(Entity):
    """A saved payment method of a customer (`created_us` is when it was saved)."""

    customer_id: str
    address_id: str
    type: str
    card: dict[str, Any] | None
    paypal: dict[str, Any] | None
    underlying_details: dict[str, Any] | None
    origin: str
    # Not in the entity Paddle sends: the spec only says that `supports_checkout=true` lists
    # the payment methods that can be presented at checkout.
    supports_checkout: bool

    @property
    def owner(self) -> str | None:
        """The customer's ID."""
        return self.customer_id

    def wire(self, *, deep: bool = False) -> dict[str, Any]:
        """Return the payment method as Paddle sends it; `deep` copies nested values too."""
        return {
            "id": self.id,
            "customer_id": self.customer_id,
            "address_id": self.address_id,
            "type": self.type,
            "card": _copy(self.card, deep),
            "paypal": _copy(self.paypal, deep),
            "underlying_details": _copy(self.underlying_details, deep),
            "origin": self.origin,
            "saved_at": format_trimmed(self.created_us),
            "updated_at": _microseconds(self.updated_us),
        }

    def notification(self, event_type: str) -> dict[str, Any]:
        """Return the shorter shape Paddle's payment_method.saved/deleted events carry."""
        data: dict[str, Any] = {
            "id": self.id,
            "customer_id": self.customer_id,
            "address_id": self.address_id,
            "type": self.type,
            "origin": self.origin,
            "saved_at": format_trimmed(self.created_us),
            "updated_at": _microseconds(self.updated_us),
        }
        if event_type == "payment_method.deleted":
            # The only reason the API causes (the other is `replaced_by_newer_version`).
            data["deletion_reason"] = "api"
        return data
