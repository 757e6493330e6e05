"""Receive Paddle customer webhooks with aiohttp: verify, parse, update a store, answer fast.

Run it with ``PADDLE_WEBHOOK_SECRET=pdl_ntfset_… python examples/webhook_aiohttp.py`` and point a
Paddle notification destination at ``http://<host>:8080/paddle/webhooks``. While rotating the
secret, give both, separated by a comma.
"""

from __future__ import annotations

import os

from aiohttp import web

from paddle_async.customers import Customer
from paddle_async.webhooks import (
    SIGNATURE_HEADER,
    CustomerEvent,
    WebhookPayloadError,
    WebhookVerificationError,
    WebhookVerifier,
    is_newer,
)

VERIFIER = web.AppKey("verifier", WebhookVerifier)
CUSTOMERS = web.AppKey("customers", dict[str, Customer])


async def paddle_webhook(request: web.Request) -> web.Response:
    """Verify and apply one notification; answer 200 only when it is handled (Paddle retries)."""
    body = await request.read()  # the raw bytes: Paddle signed exactly these
    try:
        event = request.app[VERIFIER].verify_and_parse(body, request.headers.get(SIGNATURE_HEADER))
    except WebhookVerificationError:
        return web.Response(status=401)  # not provably from Paddle: act on nothing
    except WebhookPayloadError:
        return web.Response(status=400)  # signed, but unreadable: Paddle retries it
    if isinstance(event, CustomerEvent):
        customers = request.app[CUSTOMERS]
        # Deliveries come late and out of order: keep whichever version is newest.
        if is_newer(event, customers.get(event.customer.id)):
            customers[event.customer.id] = event.customer
    # Anything slow (e-mails, other APIs) belongs in a queue: Paddle expects a 200 within 5 s.
    return web.Response(status=200)


def make_app(verifier: WebhookVerifier, customers: dict[str, Customer]) -> web.Application:
    """Build the application: one POST route that keeps ``customers`` up to date."""
    app = web.Application()
    app[VERIFIER] = verifier
    app[CUSTOMERS] = customers
    app.router.add_post("/paddle/webhooks", paddle_webhook)
    return app


if __name__ == "__main__":
    secrets = os.environ["PADDLE_WEBHOOK_SECRET"].split(",")
    web.run_app(make_app(WebhookVerifier(secrets), {}), port=8080)
