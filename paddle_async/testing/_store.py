"""The fake's in-memory store: one generic table per entity type, plus what is customer-only.

A `Table` keeps its entities by ID and, per owner (the customer an address belongs to; None for
customers themselves), in ID order, which is creation order, in sorted lists (all, and one per
status). So an unfiltered page is a bisect and a slice however many entities there are, and the
same listing code serves customers, addresses, businesses and payment methods.
"""

from __future__ import annotations

import copy
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, Generic, TypeVar

import attrs

from ._entities import Address, Business, Customer, Entity, PaymentMethod
from ._ids import new_id_generator, now_us
from ._listing import ListQuery, Page, walk
from ._sessions import AuthTokens, PortalSessions

__all__ = ["EmailTakenError", "Store", "Table"]

E = TypeVar("E", bound=Entity)


class EmailTakenError(ValueError):
    """Another customer already has this email address."""

    def __init__(self, email: str, existing_id: str) -> None:
        super().__init__(f"customer email conflicts with customer of id {existing_id}")
        self.email = email
        self.existing_id = existing_id


@attrs.define
class _Group:
    """One owner's entities: all IDs in order, and the IDs of each status in order."""

    ids: list[str] = attrs.Factory(list)
    by_status: dict[str, list[str]] = attrs.Factory(dict)


def _remove_sorted(ids: list[str], entity_id: str) -> None:
    del ids[bisect_left(ids, entity_id)]


class Table(Generic[E]):
    """The entities of one type, by ID and per owner in ID order."""

    def __init__(self, prefix: str) -> None:
        self.new_id = new_id_generator(prefix)
        self._by_id: dict[str, E] = {}
        self._groups: dict[str | None, _Group] = {}

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, entity_id: str) -> E | None:
        """Return the entity with this ID, or None."""
        return self._by_id.get(entity_id)

    def get_of(self, owner: str | None, entity_id: str) -> E | None:
        """Return the entity with this ID if it belongs to `owner`, else None."""
        entity = self._by_id.get(entity_id)
        return entity if entity is not None and entity.owner == owner else None

    def list_of(self, owner: str | None) -> list[E]:
        """Return an owner's entities in ID order (for customers, owner None: all of them)."""
        group = self._groups.get(owner)
        return [] if group is None else [self._by_id[entity_id] for entity_id in group.ids]

    def insert(self, entities: Iterable[E]) -> None:
        """Store new entities; their IDs are greater than any stored, so lists stay sorted."""
        for entity in entities:
            self._by_id[entity.id] = entity
            group = self._groups.setdefault(entity.owner, _Group())
            group.ids.append(entity.id)
            if entity.state is not None:
                group.by_status.setdefault(entity.state, []).append(entity.id)

    def move(self, entity: E, status: str) -> None:
        """Move an entity to another status list; the caller then sets its status."""
        if entity.state is not None and status != entity.state:
            group = self._groups[entity.owner]
            _remove_sorted(group.by_status[entity.state], entity.id)
            insort(group.by_status.setdefault(status, []), entity.id)

    def remove(self, entity: E) -> None:
        """Delete an entity."""
        del self._by_id[entity.id]
        group = self._groups[entity.owner]
        _remove_sorted(group.ids, entity.id)
        if entity.state is not None:
            _remove_sorted(group.by_status[entity.state], entity.id)

    def _candidates(
        self, owner: str | None, group: _Group, query: ListQuery, chosen: set[str] | None
    ) -> tuple[list[str], bool]:
        """Pick a sorted ID list to walk, and whether statuses still need checking."""
        if query.ids is not None or chosen is not None:
            # Small candidate sets from the indexes; never a set of every stored ID.
            if query.ids is not None:
                known = {i for i in query.ids if i in self._by_id}
                chosen = known if chosen is None else chosen & known
            mine = sorted(i for i in chosen or () if self._by_id[i].owner == owner)
            return mine, query.statuses is not None
        statuses = query.statuses
        if statuses is None:
            return group.ids, False
        present = {status for status, ids in group.by_status.items() if ids}
        if statuses >= present:
            return group.ids, False
        if len(statuses) == 1:
            (status,) = statuses
            return group.by_status.get(status, []), False
        return group.ids, True

    def page(
        self,
        owner: str | None,
        query: ListQuery,
        *,
        chosen: set[str] | None = None,
        match: Callable[[E], bool] | None = None,
        count: bool = True,
    ) -> Page[E]:
        """Return an owner's page of entities after the query's cursor, in the query's order.

        Args:
            owner: The customer whose entities to list; None lists customers.
            query: The validated query: cursor, order, page size, ids, search and statuses.
            chosen: IDs an index already narrowed the candidates to (an email filter).
            match: Any further filter that the query's common fields do not cover.
            count: Whether to count all matches (a scan when filters apply); -1 otherwise.

        Returns:
            The page, whether more matches follow it, and the count of all matches.
        """
        group = self._groups.get(owner, _Group())
        ids, check_status = self._candidates(owner, group, query, chosen)
        by_id = self._by_id
        needle = query.search.lower() if query.search is not None else None
        statuses = query.statuses or frozenset()

        def matches(entity_id: str) -> bool:
            entity = by_id[entity_id]
            if check_status and entity.state not in statuses:
                return False
            if needle is not None and not entity.matches_search(needle):
                return False
            return match is None or match(entity)

        filtered = check_status or needle is not None or match is not None
        found = walk(ids, query, matches if filtered else None, count=count)
        return Page([by_id[i] for i in found.ids], found.has_more, found.total)


# What an address or business has unless its creator says otherwise.
_OWNED: Final = {"status": "active", "custom_data": None, "import_meta": None}
_DEFAULTS: Final[dict[Callable[..., Entity], dict[str, Any]]] = {
    Address: {
        **_OWNED,
        **dict.fromkeys(
            ("description", "first_line", "second_line", "city", "postal_code", "region")
        ),
    },
    Business: {**_OWNED, "company_number": None, "tax_identifier": None, "contacts": None},
}


def _stored(key: str, value: Any) -> Any:
    """Return a value as the store keeps it: nested values copied, contacts completed."""
    if key == "contacts":
        # A contact always has a name in responses; `null` contacts store none.
        return [{"name": item.get("name", ""), "email": item["email"]} for item in value or ()]
    if isinstance(value, Mapping):
        return copy.deepcopy(dict(value))
    return copy.deepcopy(value) if isinstance(value, list) else value


class Store:
    """Every table, plus what only customers have: the email index and credit balances."""

    def __init__(self, *, auth_token_lifetime_us: int) -> None:
        self.customers: Table[Customer] = Table("ctm_")
        self.addresses: Table[Address] = Table("add_")
        self.businesses: Table[Business] = Table("biz_")
        self.payment_methods: Table[PaymentMethod] = Table("paymtd_")
        self._by_email: dict[str, str] = {}
        self._balances: dict[str, dict[str, dict[str, Any]]] = {}
        self.auth_tokens = AuthTokens(auth_token_lifetime_us)
        self.portal_sessions = PortalSessions()

    def __len__(self) -> int:
        return len(self.customers)

    def get(self, customer_id: str) -> Customer | None:
        """Return the customer with this ID, or None."""
        return self.customers.get(customer_id)

    def by_email(self, email: str) -> Customer | None:
        """Return the customer with exactly this email, or None."""
        customer_id = self._by_email.get(email)
        return None if customer_id is None else self.customers.get(customer_id)

    def ids_by_emails(self, emails: Iterable[str]) -> set[str]:
        """Return the IDs of the customers with exactly these emails."""
        return {self._by_email[email] for email in emails if email in self._by_email}

    def _check_email_free(self, email: str, customer_id: str | None = None) -> None:
        existing = self._by_email.get(email)
        if existing is not None and existing != customer_id:
            raise EmailTakenError(email, existing)

    def _insert_customers(self, customers: list[Customer]) -> None:
        self.customers.insert(customers)
        for customer in customers:
            self._by_email[customer.email] = customer.id

    def create_customer(
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
        now = now_us()
        customer = Customer(
            id=self.customers.new_id(now),
            email=email,
            name=name,
            custom_data=_stored("custom_data", custom_data),
            locale=locale,
            status=status,
            marketing_consent=marketing_consent,
            import_meta=_stored("import_meta", import_meta),
            created_us=now,
            updated_us=now,
        )
        self._insert_customers([customer])
        return customer

    def seed_customers(
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
        now = now_us()
        new_id = self.customers.new_id
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
        self._insert_customers(customers)
        return [customer.id for customer in customers]

    def add(
        self, table: Table[E], kind: Callable[..., E], customer_id: str, fields: Mapping[str, Any]
    ) -> E:
        """Store a new entity of a customer: an address, a business or a payment method.

        Args:
            table: The entity type's table.
            kind: The entity class.
            customer_id: The owner's ID.
            fields: The entity's fields; fields in `_DEFAULTS` may be left out.

        Returns:
            The stored entity.

        Raises:
            KeyError: there is no customer with this ID.
        """
        if self.customers.get(customer_id) is None:
            raise KeyError(customer_id)
        now = now_us()
        values = {**_DEFAULTS.get(kind, {}), **fields}
        stored = {key: _stored(key, value) for key, value in values.items()}
        entity = kind(
            id=table.new_id(now), customer_id=customer_id, created_us=now, updated_us=now, **stored
        )
        table.insert([entity])
        return entity

    def update(self, table: Table[E], entity: E, changes: Mapping[str, Any]) -> E:
        """Apply validated changes to an entity and move its updated_at on.

        Raises:
            EmailTakenError: another customer has the new email.
        """
        if isinstance(entity, Customer) and "email" in changes:
            self._check_email_free(changes["email"], entity.id)
            del self._by_email[entity.email]
            self._by_email[changes["email"]] = entity.id
        if "status" in changes:
            table.move(entity, changes["status"])
        for key, value in changes.items():
            # An object replaces the stored one (PADDLE_API.md §2.5 assumes replace, not merge).
            setattr(entity, key, _stored(key, value))
        entity.changed(now_us())
        return entity

    def delete(self, table: Table[E], entity: E) -> E:
        """Delete an entity; its updated_at becomes the time of deletion."""
        table.remove(entity)
        entity.changed(now_us())
        return entity

    def set_balance(self, customer_id: str, currency_code: str, balance: dict[str, str]) -> None:
        """Set a customer's credit balance in one currency (one balance per currency)."""
        if self.customers.get(customer_id) is None:
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
