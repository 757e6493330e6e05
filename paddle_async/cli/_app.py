"""The ``paddle-async`` command line: options, the client, the live-account gate, one-line
errors.

Commands come from the resource modules' `Group`s (listed in `GROUPS`): to add a resource's
commands, declare its group and add it there.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any, TextIO

import attrs

from .. import Environment, Paddle, RateLimit, __version__
from ..errors import (
    AuthenticationError,
    ConfigurationError,
    PaddleError,
    PermissionDeniedError,
    TransportError,
    ValidationError,
)
from . import _demo
from ._addresses import ADDRESSES
from ._businesses import BUSINESSES
from ._commands import CliError, Command, Context, Group, UsageError
from ._customers import CUSTOMERS
from ._pacing import WatchedLimiter, parse_rate
from ._payment_methods import PAYMENT_METHODS
from ._portal import AUTH_TOKEN, PORTAL_SESSION
from ._rows import InputError
from ._terminal import printable

if TYPE_CHECKING:
    from ..testing import FakePaddle

__all__ = ["COMMANDS", "GROUPS", "CliError", "Connection", "HelpFormatter", "build_parser", "main"]

PROG = "paddle-async"
GROUPS: tuple[Group, ...] = (CUSTOMERS, ADDRESSES, BUSINESSES, PAYMENT_METHODS)
"""Every resource's commands, in the order ``--help`` lists them."""
COMMANDS: tuple[Command, ...] = (AUTH_TOKEN, PORTAL_SESSION)
"""Commands of their own (``paddle-async auth-token CUSTOMER_ID``), listed after the groups."""

_LIVE_KEY_PREFIX = "pdl_live_"
_KEY_NAMES_ENVIRONMENT = ("pdl_live_", "pdl_sdbx_")
_OLD_KEY = (
    "this API key does not name its environment (a key created before May 2025): pass "
    "--environment sandbox or --environment production, or set PADDLE_ENVIRONMENT"
)


class HelpFormatter(argparse.HelpFormatter):
    """``--help`` that says an option's default, when it has one: ``(default: 8080)``.

    Options whose default is nothing (None, or off for a flag) say nothing more, and neither do
    those whose help already names their default.
    """

    def _get_help_string(self, action: argparse.Action) -> str | None:
        help = action.help
        default = action.default
        if (
            not help
            or not action.option_strings
            or "default" in help
            or default is None
            or default is False
            or default is argparse.SUPPRESS
        ):
            return help
        return help + " (default: %(default)s)"


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
        help="needed only for keys created before May 2025 (or PADDLE_ENVIRONMENT)",
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
        help="customers the embedded fake starts with (default: 0)",
    )
    group.add_argument(
        "--rate-limit",
        type=parse_rate,
        metavar="RATE",
        default=default(None),
        help="client pacing: requests per minute, or N/Ws for N per W seconds (default 240, "
        "as Paddle; off with --fake; 0: off)",
    )
    _quiet_option(parser, default(False))


def _quiet_option(parser: argparse.ArgumentParser, default: Any = False) -> None:
    parser.add_argument(
        "-q", "--quiet", action="store_true", default=default, help="no progress bar"
    )


def _add_command(parsers: Any, command: Command) -> None:
    leaf: argparse.ArgumentParser = parsers.add_parser(
        command.name,
        help=command.help,
        description=command.description or command.help,
        formatter_class=HelpFormatter,
    )
    command.arguments(leaf)
    if command.writes is not None:
        leaf.add_argument(
            "-y",
            "--yes",
            action="store_true",
            help="go ahead without asking first"
            if command.always_ask
            else "with a live (production) key, write without asking first",
        )
    _add_globals(leaf, leaf=True)
    leaf.set_defaults(run_command=command)


def _add_group(commands: Any, group: Group) -> None:
    parser = commands.add_parser(
        group.name, help=group.help, description=group.help, formatter_class=HelpFormatter
    )
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    for command in group.commands:
        _add_command(sub, command)


def build_parser() -> argparse.ArgumentParser:
    """Return the command line's parser."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Paddle Billing customers from the command line, built on paddle_async.",
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_globals(parser, leaf=False)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        _add_group(commands, group)
    for command in COMMANDS:
        _add_command(commands, command)
    help = "sync a generated file against an embedded FakePaddle, twice (no network, no key)"
    demo = commands.add_parser(
        "demo",
        help=help,
        description=help + ". It shows the requests a bulk sync sends and what they would "
        "cost at Paddle's rate limit; a second run of the same file writes nothing.",
        formatter_class=HelpFormatter,
    )
    _demo.add_demo_arguments(demo)
    _quiet_option(demo)
    help = "run FakePaddle, a fake of Paddle's customer-area API, for manual testing"
    server = commands.add_parser(
        "fake-server",
        help=help,
        description=help + ". It prints its address and a test key; Ctrl-C stops it.",
        formatter_class=HelpFormatter,
    )
    _demo.add_server_arguments(server)
    return parser


@contextlib.asynccontextmanager
async def _fake_or_none(args: argparse.Namespace) -> AsyncIterator[FakePaddle | None]:
    if not args.fake:
        yield None
        return
    from ..testing import FakePaddle  # only for --fake: the server side costs import time

    async with FakePaddle() as fake:
        fake.seed(args.fake_seed)
        yield fake


def _client(args: argparse.Namespace, key: str, pacing: WatchedLimiter | None) -> Paddle:
    """Build the client; say what to pass for a key without an environment in CLI terms."""
    environment = None
    if args.environment is not None:
        environment = Environment[args.environment.upper()]
    try:
        return Paddle(key, environment=environment, base_url=args.base_url, rate_limit=pacing)
    except ConfigurationError:
        # The SDK's advice names its own arguments (environment=Environment.SANDBOX).
        variables = ("PADDLE_ENVIRONMENT", "PADDLE_BASE_URL")
        chosen = (
            environment or args.base_url or any(os.environ.get(v, "").strip() for v in variables)
        )
        if not chosen and not key.startswith(_KEY_NAMES_ENVIRONMENT):
            raise CliError(_OLD_KEY) from None
        raise


@attrs.frozen(kw_only=True)
class Connection:
    """An open client and what the command line knows about it.

    Attributes:
        client: The client.
        live: Whether it writes to a live (production) account.
        pacing: Its watched rate limiter, or None when pacing is off.
    """

    client: Paddle
    live: bool
    pacing: WatchedLimiter | None


@contextlib.asynccontextmanager
async def open_client(args: argparse.Namespace) -> AsyncIterator[Connection]:
    """Open the client the options ask for (starting an embedded FakePaddle for --fake)."""
    requests, per = args.rate_limit or ((0, 60.0) if args.fake else (240, 60.0))
    pacing = None
    if requests:
        pacing = WatchedLimiter(RateLimit(requests=requests, per=per).limiter())
    async with _fake_or_none(args) as fake:
        if fake is not None:
            key, args.base_url, args.environment = fake.api_key, fake.base_url, None
        else:
            key = args.api_key or os.environ.get("PADDLE_API_KEY", "")
            if not key:
                raise CliError("no API key: pass --api-key, set PADDLE_API_KEY, or use --fake")
        async with _client(args, key, pacing) as client:
            live = fake is None and (
                key.startswith(_LIVE_KEY_PREFIX)
                or client.base_url == Environment.PRODUCTION.base_url
            )
            yield Connection(client=client, live=live, pacing=pacing)


def confirm_live_write(
    question: str, *, yes: bool, stdin: TextIO, err: TextIO, live: bool = True
) -> None:
    """Ask before a write (to a live account, unless ``live`` is False); refuse without a
    terminal to ask on.

    Raises:
        CliError: Not confirmed.
    """
    if yes:
        return
    where = " in a live Paddle account (a production key)" if live else ""
    if not (stdin.isatty() and err.isatty()):
        raise CliError(
            f"this would {question}{where}: pass --yes to confirm (there is no terminal to ask on)"
        )
    where = " in a LIVE Paddle account (a production key)" if live else ""
    err.write(f"This will {question}{where}. Continue? [y/N] ")
    err.flush()
    answer = stdin.readline()
    if answer.strip().lower() not in ("y", "yes"):
        if not answer.endswith("\n"):
            err.write("\n")
        raise CliError("not confirmed: nothing was written")


async def _run_command(args: argparse.Namespace, command: Command) -> int:
    # Before the client opens: a usage problem (an update with nothing to change) says so first.
    question = command.writes(args) if command.writes is not None else None
    async with open_client(args) as connection:
        if question is not None and (connection.live or command.always_ask):
            confirm_live_write(
                question, yes=args.yes, stdin=sys.stdin, err=sys.stderr, live=connection.live
            )
        context = Context(
            client=connection.client,
            out=sys.stdout,
            err=sys.stderr,
            quiet=args.quiet,
            pacing=connection.pacing,
        )
        return await command.run(context, args)


async def _run(args: argparse.Namespace) -> int:
    if args.command == "fake-server":
        return await _demo.serve(args)
    if args.command == "demo":
        return await _demo.demo(args)
    command: Command = args.run_command
    return await _run_command(args, command)


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
    if isinstance(error, ValidationError):
        # "*" marks a problem with the request as a whole: no field to name.
        return "invalid input: " + "; ".join(
            e.message if e.field == "*" else f"{e.field}: {e.message}" for e in error.field_errors
        )
    return str(error)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``paddle-async`` command line.

    Args:
        argv: The arguments after the program name; None reads ``sys.argv``.

    Returns:
        The exit status: 0 on success, 1 when something failed (a row, a request, a file, the
        key), 2 for a usage error (the command line cannot work: argparse's errors, values that
        do not go together or that Paddle would refuse, a file named for another format), 130
        when interrupted.
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
    except (UsageError, ValidationError) as error:
        # The command line asks for something that cannot work: options that do not go
        # together, a file named for another format, or a value Paddle would refuse (the SDK
        # checks those before sending). Exit 2 with argparse's prefix, as its own errors do.
        name = " ".join(filter(None, (PROG, args.command, getattr(args, "action", None))))
        print(f"{name}: error: {printable(describe(error))}", file=sys.stderr)
        return 2
    except (CliError, InputError, PaddleError, OSError) as error:
        # Expected failures: one line, never a traceback (and never the key: no error holds it).
        rerun = ""
        if getattr(args, "action", None) == "import" and isinstance(error, PaddleError):
            rerun = "; the import stopped: run it again once fixed (a rerun is safe)"
        # The message may quote data (Paddle's detail, a file name): no control characters.
        print(f"{PROG}: error: {printable(describe(error))}{rerun}", file=sys.stderr)
        return 1
