"""``paddle-async customers …``: list, get, create, update, credit-balances, import, export."""

from __future__ import annotations

import argparse
from typing import Any

from .. import UNSET
from ..customers import (
    CreateCustomer,
    CreditBalance,
    Customer,
    ListCreditBalances,
    ListCustomers,
    UpdateCustomer,
)
from ._commands import (
    Command,
    Context,
    Group,
    UsageError,
    csv_list,
    csv_raw_option,
    format_option,
    json_object,
    positive_int,
)
from ._import import IMPORT
from ._output import (
    FILE_FORMATS,
    ItemWriter,
    Shape,
    output_file,
    page_size,
    show_one,
    utc_text,
    write_pages,
)
from ._rows import file_format
from ._terminal import Column, Step, printable

__all__ = ["CUSTOMERS", "CUSTOMER_SHAPE"]

# Paddle's estimated_total is exact up to this; it says 100001 for anything more.
_EXACT_COUNT_UP_TO = 100_000


def customer_json(customer: Customer) -> dict[str, Any]:
    """Return a customer as Paddle's JSON shape."""
    meta = customer.import_meta
    return {
        "id": customer.id,
        "email": customer.email,
        "name": customer.name,
        "status": str(customer.status),
        "locale": customer.locale,
        "custom_data": customer.custom_data,
        "marketing_consent": customer.marketing_consent,
        "created_at": utc_text(customer.created_at),
        "updated_at": utc_text(customer.updated_at),
        "import_meta": None
        if meta is None
        else {"imported_from": str(meta.imported_from), "external_id": meta.external_id},
    }


CUSTOMER_SHAPE: Shape[Customer] = Shape(
    to_json=customer_json,
    columns=(
        "id",
        "email",
        "name",
        "status",
        "locale",
        "custom_data",
        "marketing_consent",
        "created_at",
        "updated_at",
        "import_meta",
    ),
    table=(
        Column("id", 30),
        Column("email", 36, flexible=True),
        Column("name", 24, flexible=True),
        Column("status", 8),
        Column("locale", 6),
    ),
    plural="customers",
)


def _balance_json(balance: CreditBalance) -> dict[str, Any]:
    return {
        "currency_code": str(balance.currency_code),
        "available": str(balance.balance.available),
        "reserved": str(balance.balance.reserved),
        "used": str(balance.balance.used),
    }


BALANCE_SHAPE: Shape[CreditBalance] = Shape(
    to_json=_balance_json,
    columns=("currency_code", "available", "reserved", "used"),
    table=(
        Column("currency_code", 13),
        Column("available", 12, right=True),
        Column("reserved", 12, right=True),
        Column("used", 12, right=True),
    ),
    plural="credit balances",
)


# list


def _list_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--email", action="append", help="exact e-mail(s), comma-separated")
    p.add_argument("--id", action="append", help="customer id(s), comma-separated")
    p.add_argument("--status", action="append", help="active and/or archived")
    p.add_argument("--search", help="text to find in id, name or e-mail")
    p.add_argument("--order", choices=("asc", "desc"), default="desc", help="by id (creation)")
    p.add_argument("--limit", type=positive_int, help="show at most this many")
    format_option(p)


async def _list(ctx: Context, args: argparse.Namespace) -> int:
    limit: int | None = args.limit
    request = ListCustomers(
        email=csv_list(args.email),
        id=csv_list(args.id),
        status=csv_list(args.status),
        search=args.search,
        order_by=f"id[{args.order.upper()}]",
        per_page=page_size(limit),
    )
    writer = ItemWriter(ctx.out, args.format, CUSTOMER_SHAPE, csv_raw=args.csv_raw, err=ctx.err)
    await write_pages(writer, ctx.client.customers.list(request), limit)
    return 0


# get, create, update


def _get_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("customer_id")
    format_option(p)


async def _get(ctx: Context, args: argparse.Namespace) -> int:
    customer = await ctx.client.customers.get(args.customer_id)
    show_one(customer, ctx.out, args.format, CUSTOMER_SHAPE, csv_raw=args.csv_raw, err=ctx.err)
    return 0


def _create_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--email", required=True)
    p.add_argument("--name")
    p.add_argument("--locale")
    p.add_argument("--custom-data", metavar="JSON", help="a JSON object")
    format_option(p)


async def _create(ctx: Context, args: argparse.Namespace) -> int:
    request = CreateCustomer(
        email=args.email,
        name=args.name,
        locale=args.locale,
        custom_data=json_object(args.custom_data, "--custom-data"),
    )
    customer = await ctx.client.customers.create(request)
    show_one(customer, ctx.out, args.format, CUSTOMER_SHAPE, csv_raw=args.csv_raw, err=ctx.err)
    return 0


_UPDATE_FIELDS = (
    "--email",
    "--name",
    "--clear-name",
    "--locale",
    "--status",
    "--custom-data",
    "--clear-custom-data",
)


def _update_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("customer_id")
    p.add_argument("--email")
    p.add_argument("--name")
    p.add_argument("--clear-name", action="store_true")
    p.add_argument("--locale")
    p.add_argument("--status", choices=("active", "archived"))
    p.add_argument("--custom-data", metavar="JSON", help="a JSON object (replaces the old one)")
    p.add_argument("--clear-custom-data", action="store_true")
    format_option(p)


def _given(value: Any, *, clear: bool = False) -> Any:
    """An update field: None to clear it, UNSET when not given."""
    if clear:
        return None
    return UNSET if value is None else value


def _update_request(args: argparse.Namespace) -> UpdateCustomer:
    return UpdateCustomer(
        email=_given(args.email),
        name=_given(args.name, clear=args.clear_name),
        locale=_given(args.locale),
        status=_given(args.status),
        custom_data=_given(
            json_object(args.custom_data, "--custom-data"), clear=args.clear_custom_data
        ),
    )


def _update_question(args: argparse.Namespace) -> str:
    fields = [
        name
        for name in _UPDATE_FIELDS
        if getattr(args, name[2:].replace("-", "_")) not in (None, False)
    ]
    if not fields:
        # A usage error, before any question or request.
        raise UsageError("nothing to change: give at least one of " + ", ".join(_UPDATE_FIELDS))
    return f"update customer {printable(args.customer_id)} ({', '.join(fields)})"


async def _update(ctx: Context, args: argparse.Namespace) -> int:
    customer = await ctx.client.customers.update(args.customer_id, _update_request(args))
    show_one(customer, ctx.out, args.format, CUSTOMER_SHAPE, csv_raw=args.csv_raw, err=ctx.err)
    return 0


# credit-balances


def _balances_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("customer_id")
    p.add_argument("--currency", action="append", help="currency code(s), comma-separated")
    format_option(p)


async def _balances(ctx: Context, args: argparse.Namespace) -> int:
    request = ListCreditBalances(currency_code=csv_list(args.currency))
    balances = await ctx.client.customers.list_credit_balances(args.customer_id, request)
    writer = ItemWriter(ctx.out, args.format, BALANCE_SHAPE, csv_raw=args.csv_raw, err=ctx.err)
    writer.write(balances)
    writer.close()
    return 0


# export


def _export_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="the file to write, or - for standard output")
    p.add_argument(
        "--format",
        choices=FILE_FORMATS,
        help="json (one array), jsonl or csv; default: from the file's extension, which must match",
    )
    p.add_argument("--status", action="append", help="default: active,archived")
    csv_raw_option(p)


def _exact_count(estimated_total: int | None) -> int | None:
    if estimated_total is None or not 0 <= estimated_total <= _EXACT_COUNT_UP_TO:
        return None
    return estimated_total


async def _export(ctx: Context, args: argparse.Namespace) -> int:
    """Write every customer to a file, a page at a time (constant memory)."""
    fmt = args.format or "jsonl"
    if args.file != "-":
        fmt = file_format(args.file, args.format, allowed=FILE_FORMATS)
    request = ListCustomers(
        status=csv_list(args.status) or ["active", "archived"], per_page=200, order_by="id[ASC]"
    )
    progress = ctx.progress()
    with output_file(args.file) as file:
        writer = ItemWriter(file, fmt, CUSTOMER_SHAPE, csv_raw=args.csv_raw, err=ctx.err)
        try:
            async for page in ctx.client.customers.list(request).pages():
                writer.write(page.items)
                total = _exact_count(page.estimated_total)
                progress.update(Step("Exporting", writer.count, total, "customers"))
        finally:
            progress.close()
        writer.close()
    if args.file != "-":
        ctx.out.write(f"Exported {writer.count:,} customers to {printable(args.file)}\n")
    return 0


CUSTOMERS = Group(
    name="customers",
    help="customer operations",
    commands=(
        Command(
            name="list",
            help="list customers (active ones unless --status says otherwise)",
            arguments=_list_arguments,
            run=_list,
        ),
        Command(name="get", help="show one customer", arguments=_get_arguments, run=_get),
        Command(
            name="create",
            help="create a customer",
            arguments=_create_arguments,
            run=_create,
            writes=lambda args: f"create customer {printable(args.email)}",
        ),
        Command(
            name="update",
            help="change the given fields of a customer",
            arguments=_update_arguments,
            run=_update,
            writes=_update_question,
        ),
        Command(
            name="credit-balances",
            help="show a customer's credit balances",
            arguments=_balances_arguments,
            run=_balances,
        ),
        IMPORT,
        Command(
            name="export",
            help="write every customer to a JSON, JSON Lines or CSV file, page by page",
            arguments=_export_arguments,
            run=_export,
        ),
    ),
)
