"""paddle_async's pytest plugin: a FakePaddle and a client on it as fixtures for your tests.

pytest loads this module for every session once paddle-async is installed (the ``pytest11``
entry point ``paddle_async``; ``-p no:paddle_async`` turns it off). It lives outside the
``paddle_async`` package and imports nothing but pytest at load time, because importing the
SDK (aiohttp included) costs about half a second that a session not using these fixtures must
not pay. The fixtures import the SDK when a test first asks for one.

Fixtures:
    fake_paddle: A started `paddle_async.testing.FakePaddle`, stopped after the test; seeded
        by ``@pytest.mark.fake_paddle(seed=N)`` or by overriding ``fake_paddle_seed``.
    paddle_client: A `paddle_async.Paddle` on ``fake_paddle`` with pacing off and retry
        waits skipped.
    fake_paddle_env: ``fake_paddle``, with ``PADDLE_API_KEY`` and ``PADDLE_BASE_URL`` set to
        it for the test, so code that builds its own ``Paddle()`` reaches the fake.
    paddle_retry_waits: Skips the SDK's retry waits during the test and records them.
    fake_paddle_seed: How many customers ``fake_paddle`` starts with (0 unless overridden).

The async fixtures run under pytest-asyncio, in strict and auto mode alike, on the event loop
that ``asyncio_default_fixture_loop_scope`` names (the test's own loop by default).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from paddle_async import Paddle
    from paddle_async.testing import FakePaddle

MARKER = "fake_paddle"
_MARKER_HELP = (
    f"{MARKER}(seed=0, archived_every=0): how the fake_paddle fixture seeds its customers "
    "(see FakePaddle.seed)"
)
_SEED_OPTIONS = frozenset({"seed", "archived_every"})
_NEEDS_ASYNCIO = (
    "the {name} fixture needs pytest-asyncio, which is not active in this session: "
    "pip install pytest-asyncio (and do not disable it with -p no:asyncio)"
)


def pytest_configure(config: pytest.Config) -> None:
    """Declare the marker and register the async fixtures that fit this session."""
    config.addinivalue_line("markers", _MARKER_HELP)
    fixtures = _async_fixtures() if config.pluginmanager.hasplugin("asyncio") else _Unavailable()
    config.pluginmanager.register(fixtures, "paddle_async.fixtures")


@pytest.fixture
def fake_paddle_seed() -> int:
    """Return how many customers ``fake_paddle`` starts with; override it to change that."""
    return 0


@pytest.fixture
def paddle_retry_waits() -> Iterator[list[float]]:
    """Skip paddle_async's retry waits during the test; yield the waits that were skipped."""
    from paddle_async.testing import instant_retries

    with instant_retries() as waits:
        yield waits


def _seed_options(request: pytest.FixtureRequest, default_seed: int) -> dict[str, Any]:
    marker = request.node.get_closest_marker(MARKER)
    options: dict[str, Any] = {"seed": default_seed}
    if marker is not None:
        unknown = sorted(set(marker.kwargs) - _SEED_OPTIONS)
        if marker.args or unknown:
            pytest.fail(
                f"@pytest.mark.{MARKER} takes the keywords seed= and archived_every= only, "
                f"got {[*marker.args, *unknown]}",
                pytrace=False,
            )
        options.update(marker.kwargs)
    return options


def _async_fixtures() -> object:
    """Return the plugin object holding the async fixtures (pytest-asyncio must be active)."""
    # Imported here, not at module level: once its plugin is active it is loaded already, and
    # a session without it never comes here.
    import pytest_asyncio

    class AsyncFixtures:
        @pytest_asyncio.fixture
        async def fake_paddle(
            self, request: pytest.FixtureRequest, fake_paddle_seed: int
        ) -> AsyncIterator[FakePaddle]:
            """Yield a FakePaddle started on 127.0.0.1, seeded, and stopped after the test."""
            from paddle_async.testing import FakePaddle

            options = _seed_options(request, fake_paddle_seed)
            async with FakePaddle() as fake:
                seed = options.pop("seed")
                if seed:
                    fake.seed(seed, **options)
                yield fake

        @pytest_asyncio.fixture
        async def paddle_client(
            self, fake_paddle: FakePaddle, paddle_retry_waits: list[float]
        ) -> AsyncIterator[Paddle]:
            """Yield a client on ``fake_paddle``: no pacing, retries without waiting."""
            from paddle_async import Paddle

            async with Paddle(
                fake_paddle.api_key, base_url=fake_paddle.base_url, rate_limit=None
            ) as client:
                yield client

        @pytest.fixture
        def fake_paddle_env(
            self, fake_paddle: FakePaddle, monkeypatch: pytest.MonkeyPatch
        ) -> FakePaddle:
            """Point ``PADDLE_API_KEY`` and ``PADDLE_BASE_URL`` at ``fake_paddle`` for the test."""
            monkeypatch.setenv("PADDLE_API_KEY", fake_paddle.api_key)
            monkeypatch.setenv("PADDLE_BASE_URL", fake_paddle.base_url)
            monkeypatch.delenv("PADDLE_ENVIRONMENT", raising=False)
            return fake_paddle

    return AsyncFixtures()


class _Unavailable:
    """Stand-ins that fail with the reason, for sessions without pytest-asyncio."""

    @pytest.fixture
    def fake_paddle(self) -> None:
        """Fail: FakePaddle runs on the test's event loop, which needs pytest-asyncio."""
        pytest.fail(_NEEDS_ASYNCIO.format(name="fake_paddle"), pytrace=False)

    @pytest.fixture
    def paddle_client(self) -> None:
        """Fail: the client runs on the test's event loop, which needs pytest-asyncio."""
        pytest.fail(_NEEDS_ASYNCIO.format(name="paddle_client"), pytrace=False)

    @pytest.fixture
    def fake_paddle_env(self) -> None:
        """Fail: FakePaddle runs on the test's event loop, which needs pytest-asyncio."""
        pytest.fail(_NEEDS_ASYNCIO.format(name="fake_paddle_env"), pytrace=False)
