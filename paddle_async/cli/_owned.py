"""Commands for an entity a customer owns (an address, a business): list, get, create, update.

One resource is described once (`Owned`: its namespace, request classes, writable `Field`s and
how it is shown), and `owned_group` builds its four commands from that, so the resources share
every line of command logic.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from .._types import UNSET
from ._commands import Command, Context, Group, UsageError, csv_list, format_option, positive_int
from ._output import ItemWriter, Shape, model_json, page_size, show_one, write_pages
from ._terminal import Column, printable

if TYPE_CHECKING:
    from .. import Paddle

__all__ = ["Field", "Owned", "owned_group", "owned_shape"]


def owned_shape(model: type, table: tuple[Column, ...], plural: str) -> Shape[Any]:
    """Return how a model is shown: every field as a CSV column, ``table`` on a terminal."""
    columns = tuple(field.name for field in attrs.fields(model))
    return Shape(to_json=model_json, columns=columns, table=table, plural=plural)


@attrs.frozen(kw_only=True)
class Field:
    """A writable field of a resource, as command-line options.

    Attributes:
        name: The request field (``first_line`` becomes ``--first-line``).
        help: One line for ``--help``.
        create: Whether a create takes it; ``required`` makes it a required option there.
        required: Required on create.
        update: Whether an update takes it.
        clearable: On update, ``--clear-NAME`` sends None (Paddle clears the field).
        parse: Turns the option's text into the request's value (a JSON object, a contact).
        many: A repeatable option (``--contact`` given several times) whose values form a list.
        option: The option's name, when not ``--`` + ``name`` with dashes.
        choices: The values the option takes.
    """

    name: str
    help: str
    create: bool = True
    required: bool = False
    update: bool = True
    clearable: bool = False
    parse: Callable[[str], Any] | None = None
    many: bool = False
    option: str | None = None
    choices: tuple[str, ...] | None = None

    @property
    def flag(self) -> str:
        """The option, such as ``--first-line``."""
        return self.option or "--" + self.name.replace("_", "-")

    @property
    def clear_flag(self) -> str:
        """The option that clears the field, such as ``--clear-first-line``."""
        return "--clear-" + self.name.replace("_", "-")

    def add(self, parser: argparse.ArgumentParser, *, required: bool) -> None:
        """Add the option to a command's parser; its help says "(required)" where it is."""
        parser.add_argument(
            self.flag,
            dest=self.name,
            required=required,
            action="append" if self.many else "store",
            choices=self.choices,
            help=f"{self.help} (required)" if required else self.help,
        )

    def value(self, args: argparse.Namespace) -> Any:
        """Return the request's value from the options given, or None when not given."""
        given = getattr(args, self.name)
        if given is None:
            return None
        parse = self.parse or (lambda text: text)
        return [parse(text) for text in given] if self.many else parse(given)


@attrs.frozen(kw_only=True)
class Owned:
    """A resource owned by a customer, as the command line shows it.

    Attributes:
        name: The group's name, plural: ``addresses``.
        singular: ``address``, for questions and help.
        namespace: The client's namespace for it (``paddle.addresses``).
        create: The create request class.
        update: The update request class.
        list: The list request class.
        fields: The writable fields.
        shape: How its items are shown.
        search: What ``--search`` looks in, for ``--help``.
        article: ``an address``: the singular with its indefinite article, for help.
    """

    name: str
    singular: str
    namespace: Callable[[Paddle], Any]
    create: Callable[..., Any]
    update: Callable[..., Any]
    list: Callable[..., Any]
    fields: tuple[Field, ...]
    shape: Shape[Any]
    search: str
    article: str


def _show(ctx: Context, args: argparse.Namespace, owned: Owned, item: Any) -> None:
    show_one(item, ctx.out, args.format, owned.shape, csv_raw=args.csv_raw, err=ctx.err)


def _list_command(owned: Owned) -> Command:
    def arguments(p: argparse.ArgumentParser) -> None:
        p.add_argument("customer_id")
        p.add_argument("--id", action="append", help=f"{owned.singular} id(s), comma-separated")
        p.add_argument("--status", action="append", help="active and/or archived")
        p.add_argument("--search", help=f"text to find in {owned.search}")
        p.add_argument("--order", choices=("asc", "desc"), default="desc", help="by id (creation)")
        p.add_argument("--limit", type=positive_int, help="show at most this many")
        format_option(p)

    async def run(ctx: Context, args: argparse.Namespace) -> int:
        limit: int | None = args.limit
        request = owned.list(
            id=csv_list(args.id),
            status=csv_list(args.status),
            search=args.search,
            order_by=f"id[{args.order.upper()}]",
            per_page=page_size(limit),
        )
        writer = ItemWriter(ctx.out, args.format, owned.shape, csv_raw=args.csv_raw, err=ctx.err)
        items = owned.namespace(ctx.client).list(args.customer_id, request)
        await write_pages(writer, items, limit)
        return 0

    return Command(
        name="list",
        help=f"list a customer's {owned.name} (active ones unless --status says otherwise)",
        arguments=arguments,
        run=run,
    )


def _get_command(owned: Owned) -> Command:
    def arguments(p: argparse.ArgumentParser) -> None:
        p.add_argument("customer_id")
        p.add_argument("id", metavar=f"{owned.singular}_id".upper())
        format_option(p)

    async def run(ctx: Context, args: argparse.Namespace) -> int:
        _show(ctx, args, owned, await owned.namespace(ctx.client).get(args.customer_id, args.id))
        return 0

    return Command(name="get", help=f"show one {owned.singular}", arguments=arguments, run=run)


def _create_command(owned: Owned) -> Command:
    fields = [field for field in owned.fields if field.create]

    def arguments(p: argparse.ArgumentParser) -> None:
        p.add_argument("customer_id")
        for field in fields:
            field.add(p, required=field.required)
        format_option(p)

    async def run(ctx: Context, args: argparse.Namespace) -> int:
        request = owned.create(**{field.name: field.value(args) for field in fields})
        created = await owned.namespace(ctx.client).create(args.customer_id, request)
        _show(ctx, args, owned, created)
        return 0

    return Command(
        name="create",
        help=f"create {owned.article} for a customer (not retried after an unknown outcome)",
        arguments=arguments,
        run=run,
        writes=lambda args: f"create {owned.singular} for customer {printable(args.customer_id)}",
    )


def _update_command(owned: Owned) -> Command:
    fields = [field for field in owned.fields if field.update]

    def arguments(p: argparse.ArgumentParser) -> None:
        p.add_argument("customer_id")
        p.add_argument("id", metavar=f"{owned.singular}_id".upper())
        for field in fields:
            field.add(p, required=False)
            if field.clearable:
                p.add_argument(
                    field.clear_flag,
                    dest=f"clear_{field.name}",
                    action="store_true",
                    help=f"clear {field.flag[2:]}",
                )
        format_option(p)

    def given(args: argparse.Namespace) -> list[str]:
        named = [field.flag for field in fields if getattr(args, field.name) is not None]
        cleared = [
            field.clear_flag
            for field in fields
            if field.clearable and getattr(args, f"clear_{field.name}")
        ]
        return named + cleared

    def question(args: argparse.Namespace) -> str:
        options = given(args)
        if not options:
            every: Sequence[str] = [
                flag
                for field in fields
                for flag in (field.flag, *([field.clear_flag] if field.clearable else []))
            ]
            raise UsageError("nothing to change: give at least one of " + ", ".join(every))
        what = f"{owned.singular} {printable(args.id)} of customer {printable(args.customer_id)}"
        return f"update {what} ({', '.join(options)})"

    async def run(ctx: Context, args: argparse.Namespace) -> int:
        changes: dict[str, Any] = {}
        for field in fields:
            if field.clearable and getattr(args, f"clear_{field.name}"):
                changes[field.name] = None
            else:
                value = field.value(args)
                changes[field.name] = UNSET if value is None else value
        request = owned.update(**changes)
        updated = await owned.namespace(ctx.client).update(args.customer_id, args.id, request)
        _show(ctx, args, owned, updated)
        return 0

    return Command(
        name="update",
        help=f"change the given fields of {owned.article}",
        arguments=arguments,
        run=run,
        writes=question,
    )


def owned_group(owned: Owned) -> Group:
    """Return the ``list``, ``get``, ``create`` and ``update`` commands of a resource."""
    return Group(
        name=owned.name,
        help=f"a customer's {owned.name}",
        commands=(
            _list_command(owned),
            _get_command(owned),
            _create_command(owned),
            _update_command(owned),
        ),
    )
