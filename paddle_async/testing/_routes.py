"""The customer area at the wire level: a route table from method and path to a handler.

Customers, addresses, businesses and payment methods are `Resource`s served by the same five
generic handlers (list, create, get, update, delete); credit balances, auth tokens and portal
sessions have one handler each. Nothing here knows about aiohttp; `_fake` turns an `Answer` or
a `Problem` into a response.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any, Final

import attrs

from ._entities import Address, Business, Customer, Entity, PaymentMethod
from ._listing import ListQuery, pagination, parse_list_query
from ._problems import Problem
from ._store import EmailTakenError, Store, Table
from ._validate import (
    ADDRESS_CREATE,
    ADDRESS_UPDATE,
    BUSINESS_CREATE,
    BUSINESS_UPDATE,
    CUSTOMER_CREATE,
    CUSTOMER_UPDATE,
    PORTAL_SESSION_CREATE,
    Body,
    parse_currency_codes,
    parse_json_object,
    refuse_body,
)

__all__ = ["ROUTES", "Answer", "Call", "is_write", "route"]


@attrs.frozen(kw_only=True)
class Call:
    """One authenticated request, as the operations see it.

    `query` keeps every pair in order (for `next` links); `params` has the first value of each.
    """

    method: str
    path: str
    query: Sequence[tuple[str, str]]
    params: Mapping[str, str]
    content_type: str
    body: bytes
    skip_count: bool
    base_url: str


@attrs.frozen(kw_only=True)
class Answer:
    """A successful answer, plus the events it causes: (event type, entity) pairs."""

    status: int
    data: Any = None
    pagination: dict[str, Any] | None = None
    events: tuple[tuple[str, Entity], ...] = ()


Handler = Callable[[Store, Call, Mapping[str, str]], Answer]
"""Answer a call, given the path's `customer_id` and `id` groups."""


@attrs.frozen(kw_only=True)
class Resource:
    """An entity type served through the generic handlers.

    Attributes:
        label: How `not_found` details name it: "Address add_… not found."
        event: The events' prefix: "address" gives address.created, address.updated.
        table: Picks its table from the store.
        filters: The list filters it takes (see `_listing.FILTERS`).
        add: Stores a validated create body for an owner; None when there is no create.
        create: The create body's schema; None when there is no create.
        update: The update body's schema; None when there is no update.
        owned: Whether it belongs to a customer, the path's `customer_id`.
        deletable: Whether DELETE removes one.
    """

    label: str
    event: str
    table: Callable[[Store], Table[Any]]
    filters: frozenset[str]
    add: Callable[[Store, str | None, dict[str, Any]], Entity] | None = None
    create: Body | None = None
    update: Body | None = None
    owned: bool = True
    deletable: bool = False


def _add_customer(store: Store, owner: str | None, fields: dict[str, Any]) -> Customer:
    return store.create_customer(**fields)


def _adder(
    table: Callable[[Store], Table[Any]], kind: type[Entity]
) -> Callable[[Store, str | None, dict[str, Any]], Entity]:
    def add(store: Store, owner: str | None, fields: dict[str, Any]) -> Entity:
        assert owner is not None
        entity: Entity = store.add(table(store), kind, owner, fields)
        return entity

    return add


def _customers(store: Store) -> Table[Customer]:
    return store.customers


def _addresses(store: Store) -> Table[Address]:
    return store.addresses


def _businesses(store: Store) -> Table[Business]:
    return store.businesses


def _payment_methods(store: Store) -> Table[PaymentMethod]:
    return store.payment_methods


CUSTOMERS: Final = Resource(
    label="Customer",
    event="customer",
    table=_customers,
    filters=frozenset({"id", "email", "search", "status"}),
    add=_add_customer,
    create=CUSTOMER_CREATE,
    update=CUSTOMER_UPDATE,
    owned=False,
)


def _owned(
    label: str,
    event: str,
    table: Callable[[Store], Table[Any]],
    kind: type[Entity],
    bodies: tuple[Body, Body],
) -> Resource:
    """Describe an entity a customer has, with a status: an address or a business."""
    return Resource(
        label=label,
        event=event,
        table=table,
        filters=frozenset({"id", "search", "status"}),
        add=_adder(table, kind),
        create=bodies[0],
        update=bodies[1],
    )


ADDRESSES: Final = _owned(
    "Address", "address", _addresses, Address, (ADDRESS_CREATE, ADDRESS_UPDATE)
)
BUSINESSES: Final = _owned(
    "Business", "business", _businesses, Business, (BUSINESS_CREATE, BUSINESS_UPDATE)
)
PAYMENT_METHODS: Final = Resource(
    label="Payment method",
    event="payment_method",
    table=_payment_methods,
    filters=frozenset({"address_id", "supports_checkout"}),
    deletable=True,
)


def _not_found(label: str, entity_id: str) -> Problem:
    # Paddle's template is "%s %s not found." (errors/shared/not_found).
    return Problem(404, "not_found", f"{label} {entity_id} not found.")


def _customer(store: Store, customer_id: str) -> Customer:
    # A malformed ID is answered like an unknown one: no entity has it.
    customer = store.customers.get(customer_id)
    if customer is None:
        raise _not_found("Customer", customer_id)
    return customer


def _owner(resource: Resource, store: Store, ids: Mapping[str, str]) -> str | None:
    return _customer(store, ids["customer_id"]).id if resource.owned else None


def _find(resource: Resource, store: Store, ids: Mapping[str, str]) -> Entity:
    """Return the entity a path names; another customer's entity is as unknown as a missing one."""
    if not resource.owned:
        return _customer(store, ids["customer_id"])
    owner = _customer(store, ids["customer_id"]).id
    entity: Entity | None = resource.table(store).get_of(owner, ids["id"])
    if entity is None:
        raise _not_found(resource.label, ids["id"])
    return entity


def _extra_filter(query: ListQuery) -> Callable[[Any], bool] | None:
    """Filter on what only payment methods have: their address and checkout support."""
    address_ids, supports_checkout = query.address_ids, query.supports_checkout
    if address_ids is None and supports_checkout is None:
        return None

    def match(entity: PaymentMethod) -> bool:
        if address_ids is not None and entity.address_id not in address_ids:
            return False
        return supports_checkout is None or entity.supports_checkout == supports_checkout

    return match


def _list(resource: Resource, store: Store, call: Call, ids: Mapping[str, str]) -> Answer:
    owner = _owner(resource, store, ids)
    query = parse_list_query(call.params, resource.filters)
    chosen = store.ids_by_emails(query.emails) if query.emails is not None else None
    page = resource.table(store).page(
        owner, query, chosen=chosen, match=_extra_filter(query), count=not call.skip_count
    )
    return Answer(
        status=200,
        data=[entity.wire() for entity in page.items],
        pagination=pagination(
            base_url=call.base_url,
            path=call.path,
            query=call.query,
            parsed=query,
            page=page,
            skip_count=call.skip_count,
        ),
    )


def _conflict(error: EmailTakenError) -> Problem:
    return Problem(409, "customer_already_exists", str(error))


def _create(resource: Resource, store: Store, call: Call, ids: Mapping[str, str]) -> Answer:
    assert resource.create is not None
    assert resource.add is not None
    owner = _owner(resource, store, ids)
    fields = resource.create.validate(parse_json_object(call.content_type, call.body))
    try:
        entity = resource.add(store, owner, fields)
    except EmailTakenError as error:
        raise _conflict(error) from None
    return Answer(status=201, data=entity.wire(), events=((f"{resource.event}.created", entity),))


def _get(resource: Resource, store: Store, call: Call, ids: Mapping[str, str]) -> Answer:
    return Answer(status=200, data=_find(resource, store, ids).wire())


def _update(resource: Resource, store: Store, call: Call, ids: Mapping[str, str]) -> Answer:
    assert resource.update is not None
    entity = _find(resource, store, ids)
    changes = resource.update.validate(parse_json_object(call.content_type, call.body))
    try:
        store.update(resource.table(store), entity, changes)
    except EmailTakenError as error:
        raise _conflict(error) from None
    return Answer(status=200, data=entity.wire(), events=((f"{resource.event}.updated", entity),))


def _delete(resource: Resource, store: Store, call: Call, ids: Mapping[str, str]) -> Answer:
    entity = store.delete(resource.table(store), _find(resource, store, ids))
    # 204 No Content: the fake sends no body (spec: delete-customer-payment-method).
    return Answer(status=204, events=((f"{resource.event}.deleted", entity),))


def _balances(store: Store, call: Call, ids: Mapping[str, str]) -> Answer:
    customer = _customer(store, ids["customer_id"])
    currencies = parse_currency_codes(call.params)
    return Answer(status=200, data=store.balances(customer.id, currencies))


def _auth_token(store: Store, call: Call, ids: Mapping[str, str]) -> Answer:
    customer = _customer(store, ids["customer_id"])
    # The spec declares no request body for this operation, not even an empty object.
    refuse_body(call.body)
    return Answer(status=200, data=store.auth_tokens.issue(customer.id))


def _portal_session(store: Store, call: Call, ids: Mapping[str, str]) -> Answer:
    customer = _customer(store, ids["customer_id"])
    # The body is optional: none at all is a session without subscription links.
    fields = (
        PORTAL_SESSION_CREATE.validate(parse_json_object(call.content_type, call.body))
        if call.body
        else {}
    )
    session = store.portal_sessions.create(customer.id, fields.get("subscription_ids", ()))
    return Answer(status=201, data=session)


@attrs.frozen
class Route:
    """A path pattern and the handler for each method it allows."""

    pattern: re.Pattern[str]
    methods: Mapping[str, Handler]


def _route(pattern: str, **methods: Handler) -> Route:
    return Route(re.compile(pattern), methods)


def _collection(resource: Resource) -> dict[str, Handler]:
    methods: dict[str, Handler] = {"GET": partial(_list, resource)}
    if resource.create is not None:
        methods["POST"] = partial(_create, resource)
    return methods


def _item(resource: Resource) -> dict[str, Handler]:
    methods: dict[str, Handler] = {"GET": partial(_get, resource)}
    if resource.update is not None:
        methods["PATCH"] = partial(_update, resource)
    if resource.deletable:
        methods["DELETE"] = partial(_delete, resource)
    return methods


_CUSTOMER: Final = r"/customers/(?P<customer_id>[^/]+)"
_ID: Final = r"/(?P<id>[^/]+)"

ROUTES: Final = (
    _route(r"/customers", **_collection(CUSTOMERS)),
    _route(_CUSTOMER, **_item(CUSTOMERS)),
    _route(_CUSTOMER + "/credit-balances", GET=_balances),
    _route(_CUSTOMER + "/auth-token", POST=_auth_token),
    _route(_CUSTOMER + "/portal-sessions", POST=_portal_session),
    _route(_CUSTOMER + "/addresses", **_collection(ADDRESSES)),
    _route(_CUSTOMER + "/addresses" + _ID, **_item(ADDRESSES)),
    _route(_CUSTOMER + "/businesses", **_collection(BUSINESSES)),
    _route(_CUSTOMER + "/businesses" + _ID, **_item(BUSINESSES)),
    _route(_CUSTOMER + "/payment-methods", **_collection(PAYMENT_METHODS)),
    _route(_CUSTOMER + "/payment-methods" + _ID, **_item(PAYMENT_METHODS)),
)
"""Every operation the fake serves: the 18 of Paddle's customer area."""


def route(store: Store, call: Call) -> Answer:
    """Run the operation a request asks for.

    Args:
        store: The data.
        call: The authenticated request.

    Returns:
        The successful answer; errors are raised as `Problem`: 404 `not_found` for a path no
        route has, 405 `method_not_allowed` for a method the path's route does not allow.
    """
    for candidate in ROUTES:
        match = candidate.pattern.fullmatch(call.path)
        if match is not None:
            handler = candidate.methods.get(call.method)
            if handler is None:
                allowed = ", ".join(candidate.methods)
                raise Problem(405, "method_not_allowed", f"Method not allowed. Allowed: {allowed}.")
            return handler(store, call, match.groupdict())
    raise Problem(404, "not_found", f"Path {call.path} not found.")


def is_write(method: str) -> bool:
    """Tell whether a method changes state (the fake's writes are POST, PATCH and DELETE)."""
    return method in ("POST", "PATCH", "DELETE")
