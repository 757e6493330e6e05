"""Webhooks: Paddle signatures, typed events, freshness, and delivery end to end."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import importlib
import importlib.util
import json
import socket
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import aiohttp
import attrs
import pytest
from aiohttp import web
from hypothesis import given
from hypothesis import strategies as st

import paddle_async.errors
import paddle_async.webhooks
from paddle_async import Paddle
from paddle_async._convert import structure
from paddle_async.customers import CreateCustomer, Customer, UpdateCustomer
from paddle_async.errors import ConfigurationError, PaddleError, ValidationError
from paddle_async.testing import FakePaddle, WebhookSender, make_customer_event, make_event, sign
from paddle_async.webhooks import (
    CUSTOMER_EVENT_TYPES,
    ENTITY_EVENTS,
    CustomerEvent,
    EntityEvent,
    Event,
    MalformedSignatureError,
    MissingSignatureError,
    SignatureHeader,
    SignatureMismatchError,
    TimestampOutOfToleranceError,
    WebhookError,
    WebhookPayloadError,
    WebhookVerificationError,
    WebhookVerifier,
    compute_signature,
    is_newer,
    parse_event,
    parse_signature_header,
    verify_signature,
)

SECRET = "pdl_ntfset_01fakefakefake_FakeSecretForTestsOnly"
OLD_SECRET = "pdl_ntfset_01fakefakefakeold_FakeSecretForTestsOnly"
OTHER_SECRET = "pdl_ntfset_01fakefakefakeother_FakeSecretForTestsOnly"
NOW = 1_700_000_000
FIXTURES = Path(__file__).parent / "data" / "paddle-fixtures"
EXAMPLES = Path(__file__).parent.parent / "examples"
CUSTOMER_TYPES = ("customer.created", "customer.imported", "customer.updated")


def clock() -> float:
    return float(NOW)


def fixture(event_type: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"notification_{event_type}.json").read_text())
    return data


def failure(body: bytes, header: str | None, **kwargs: Any) -> WebhookVerificationError:
    with pytest.raises(WebhookVerificationError) as caught:
        verify_signature(body, header, kwargs.pop("secrets", SECRET), clock=clock, **kwargs)
    return caught.value


BODY = make_customer_event("customer.updated", fixture("customer.updated"))


# Public names

# Every name `paddle_async.webhooks` exported before it became a package; each must stay there.
WEBHOOKS_NAMES = [
    "CUSTOMER_EVENT_TYPES",
    "CustomerEvent",
    "DEFAULT_TOLERANCE",
    "Event",
    "MalformedSignatureError",
    "MissingSignatureError",
    "SIGNATURE_HEADER",
    "SignatureHeader",
    "SignatureMismatchError",
    "TimestampOutOfToleranceError",
    "WebhookError",
    "WebhookPayloadError",
    "WebhookVerificationError",
    "WebhookVerifier",
    "compute_signature",
    "is_newer",
    "parse_event",
    "parse_signature_header",
    "verify_signature",
]
WEBHOOK_ERRORS = [name for name in WEBHOOKS_NAMES if name.endswith("Error")]


# Names added since, for the events of the rest of the customer area.
ADDED_NAMES = [
    "ENTITY_EVENTS",
    "EntityEvent",
    "EventShape",
    "ADDRESS_EVENT_TYPES",
    "AddressEvent",
    "BUSINESS_EVENT_TYPES",
    "BusinessEvent",
    "PAYMENT_METHOD_EVENT_TYPES",
    "PaymentMethodEvent",
]


def test_every_public_name_keeps_its_import_path() -> None:
    """Each `paddle_async.webhooks.X` of before still imports, and `__all__` lists exactly
    those and the names added since."""
    module = importlib.import_module("paddle_async.webhooks")
    public = WEBHOOKS_NAMES + ADDED_NAMES
    missing = [name for name in public if not hasattr(module, name)]
    assert ([], sorted(public)) == (missing, sorted(module.__all__))


def test_webhook_errors_live_in_paddle_async_errors() -> None:
    """The webhook exceptions are `paddle_async.errors` classes, re-exported unchanged."""
    assert [paddle_async.errors.__name__] * 7 == [
        getattr(paddle_async.webhooks, name).__module__ for name in WEBHOOK_ERRORS
    ]
    assert [True] * 7 == [
        getattr(paddle_async.errors, name) is getattr(paddle_async.webhooks, name)
        and name in paddle_async.errors.__all__
        for name in WEBHOOK_ERRORS
    ]


# Signatures


def test_signature_is_hmac_sha256_of_timestamp_colon_body_in_hex() -> None:
    """The h1 value is the hex HMAC-SHA256 of `<ts>:<body>`, a vector computed independently."""
    expected = "ts=1696195954;h1=0d74e2de5dd19de8649c9796e739c27aa9abcb77c8b5669c44b1e99031e2bbf1"
    assert expected == sign(b"hello-world", SECRET, timestamp=1696195954)


def test_sign_writes_the_header_the_parser_reads() -> None:
    """sign() writes ts, then one h1 per secret in order: what parse_signature_header reads."""
    expected = SignatureHeader(
        timestamp=NOW,
        timestamp_text=str(NOW),
        signatures=(compute_signature(BODY, SECRET, NOW), compute_signature(BODY, OLD_SECRET, NOW)),
    )
    assert expected == parse_signature_header(sign(BODY, [SECRET, OLD_SECRET], timestamp=NOW))


@pytest.mark.parametrize("secret", [[], "", [SECRET, ""]])
def test_sign_takes_secrets_by_the_verifiers_rule(secret: str | list[str]) -> None:
    """sign() refuses what WebhookVerifier refuses: no secret, or an empty one."""
    with pytest.raises(ConfigurationError):
        sign(BODY, secret, timestamp=NOW)


def test_webhook_sender_takes_secrets_by_the_verifiers_rule() -> None:
    """WebhookSender refuses an empty list of secrets when built, not at its first delivery."""
    with pytest.raises(ConfigurationError):
        WebhookSender("http://127.0.0.1:9/hook", [])


def test_valid_signature_verifies() -> None:
    """A body signed with the secret just now verifies."""
    verify_signature(BODY, sign(BODY, SECRET, timestamp=NOW), SECRET, clock=clock)


@pytest.mark.parametrize("wrap", [bytes, bytearray, memoryview], ids=lambda w: w.__name__)
def test_any_bytes_like_body_verifies_and_parses(wrap: Callable[[bytes], Any]) -> None:
    """Frameworks hand over bytes, bytearray or memoryview bodies: all verify and parse."""
    verifier = WebhookVerifier(SECRET, clock=clock)
    event = verifier.verify_and_parse(wrap(BODY), sign(BODY, SECRET, timestamp=NOW))
    assert isinstance(event, CustomerEvent)
    assert isinstance(parse_event(wrap(BODY)), CustomerEvent)


@pytest.mark.parametrize("signed_with", [[SECRET, OLD_SECRET], [OLD_SECRET, SECRET]])
def test_any_of_several_h1_signatures_may_match(signed_with: list[str]) -> None:
    """During a rotation the header holds one h1 per secret; one match is enough."""
    header = sign(BODY, signed_with, timestamp=NOW)
    assert 2 == header.count("h1=")
    verify_signature(BODY, header, SECRET, clock=clock)


@pytest.mark.parametrize("signed_with", [SECRET, OLD_SECRET])
def test_any_of_several_secrets_may_match(signed_with: str) -> None:
    """A verifier given the new and the old secret accepts a body signed with either."""
    verifier = WebhookVerifier([SECRET, OLD_SECRET], clock=clock)
    verifier.verify(BODY, sign(BODY, signed_with, timestamp=NOW))


@pytest.mark.parametrize(
    "template",
    [
        "ts={ts};h1={h1}",
        "h1={h1};ts={ts}",
        " ts = {ts} ; h1 = {h1} ",
        "ts={ts};h1={h1};",
        ";ts={ts};;h1={h1}",
        "ts={ts};h2=future-scheme;h1={h1};v9=x",
        "TS={ts};H1={H1}",
        "ts={ts};h1=dummy;h1={h1}",
    ],
)
def test_header_variations_are_accepted(template: str) -> None:
    """Spacing, part order, empty parts, case and unknown schemes do not matter."""
    h1 = parse_signature_header(sign(BODY, SECRET, timestamp=NOW)).signatures[0]
    header = template.format(ts=NOW, h1=h1, H1=h1.upper())
    verify_signature(BODY, header, SECRET, clock=clock)


def test_timestamp_is_signed_as_sent() -> None:
    """The signed payload uses `ts` exactly as the header spells it."""
    padded = f"0{NOW}"
    h1 = hmac.new(SECRET.encode(), f"{padded}:".encode() + BODY, hashlib.sha256).hexdigest()
    verify_signature(BODY, f"ts={padded};h1={h1}", SECRET, clock=clock)


@pytest.mark.parametrize("header", [None, "", "   "])
def test_missing_header_is_rejected(header: str | None) -> None:
    """No header, or a blank one, raises MissingSignatureError."""
    assert MissingSignatureError is type(failure(BODY, header))


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("garbage", "every part must be key=value, separated by ';'"),
        ("h1=abc", "no ts= part"),
        (f"ts={NOW}", "no h1= signature"),
        (f"ts={NOW};h2=abc", "no h1= signature"),
        (f"ts={NOW};ts={NOW};h1=abc", "2 ts= parts; expected one"),
        ("ts=abc;h1=abc", "ts is not a Unix time in seconds: 'abc'"),
        ("ts=-5;h1=abc", "ts is not a Unix time in seconds: '-5'"),
        ("ts=1.5;h1=abc", "ts is not a Unix time in seconds: '1.5'"),
        ("ts=\u0661\u0667;h1=abc", "ts is not a Unix time in seconds: '\u0661\u0667'"),
        ("ts=9999999999999;h1=abc", "ts is not a Unix time in seconds: '9999999999999'"),
    ],
)
def test_malformed_header_is_rejected(header: str, reason: str) -> None:
    """A header that does not parse raises MalformedSignatureError saying why."""
    error = failure(BODY, header)
    assert (MalformedSignatureError, reason) == (type(error), getattr(error, "reason", None))


DIGEST = "0123456789abcdef" * 4  # 64 hex digits: the form of an HMAC-SHA256, matching nothing


@pytest.mark.parametrize(
    "h1_values",
    [
        ["zz"],
        [""],
        ["abc"],
        ["g" * 64],
        [DIGEST + "0"],
        [DIGEST[:-1]],
        ["zz", "abc", "\u0660" * 64],  # Arabic-Indic digits are digits, but not hex
    ],
)
def test_a_header_whose_every_h1_is_not_hex_is_malformed(h1_values: list[str]) -> None:
    """When no h1 value is 64 hex digits the header is malformed, not a signature mismatch."""
    header = ";".join([f"ts={NOW}", *(f"h1={v}" for v in h1_values)])
    error = failure(BODY, header)
    expected = (MalformedSignatureError, "no h1= value is 64 hex digits")
    assert expected == (type(error), getattr(error, "reason", None))


def test_a_non_hex_h1_beside_a_hex_one_is_skipped() -> None:
    """A non-hex h1 next to a well-formed one is skipped: only the hex ones are checked."""
    header = f"ts={NOW};h1=not-hex;h1={DIGEST.upper()};h1="
    assert (DIGEST,) == parse_signature_header(header).signatures
    error = failure(BODY, header)
    assert (SignatureMismatchError, (DIGEST[:8] + "…",)) == (
        type(error),
        getattr(error, "signature_prefixes", None),
    )


def test_wrong_secret_is_rejected() -> None:
    """A body signed with another destination's secret raises SignatureMismatchError."""
    error = failure(BODY, sign(BODY, OTHER_SECRET, timestamp=NOW), secrets=[SECRET, OLD_SECRET])
    assert SignatureMismatchError is type(error)
    assert 2 == getattr(error, "secret_count", None)


def test_body_changed_by_one_byte_is_rejected() -> None:
    """Changing one byte of the body (re-encoded JSON does) breaks the signature."""
    header = sign(BODY, SECRET, timestamp=NOW)
    tampered = BODY.replace(b"Jo Brown-Anderson", b"Jo Brown-Andersom")
    assert SignatureMismatchError is type(failure(tampered, header))
    reencoded = json.dumps(json.loads(BODY), indent=1).encode()
    assert SignatureMismatchError is type(failure(reencoded, header))


@pytest.mark.parametrize(("offset", "age"), [(-6, 6.0), (+6, -6.0), (-3600, 3600.0)])
def test_timestamp_outside_tolerance_is_rejected(offset: int, age: float) -> None:
    """A correctly signed body more than 5 s old, or 5 s ahead, raises with its age."""
    error = failure(BODY, sign(BODY, SECRET, timestamp=NOW + offset))
    assert TimestampOutOfToleranceError is type(error)
    assert (age, 5.0) == (getattr(error, "age", None), getattr(error, "tolerance", None))


@pytest.mark.parametrize("offset", [-5, 0, 5])
def test_timestamp_within_tolerance_is_accepted(offset: int) -> None:
    """Exactly the tolerance away, either way, still verifies."""
    verify_signature(BODY, sign(BODY, SECRET, timestamp=NOW + offset), SECRET, clock=clock)


def test_tolerance_is_configurable() -> None:
    """A wider tolerance accepts an older signature; a zero tolerance only the same instant."""
    WebhookVerifier(SECRET, tolerance=300, clock=clock).verify(
        BODY, sign(BODY, SECRET, timestamp=NOW - 299)
    )
    strict = WebhookVerifier(SECRET, tolerance=0, clock=clock)
    strict.verify(BODY, sign(BODY, SECRET, timestamp=NOW))
    with pytest.raises(TimestampOutOfToleranceError):
        strict.verify(BODY, sign(BODY, SECRET, timestamp=NOW - 1))


def test_forged_signature_with_old_timestamp_reports_the_mismatch() -> None:
    """The signature is checked first: a stale forgery raises SignatureMismatchError."""
    header = sign(BODY, OTHER_SECRET, timestamp=NOW - 3600)
    assert SignatureMismatchError is type(failure(BODY, header))


def test_error_texts_never_show_a_secret_or_a_whole_signature() -> None:
    """Messages and attributes show at most an 8-character prefix of a signature."""
    good = sign(BODY, [SECRET, OLD_SECRET], timestamp=NOW - 60)
    signatures = parse_signature_header(good).signatures
    errors = [
        failure(BODY, good, secrets=[SECRET, OLD_SECRET]),
        failure(BODY + b" ", good, secrets=[SECRET, OLD_SECRET]),
        failure(BODY, f"ts=x;h1={signatures[0]}"),
        failure(BODY, None),
    ]
    texts = [text for e in errors for text in (str(e), repr(e), repr(vars(e)))]
    leaks = [t for t in texts for s in (SECRET, OLD_SECRET, *signatures) if s in t]
    assert [] == leaks
    mismatch = errors[1]
    assert tuple(s[:8] + "…" for s in signatures) == getattr(mismatch, "signature_prefixes", None)


def test_verifier_repr_hides_the_secrets() -> None:
    """repr(WebhookVerifier) shows how many secrets it has, never the secrets."""
    assert "WebhookVerifier(secrets=<2 hidden>, tolerance=5.0)" == repr(
        WebhookVerifier([SECRET, OLD_SECRET])
    )


@pytest.mark.parametrize(
    ("secrets", "tolerance"),
    [
        ([], 5.0),
        ("", 5.0),
        ([SECRET, ""], 5.0),
        ([SECRET, 5], 5.0),
        (SECRET, -1.0),
        (SECRET, float("nan")),
        (SECRET, "5"),
        (SECRET, True),
    ],
)
def test_unusable_configuration_is_rejected(secrets: Any, tolerance: Any) -> None:
    """No secret, an empty or non-string one, or a tolerance not a number >= 0 is refused."""
    with pytest.raises(ConfigurationError):
        WebhookVerifier(secrets, tolerance=tolerance)


def test_a_str_body_is_a_type_error() -> None:
    """Passing decoded text instead of the raw bytes is a programming error, said plainly."""
    with pytest.raises(TypeError, match="raw request body as bytes"):
        verify_signature(BODY.decode(), None, SECRET)  # type: ignore[arg-type]


def test_parse_event_says_plainly_that_a_parsed_body_is_a_type_error() -> None:
    """parse_event takes bytes or text; an already parsed dict is refused in the same words."""
    with pytest.raises(TypeError, match="raw request body as bytes"):
        parse_event(json.loads(BODY))


def test_every_webhook_error_is_a_paddle_error() -> None:
    """One `except PaddleError` (or `except WebhookError`) catches every webhook failure."""
    classes = [
        MissingSignatureError,
        MalformedSignatureError,
        SignatureMismatchError,
        TimestampOutOfToleranceError,
        WebhookPayloadError,
    ]
    assert [True] * 5 == [issubclass(c, WebhookError) for c in classes]
    assert issubclass(WebhookError, PaddleError)
    assert not issubclass(WebhookPayloadError, WebhookVerificationError)


@given(st.binary(max_size=512), st.data())
def test_any_signed_body_verifies_and_any_one_byte_change_fails(
    body: bytes, data: st.DataObject
) -> None:
    """Property: a signed body verifies; changing, adding or removing one byte does not."""
    header = sign(body, SECRET, timestamp=NOW)
    verify_signature(body, header, SECRET, clock=clock)
    if body:
        i = data.draw(st.integers(0, len(body) - 1))
        changed = (body[i] + data.draw(st.integers(1, 255))) % 256
        variants = [body[:i] + bytes([changed]) + body[i + 1 :], body[:i] + body[i + 1 :]]
    else:
        variants = [b"\x00"]
    for variant in variants:
        with pytest.raises(SignatureMismatchError):
            verify_signature(variant, header, SECRET, clock=clock)


@given(st.text(max_size=200))
def test_any_header_text_verifies_or_raises_a_verification_error(header: str) -> None:
    """Property: no header text makes verification raise anything but its typed errors."""
    with contextlib.suppress(WebhookVerificationError):
        verify_signature(BODY, header, SECRET, clock=clock)
        raise AssertionError(f"verified a random header: {header!r}")


# Events


@pytest.mark.parametrize("event_type", CUSTOMER_TYPES)
def test_customer_notifications_parse_into_customer_events(event_type: str) -> None:
    """Paddle's sample customer payloads parse into a CustomerEvent with a Customer."""
    data = fixture(event_type)
    when = datetime(2024, 4, 12, 10, 18, 49, 621022, tzinfo=UTC)
    body = make_customer_event(
        event_type, data, event_id="evt_01a", notification_id="ntf_01b", occurred_at=when
    )
    expected = CustomerEvent(
        event_id="evt_01a",
        event_type=event_type,
        occurred_at=when,
        notification_id="ntf_01b",
        data=data,
        customer=structure(data, Customer),
    )
    assert expected == parse_event(body)


def test_imported_customer_keeps_an_unknown_provider() -> None:
    """customer.imported's `imported_from` is kept even when it is not a known provider."""
    event = parse_event(make_customer_event("customer.imported", fixture("customer.imported")))
    assert isinstance(event, CustomerEvent)
    assert event.customer.import_meta is not None
    assert "billing_platform" == event.customer.import_meta.imported_from


def test_unknown_event_type_parses_generically() -> None:
    """An event type this SDK does not know parses into a plain Event with the raw data."""
    data = {"id": "txn_01abc", "status": "completed", "items": [{"quantity": 1}]}
    event = parse_event(make_event("transaction.completed", data, event_id="evt_01c"))
    assert (Event, "evt_01c", data) == (type(event), event.event_id, event.data)


def test_parse_event_ignores_unknown_fields_and_takes_str() -> None:
    """Extra envelope fields are ignored, notification_id may be absent, and text works too."""
    body = json.dumps(
        {
            "event_id": "evt_01d",
            "event_type": "customer.created",
            "occurred_at": "2024-04-12T10:18:49.621022Z",
            "data": fixture("customer.created"),
            "future_field": {"x": 1},
        }
    )
    event = parse_event(body)
    assert (None, "ctm_01hv6y1jedq4p1n0yqn5ba3ky4") == (
        event.notification_id,
        event.data["id"],
    )


def envelope(**changes: Any) -> bytes:
    payload: dict[str, Any] = {
        "event_id": "evt_01e",
        "event_type": "customer.updated",
        "occurred_at": "2024-04-12T10:18:49.621022Z",
        "notification_id": "ntf_01f",
        "data": fixture("customer.updated"),
    }
    payload.update(changes)
    return json.dumps({k: v for k, v in payload.items() if v is not ...}).encode()


@pytest.mark.parametrize(
    ("body", "reason", "event_type"),
    [
        (b"not json", "the body is not JSON", None),
        (b"\xff\xfe\x00", "the body is not JSON", None),
        (b"[" * 100_000, "the body is not JSON", None),
        (b"[]", "the body must be a JSON object, got list", None),
        (envelope(event_id=...), "'event_id' must be a string, got nothing", "customer.updated"),
        (envelope(event_type=7), "'event_type' must be a string, got int", None),
        (envelope(data=...), "'data' must be an object, got nothing", "customer.updated"),
        (envelope(data=[1]), "'data' must be an object, got list", "customer.updated"),
        (
            envelope(occurred_at="yesterday"),
            "'occurred_at': not an RFC 3339 timestamp: 'yesterday'",
            "customer.updated",
        ),
        (
            envelope(data={"name": "Jo"}),
            "'data' is not a customer: Customer is missing 'id'",
            "customer.updated",
        ),
        (
            envelope(data={**fixture("customer.updated"), "email": 42}),
            "'data' is not a customer: Customer.email: expected a string, got int",
            "customer.updated",
        ),
    ],
)
def test_malformed_bodies_raise_payload_errors(
    body: bytes, reason: str, event_type: str | None
) -> None:
    """A body that is not a readable notification raises WebhookPayloadError saying why."""
    with pytest.raises(WebhookPayloadError) as caught:
        parse_event(body)
    assert (reason, event_type) == (caught.value.reason, caught.value.event_type)


@given(st.one_of(st.binary(max_size=200), st.dictionaries(st.text(max_size=12), st.integers())))
def test_any_body_parses_or_raises_a_payload_error(raw: bytes | dict[str, int]) -> None:
    """Property: no body makes parse_event raise anything but WebhookPayloadError."""
    body = raw if isinstance(raw, bytes) else envelope(data={**fixture("customer.created"), **raw})
    with contextlib.suppress(WebhookPayloadError):
        assert isinstance(parse_event(body), Event)


def test_verify_and_parse_checks_before_parsing() -> None:
    """verify_and_parse returns the event for a signed body and parses nothing unsigned."""
    verifier = WebhookVerifier(SECRET, clock=clock)
    event = verifier.verify_and_parse(BODY, sign(BODY, SECRET, timestamp=NOW))
    assert "customer.updated" == event.event_type
    with pytest.raises(SignatureMismatchError):
        verifier.verify_and_parse(b"not json", sign(BODY, SECRET, timestamp=NOW))
    with pytest.raises(WebhookPayloadError):
        verifier.verify_and_parse(b"not json", sign(b"not json", SECRET, timestamp=NOW))


# Freshness


def customer_event(updated_at: datetime, name: str) -> CustomerEvent:
    data = {**fixture("customer.updated"), "name": name}
    data["updated_at"] = updated_at.isoformat().replace("+00:00", "Z")
    event = parse_event(make_customer_event("customer.updated", data))
    assert isinstance(event, CustomerEvent)
    return event


def test_out_of_order_deliveries_keep_the_newest_version() -> None:
    """Applying only newer events leaves the latest version, whatever the arrival order."""
    t0 = datetime(2024, 4, 11, 15, 57, 24, 813000, tzinfo=UTC)
    v0, v1, v2 = (customer_event(t0 + timedelta(seconds=i), f"v{i}") for i in range(3))
    store: dict[str, Customer] = {}
    applied = []
    for event in [v2, v0, v1, v2]:  # late, out of order, and one redelivery
        if is_newer(event, store.get(event.customer.id)):
            store[event.customer.id] = event.customer
            applied.append(event.customer.name)
    assert (["v2"], "v2") == (applied, store[v2.customer.id].name)


def test_freshness_tie_rule_and_stored_forms() -> None:
    """Equal updated_at is not newer; nothing stored is; a stored datetime works too."""
    t = datetime(2024, 4, 11, 15, 59, 56, 658719, tzinfo=UTC)
    event = customer_event(t, "Jo")
    assert [True, False, False, True, False] == [
        is_newer(event, None),
        is_newer(event, event.customer),
        is_newer(event, t),
        is_newer(event, t - timedelta(microseconds=1)),
        is_newer(event, (t + timedelta(hours=1)).astimezone(timezone(timedelta(hours=2)))),
    ]


def test_freshness_rejects_a_naive_datetime_and_another_customer() -> None:
    """A naive stored time or a customer with another id is a ValidationError."""
    event = customer_event(datetime(2024, 4, 11, tzinfo=UTC), "Jo")
    other = attrs.evolve(event.customer, id="ctm_01aaaaaaaaaaaaaaaaaaaaaaaa")
    with pytest.raises(ValidationError):
        is_newer(event, datetime(2024, 4, 11))
    with pytest.raises(ValidationError):
        is_newer(event, other)


def test_freshness_rejects_another_kind_of_stored_value() -> None:
    """A stored value that is neither the event's kind of entity nor a datetime is refused."""
    event = customer_event(datetime(2024, 4, 11, tzinfo=UTC), "Jo")
    with pytest.raises(ValidationError, match="must be a customer or a datetime"):
        is_newer(event, {"id": event.customer.id, "updated_at": "2024-04-11T00:00:00Z"})


def test_every_entity_event_type_parses_into_its_class_with_its_model() -> None:
    """ENTITY_EVENTS is the one table parse_event reads: each type names its class and model,
    and the event's `entity` is the attribute the table names."""
    assert CUSTOMER_EVENT_TYPES <= ENTITY_EVENTS.keys()
    for event_type, shape in ENTITY_EVENTS.items():
        assert issubclass(shape.event_class, EntityEvent)
        assert shape.field in attrs.fields_dict(shape.event_class)
        assert event_type.split(".")[0] == shape.field
    event = parse_event(BODY)
    assert isinstance(event, CustomerEvent)
    assert event.entity is event.customer
    with pytest.raises(TypeError):
        ENTITY_EVENTS["customer.deleted"] = ENTITY_EVENTS["customer.created"]  # type: ignore[index]


# Delivery end to end


def load_example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


aiohttp_example = load_example("webhook_aiohttp")


@contextlib.asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/paddle/webhooks"
    finally:
        await runner.cleanup()


@pytest.fixture
def customers() -> dict[str, Customer]:
    return {}


@pytest.fixture
async def handler_url(customers: dict[str, Customer]) -> AsyncIterator[str]:
    """The aiohttp example app, verifying with SECRET, served on a free 127.0.0.1 port."""
    async with serve(aiohttp_example.make_app(WebhookVerifier(SECRET), customers)) as url:
        yield url


async def test_fake_paddle_delivers_signed_events_to_a_real_handler(
    fake: FakePaddle, paddle: Paddle, handler_url: str, customers: dict[str, Customer]
) -> None:
    """Each create and update on FakePaddle reaches the handler, which keeps the latest."""
    async with WebhookSender(handler_url, SECRET) as sender:
        sender.attach(fake)
        created = await paddle.customers.create(CreateCustomer(email="ada@example.com"))
        updated = await paddle.customers.update(created.id, UpdateCustomer(name="Ada"))
        deliveries = await sender.wait_for(2)
    assert [("customer.created", 200), ("customer.updated", 200)] == sorted(
        (d.event_type, d.status) for d in deliveries
    )
    assert {created.id: updated} == customers


async def test_a_late_redelivery_does_not_roll_the_store_back(
    fake: FakePaddle, paddle: Paddle, handler_url: str, customers: dict[str, Customer]
) -> None:
    """Paddle's retry of an older event is acknowledged but does not overwrite newer data."""
    async with WebhookSender(handler_url, SECRET) as sender:
        sender.attach(fake)
        created = await paddle.customers.create(CreateCustomer(email="ada@example.com"))
        first = (await sender.wait_for(1))[0]
        updated = await paddle.customers.update(created.id, UpdateCustomer(name="Ada"))
        await sender.wait_for(2)
        again = await sender.redeliver(first)
    assert (200, first.event_id) == (again.status, again.event_id)
    assert {created.id: updated} == customers


async def test_handler_rejects_a_sender_with_the_wrong_secret(
    fake: FakePaddle, paddle: Paddle, handler_url: str, customers: dict[str, Customer]
) -> None:
    """Webhooks signed with another secret get 401 and change nothing."""
    async with WebhookSender(handler_url, OTHER_SECRET) as sender:
        sender.attach(fake)
        await paddle.customers.create(CreateCustomer(email="ada@example.com"))
        deliveries = await sender.wait_for(1)
    assert ([401], {}) == ([d.status for d in deliveries], customers)


async def test_sender_records_a_delivery_that_got_no_response() -> None:
    """A delivery to a port where nothing listens is recorded with no status and the reason."""
    with socket.socket() as bound_not_listening:
        bound_not_listening.bind(("127.0.0.1", 0))
        port = bound_not_listening.getsockname()[1]
        async with WebhookSender(f"http://127.0.0.1:{port}/hook", SECRET) as sender:
            delivery = await sender.deliver("customer.created", fixture("customer.created"))
    assert (None, "ClientConnectorError") == (delivery.status, (delivery.error or "").split(":")[0])


async def test_sender_waits_for_deliveries_under_way_before_closing(handler_url: str) -> None:
    """Leaving `async with` lets a delivery already started finish instead of failing it."""
    async with WebhookSender(handler_url, SECRET) as sender:
        task = asyncio.create_task(sender.deliver("customer.created", fixture("customer.created")))
        await asyncio.sleep(0)
    assert [200] == [d.status for d in sender.deliveries]
    assert 200 == (await task).status


async def test_sender_and_fake_close_like_every_closable_of_the_package(
    handler_url: str,
) -> None:
    """`async with` opens a sender once (a second enter is refused); `aclose()` closes it as
    leaving does, and FakePaddle's `aclose()` is its `close()`: both can then open again."""
    sender = WebhookSender(handler_url, SECRET)
    async with sender:
        with pytest.raises(RuntimeError, match="already open"):
            await sender.__aenter__()
    async with sender:  # closed, so it opens again
        delivery = await sender.deliver("customer.created", fixture("customer.created"))
    assert 200 == delivery.status
    await sender.__aenter__()
    await sender.aclose()
    await sender.aclose()  # closing twice is harmless
    fake = FakePaddle()
    await fake.start()
    await fake.aclose()
    await fake.start()  # stopped, so it starts again
    await fake.aclose()


async def post(url: str, body: bytes, header: str | None) -> int:
    headers = {} if header is None else {"Paddle-Signature": header}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=headers) as r,
    ):
        return r.status


def signed(body: bytes, secret: str | list[str] = SECRET) -> Callable[[], tuple[bytes, str]]:
    # Signed when the test runs, not at collection: the signature is good for 5 s only.
    return lambda: (body, sign(body, secret))


UNKNOWN_TYPE = make_event("transaction.completed", {"id": "txn_01abc"})


@pytest.mark.parametrize(
    ("request_", "status", "stored"),
    [
        pytest.param(lambda: (BODY, None), 401, False, id="unsigned"),
        pytest.param(signed(BODY, OTHER_SECRET), 401, False, id="wrong-secret"),
        pytest.param(lambda: (BODY + b" ", sign(BODY, SECRET)), 401, False, id="tampered"),
        pytest.param(lambda: (BODY, "ts=1;h1=zz"), 401, False, id="malformed"),
        pytest.param(lambda: (BODY, sign(BODY, SECRET, timestamp=1)), 401, False, id="stale"),
        pytest.param(signed(b"{}"), 400, False, id="unreadable"),
        pytest.param(signed(UNKNOWN_TYPE), 200, False, id="unknown-type"),
        pytest.param(signed(BODY, [OLD_SECRET, SECRET]), 200, True, id="customer"),
    ],
)
async def test_aiohttp_example_handler(
    handler_url: str,
    customers: dict[str, Customer],
    request_: Callable[[], tuple[bytes, str | None]],
    status: int,
    stored: bool,
) -> None:
    """The example answers 401 unverified, 400 unreadable, 200 otherwise, storing customers."""
    body, header = request_()
    assert (status, stored) == (await post(handler_url, body, header), bool(customers))
