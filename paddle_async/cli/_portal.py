"""``paddle-async auth-token`` and ``paddle-async portal-session``: print a customer's secrets.

Both print a secret on purpose (that is what they are for): a token that lets Paddle.js show the
customer's saved payment methods, or links that sign the customer in to Paddle's portal.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..customer_portal_sessions import CreateCustomerPortalSession
from ._commands import Command, Context, csv_list
from ._output import OUTPUT_FORMATS, model_json, to_json, utc_text
from ._terminal import key_value_table

__all__ = ["AUTH_TOKEN", "PORTAL_SESSION"]

_SECRET_WARNING = (
    "It prints a secret on purpose: anyone holding it acts as the customer until it expires. "
    "Don't paste it into tickets or chats, and don't log it."
)
_FORMATS = tuple(fmt for fmt in OUTPUT_FORMATS if fmt != "csv")


def _format_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--format",
        choices=_FORMATS,
        default="table",
        help="table: label and value lines; json: Paddle's object (default: %(default)s)",
    )


def _write(ctx: Context, fmt: str, data: dict[str, Any], rows: list[tuple[str, str]]) -> None:
    if fmt == "table":
        key_value_table(rows, ctx.out, indent="")
    else:
        ctx.out.write(to_json(data, indent=2 if fmt == "json" else None) + "\n")


# auth-token


def _token_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("customer_id")
    _format_option(p)


async def _auth_token(ctx: Context, args: argparse.Namespace) -> int:
    token = await ctx.client.customers.generate_auth_token(args.customer_id)
    data = model_json(token)  # the secret in full
    _write(ctx, args.format, data, [(key, value or "") for key, value in data.items()])
    return 0


AUTH_TOKEN = Command(
    name="auth-token",
    help="generate a customer auth token for Paddle.js (prints a secret)",
    description="Generate a customer auth token, which Paddle.js takes to show a returning "
    "customer's saved payment methods at checkout. " + _SECRET_WARNING,
    arguments=_token_arguments,
    run=_auth_token,
)


# portal-session


def _session_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("customer_id")
    p.add_argument(
        "--subscription-id",
        action="append",
        metavar="SUB_ID",
        help="also make cancel and update-payment-method links for these subscriptions "
        "(comma-separated or repeated; at most 25)",
    )
    _format_option(p)


async def _portal_session(ctx: Context, args: argparse.Namespace) -> int:
    ids = csv_list(args.subscription_id)
    request = None if ids is None else CreateCustomerPortalSession(subscription_ids=ids)
    session = await ctx.client.customer_portal_sessions.create(args.customer_id, request)
    rows = [
        ("id", session.id),
        ("customer_id", session.customer_id or ""),
        ("created_at", utc_text(session.created_at)),
        ("overview", session.urls.general.overview),
    ]
    for links in session.urls.subscriptions:
        rows.append((f"{links.id} cancel", links.cancel_subscription))
        rows.append((f"{links.id} payment method", links.update_subscription_payment_method))
    _write(ctx, args.format, model_json(session), rows)  # the links in full
    return 0


PORTAL_SESSION = Command(
    name="portal-session",
    help="create a customer portal session and print its links (prints secrets)",
    description="Create a customer portal session and print its authenticated links to "
    "Paddle's customer portal: the overview, and per --subscription-id the cancel and "
    "update-payment-method pages. " + _SECRET_WARNING,
    arguments=_session_arguments,
    run=_portal_session,
)
