"""Customer auth tokens and customer portal sessions: the exact requests (in memory), the
models, validation, FakePaddle end to end, retries, and secrets kept out of logs, reprs and
errors."""

from __future__ import annotations

import json
import logging
import traceback
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from memory_sender import CUSTOMER_ID, MemorySender, envelope
from test_secrets import paths_to_secret

from paddle_async import Paddle
from paddle_async._convert import StructureError, structure
from paddle_async._protocol import ApiRequest, Kind
from paddle_async._types import secret_repr
from paddle_async.customer_portal_sessions import (
    MAX_SUBSCRIPTION_IDS,
    CreateCustomerPortalSession,
    CustomerPortalSession,
    CustomerPortalSessions,
    create_customer_portal_session,
)
from paddle_async.customers import (
    CustomerAuthToken,
    Customers,
    generate_customer_auth_token,
)
from paddle_async.errors import InvalidResponseError, NotFoundError, ValidationError
from paddle_async.testing import FakePaddle

SPEC = Path(__file__).parent / "data" / "paddle-openapi" / "customer-area-openapi.yaml"
MISSING_ID = "ctm_01zzzzzzzzzzzzzzzzzzzzzzzz"
SUB_1 = "sub_01h04vsc0qhwtsbsxh3422wjs4"
SUB_2 = "sub_01hv959anj4zrw503h2acawb3p"
TOKEN_SECRET = "6xaav4lydudt6bgmuefeaf2xnu3umegx"
TOKEN = f"pca_01hwyzq8hmdwed5p4jc4hnv6bh_01hwwggymjn0yhhb2gr4p91276_{TOKEN_SECRET}"
LINK_SECRET = "pga_eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjdG0ifQ.c2lnbmF0dXJl"
PORTAL = "https://customer-portal.paddle.com/cpl_01j7zbyqs3vah3aafp4jf62qaw"


def token_json(**fields: Any) -> dict[str, Any]:
    return {"customer_auth_token": TOKEN, "expires_at": "2024-05-03T10:34:12.34Z", **fields}


def link(action: str, subscription_id: str | None = None) -> str:
    sub = f"&subscription_id={subscription_id}" if subscription_id else ""
    return f"{PORTAL}?action={action}{sub}&token={LINK_SECRET}"


def session_json(*subscription_ids: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": "cpls_01h4ge9r64c22exjsx0fy8b48b",
        "customer_id": CUSTOMER_ID,
        "urls": {
            "general": {"overview": link("overview")},
            "subscriptions": [
                {
                    "id": sub,
                    "cancel_subscription": link("cancel_subscription", sub),
                    "update_subscription_payment_method": link(
                        "update_subscription_payment_method", sub
                    ),
                }
                for sub in subscription_ids
            ],
        },
        "created_at": "2024-10-25T06:53:58Z",
        **fields,
    }


# In memory: the exact requests


async def test_an_auth_token_is_a_bodyless_post() -> None:
    """generate: POST .../auth-token with no body at all, kind UPDATE; the token back."""
    sender = MemorySender(envelope(token_json()))
    token = await generate_customer_auth_token(sender, CUSTOMER_ID)
    assert [
        ApiRequest(method="POST", path=f"/customers/{CUSTOMER_ID}/auth-token", kind=Kind.UPDATE)
    ] == sender.sent
    expires = datetime(2024, 5, 3, 10, 34, 12, 340000, tzinfo=UTC)
    assert CustomerAuthToken(customer_auth_token=TOKEN, expires_at=expires) == token


@pytest.mark.parametrize(
    ("request_", "body"),
    [
        (None, None),
        (CreateCustomerPortalSession(), b"{}"),
        (CreateCustomerPortalSession(subscription_ids=[SUB_1, SUB_2]), None),
    ],
    ids=["no request", "no ids", "two ids"],
)
async def test_a_portal_session_posts_its_subscription_ids(
    request_: CreateCustomerPortalSession | None, body: bytes | None
) -> None:
    """create: POST .../portal-sessions, kind UPDATE; no request sends no body at all."""
    if request_ is not None and request_.subscription_ids:
        body = f'{{"subscription_ids":["{SUB_1}","{SUB_2}"]}}'.encode()
    sender = MemorySender(envelope(session_json(SUB_1, SUB_2), status=201))
    session = await create_customer_portal_session(sender, CUSTOMER_ID, request_)
    assert [
        ApiRequest(
            method="POST",
            path=f"/customers/{CUSTOMER_ID}/portal-sessions",
            body=body,
            kind=Kind.UPDATE,
        )
    ] == sender.sent
    assert link("overview") == session.urls.general.overview
    assert [(SUB_1, link("cancel_subscription", SUB_1))] == [
        (urls.id, urls.cancel_subscription) for urls in session.urls.subscriptions[:1]
    ]


async def test_a_bad_customer_id_sends_nothing() -> None:
    """Both operations refuse a malformed customer id before sending anything."""
    sender = MemorySender()
    with pytest.raises(ValidationError):
        await generate_customer_auth_token(sender, "ctm_01h844p3h41s12zs5mn4axja5\u0661")
    with pytest.raises(ValidationError):
        await create_customer_portal_session(sender, "../auth-token")
    assert [] == sender.sent


async def test_the_namespaces_only_bind_the_sender() -> None:
    """customers.generate_auth_token and customer_portal_sessions.create pass everything on."""
    sender = MemorySender(envelope(token_json()), envelope(session_json(), status=201))
    token = await Customers(sender).generate_auth_token(CUSTOMER_ID, timeout=2)
    request = CreateCustomerPortalSession(subscription_ids=SUB_1)
    session = await CustomerPortalSessions(sender).create(CUSTOMER_ID, request, timeout=3)
    assert (TOKEN, ()) == (token.customer_auth_token, session.urls.subscriptions)
    assert [None, f'{{"subscription_ids":["{SUB_1}"]}}'.encode()] == [r.body for r in sender.sent]
    assert [2, 3] == sender.timeouts


async def test_create_auth_token_is_the_python_sdk_name_for_the_same_call() -> None:
    """Code moving from Paddle's Python SDK keeps its method name: create_auth_token."""
    sender = MemorySender(envelope(token_json()))
    token = await Customers(sender).create_auth_token(CUSTOMER_ID)
    assert TOKEN == token.customer_auth_token
    assert Customers.create_auth_token is Customers.generate_auth_token
    assert ["/customers/" + CUSTOMER_ID + "/auth-token"] == [r.path for r in sender.sent]


# Validation


def field_messages(make: Any) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as caught:
        make()
    return [(error.field, error.message) for error in caught.value.field_errors]


def subscription_id(n: int) -> str:
    return f"sub_{n:026d}"


def test_at_most_25_subscription_ids() -> None:
    """25 subscription ids pass; 26 are refused, naming the field."""
    ids = [subscription_id(n) for n in range(MAX_SUBSCRIPTION_IDS + 1)]
    assert 25 == len(CreateCustomerPortalSession(subscription_ids=ids[:25]).subscription_ids or ())
    assert [("subscription_ids", "at most 25 items, got 26")] == field_messages(
        lambda: CreateCustomerPortalSession(subscription_ids=ids)
    )


@pytest.mark.parametrize(
    "ids",
    [
        [SUB_1, SUB_1],
        ["sub_01h04vsc0qhwtsbsxh3422wjs\u0664"],  # an Arabic-Indic digit: not ASCII
        ["sub_01H04VSC0QHWTSBSXH3422WJS4"],
        ["ctm_01h04vsc0qhwtsbsxh3422wjs4"],
        [SUB_1, 7],
        SUB_1.encode(),
    ],
    ids=["twice", "non-ascii digit", "upper case", "wrong prefix", "not text", "bytes"],
)
def test_bad_subscription_ids_are_refused(ids: Any) -> None:
    """Each id must be sub_ + 26 ASCII lower-case letters or digits, each given once."""
    assert ["subscription_ids"] == [
        field
        for field, _ in field_messages(lambda: CreateCustomerPortalSession(subscription_ids=ids))
    ]


def test_one_subscription_id_is_one_item() -> None:
    """A single id string is one item, not its characters; an empty list is allowed."""
    assert (SUB_1,) == CreateCustomerPortalSession(subscription_ids=SUB_1).subscription_ids
    assert () == CreateCustomerPortalSession(subscription_ids=[]).subscription_ids


# Models: lenient reading, secrets kept out of repr


def _spec_example(path: str) -> Any:
    spec = yaml.safe_load(SPEC.read_text())
    responses = spec["paths"][path]["post"]["responses"]
    status = "201" if "201" in responses else "200"
    examples = responses[status]["content"]["application/json"]["examples"]
    return next(iter(examples.values()))["value"]["data"]


def test_spec_examples_parse() -> None:
    """The spec's examples parse; the token's two-digit fraction and Z give an aware time."""
    token = structure(_spec_example("/customers/{customer_id}/auth-token"), CustomerAuthToken)
    session = structure(
        _spec_example("/customers/{customer_id}/portal-sessions"), CustomerPortalSession
    )
    assert datetime(2024, 5, 3, 10, 34, 12, 340000, tzinfo=UTC) == token.expires_at
    assert token.customer_auth_token.startswith("pca_")
    assert ("cpls_01h4ge9r64c22exjsx0fy8b48b", 1) == (session.id, len(session.urls.subscriptions))
    assert session.urls.general.overview.startswith("https://customer-portal.paddle.com/")


def test_unknown_fields_are_ignored_and_missing_ones_default() -> None:
    """New fields at every level are ignored; no subscriptions, expiry or customer is fine."""
    data = session_json(SUB_1, flags=["x"])
    data["urls"]["preview"] = {"x": 1}
    data["urls"]["general"]["billing"] = "https://example.com"
    data["urls"]["subscriptions"][0]["pause_subscription"] = "https://example.com"
    session = structure(data, CustomerPortalSession)
    assert (SUB_1, CUSTOMER_ID) == (session.urls.subscriptions[0].id, session.customer_id)
    bare = session_json()
    del bare["urls"]["subscriptions"], bare["customer_id"]
    assert ((), None) == (
        structure(bare, CustomerPortalSession).urls.subscriptions,
        structure(bare, CustomerPortalSession).customer_id,
    )
    token = structure({"customer_auth_token": TOKEN, "scope": "checkout"}, CustomerAuthToken)
    assert (TOKEN, None) == (token.customer_auth_token, token.expires_at)


def test_datetimes_are_aware() -> None:
    """An offset is kept; a timestamp without one is UTC."""
    token = structure(token_json(expires_at="2024-05-03T12:34:12+02:00"), CustomerAuthToken)
    session = structure(session_json(created_at="2024-10-25T06:53:58"), CustomerPortalSession)
    assert datetime(2024, 5, 3, 10, 34, 12, tzinfo=UTC) == token.expires_at
    assert timedelta(hours=2) == (token.expires_at.utcoffset() if token.expires_at else None)
    assert UTC == session.created_at.tzinfo


@pytest.mark.parametrize(
    ("data", "model"),
    [
        ({"expires_at": "2024-05-03T10:34:12Z"}, CustomerAuthToken),
        (token_json(expires_at="soon"), CustomerAuthToken),
        (session_json(urls={"subscriptions": []}), CustomerPortalSession),
        (session_json(created_at=None), CustomerPortalSession),
    ],
    ids=["no token", "bad expiry", "no general urls", "no created_at"],
)
def test_a_wrong_shape_is_a_structure_error(data: dict[str, Any], model: type) -> None:
    """A token without its token, or a session without its links or time, does not parse."""
    with pytest.raises(StructureError):
        structure(data, model)


def test_repr_shortens_every_secret() -> None:
    """repr (and str) show the token's prefix and the links' host, never the secret parts."""
    token = structure(token_json(), CustomerAuthToken)
    session = structure(session_json(SUB_1, SUB_2), CustomerPortalSession)
    shown = [repr(token), str(token), repr(session), str(session), repr(session.urls)]
    assert [] == [text for text in shown if TOKEN_SECRET in text or LINK_SECRET in text]
    assert "customer_auth_token='pca_…'" in repr(token)
    assert "overview='https://customer-portal.paddle.com/…'" in repr(session)
    assert SUB_1 in repr(session)  # subscription ids are no secret


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (TOKEN, "'pca_…'"),
        (link("overview"), "'https://customer-portal.paddle.com/…'"),
        ("https://user:password@example.com:8443/p?token=x", "'https://example.com:8443/…'"),
        ("no-prefix-secret", "'…'"),
        ("verylongprefix_secret", "'…'"),
        ("", "'…'"),
        (None, "None"),
    ],
)
def test_secret_repr(value: Any, shown: str) -> None:
    """secret_repr keeps a URL's scheme and host, a token's short prefix, and nothing else."""
    assert shown == secret_repr(value)


# FakePaddle, over real HTTP


@pytest.fixture
def customer_id(fake: FakePaddle) -> str:
    return str(fake.add_customer(email="portal@example.com", name="Ada")["id"])


async def test_a_token_from_the_fake_is_valid_until_it_expires(
    paddle: Paddle, fake: FakePaddle, customer_id: str
) -> None:
    """The POST has no body and no Content-Type; the token is the customer's until expires_at."""
    token = await paddle.customers.generate_auth_token(customer_id)
    sent = fake.requests[-1]
    assert (b"", None, 200) == (sent.body, sent.headers.get("Content-Type"), sent.status)
    assert token.expires_at is not None
    assert customer_id == fake.auth_token_customer(token.customer_auth_token)
    assert fake.auth_token_customer(token.customer_auth_token, at=token.expires_at) is None


async def test_the_fakes_token_lifetime_shows_in_expires_at() -> None:
    """FakePaddle(auth_token_lifetime=60) gives tokens expiring a minute later."""
    async with FakePaddle(auth_token_lifetime=60) as fake:
        customer_id = fake.add_customer(email="short@example.com")["id"]
        async with Paddle(fake.api_key, base_url=fake.base_url, rate_limit=None) as client:
            before = datetime.now(UTC)
            token = await client.customers.generate_auth_token(customer_id)
    assert token.expires_at is not None
    left = token.expires_at - before
    assert timedelta(seconds=59) <= left <= timedelta(seconds=61)


async def test_a_portal_session_from_the_fake(
    paddle: Paddle, fake: FakePaddle, customer_id: str
) -> None:
    """Links for the overview and each subscription; no request sends no body."""
    request = CreateCustomerPortalSession(subscription_ids=[SUB_1, SUB_2])
    session = await paddle.customer_portal_sessions.create(customer_id, request)
    sent = fake.requests[-1]
    assert ({"subscription_ids": [SUB_1, SUB_2]}, "application/json", 201) == (
        sent.json,
        sent.headers.get("Content-Type"),
        sent.status,
    )
    assert customer_id == session.customer_id
    assert [SUB_1, SUB_2] == [urls.id for urls in session.urls.subscriptions]
    assert all(
        f"subscription_id={urls.id}" in urls.update_subscription_payment_method
        for urls in session.urls.subscriptions
    )
    bare = await paddle.customer_portal_sessions.create(customer_id)
    assert (b"", None, ()) == (
        fake.requests[-1].body,
        fake.requests[-1].headers.get("Content-Type"),
        bare.urls.subscriptions,
    )
    assert bare.urls.general.overview.startswith("https://customer-portal.paddle.com/cpl_")


async def test_an_unknown_customer_is_not_found(paddle: Paddle) -> None:
    """Both operations raise NotFoundError for a customer Paddle does not have."""
    with pytest.raises(NotFoundError):
        await paddle.customers.generate_auth_token(MISSING_ID)
    with pytest.raises(NotFoundError):
        await paddle.customer_portal_sessions.create(MISSING_ID)


@pytest.mark.parametrize("fault", ["502", "504", "drop_after_write"])
async def test_an_unknown_outcome_is_retried_as_harmless(
    paddle: Paddle, fake: FakePaddle, customer_id: str, fault: str
) -> None:
    """A lost answer is retried (Kind.UPDATE): the caller gets a working token and session,
    though the first attempt may have made one more that expires unused."""
    for _ in range(2):
        if fault == "drop_after_write":
            fake.faults.drop_next(1, after_write=True, method="POST")
        else:
            fake.faults.fail_next(1, int(fault), method="POST")
    token = await paddle.customers.generate_auth_token(customer_id)
    session = await paddle.customer_portal_sessions.create(customer_id)
    assert customer_id == fake.auth_token_customer(token.customer_auth_token)
    assert session.id.startswith("cpls_")
    assert 4 == len([r for r in fake.requests if r.method == "POST"])


# Secrets never in logs or errors


async def test_no_secret_in_logs_across_retries_and_errors(
    paddle: Paddle, fake: FakePaddle, customer_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    """At DEBUG, through retries, successes and errors, no log record holds a token or link."""
    caplog.set_level(logging.DEBUG)
    secrets: list[str] = []
    fake.faults.fail_next(1, 503, method="POST")
    fake.faults.drop_next(1, after_write=True, method="POST")
    token = await paddle.customers.generate_auth_token(customer_id)
    fake.faults.fail_next(1, 429, retry_after=0, method="POST")
    fake.faults.fail_next(1, 502, method="POST")
    session = await paddle.customer_portal_sessions.create(
        customer_id, CreateCustomerPortalSession(subscription_ids=[SUB_1])
    )
    secrets += [token.customer_auth_token, session.urls.general.overview]
    secrets += [session.urls.subscriptions[0].cancel_subscription]
    with pytest.raises(NotFoundError):
        await paddle.customers.generate_auth_token(MISSING_ID)
    assert any("retry" in record.getMessage() for record in caplog.records)
    logged = "\n".join(record.getMessage() for record in caplog.records) + caplog.text
    assert [] == [secret for secret in secrets if secret in logged]
    assert [] == [part for part in (TOKEN_SECRET, "token=pga_") if part in logged]


def truncated(document: str) -> bytes:
    return document.encode()[: len(document) - 10]


@pytest.mark.parametrize(
    ("body", "secret"),
    [
        (
            truncated(f'{{"data": {{"customer_auth_token": "{TOKEN}", "expires_at": null}}}}'),
            TOKEN_SECRET,
        ),
        (
            f'{{"data": {{"customer_auth_token": "{TOKEN}", "expires_at": 7}}}}'.encode(),
            TOKEN_SECRET,
        ),
        (
            f'{{"data": {{"customer_auth_token": "{TOKEN}", "expires_at": "{TOKEN}"}}}}'.encode(),
            TOKEN_SECRET,
        ),
    ],
    ids=["truncated", "misshapen", "secret-where-a-timestamp-goes"],
)
async def test_an_unusable_token_response_keeps_no_excerpt(
    paddle: Paddle,
    fake: FakePaddle,
    customer_id: str,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    secret: str,
) -> None:
    """A 200 whose body is cut short or misshapen raises InvalidResponseError holding no secret."""
    caplog.set_level(logging.DEBUG)
    fake.faults.fail_next(1, 200, body=body, content_type="application/json", method="POST")
    with pytest.raises(InvalidResponseError) as caught:
        await paddle.customers.generate_auth_token(customer_id)
    assert ("", 200) == (caught.value.body_excerpt, caught.value.status)
    assert [] == paths_to_secret(caught.value, secret)
    assert secret not in caplog.text
    assert "pca_" not in str(caught.value)


async def test_an_unusable_session_response_keeps_no_excerpt(
    paddle: Paddle, fake: FakePaddle, customer_id: str
) -> None:
    """A session whose links arrive but whose shape is wrong raises without the links."""
    for created_at in (7, PORTAL + "?token=" + LINK_SECRET):
        body = session_json(SUB_1, created_at=created_at)
        fake.faults.fail_next(
            1, 201, body=json.dumps({"data": body}).encode(), content_type="application/json"
        )
        with pytest.raises(InvalidResponseError) as caught:
            await paddle.customer_portal_sessions.create(customer_id)
        assert "" == caught.value.body_excerpt
        assert [] == paths_to_secret(caught.value, LINK_SECRET)
        assert "customer-portal" not in str(caught.value)
        assert "CustomerPortalSession.created_at" in str(caught.value)


async def test_other_operations_keep_their_excerpt(
    paddle: Paddle, fake: FakePaddle, customer_id: str
) -> None:
    """Only secret responses lose the excerpt: a misshapen customer keeps it (a control)."""
    fake.faults.fail_next(1, 200, body=b'{"data": {"id": 7}}', content_type="application/json")
    with pytest.raises(InvalidResponseError) as caught:
        await paddle.customers.get(customer_id)
    assert '{"data": {"id": 7}}' == caught.value.body_excerpt


async def test_a_dict_for_the_request_says_what_to_build() -> None:
    """create (function and method) given a dict raises a TypeError naming the request class."""
    sender = MemorySender()
    data = {"subscription_ids": [SUB_1]}
    with pytest.raises(TypeError, match=r"build CreateCustomerPortalSession\(\*\*data\)"):
        await create_customer_portal_session(sender, CUSTOMER_ID, data)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="CreateCustomerPortalSession"):
        await CustomerPortalSessions(sender).create(CUSTOMER_ID, data)  # type: ignore[arg-type]
    assert [] == sender.sent


@pytest.mark.parametrize(
    "body",
    [
        truncated(f'{{"data": {{"customer_auth_token": "{TOKEN}", "expires_at": null}}}}'),
        f'{{"data": {{"customer_auth_token": "{TOKEN}", "expires_at": 7}}}}'.encode(),
    ],
    ids=["truncated", "misshapen"],
)
async def test_a_traceback_with_local_variables_shows_no_token(
    paddle: Paddle, fake: FakePaddle, customer_id: str, body: bytes
) -> None:
    """An error reporter that records each frame's local variables (by repr) gets no token:
    the raw response held on the way shows its body's size, not its bytes."""
    fake.faults.fail_next(1, 200, body=body, content_type="application/json", method="POST")
    with pytest.raises(InvalidResponseError) as caught:
        await paddle.customers.generate_auth_token(customer_id)
    error = caught.value
    # From the SDK's first frame on: this test's own frame holds the body it made up.
    assert error.__traceback__ is not None
    inside = error.__traceback__.tb_next
    report = "".join(
        traceback.TracebackException(type(error), error, inside, capture_locals=True).format()
    )
    assert "generate_customer_auth_token" in report
    assert TOKEN_SECRET not in report
    if not body.endswith(b"}"):  # cut short: the raw response is a local on the way
        assert "body=<" in report
