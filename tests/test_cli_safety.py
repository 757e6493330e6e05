"""Writes that ask first on a live account, old keys, and imports that stop or run again.

Each test runs the real entry point as a subprocess against a FakePaddle of the test (which
accepts whatever key it is given, a production-shaped one too).
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cli_files import cli_env, read_csv, run_on_terminal, summary, write_csv

from paddle_async.testing import FakePaddle

LIVE_KEY = "pdl_live_apikey_01fakefakefakefakefakefake_FakeKeyForTestsOnly000_xyz"
OLD_KEY = "0123456789abcdef0123456789abcdef_FakeKeyForTestsOnly"
SCRIPT = str(Path(sys.executable).with_name("paddle-async"))


async def run(
    *args: str,
    key: str | None,
    program: tuple[str, ...] = (sys.executable, "-m", "paddle_async.cli"),
) -> subprocess.CompletedProcess[str]:
    """Run the command line without a terminal, without blocking the loop serving the fake."""
    return await asyncio.to_thread(
        subprocess.run,
        [*program, *args],
        capture_output=True,
        text=True,
        env=cli_env(key),
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


@pytest.fixture
async def live_fake() -> AsyncIterator[FakePaddle]:
    """A FakePaddle that takes a production-shaped key, with one customer."""
    async with FakePaddle(api_key=LIVE_KEY) as fake:
        fake.seed(1)
        yield fake


def names_in(folder: Path) -> list[str]:
    """Return the names of the files in ``folder``, sorted."""
    return sorted(path.name for path in folder.iterdir())


def writes(fake: FakePaddle) -> list[str]:
    """Return the write requests the fake received."""
    return [f"{r.method} {r.path}" for r in fake.requests if r.method in ("POST", "PATCH")]


# Item 9: a live key asks first


async def test_live_writes_without_yes_refuse_in_one_line(
    live_fake: FakePaddle, tmp_path: Path
) -> None:
    """With a production key and no terminal, create, update and import refuse without --yes
    (through the installed console script), and send nothing."""
    customer_id = live_fake.customers()[0]["id"]
    path = write_csv(tmp_path / "people.csv", [["email"], ["a@example.com"]])
    commands = {
        "create customer a@example.com": ["create", "--email", "a@example.com"],
        f"update customer {customer_id} (--name)": ["update", customer_id, "--name", "X"],
        f"import {path}": ["import", str(path)],
    }
    for question, command in commands.items():
        result = await run(
            "--base-url", live_fake.base_url, "customers", *command, key=LIVE_KEY, program=(SCRIPT,)
        )
        assert (
            1,
            [
                f"paddle-async: error: this would {question} in a live Paddle account (a "
                "production key): pass --yes to confirm (there is no terminal to ask on)"
            ],
        ) == (result.returncode, result.stderr.splitlines())
    assert [] == writes(live_fake)
    assert not (tmp_path / "people.failed.csv").exists()


async def test_live_reads_and_dry_runs_need_no_confirmation(
    live_fake: FakePaddle, tmp_path: Path
) -> None:
    """Reading and a dry-run import write nothing, so they run without --yes."""
    path = write_csv(tmp_path / "people.csv", [["email"], ["a@example.com"]])
    listed = await run("--base-url", live_fake.base_url, "customers", "list", key=LIVE_KEY)
    planned = await run(
        "--base-url",
        live_fake.base_url,
        "customers",
        "import",
        str(path),
        "--dry-run",
        key=LIVE_KEY,
    )
    assert (0, 0, []) == (listed.returncode, planned.returncode, writes(live_fake))


async def test_live_writes_with_yes_go_ahead(live_fake: FakePaddle) -> None:
    """--yes confirms a write to a live account."""
    result = await run(
        "--base-url",
        live_fake.base_url,
        "customers",
        "create",
        "--email",
        "yes@example.com",
        "--yes",
        key=LIVE_KEY,
    )
    assert (0, ["POST /customers"]) == (result.returncode, writes(live_fake))


@pytest.mark.parametrize(("reply", "written"), [("y\n", ["POST /customers"]), ("n\n", [])])
async def test_live_writes_ask_on_a_terminal(
    live_fake: FakePaddle, reply: str, written: list[str]
) -> None:
    """On a terminal the write is asked about; only y goes ahead."""
    result = await asyncio.to_thread(
        run_on_terminal,
        *("--base-url", live_fake.base_url, "customers", "create", "--email", "t@example.com"),
        env=cli_env(LIVE_KEY),
        reply=reply,
    )
    assert (
        "This will create customer t@example.com in a LIVE Paddle account (a production key). "
        "Continue? [y/N]"
    ) in result.terminal
    assert ((0 if written else 1), written) == (result.returncode, writes(live_fake))


async def test_sandbox_writes_do_not_ask(fake: FakePaddle) -> None:
    """A sandbox key writes without a question (and without --yes)."""
    result = await run(
        "--base-url",
        fake.base_url,
        "customers",
        "create",
        "--email",
        "s@example.com",
        key=fake.api_key,
    )
    assert (0, "") == (result.returncode, result.stderr)


async def test_an_old_key_is_told_the_option_to_pass() -> None:
    """A key without its environment in it is told --environment, in CLI terms."""
    result = await run("customers", "list", key=OLD_KEY)
    assert (
        1,
        [
            "paddle-async: error: this API key does not name its environment (a key created "
            "before May 2025): pass --environment sandbox or --environment production, or set "
            "PADDLE_ENVIRONMENT"
        ],
    ) == (result.returncode, result.stderr.splitlines())


# Item 10: interrupted and repeated imports


async def test_ctrl_c_during_an_import_sums_up_and_a_rerun_finishes(
    fake: FakePaddle, tmp_path: Path
) -> None:
    """Ctrl-C stops an import with its summary so far, the failed rows so far, and the
    news that a rerun is safe; the rerun creates the rest, each customer once."""
    emails = [f"p{i}@example.com" for i in range(60)]
    path = write_csv(tmp_path / "people.csv", [["email"], ["not-an-email"], *([e] for e in emails)])
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "paddle_async.cli", "--base-url", fake.base_url),
        *("--rate-limit", "20/1s", "customers", "import", str(path)),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=cli_env(fake.api_key),
    )
    for _ in range(3000):  # at most 60 s
        if len(writes(fake)) >= 5:
            break
        await asyncio.sleep(0.02)
    process.send_signal(signal.SIGINT)
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    first = summary(stdout.decode())
    assert 130 == process.returncode
    assert f"Import of {path} (interrupted)" == stdout.decode().splitlines()[0]
    assert 0 < int(first["created"]) < 60
    assert stderr.decode().splitlines()[-1].startswith("paddle-async: interrupted after ")
    assert "Running the same import again is safe" in stderr.decode()
    assert ["2"] == [row["source_row"] for row in read_csv(tmp_path / "people.failed.csv")]
    again = await run(
        "--base-url", fake.base_url, "customers", "import", str(path), key=fake.api_key
    )
    created = len([c for c in fake.customers() if c["email"] in emails])
    assert (1, 60, sorted(emails)) == (
        again.returncode,
        created,
        sorted(c["email"] for c in fake.customers()),
    )


async def test_importing_a_failed_rows_file_writes_it_again(
    fake: FakePaddle, tmp_path: Path
) -> None:
    """Importing x.failed.csv writes the rows still failing to x.failed.csv, not a new name."""
    path = write_csv(tmp_path / "x.csv", [["email", "name"], ["bad", "B"], ["ok@example.com", ""]])
    first = await run(
        "--base-url", fake.base_url, "customers", "import", str(path), key=fake.api_key
    )
    failed = tmp_path / "x.failed.csv"
    again = await run(
        "--base-url", fake.base_url, "customers", "import", str(failed), key=fake.api_key
    )
    assert (1, 1) == (first.returncode, again.returncode)
    assert [("bad", "2")] == [(row["email"], row["source_row"]) for row in read_csv(failed)]
    assert f"{failed} (fix and import it again)" == summary(again.stdout)["failed rows in"]
    assert ["x.csv", "x.failed.csv"] == names_in(tmp_path)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
async def test_duplicates_stay_unapplied_on_reimport_until_fixed(
    fake: FakePaddle, tmp_path: Path, fmt: str
) -> None:
    """A row marked as a duplicate is skipped when its file is imported again, and kept in it;
    once its e-mail is changed it is applied."""
    people = [
        {"email": "ada@example.com", "name": "Ada"},
        {"email": "ada@example.com", "name": "Ada 2"},
    ]
    path = tmp_path / f"x.{fmt}"
    if fmt == "csv":
        write_csv(path, [["email", "name"], *([p["email"], p["name"]] for p in people)])
    else:
        path.write_text("".join(json.dumps(p) + "\n" for p in people), encoding="utf-8")
    failed = tmp_path / f"x.failed.{fmt}"

    async def import_(file: Path) -> subprocess.CompletedProcess[str]:
        return await run(
            "--base-url", fake.base_url, "customers", "import", str(file), key=fake.api_key
        )

    def failed_rows() -> list[dict[str, str]]:
        if fmt == "csv":
            return read_csv(failed)
        return [json.loads(line) for line in failed.read_text(encoding="utf-8").splitlines()]

    first = await import_(path)
    assert (1, "1") == (first.returncode, summary(first.stdout)["duplicates"])
    again = await import_(failed)
    rows = failed_rows()
    assert (1, "1", "0") == (
        again.returncode,
        summary(again.stdout)["skipped duplicates"],
        summary(again.stdout)["requests sent"].split()[0],
    )
    assert [("ada@example.com", "Ada 2")] == [(r["email"], r["name"]) for r in rows]
    assert {"ada@example.com": "Ada"} == {c["email"]: c["name"] for c in fake.customers()}
    text = failed.read_text(encoding="utf-8").replace(
        "ada@example.com,Ada 2", "ada2@example.com,Ada 2"
    )
    text = text.replace('"email": "ada@example.com"', '"email": "ada2@example.com"', 1)
    failed.write_text(text, encoding="utf-8")
    fixed = await import_(failed)
    assert (0, "1") == (fixed.returncode, summary(fixed.stdout)["created"])
    assert {"ada@example.com": "Ada", "ada2@example.com": "Ada 2"} == {
        c["email"]: c["name"] for c in fake.customers()
    }
