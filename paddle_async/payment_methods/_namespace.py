"""``paddle.payment_methods``: the payment method operations, bound to one `Sender`."""

from __future__ import annotations

from .._pagination import AsyncPaginator
from .._protocol import Sender
from .._resource import takes
from .._types import TimeoutArg
from ._models import PaymentMethod
from ._operations import delete_payment_method, get_payment_method, list_payment_methods
from ._requests import ListPaymentMethods

__all__ = ["PaymentMethods"]


class PaymentMethods:
    """``paddle.payment_methods``: a customer's saved payment methods, bound to one client.

    Each method only passes its arguments on, with the client first, to the module-level
    function it names.

    Args:
        sender: The client (any `Sender`).
    """

    def __init__(self, sender: Sender) -> None:
        self._sender = sender

    @takes(ListPaymentMethods)
    def list(
        self,
        customer_id: str,
        request: ListPaymentMethods | None = None,
        *,
        timeout: TimeoutArg = None,
    ) -> AsyncPaginator[PaymentMethod]:
        """List a customer's payment methods lazily; see `list_payment_methods`."""
        return list_payment_methods(self._sender, customer_id, request, timeout=timeout)

    async def get(
        self, customer_id: str, payment_method_id: str, *, timeout: TimeoutArg = None
    ) -> PaymentMethod:
        """Get a customer's payment method; see `get_payment_method`."""
        return await get_payment_method(
            self._sender, customer_id, payment_method_id, timeout=timeout
        )

    async def delete(
        self, customer_id: str, payment_method_id: str, *, timeout: TimeoutArg = None
    ) -> None:
        """Delete a customer's payment method for good; see `delete_payment_method`."""
        await delete_payment_method(self._sender, customer_id, payment_method_id, timeout=timeout)
