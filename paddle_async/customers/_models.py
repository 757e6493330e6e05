"""Customer response models: what Paddle returns."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from .._convert import register_model
from .._types import secret_repr

__all__ = [
    "CreditBalance",
    "CurrencyCode",
    "Customer",
    "CustomerAuthToken",
    "CustomerBalance",
    "CustomerStatus",
    "ImportMeta",
    "MigrationProvider",
]


class CustomerStatus(enum.StrEnum):
    """Whether a customer is active or archived. Unknown future values are kept as strings."""

    ACTIVE = "active"
    ARCHIVED = "archived"


class MigrationProvider(enum.StrEnum):
    """Where an imported entity came from. Unknown future values are kept as strings."""

    PADDLE_CLASSIC = "paddle_classic"


class CurrencyCode(enum.StrEnum):
    """A currency Paddle supports. Unknown future values are kept as strings."""

    USD = "USD"
    EUR = "EUR"
    GBP = "GBP"
    JPY = "JPY"
    AUD = "AUD"
    CAD = "CAD"
    CHF = "CHF"
    HKD = "HKD"
    SGD = "SGD"
    SEK = "SEK"
    ARS = "ARS"
    BRL = "BRL"
    CNY = "CNY"
    COP = "COP"
    CZK = "CZK"
    DKK = "DKK"
    HUF = "HUF"
    ILS = "ILS"
    INR = "INR"
    KRW = "KRW"
    MXN = "MXN"
    NOK = "NOK"
    NZD = "NZD"
    PLN = "PLN"
    RUB = "RUB"
    THB = "THB"
    TRY = "TRY"
    TWD = "TWD"
    UAH = "UAH"
    VND = "VND"
    ZAR = "ZAR"


@attrs.frozen(kw_only=True)
class ImportMeta:
    """Where an imported entity (a customer, an address, a business) came from.

    Attributes:
        imported_from: The provider (`MigrationProvider`, or a newer value as a string).
        external_id: The entity's id in that provider, if known.
    """

    imported_from: MigrationProvider | str
    external_id: str | None = None


@attrs.frozen(kw_only=True)
class Customer:
    """A Paddle customer.

    Attributes:
        id: Paddle's id, ``ctm_`` followed by 26 characters; ids sort in creation order.
        email: The customer's e-mail address, unique within the account.
        name: The full name, or None.
        status: `CustomerStatus` (``active`` or ``archived``), or a newer value as a string.
        custom_data: Your own key-value data, or None. ``{}`` and None are kept apart.
        locale: An IETF BCP 47 short-form locale such as ``en``.
        marketing_consent: Whether the customer opted in to marketing at Paddle Checkout.
        created_at: When the customer was created (aware, UTC).
        updated_at: When the customer was last changed (aware, UTC).
        import_meta: Where the customer was imported from, or None.
    """

    id: str
    email: str
    name: str | None = None
    status: CustomerStatus | str = CustomerStatus.ACTIVE
    custom_data: dict[str, Any] | None = None
    locale: str = "en"
    marketing_consent: bool = False
    created_at: datetime
    updated_at: datetime
    import_meta: ImportMeta | None = None


@attrs.frozen(kw_only=True)
class CustomerBalance:
    """The three totals of a credit balance, as exact decimals (Paddle sends strings).

    Attributes:
        available: Free to use.
        reserved: Held for billed transactions; returns to `available` if they are canceled.
        used: Already used.
    """

    available: Decimal = Decimal(0)
    reserved: Decimal = Decimal(0)
    used: Decimal = Decimal(0)


@attrs.frozen(kw_only=True)
class CreditBalance:
    """A customer's credit balance in one currency.

    Attributes:
        customer_id: The customer's id.
        currency_code: `CurrencyCode`, or a newer code as a string.
        balance: The totals.
    """

    customer_id: str
    currency_code: CurrencyCode | str
    balance: CustomerBalance = CustomerBalance()


@attrs.frozen(kw_only=True)
class CustomerAuthToken:
    """A customer authentication token, for Paddle.js to show a customer's saved payment methods.

    The token is a secret: pass it to the customer's browser for one checkout, never store or
    log it. Its ``repr`` shows only its ``pca_`` prefix, and the SDK never logs it.

    Attributes:
        customer_auth_token: The token (``pca_…``).
        expires_at: When it stops working (aware, UTC); None if Paddle left it out.
    """

    customer_auth_token: str = attrs.field(repr=secret_repr)
    expires_at: datetime | None = None


for _model in (ImportMeta, Customer, CustomerBalance, CreditBalance, CustomerAuthToken):
    register_model(_model)
