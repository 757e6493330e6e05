"""OpenTelemetry's aiohttp client instrumentation traces the client: one span per HTTP attempt
(retries, 429s, dropped connections and pages included), and no span carries the API key, a
response body, or (once redacted as the README shows) a customer's e-mail address.

Each test instruments aiohttp with a tracer provider of its own and uninstruments it afterwards
(`otel_spans.recording_spans`); the process-wide provider, which OpenTelemetry lets a process set
only once, is never touched.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from conftest import KEY_SECRET_PART
from opentelemetry import trace
from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from otel_spans import (
    Recording,
    recording_spans,
    secrets_in_spans,
    status_of,
    unknown_attributes,
    url_of,
)
from program_runs import ROOT, program_env, run_python
from yarl import URL

from paddle_async import Paddle, Timeout
from paddle_async.customers import CreateCustomer, ListCustomers, UpdateCustomer
from paddle_async.errors import APITimeoutError, NotFoundError
from paddle_async.testing import TEST_API_KEY, FakePaddle

README = ROOT / "README.md"
EMAIL = "ada@example.com"
ENCODED_EMAIL = "ada%40example.com"  # as yarl writes it in a query


@pytest.fixture(autouse=True)
def no_otel_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run without the shell's OTEL_* variables (header capture, excluded URLs, ...)."""
    for name in list(os.environ):
        if name.startswith("OTEL_"):
            monkeypatch.delenv(name)


@pytest.fixture
def traced() -> Iterator[Recording]:
    """Record the spans of aiohttp sessions created in the test; none may hold the API key."""
    with recording_spans() as recording:
        yield recording
    assert [] == secrets_in_spans(recording.spans(), TEST_API_KEY, KEY_SECRET_PART)
    assert set() == unknown_attributes(recording.spans())


def client(fake: FakePaddle, **options: Any) -> Paddle:
    """Return a client for ``fake`` without pacing; create it after instrumenting."""
    return Paddle(fake.api_key, base_url=fake.base_url, rate_limit=None, **options)


def http_spans(recording: Recording) -> list[ReadableSpan]:
    """Return the finished CLIENT spans (one per HTTP request aiohttp made), in order."""
    return [span for span in recording.spans() if span.kind is SpanKind.CLIENT]


def outcomes(recording: Recording) -> list[tuple[str, int | None, StatusCode]]:
    """Return each HTTP span's name (the method), HTTP status and span status."""
    return [(s.name, status_of(s), s.status.status_code) for s in http_spans(recording)]


async def get_a_customer(
    fake: FakePaddle, around: contextlib.AbstractContextManager[Any] | None = None
) -> str:
    """Seed one customer and get it through a new client (inside ``around``); return its id."""
    [customer_id] = fake.seed(1)
    async with client(fake) as paddle:
        with around or contextlib.nullcontext():
            await paddle.customers.get(customer_id)
    return customer_id


async def list_while_the_pool_is_held(fake: FakePaddle, query: ListCustomers) -> None:
    """List with the client's only connection busy, so every attempt meets its connect timeout.

    aiohttp's ConnectionTimeoutError names the whole URL, query included.
    """
    [held] = fake.seed(1)
    async with client(fake, max_connections=1) as paddle:
        fake.faults.delay(30, n=1)  # the holder is cancelled long before
        holder = asyncio.create_task(paddle.customers.get(held))
        async with asyncio.timeout(10):
            while not any(r.path.endswith(held) for r in fake.requests):  # noqa: ASYNC110
                await asyncio.sleep(0.01)  # polled: the fake offers no arrival event
        with pytest.raises(APITimeoutError):
            await paddle.customers.list(query, timeout=Timeout(total=5, connect=0.05)).collect()
        holder.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await holder


# One span per attempt


async def test_each_attempt_of_a_retried_call_is_a_span_under_the_callers_span(
    fake: FakePaddle, traced: Recording
) -> None:
    """Two 503s then a 200: three CLIENT spans, the failed two with status ERROR, one parent."""
    fake.faults.fail_next(2, 503)
    parent = traced.tracer().start_span("checkout")
    customer_id = await get_a_customer(fake, around=trace.use_span(parent, end_on_exit=True))
    assert [
        ("GET", 503, StatusCode.ERROR),
        ("GET", 503, StatusCode.ERROR),
        ("GET", 200, StatusCode.UNSET),
    ] == outcomes(traced)
    attempts = http_spans(traced)
    parent_id = parent.get_span_context().span_id
    assert [parent_id] * 3 == [span.parent.span_id if span.parent else None for span in attempts]
    assert [f"{fake.base_url}/customers/{customer_id}"] * 3 == [url_of(s) for s in attempts]


async def test_each_method_the_sdk_sends_names_its_span(
    fake: FakePaddle, traced: Recording
) -> None:
    """A create, a get, an update and a payment method's delete: POST, GET, PATCH, DELETE spans."""
    async with client(fake) as paddle:
        customer = await paddle.customers.create(CreateCustomer(email=EMAIL))
        await paddle.customers.get(customer.id)
        await paddle.customers.update(customer.id, UpdateCustomer(name="Ada"))
        method = fake.add_payment_method(customer.id)
        await paddle.payment_methods.delete(customer.id, method["id"])
    assert [
        ("POST", 201, StatusCode.UNSET),
        ("GET", 200, StatusCode.UNSET),
        ("PATCH", 200, StatusCode.UNSET),
        ("DELETE", 204, StatusCode.UNSET),
    ] == outcomes(traced)


async def test_without_a_span_around_the_call_each_attempt_is_a_trace_of_its_own(
    fake: FakePaddle, traced: Recording
) -> None:
    """A 503 and its retry, with no span open around the call: two root spans, two traces."""
    fake.faults.fail_next(1, 503)
    await get_a_customer(fake)
    attempts = http_spans(traced)
    assert [None, None] == [span.parent for span in attempts]
    assert 2 == len({span.context.trace_id for span in attempts if span.context})


async def test_a_429_is_an_error_span_and_the_retry_follows_its_retry_after(
    fake: FakePaddle, traced: Recording, retry_waits: list[float]
) -> None:
    """A 429 with Retry-After: 2 is one ERROR span; the retry, 2 s later, is the next span."""
    fake.faults.fail_next(1, 429, retry_after=2)
    await get_a_customer(fake)
    assert [("GET", 429, StatusCode.ERROR), ("GET", 200, StatusCode.UNSET)] == outcomes(traced)
    assert [2.0] == retry_waits


async def test_a_dropped_connection_is_an_error_span_with_the_exception(
    fake: FakePaddle, traced: Recording
) -> None:
    """A PATCH whose connection drops is an ERROR span with an exception event; the retry, a 200."""
    [customer_id] = fake.seed(1)
    fake.faults.drop_next(1)
    async with client(fake) as paddle:
        await paddle.customers.update(customer_id, UpdateCustomer(name="Ada"))
    assert [(None, "ServerDisconnectedError"), (200, None)] == [
        (status_of(span), span.status.description) for span in http_spans(traced)
    ]
    [event] = http_spans(traced)[0].events
    assert ("exception", "aiohttp.client_exceptions.ServerDisconnectedError") == (
        event.name,
        (event.attributes or {}).get("exception.type"),
    )
    assert [("PATCH", 0), ("PATCH", 200)] == [(r.method, r.status) for r in fake.requests]


async def test_aiohttp_resends_a_dropped_get_once_inside_the_same_span(
    fake: FakePaddle, traced: Recording
) -> None:
    """Two drops of a GET: the fake sees three requests, the trace two spans.

    aiohttp sends an idempotent request again, once, when its connection drops, before the
    SDK's retries see anything: the first span covers two requests.
    """
    fake.faults.drop_next(2)
    await get_a_customer(fake)
    assert [0, 0, 200] == [request.status for request in fake.requests]
    assert [("GET", None, StatusCode.ERROR), ("GET", 200, StatusCode.UNSET)] == outcomes(traced)


async def test_each_page_of_a_list_is_a_span(fake: FakePaddle, traced: Recording) -> None:
    """Five customers two a page: three spans, the later two with the next page's cursor."""
    newest_first = fake.seed(5)[::-1]
    async with client(fake) as paddle:
        listed = [c.id async for c in paddle.customers.list(ListCustomers(per_page=2))]
    assert newest_first == listed
    queries = [URL(url_of(span)).query for span in http_spans(traced)]
    assert [None, listed[1], listed[3]] == [query.get("after") for query in queries]
    assert [200, 200, 200] == [status_of(span) for span in http_spans(traced)]


# What spans hold


def test_the_search_finds_a_secret_wherever_a_span_holds_it() -> None:
    """The leak search itself: names, status, attributes, events and resource, even encoded."""
    secret = "pga_01secret token"
    span = ReadableSpan(
        name=f"GET {secret}",
        attributes={"http.url": f"https://h/x?t={secret.replace(' ', '+')}", "n": 1},
        events=[Event("exception", {"exception.message": f"to {secret}"})],
        resource=Resource({"service.name": "x", "deploy": [secret]}),
    )
    assert [
        "span 0 (GET pga_01secret token): name",
        "span 0 (GET pga_01secret token): attributes['http.url']",
        "span 0 (GET pga_01secret token): events[0](exception)['exception.message']",
        "span 0 (GET pga_01secret token): resource['deploy']",
    ] == secrets_in_spans([span], secret)
    assert [] == secrets_in_spans([span], "pga_01other")


async def test_no_span_holds_the_api_key_or_a_response_body(
    fake: FakePaddle, traced: Recording
) -> None:
    """Every operation, a retry, a drop, a 404: the key and what Paddle answered stay out."""
    token_shaped = "pga_01hv8wt6mz4cvnj7mqrhxkwz6t_FakePortalTokenForTests"
    customer = fake.add_customer(
        email="grace@example.org", name="Grace Response-Body", custom_data={"t": token_shaped}
    )
    fake.faults.fail_next(1, 503)
    fake.faults.drop_next(1, method="PATCH")
    async with client(fake) as paddle:
        await paddle.customers.create(CreateCustomer(email="new@example.org"))
        await paddle.customers.get(customer["id"])
        await paddle.customers.update(customer["id"], UpdateCustomer(locale="fr"))
        await paddle.customers.list(ListCustomers(per_page=1)).collect(limit=2)
        await paddle.customers.list_credit_balances(customer["id"])
        with pytest.raises(NotFoundError):
            await paddle.customers.get("ctm_01zzzzzzzzzzzzzzzzzzzzzzzz")
    assert all(r.headers["Authorization"] == f"Bearer {TEST_API_KEY}" for r in fake.requests)
    error, unset = StatusCode.ERROR, StatusCode.UNSET
    assert [
        ("POST", 503, error),
        ("POST", 201, unset),
        ("GET", 200, unset),
        ("PATCH", None, error),
        ("PATCH", 200, unset),
        ("GET", 200, unset),
        ("GET", 200, unset),
        ("GET", 200, unset),
        ("GET", 404, error),
    ] == outcomes(traced)
    # The key is checked by the fixture; here what only request and response bodies held.
    from_bodies = [token_shaped, "Grace Response-Body", "grace@example.org", "new@example.org"]
    assert [] == secrets_in_spans(traced.spans(), *from_bodies)


async def test_spans_record_no_request_header_unless_asked(
    fake: FakePaddle, traced: Recording
) -> None:
    """By default no header is an attribute; the trace context goes to Paddle as traceparent."""
    await get_a_customer(fake)
    [span] = http_spans(traced)
    assert [] == [name for name in span.attributes or {} if ".header." in name]
    assert span.context is not None
    trace_id = f"{span.context.trace_id:032x}"
    assert trace_id == fake.requests[0].headers["traceparent"].split("-")[1]


@pytest.mark.parametrize(
    ("sanitize", "recorded"),
    [
        pytest.param(None, (f"Bearer {TEST_API_KEY}",), id="captured"),
        pytest.param("authorization", ("[REDACTED]",), id="sanitized"),
    ],
)
async def test_capturing_request_headers_records_the_key_unless_authorization_is_sanitized(
    fake: FakePaddle,
    monkeypatch: pytest.MonkeyPatch,
    sanitize: str | None,
    recorded: tuple[str, ...],
) -> None:
    """OTEL_..._CLIENT_REQUEST=".*" records Authorization (the key) until it is sanitized."""
    monkeypatch.setenv("OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_REQUEST", ".*")
    if sanitize is not None:
        monkeypatch.setenv("OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SANITIZE_FIELDS", sanitize)
    with recording_spans() as recording:
        await get_a_customer(fake)
    [span] = http_spans(recording)
    assert recorded == (span.attributes or {})["http.request.header.authorization"]


# E-mail addresses in queries


async def test_an_email_filter_is_recorded_in_the_span_url(
    fake: FakePaddle, traced: Recording
) -> None:
    """ListCustomers(email=...) puts the address in the query, and the span's URL keeps it."""
    async with client(fake) as paddle:
        await paddle.customers.list(ListCustomers(email=[EMAIL])).collect()
    assert [f"{fake.base_url}/customers?email={ENCODED_EMAIL}"] == [
        url_of(span) for span in http_spans(traced)
    ]


async def test_url_filter_cleans_the_url_but_not_a_connect_timeouts_message(
    fake: FakePaddle,
) -> None:
    """The instrumentation's url_filter keeps the query out of the URL attribute only.

    A connect timeout's exception event still holds it: aiohttp's message names the whole URL.
    """

    def without_query(url: URL) -> str:
        return str(url.with_query(None))

    with recording_spans(url_filter=without_query) as recording:
        await list_while_the_pool_is_held(fake, ListCustomers(email=[EMAIL]))
    timeouts = [
        s for s in http_spans(recording) if s.status.description == "ConnectionTimeoutError"
    ]
    assert [f"{fake.base_url}/customers"] * 4 == [url_of(span) for span in timeouts]
    assert {"exception.message", "exception.stacktrace"} == {
        where.split("'")[-2] for where in secrets_in_spans(timeouts, EMAIL)
    }


def readme_tracing_block() -> str:
    """Return the Python block of the README's Tracing section."""
    text = README.read_text(encoding="utf-8")
    start = text.index("```python\n", text.index("\n## Tracing\n")) + len("```python\n")
    return text[start : text.index("\n```\n", start) + 1]


def readme_redacting_exporter() -> type[SpanExporter]:
    """Return the README's `Redacting` exporter, defined by running the block but its last line."""
    source = readme_tracing_block()
    assert source.endswith("\nasyncio.run(main())\n")
    namespace: dict[str, Any] = {"__name__": "readme_tracing"}
    exec(compile(source.removesuffix("asyncio.run(main())\n"), "README.md", "exec"), namespace)
    exporter: type[SpanExporter] = namespace["Redacting"]
    return exporter


async def test_the_readme_exporter_keeps_email_out_of_every_span(fake: FakePaddle) -> None:
    """Through the README's exporter: no e-mail in URLs or timeout messages; cursors stay."""
    fake.seed(3, email_template="ada{i}@example.com")
    redacting = readme_redacting_exporter()
    with recording_spans(through=redacting) as recording:
        async with client(fake) as paddle:
            query = ListCustomers(email=["ada0@example.com", "ada1@example.com"], per_page=1)
            first, _ = await paddle.customers.list(query).collect()
            await paddle.customers.list(ListCustomers(search="ada2@example.com")).collect()
        await list_while_the_pool_is_held(fake, ListCustomers(email=[EMAIL]))
    spans = http_spans(recording)
    assert [] == secrets_in_spans(spans, "@example.com", "%40example.com")
    assert [
        "email=REDACTED&per_page=1",
        f"email=REDACTED&per_page=1&after={first.id}",
        "search=REDACTED",
    ] == [URL(url_of(span)).raw_query_string for span in spans[:3]]
    assert 4 == sum("email=REDACTED" in str(s.events[0].attributes) for s in spans if s.events)


def json_objects(text: str) -> list[dict[str, Any]]:
    """Return the JSON objects printed one after another in ``text``."""
    decoder = json.JSONDecoder()
    found, index = [], 0
    while index < len(text):
        if text[index].isspace():
            index += 1
            continue
        value, index = decoder.raw_decode(text, index)
        found.append(value)
    return found


@pytest.mark.parametrize(
    ("conventions", "names"),
    [
        pytest.param("", {"http.method", "http.url", "http.status_code"}, id="default"),
        pytest.param(
            "http",
            {
                "http.request.method",
                "url.full",
                "server.address",
                "server.port",
                "http.response.status_code",
            },
            id="stable",
        ),
    ],
)
async def test_the_readme_program_prints_its_spans_without_the_email(
    fake: FakePaddle, tmp_path: Path, conventions: str, names: set[str]
) -> None:
    """The README's program prints a GET span, child of "find ada", its URL query redacted."""
    program = tmp_path / "tracing.py"
    program.write_text(readme_tracing_block(), encoding="utf-8")
    env = program_env(
        PADDLE_API_KEY=fake.api_key,
        PADDLE_BASE_URL=fake.base_url,
        OTEL_SEMCONV_STABILITY_OPT_IN=conventions,
    )
    result = await run_python(str(program), env=env, cwd=tmp_path)
    assert (0, "") == (result.returncode, result.stderr)
    assert EMAIL not in result.stdout
    assert ENCODED_EMAIL not in result.stdout
    get, parent = json_objects(result.stdout)
    assert ("GET", "find ada") == (get["name"], parent["name"])
    assert parent["context"]["span_id"] == get["parent_id"]
    assert names == set(get["attributes"])
    url = get["attributes"]["url.full" if conventions else "http.url"]
    assert f"{fake.base_url}/customers?email=REDACTED" == url


# The recording fixture itself


async def test_recording_leaves_aiohttp_and_the_global_provider_as_they_were() -> None:
    """After recording_spans: sessions are made without tracing, the global provider unchanged."""
    provider = trace.get_tracer_provider()
    with recording_spans():
        async with aiohttp.ClientSession() as session:
            assert [True] == [
                hasattr(config, "_is_instrumented_by_opentelemetry")
                for config in session.trace_configs
            ]
    assert not AioHttpClientInstrumentor().is_instrumented_by_opentelemetry
    async with aiohttp.ClientSession() as session:
        assert [] == session.trace_configs
    assert provider is trace.get_tracer_provider()
