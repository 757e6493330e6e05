"""Shared fixtures: a FakePaddle server on a free loopback port, a client pointed at it, a hostile
server, and a suite-wide guard that no log record or exception text ever shows an API key."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from hostile import HostileServer

from paddle_async import Paddle, _json
from paddle_async.errors import PaddleError
from paddle_async.testing import FakePaddle, instant_retries

# Every test key ends with this; the visible prefix (pdl_sdbx_apikey_01…) never includes it.
KEY_SECRET_PART = "FakeKeyForTestsOnly"


@pytest.fixture(autouse=True)
def retry_waits() -> Iterator[list[float]]:
    """Skip retry waits in every test, recording what would have been waited."""
    with instant_retries() as waits:
        yield waits


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _texts_of(error: BaseException) -> Iterator[str]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield str(current)
        yield repr(current)
        yield repr(vars(current))
        current = current.__cause__ or current.__context__
    yield "".join(traceback.format_exception(error))


@pytest.fixture(autouse=True)
def no_key_in_logs_or_errors(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail any test whose log records (at any level) or paddle_async errors show a key."""
    handler = _Records()
    logger = logging.getLogger("paddle_async")
    root = logging.getLogger()
    previous_level = logger.level
    logger.setLevel(logging.DEBUG)
    root.addHandler(handler)
    created: list[PaddleError] = []
    original_init = PaddleError.__init__

    def recording_init(self: PaddleError, *args: Any, **kwargs: Any) -> None:
        created.append(self)
        original_init(self, *args, **kwargs)

    monkeypatch.setattr(PaddleError, "__init__", recording_init)
    try:
        yield
    finally:
        root.removeHandler(handler)
        logger.setLevel(previous_level)
    leaks = [r.getMessage() for r in handler.records if KEY_SECRET_PART in r.getMessage()]
    leaks += [
        f"{type(e).__name__}: {text[:120]}"
        for e in created
        for text in _texts_of(e)
        if KEY_SECRET_PART in text
    ]
    assert [] == leaks


@pytest.fixture
async def fake() -> AsyncIterator[FakePaddle]:
    """A FakePaddle server, started on 127.0.0.1 and stopped after the test."""
    async with FakePaddle() as server:
        yield server


@pytest.fixture
async def paddle(fake: FakePaddle) -> AsyncIterator[Paddle]:
    """A client for `fake`, without client-side pacing (tests of the limiter make their own)."""
    async with Paddle(fake.api_key, base_url=fake.base_url, rate_limit=None) as client:
        yield client


@pytest.fixture
async def hostile() -> AsyncIterator[HostileServer]:
    """A hostile server (tests/hostile.py) on a free loopback port, stopped after the test."""
    async with HostileServer() as server:
        yield server


@pytest.fixture(autouse=True)
def no_paddle_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test (and the processes it starts) without the shell's PADDLE_* variables."""
    for name in (
        "PADDLE_API_KEY",
        "PADDLE_ENVIRONMENT",
        "PADDLE_BASE_URL",
        "PADDLE_WEBHOOK_SECRET",
    ):
        monkeypatch.delenv(name, raising=False)


def _decoders() -> list[Any]:
    found: list[Any] = [pytest.param(json.loads, id="stdlib")]
    try:
        import orjson
    except ImportError:
        return found
    return [*found, pytest.param(orjson.loads, id="orjson")]


@pytest.fixture(params=_decoders())
def json_decoder(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Callable[[Any], Any]:
    """Decode responses with the standard library, then with orjson when it is installed."""
    decode: Callable[[Any], Any] = request.param
    monkeypatch.setattr(_json, "_decode", decode)
    return decode
