"""The ``paddle-async`` command line, run as a subprocess against FakePaddle."""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import re
import select
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_files import ENTRY_POINT, summary, write_csv
from program_runs import program_env, run_program, serving, unused_port

from paddle_async.cli._app import build_parser
from paddle_async.testing import TEST_API_KEY

WRONG_KEY = "pdl_sdbx_apikey_01wrongwrongwrongwrongwrong_SecretPartOfTheWrongKey_xyz"
SECRET_PART = "SecretPartOfTheWrongKey"


def cli(*args: str, key: str | None = TEST_API_KEY) -> subprocess.CompletedProcess[str]:
    """Run the command line; PADDLE_API_KEY is ``key`` (or unset)."""
    env = {name: value for name, value in os.environ.items() if name != "PADDLE_API_KEY"}
    if key is not None:
        env["PADDLE_API_KEY"] = key
    return subprocess.run(
        [sys.executable, "-m", "paddle_async.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """``paddle-async fake-server`` on a free port with 50 customers; yields its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "paddle_async.cli", "fake-server", "--port", "0", "--seed", "50"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], 30)
    line = process.stdout.readline() if ready else ""
    match = re.search(r"http://127\.0\.0\.1:\d+", line)
    assert match is not None, line
    try:
        yield match[0]
    finally:
        process.terminate()
        assert 0 == process.wait(timeout=15)
        process.stdout.close()
        assert process.stderr is not None
        process.stderr.close()


def test_import_then_rerun_writes_nothing(server: str, tmp_path: Path) -> None:
    """An import creates and updates what differs; the same import again sends no write."""
    path = write_csv(
        tmp_path / "people.csv",
        [
            ["email", "name", "locale"],
            ["customer1@example.com", "Customer 1", ""],
            ["customer2@example.com", "Customer Two", ""],
            ["ada.import@example.com", "Ada", "en"],
            ["bob.import@example.com", "Bob", "de"],
        ],
    )
    first = cli("--base-url", server, "customers", "import", str(path))
    assert (0, "") == (first.returncode, first.stderr)
    values = summary(first.stdout)
    assert ("2", "1", "1") == (values["created"], values["updated"], values["unchanged"])
    again = cli("--base-url", server, "customers", "import", str(path))
    assert 0 == again.returncode
    assert "1 (list 1, get 0, create 0, update 0)" == summary(again.stdout)["requests sent"]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json"])
def test_export_import_round_trip(server: str, tmp_path: Path, fmt: str) -> None:
    """Exporting every customer and importing the file back changes nothing."""
    path = tmp_path / f"all.{fmt}"
    exported = cli("--base-url", server, "customers", "export", str(path))
    assert 0 == exported.returncode
    lines = path.read_text(encoding="utf-8").splitlines()
    count = len(lines) - {"csv": 1, "jsonl": 0, "json": 2}[fmt]
    assert count >= 50
    assert f"Exported {count:,} customers to {path}" == exported.stdout.strip()
    imported = cli("--base-url", server, "customers", "import", str(path))
    assert 0 == imported.returncode
    values = summary(imported.stdout)
    assert (str(count), "0", "0") == (values["unchanged"], values["created"], values["updated"])


@pytest.mark.parametrize("command", [["customers", "list"], ["customers", "import", "x.csv"]])
def test_bad_key_is_one_line(server: str, tmp_path: Path, command: list[str]) -> None:
    """A refused key ends in one error line and status 1, without showing the key."""
    write_csv(tmp_path / "x.csv", [["email"], *([f"k{i}@example.com"] for i in range(30))])
    args = [arg.replace("x.csv", str(tmp_path / "x.csv")) for arg in command]
    result = cli("--base-url", server, *args, key=WRONG_KEY)
    assert 1 == result.returncode
    assert 1 == len(result.stderr.splitlines())
    assert result.stderr.startswith("paddle-async: error: Paddle refused the API key")
    assert "invalid_token" in result.stderr
    assert SECRET_PART not in result.stdout + result.stderr
    assert not (tmp_path / "x.failed.csv").exists()


def test_missing_key_is_one_line() -> None:
    """Without a key (and without --fake) the command says how to give one."""
    result = cli("customers", "list", key=None)
    assert (
        1,
        "paddle-async: error: no API key: pass --api-key, set PADDLE_API_KEY, or use --fake",
    ) == (
        result.returncode,
        result.stderr.strip(),
    )


def test_malformed_rows_are_named_and_reimportable(server: str, tmp_path: Path) -> None:
    """Bad rows are named by row number, written to a failed-rows file, and import once fixed.

    The failed-rows file is imported under its own name and, with nothing left failing, is
    left as it was.
    """
    path = write_csv(
        tmp_path / "mixed.csv",
        [
            ["email", "name"],
            ["good.row@example.com", "Good"],
            ["not-an-email", "Bad"],
            ["extra.cell@example.com", "Extra", "surprise"],
            ["dots..rejected@example.com", "Paddle says no"],
            ["good.row@example.com", "Twice"],
        ],
    )
    result = cli("--base-url", server, "customers", "import", str(path))
    assert 1 == result.returncode
    assert "Traceback" not in result.stderr
    named = re.findall(r"mixed\.csv row (\d+): (\w+)", result.stderr)
    assert [("3", "invalid"), ("4", "invalid"), ("5", "invalid"), ("6", "duplicate")] == sorted(
        named
    )
    assert "doubled dots" in result.stderr  # Paddle's e-mail rules, checked before sending
    failed = tmp_path / "mixed.failed.csv"
    with open(failed, encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert ["3", "4", "5", "6"] == sorted(row["source_row"] for row in rows)
    fixes = {
        "not-an-email": "fixed.one@example.com",
        "extra.cell@example.com": "fixed.two@example.com",
        "dots..rejected@example.com": "fixed.three@example.com",
        "good.row@example.com": "good.row@example.com",
    }
    for row in rows:
        row["email"] = fixes[row["email"]]
        if row["email"] == "good.row@example.com":
            row["error"] = ""  # the duplicate is meant: clearing its error applies it
    with open(failed, "w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    again = cli("--base-url", server, "customers", "import", str(failed))
    assert (0, "") == (again.returncode, again.stderr)
    values = summary(again.stdout)
    assert ("3", "1") == (values["created"], values["updated"])


def test_jsonl_rows_and_dry_run_with_embedded_fake(tmp_path: Path) -> None:
    """--fake imports JSON Lines; a dry run reports the writes it would send (archiving: 2)."""
    path = tmp_path / "people.jsonl"
    lines = [
        json.dumps({"email": "customer0@example.com", "name": "Zero", "custom_data": {"a": 1}}),
        "{not json",
        json.dumps({"email": "new@example.com", "status": "archived"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("--fake", "--fake-seed", "5", "customers", "import", str(path), "--dry-run")
    assert 1 == result.returncode
    assert "people.jsonl row 2: invalid row: not valid JSON" in result.stderr
    values = summary(result.stdout)
    assert ("1", "1", "3 (create 1, update 2)") == (
        values["would be created"],
        values["would be updated"],
        values["writes to send"],
    )


def test_list_and_get_formats() -> None:
    """list writes a table, JSON Lines or CSV; unknown ids are one error line."""
    table = cli("--fake", "--fake-seed", "3", "customers", "list")
    assert 4 == len(table.stdout.splitlines())
    assert table.stdout.startswith("id ")
    rows = cli(
        "customers", "list", "--fake", "--fake-seed", "3", "--format", "jsonl", "--limit", "2"
    )
    assert ["customer2@example.com", "customer1@example.com"] == [
        json.loads(line)["email"] for line in rows.stdout.splitlines()
    ]
    missing = cli("--fake", "customers", "get", "ctm_01zzzzzzzzzzzzzzzzzzzzzzzz")
    assert 1 == missing.returncode
    assert 1 == len(missing.stderr.splitlines())
    assert "404 not_found" in missing.stderr


def test_unknown_column_stops_before_any_request(server: str, tmp_path: Path) -> None:
    """A header with an unknown column is refused at once, naming it."""
    path = write_csv(tmp_path / "typo.csv", [["email", "nmae"], ["a@example.com", "A"]])
    result = cli("--base-url", server, "customers", "import", str(path))
    assert 1 == result.returncode
    assert "typo.csv row 1: unknown column 'nmae'" in result.stderr


def test_demo_runs(tmp_path: Path) -> None:
    """The demo imports, shows the summary and the naive comparison, and reruns with 0 writes;
    it names the generated file by its full path."""
    kept = tmp_path / "kept"
    result = cli(
        "demo", "--existing", "400", "--records", "300", "--pace", "400", "--keep", str(kept)
    )
    assert (0, "") == (result.returncode, result.stderr)
    assert f"  {kept / 'demo-customers.csv'} (kept):" in result.stdout.splitlines()
    assert (kept / "demo-customers.csv").exists()
    assert "The rerun sent 0 writes" in result.stdout
    assert "a naive sync sends 300 (one per record)" in result.stdout
    assert "faster than Paddle's limit of 240 requests/minute" in result.stdout


def test_a_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    """A Latin-1 export (as some spreadsheets write) is refused in one line saying what to do."""
    path = tmp_path / "latin1.csv"
    path.write_bytes("email,name\njoerg@example.com,J\u00f6rg\n".encode("latin-1"))
    for command in (
        ["customers", "import", str(path)],
        ["customers", "import", "--dry-run", str(path)],
    ):
        result = cli("--fake", *command)
        assert 1 == result.returncode
        assert "Traceback" not in result.stderr
        assert "latin1.csv is not UTF-8 text (byte 0xf6)" in result.stderr


def test_bad_demo_options_are_one_line() -> None:
    """Out-of-range demo options are a usage error (exit status 2), not a traceback."""
    result = cli("demo", "--records", "0")
    assert 2 == result.returncode
    assert "Traceback" not in result.stderr
    assert "argument --records: must be at least 1, got 0" in result.stderr


def test_demo_and_fake_server_help_describe_them() -> None:
    """demo and fake-server have a description, and demo lists no connection options."""
    top = cli("--help").stdout
    demo = cli("demo", "--help").stdout
    server = cli("fake-server", "--help").stdout
    assert ("demo", "fake-server") == tuple(
        name for name in ("demo", "fake-server") if re.search(rf"^    {name}\s+\w", top, re.M)
    )
    assert "--api-key" not in demo
    assert "--rate-limit" not in demo
    assert "sync a generated file against an embedded FakePaddle" in " ".join(demo.split())
    assert "run FakePaddle, a fake of Paddle's customer-area API" in " ".join(server.split())


@pytest.mark.parametrize("limit", ["-1", "0", "x"])
def test_a_limit_below_one_is_a_usage_error(limit: str) -> None:
    """--limit takes a whole number from 1; other values are a usage error naming --limit."""
    result = cli("--fake", "customers", "list", "--limit", limit)
    assert 2 == result.returncode
    assert "argument --limit:" in result.stderr.splitlines()[-1]
    assert "per_page" not in result.stderr


def test_an_update_without_fields_says_what_to_give() -> None:
    """An update that changes nothing is a usage error listing the options, without a stray *."""
    result = cli("--fake", "customers", "update", "ctm_01zzzzzzzzzzzzzzzzzzzzzzzz")
    assert (
        2,
        [
            "paddle-async customers update: error: nothing to change: give at least one of "
            "--email, --name, --clear-name, --locale, --status, --custom-data, "
            "--clear-custom-data"
        ],
    ) == (result.returncode, result.stderr.splitlines())


def test_fake_server_stops_cleanly_on_an_early_ctrl_c() -> None:
    """Ctrl-C as soon as fake-server listens (while it still stores its seed) stops it with
    status 0, not as an interrupted program."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = ["fake-server", "--port", str(port), "--seed", "20000"]
    process = subprocess.Popen(
        [sys.executable, "-m", "paddle_async.cli", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.01)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            process.wait()
    assert (0, "", "FakePaddle stopped.") == (
        process.returncode,
        stderr,
        stdout.splitlines()[-1],
    )


@pytest.mark.parametrize("rate", ["fast", "5/0s", "-3"])
def test_a_rate_limit_that_is_no_rate_is_a_usage_error(rate: str) -> None:
    """--rate-limit takes N per minute or N/Ws; anything else is a usage error saying so."""
    result = cli("--fake", "--rate-limit", rate, "customers", "list")
    assert 2 == result.returncode
    assert "expected N (requests per minute) or N/Ws" in result.stderr.splitlines()[-1]


async def test_fake_server_prints_the_variables_to_export(tmp_path: Path) -> None:
    """fake-server prints `export` lines for PADDLE_BASE_URL and PADDLE_API_KEY; with only
    those variables set, paddle-async reaches it (the README's tour relies on them)."""
    port = unused_port()
    command = (ENTRY_POINT, "fake-server", "--port", str(port), "--seed", "3")
    async with serving(*command, port=port, env=program_env(), cwd=tmp_path) as server:
        assert server.stdout is not None
        lines: list[str] = []
        async with asyncio.timeout(30):
            while not lines or not lines[-1].startswith("Press Ctrl-C"):
                line = await server.stdout.readline()
                assert line, lines
                lines.append(line.decode().rstrip("\n"))
        assert lines[1].startswith(
            "Seeded 3 customers, with addresses, businesses and saved payment methods. "
        )
        exported = dict(
            shlex.split(line)[1].split("=", 1) for line in lines if line.startswith("  export ")
        )
        assert {
            "PADDLE_BASE_URL": f"http://127.0.0.1:{port}",
            "PADDLE_API_KEY": TEST_API_KEY,
        } == exported
        listed = await run_program(
            ENTRY_POINT,
            "customers",
            "list",
            "--format",
            "jsonl",
            env=program_env(**exported),
            cwd=tmp_path,
        )
    assert (0, 3) == (listed.returncode, len(listed.stdout.splitlines()))


def parsers() -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """Yield every parser of the command line (each command's) with its name."""
    waiting = [build_parser()]
    while waiting:
        parser = waiting.pop()
        yield parser.prog, parser
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                waiting.extend(action.choices.values())


def test_help_says_each_default_and_no_empty_one() -> None:
    """Every option with a default says it in --help (in any command), and no option says
    ``(default: None)`` or ``(default: False)``."""
    missing, noise = [], []
    for name, parser in parsers():
        text = " ".join(parser.format_help().split())
        noise += [
            name for empty in ("None", "False", "==SUPPRESS==") if f"(default: {empty})" in text
        ]
        for action in parser._actions:
            default = action.default
            if not action.option_strings or any(
                default is nothing for nothing in (None, False, argparse.SUPPRESS)
            ):
                continue
            if f"(default: {default})" not in text and f"(default {default}" not in text:
                missing.append(f"{name} {action.option_strings[-1]}")
    assert ([], []) == (missing, noise)


def test_fake_server_and_demo_help_show_their_defaults() -> None:
    """The installed program's --help shows fake-server's port and the demo's sizes."""
    shown = {}
    for command in ("fake-server", "demo"):
        result = subprocess.run(
            [ENTRY_POINT, command, "--help"], capture_output=True, text=True, check=True
        )
        shown[command] = " ".join(result.stdout.split())
    assert "--port PORT port to listen on; 0: any free port (default: 8080)" in shown["fake-server"]
    assert "--existing EXISTING customers the fake starts with (default: 3000)" in shown["demo"]
    assert "(default: None)" not in shown["fake-server"] + shown["demo"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["customers", "export", "out.json", "--format", "jsonl"],
            "paddle-async customers export: error: out.json is named like a json file but "
            "--format is jsonl: name it .jsonl, or pass --format json",
        ),
        (
            ["customers", "import", "people.txt"],
            "paddle-async customers import: error: cannot tell the format of people.txt: name "
            "it .csv, .jsonl, .json, or pass --format",
        ),
        (
            ["customers", "import", "people.csv", "--failed-rows", "failed.json"],
            "paddle-async customers import: error: --failed-rows failed.json is named like a "
            "json file but failed rows are written as csv, as people.csv is read: name it .csv",
        ),
        (
            ["customers", "get", "ctm_nope"],
            "paddle-async customers get: error: invalid input: customer_id: not a Paddle "
            "customer id (ctm_ + 26 characters): 'ctm_nope'",
        ),
        (
            ["customers", "create", "--email", "a@example.com", "--custom-data", "{"],
            "paddle-async customers create: error: invalid input: --custom-data: not valid JSON",
        ),
        (
            ["customers", "list", "--limit", "0"],
            "paddle-async customers list: error: argument --limit: must be at least 1, got 0",
        ),
        (
            ["demo", "--existing", "-1"],
            "paddle-async demo: error: argument --existing: must be at least 0, got -1",
        ),
        (
            ["fake-server", "--port", "70000"],
            "paddle-async fake-server: error: argument --port: must be at most 65535, got 70000",
        ),
    ],
)
def test_usage_errors_exit_2_in_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    """Every usage error (argparse's, values Paddle would refuse, a file named for another
    format) exits 2 with one error line, as the README says, and writes nothing."""
    (tmp_path / "people.csv").write_text("email\nbad\n", encoding="utf-8")
    result = subprocess.run(
        [ENTRY_POINT, "--fake", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=program_env(),
        timeout=60,
        check=False,
    )
    assert (2, message) == (result.returncode, result.stderr.splitlines()[-1])
    assert (False, ["people.csv"]) == (
        "Traceback" in result.stderr,
        sorted(path.name for path in tmp_path.iterdir()),
    )
