"""`FakePaddle`: a real aiohttp server on 127.0.0.1 that answers like Paddle's customers API."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from types import TracebackType
from typing import Any, Final, Self

import attrs
from aiohttp import web

from ._faults import Fault, Faults
from ._problems import STATUS_CODES, Problem, error_body
from ._routes import Answer, Call, is_write, route
from ._store import Customer, Store

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


def _first_values(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    values: dict[str, str] = {}
    for key, value in pairs:
        values.setdefault(key, value)
    return values


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


class FakePaddle:
    """Serve Paddle's customers API from memory, for tests and demos.

    Use it as `async with FakePaddle() as fake:` and point a client at `fake.base_url`
    with `fake.api_key`. Seed data with `add_customer`/`seed`, inspect it with
    `customer`/`customers`, script failures with `faults`, and read `requests` afterwards.

    Args:
        api_key: The only bearer token accepted.
        host: The address to listen on.
        port: The port; 0 picks a free one.
        next_base_url: The base of `meta.pagination.next` URLs, to mimic Paddle's absolute
            `https://...` links; defaults to `base_url`.
    """

    def __init__(
        self,
        *,
        api_key: str = TEST_API_KEY,
        host: str = "127.0.0.1",
        port: int = 0,
        next_base_url: str | None = None,
    ) -> None:
        self.api_key = api_key
        self.faults = Faults()
        self.requests: list[RecordedRequest] = []
        self._host = host
        self._port = port
        self._next_base_url = next_base_url.rstrip("/") if next_base_url else None
        self._store = Store()
        self._subscribers: list[Subscriber] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._callback_errors: list[Exception] = []
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None
        self._closing = asyncio.Event()

    # Lifetime

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

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

    # Data

    def add_customer(
        self,
        *,
        email: str,
        name: str | None = None,
        custom_data: dict[str, Any] | None = None,
        locale: str = "en",
        status: str = "active",
        marketing_consent: bool = False,
        import_meta: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Store a customer directly, without a request (and without events).

        Args:
            email: A unique email address.
            name: The name, or None.
            custom_data: Any JSON object, or None.
            locale: The locale tag.
            status: "active" or "archived" (other values let you test unknown statuses).
            marketing_consent: Set what only Paddle Checkout sets.
            import_meta: Such as `{"external_id": None, "imported_from": "paddle_classic"}`.

        Returns:
            The customer as Paddle sends it.

        Raises:
            ValueError: another customer has this email.
        """
        customer = self._store.create(
            email=email,
            name=name,
            custom_data=custom_data,
            locale=locale,
            status=status,
            marketing_consent=marketing_consent,
            import_meta=import_meta,
        )
        return customer.wire(deep=True)

    def seed(
        self, n: int, *, email_template: str = "customer{i}@example.com", archived_every: int = 0
    ) -> list[str]:
        """Store `n` customers quickly, named "Customer {i}".

        Args:
            n: How many customers to add.
            email_template: Formatted with `i`, the number of customers stored before this one
                (so the first seeded customer of an empty fake is `customer0@example.com`).
            archived_every: Archive every k-th customer of this call (the k-th, 2k-th, ...);
                0 archives none.

        Returns:
            The new IDs, oldest first.

        Raises:
            ValueError: an email is already taken or repeats.
        """
        start = len(self._store)
        numbers = range(start, start + n)
        return self._store.seed(
            (email_template.format(i=i) for i in numbers),
            (f"Customer {i}" for i in numbers),
            lambda j: archived_every > 0 and (j + 1) % archived_every == 0,
        )

    def customer(self, customer_id: str) -> dict[str, Any] | None:
        """Return a customer as Paddle sends it, or None if there is none with this ID."""
        customer = self._store.get(customer_id)
        return None if customer is None else customer.wire(deep=True)

    def customers(self) -> list[dict[str, Any]]:
        """Return every customer, archived ones included, oldest first."""
        return [customer.wire(deep=True) for customer in self._store.all()]

    def find_by_email(self, email: str) -> dict[str, Any] | None:
        """Return the customer with exactly this email, or None."""
        customer = self._store.by_email(email)
        return None if customer is None else customer.wire(deep=True)

    def add_credit_balance(
        self,
        customer_id: str,
        currency_code: str,
        *,
        available: str = "0",
        reserved: str = "0",
        used: str = "0",
    ) -> None:
        """Give a customer a credit balance in a currency, replacing any in that currency.

        Args:
            customer_id: A stored customer's ID.
            currency_code: Such as "USD".
            available: The amount free to use, as a string like Paddle's.
            reserved: The amount held for billed transactions.
            used: The amount used.

        Raises:
            KeyError: there is no customer with this ID.
        """
        balance = {"available": available, "reserved": reserved, "used": used}
        self._store.set_balance(customer_id, currency_code, balance)

    def subscribe(self, callback: Subscriber) -> None:
        """Call `callback(event_type, customer)` after each create or update through the API.

        Args:
            callback: A coroutine function taking "customer.created" or "customer.updated"
                and the customer as Paddle sends it. Each call runs as its own task;
                `close()` waits for them and raises if any failed.
        """
        self._subscribers.append(callback)

    # Serving

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        record = RecordedRequest(
            method=request.method,
            path=request.path,
            query=_first_values(request.rel_url.query.items()),
            headers=dict(request.headers.items()),
            body=body,
            json=_decode_json(body),
            received_at=time.monotonic(),
        )
        self.requests.append(record)
        response = await self._answer(request, body)
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

    async def _answer(self, request: web.Request, body: bytes) -> web.Response | None:
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
        response = self._run(request, body, request_id)
        await self._wait(self.faults._delay_for(method))
        if fault is not None:
            return None if fault.drops else _fault_response(fault, request_id)
        return response

    def _run(self, request: web.Request, body: bytes, request_id: str) -> web.Response:
        """Run the operation and build its response; any write is applied here."""
        call = Call(
            method=request.method,
            path=request.path,
            query=list(request.rel_url.query.items()),
            content_type=request.content_type,
            body=body,
            skip_count=request.headers.get("Skip-Count", "").lower() == "true",
            base_url=self._next_base_url or self.base_url,
        )
        try:
            answer = route(self._store, call)
        except Problem as problem:
            return _problem_response(problem, request_id)
        for event_type, customer in answer.events:
            self._emit(event_type, customer)
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

    def _emit(self, event_type: str, customer: Customer) -> None:
        for callback in self._subscribers:
            task = asyncio.create_task(_call(callback, event_type, customer.wire(deep=True)))
            self._tasks.add(task)
            task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        # Retrieved here, so asyncio does not log it; close() raises it instead.
        error = None if task.cancelled() else task.exception()
        if isinstance(error, Exception):
            self._callback_errors.append(error)
