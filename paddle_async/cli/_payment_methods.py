"""``paddle-async payment-methods …``: list, get and delete a customer's saved payment methods."""

from __future__ import annotations

import argparse
import enum
from datetime import UTC, datetime
from typing import Any

import attrs

from ..payment_methods import ListPaymentMethods, PaymentMethod
from ._commands import Command, Context, Group, csv_list, format_option, positive_int
from ._output import ItemWriter, Shape, show_one
from ._terminal import Column, printable

__all__ = ["PAYMENT_METHODS", "PAYMENT_METHOD_SHAPE"]


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().removesuffix("+00:00") + "Z"


def _plain(_: Any, __: Any, value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _part(value: Any) -> dict[str, Any] | None:
    """A nested model as Paddle's JSON object (enums as their values), or None."""
    return None if value is None else attrs.asdict(value, value_serializer=_plain)


def payment_method_json(method: PaymentMethod) -> dict[str, Any]:
    """Return a payment method as Paddle's JSON shape."""
    return {
        "id": method.id,
        "customer_id": method.customer_id,
        "address_id": method.address_id,
        "type": str(method.type),
        "card": _part(method.card),
        "paypal": _part(method.paypal),
        "underlying_details": _part(method.underlying_details),
        "origin": str(method.origin),
        "saved_at": _timestamp(method.saved_at),
        "updated_at": _timestamp(method.updated_at),
    }


PAYMENT_METHOD_SHAPE: Shape[PaymentMethod] = Shape(
    to_json=payment_method_json,
    columns=(
        "id",
        "customer_id",
        "address_id",
        "type",
        "card",
        "paypal",
        "underlying_details",
        "origin",
        "saved_at",
        "updated_at",
    ),
    table=(
        Column("id", 33),
        Column("type", 11),
        Column("origin", 21),
        Column("card", 40, flexible=True),
        Column("saved_at", 20),
    ),
    plural="payment methods",
)


# list


def _checkout(text: str) -> bool:
    """An argparse type: true or false."""
    if text.lower() not in ("true", "false"):
        raise argparse.ArgumentTypeError(f"must be true or false, got {text!r}")
    return text.lower() == "true"


def _list_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("customer_id")
    p.add_argument("--address-id", action="append", help="address id(s), comma-separated")
    p.add_argument(
        "--supports-checkout",
        type=_checkout,
        metavar="true|false",
        help="only those Paddle can (true) or cannot (false) offer at checkout",
    )
    p.add_argument("--order", choices=("asc", "desc"), default="desc", help="by id (saving)")
    p.add_argument("--limit", type=positive_int, help="show at most this many")
    format_option(p)


async def _list(ctx: Context, args: argparse.Namespace) -> int:
    limit: int | None = args.limit
    request = ListPaymentMethods(
        address_id=csv_list(args.address_id),
        supports_checkout=args.supports_checkout,
        order_by=f"id[{args.order.upper()}]",
        per_page=min(limit, 200) if limit else 200,
    )
    writer = ItemWriter(
        ctx.out, args.format, PAYMENT_METHOD_SHAPE, csv_raw=args.csv_raw, err=ctx.err
    )
    shown = 0
    async for page in ctx.client.payment_methods.list(args.customer_id, request).pages():
        items = list(page.items)
        if limit is not None:
            items = items[: limit - shown]
        writer.write(items)
        shown += len(items)
        if limit is not None and shown >= limit:
            break
    writer.close()
    return 0


# get, delete


def _one_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("customer_id")
    p.add_argument("payment_method_id")


def _get_arguments(p: argparse.ArgumentParser) -> None:
    _one_arguments(p)
    format_option(p)


async def _get(ctx: Context, args: argparse.Namespace) -> int:
    method = await ctx.client.payment_methods.get(args.customer_id, args.payment_method_id)
    show_one(method, ctx.out, args.format, PAYMENT_METHOD_SHAPE, csv_raw=args.csv_raw, err=ctx.err)
    return 0


async def _delete(ctx: Context, args: argparse.Namespace) -> int:
    await ctx.client.payment_methods.delete(args.customer_id, args.payment_method_id)
    ctx.out.write(f"Deleted payment method {printable(args.payment_method_id)}\n")
    return 0


def _delete_question(args: argparse.Namespace) -> str:
    return (
        f"delete payment method {printable(args.payment_method_id)} of customer "
        f"{printable(args.customer_id)} for good (it cannot be restored)"
    )


PAYMENT_METHODS = Group(
    name="payment-methods",
    help="a customer's saved payment methods",
    commands=(
        Command(
            name="list",
            help="list a customer's saved payment methods, newest first",
            arguments=_list_arguments,
            run=_list,
        ),
        Command(
            name="get", help="show one saved payment method", arguments=_get_arguments, run=_get
        ),
        Command(
            name="delete",
            help="delete a saved payment method for good (asks first unless --yes)",
            arguments=_one_arguments,
            run=_delete,
            writes=_delete_question,
            always_ask=True,
        ),
    ),
)
