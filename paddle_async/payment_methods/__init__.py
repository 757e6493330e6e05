"""A customer's saved payment methods: models, the list request class and operations.

Customers save payment methods at checkout; the API lists, gets and deletes them (there is no
create). See https://developer.paddle.com/api-reference/payment-methods/overview.
"""

from ._models import (
    Card,
    CardType,
    KoreaLocalPaymentMethodType,
    KoreaLocalUnderlyingDetails,
    PaymentMethod,
    PaymentMethodDeletionReason,
    PaymentMethodOrigin,
    PaymentMethodType,
    PayPal,
    UnderlyingDetails,
)
from ._namespace import PaymentMethods
from ._operations import delete_payment_method, get_payment_method, list_payment_methods
from ._requests import ListPaymentMethods

__all__ = [
    "Card",
    "CardType",
    "KoreaLocalPaymentMethodType",
    "KoreaLocalUnderlyingDetails",
    "ListPaymentMethods",
    "PayPal",
    "PaymentMethod",
    "PaymentMethodDeletionReason",
    "PaymentMethodOrigin",
    "PaymentMethodType",
    "PaymentMethods",
    "UnderlyingDetails",
    "delete_payment_method",
    "get_payment_method",
    "list_payment_methods",
]
