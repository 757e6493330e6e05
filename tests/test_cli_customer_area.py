"""``paddle-async payment-methods``, ``auth-token`` and ``portal-session`` through the installed
console script, against a FakePaddle of the test (a sandbox key: no live-account gate)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cli_files import cli_env, run_on_terminal

from paddle_async.cli._output import utc_text
from paddle_async.testing import FakePaddle

SCRIPT = str(Path(sys.executable).with_name("paddle-async"))
SUB_1 = "sub_01h04vsc0qhwtsbsxh3422wjs4"
SUB_2 = "sub_01hv959anj4zrw503h2acawb3p"
TIMES = ("saved_at", "updated_at")


async def run(fake: FakePaddle, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the console script against ``fake`` without a terminal (the loop keeps serving)."""
    return await asyncio.to_thread(
        subprocess.run,
        [SCRIPT, "--base-url", fake.base_url, *args],
        capture_output=True,
        text=True,
        env=cli_env(fake.api_key),
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


@pytest.fixture
def customer_id(fake: FakePaddle) -> str:
    return str(fake.add_customer(email="cli@example.com", name="Sam Miller")["id"])


def as_the_cli_writes(method: dict[str, Any]) -> dict[str, Any]:
    """Return a payment method as the fake sends it, its times as the command line writes every
    time: in UTC with six fractional digits (the fake, like Paddle, drops trailing zeros)."""
    times = {key: utc_text(datetime.fromisoformat(method[key])) for key in TIMES}
    return {**method, **times}


def deletes(fake: FakePaddle) -> list[str]:
    return [r.path.rsplit("/", 1)[1] for r in fake.requests if r.method == "DELETE"]


async def test_list_and_get_payment_methods(fake: FakePaddle, customer_id: str) -> None:
    """list shows a customer's methods (filters and formats); get shows one as Paddle's JSON."""
    card = fake.add_payment_method(customer_id)
    paypal = fake.add_payment_method(customer_id, type="paypal", origin="subscription")
    listed, filtered, got, empty = await asyncio.gather(
        run(fake, "payment-methods", "list", customer_id, "--format", "jsonl"),
        run(
            fake,
            *("payment-methods", "list", customer_id, "--supports-checkout", "false"),
            *("--format", "table"),
        ),
        run(fake, "payment-methods", "get", customer_id, card["id"], "--format", "json"),
        run(fake, "payment-methods", "list", fake.add_customer(email="none@example.com")["id"]),
    )
    assert [0, 0, 0, 0] == [r.returncode for r in (listed, filtered, got, empty)], [
        r.stderr for r in (listed, filtered, got, empty)
    ]
    assert [as_the_cli_writes(paypal), as_the_cli_writes(card)] == [
        json.loads(line) for line in listed.stdout.splitlines()
    ]
    assert paypal["id"] in filtered.stdout
    assert card["id"] not in filtered.stdout
    assert as_the_cli_writes(card) == json.loads(got.stdout)
    assert "(no payment methods)\n" == empty.stdout
    assert {"supports_checkout": "false", "order_by": "id[DESC]", "per_page": "200"} == {
        key: value
        for r in fake.requests
        if "supports_checkout" in r.query
        for key, value in r.query.items()
    }


async def test_delete_without_yes_and_without_a_terminal_refuses(
    fake: FakePaddle, customer_id: str
) -> None:
    """Even with a sandbox key, delete refuses in one line without --yes or a terminal."""
    method_id = fake.add_payment_method(customer_id)["id"]
    result = await run(fake, "payment-methods", "delete", customer_id, method_id)
    assert 1 == result.returncode
    assert (
        f"paddle-async: error: this would delete payment method {method_id} of customer "
        f"{customer_id} for good (it cannot be restored): pass --yes to confirm (there is no "
        "terminal to ask on)\n"
    ) == result.stderr
    assert ([], 1) == (deletes(fake), len(fake.payment_methods(customer_id)))


async def test_delete_with_yes_deletes(fake: FakePaddle, customer_id: str) -> None:
    """--yes deletes without asking; a second delete is a one-line not-found error."""
    method_id = fake.add_payment_method(customer_id)["id"]
    first = await run(fake, "payment-methods", "delete", customer_id, method_id, "--yes")
    second = await run(fake, "payment-methods", "delete", customer_id, method_id, "-y")
    assert (0, f"Deleted payment method {method_id}\n", "") == (
        first.returncode,
        first.stdout,
        first.stderr,
    )
    assert [] == fake.payment_methods(customer_id)
    assert 1 == second.returncode
    assert second.stderr.startswith("paddle-async: error: HTTP 404 not_found: Payment method")
    assert 1 == len(second.stderr.splitlines())


@pytest.mark.parametrize(("reply", "deleted"), [("y\n", True), ("n\n", False), ("\n", False)])
async def test_delete_asks_on_a_terminal(
    fake: FakePaddle, customer_id: str, reply: str, deleted: bool
) -> None:
    """On a terminal delete asks, with a sandbox key too; only y deletes."""
    method_id = fake.add_payment_method(customer_id)["id"]
    result = await asyncio.to_thread(
        run_on_terminal,
        *("--base-url", fake.base_url, "payment-methods", "delete", customer_id, method_id),
        env=cli_env(fake.api_key),
        reply=reply,
    )
    assert (
        f"This will delete payment method {method_id} of customer {customer_id} for good "
        "(it cannot be restored). Continue? [y/N]"
    ) in result.terminal
    assert "LIVE" not in result.terminal
    assert ((0 if deleted else 1), deleted) == (result.returncode, method_id in deletes(fake))


async def test_auth_token_prints_a_working_token(fake: FakePaddle, customer_id: str) -> None:
    """auth-token prints the token in full (json) or as label/value lines (table)."""
    as_json, as_table = await asyncio.gather(
        run(fake, "auth-token", customer_id, "--format", "json"),
        run(fake, "auth-token", customer_id),
    )
    assert (0, 0, "", "") == (
        as_json.returncode,
        as_table.returncode,
        as_json.stderr,
        as_table.stderr,
    )
    token = json.loads(as_json.stdout)
    assert customer_id == fake.auth_token_customer(token["customer_auth_token"])
    assert ["customer_auth_token", "expires_at"] == [
        line.split()[0] for line in as_table.stdout.splitlines()
    ]
    assert customer_id == fake.auth_token_customer(as_table.stdout.split()[1])


async def test_portal_session_prints_its_links(fake: FakePaddle, customer_id: str) -> None:
    """portal-session prints the overview and, per --subscription-id, both deep links."""
    as_json, as_table = await asyncio.gather(
        run(fake, "portal-session", customer_id, "--format", "json"),
        run(fake, "portal-session", customer_id, "--subscription-id", f"{SUB_1},{SUB_2}"),
    )
    assert (0, 0) == (as_json.returncode, as_table.returncode), as_table.stderr
    session = json.loads(as_json.stdout)
    assert (customer_id, []) == (session["customer_id"], session["urls"]["subscriptions"])
    assert session["urls"]["general"]["overview"].startswith("https://customer-portal.paddle.com/")
    labels = [line.split("  ")[0].strip() for line in as_table.stdout.splitlines()]
    assert [
        "id",
        "customer_id",
        "created_at",
        "overview",
        f"{SUB_1} cancel",
        f"{SUB_1} payment method",
        f"{SUB_2} cancel",
        f"{SUB_2} payment method",
    ] == labels
    assert "token=pga_" in as_table.stdout
    assert [{"subscription_ids": [SUB_1, SUB_2]}] == [
        r.json for r in fake.requests if r.method == "POST" and r.json
    ]


async def test_bad_input_is_one_line_and_sends_nothing(fake: FakePaddle, customer_id: str) -> None:
    """A malformed id or too many subscriptions are usage errors (exit 2), before any request."""
    too_many = ",".join(f"sub_{n:026d}" for n in range(26))
    results = await asyncio.gather(
        run(fake, "payment-methods", "get", customer_id, "paymtd_../x"),
        run(fake, "auth-token", "ctm_SHOUT"),
        run(fake, "portal-session", customer_id, "--subscription-id", too_many),
        run(fake, "payment-methods", "list", customer_id, "--supports-checkout", "maybe"),
    )
    assert [2, 2, 2, 2] == [r.returncode for r in results]
    assert results[0].stderr.startswith(
        "paddle-async payment-methods get: error: invalid input: payment_method_id:"
    )
    assert results[1].stderr.startswith(
        "paddle-async auth-token: error: invalid input: customer_id:"
    )
    assert (
        "paddle-async portal-session: error: invalid input: subscription_ids: at most 25 items, "
        "got 26\n" == results[2].stderr
    )
    assert "must be true or false" in results[3].stderr
    assert [] == fake.requests


async def test_help_says_the_secrets_are_printed_on_purpose() -> None:
    """auth-token and portal-session --help warn that they print secrets."""
    pages = await asyncio.gather(
        *(
            asyncio.to_thread(
                subprocess.run,
                [SCRIPT, command, "--help"],
                capture_output=True,
                text=True,
                env=cli_env(None),
                check=False,
            )
            for command in ("auth-token", "portal-session")
        )
    )
    for page in pages:
        text = " ".join(page.stdout.split())
        assert "It prints a secret on purpose" in text
        assert "don't log it" in text
