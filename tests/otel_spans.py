"""Record the spans of OpenTelemetry's aiohttp client instrumentation; search them for secrets.

For any test that traces the client: `recording_spans()` instruments aiohttp with a fresh tracer
provider of its own (never the process-wide one, which OpenTelemetry lets a process set only once)
and uninstruments it afterwards; `secrets_in_spans()` says where a secret shows up in recorded
spans, in any form a URL or a JSON exporter could give it. A test of an operation that handles
a secret (an API key, a customer auth token, a portal session URL) ends with
``assert [] == secrets_in_spans(recording.spans(), secret)``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote, quote_plus

import attrs
from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Tracer

KNOWN_ATTRIBUTES = frozenset(
    {
        # The HTTP conventions the instrumentation follows by default...
        "http.method",
        "http.url",
        "http.status_code",
        "http.host",
        "net.peer.port",
        # ...and the stable ones (OTEL_SEMCONV_STABILITY_OPT_IN=http or http/dup).
        "http.request.method",
        "http.request.method_original",
        "url.full",
        "server.address",
        "server.port",
        "http.response.status_code",
        "error.type",
    }
)
"""Every span attribute the instrumentation records without header capture turned on.

A name outside this set (a new instrumentation version, a captured header) is something to read
before it is allowed: see `unknown_attributes`.
"""
KNOWN_EVENTS = frozenset({"exception"})
"""The span events the instrumentation adds (an ``exception`` when an attempt fails)."""


@attrs.frozen(kw_only=True)
class Recording:
    """Spans recorded in memory, and the tracer provider that made them."""

    exporter: InMemorySpanExporter
    provider: TracerProvider

    def spans(self) -> tuple[ReadableSpan, ...]:
        """Return the finished spans, in the order they ended."""
        return self.exporter.get_finished_spans()

    def tracer(self) -> Tracer:
        """Return a tracer of this provider, for a test's own spans around calls."""
        return self.provider.get_tracer("tests")


@contextlib.contextmanager
def recording_spans(
    through: Callable[[SpanExporter], SpanExporter] | None = None, **options: Any
) -> Iterator[Recording]:
    """Trace the aiohttp sessions created inside the block into memory.

    Args:
        through: Wraps the in-memory exporter (a redacting exporter under test, say).
        options: Passed to ``AioHttpClientInstrumentor().instrument()`` (``url_filter``, ...).

    Raises:
        AssertionError: aiohttp was already instrumented (something did not clean up).
    """
    instrumentor = AioHttpClientInstrumentor()
    assert not instrumentor.is_instrumented_by_opentelemetry, "aiohttp is already instrumented"
    exporter = InMemorySpanExporter()
    # No atexit hook per provider: a test suite makes many of them.
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(
        SimpleSpanProcessor(exporter if through is None else through(exporter))
    )
    instrumentor.instrument(tracer_provider=provider, **options)
    try:
        yield Recording(exporter=exporter, provider=provider)
    finally:
        instrumentor.uninstrument()
        provider.shutdown()


def forms_of(secret: str) -> set[str]:
    """Return ``secret`` as it may appear: as is, and percent-encoded as in a URL."""
    return {secret, quote(secret), quote(secret, safe=""), quote_plus(secret)}


def _texts(span: ReadableSpan) -> Iterator[tuple[str, Any]]:
    """Yield every value a span carries, with where it is."""
    yield "name", span.name
    yield "status.description", span.status.description
    yield from _in("attributes", span.attributes)
    for index, event in enumerate(span.events):
        yield f"events[{index}].name", event.name
        yield from _in(f"events[{index}]({event.name})", event.attributes)
    for index, link in enumerate(span.links):
        yield from _in(f"links[{index}]", link.attributes)
    yield from _in("resource", span.resource.attributes)


def _in(where: str, attributes: Mapping[str, Any] | None) -> Iterator[tuple[str, Any]]:
    for name, value in (attributes or {}).items():
        yield f"{where}[{name!r}] (name)", name
        yield f"{where}[{name!r}]", value


def _contains(value: Any, forms: Iterable[str]) -> bool:
    if isinstance(value, str):
        return any(form in value for form in forms)
    if isinstance(value, Sequence) and not isinstance(value, bytes):
        return any(_contains(item, forms) for item in value)
    return False


def secrets_in_spans(spans: Iterable[ReadableSpan], *secrets: str) -> list[str]:
    """Return where any of ``secrets`` appears in ``spans`` (as is or percent-encoded).

    Names, status, attributes, events, links and resource attributes are searched, and then the
    span as a JSON exporter writes it, which would show anything the walk missed.
    """
    forms = set().union(*(forms_of(secret) for secret in secrets))
    found = []
    for index, span in enumerate(spans):
        places = [where for where, value in _texts(span) if _contains(value, forms)]
        if not places and _contains(span.to_json(indent=None), forms):
            places = ["to_json()"]
        found += [f"span {index} ({span.name}): {where}" for where in places]
    return found


def unknown_attributes(spans: Iterable[ReadableSpan]) -> set[str]:
    """Return the attribute and event names of ``spans`` outside the known ones."""
    names: set[str] = set()
    for span in spans:
        names.update(span.attributes or {})
        names.update(f"event {event.name}" for event in span.events)
    return names - KNOWN_ATTRIBUTES - {f"event {name}" for name in KNOWN_EVENTS}


def url_of(span: ReadableSpan) -> str:
    """Return the URL a span recorded, under either convention's attribute name."""
    attributes = span.attributes or {}
    return str(attributes.get("url.full", attributes.get("http.url")))


def status_of(span: ReadableSpan) -> int | None:
    """Return the HTTP status a span recorded (None: no response), under either convention."""
    attributes = span.attributes or {}
    status = attributes.get("http.response.status_code", attributes.get("http.status_code"))
    return status if isinstance(status, int) else None
