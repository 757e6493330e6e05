"""max_response_bytes: hostile bodies stop at the limit, in bounded memory, and the client goes on.

Memory is measured with tracemalloc around the one request (the server runs in the same process
and streams from one reused 64 KiB piece, so what it adds is small).
"""

from __future__ import annotations

import gzip
import tracemalloc
import zlib
from collections.abc import Callable

import aiohttp
import pytest
from hostile import (
    EMPTY_PAGE,
    HostileServer,
    MiB,
    Respond,
    answer,
    bomb,
    endless,
    megabytes,
    stream,
)

from paddle_async import Paddle, errors
from paddle_async.testing import TEST_API_KEY

DEFAULT_LIMIT = 16 * MiB
# The body read so far (at most the limit), aiohttp's buffers and one decompression step.
BOUND = 24 * MiB

HOSTILE_BODIES: dict[str, Callable[[], Respond]] = {
    "200 MB with Content-Length": lambda: stream(
        megabytes(200), Content_Length=200 * MiB, Request_Id="r-big"
    ),
    "200 MB chunked": lambda: stream(megabytes(200), Request_Id="r-big"),
    "endless chunked": lambda: stream(endless(), Request_Id="r-big"),
    "gzip bomb": lambda: answer(bomb(31), Content_Encoding="gzip", Request_Id="r-big"),
    "gzip bomb, chunked": lambda: stream([bomb(31)], Content_Encoding="gzip", Request_Id="r-big"),
    "deflate bomb": lambda: answer(bomb(15), Content_Encoding="deflate", Request_Id="r-big"),
    "raw deflate bomb": lambda: answer(bomb(-15), Content_Encoding="deflate", Request_Id="r-big"),
}


async def list_all(paddle: Paddle) -> list[object]:
    return list(await paddle.customers.list().collect())


async def measure(paddle: Paddle) -> tuple[errors.ResponseTooLargeError, int]:
    """Make one request that must fail as too large; return the error and the peak memory."""
    tracemalloc.start()
    try:
        with pytest.raises(errors.ResponseTooLargeError) as caught:
            await list_all(paddle)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return caught.value, peak


def test_a_bomb_is_what_it_claims() -> None:
    """The gzip bomb is about 200 KB that inflates to 200 MiB."""
    assert len(bomb(31)) < 250_000
    assert 200 * MiB == len(zlib.decompress(bomb(31), wbits=31))


@pytest.mark.parametrize("body", list(HOSTILE_BODIES))
async def test_a_hostile_body_stops_at_the_limit_in_bounded_memory(
    hostile: HostileServer, body: str
) -> None:
    """Over 16 MiB decompressed: ResponseTooLargeError, peak memory bounded, the client goes on."""
    hostile.respond = HOSTILE_BODIES[body]()
    async with Paddle(TEST_API_KEY, base_url=hostile.base_url, rate_limit=None) as paddle:
        error, peak = await measure(paddle)
        requests_before = len(hostile.received)
        hostile.respond = answer(EMPTY_PAGE)
        assert [] == await list_all(paddle)
        assert 0 == paddle.connections_in_use()
    assert peak < BOUND, f"peak {peak / MiB:.1f} MiB"
    assert (200, "r-big", DEFAULT_LIMIT) == (error.status, error.request_id, error.limit)
    assert isinstance(error, errors.InvalidResponseError)
    assert 1 == requests_before  # never retried
    assert 2 == hostile.connections  # the oversized body's connection was closed


async def test_a_borrowed_session_is_bounded_too(hostile: HostileServer) -> None:
    """A caller's session that decompresses and buffers hugely still stops a bomb at the limit."""
    hostile.respond = answer(bomb(31), Content_Encoding="gzip")
    async with (
        aiohttp.ClientSession(auto_decompress=True, read_bufsize=256 * MiB) as session,
        Paddle(TEST_API_KEY, base_url=hostile.base_url, rate_limit=None, session=session) as paddle,
    ):
        _, peak = await measure(paddle)
    assert peak < BOUND, f"peak {peak / MiB:.1f} MiB"


@pytest.mark.parametrize("size", [1000, 1001])
@pytest.mark.parametrize("coding", ["identity", "gzip"])
async def test_the_limit_is_exact(hostile: HostileServer, size: int, coding: str) -> None:
    """max_response_bytes=1000 accepts a 1000-byte body (decompressed) and refuses 1001."""
    body = EMPTY_PAGE + b" " * (size - len(EMPTY_PAGE))
    wire = gzip.compress(body) if coding == "gzip" else body
    hostile.respond = answer(wire, Content_Encoding=coding)
    async with Paddle(
        TEST_API_KEY, base_url=hostile.base_url, rate_limit=None, max_response_bytes=1000
    ) as paddle:
        if size <= 1000:
            assert [] == await list_all(paddle)
        else:
            with pytest.raises(errors.ResponseTooLargeError):
                await list_all(paddle)


PADDED_PAGE = EMPTY_PAGE + b" " * 2000


@pytest.mark.parametrize(
    ("respond", "excerpt"),
    [
        (stream([PADDED_PAGE]), PADDED_PAGE.decode()[:200]),
        (answer(gzip.compress(PADDED_PAGE), Content_Encoding="gzip"), PADDED_PAGE.decode()[:200]),
        (answer(PADDED_PAGE), ""),
    ],
    ids=["streamed", "compressed", "refused on its Content-Length"],
)
async def test_the_excerpt_is_the_start_of_what_was_read(
    hostile: HostileServer, respond: Respond, excerpt: str
) -> None:
    """The excerpt is the body's start; nothing is read when Content-Length alone is too much."""
    hostile.respond = respond
    async with Paddle(
        TEST_API_KEY, base_url=hostile.base_url, rate_limit=None, max_response_bytes=1000
    ) as paddle:
        with pytest.raises(errors.ResponseTooLargeError) as caught:
            await list_all(paddle)
    assert excerpt == caught.value.body_excerpt


@pytest.mark.parametrize(
    ("coding", "wire"),
    [
        ("gzip", gzip.compress(EMPTY_PAGE)),
        ("x-gzip", gzip.compress(EMPTY_PAGE)),
        ("gzip", gzip.compress(EMPTY_PAGE[:50]) + gzip.compress(EMPTY_PAGE[50:])),
        ("deflate", zlib.compress(EMPTY_PAGE)),
        ("deflate", zlib.compress(EMPTY_PAGE, wbits=-15)),
        ("identity", EMPTY_PAGE),
    ],
)
async def test_compressed_answers_are_decoded(
    hostile: HostileServer, coding: str, wire: bytes
) -> None:
    """gzip (one or several members), deflate (zlib or raw) and identity bodies decode."""
    hostile.respond = answer(wire, Content_Encoding=coding)
    async with Paddle(TEST_API_KEY, base_url=hostile.base_url, rate_limit=None) as paddle:
        assert [] == await list_all(paddle)
    assert b"\r\naccept-encoding: gzip, deflate\r\n" in hostile.received[0].head.lower()


@pytest.mark.parametrize(
    ("coding", "wire"),
    [
        ("gzip", gzip.compress(EMPTY_PAGE)[:-9]),
        ("gzip", b"not gzip at all"),
        ("gzip", gzip.compress(EMPTY_PAGE) + b"trailing garbage"),
        ("br", EMPTY_PAGE),
    ],
)
async def test_undecodable_bodies_are_invalid_responses(
    hostile: HostileServer, coding: str, wire: bytes
) -> None:
    """A body cut short, corrupt, with garbage after it, or in an encoding never asked for."""
    hostile.respond = answer(wire, Content_Encoding=coding, Request_Id="r-bad")
    async with Paddle(
        TEST_API_KEY, base_url=hostile.base_url, rate_limit=None, max_retries=0
    ) as paddle:
        with pytest.raises(errors.InvalidResponseError) as caught:
            await list_all(paddle)
    assert (200, "r-bad") == (caught.value.status, caught.value.request_id)
    assert not isinstance(caught.value, errors.ResponseTooLargeError)


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "16MB"])
def test_max_response_bytes_must_be_a_positive_integer(value: object) -> None:
    """Anything but a positive whole number is a configuration error."""
    with pytest.raises(errors.ConfigurationError, match="max_response_bytes"):
        Paddle(TEST_API_KEY, max_response_bytes=value)  # type: ignore[arg-type]
