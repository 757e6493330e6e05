"""`FakePaddle`: a real aiohttp server on 127.0.0.1 that answers like Paddle's customer area."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Final

import attrs
from aiohttp import web

from .._types import AsyncContextMixin
from ._data import StoreMethods
from ._entities import Entity
from ._faults import Fault, Faults
from ._listing import first_values
from ._problems import STATUS_CODES, Problem, error_body
from ._routes import Answer, Call, is_write, route
from ._store import Store

__all__ = ["TEST_API_KEY", "FakePaddle", "RecordedRequest"]

TEST_API_KEY: Final = "pdl_sdbx_apikey_01fakefakefakefakefakefake_FakeKeyForTestsOnly000_xyz"
"""The API key a `FakePaddle` accepts unless told otherwise. It is not a real key."""

Subscriber = Callable[[str, dict[str, Any]], Awaitable[None]]


@attrs.frozen(kw_only=True)
class RecordedRequest:
    """A request the fake received.

    `query` holds the decoded parameters (the first value of each), `json` the decoded body
    or None, `received_at` the `time.monotonic()` of arrival. `status` is the status
    answered, or 0 when the connection was dropped (or the request is still being handled).
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    json: Any | None
    received_at: float
    status: int = 0


def _decode_json(body: bytes) -> Any | None:
    try:
        return json.loads(body) if body else None
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None


class _Text(str):
    """JSON text `_encode_deep` writes as it is, as opposed to a value still to encode."""


def _encode_deep(value: Any) -> str:
    """Encode JSON with a stack of its own, for values nested past Python's recursion limit."""
    pieces: list[str] = []
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, _Text):
            pieces.append(item)
        elif isinstance(item, dict | list):
            # Pushed in reverse: the opening bracket comes off the stack first.
            parts: list[Any] = [_Text("{" if isinstance(item, dict) else "[")]
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for n, (key, child) in enumerate(pairs):
                comma = "," if n else ""
                label = json.dumps(str(key)) + ":" if isinstance(item, dict) else ""
                parts += [_Text(comma + label), child]
            parts.append(_Text("}" if isinstance(item, dict) else "]"))
            stack.extend(reversed(parts))
        else:
            pieces.append(json.dumps(item))
    return "".join(pieces)


def _json_response(status: int, payload: dict[str, Any]) -> web.Response:
    try:
        text = json.dumps(payload)
    except RecursionError:
        # Paddle documents no depth limit for custom_data, so the store may hold deeper values
        # than json.dumps can recurse through (seeded directly, to test clients against them).
        text = _encode_deep(payload)
    return web.Response(status=status, body=text.encode(), content_type="application/json")


def _problem_response(problem: Problem, request_id: str) -> web.Response:
    body = error_body(
        problem.status, problem.code, request_id, detail=problem.detail, errors=problem.errors
    )
    return _json_response(problem.status, body)


def _fault_response(fault: Fault, request_id: str) -> web.Response:
    if fault.body is not None:
        response = web.Response(status=fault.status, body=fault.body)
        response.content_type = fault.content_type or "text/plain"
    else:
        fallback = "internal_error" if fault.status >= 500 else "bad_request"
        code = STATUS_CODES.get(fault.status, fallback)
        response = _json_response(fault.status, error_body(fault.status, code, request_id))
    if fault.retry_after is not None:
        response.headers["Retry-After"] = fault.retry_after
    return response


async def _call(callback: Subscriber, event_type: str, payload: dict[str, Any]) -> None:
    await callback(event_type, payload)


def _auth_problem(header: str | None, api_key: str) -> Problem | None:
    if header is None:
        return Problem(403, "authentication_missing")
    scheme, _, token = header.partition(" ")
    if scheme != "Bearer" or not token or token != token.strip() or " " in token:
        return Problem(403, "authentication_malformed")
    if not hmac.compare_digest(token.encode(), api_key.encode()):
        return Problem(403, "invalid_token")
    return None


class FakePaddle(StoreMethods, AsyncContextMixin):
    """Serve Paddle's customer area from memory, for tests and demos.

    Use it as `async with FakePaddle() as fake:` and point a client at `fake.base_url`
    with `fake.api_key`. It answers all 18 customer-area operations: customers, their credit
    balances, addresses, businesses, saved payment methods, auth tokens and portal sessions.
    Seed data with `add_customer`/`seed`, `add_address`, `add_business` and
    `add_payment_method`, inspect it with `customer`/`customers`, `address`/`addresses`,
    `business`/`businesses`, `payment_method`/`payment_methods` and `auth_token_customer`,
    script failures with `faults`, and read `requests` afterwards.

    Args:
        api_key: The only bearer token accepted.
        host: The address to listen on.
        port: The port; 0 picks a free one.
        next_base_url: The base of `meta.pagination.next` URLs, to mimic Paddle's absolute
            `https://...` links; defaults to `base_url`.
        auth_token_lifetime: Seconds a customer auth token stays valid; 600 by default, the
            ten minutes of the spec's example.

    Raises:
        ValueError: `auth_token_lifetime` is not positive.
    """

    def __init__(
        self,
        *,
        api_key: str = TEST_API_KEY,
        host: str = "127.0.0.1",
        port: int = 0,
        next_base_url: str | None = None,
        auth_token_lifetime: float = 600.0,
    ) -> None:
        if not auth_token_lifetime > 0:
            raise ValueError("auth_token_lifetime must be a positive number of seconds")
        self.api_key = api_key
        self.faults = Faults()
        self.requests: list[RecordedRequest] = []
        self._host = host
        self._port = port
        self._next_base_url = next_base_url.rstrip("/") if next_base_url else None
        self._store = Store(auth_token_lifetime_us=round(auth_token_lifetime * 1_000_000))
        self._subscribers: list[Subscriber] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._callback_errors: list[Exception] = []
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None
        self._closing = asyncio.Event()

    # Lifetime

    async def start(self) -> None:
        """Start listening; `base_url` is set once this returns."""
        if self._runner is not None:
            raise RuntimeError("FakePaddle is already started")
        self._closing = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # No access log: a test suite's output should not fill with request lines.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        await web.TCPSite(runner, self._host, self._port).start()
        self._runner = runner
        port = runner.addresses[0][1]
        host = f"[{self._host}]" if ":" in self._host else self._host
        self._base_url = f"http://{host}:{port}"

    async def close(self) -> None:
        """Stop the server and wait for subscriber callbacks.

        Raises:
            ExceptionGroup: one or more subscriber callbacks raised.
        """
        runner, self._runner = self._runner, None
        if runner is not None:
            # Wake delayed responses so shutdown does not wait them out.
            self._closing.set()
            await runner.cleanup()
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        errors, self._callback_errors = self._callback_errors, []
        if errors:
            raise ExceptionGroup("FakePaddle subscriber callbacks failed", errors)

    aclose = close  # what leaving `async with` calls

    async def _open(self) -> None:
        await self.start()

    @property
    def base_url(self) -> str:
        """The server's URL, such as `http://127.0.0.1:54321`."""
        if self._base_url is None:
            raise RuntimeError("FakePaddle is not started")
        return self._base_url

    @property
    def rate_limited(self) -> int:
        """How many requests the rate limiter refused with 429."""
        return self.faults.rate_limited

    # Events

    def subscribe(self, callback: Subscriber) -> None:
        """Call `callback(event_type, data)` after each change applied through the API.

        The event types are `customer.created`/`customer.updated`, `address.created`/
        `address.updated`, `business.created`/`business.updated` and
        `payment_method.deleted`, plus `payment_method.saved` from
        `add_payment_method(..., notify=True)`; `data` is what Paddle's notification of that
        type carries (the entity as the API returns it, except for payment methods, whose
        notifications are shorter).

        Args:
            callback: A coroutine function taking the event type and the data. Each call
                runs as its own task; `close()` waits for them and raises if any failed.
        """
        self._subscribers.append(callback)

    # Serving

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        pairs = list(request.rel_url.query.items())
        params = first_values(pairs)
        record = RecordedRequest(
            method=request.method,
            path=request.path,
            query=params,
            headers=dict(request.headers.items()),
            body=body,
            json=_decode_json(body),
            received_at=time.monotonic(),
        )
        self.requests.append(record)
        response = await self._answer(request, body, pairs, params)
        self._record_status(record, 0 if response is None else response.status)
        if response is None:
            # Closing the transport makes aiohttp's write of this placeholder fail with a
            # ConnectionError, which it treats as a client gone away: no log, no warning.
            if request.transport is not None:
                request.transport.close()
            return web.Response()
        return response

    def _record_status(self, record: RecordedRequest, status: int) -> None:
        # The record was appended on arrival to keep arrival order; swap in the final status.
        for i in range(len(self.requests) - 1, -1, -1):
            if self.requests[i] is record:
                self.requests[i] = attrs.evolve(record, status=status)
                return

    async def _answer(
        self,
        request: web.Request,
        body: bytes,
        pairs: list[tuple[str, str]],
        params: dict[str, str],
    ) -> web.Response | None:
        """Answer a request, or return None to drop its connection."""
        request_id = str(uuid.uuid4())
        problem = _auth_problem(request.headers.get("Authorization"), self.api_key)
        if problem is not None:
            return _problem_response(problem, request_id)
        retry_after = self.faults._refuse()
        if retry_after is not None:
            response = _problem_response(Problem(429, "too_many_requests"), request_id)
            response.headers["Retry-After"] = retry_after
            return response
        method = request.method
        fault = self.faults._pick(method)
        if fault is not None and not (fault.apply_write and is_write(method)):
            await self._wait(self.faults._delay_for(method))
            return None if fault.drops else _fault_response(fault, request_id)
        call = Call(
            method=method,
            path=request.path,
            query=pairs,
            params=params,
            content_type=request.content_type,
            body=body,
            skip_count=request.headers.get("Skip-Count", "").lower() == "true",
            base_url=self._next_base_url or self.base_url,
        )
        response = self._run(call, request_id)
        await self._wait(self.faults._delay_for(method))
        if fault is not None:
            return None if fault.drops else _fault_response(fault, request_id)
        return response

    def _run(self, call: Call, request_id: str) -> web.Response:
        """Run the operation and build its response; any write is applied here."""
        try:
            answer = route(self._store, call)
        except Problem as problem:
            return _problem_response(problem, request_id)
        for event_type, entity in answer.events:
            self._emit(event_type, entity)
        if answer.status == 204:
            # No body at all; the request ID goes in the header the spec declares for it.
            return web.Response(status=204, headers={"Request-Id": request_id})
        return _json_response(answer.status, self._success_body(answer, request_id))

    @staticmethod
    def _success_body(answer: Answer, request_id: str) -> dict[str, Any]:
        meta: dict[str, Any] = {"request_id": request_id}
        if answer.pagination is not None:
            meta["pagination"] = answer.pagination
        return {"data": answer.data, "meta": meta}

    async def _wait(self, seconds: float) -> None:
        if seconds > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), seconds)

    def _emit(self, event_type: str, entity: Entity) -> None:
        for callback in self._subscribers:
            task = asyncio.create_task(_call(callback, event_type, entity.notification(event_type)))
            self._tasks.add(task)
            task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        # Retrieved here, so asyncio does not log it; close() raises it instead.
        error = None if task.cancelled() else task.exception()
        if isinstance(error, Exception):
            self._callback_errors.append(error)
