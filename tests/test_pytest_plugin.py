"""The pytest plugin (``fake_paddle``, ``paddle_client``, ...), run in fresh pytest sessions."""

from __future__ import annotations

import pytest
from program_runs import EXAMPLES, PYTEST_ARGS, PYTEST_INI

pytest_plugins = ["pytester"]

EXAMPLE = EXAMPLES / "test_with_fake_paddle.py"
SEEDING = """
import pytest

pytestmark = pytest.mark.asyncio


async def test_no_customers_by_default(fake_paddle):
    assert [] == fake_paddle.customers()


@pytest.mark.fake_paddle(seed=4, archived_every=2)
async def test_marker_seeds(fake_paddle):
    assert ["active", "archived"] * 2 == [c["status"] for c in fake_paddle.customers()]


@pytest.mark.fake_paddle(5)
async def test_positional_marker_argument(fake_paddle):
    pass


@pytest.mark.fake_paddle(seed=1, customers=5)
async def test_unknown_marker_keyword(fake_paddle):
    pass
"""
OVERRIDE = """
import pytest

pytestmark = pytest.mark.asyncio


@pytest.fixture
def fake_paddle_seed():
    return 7


async def test_override(fake_paddle):
    assert 7 == len(fake_paddle.customers())


@pytest.mark.fake_paddle(seed=2)
async def test_marker_wins_over_override(fake_paddle):
    assert 2 == len(fake_paddle.customers())
"""
LIGHT = """
import sys


def test_plugin_loaded_without_the_sdk(request):
    assert request.config.pluginmanager.hasplugin("paddle_async")
    assert [] == [name for name in ("paddle_async", "aiohttp") if name in sys.modules]


def test_uses_the_fake(fake_paddle):
    pass


def test_uses_the_client(paddle_client):
    pass
"""


@pytest.fixture
def session(pytester: pytest.Pytester) -> pytest.Pytester:
    """A fresh project directory with a user's usual pytest-asyncio settings."""
    pytester.makeini(PYTEST_INI)
    return pytester


def lines_starting(result: pytest.RunResult, prefix: str) -> list[str]:
    """Return the output lines of a pytester run that start with ``prefix``."""
    return [line for line in result.outlines if line.startswith(prefix)]


@pytest.mark.parametrize("mode", ["strict", "auto"])
def test_fixtures_work_in_both_modes(session: pytest.Pytester, mode: str) -> None:
    """The example file, seeding by marker and by override pass under strict and auto mode."""
    session.makepyfile(
        test_with_fake_paddle=EXAMPLE.read_text(encoding="utf-8"),
        test_seeding=SEEDING,
        test_override=OVERRIDE,
    )
    result = session.runpytest_subprocess(*PYTEST_ARGS, "-o", f"asyncio_mode={mode}")
    result.assert_outcomes(passed=6 + 2 + 2, errors=2)
    assert [
        "@pytest.mark.fake_paddle takes the keywords seed= and archived_every= only, got [5]",
        "@pytest.mark.fake_paddle takes the keywords seed= and archived_every= only, "
        "got ['customers']",
    ] == lines_starting(result, "@pytest.mark.fake_paddle")


def test_loading_the_plugin_imports_no_sdk(session: pytest.Pytester) -> None:
    """A session that uses no fixture of the plugin never imports paddle_async or aiohttp."""
    session.makepyfile(test_light=LIGHT)
    result = session.runpytest_subprocess(*PYTEST_ARGS, "-k", "without_the_sdk")
    result.assert_outcomes(passed=1, deselected=2)


def test_without_pytest_asyncio_the_fixtures_say_why(pytester: pytest.Pytester) -> None:
    """With pytest-asyncio absent, the session still runs; each fixture fails with the reason."""
    pytester.makeini("[pytest]\nfilterwarnings = error\n")
    # Shadow the installed package so that any import of it fails, as if it were not installed.
    pytester.makepyfile(pytest_asyncio="raise ImportError('pytest-asyncio is not installed')")
    pytester.makepyfile(test_light=LIGHT)
    result = pytester.runpytest_subprocess(*PYTEST_ARGS, "-p", "no:asyncio")
    result.assert_outcomes(passed=1, errors=2)
    assert [
        f"the {name} fixture needs pytest-asyncio, which is not active in this session: "
        "pip install pytest-asyncio (and do not disable it with -p no:asyncio)"
        for name in ("fake_paddle", "paddle_client")
    ] == lines_starting(result, "the ")
