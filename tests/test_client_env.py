"""`Paddle()` without arguments: the key, environment and base URL from environment variables."""

from __future__ import annotations

from typing import Any

import pytest

from paddle_async import Environment, Paddle
from paddle_async.customers import ListCustomers
from paddle_async.errors import ConfigurationError
from paddle_async.testing import FakePaddle

SANDBOX_KEY = "pdl_sdbx_apikey_01fakefakefakefakefakefake_FakeKeyForTestsOnly000_xyz"
LIVE_KEY = "pdl_live_apikey_01fakefakefakefakefakefake_FakeKeyForTestsOnly000_xyz"
LEGACY_KEY = "FakeKeyForTestsOnly" + "f" * 31


def configuration_error(**arguments: Any) -> str:
    """Return the message of the `ConfigurationError` that `Paddle(**arguments)` raises."""
    with pytest.raises(ConfigurationError) as raised:
        Paddle(**arguments)
    return str(raised.value)


def test_key_from_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a key argument, the key comes from PADDLE_API_KEY and names its environment."""
    monkeypatch.setenv("PADDLE_API_KEY", SANDBOX_KEY)
    paddle = Paddle()
    assert (Environment.SANDBOX.base_url, "pdl_sdbx_apikey_01…") == (
        paddle.base_url,
        repr(paddle).split("api_key=")[1].strip("')"),
    )


def test_key_argument_wins_over_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """An explicit key is used even when PADDLE_API_KEY holds another one."""
    monkeypatch.setenv("PADDLE_API_KEY", LIVE_KEY)
    assert Environment.SANDBOX.base_url == Paddle(SANDBOX_KEY).base_url


@pytest.mark.parametrize("value", [None, "", "   "])
def test_no_key_at_all_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    """No key argument and no usable PADDLE_API_KEY: the error says how to give one."""
    if value is not None:
        monkeypatch.setenv("PADDLE_API_KEY", value)
    message = configuration_error()
    assert message.startswith("no API key: pass Paddle(api_key) or set PADDLE_API_KEY")
    assert ("set but empty" in message) == (value is not None)


def test_legacy_key_takes_its_environment_from_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A key that does not name its environment uses PADDLE_ENVIRONMENT (any letter case)."""
    monkeypatch.setenv("PADDLE_API_KEY", LEGACY_KEY)
    monkeypatch.setenv("PADDLE_ENVIRONMENT", "Production")
    assert Environment.PRODUCTION.base_url == Paddle().base_url
    monkeypatch.setenv("PADDLE_ENVIRONMENT", "sandbox")
    assert Environment.SANDBOX.base_url == Paddle().base_url


def test_legacy_key_without_any_environment_names_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The error for a legacy key without an environment mentions PADDLE_ENVIRONMENT too."""
    monkeypatch.setenv("PADDLE_API_KEY", LEGACY_KEY)
    message = configuration_error()
    assert "PADDLE_ENVIRONMENT" in message
    assert "(read from PADDLE_API_KEY)" in message


def test_environment_argument_wins_over_the_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """environment= overrides PADDLE_ENVIRONMENT and makes PADDLE_BASE_URL irrelevant."""
    monkeypatch.setenv("PADDLE_ENVIRONMENT", "production")
    monkeypatch.setenv("PADDLE_BASE_URL", "http://127.0.0.1:9")
    assert (
        Environment.SANDBOX.base_url == Paddle(LEGACY_KEY, environment=Environment.SANDBOX).base_url
    )


def test_base_url_argument_wins_over_the_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """base_url= overrides PADDLE_BASE_URL and makes PADDLE_ENVIRONMENT irrelevant."""
    monkeypatch.setenv("PADDLE_ENVIRONMENT", "production")
    monkeypatch.setenv("PADDLE_BASE_URL", "http://127.0.0.1:9")
    assert "http://127.0.0.1:8" == Paddle(SANDBOX_KEY, base_url="http://127.0.0.1:8").base_url


def test_unknown_environment_value_names_the_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    """PADDLE_ENVIRONMENT takes sandbox or production; anything else is refused with both names."""
    monkeypatch.setenv("PADDLE_ENVIRONMENT", "prod")
    assert "PADDLE_ENVIRONMENT must be sandbox or production" == configuration_error(
        api_key=SANDBOX_KEY
    )


def test_variable_environment_for_the_other_key_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A sandbox key with PADDLE_ENVIRONMENT=production is refused, naming the variables read."""
    monkeypatch.setenv("PADDLE_API_KEY", SANDBOX_KEY)
    monkeypatch.setenv("PADDLE_ENVIRONMENT", "production")
    message = configuration_error()
    assert "invalid_token" in message
    assert message.endswith("(read from PADDLE_API_KEY and PADDLE_ENVIRONMENT)")


def test_base_url_from_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """PADDLE_BASE_URL points a client anywhere, also one given its key as an argument."""
    monkeypatch.setenv("PADDLE_BASE_URL", "http://127.0.0.1:9/")
    assert "http://127.0.0.1:9" == Paddle(SANDBOX_KEY).base_url


@pytest.mark.parametrize("url", ["http://proxy.example", "ftp://x", "https://x/?a=1"])
def test_variable_base_url_keeps_the_cleartext_rule(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    """Plain http from PADDLE_BASE_URL is refused off loopback, as for the argument."""
    monkeypatch.setenv("PADDLE_BASE_URL", url)
    assert configuration_error(api_key=SANDBOX_KEY).endswith("(read from PADDLE_BASE_URL)")


def test_a_bad_base_url_argument_does_not_blame_the_key_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the key from PADDLE_API_KEY, a bad base_url= argument names no variable."""
    monkeypatch.setenv("PADDLE_API_KEY", SANDBOX_KEY)
    message = configuration_error(base_url="https://user:secret@proxy.example")
    assert "read from" not in message
    assert "secret" not in message


def test_a_bad_key_argument_does_not_blame_the_location_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the base URL from PADDLE_BASE_URL, a bad key argument names no variable."""
    monkeypatch.setenv("PADDLE_BASE_URL", "http://127.0.0.1:9")
    assert "read from" not in configuration_error(api_key=" ")


def test_both_location_variables_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """PADDLE_ENVIRONMENT and PADDLE_BASE_URL together are as ambiguous as both arguments."""
    monkeypatch.setenv("PADDLE_ENVIRONMENT", "sandbox")
    monkeypatch.setenv("PADDLE_BASE_URL", "https://proxy.example")
    message = configuration_error(api_key=SANDBOX_KEY)
    assert message.endswith("(read from PADDLE_ENVIRONMENT and PADDLE_BASE_URL)")


@pytest.mark.parametrize("suffix", ["\r", "\n", " "])
def test_malformed_variable_key_is_named_not_shown(
    monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    """A key with a stray line ending (a .env file written on Windows) is refused, unshown."""
    monkeypatch.setenv("PADDLE_API_KEY", SANDBOX_KEY + suffix)
    message = configuration_error()
    assert "(read from PADDLE_API_KEY)" in message
    assert "FakeKeyForTestsOnly" not in message


async def test_variables_alone_reach_a_fake_paddle(
    monkeypatch: pytest.MonkeyPatch, fake: FakePaddle
) -> None:
    """PADDLE_API_KEY and PADDLE_BASE_URL are enough to use a FakePaddle (as README examples do)."""
    fake.seed(3)
    monkeypatch.setenv("PADDLE_API_KEY", fake.api_key)
    monkeypatch.setenv("PADDLE_BASE_URL", fake.base_url)
    async with Paddle(rate_limit=None) as paddle:
        emails = [c.email async for c in paddle.customers.list(ListCustomers(order_by="id[ASC]"))]
    assert ["customer0@example.com", "customer1@example.com", "customer2@example.com"] == emails
