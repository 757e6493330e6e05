"""The transport against a hostile server: how failures are typed, and what `sent` says."""

from __future__ import annotations

import ast
import asyncio
import builtins
from pathlib import Path

import pytest
from hostile import HostileServer, answer, raw, silent

import paddle_async
from paddle_async import Paddle, Timeout, errors
from paddle_async.testing import TEST_API_KEY

MISSING_ID = "ctm_01zzzzzzzzzzzzzzzzzzzzzzzz"


def test_transport_errors_are_builtin_errors_too() -> None:
    """SDK timeouts and connection errors are builtin ones too; no SDK name shadows a builtin."""
    assert issubclass(errors.APITimeoutError, errors.TransportError)
    assert issubclass(errors.APITimeoutError, builtins.TimeoutError)
    assert issubclass(errors.APIConnectionError, errors.TransportError)
    assert issubclass(errors.APIConnectionError, builtins.ConnectionError)
    assert [] == [name for name in errors.__all__ if hasattr(builtins, name)]


async def test_a_timeout_is_caught_by_except_timeout_error(hostile: HostileServer) -> None:
    """A server that never answers ends in an error that ``except TimeoutError`` catches."""
    hostile.respond = silent
    async with Paddle(
        TEST_API_KEY, base_url=hostile.base_url, timeout=0.2, max_retries=0, rate_limit=None
    ) as paddle:
        with pytest.raises(TimeoutError) as caught:
            await paddle.customers.get(MISSING_ID)
    assert (errors.APITimeoutError, True) == (type(caught.value), caught.value.sent)
    assert f"GET /customers/{MISSING_ID}: no response within 0.2 s" == str(caught.value)


async def test_waiting_for_a_pooled_connection_times_out_as_not_sent(
    hostile: HostileServer,
) -> None:
    """With the pool taken, the connect timeout passes while waiting: the request was not sent."""
    hostile.respond = silent
    timeout = Timeout(total=5.0, connect=0.2)
    async with Paddle(
        TEST_API_KEY,
        base_url=hostile.base_url,
        timeout=timeout,
        max_retries=0,
        max_connections=1,
        rate_limit=None,
    ) as paddle:
        hog = asyncio.create_task(paddle.customers.get(MISSING_ID))
        await hostile.requested()
        with pytest.raises(TimeoutError, match="no connection") as caught:
            await paddle.customers.get(MISSING_ID)
        hog.cancel()
        with pytest.raises(asyncio.CancelledError):
            await hog
    assert (errors.APITimeoutError, False) == (type(caught.value), caught.value.sent)
    assert 1 == len(hostile.received)


@pytest.mark.parametrize(
    "reply",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n{}",
        b"SMTP ready\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{}",
    ],
)
async def test_a_response_that_is_not_http_is_a_connection_error_after_sending(
    hostile: HostileServer, reply: bytes
) -> None:
    """Garbage instead of HTTP, or a body cut short, may follow a processed request: sent=True."""
    hostile.respond = raw(reply)
    async with Paddle(
        TEST_API_KEY, base_url=hostile.base_url, max_retries=0, rate_limit=None
    ) as paddle:
        with pytest.raises(errors.APIConnectionError) as caught:
            await paddle.customers.get(MISSING_ID)
    assert True is caught.value.sent
    assert None is caught.value.__cause__
    assert None is caught.value.__context__


@pytest.mark.parametrize("status", [200, 502])
async def test_body_excerpt_is_the_first_200_characters_as_text(
    hostile: HostileServer, status: int
) -> None:
    """A non-JSON body's excerpt holds its first 200 characters, however many bytes they take."""
    hostile.respond = answer("ü€".encode() * 300, status, Content_Type="text/html")
    async with Paddle(
        TEST_API_KEY, base_url=hostile.base_url, max_retries=0, rate_limit=None
    ) as paddle:
        with pytest.raises((errors.InvalidResponseError, errors.APIError)) as caught:
            await paddle.customers.get(MISSING_ID)
    assert "ü€" * 100 == caught.value.body_excerpt


def test_errors_cut_a_longer_excerpt_to_200_characters() -> None:
    """Whoever builds an error, its excerpt never holds more than 200 characters."""
    invalid = errors.InvalidResponseError("x", status=200, request_id=None, body_excerpt="a" * 999)
    server = errors.ServerError(status=502, body_excerpt="b" * 999)
    assert ("a" * 200, "b" * 200) == (invalid.body_excerpt, server.body_excerpt)


def runtime_imports(package: Path) -> dict[str, set[str]]:
    """Map each module of ``package`` to the top-level packages it imports at run time."""
    found: dict[str, set[str]] = {}
    for path in sorted(package.rglob("*.py")):
        module = ".".join(path.relative_to(package).with_suffix("").parts)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        type_checking = {
            id(node)
            for block in ast.walk(tree)
            if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
            for node in ast.walk(block)
        }
        for node in ast.walk(tree):
            if id(node) in type_checking:
                continue
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            found.setdefault(module, set()).update(name.split(".")[0] for name in names)
    return found


def test_the_session_docstring_names_every_module_importing_aiohttp() -> None:
    """aiohttp and multidict are imported by the transport and the testing tools only."""
    imports = runtime_imports(Path(paddle_async.__file__).parent)
    importing = {
        package: sorted(module for module, names in imports.items() if package in names)
        for package in ("aiohttp", "multidict", "yarl")
    }
    assert {
        "aiohttp": ["_session", "testing._fake", "testing._webhook_sender"],
        "multidict": ["_session"],
        "yarl": ["_client", "_session"],
    } == importing
