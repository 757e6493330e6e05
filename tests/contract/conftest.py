"""Fixtures for the contract tests: Prism started once for them all, a FakePaddle behind its
proxy for each test, and a check after every test that Prism found no violation.

Without Prism (``npm ci`` not run) these tests skip, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest

from paddle_async import Paddle
from paddle_async.testing import TEST_API_KEY, FakePaddle

from .prism import PrismError, Recorder, Violation, Wire, missing_prerequisite

ENABLE_HINT = "run `npm ci` in the repository root (Node.js 18.20 or newer) to enable them"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def skip_module_without_prism() -> None:
    """Skip the calling test module when Prism cannot run here, unless under CI.

    Called at import, so a local run shows one skip per module, not one per test. Under CI the
    `prism` fixture fails every test instead.
    """
    problem = missing_prerequisite()
    if problem is not None and not _in_ci():
        pytest.skip(
            f"contract tests need Stoplight Prism: {problem}; {ENABLE_HINT}",
            allow_module_level=True,
        )


class Contract:
    """One test's view of a Prism server: where to send requests, and what Prism objected to.

    Attributes:
        base_url: The recorder in front of Prism: point a client here.
        direct_url: The server behind Prism (this test's FakePaddle), or None in mock mode.
    """

    def __init__(self, recorder: Recorder, direct_url: str | None) -> None:
        self._recorder = recorder
        self.base_url = recorder.url
        self.direct_url = direct_url

    def take(self) -> list[Violation]:
        """Return the violations seen since the last call; a test claims the ones it expects."""
        return self._recorder.take()


def _check_none_left(contract: Contract) -> None:
    left = [str(violation) for violation in contract.take()]
    assert [] == left, "Prism reported spec violations:\n" + "\n".join(left)


# Package scope: started once, before the first contract test, and stopped (freeing two node
# processes) right after the last, rather than idling through the rest of the suite.
@pytest.fixture(scope="package")
def prism(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Wire]:
    """Prism's proxy and mock servers with their recorders, started once for these tests."""
    problem = missing_prerequisite()
    if problem is not None:
        message = f"contract tests need Stoplight Prism: {problem}; {ENABLE_HINT}"
        if _in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    wire = Wire(log_dir=tmp_path_factory.mktemp("prism"))
    try:
        wire.start()
    except PrismError as error:
        wire.close()
        pytest.fail(str(error), pytrace=False)
    yield wire
    wire.close()


@pytest.fixture
def contract(prism: Wire, fake: FakePaddle) -> Iterator[Contract]:
    """``prism proxy --errors`` in front of this test's FakePaddle; no violation may be left."""
    prism.proxy.take()
    prism.upstream.target = fake.base_url
    contract = Contract(prism.proxy, direct_url=fake.base_url)
    yield contract
    prism.upstream.target = None
    _check_none_left(contract)


@pytest.fixture
def mock_contract(prism: Wire) -> Iterator[Contract]:
    """``prism mock --errors``, answering from the spec's examples; no violation may be left."""
    prism.mock.take()
    contract = Contract(prism.mock, direct_url=None)
    yield contract
    _check_none_left(contract)


@pytest.fixture
async def paddle(fake: FakePaddle, contract: Contract) -> AsyncIterator[Paddle]:
    """A client whose requests go through Prism's proxy to `fake`; no retries, so every
    violation surfaces on the attempt that caused it."""
    async with Paddle(
        fake.api_key, base_url=contract.base_url, rate_limit=None, max_retries=0
    ) as client:
        yield client


@pytest.fixture
async def mock_paddle(mock_contract: Contract) -> AsyncIterator[Paddle]:
    """A client of Prism's mock server."""
    async with Paddle(
        TEST_API_KEY, base_url=mock_contract.base_url, rate_limit=None, max_retries=0
    ) as client:
        yield client
