"""The three payment method operations as coroutine functions taking a `Sender` (a `Paddle`)."""

from __future__ import annotations

from typing import Final

from .._pagination import AsyncPaginator
from .._protocol import ApiRequest, Kind, Sender
from .._resource import Path, paginate, send_none, send_one, takes
from .._types import TimeoutArg
from ..errors import NotFoundError
from ._models import PaymentMethod
from ._requests import ListPaymentMethods

__all__ = ["delete_payment_method", "get_payment_method", "list_payment_methods"]

PAYMENT_METHODS: Final = Path("/customers/{customer_id}/payment-methods")
PAYMENT_METHOD: Final = Path("/customers/{customer_id}/payment-methods/{payment_method_id}")


@takes(ListPaymentMethods)
def list_payment_methods(
    sender: Sender,
    customer_id: str,
    request: ListPaymentMethods | None = None,
    *,
    timeout: TimeoutArg = None,
) -> AsyncPaginator[PaymentMethod]:
    """List a customer's saved payment methods lazily (empty when none are saved).

    Args:
        sender: The client (any `Sender`) to send with.
        customer_id: The customer's id.
        request: Filters, order and page size (default: Paddle's).
        timeout: Each page request's timeout (default: the client's).

    Returns:
        An async iterator of `PaymentMethod`; ``.pages()`` walks whole pages instead.

    Raises:
        ValidationError: ``customer_id`` is not a Paddle customer id (raised here, at once).
        NotFoundError: No such customer (raised while iterating).
    """
    path = PAYMENT_METHODS(customer_id=customer_id)
    return paginate(sender, path, request or ListPaymentMethods(), PaymentMethod, timeout=timeout)


async def get_payment_method(
    sender: Sender, customer_id: str, payment_method_id: str, *, timeout: TimeoutArg = None
) -> PaymentMethod:
    """Get one of a customer's saved payment methods.

    Raises:
        ValidationError: An id is not of its kind (``ctm_…``, ``paymtd_…``).
        NotFoundError: No such customer, or no such payment method of this customer.
    """
    path = PAYMENT_METHOD(customer_id=customer_id, payment_method_id=payment_method_id)
    return await send_one(
        sender, ApiRequest(method="GET", path=path), PaymentMethod, timeout=timeout
    )


async def delete_payment_method(
    sender: Sender, customer_id: str, payment_method_id: str, *, timeout: TimeoutArg = None
) -> None:
    """Delete a customer's saved payment method, for good (Paddle cannot restore it).

    A delete whose earlier attempt may have reached Paddle (a timeout, a dropped connection,
    a gateway error) and whose retry meets 404 has done its work: that attempt deleted it, or
    it was not there to delete. Either way it is gone, so None is returned. A 404 on the first
    attempt, or after attempts Paddle surely did not process, raises `NotFoundError`.

    Args:
        sender: The client (any `Sender`) to send with.
        customer_id: The customer's id.
        payment_method_id: The payment method's id.
        timeout: This call's timeout per attempt (default: the client's).

    Raises:
        ValidationError: An id is not of its kind (``ctm_…``, ``paymtd_…``).
        NotFoundError: No such customer, or no such payment method of this customer.
    """
    path = PAYMENT_METHOD(customer_id=customer_id, payment_method_id=payment_method_id)
    try:
        await send_none(
            sender, ApiRequest(method="DELETE", path=path, kind=Kind.DELETE), timeout=timeout
        )
    except NotFoundError as error:
        if not error.after_unknown_outcome:
            raise
