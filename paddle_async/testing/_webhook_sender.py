"""`WebhookSender`: deliver FakePaddle's customer events as signed webhooks over HTTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

import aiohttp
import attrs

from .._types import AsyncContextMixin
from ..webhooks import SIGNATURE_HEADER
from ..webhooks._signature import normalize_secrets
from ._fake import FakePaddle
from ._signing import make_customer_event, sign

__all__ = ["Delivery", "WebhookSender"]


@attrs.frozen(kw_only=True)
class Delivery:
    """One webhook POST and its outcome.

    Attributes:
        event_type: Such as ``customer.updated``.
        event_id: The notification's ``event_id`` (kept by a redelivery).
        customer_id: The customer's id, or None if the data had none.
        body: The exact body sent.
        signature: The ``Paddle-Signature`` header sent.
        status: The HTTP status answered, or None when there was no response.
        error: Why there was no response (``ClientConnectorError: …``), else None.
    """

    event_type: str
    event_id: str
    customer_id: str | None
    body: bytes
    signature: str
    status: int | None
    error: str | None = None


class WebhookSender(AsyncContextMixin):
    """POST signed customer notifications to a URL, as Paddle's notification service does.

    async with FakePaddle() as fake, WebhookSender(url, secret) as sender:
        sender.attach(fake)            # every create/update through the API now sends a webhook
        ...
        deliveries = await sender.wait_for(2)

    Deliveries run concurrently, one task each, so they can arrive out of order, as Paddle's
    can. A failed delivery is recorded, not retried; use `redeliver` to mimic Paddle's retries.

    Args:
        url: Where to POST, such as ``http://127.0.0.1:8080/paddle/webhooks``.
        secret: The secret to sign with, or several to mimic a rotation (one ``h1`` each).
        timeout: Seconds each delivery may take.

    Raises:
        ConfigurationError: No secret is given, or one is empty or not a string.
    """

    def __init__(self, url: str, secret: str | Sequence[str], *, timeout: float = 10.0) -> None:
        self.url = url
        self._secrets = normalize_secrets(secret)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        self._deliveries: list[Delivery] = []
        self._in_flight = 0
        self._changed = asyncio.Condition()

    def __repr__(self) -> str:
        return f"WebhookSender(url={self.url!r}, deliveries={len(self._deliveries)})"

    async def _open(self) -> None:
        if self._session is not None:
            raise RuntimeError("WebhookSender is already open")
        self._session = aiohttp.ClientSession(timeout=self._timeout)

    async def aclose(self) -> None:
        """Wait for the deliveries under way, then close the HTTP session."""
        # Let deliveries already under way finish before their session goes.
        async with self._changed:
            await self._changed.wait_for(lambda: self._in_flight == 0)
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    @property
    def deliveries(self) -> list[Delivery]:
        """Every delivery so far, in the order they completed."""
        return list(self._deliveries)

    def attach(self, fake: FakePaddle) -> None:
        """Send a webhook after each create or update that ``fake`` applies through its API.

        Args:
            fake: The FakePaddle whose events to deliver.
        """
        fake.subscribe(self._on_event)

    async def _on_event(self, event_type: str, customer: dict[str, Any]) -> None:
        await self.deliver(event_type, customer)

    async def deliver(self, event_type: str, customer: dict[str, Any]) -> Delivery:
        """Build, sign and POST one customer notification.

        Args:
            event_type: Such as ``customer.updated``.
            customer: The customer as the API returns it.

        Returns:
            The recorded delivery.
        """
        body = make_customer_event(event_type, customer)
        event_id: str = json.loads(body)["event_id"]
        customer_id = customer.get("id")
        return await self._post(
            body,
            event_type=event_type,
            event_id=event_id,
            customer_id=customer_id if isinstance(customer_id, str) else None,
        )

    async def redeliver(self, delivery: Delivery) -> Delivery:
        """Send a delivery's body again with a fresh signature, as Paddle's retries do.

        Args:
            delivery: An earlier delivery.

        Returns:
            The new delivery.
        """
        return await self._post(
            delivery.body,
            event_type=delivery.event_type,
            event_id=delivery.event_id,
            customer_id=delivery.customer_id,
        )

    async def wait_for(self, count: int, *, timeout: float = 5.0) -> list[Delivery]:
        """Wait until at least ``count`` deliveries have completed.

        Args:
            count: How many deliveries to wait for, in total since the sender opened.
            timeout: Seconds to wait at most.

        Returns:
            Every delivery so far.

        Raises:
            TimeoutError: Fewer than ``count`` completed in time.
        """
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: len(self._deliveries) >= count)
        return self.deliveries

    async def _post(
        self, body: bytes, *, event_type: str, event_id: str, customer_id: str | None
    ) -> Delivery:
        session = self._session
        if session is None:
            raise RuntimeError("WebhookSender is not open; use `async with WebhookSender(...)`")
        signature = sign(body, self._secrets)
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature}
        status: int | None = None
        error: str | None = None
        self._in_flight += 1
        try:
            try:
                async with session.post(self.url, data=body, headers=headers) as response:
                    await response.read()
                    status = response.status
            except (aiohttp.ClientError, TimeoutError) as exc:
                error = f"{type(exc).__name__}: {exc}"
            delivery = Delivery(
                event_type=event_type,
                event_id=event_id,
                customer_id=customer_id,
                body=body,
                signature=signature,
                status=status,
                error=error,
            )
            self._deliveries.append(delivery)
            return delivery
        finally:
            self._in_flight -= 1
            async with self._changed:
                self._changed.notify_all()
