"""Creating a client: environments, keys, base URLs, and never showing the key."""

from __future__ import annotations

import pytest

from paddle_async import Environment, Paddle, Timeout
from paddle_async.errors import ConfigurationError

SANDBOX_KEY = "pdl_sdbx_apikey_01fakefakefakefakefakefake_FakeKeyForTestsOnly000_xyz"
LIVE_KEY = "pdl_live_apikey_01fakefakefakefakefakefake_FakeKeyForTestsOnly000_xyz"
LEGACY_KEY = "f" * 50


def test_environment_urls() -> None:
    """The two environments point at Paddle's two API hosts."""
    assert "https://api.paddle.com" == Environment.PRODUCTION.base_url
    assert "https://sandbox-api.paddle.com" == Environment.SANDBOX.base_url


@pytest.mark.parametrize(
    ("key", "expected"),
    [(SANDBOX_KEY, Environment.SANDBOX), (LIVE_KEY, Environment.PRODUCTION)],
)
def test_new_keys_name_their_environment(key: str, expected: Environment) -> None:
    """A new-format key without an explicit environment picks its own."""
    assert expected.base_url == Paddle(key).base_url


@pytest.mark.parametrize(
    ("key", "environment"),
    [(SANDBOX_KEY, Environment.PRODUCTION), (LIVE_KEY, Environment.SANDBOX)],
)
def test_key_for_the_other_environment_is_refused(key: str, environment: Environment) -> None:
    """A key used against the other environment raises before any request."""
    with pytest.raises(ConfigurationError, match="invalid_token"):
        Paddle(key, environment=environment)


def test_key_for_the_other_environment_url_is_refused() -> None:
    """The same check applies when the environment's URL is given as base_url."""
    with pytest.raises(ConfigurationError):
        Paddle(SANDBOX_KEY, base_url="https://api.paddle.com/")


def test_legacy_key_needs_an_environment() -> None:
    """A 50-character legacy key works with an explicit environment only."""
    with pytest.raises(ConfigurationError, match="environment"):
        Paddle(LEGACY_KEY)
    assert (
        Environment.PRODUCTION.base_url
        == Paddle(LEGACY_KEY, environment=Environment.PRODUCTION).base_url
    )


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080", "http://localhost:1/", "http://[::1]:9", "https://proxy.example"],
)
def test_base_url_accepts_https_and_loopback_http(url: str) -> None:
    """https anywhere, plain http only on loopback."""
    assert url.rstrip("/") == Paddle(SANDBOX_KEY, base_url=url).base_url


@pytest.mark.parametrize(
    "url", ["http://proxy.example", "http://10.0.0.1", "ftp://x", "https://x/?a=1", "nonsense"]
)
def test_base_url_refuses_cleartext_and_junk(url: str) -> None:
    """Plain http to a non-loopback host would leak the key, so it is refused."""
    with pytest.raises(ConfigurationError):
        Paddle(SANDBOX_KEY, base_url=url)


def test_environment_and_base_url_together_are_refused() -> None:
    """Passing both is ambiguous."""
    with pytest.raises(ConfigurationError):
        Paddle(SANDBOX_KEY, environment=Environment.SANDBOX, base_url="https://x.example")


@pytest.mark.parametrize("key", ["", "   ", f"{SANDBOX_KEY}\n", f"Bearer {SANDBOX_KEY}"])
def test_malformed_keys_are_refused(key: str) -> None:
    """Empty keys and keys with whitespace (header injection) are refused."""
    with pytest.raises(ConfigurationError):
        Paddle(key, environment=Environment.SANDBOX)


def test_repr_shows_only_the_key_prefix() -> None:
    """repr shows the first characters of the key, never the rest."""
    text = repr(Paddle(SANDBOX_KEY))
    assert "pdl_sdbx_apikey_01…" in text
    assert SANDBOX_KEY not in text
    assert "FakeKeyForTestsOnly" not in text


def test_timeout_coercion() -> None:
    """A number sets the total timeout; defaults are finite."""
    assert Timeout(total=30.0, connect=5.0) == Timeout.coerce(None)
    assert Timeout(total=2.0, connect=2.0) == Timeout.coerce(2)
    with pytest.raises(ValueError, match="positive"):
        Timeout(total=0)
