"""``paddle-async addresses …`` and ``businesses …`` through the installed entry point."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cli_files import cli_env

from paddle_async.cli._app import build_parser
from paddle_async.testing import TEST_API_KEY, FakePaddle

SCRIPT = str(Path(sys.executable).with_name("paddle-async"))
LIVE_KEY = "pdl_live_apikey_01fakefakefakefakefakefake_FakeKeyForTestsOnly000_xyz"


async def run(
    fake: FakePaddle, *args: str, key: str = TEST_API_KEY
) -> subprocess.CompletedProcess[str]:
    """Run ``paddle-async --base-url FAKE ARGS`` without a terminal, off the fake's loop."""
    return await asyncio.to_thread(
        subprocess.run,
        [SCRIPT, "--base-url", fake.base_url, *args],
        capture_output=True,
        text=True,
        env=cli_env(key),
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


def writes(fake: FakePaddle) -> list[str]:
    return [f"{r.method} {r.path}" for r in fake.requests if r.method in ("POST", "PATCH")]


@pytest.fixture
def customer_id(fake: FakePaddle) -> str:
    return str(fake.add_customer(email="owner@example.com")["id"])


async def test_addresses_create_get_update_list(fake: FakePaddle, customer_id: str) -> None:
    """Every address command, JSON out, against the fake's store."""
    created = await run(
        fake, "addresses", "create", customer_id, "--country-code", "US", "--city", "New York",
        "--postal-code", "10021", "--custom-data", '{"crm": 7}', "--format", "json",
    )  # fmt: skip
    assert (0, "") == (created.returncode, created.stderr)
    address = json.loads(created.stdout)
    assert ("US", "New York", {"crm": 7}, customer_id) == (
        address["country_code"], address["city"], address["custom_data"], address["customer_id"]
    )  # fmt: skip
    got = await run(fake, "addresses", "get", customer_id, address["id"], "--format", "json")
    assert address == json.loads(got.stdout)
    updated = await run(
        fake, "addresses", "update", customer_id, address["id"], "--clear-city",
        "--region", "NY", "--status", "archived", "--format", "jsonl",
    )  # fmt: skip
    assert 0 == updated.returncode, updated.stderr
    assert (None, "NY", "archived") == tuple(
        json.loads(updated.stdout)[k] for k in ("city", "region", "status")
    )
    stored = fake.address(address["id"])
    assert stored is not None
    assert (None, "archived") == (stored["city"], stored["status"])
    hidden = await run(fake, "addresses", "list", customer_id)
    assert "(no addresses)\n" == hidden.stdout
    shown = await run(
        fake, "addresses", "list", customer_id, "--status", "archived", "--format", "csv"
    )
    [row] = list(csv.DictReader(io.StringIO(shown.stdout)))
    assert (address["id"], "", "NY") == (row["id"], row["city"], row["region"])


async def test_address_list_filters_and_limits(fake: FakePaddle, customer_id: str) -> None:
    """--order asc and --limit pick the oldest; --search and --id reach the fake."""
    ids = [fake.add_address(customer_id, city=f"Town {i}")["id"] for i in range(3)]
    oldest = await run(
        fake,
        "addresses",
        "list",
        customer_id,
        "--order",
        "asc",
        "--limit",
        "2",
        "--format",
        "jsonl",
    )
    assert ids[:2] == [json.loads(line)["id"] for line in oldest.stdout.splitlines()]
    found = await run(
        fake, "addresses", "list", customer_id, "--search", "town 2", "--format", "jsonl"
    )
    assert [ids[2]] == [json.loads(line)["id"] for line in found.stdout.splitlines()]
    chosen = await run(
        fake, "addresses", "list", customer_id, "--id", f"{ids[0]},{ids[1]}", "--format", "jsonl"
    )
    assert {ids[0], ids[1]} == {json.loads(line)["id"] for line in chosen.stdout.splitlines()}


async def test_businesses_with_contacts(fake: FakePaddle, customer_id: str) -> None:
    """--contact takes 'Name <email>' or an address, repeated; --clear-contacts empties the list."""
    created = await run(
        fake, "businesses", "create", customer_id, "--name", "Uplift Inc.",
        "--contact", "Parker Jones <parker@example.com>", "--contact", "jo@example.com",
        "--format", "json",
    )  # fmt: skip
    assert (0, "") == (created.returncode, created.stderr)
    business = json.loads(created.stdout)
    assert [("parker@example.com", "Parker Jones"), ("jo@example.com", "")] == [
        (c["email"], c["name"]) for c in business["contacts"]
    ]
    table = await run(fake, "businesses", "list", customer_id)
    assert business["id"] in table.stdout
    assert "Uplift Inc." in table.stdout
    cleared = await run(
        fake, "businesses", "update", customer_id, business["id"], "--clear-contacts",
        "--company-number", "555", "--format", "json",
    )  # fmt: skip
    assert ([], "555") == (
        json.loads(cleared.stdout)["contacts"],
        json.loads(cleared.stdout)["company_number"],
    )
    got = await run(fake, "businesses", "get", customer_id, business["id"])
    assert "company_number  555" in got.stdout


async def test_bad_input_fails_in_one_line_and_sends_nothing(
    fake: FakePaddle, customer_id: str
) -> None:
    """An unsupported country, a bad contact, a bad id: a usage error (exit 2), one line, no
    request."""
    for args in (
        ["addresses", "create", customer_id, "--country-code", "RU"],
        ["businesses", "create", customer_id, "--name", "B", "--contact", "not an e-mail"],
        ["addresses", "get", customer_id, "biz_01zzzzzzzzzzzzzzzzzzzzzzzz"],
        ["businesses", "update", "ctm_../x", "biz_01zzzzzzzzzzzzzzzzzzzzzzzz", "--name", "B"],
    ):
        result = await run(fake, *args)
        assert 2 == result.returncode, args
        assert [1, True] == [len(result.stderr.splitlines()), "invalid input" in result.stderr], (
            args
        )
    assert [] == fake.requests


async def test_an_update_with_nothing_to_change_is_a_usage_error(
    fake: FakePaddle, customer_id: str
) -> None:
    """No field given: exit 2 naming the options, before any request."""
    result = await run(fake, "businesses", "update", customer_id, "biz_01zzzzzzzzzzzzzzzzzzzzzzzz")
    assert 2 == result.returncode
    assert "nothing to change" in result.stderr
    assert "--clear-contacts" in result.stderr
    assert [] == fake.requests


async def test_an_unknown_address_is_one_line(fake: FakePaddle, customer_id: str) -> None:
    """404 from Paddle: exit 1, Paddle's detail in one line."""
    result = await run(fake, "addresses", "get", customer_id, "add_01zzzzzzzzzzzzzzzzzzzzzzzz")
    assert (1, 1) == (result.returncode, len(result.stderr.splitlines()))
    assert "not_found" in result.stderr


@pytest.fixture
async def live_fake() -> AsyncIterator[FakePaddle]:
    """A FakePaddle that takes a production-shaped key."""
    async with FakePaddle(api_key=LIVE_KEY) as fake:
        yield fake


async def test_live_writes_ask_first(live_fake: FakePaddle) -> None:
    """With a live key and no terminal, creates and updates refuse without --yes; --yes writes."""
    customer_id = str(live_fake.add_customer(email="live@example.com")["id"])
    address_id = live_fake.add_address(customer_id)["id"]
    business_id = live_fake.add_business(customer_id, name="B")["id"]
    commands = {
        f"create address for customer {customer_id}": [
            "addresses", "create", customer_id, "--country-code", "DE",
        ],
        f"update address {address_id} of customer {customer_id} (--city)": [
            "addresses", "update", customer_id, address_id, "--city", "Berlin",
        ],
        f"create business for customer {customer_id}": [
            "businesses", "create", customer_id, "--name", "C",
        ],
        f"update business {business_id} of customer {customer_id} (--clear-tax-identifier)": [
            "businesses", "update", customer_id, business_id, "--clear-tax-identifier",
        ],
    }  # fmt: skip
    for question, command in commands.items():
        refused = await run(live_fake, *command, key=LIVE_KEY)
        assert 1 == refused.returncode
        assert f"this would {question} in a live Paddle account" in refused.stderr
    assert [] == writes(live_fake)
    for command in commands.values():
        done = await run(live_fake, *command, "--yes", key=LIVE_KEY)
        assert (0, "") == (done.returncode, done.stderr)
    assert 4 == len(writes(live_fake))
    reads = await run(live_fake, "addresses", "list", customer_id, key=LIVE_KEY)
    assert 0 == reads.returncode


async def test_contacts_are_one_json_cell_in_csv_and_tables(
    fake: FakePaddle, customer_id: str
) -> None:
    """A business's contacts are a JSON array in a CSV cell and in get's table, as every list."""
    business = fake.add_business(
        customer_id,
        name="Uplift Inc.",
        contacts=[{"name": "Parker Jones", "email": "parker@example.com"}],
    )
    as_csv, as_table = await asyncio.gather(
        run(fake, "businesses", "get", customer_id, business["id"], "--format", "csv"),
        run(fake, "businesses", "get", customer_id, business["id"]),
    )
    [row] = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    contacts = '[{"email": "parker@example.com", "name": "Parker Jones"}]'
    assert contacts == row["contacts"]
    assert f"contacts        {contacts}" in as_table.stdout.splitlines()


def help_of(*command: str) -> str:
    """Return a command's --help, its whitespace made single spaces."""
    parser = build_parser()
    for name in command:
        [commands] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        parser = commands.choices[name]
    return " ".join(parser.format_help().split())


@pytest.mark.parametrize(
    ("group", "option", "help"),
    [
        ("addresses", "--country-code COUNTRY_CODE", "two letters, such as US"),
        ("businesses", "--name NAME", "the business's name"),
    ],
)
def test_help_says_required_only_where_an_option_is(group: str, option: str, help: str) -> None:
    """The option create requires says "(required)" there; update takes it, optional, without."""
    assert f"{option} {help} (required)" in help_of(group, "create")
    assert f"{option} {help} --" in help_of(group, "update")
    assert "(required)" not in help_of(group, "update")


@pytest.mark.parametrize(
    ("group", "one"), [("addresses", "an address"), ("businesses", "a business")]
)
def test_help_names_one_with_its_article(group: str, one: str) -> None:
    """The group's help says "create an address", "change the given fields of a business"."""
    text = help_of(group)
    assert f"create {one} for a customer" in text
    assert f"change the given fields of {one}" in text
