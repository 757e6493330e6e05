"""Configuration mistakes (base_url, timeouts) raise ConfigurationError with a one-line reason
when the client is made, never a raw ValueError at the first request."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import pytest
from hostile import HostileServer

from paddle_async import Paddle, Timeout
from paddle_async.errors import ConfigurationError
from paddle_async.testing import TEST_API_KEY


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://user:secret-pw@proxy.example", "must not contain user:password@"),
        ("https://:secret-pw@proxy.example/", "must not contain user:password@"),
        ("https://@proxy.example", "must not contain user:password@"),
        ("ftp://user:secret-pw@proxy.example", "must be an http(s) URL"),
        ("https://proxy.example:99999", "not a valid URL"),
        ("https://proxy.example:https", "not a valid URL"),
        ("https://proxy.example:0", "port 0"),
        ("https://proxy .example", "whitespace"),
        ("https://proxy.example/a b", "whitespace"),
        ("https://proxy.example/\t", "whitespace"),
        ("https://proxy.example\r\nX-Evil: 1", "whitespace"),
        ("https://proxy.example/\x00", "control characters"),
        ("https://proxy\u200b.example", "control characters"),
        ("https://proxy.example\\@evil.example", "backslashes"),
        ("https://[::1", "not a valid URL"),
        ("https://a..example", "must name a host"),
        ("https://" + "a" * 64 + ".example", "must name a host"),
        ("https://-proxy.example", "must name a host"),
        ("https:///customers", "must name a host"),
        ("https://proxy.example/p?x=1", "query or fragment"),
        ("https://proxy.example/p?", "query or fragment"),
        ("https://proxy.example/#top", "query or fragment"),
        ("proxy.example", "must be an http(s) URL"),
        (b"https://proxy.example", "must be a string"),
    ],
)
def test_base_url_mistakes_are_configuration_errors(url: str, reason: str) -> None:
    """Each mistake is refused at construction, in one line that never repeats a password."""
    with pytest.raises(ConfigurationError) as caught:
        Paddle(TEST_API_KEY, base_url=url)
    message = str(caught.value)
    assert reason in message
    assert "\n" not in message
    assert "secret-pw" not in message


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("https://Bücher.example/pä/", "https://xn--bcher-kva.example/p%C3%A4"),
        ("HTTPS://PROXY.EXAMPLE:443/", "https://proxy.example"),
        ("https://proxy.example:8443/paddle/", "https://proxy.example:8443/paddle"),
        ("http://[::1]:9/prefix/", "http://[::1]:9/prefix"),
        ("https://paddle_proxy:8080", "https://paddle_proxy:8080"),
        ("https://" + "a" * 63 + ".example", "https://" + "a" * 63 + ".example"),
    ],
)
def test_base_url_is_kept_as_it_goes_on_the_wire(url: str, normalised: str) -> None:
    """Accepted URLs are normalised as aiohttp sends them: IDNA host, percent-encoded path."""
    assert normalised == Paddle(TEST_API_KEY, base_url=url).base_url


def test_the_production_url_in_another_spelling_still_checks_the_key() -> None:
    """A sandbox key against Paddle's production host, however it is spelt, is refused."""
    with pytest.raises(ConfigurationError, match="invalid_token"):
        Paddle(TEST_API_KEY, base_url="HTTPS://API.PADDLE.COM:443/")


async def test_a_base_path_with_non_ascii_reaches_the_wire_encoded(hostile: HostileServer) -> None:
    """A base path in Unicode is sent percent-encoded in the request line."""
    base_url = f"{hostile.base_url}/präfix"
    async with Paddle(TEST_API_KEY, base_url=base_url, rate_limit=None) as paddle:
        await paddle.customers.list().collect()
    assert hostile.received[0].head.startswith(b"GET /pr%C3%A4fix/customers HTTP/1.1\r\n")


@pytest.mark.parametrize(
    "timeout",
    [0, -1, math.inf, math.nan, "5", True, [5]],
)
def test_timeout_mistakes_are_configuration_errors(timeout: object) -> None:
    """A timeout that is not a positive, finite number of seconds is refused at construction."""
    with pytest.raises(ConfigurationError, match="timeout"):
        Paddle(TEST_API_KEY, timeout=timeout)  # type: ignore[arg-type]


@pytest.mark.parametrize("field", ["total", "connect"])
def test_an_infinite_timeout_is_refused(field: str) -> None:
    """Infinity would fail inside aiohttp at the first request; None is how to say no limit."""
    with pytest.raises(ConfigurationError, match=f"timeout {field}"):
        Timeout(**{field: math.inf})


def test_the_command_line_reports_a_base_url_mistake_in_one_line() -> None:
    """paddle-async --base-url with user:password@ exits 1 with one line naming the mistake."""
    env = {**os.environ, "PADDLE_API_KEY": TEST_API_KEY}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "paddle_async.cli",
            "--base-url",
            "https://user:secret-pw@proxy.example",
            "customers",
            "list",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert (1, "") == (result.returncode, result.stdout)
    assert [
        "paddle-async: error: base_url must not contain user:password@ "
        "(the API key is the only credential sent)"
    ] == result.stderr.splitlines()
