"""FakePaddle issues customer auth tokens and portal sessions shaped like Paddle's."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from fake_paddle_client import (
    AUTH,
    MISSING_CUSTOMER,
    codes,
    customer_id_fixture,  # noqa: F401 (a fixture)
    error_of,
    fields,
    http_fixture,  # noqa: F401 (a fixture)
    send,
)

from paddle_async.testing import FakePaddle

TOKEN = re.compile(r"pca_[0-9a-z]{26}_[0-9a-z]{26}_[0-9a-z]{32}")
# Go's RFC3339Nano: a fraction of one to three digits here, trailing zeros dropped, or none.
EXPIRES_AT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,2}[1-9])?Z")
SESSION_ID = re.compile(r"cpls_[0-9a-z]{26}")
PORTAL_LINK = re.compile(r"https://customer-portal\.paddle\.com/cpl_[0-9a-z]{26}\?action=\w+&.*")
SUBSCRIPTIONS = ["sub_01h04vsc0qhwtsbsxh3422wjs4", "sub_01hv959anj4zrw503h2acawb3p"]


def parsed(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp)


# Auth tokens


async def test_an_auth_token_is_issued_without_a_body(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str
) -> None:
    """POST auth-token with no body gives 200, a pca_ token for the customer, valid 10 minutes."""
    before = datetime.now(UTC)
    reply = await send(http, "POST", f"/customers/{customer_id}/auth-token")
    after = datetime.now(UTC)
    token = reply.body["data"]
    assert (200, ["customer_auth_token", "expires_at"]) == (reply.status, list(token))
    assert TOKEN.fullmatch(token["customer_auth_token"])
    assert customer_id.removeprefix("ctm_") == token["customer_auth_token"].split("_")[2]
    assert EXPIRES_AT.fullmatch(token["expires_at"])
    lifetime = timedelta(minutes=10)
    # The token's time has milliseconds, so its expiry may be up to 1 ms before `before + 10 min`.
    assert before + lifetime - timedelta(milliseconds=1) <= parsed(token["expires_at"])
    assert parsed(token["expires_at"]) <= after + lifetime
    assert customer_id == fake.auth_token_customer(token["customer_auth_token"])


async def test_a_token_expires_at_its_expires_at(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str
) -> None:
    """The fake tells a token valid until expires_at, and unknown or expired tokens apart."""
    token = (await send(http, "POST", f"/customers/{customer_id}/auth-token")).body["data"]
    expires_at = parsed(token["expires_at"])
    value = token["customer_auth_token"]
    assert [customer_id, None, None] == [
        fake.auth_token_customer(value, at=expires_at - timedelta(microseconds=1)),
        fake.auth_token_customer(value, at=expires_at),
        fake.auth_token_customer(value[:-1] + ("a" if value[-1] != "a" else "b")),
    ]
    with pytest.raises(ValueError, match="aware"):
        fake.auth_token_customer(value, at=datetime(2030, 1, 1))


async def test_the_lifetime_is_configurable() -> None:
    """FakePaddle(auth_token_lifetime=...) sets how long tokens last; it must be positive."""
    async with (
        FakePaddle(auth_token_lifetime=30) as fake,
        aiohttp.ClientSession(base_url=fake.base_url, headers=AUTH) as http,
    ):
        customer = fake.add_customer(email="jo@example.com")["id"]
        before = datetime.now(UTC)
        token = (await send(http, "POST", f"/customers/{customer}/auth-token")).body["data"]
    left = parsed(token["expires_at"]) - before
    assert timedelta(seconds=29) < left <= timedelta(seconds=31)
    with pytest.raises(ValueError, match="positive"):
        FakePaddle(auth_token_lifetime=0)


async def test_every_call_issues_a_new_token(
    fake: FakePaddle, http: aiohttp.ClientSession, customer_id: str
) -> None:
    """Two calls give two different tokens, both valid."""
    tokens = [
        (await send(http, "POST", f"/customers/{customer_id}/auth-token")).body["data"][
            "customer_auth_token"
        ]
        for _ in range(2)
    ]
    assert (2, [customer_id] * 2) == (
        len(set(tokens)),
        [fake.auth_token_customer(token) for token in tokens],
    )


@pytest.mark.parametrize(
    ("data", "content_type"),
    [(b"{}", "application/json"), (b'{"expires_in": 60}', "application/json"), (b" ", None)],
)
async def test_any_body_is_refused(
    fake: FakePaddle,
    http: aiohttp.ClientSession,
    customer_id: str,
    data: bytes,
    content_type: str | None,
) -> None:
    """The operation takes no body: even `{}` is 400 bad_request, and no token is issued."""
    headers = {"Content-Type": content_type} if content_type else {}
    path = f"/customers/{customer_id}/auth-token"
    reply = await send(http, "POST", path, data=data, headers=headers)
    assert (400, "bad_request") == codes(reply)
    assert "Invalid request: this operation takes no request body." == error_of(reply)["detail"]


async def test_a_content_type_without_a_body_is_fine(
    http: aiohttp.ClientSession, customer_id: str
) -> None:
    """Only a body is refused: a Content-Type header alone does no harm."""
    path = f"/customers/{customer_id}/auth-token"
    reply = await send(http, "POST", path, headers={"Content-Type": "application/json"})
    assert 200 == reply.status


async def test_auth_token_of_an_unknown_customer_is_404_and_get_is_405(
    http: aiohttp.ClientSession, customer_id: str
) -> None:
    """An unknown customer is 404 not_found; the operation is POST only."""
    missing = await send(http, "POST", f"/customers/{MISSING_CUSTOMER}/auth-token")
    get = await send(http, "GET", f"/customers/{customer_id}/auth-token")
    assert [(404, "not_found"), (405, "method_not_allowed")] == [codes(missing), codes(get)]


# Portal sessions


async def test_a_portal_session_without_a_body_has_the_overview_link(
    http: aiohttp.ClientSession, customer_id: str
) -> None:
    """POST portal-sessions with no body gives 201 and an authenticated overview link."""
    reply = await send(http, "POST", f"/customers/{customer_id}/portal-sessions")
    session = reply.body["data"]
    overview = session["urls"]["general"]["overview"]
    assert (201, ["id", "customer_id", "urls", "created_at"]) == (reply.status, list(session))
    assert (customer_id, []) == (session["customer_id"], session["urls"]["subscriptions"])
    assert SESSION_ID.fullmatch(session["id"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", session["created_at"])
    assert PORTAL_LINK.fullmatch(overview)
    query = parse_qs(urlsplit(overview).query)
    assert (["overview"], True) == (query["action"], query["token"][0].startswith("pga_"))


async def test_subscription_links_for_each_subscription(
    http: aiohttp.ClientSession, customer_id: str
) -> None:
    """Each subscription gets cancel and update-payment-method links carrying its ID."""
    reply = await send(
        http,
        "POST",
        f"/customers/{customer_id}/portal-sessions",
        json={"subscription_ids": SUBSCRIPTIONS},
    )
    urls = reply.body["data"]["urls"]
    token = parse_qs(urlsplit(urls["general"]["overview"]).query)["token"]
    links: list[dict[str, Any]] = urls["subscriptions"]
    assert (201, SUBSCRIPTIONS) == (reply.status, [link["id"] for link in links])
    for link in links:
        assert ["id", "cancel_subscription", "update_subscription_payment_method"] == list(link)
        for action in ("cancel_subscription", "update_subscription_payment_method"):
            assert PORTAL_LINK.fullmatch(link[action])
            query = parse_qs(urlsplit(link[action]).query)
            assert {"action": [action], "subscription_id": [link["id"]], "token": token} == query


async def test_25_subscriptions_and_an_empty_object_pass(
    http: aiohttp.ClientSession, customer_id: str
) -> None:
    """Up to 25 subscriptions per session; `{}` is a session without subscription links."""
    many = [f"sub_01h04vsc0qhwtsbsxh3422wj{n:02d}" for n in range(25)]
    full = await send(
        http, "POST", f"/customers/{customer_id}/portal-sessions", json={"subscription_ids": many}
    )
    empty = await send(http, "POST", f"/customers/{customer_id}/portal-sessions", json={})
    assert (201, 25) == (full.status, len(full.body["data"]["urls"]["subscriptions"]))
    assert (201, []) == (empty.status, empty.body["data"]["urls"]["subscriptions"])


@pytest.mark.parametrize(
    ("body", "bad_fields"),
    [
        (
            {"subscription_ids": [f"sub_01h04vsc0qhwtsbsxh3422wj{n:02d}" for n in range(26)]},
            ["subscription_ids"],
        ),
        ({"subscription_ids": [SUBSCRIPTIONS[0], SUBSCRIPTIONS[0]]}, ["subscription_ids"]),
        ({"subscription_ids": None}, ["subscription_ids"]),
        ({"subscription_ids": SUBSCRIPTIONS[0]}, ["subscription_ids"]),
        (
            {"subscription_ids": [SUBSCRIPTIONS[0], "ctm_01h04vsc0qhwtsbsxh3422wjs4"]},
            ["subscription_ids[1]"],
        ),
        ({"subscription_ids": ["sub_01H04VSC0QHWTSBSXH3422WJS4"]}, ["subscription_ids[0]"]),
        ({"subscription_ids": ["sub_01h04vsc0qhwtsbsxh3422wjs\u0663"]}, ["subscription_ids[0]"]),
        ({"subscription_ids": ["sub_short"]}, ["subscription_ids[0]"]),
        ({"subscription_ids": [7]}, ["subscription_ids[0]"]),
        ({"customer_id": MISSING_CUSTOMER, "return_url": "x"}, ["customer_id", "return_url"]),
    ],
)
async def test_portal_session_rejects_invalid_fields(
    http: aiohttp.ClientSession,
    customer_id: str,
    body: dict[str, Any],
    bad_fields: list[str],
) -> None:
    """Over 25 or repeated IDs, IDs that are not sub_ + 26 ASCII characters, unknown keys."""
    reply = await send(http, "POST", f"/customers/{customer_id}/portal-sessions", json=body)
    assert ((400, "invalid_field"), bad_fields) == (codes(reply), fields(reply))


async def test_portal_session_body_errors_and_unknown_customer(
    http: aiohttp.ClientSession, customer_id: str
) -> None:
    """A body must be JSON with its Content-Type; an unknown customer is 404 first."""
    path = f"/customers/{customer_id}/portal-sessions"
    text = await send(http, "POST", path, data=b'{"subscription_ids": []}')
    broken = await send(http, "POST", path, data=b"[", headers={"Content-Type": "application/json"})
    missing = await send(http, "POST", f"/customers/{MISSING_CUSTOMER}/portal-sessions", data=b"[")
    assert [(400, "bad_request"), (400, "invalid_json"), (404, "not_found")] == [
        codes(text),
        codes(broken),
        codes(missing),
    ]
