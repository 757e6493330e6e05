"""Run the README's code blocks and the files in examples/ as programs, as a user would."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import attrs
import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
# A webhook secret for tests: anything works, Paddle's look like this.
WEBHOOK_SECRET = "pdl_ntfset_01example_test_secret"
# Options for the fresh pytest sessions the tests start: no cache files, and without
# hypothesis's plugin, whose import alone takes 1.7 s of each session here and is not under test.
PYTEST_ARGS = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")
# A pytest-asyncio configuration as users have it (the mode is chosen per run).
PYTEST_INI = """
[pytest]
asyncio_default_fixture_loop_scope = function
filterwarnings = error
"""


@attrs.frozen(kw_only=True)
class Finished:
    """A program's exit status and output."""

    returncode: int
    stdout: str
    stderr: str


def program_env(**variables: str) -> dict[str, str]:
    """Return this process's environment without PADDLE_* variables, plus ``variables``."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("PADDLE_")}
    env["PYTHONUNBUFFERED"] = "1"  # servers' first lines arrive while they run
    env.update(variables)
    return env


async def start(*args: str, env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    """Start ``args`` with piped output and no input."""
    return await asyncio.create_subprocess_exec(
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        stdin=asyncio.subprocess.DEVNULL,
        env=env,
        cwd=cwd,
    )


async def run_program(
    *args: str, env: dict[str, str], cwd: Path, timeout: float = 60.0
) -> Finished:
    """Run ``args`` to its end without blocking the event loop (a FakePaddle may serve it)."""
    process = await start(*args, env=env, cwd=cwd)
    try:
        async with asyncio.timeout(timeout):
            stdout, stderr = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return Finished(returncode=process.returncode, stdout=stdout.decode(), stderr=stderr.decode())


async def run_python(*args: str, env: dict[str, str], cwd: Path) -> Finished:
    """Run this interpreter with ``args``."""
    return await run_program(sys.executable, *args, env=env, cwd=cwd)


def unused_port() -> int:
    """Return a loopback port that was free a moment ago, for a program that takes --port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def serving(
    *args: str, port: int, env: dict[str, str], cwd: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    """Run a server program until it accepts connections on ``port``; Ctrl-C it afterwards.

    The server's exit status is checked to be 0 after the interrupt: it shuts down cleanly.
    Send it a request before leaving the block: a server may install its Ctrl-C handler after
    it starts listening, but surely before it answers.
    """
    process = await start(*args, env=env, cwd=cwd)
    try:
        async with asyncio.timeout(30):
            while True:
                if process.returncode is not None:
                    assert process.stderr is not None
                    pytest.fail(f"{args} exited: {(await process.stderr.read()).decode()}")
                try:
                    _, writer = await asyncio.open_connection("127.0.0.1", port)
                except OSError:
                    await asyncio.sleep(0.05)
                    continue
                writer.close()
                await writer.wait_closed()
                break
        yield process
        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(15):
            _, stderr = await process.communicate()
        assert 0 == process.returncode, stderr.decode()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
