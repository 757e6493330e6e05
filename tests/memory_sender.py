"""An in-memory `Sender` for unit tests of operations: no server, no sockets.

It records every `ApiRequest` it is given and answers each from a script: an envelope built
from a JSON document (as `Paddle.send` would decode it), or an error to raise.
"""

from __future__ import annotations

import json
from collections import deque
from typing import Any

from paddle_async._protocol import ApiRequest, Envelope, RawResponse
from paddle_async._types import TimeoutArg
from paddle_async.errors import PaddleError

CUSTOMER_ID = "ctm_01h844p3h41s12zs5mn4axja51"
OTHER_ID = "ctm_01h844p3h41s12zs5mn4axja52"


def envelope(data: Any, *, status: int = 200, meta: dict[str, Any] | None = None) -> Envelope:
    """Return the envelope `Paddle.send` decodes from ``{"data": data, "meta": meta}``."""
    if status == 204:
        return Envelope.from_response(RawResponse(204, {}, b""))
    document = {"data": data, "meta": {"request_id": "memory-1", **(meta or {})}}
    return Envelope.from_response(RawResponse(status, {}, json.dumps(document).encode()))


def page(items: list[Any], *, next_after: str | None = None, path: str = "/customers") -> Envelope:
    """Return one list page; ``next_after`` set means has_more with that cursor."""
    pagination = {
        "per_page": 50,
        "next": f"https://api.paddle.com{path}?after={next_after}" if next_after else None,
        "has_more": next_after is not None,
        "estimated_total": len(items),
    }
    return envelope(items, meta={"pagination": pagination})


def customer_json(customer_id: str = CUSTOMER_ID, **fields: Any) -> dict[str, Any]:
    """Return a customer as Paddle sends it."""
    return {
        "id": customer_id,
        "status": "active",
        "custom_data": None,
        "name": None,
        "email": "ada@example.com",
        "marketing_consent": False,
        "locale": "en",
        "created_at": "2024-04-11T15:57:24.813Z",
        "updated_at": "2024-04-11T15:57:24.813Z",
        "import_meta": None,
        **fields,
    }


class MemorySender:
    """A `Sender` answering from a script, in order.

    Args:
        answers: What each call gets, in turn: an `Envelope` to return or an error to raise.

    Attributes:
        sent: Every request received, in order.
        timeouts: The ``timeout`` each call was given.
    """

    def __init__(self, *answers: Envelope | PaddleError) -> None:
        self._answers = deque(answers)
        self.sent: list[ApiRequest] = []
        self.timeouts: list[TimeoutArg] = []

    async def send(self, request: ApiRequest, *, timeout: TimeoutArg = None) -> Envelope:
        """Record ``request``; return (or raise) the next scripted answer."""
        self.sent.append(request)
        self.timeouts.append(timeout)
        answer = self._answers.popleft()
        if isinstance(answer, PaddleError):
            raise answer
        return answer
