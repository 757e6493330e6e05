"""Hostile data through the command line: deeply nested JSON.

Each test runs ``python -m paddle_async.cli`` as a subprocess against a FakePaddle that the test
seeds directly, or the embedded ``--fake``.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest
from cli_files import summary, write_csv

from paddle_async.testing import FakePaddle


@attrs.frozen
class Run:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture(params=["orjson", "stdlib"])
def decoder_env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The decoder the command line uses: orjson as installed, or hidden so stdlib json runs."""
    if request.param == "orjson":
        pytest.importorskip("orjson")
        return ""
    shim = tmp_path_factory.mktemp("no-orjson")
    (shim / "orjson.py").write_text('raise ImportError("hidden for this test")\n')
    return str(shim)


async def run_cli(*args: str, key: str | None = None, pythonpath: str = "") -> Run:
    """Run the command line without blocking the loop that serves the test's FakePaddle."""
    env = {name: value for name, value in os.environ.items() if name != "PADDLE_API_KEY"}
    if key is not None:
        env["PADDLE_API_KEY"] = key
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [pythonpath, env.get("PYTHONPATH")]))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "paddle_async.cli",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return Run(process.returncode, stdout.decode(), stderr.decode())


async def on_fake(fake: FakePaddle, *args: str, pythonpath: str = "") -> Run:
    """Run the command line against ``fake``."""
    return await run_cli(
        "--base-url", fake.base_url, *args, key=fake.api_key, pythonpath=pythonpath
    )


def nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


# Deep JSON


async def test_export_of_a_1000_deep_customer_is_one_line(
    fake: FakePaddle, tmp_path: Path, decoder_env: str
) -> None:
    """export meets custom_data 1,000 deep as one error line, with orjson or the stdlib."""
    fake.add_customer(email="plain@example.com")
    customer_id = fake.add_customer(email="deep@example.com")["id"]
    stored = fake._store.get(customer_id)  # add_customer deep-copies, which recurses
    assert stored is not None
    stored.custom_data = nested(1000)
    for fmt in ("jsonl", "csv"):
        result = await on_fake(
            fake, "customers", "export", str(tmp_path / f"all.{fmt}"), pythonpath=decoder_env
        )
        assert 1 == result.returncode
        assert 1 == len(result.stderr.splitlines()), result.stderr
        assert result.stderr.startswith("paddle-async: error: ")
        assert "nested" in result.stderr
        assert "deep" in result.stderr


async def test_deep_json_in_input_is_a_row_error(tmp_path: Path) -> None:
    """custom_data 5,000 deep in a CSV cell, a JSON line or --custom-data is one row's problem."""
    deep = '{"a":' * 4999 + "{}" + "}" * 4999
    over = json.dumps(nested(101))
    path = tmp_path / "deep.csv"
    write_csv(
        path,
        [
            ["email", "custom_data"],
            ["a@example.com", deep],
            ["b@example.com", over],
            ["c@example.com", "{}"],
        ],
    )
    result = await run_cli("--fake", "customers", "import", str(path))
    assert 1 == result.returncode
    assert "Traceback" not in result.stderr
    assert "deep.csv row 2: invalid row: custom_data: not valid JSON" in result.stderr
    assert "deep.csv row 3: invalid row: custom_data: nested more than 100 levels" in result.stderr
    assert "1" == summary(result.stdout)["created"]
    lines = tmp_path / "deep.jsonl"
    lines.write_text(deep + "\n" + '{"email": "c@example.com"}\n', encoding="utf-8")
    result = await run_cli("--fake", "customers", "import", str(lines))
    assert "deep.jsonl row 1: invalid row: not valid JSON" in result.stderr
    assert "1" == summary(result.stdout)["created"]
    created = await run_cli(
        "--fake", "customers", "create", "--email", "d@example.com", "--custom-data", deep
    )
    assert 1 == created.returncode
    assert ["paddle-async: error: invalid input: --custom-data: not valid JSON"] == (
        created.stderr.splitlines()
    )
