"""FakePaddle's data methods: fill the store without requests, and look into it.

Kept apart from the server so each file stays readable; `FakePaddle` inherits these methods.
Every dict returned is a copy in the shape the API sends: changing it changes nothing stored.
"""

from __future__ import annotations

import hashlib
import secrets
import string
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from ._entities import Address, Business, Entity, PaymentMethod
from ._store import Store, Table

__all__ = ["StoreMethods"]

_PAYPAL_REFERENCE: Final = string.ascii_uppercase + string.digits
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)
# seed(customer_area=True): (country, region, city, postal code) and card schemes, in turn.
_SEED_PLACES: Final = (
    ("US", "NY", "New York", "10021"),
    ("GB", None, "London", "EC1A 1BB"),
    ("DE", None, "Berlin", "10115"),
    ("FR", None, "Paris", "75002"),
    ("AU", "NSW", "Sydney", "2000"),
)
_SEED_CARDS: Final = ("visa", "mastercard", "american_express")


def _copies(entities: Sequence[Entity]) -> list[dict[str, Any]]:
    return [entity.wire(deep=True) for entity in entities]


def _copy(entity: Entity | None) -> dict[str, Any] | None:
    return None if entity is None else entity.wire(deep=True)


class StoreMethods:
    """The public data methods of `FakePaddle` (see there)."""

    _store: Store

    def _emit(self, event_type: str, entity: Entity) -> None:
        raise NotImplementedError

    # Customers

    def add_customer(
        self,
        *,
        email: str,
        name: str | None = None,
        custom_data: dict[str, Any] | None = None,
        locale: str = "en",
        status: str = "active",
        marketing_consent: bool = False,
        import_meta: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Store a customer directly, without a request (and without events).

        Args:
            email: A unique email address.
            name: The name, or None.
            custom_data: Any JSON object, or None.
            locale: The locale tag.
            status: "active" or "archived" (other values let you test unknown statuses).
            marketing_consent: Set what only Paddle Checkout sets.
            import_meta: Such as `{"external_id": None, "imported_from": "paddle_classic"}`.

        Returns:
            The customer as Paddle sends it.

        Raises:
            ValueError: another customer has this email.
        """
        customer = self._store.create_customer(
            email=email,
            name=name,
            custom_data=custom_data,
            locale=locale,
            status=status,
            marketing_consent=marketing_consent,
            import_meta=import_meta,
        )
        return customer.wire(deep=True)

    def seed(
        self,
        n: int,
        *,
        email_template: str = "customer{i}@example.com",
        archived_every: int = 0,
        customer_area: bool = False,
    ) -> list[str]:
        """Store `n` customers quickly, named "Customer {i}".

        Args:
            n: How many customers to add.
            email_template: Formatted with `i`, the number of customers stored before this one
                (so the first seeded customer of an empty fake is `customer0@example.com`).
            archived_every: Archive every k-th customer of this call (the k-th, 2k-th, ...);
                0 archives none.
            customer_area: Also give the customers addresses, businesses and saved payment
                methods, decided by `i` alone: customer `i` has an active address, and an
                archived one too when `i % 4 == 1`; a business with a billing contact when
                `i % 3 == 0`; a card saved during a purchase (offered at checkout) when
                `i % 2 == 0`; a PayPal account saved for a subscription (not offered at
                checkout) when `i % 5 == 1`. Each run stores the same details for the same `i`
                but for ids, times and the cards' expiry years (one to four years ahead).

        Returns:
            The new IDs, oldest first.

        Raises:
            ValueError: an email is already taken or repeats.
        """
        start = len(self._store)
        numbers = range(start, start + n)
        ids = self._store.seed_customers(
            (email_template.format(i=i) for i in numbers),
            (f"Customer {i}" for i in numbers),
            lambda j: archived_every > 0 and (j + 1) % archived_every == 0,
        )
        if customer_area:
            year = datetime.now(UTC).year
            for i, customer_id in zip(numbers, ids, strict=True):
                self._seed_customer_area(customer_id, i, email_template.format(i=i), year)
        return ids

    def _seed_customer_area(self, customer_id: str, i: int, email: str, year: int) -> None:
        """Give seeded customer number `i` the entities `seed(customer_area=True)` describes."""
        country, region, city, postal_code = _SEED_PLACES[i % len(_SEED_PLACES)]
        address_id = self.add_address(
            customer_id,
            country_code=country,
            description="Head Office",
            first_line=f"{100 + i} Market Street",
            city=city,
            postal_code=postal_code,
            region=region,
        )["id"]
        if i % 4 == 1:
            self.add_address(
                customer_id,
                country_code=country,
                description="Old office",
                first_line=f"{i + 1} Station Road",
                city=city,
                postal_code=postal_code,
                region=region,
                status="archived",
            )
        if i % 3 == 0:
            self.add_business(
                customer_id,
                name=f"Business {i} Ltd",
                company_number=f"{i:08d}",
                contacts=[{"name": f"Customer {i}", "email": f"billing{i}@example.com"}],
            )
        if i % 2 == 0:
            card = {
                "type": _SEED_CARDS[i // 2 % len(_SEED_CARDS)],
                "last4": f"{i * 7919 % 10_000:04d}",
                "expiry_month": i % 12 + 1,
                "expiry_year": year + 1 + i % 4,
                "cardholder_name": f"Customer {i}",
            }
            self.add_payment_method(customer_id, address_id=address_id, card=card)
        if i % 5 == 1:
            reference = "B-" + hashlib.sha256(email.encode()).hexdigest()[:17].upper()
            self.add_payment_method(
                customer_id,
                type="paypal",
                address_id=address_id,
                origin="subscription",
                paypal={"email": email, "reference": reference},
            )

    def customer(self, customer_id: str) -> dict[str, Any] | None:
        """Return a customer as Paddle sends it, or None if there is none with this ID."""
        return _copy(self._store.customers.get(customer_id))

    def customers(self) -> list[dict[str, Any]]:
        """Return every customer, archived ones included, oldest first."""
        return _copies(self._store.customers.list_of(None))

    def find_by_email(self, email: str) -> dict[str, Any] | None:
        """Return the customer with exactly this email, or None."""
        return _copy(self._store.by_email(email))

    def add_credit_balance(
        self,
        customer_id: str,
        currency_code: str,
        *,
        available: str = "0",
        reserved: str = "0",
        used: str = "0",
    ) -> None:
        """Give a customer a credit balance in a currency, replacing any in that currency.

        Args:
            customer_id: A stored customer's ID.
            currency_code: Such as "USD".
            available: The amount free to use, as a string like Paddle's.
            reserved: The amount held for billed transactions.
            used: The amount used.

        Raises:
            KeyError: there is no customer with this ID.
        """
        balance = {"available": available, "reserved": reserved, "used": used}
        self._store.set_balance(customer_id, currency_code, balance)

    # Addresses and businesses

    def add_address(
        self,
        customer_id: str,
        *,
        country_code: str = "US",
        description: str | None = None,
        first_line: str | None = None,
        second_line: str | None = None,
        city: str | None = None,
        postal_code: str | None = None,
        region: str | None = None,
        custom_data: dict[str, Any] | None = None,
        status: str = "active",
        import_meta: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Store an address of a customer directly, without a request (and without events).

        Nothing is validated, so a test can store what the API would refuse (an unsupported
        country, say) and see how a client copes with it.

        Args:
            customer_id: A stored customer's ID.
            country_code: A two-letter country code.
            description: A memorable description, or None.
            first_line: The first line, or None.
            second_line: The second line, or None.
            city: The city, or None.
            postal_code: The ZIP or postal code, or None.
            region: The state, county or region, or None.
            custom_data: Any JSON object, or None.
            status: "active" or "archived".
            import_meta: Such as `{"external_id": None, "imported_from": "paddle_classic"}`.

        Returns:
            The address as Paddle sends it.

        Raises:
            KeyError: there is no customer with this ID.
        """
        fields = {
            "country_code": country_code,
            "description": description,
            "first_line": first_line,
            "second_line": second_line,
            "city": city,
            "postal_code": postal_code,
            "region": region,
            "custom_data": custom_data,
            "status": status,
            "import_meta": import_meta,
        }
        return self._store.add(self._store.addresses, Address, customer_id, fields).wire(deep=True)

    def add_business(
        self,
        customer_id: str,
        *,
        name: str,
        company_number: str | None = None,
        tax_identifier: str | None = None,
        contacts: Sequence[Mapping[str, str]] = (),
        custom_data: dict[str, Any] | None = None,
        status: str = "active",
        import_meta: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Store a business of a customer directly, without a request (and without events).

        Args:
            customer_id: A stored customer's ID.
            name: The business's name.
            company_number: The company number, or None.
            tax_identifier: The tax or VAT number, or None.
            contacts: Such as `[{"name": "Jo Brown", "email": "jo@example.com"}]`; a contact
                without a name gets `""`, as the API gives one.
            custom_data: Any JSON object, or None.
            status: "active" or "archived".
            import_meta: Such as `{"external_id": None, "imported_from": "paddle_classic"}`.

        Returns:
            The business as Paddle sends it.

        Raises:
            KeyError: there is no customer with this ID, or a contact has no "email".
        """
        fields = {
            "name": name,
            "company_number": company_number,
            "tax_identifier": tax_identifier,
            "contacts": [dict(contact) for contact in contacts],
            "custom_data": custom_data,
            "status": status,
            "import_meta": import_meta,
        }
        business = self._store.add(self._store.businesses, Business, customer_id, fields)
        return business.wire(deep=True)

    def address(self, address_id: str) -> dict[str, Any] | None:
        """Return an address as Paddle sends it, or None if there is none with this ID."""
        return _copy(self._store.addresses.get(address_id))

    def addresses(self, customer_id: str) -> list[dict[str, Any]]:
        """Return a customer's addresses, archived ones included, oldest first."""
        return _copies(self._store.addresses.list_of(customer_id))

    def business(self, business_id: str) -> dict[str, Any] | None:
        """Return a business as Paddle sends it, or None if there is none with this ID."""
        return _copy(self._store.businesses.get(business_id))

    def businesses(self, customer_id: str) -> list[dict[str, Any]]:
        """Return a customer's businesses, archived ones included, oldest first."""
        return _copies(self._store.businesses.list_of(customer_id))

    # Payment methods

    def add_payment_method(
        self,
        customer_id: str,
        *,
        type: str = "card",
        address_id: str | None = None,
        origin: str = "saved_during_purchase",
        card: Mapping[str, Any] | None = None,
        paypal: Mapping[str, Any] | None = None,
        underlying_details: Mapping[str, Any] | None = None,
        supports_checkout: bool | None = None,
        notify: bool = False,
    ) -> dict[str, Any]:
        """Save a payment method for a customer, as a checkout would (Paddle has no create API).

        The details not given are made up to look like Paddle's: a card is a Visa ending 4242
        that expires in three years, in the customer's name; PayPal has the customer's email
        and a `B-…` billing agreement reference; `korea_local` pays with KakaoPay.

        Args:
            customer_id: A stored customer's ID.
            type: "card", "paypal", "alipay", "apple_pay", "google_pay", "korea_local", or a
                type Paddle may add later.
            address_id: One of the customer's addresses; None picks its oldest active address,
                or stores a new US one (as a checkout does) when it has none.
            origin: "saved_during_purchase" or "subscription".
            card: The `card` object; None makes one up for a card (and sends null otherwise).
            paypal: The `paypal` object; None makes one up for PayPal (null otherwise).
            underlying_details: The `underlying_details` object; None makes one up for
                `korea_local` (null otherwise).
            supports_checkout: Whether `supports_checkout=true` lists it; None means what the
                origin suggests: saved during a purchase, to be offered at checkout again.
            notify: Tell subscribers `payment_method.saved`, as Paddle does when a checkout
                saves one (call from the event loop then).

        Returns:
            The payment method as Paddle sends it.

        Raises:
            KeyError: there is no customer with this ID.
            ValueError: `address_id` is not one of the customer's addresses.
        """
        customer = self._store.customers.get(customer_id)
        if customer is None:
            raise KeyError(customer_id)
        addresses: Table[Address] = self._store.addresses
        if address_id is None:
            active = [a for a in addresses.list_of(customer_id) if a.status == "active"]
            address_id = active[0].id if active else self.add_address(customer_id)["id"]
        elif addresses.get_of(customer_id, address_id) is None:
            raise ValueError(f"{address_id} is not an address of customer {customer_id}")
        if card is None and type == "card":
            card = {
                "type": "visa",
                "last4": "4242",
                "expiry_month": 12,
                "expiry_year": datetime.now(UTC).year + 3,
                "cardholder_name": customer.name or "Sam Miller",
            }
        if paypal is None and type == "paypal":
            reference = "".join(secrets.choice(_PAYPAL_REFERENCE) for _ in range(17))
            paypal = {"email": customer.email, "reference": f"B-{reference}"}
        if underlying_details is None and type == "korea_local":
            underlying_details = {"korea_local": {"type": "kakaopay"}}
        fields = {
            "address_id": address_id,
            "type": type,
            "card": card,
            "paypal": paypal,
            "underlying_details": underlying_details,
            "origin": origin,
            "supports_checkout": (
                origin == "saved_during_purchase"
                if supports_checkout is None
                else supports_checkout
            ),
        }
        method = self._store.add(self._store.payment_methods, PaymentMethod, customer_id, fields)
        if notify:
            self._emit("payment_method.saved", method)
        return method.wire(deep=True)

    def payment_method(self, payment_method_id: str) -> dict[str, Any] | None:
        """Return a payment method as Paddle sends it, or None (also once it is deleted)."""
        return _copy(self._store.payment_methods.get(payment_method_id))

    def payment_methods(self, customer_id: str) -> list[dict[str, Any]]:
        """Return a customer's saved payment methods, oldest first."""
        return _copies(self._store.payment_methods.list_of(customer_id))

    # Auth tokens

    def auth_token_customer(self, token: str, *, at: datetime | None = None) -> str | None:
        """Return the ID of the customer an auth token was issued to, while it is valid.

        Args:
            token: A `customer_auth_token` this fake issued.
            at: The moment to check, an aware datetime; now by default. A token is valid
                until its `expires_at` (see `FakePaddle`'s `auth_token_lifetime`).

        Returns:
            The customer's ID, or None when the fake never issued the token or it has expired.

        Raises:
            ValueError: `at` is a naive datetime.
        """
        if at is None:
            at = datetime.now(UTC)
        elif at.utcoffset() is None:
            raise ValueError("at must be an aware datetime")
        at_us = (at - _EPOCH) // _MICROSECOND
        return self._store.auth_tokens.customer(token, at_us)
