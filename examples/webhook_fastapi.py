"""Receive Paddle customer webhooks with FastAPI: verify, parse, update a store, answer fast.

FastAPI and uvicorn are not dependencies of paddle_async: ``pip install 'paddle-async[examples]'``
(or ``pip install fastapi uvicorn``). Run it with
``PADDLE_WEBHOOK_SECRET=pdl_ntfset_… python examples/webhook_fastapi.py`` (``--port``, default
8000, and ``--host``, default 127.0.0.1), or ``uvicorn webhook_fastapi:app`` from this folder, and
point a Paddle notification destination at ``http://<host>:8000/paddle/webhooks``. While
rotating the secret, give both, separated by a comma.
"""

from __future__ import annotations

import argparse
import os
import sys

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

SECRETS = [s.strip() for s in os.environ.get("PADDLE_WEBHOOK_SECRET", "").split(",") if s.strip()]
if not SECRETS:
    # Checked on import, so that `uvicorn webhook_fastapi:app` stops here too.
    sys.exit("webhook_fastapi.py: set PADDLE_WEBHOOK_SECRET to the destination's secret key")

app = FastAPI()
verifier = WebhookVerifier(SECRETS)
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


if __name__ == "__main__":
    import uvicorn

    parser = argparse.ArgumentParser(description="Receive Paddle customer webhooks.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    args = parser.parse_args()
    uvicorn.run(app, host=args.host, port=args.port)
