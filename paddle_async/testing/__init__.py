"""A fake of Paddle's customer area for tests: a real HTTP server on 127.0.0.1.

async with FakePaddle() as fake:
    fake.seed(500)
    fake.faults.fail_next(2, 503)
    ...  # point a client at fake.base_url with fake.api_key

async with FakePaddle() as fake, WebhookSender(url, secret) as sender:
    sender.attach(fake)  # each create/update through the API POSTs a signed webhook to url
"""

from __future__ import annotations

# The test switch for retry waits lives with the retry logic; users reach it from here.
from .._retry import recording_waits as instant_retries
from .._retry import set_waits_enabled as set_retry_waits
from .._retry import waits_enabled as retry_waits_enabled
from ._fake import TEST_API_KEY, FakePaddle, RecordedRequest
from ._faults import CHAOS_KINDS, Faults
from ._signing import make_customer_event, make_event, sign
from ._webhook_sender import Delivery, WebhookSender

__all__ = [
    "CHAOS_KINDS",
    "TEST_API_KEY",
    "Delivery",
    "FakePaddle",
    "Faults",
    "RecordedRequest",
    "WebhookSender",
    "instant_retries",
    "make_customer_event",
    "make_event",
    "retry_waits_enabled",
    "set_retry_waits",
    "sign",
]
