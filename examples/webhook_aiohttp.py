"""Receive Paddle customer webhooks with aiohttp: verify, parse, update a store, answer fast.

Run it with ``PADDLE_WEBHOOK_SECRET=pdl_ntfset_… python examples/webhook_aiohttp.py`` and point a
Paddle notification destination at ``http://<host>:8000/paddle/webhooks`` (``--port`` and
``--host`` change where it listens; the default is 127.0.0.1, behind a tunnel or proxy). While
rotating the secret, give both, separated by a comma.
"""

from __future__ import annotations

import argparse
import os
import sys

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


def main() -> None:
    """Serve the application until Ctrl-C; exit with a one-line reason without a secret."""
    parser = argparse.ArgumentParser(description="Receive Paddle customer webhooks.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    args = parser.parse_args()
    secrets = [
        s.strip() for s in os.environ.get("PADDLE_WEBHOOK_SECRET", "").split(",") if s.strip()
    ]
    if not secrets:
        sys.exit(f"{parser.prog}: set PADDLE_WEBHOOK_SECRET to the destination's secret key")
    web.run_app(make_app(WebhookVerifier(secrets), {}), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
