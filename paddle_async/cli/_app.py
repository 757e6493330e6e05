"""The ``paddle-async`` command line: options, the client, and one-line errors."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator, Sequence
from typing import Any

from .. import Environment, Paddle, RateLimit
from .._version import __version__
from ..errors import (
    AuthenticationError,
    PaddleError,
    PermissionDeniedError,
    TransportError,
)
from ..testing import FakePaddle
from . import _customers, _demo
from ._import import print_summary, run_import
from ._rows import FORMATS, InputError
from ._terminal import Progress, printable

__all__ = ["CliError", "main"]

PROG = "paddle-async"


class CliError(Exception):
    """An expected failure, shown as one line."""


def _add_globals(parser: argparse.ArgumentParser, *, leaf: bool) -> None:
    # On subcommands the defaults are suppressed, so `customers list --fake` and
    # `--fake customers list` both work and neither clobbers the other.
    def default(value: Any) -> Any:
        return argparse.SUPPRESS if leaf else value

    group = parser.add_argument_group("connection")
    group.add_argument(
        "--api-key",
        default=default(None),
        help="the API key (prefer the PADDLE_API_KEY variable: options show up in `ps`)",
    )
    group.add_argument(
        "--environment",
        choices=("sandbox", "production"),
        default=default(None),
        help="needed only for keys created before May 2025",
    )
    group.add_argument("--base-url", default=default(None), help="another server, such as a proxy")
    group.add_argument(
        "--fake",
        action="store_true",
        default=default(False),
        help="run against an embedded FakePaddle (no network, no key)",
    )
    group.add_argument(
        "--fake-seed",
        type=int,
        metavar="N",
        default=default(0),
        help="customers the embedded fake starts with",
    )
    group.add_argument(
        "--rate-limit",
        type=int,
        metavar="PER_MINUTE",
        default=default(None),
        help="client pacing, requests per minute (default 240 as Paddle; off with --fake; 0: off)",
    )
    group.add_argument(
        "-q", "--quiet", action="store_true", default=default(False), help="no progress bar"
    )


_CSV_RAW_HELP = (
    "CSV cells exactly as the data holds them; by default a cell starting with = + - @, a tab "
    "or a carriage return gets a leading ' so that spreadsheets show it as text instead of "
    "running it as a formula"
)


def _csv_raw(parser: argparse.ArgumentParser, help: str = _CSV_RAW_HELP) -> None:
    parser.add_argument("--csv-raw", action="store_true", help=help)


def _output_format(parser: argparse.ArgumentParser, default: str = "table") -> None:
    parser.add_argument("--format", choices=("table", "jsonl", "csv"), default=default)
    _csv_raw(parser)


def _customers_parser(commands: Any) -> None:
    customers = commands.add_parser("customers", help="customer operations")
    sub = customers.add_subparsers(dest="action", required=True, metavar="ACTION")

    def leaf(name: str, help: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = sub.add_parser(name, help=help, description=help)
        _add_globals(parser, leaf=True)
        return parser

    p = leaf("list", "list customers (active ones unless --status says otherwise)")
    p.add_argument("--email", action="append", help="exact e-mail(s), comma-separated")
    p.add_argument("--id", action="append", help="customer id(s), comma-separated")
    p.add_argument("--status", action="append", help="active and/or archived")
    p.add_argument("--search", help="text to find in id, name or e-mail")
    p.add_argument("--order", choices=("asc", "desc"), default="desc", help="by id (creation)")
    p.add_argument("--limit", type=int, help="show at most this many")
    _output_format(p)

    p = leaf("get", "show one customer")
    p.add_argument("customer_id")
    _output_format(p)

    p = leaf("create", "create a customer")
    p.add_argument("--email", required=True)
    p.add_argument("--name")
    p.add_argument("--locale")
    p.add_argument("--custom-data", metavar="JSON", help="a JSON object")
    _output_format(p)

    p = leaf("update", "change the given fields of a customer")
    p.add_argument("customer_id")
    p.add_argument("--email")
    p.add_argument("--name")
    p.add_argument("--clear-name", action="store_true")
    p.add_argument("--locale")
    p.add_argument("--status", choices=("active", "archived"))
    p.add_argument("--custom-data", metavar="JSON", help="a JSON object (replaces the old one)")
    p.add_argument("--clear-custom-data", action="store_true")
    _output_format(p)

    p = leaf("credit-balances", "show a customer's credit balances")
    p.add_argument("customer_id")
    p.add_argument("--currency", action="append", help="currency code(s), comma-separated")
    _output_format(p)

    p = leaf("import", "create and update customers from a CSV or JSONL file (a bulk sync)")
    p.add_argument("file", help="columns/keys: email, name, locale, custom_data, status")
    p.add_argument("--format", choices=FORMATS, help="default: from the file's extension")
    p.add_argument("--dry-run", action="store_true", help="send reads only; report the plan")
    p.add_argument("--concurrency", type=int, default=8, help="requests in flight (default 8)")
    p.add_argument("--strategy", choices=("auto", "scan", "lookup"), default="auto")
    p.add_argument("--failed-rows", metavar="FILE", help="default: FILE.failed.csv/.jsonl")
    _csv_raw(
        p,
        "take CSV cells exactly as written; by default the ' that export puts before = + - @, "
        "a tab or a carriage return at the start of a cell is removed again",
    )

    p = leaf("export", "write every customer to a CSV or JSONL file, page by page")
    p.add_argument("file", help="the file to write, or - for standard output")
    p.add_argument("--format", choices=FORMATS, help="default: from the file's extension")
    p.add_argument("--status", action="append", help="default: active,archived")
    _csv_raw(p)


def build_parser() -> argparse.ArgumentParser:
    """Return the command line's parser."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Paddle Billing customers from the command line, built on paddle_async.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_globals(parser, leaf=False)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _customers_parser(commands)
    demo = commands.add_parser("demo", help="sync a generated file against FakePaddle, twice")
    _add_globals(demo, leaf=True)
    _demo.add_demo_arguments(demo)
    server = commands.add_parser("fake-server", help="run FakePaddle for manual testing")
    _demo.add_server_arguments(server)
    return parser


@contextlib.asynccontextmanager
async def open_client(args: argparse.Namespace) -> AsyncIterator[Paddle]:
    """Open the client the options ask for (starting an embedded FakePaddle for --fake)."""
    per_minute = args.rate_limit
    if per_minute is None:
        per_minute = 0 if args.fake else 240
    rate = RateLimit(requests=per_minute, per=60.0) if per_minute > 0 else None
    if args.fake:
        async with FakePaddle() as fake:
            fake.seed(args.fake_seed)
            async with Paddle(fake.api_key, base_url=fake.base_url, rate_limit=rate) as client:
                yield client
        return
    key = args.api_key or os.environ.get("PADDLE_API_KEY")
    if not key:
        raise CliError("no API key: pass --api-key, set PADDLE_API_KEY, or use --fake")
    environment = None
    if args.environment is not None:
        environment = Environment[args.environment.upper()]
    async with Paddle(
        key, environment=environment, base_url=args.base_url, rate_limit=rate
    ) as client:
        yield client


async def _run_customers(args: argparse.Namespace) -> int:
    out = sys.stdout
    progress = Progress(quiet=args.quiet)
    async with open_client(args) as client:
        if args.action == "import":
            report = await run_import(
                client,
                args.file,
                fmt=args.format,
                dry_run=args.dry_run,
                concurrency=args.concurrency,
                strategy=args.strategy,
                failed_path=args.failed_rows,
                csv_raw=args.csv_raw,
                progress=progress,
                err=sys.stderr,
            )
            print_summary(report, out)
            return 1 if report.problems else 0
        if args.action == "export":
            return await _customers.export(client, args, out, progress)
        command = {
            "list": _customers.list_,
            "get": _customers.get,
            "create": _customers.create,
            "update": _customers.update,
            "credit-balances": _customers.credit_balances,
        }[args.action]
        return await command(client, args, out)


async def _run(args: argparse.Namespace) -> int:
    if args.command == "fake-server":
        return await _demo.serve(args)
    if args.command == "demo":
        return await _demo.demo(args)
    return await _run_customers(args)


def describe(error: BaseException) -> str:
    """Return the one line shown for an expected failure."""
    if isinstance(error, AuthenticationError):
        return (
            f"Paddle refused the API key ({error}); check --api-key or PADDLE_API_KEY "
            "and --environment"
        )
    if isinstance(error, PermissionDeniedError):
        return f"the API key lacks the permission for this ({error})"
    if isinstance(error, TransportError):
        return f"no response from Paddle: {error}"
    if isinstance(error, OSError) and error.filename is not None:
        return f"{error.filename}: {error.strerror or error}"
    return str(error)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``paddle-async`` command line.

    Args:
        argv: The arguments after the program name; None reads ``sys.argv``.

    Returns:
        The exit status: 0 on success, 1 when something failed (a row, a request), 2 for a
        usage error, 130 when interrupted.
    """
    args = build_parser().parse_args(argv)
    try:
        return asyncio.run(_run(args))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`... | head`): not an error; keep Python from reporting one.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except (CliError, InputError, PaddleError, OSError) as error:
        # Expected failures: one line, never a traceback (and never the key: no error holds it).
        rerun = ""
        if getattr(args, "action", None) == "import" and isinstance(error, PaddleError):
            rerun = "; the import stopped: run it again once fixed (a rerun is safe)"
        # The message may quote data (Paddle's detail, a file name): no control characters.
        print(f"{PROG}: error: {printable(describe(error))}{rerun}", file=sys.stderr)
        return 1
