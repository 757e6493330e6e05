"""The ``customers`` commands other than import: list, get, create, update, credit-balances,
export."""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from .._json import loads
from .._types import UNSET
from ..customers import (
    CreateCustomer,
    CreditBalance,
    Customer,
    ListCreditBalances,
    ListCustomers,
    UpdateCustomer,
)
from ..customers._sync_plan import existing_count
from ..errors import ValidationError
from ._rows import detect_format, neutralise_formula
from ._terminal import (
    CUSTOMER_COLUMNS,
    Progress,
    customer_json,
    customer_row,
    key_value_table,
    printable,
    table,
)

if TYPE_CHECKING:
    from .. import Paddle

__all__ = [
    "create",
    "credit_balances",
    "export",
    "get",
    "list_",
    "update",
]


def _csv_list(values: Sequence[str] | None) -> list[str] | None:
    """Accept repeated options and comma-separated values alike."""
    if not values:
        return None
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


def _json_object(text: str | None, option: str) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        value = loads(text, exact=True)
    except ValueError:
        raise ValidationError.single(option, "not valid JSON") from None
    if not isinstance(value, dict):
        raise ValidationError.single(option, "must be a JSON object")
    return value


def _cells(row: dict[str, str], *, raw: bool) -> dict[str, str]:
    """Return a CSV row whose cells a spreadsheet shows as text, or the row itself if ``raw``."""
    return row if raw else {key: neutralise_formula(value) for key, value in row.items()}


class _Writer:
    """Writes customers in one of the output formats, a page at a time."""

    def __init__(self, out: TextIO, fmt: str, *, csv_raw: bool = False) -> None:
        self._out = out
        self._fmt = fmt
        self._csv_raw = csv_raw
        self._started = False
        self._csv: Any = None

    def write(self, customers: Sequence[Customer]) -> None:
        if self._fmt == "table":
            table(customers, self._out, header=not self._started)
        elif self._fmt == "jsonl":
            for customer in customers:
                self._out.write(json.dumps(customer_json(customer), ensure_ascii=False) + "\n")
        else:
            if self._csv is None:
                self._csv = csv.DictWriter(self._out, fieldnames=CUSTOMER_COLUMNS)
                self._csv.writeheader()
            raw = self._csv_raw
            self._csv.writerows(_cells(customer_row(c), raw=raw) for c in customers)
        self._started = True


def _show(customer: Customer, out: TextIO, args: argparse.Namespace) -> None:
    if args.format == "table":
        key_value_table(list(customer_row(customer).items()), out, indent="")
    else:
        _Writer(out, args.format, csv_raw=args.csv_raw).write([customer])


async def list_(client: Paddle, args: argparse.Namespace, out: TextIO) -> int:
    """List customers with filters."""
    limit: int | None = args.limit
    per_page = min(limit, 200) if limit else 200
    request = ListCustomers(
        email=_csv_list(args.email),
        id=_csv_list(args.id),
        status=_csv_list(args.status),
        search=args.search,
        order_by=f"id[{args.order.upper()}]",
        per_page=per_page,
    )
    writer = _Writer(out, args.format, csv_raw=args.csv_raw)
    shown = 0
    async for page in client.customers.list(request).pages():
        items = list(page.items)
        if limit is not None:
            items = items[: limit - shown]
        writer.write(items)
        shown += len(items)
        if limit is not None and shown >= limit:
            break
    if args.format == "table" and shown == 0:
        out.write("(no customers)\n")
    return 0


async def get(client: Paddle, args: argparse.Namespace, out: TextIO) -> int:
    """Show one customer."""
    _show(await client.customers.get(args.customer_id), out, args)
    return 0


async def create(client: Paddle, args: argparse.Namespace, out: TextIO) -> int:
    """Create a customer."""
    request = CreateCustomer(
        email=args.email,
        name=args.name,
        locale=args.locale,
        custom_data=_json_object(args.custom_data, "--custom-data"),
    )
    _show(await client.customers.create(request), out, args)
    return 0


async def update(client: Paddle, args: argparse.Namespace, out: TextIO) -> int:
    """Update the given fields of a customer."""
    custom_data = _json_object(args.custom_data, "--custom-data")
    request = UpdateCustomer(
        email=args.email if args.email is not None else UNSET,
        name=None if args.clear_name else (args.name if args.name is not None else UNSET),
        locale=args.locale if args.locale is not None else UNSET,
        status=args.status if args.status is not None else UNSET,
        custom_data=None
        if args.clear_custom_data
        else (custom_data if custom_data is not None else UNSET),
    )
    _show(await client.customers.update(args.customer_id, request), out, args)
    return 0


def _balance_row(balance: CreditBalance) -> dict[str, str]:
    return {
        "currency_code": str(balance.currency_code),
        "available": str(balance.balance.available),
        "reserved": str(balance.balance.reserved),
        "used": str(balance.balance.used),
    }


async def credit_balances(client: Paddle, args: argparse.Namespace, out: TextIO) -> int:
    """Show a customer's credit balances."""
    request = ListCreditBalances(currency_code=_csv_list(args.currency))
    rows = [
        _balance_row(b)
        for b in await client.customers.list_credit_balances(args.customer_id, request)
    ]
    if args.format == "jsonl":
        for row in rows:
            out.write(json.dumps(row) + "\n")
    elif args.format == "csv":
        writer = csv.DictWriter(out, fieldnames=["currency_code", "available", "reserved", "used"])
        writer.writeheader()
        writer.writerows(_cells(row, raw=args.csv_raw) for row in rows)
    elif not rows:
        out.write("(no credit balances)\n")
    else:
        out.write("currency  available  reserved  used\n")
        for row in rows:
            shown = {key: printable(value) for key, value in row.items()}
            out.write(
                f"{shown['currency_code']:<8}  {shown['available']:>9}  {shown['reserved']:>8}  "
                f"{shown['used']}\n"
            )
    return 0


@contextlib.contextmanager
def _output(path: str) -> Iterator[TextIO]:
    if path == "-":
        yield sys.stdout
        return
    with open(path, "w", encoding="utf-8", newline="") as file:
        yield file


async def export(client: Paddle, args: argparse.Namespace, out: TextIO, progress: Progress) -> int:
    """Write every customer to a file, a page at a time (constant memory)."""
    fmt = args.format or (detect_format(args.file, None) if args.file != "-" else "jsonl")
    request = ListCustomers(
        status=_csv_list(args.status) or ["active", "archived"], per_page=200, order_by="id[ASC]"
    )
    written = 0
    with _output(args.file) as file:
        writer = _Writer(file, fmt, csv_raw=args.csv_raw)
        try:
            async for page in client.customers.list(request).pages():
                writer.write(page.items)
                written += len(page.items)
                total = existing_count(page.estimated_total)
                progress.update("Exporting", written, total, unit="customers")
        finally:
            progress.close()
    if args.file != "-":
        out.write(f"Exported {written:,} customers to {printable(args.file)}\n")
    return 0
