"""Payment method response models: what Paddle returns for a customer's saved payment methods."""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from .._convert import register_model

__all__ = [
    "Card",
    "CardType",
    "KoreaLocalPaymentMethodType",
    "KoreaLocalUnderlyingDetails",
    "PayPal",
    "PaymentMethod",
    "PaymentMethodDeletionReason",
    "PaymentMethodOrigin",
    "PaymentMethodType",
    "UnderlyingDetails",
]


class PaymentMethodType(enum.StrEnum):
    """The kind of a saved payment method. Unknown future values are kept as strings."""

    ALIPAY = "alipay"
    APPLE_PAY = "apple_pay"
    CARD = "card"
    GOOGLE_PAY = "google_pay"
    KOREA_LOCAL = "korea_local"
    PAYPAL = "paypal"


class PaymentMethodOrigin(enum.StrEnum):
    """How a payment method was saved. Unknown future values are kept as strings."""

    SAVED_DURING_PURCHASE = "saved_during_purchase"
    """The customer chose to save it while buying a one-time item."""
    SUBSCRIPTION = "subscription"
    """Saved for the renewals and other charges of a subscription."""


class PaymentMethodDeletionReason(enum.StrEnum):
    """Why a payment method was deleted (in ``payment_method.deleted`` notifications). Unknown
    future values are kept as strings."""

    API = "api"
    """Deleted through the API."""
    REPLACED_BY_NEWER_VERSION = "replaced_by_newer_version"
    """The customer entered the same details again: Paddle saved a new one and deleted this."""


class CardType(enum.StrEnum):
    """A card's scheme. Unknown future values are kept as strings."""

    AMERICAN_EXPRESS = "american_express"
    DINERS_CLUB = "diners_club"
    DISCOVER = "discover"
    JCB = "jcb"
    MADA = "mada"
    MAESTRO = "maestro"
    MASTERCARD = "mastercard"
    UNION_PAY = "union_pay"
    UNKNOWN = "unknown"
    VISA = "visa"


class KoreaLocalPaymentMethodType(enum.StrEnum):
    """The Korean payment method behind a ``korea_local`` one. Unknown values are kept as
    strings."""

    BC = "bc"
    CITI = "citi"
    HANA = "hana"
    HYUNDAI = "hyundai"
    JEJU = "jeju"
    JEONBUK = "jeonbuk"
    KAKAOBANK = "kakaobank"
    KAKAOPAY = "kakaopay"
    KBANK = "kbank"
    KDBBANK = "kdbbank"
    KOOKMIN = "kookmin"
    KWANGJU = "kwangju"
    LOTTE = "lotte"
    MG = "mg"
    NAVERPAYCARD = "naverpaycard"
    NAVERPAYPOINT = "naverpaypoint"
    NH = "nh"
    PAYCO = "payco"
    POST = "post"
    SAMSUNG = "samsung"
    SAMSUNGPAY = "samsungpay"
    SAVINGSBANK = "savingsbank"
    SHINHAN = "shinhan"
    SHINHYUP = "shinhyup"
    SUHYUP = "suhyup"
    TOSSBANK = "tossbank"
    UNKNOWN = "unknown"
    WOORI = "woori"


@attrs.frozen(kw_only=True)
class Card:
    """A saved card: what Paddle shows of it (never the number).

    Attributes:
        type: The scheme (`CardType`, or a newer value as a string).
        last4: The last four digits, as text (``"0042"`` keeps its zeros).
        expiry_month: 1 to 12.
        expiry_year: Four digits.
        cardholder_name: The name on the card, or None.
    """

    type: CardType | str = CardType.UNKNOWN
    last4: str | None = None
    expiry_month: int | None = None
    expiry_year: int | None = None
    cardholder_name: str | None = None


@attrs.frozen(kw_only=True)
class PayPal:
    """A saved PayPal account.

    Attributes:
        email: The PayPal account's e-mail address, or None.
        reference: PayPal's identifier of the payment method (a billing agreement), or None.
    """

    email: str | None = None
    reference: str | None = None


@attrs.frozen(kw_only=True)
class KoreaLocalUnderlyingDetails:
    """Which Korean payment method a ``korea_local`` payment method uses.

    Attributes:
        type: `KoreaLocalPaymentMethodType`, or a newer value as a string.
    """

    type: KoreaLocalPaymentMethodType | str = KoreaLocalPaymentMethodType.UNKNOWN


@attrs.frozen(kw_only=True)
class UnderlyingDetails:
    """The payment option behind a payment method that offers several (``korea_local``).

    Attributes:
        korea_local: For a ``korea_local`` payment method, else None.
    """

    korea_local: KoreaLocalUnderlyingDetails | None = None


@attrs.frozen(kw_only=True)
class PaymentMethod:
    """A payment method a customer saved at checkout (Paddle has no API to create one).

    Attributes:
        id: Paddle's id, ``paymtd_`` followed by 26 characters.
        customer_id: The customer it is saved for.
        address_id: The customer's address it goes with.
        type: `PaymentMethodType` (``card``, ``paypal``, ...), or a newer value as a string.
        card: The card, for a ``card``; else None.
        paypal: The PayPal account, for a ``paypal``; else None.
        underlying_details: For types that offer several options (``korea_local``); else None.
        origin: `PaymentMethodOrigin`, or a newer value as a string.
        saved_at: When the customer saved it (aware, UTC).
        updated_at: When it last changed (aware, UTC).
    """

    id: str
    customer_id: str
    address_id: str
    type: PaymentMethodType | str
    card: Card | None = None
    paypal: PayPal | None = None
    underlying_details: UnderlyingDetails | None = None
    origin: PaymentMethodOrigin | str
    saved_at: datetime
    updated_at: datetime


for _model in (Card, PayPal, KoreaLocalUnderlyingDetails, UnderlyingDetails, PaymentMethod):
    register_model(_model)
