"""Every file in examples/ runs as its docstring says, offline, against a FakePaddle."""

from __future__ import annotations

import sys
from pathlib import Path

import aiohttp
import pytest
from program_runs import (
    EXAMPLES,
    WEBHOOK_SECRET,
    program_env,
    run_python,
    serving,
    unused_port,
)

from paddle_async import Paddle
from paddle_async.customers import CreateCustomer, UpdateCustomer
from paddle_async.testing import FakePaddle, WebhookSender, sign
from paddle_async.webhooks import SIGNATURE_HEADER

WEBHOOK_EXAMPLES = ["webhook_aiohttp.py", "webhook_fastapi.py"]
# The test that runs each example; a new file in examples/ must be added here.
RUN_BY = {
    "quickstart.py": "test_quickstart_runs_offline",
    "webhook_aiohttp.py": "test_webhook_example_answers_signed_deliveries",
    "webhook_fastapi.py": "test_webhook_example_answers_signed_deliveries",
    "test_with_fake_paddle.py": "test_pytest_plugin.py::test_fixtures_work_in_both_modes",
}


def test_every_example_is_run() -> None:
    """Each file in examples/ is one that a test here (or named here) runs."""
    files = sorted(path.name for path in EXAMPLES.iterdir() if path.suffix == ".py")
    assert sorted(RUN_BY) == files


async def test_quickstart_runs_offline(tmp_path: Path) -> None:
    """quickstart.py starts its own FakePaddle and tours the five operations."""
    result = await run_python(str(EXAMPLES / "quickstart.py"), env=program_env(), cwd=tmp_path)
    assert (0, "") == (result.returncode, result.stderr)
    steps = ["FakePaddle", "created", "got", "updated", "balance", "conflict", "not", "listed"]
    assert steps == [line.split()[0] for line in result.stdout.splitlines()]
    assert "listed    451 customers in 3 pages" in result.stdout


@pytest.mark.parametrize("example", WEBHOOK_EXAMPLES)
async def test_webhook_example_answers_signed_deliveries(
    example: str, tmp_path: Path, fake: FakePaddle, paddle: Paddle
) -> None:
    """Signed deliveries get 200, a wrong signature 401, a signed non-JSON body 400."""
    port = unused_port()
    url = f"http://127.0.0.1:{port}/paddle/webhooks"
    env = program_env(PADDLE_WEBHOOK_SECRET=f"pdl_ntfset_01old_secret, {WEBHOOK_SECRET}")
    command = [sys.executable, str(EXAMPLES / example), "--port", str(port)]
    async with serving(*command, port=port, env=env, cwd=tmp_path):
        async with WebhookSender(url, WEBHOOK_SECRET) as sender:
            sender.attach(fake)
            customer = await paddle.customers.create(CreateCustomer(email="ada@example.com"))
            await paddle.customers.update(customer.id, UpdateCustomer(name="Ada"))
            deliveries = await sender.wait_for(2)
        async with WebhookSender(url, "pdl_ntfset_01not_the_secret") as stranger:
            forged = await stranger.redeliver(deliveries[0])
        async with aiohttp.ClientSession() as session:
            body = b"not a notification"
            headers = {SIGNATURE_HEADER: sign(body, WEBHOOK_SECRET)}
            async with session.post(url, data=body, headers=headers) as response:
                unreadable = response.status
    assert ([200, 200], 401, 400) == (
        [delivery.status for delivery in deliveries],
        forged.status,
        unreadable,
    )


@pytest.mark.parametrize("example", WEBHOOK_EXAMPLES)
async def test_webhook_example_without_secret_says_so(example: str, tmp_path: Path) -> None:
    """Without PADDLE_WEBHOOK_SECRET the example exits 1 with one line naming it, no traceback."""
    result = await run_python(str(EXAMPLES / example), env=program_env(), cwd=tmp_path)
    assert (1, f"{example}: set PADDLE_WEBHOOK_SECRET to the destination's secret key\n") == (
        result.returncode,
        result.stderr,
    )
