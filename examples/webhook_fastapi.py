"""Receive Paddle customer webhooks with FastAPI: verify, parse, update a store, answer fast.

Run it with ``PADDLE_WEBHOOK_SECRET=pdl_ntfset_… uvicorn webhook_fastapi:app`` from this folder
(FastAPI and uvicorn are not dependencies of paddle_async). While rotating the secret, give
both, separated by a comma.
"""

from __future__ import annotations

import os

from fastapi import FastAPI, Request, Response

from paddle_async.customers import Customer
from paddle_async.webhooks import (
    SIGNATURE_HEADER,
    CustomerEvent,
    WebhookPayloadError,
    WebhookVerificationError,
    WebhookVerifier,
    is_newer,
)

app = FastAPI()
verifier = WebhookVerifier(os.environ["PADDLE_WEBHOOK_SECRET"].split(","))
customers: dict[str, Customer] = {}


@app.post("/paddle/webhooks")
async def paddle_webhook(request: Request) -> Response:
    """Verify and apply one notification; answer 200 only when it is handled (Paddle retries)."""
    body = await request.body()  # the raw bytes, not a parsed model: Paddle signed these
    try:
        event = verifier.verify_and_parse(body, request.headers.get(SIGNATURE_HEADER))
    except WebhookVerificationError:
        return Response(status_code=401)  # not provably from Paddle: act on nothing
    except WebhookPayloadError:
        return Response(status_code=400)  # signed, but unreadable: Paddle retries it
    if isinstance(event, CustomerEvent) and is_newer(event, customers.get(event.customer.id)):
        customers[event.customer.id] = event.customer  # a late, older version is skipped
    # Anything slow belongs in a queue (or a BackgroundTasks): Paddle expects a 200 within 5 s.
    return Response(status_code=200)
