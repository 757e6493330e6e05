"""`Paddle.send`, the public Sender: what goes on the wire for a body, for none, and a 204."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from hostile import HostileServer, answer

from paddle_async import Paddle
from paddle_async._protocol import ApiRequest, Kind
from paddle_async.testing import TEST_API_KEY

TOKEN_PATH = "/customers/ctm_01h844p3h41s12zs5mn4axja51/auth-token"


@pytest.fixture
async def paddle(hostile: HostileServer) -> AsyncIterator[Paddle]:
    """A client for the hostile server, without pacing or retries."""
    async with Paddle(
        TEST_API_KEY, base_url=hostile.base_url, rate_limit=None, max_retries=0
    ) as client:
        yield client


def header_names(head: bytes) -> list[bytes]:
    return [line.split(b":")[0].lower() for line in head.split(b"\r\n")[1:] if b":" in line]


async def test_a_post_without_a_body_sends_no_body_and_no_content_type(
    hostile: HostileServer, paddle: Paddle
) -> None:
    """ApiRequest(body=None) on a POST sends an empty body and no Content-Type."""
    hostile.respond = answer(b'{"data": {"customer_auth_token": "t"}}', 201)
    envelope = await paddle.send(ApiRequest(method="POST", path=TOKEN_PATH, kind=Kind.CREATE))
    assert hostile.received[0].head.startswith(f"POST {TOKEN_PATH} HTTP/1.1\r\n".encode())
    received = hostile.received[0]
    assert (b"", False) == (received.body, b"content-type" in header_names(received.head))
    assert (201, {"customer_auth_token": "t"}) == (envelope.status, envelope.data)


async def test_a_body_is_sent_as_given_with_a_json_content_type(
    hostile: HostileServer, paddle: Paddle
) -> None:
    """A body goes out byte for byte, labelled application/json."""
    body = b'{"email":"ada@example.com"}'
    await paddle.send(ApiRequest(method="POST", path="/customers", body=body, kind=Kind.CREATE))
    assert body == hostile.received[0].body
    assert b"\r\ncontent-type: application/json\r\n" in hostile.received[0].head.lower()


async def test_a_204_is_an_envelope_without_data(hostile: HostileServer, paddle: Paddle) -> None:
    """A 204 No Content (a delete) returns an envelope whose data is None."""
    hostile.respond = answer(b"", 204, Request_Id="req-204")
    path = "/customers/ctm_01h844p3h41s12zs5mn4axja51/payment-methods/paymtd_01h844p3h41s12zs5mn4ax"
    envelope = await paddle.send(ApiRequest(method="DELETE", path=path, kind=Kind.UPDATE))
    assert (204, None, "req-204") == (envelope.status, envelope.data, envelope.request_id)
