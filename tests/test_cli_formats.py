"""Output and input formats of the command line: JSON arrays, JSON Lines, CSV, file names.

Each test runs ``python -m paddle_async.cli`` as a subprocess.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_files import cli_env, read_csv, summary, write_csv

from paddle_async.cli._json_array import json_array_elements
from paddle_async.cli._output import ItemWriter, Shape
from paddle_async.testing import FakePaddle


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command line against an embedded FakePaddle with 3 customers."""
    return subprocess.run(
        [sys.executable, "-m", "paddle_async.cli", "--fake", "--fake-seed", "3", *args],
        capture_output=True,
        text=True,
        env=cli_env(None),
        cwd=cwd,
        timeout=120,
        check=False,
    )


async def asyncio_cli(fake: FakePaddle, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the command line against ``fake`` without blocking the loop that serves it."""
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "paddle_async.cli", "--base-url", fake.base_url, *args],
        capture_output=True,
        text=True,
        env=cli_env(fake.api_key),
        timeout=120,
        check=False,
    )


async def test_json_is_one_array_for_list_and_an_object_for_get(fake: FakePaddle) -> None:
    """list --format json prints one JSON array; get --format json prints the object."""
    fake.seed(3)
    listed = await asyncio_cli(fake, "customers", "list", "--format", "json")
    customers = json.loads(listed.stdout)
    assert ["customer2@example.com", "customer1@example.com", "customer0@example.com"] == [
        c["email"] for c in customers
    ]
    empty = await asyncio_cli(
        fake, "customers", "list", "--format", "json", "--email", "nobody@example.com"
    )
    assert [] == json.loads(empty.stdout)
    got = await asyncio_cli(fake, "customers", "get", customers[0]["id"], "--format", "json")
    assert customers[0] == json.loads(got.stdout)
    lines = await asyncio_cli(fake, "customers", "get", customers[0]["id"], "--format", "jsonl")
    assert [customers[0]] == [json.loads(line) for line in lines.stdout.splitlines()]


@pytest.mark.parametrize(
    ("name", "given", "expected"),
    [
        ("all.json", None, "json"),
        ("all.jsonl", None, "jsonl"),
        ("all.ndjson", None, "jsonl"),
        ("all.csv", None, "csv"),
        ("all.txt", "json", "json"),
    ],
)
def test_export_writes_the_format_its_name_says(
    tmp_path: Path, name: str, given: str | None, expected: str
) -> None:
    """export writes JSON as one array, JSON Lines one object a line, CSV with a header."""
    options = ["--format", given] if given else []
    result = cli("customers", "export", name, *options, cwd=tmp_path)
    assert (0, f"Exported 3 customers to {name}") == (result.returncode, result.stdout.strip())
    text = (tmp_path / name).read_text(encoding="utf-8")
    if expected == "json":
        emails = [c["email"] for c in json.loads(text)]
    elif expected == "jsonl":
        emails = [json.loads(line)["email"] for line in text.splitlines()]
    else:
        emails = [row["email"] for row in read_csv(tmp_path / name)]
    assert ["customer0@example.com", "customer1@example.com", "customer2@example.com"] == emails


@pytest.mark.parametrize(
    ("name", "given", "message"),
    [
        (
            "out.json",
            "jsonl",
            "out.json is named like a json file but --format is jsonl: name it .jsonl, or pass "
            "--format json",
        ),
        (
            "out.csv",
            "json",
            "out.csv is named like a csv file but --format is json: name it .json, or pass "
            "--format csv",
        ),
        (
            "out.txt",
            None,
            "cannot tell the format of out.txt: name it .json, .jsonl, .csv, or pass --format",
        ),
    ],
)
def test_export_refuses_a_name_of_another_format(
    tmp_path: Path, name: str, given: str | None, message: str
) -> None:
    """A file named for another format (or for none) is a usage error: one line, exit status
    2, nothing written."""
    options = ["--format", given] if given else []
    result = cli("customers", "export", name, *options, cwd=tmp_path)
    assert (2, [f"paddle-async customers export: error: {message}"], []) == (
        result.returncode,
        result.stderr.splitlines(),
        list(tmp_path.iterdir()),
    )


async def test_an_export_that_fails_leaves_no_half_file(fake: FakePaddle, tmp_path: Path) -> None:
    """An export whose request fails once the file is open leaves neither the file nor its
    temporary part behind."""
    fake.seed(3)
    fake.faults.fail_next(1, 403)
    result = await asyncio_cli(fake, "customers", "export", str(tmp_path / "all.json"))
    assert (1, []) == (result.returncode, os.listdir(tmp_path))


def test_json_output_is_written_as_it_goes() -> None:
    """The JSON array is written a page at a time: nothing waits for the last page."""
    shape: Shape[int] = Shape(to_json=lambda n: {"n": n}, columns=("n",), table=(), plural="")
    out = io.StringIO()
    writer = ItemWriter(out, "json", shape)
    writer.write([1, 2])
    first_page = out.getvalue()
    writer.write([3])
    writer.close()
    assert ('[\n  {"n": 1},\n  {"n": 2}', [{"n": 1}, {"n": 2}, {"n": 3}]) == (
        first_page,
        json.loads(out.getvalue()),
    )


async def test_import_reads_a_json_array(fake: FakePaddle, tmp_path: Path) -> None:
    """import reads a JSON array in any layout; a bad element is a row error, named by its
    position, and goes to a failed-rows file that is a JSON array too."""
    path = tmp_path / "people.json"
    path.write_text(
        '[{"email": "a@example.com", "name": "A, \\"the\\" [first]"},\n'
        '   {"email": "not-an-email"}, 7,\n'
        '{"email": "b@example.com", "custom_data": {"list": [1, {"x": "]"}]}}]',
        encoding="utf-8",
    )
    run = await asyncio_cli(fake, "customers", "import", str(path))
    assert (1, "4", "2") == (
        run.returncode,
        summary(run.stdout)["rows read"],
        summary(run.stdout)["created"],
    )
    assert [f"{path} row 2", f"{path} row 3"] == [
        line.split(": invalid row")[0] for line in run.stderr.splitlines()
    ]
    failed = json.loads((tmp_path / "people.failed.json").read_text(encoding="utf-8"))
    assert [("not-an-email", 2), (None, 3)] == [(r.get("email"), r["source_row"]) for r in failed]
    stored = {c["email"]: (c["name"], c["custom_data"]) for c in fake.customers()}
    assert {
        "a@example.com": ('A, "the" [first]', None),
        "b@example.com": (None, {"list": [1, {"x": "]"}]}),
    } == stored


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"email": "a@example.com"}', "not a JSON array (it does not start with [)"),
        (
            '[{"email": "a@example.com"} {"email": "b@example.com"}]',
            "row 1: invalid row: not valid JSON",
        ),
        ('[{"email": "a@example.com"}}]', "row 1: the array does not go on with , or ]"),
        ('[{"email": "a@example.com"},, {}]', "row 2: an empty element"),
        ('[{"email": "a@example.com"}', "row 1: the file ends inside an element"),
        ('[{"email": "a@example.com"}] x', "text after the array's closing ]"),
    ],
)
async def test_a_broken_json_array_is_one_line(
    fake: FakePaddle, tmp_path: Path, text: str, message: str
) -> None:
    """A file that is no JSON array, or a broken one, is refused in one line before any write."""
    path = tmp_path / "broken.json"
    path.write_text(text, encoding="utf-8")
    run = await asyncio_cli(fake, "customers", "import", str(path))
    assert (1, 1, []) == (run.returncode, len(run.stderr.splitlines()), fake.customers())
    assert message in run.stderr


def test_an_element_too_long_is_skipped_in_pieces() -> None:
    """An element over the limit is skipped without being kept whole; the next one is read."""
    text = '[{"email": "' + "x" * 300_000 + '"}, {"email": "b@example.com"}]'
    elements = list(json_array_elements(io.StringIO(text), limit=1000))
    assert [(1, None), (2, '{"email": "b@example.com"}')] == elements


async def test_csv_headers_in_any_case_and_cells_are_trimmed(
    fake: FakePaddle, tmp_path: Path
) -> None:
    """Header names match in any case with spaces around; cells are trimmed, and then an
    export's ' before a tab is removed, so the tab survives."""
    path = write_csv(
        tmp_path / "people.csv",
        [
            [" Email ", "NAME", "Locale"],
            ["  ada@example.com ", "  Ada Lovelace  ", " en "],
            ["tab@example.com", " '\tTabbed ", ""],
        ],
    )
    run = await asyncio_cli(fake, "customers", "import", str(path))
    assert (0, "2") == (run.returncode, summary(run.stdout)["created"])
    stored = {c["email"]: (c["name"], c["locale"]) for c in fake.customers()}
    assert {"ada@example.com": ("Ada Lovelace", "en"), "tab@example.com": ("\tTabbed", "en")} == (
        stored
    )


async def test_csv_raw_takes_cells_untrimmed(fake: FakePaddle, tmp_path: Path) -> None:
    """--csv-raw takes cells exactly as written, spaces included."""
    path = write_csv(tmp_path / "raw.csv", [["email", "name"], ["raw@example.com", " Spaced "]])
    run = await asyncio_cli(fake, "customers", "import", "--csv-raw", str(path))
    assert (0, [" Spaced "]) == (run.returncode, [c["name"] for c in fake.customers()])


async def test_a_column_twice_is_refused(fake: FakePaddle, tmp_path: Path) -> None:
    """Two columns that differ only in case are one column named twice: refused at once."""
    path = write_csv(tmp_path / "twice.csv", [["email", "Email"], ["a@example.com", "b@x.com"]])
    run = await asyncio_cli(fake, "customers", "import", str(path))
    assert (1, f"paddle-async: error: {path} row 1: the column 'email' appears twice") == (
        run.returncode,
        run.stderr.strip(),
    )
