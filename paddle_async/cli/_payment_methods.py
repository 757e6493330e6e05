"""``paddle-async payment-methods …``: list, get and delete a customer's saved payment methods."""

from __future__ import annotations

import argparse

from ..payment_methods import ListPaymentMethods, PaymentMethod
from ._commands import Command, Context, Group, csv_list, format_option, positive_int
from ._output import ItemWriter, Shape, model_json, page_size, show_one, write_pages
from ._terminal import Column, printable

__all__ = ["PAYMENT_METHODS", "PAYMENT_METHOD_SHAPE"]


PAYMENT_METHOD_SHAPE: Shape[PaymentMethod] = Shape(
    to_json=model_json,
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
        per_page=page_size(limit),
    )
    writer = ItemWriter(
        ctx.out, args.format, PAYMENT_METHOD_SHAPE, csv_raw=args.csv_raw, err=ctx.err
    )
    await write_pages(writer, ctx.client.payment_methods.list(args.customer_id, request), limit)
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
