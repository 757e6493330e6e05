"""What every resource's operations share: validated paths, bodies and queries, sending, listing.

An operation is a few lines on top of these: build the path (`Path` checks each id), send one
`ApiRequest` through the `Sender`, and structure ``data`` into the model (`send_one`,
`send_list`, `send_none` for a 204) or walk a listing (`paginate`). Nothing here knows a
resource: the models and request classes say everything.
"""

from __future__ import annotations

import functools
import inspect
import operator
import re
import string
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar, cast

import attrs

from . import _json
from ._convert import LOCAL, StructureError, structurer, unstructure, unstructure_query
from ._pagination import CURSOR, AsyncPaginator
from ._protocol import ApiRequest, Envelope, Sender, encode_query
from ._types import TimeoutArg
from ._validation import ID_PREFIXES, RULE, IdRule, check_id, id_of
from .errors import InvalidResponseError

__all__ = [
    "Path",
    "body",
    "paginate",
    "query",
    "send_list",
    "send_none",
    "send_one",
    "send_secret",
    "takes",
]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

# A listing's cursor is the last item's id: attrgetter is a C call, where a function is a
# Python one, and it runs for every item of every page.
_ID: Callable[[Any], str] = operator.attrgetter("id")


class Path:
    """A path template whose ``{name_id}`` fields are ids of the entity ``name``.

    ``Path("/customers/{customer_id}/addresses/{address_id}")(customer_id=..., address_id=...)``
    checks each id against its entity's pattern (`_validation.ID_PREFIXES`) before it becomes
    part of a path, so nothing like ``../x`` or ``a?b`` can reach the request line.

    Raises:
        ValueError: A field of the template names no entity of `ID_PREFIXES` (when defined).
    """

    __slots__ = ("_kinds", "_single", "_template")

    def __init__(self, template: str) -> None:
        kinds: dict[str, tuple[str, Callable[[str], object]]] = {}
        for _, name, spec, conversion in string.Formatter().parse(template):
            if name is None:
                continue
            kind = name.removesuffix("_id")
            if not name.endswith("_id") or kind not in ID_PREFIXES or spec or conversion:
                raise ValueError(f"{template}: {{{name}}} is not the id of a known entity")
            kinds[name] = (kind, id_of(kind).pattern.fullmatch)
        self._template = template
        self._kinds = kinds
        # A template with one id and no escaped braces (most) is filled by concatenation.
        self._single: tuple[str, str, str] | None = None
        if len(kinds) == 1 and "{{" not in template and "}}" not in template:
            (name,) = kinds
            before, _, after = template.partition("{" + name + "}")
            self._single = (before, name, after)

    def __repr__(self) -> str:
        return f"Path({self._template!r})"

    def __call__(self, **ids: str) -> str:
        """Return the path with each id filled in, once checked.

        Raises:
            ValidationError: An id is not of its entity's form (naming the parameter).
        """
        kinds = self._kinds
        for name, value in ids.items():
            kind, fullmatch = kinds[name]
            if not (isinstance(value, str) and fullmatch(value)):
                check_id(kind, value, name)  # raises, naming the parameter
        single = self._single
        if single is not None and len(ids) == 1:
            before, name, after = single
            return before + ids[name] + after
        return self._template.format_map(ids)


_MISSING: Any = object()
# The ``Model.field`` (or ``Model.field[3].inner``) a `StructureError` message starts with.
_FIELD_PATH: Final = re.compile(r"([A-Za-z_][\w.\[\]]*): ")


def takes(request_class: type) -> Callable[[F], F]:
    """Decorate an operation whose ``request`` parameter must be a ``request_class``.

    A dict, or the request's fields passed as keywords (``create(email=...)``), would otherwise
    fail deep inside with an ``AttributeError`` or a bare ``TypeError``; here they raise a
    ``TypeError`` that says which class to build. A ``request`` that defaults to None may stay
    None. Coroutine functions stay coroutine functions.
    """
    name = request_class.__name__
    article = "an" if name[0] in "AEIOU" else "a"

    def decorate(function: F) -> F:
        parameters = list(inspect.signature(function).parameters.values())
        index = [parameter.name for parameter in parameters].index("request")
        optional = parameters[index].default is None
        called = f"{function.__qualname__}()"

        def check(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
            request = args[index] if len(args) > index else kwargs.get("request", _MISSING)
            if isinstance(request, request_class) or request is _MISSING:
                return
            if request is None and optional:
                return
            got = type(request).__name__
            hint = f"{name}(**data)" if isinstance(request, Mapping) else f"{name}(...)"
            raise TypeError(
                f"{called} takes {article} {name} as its request, got {got}: build {hint}"
            )

        def explain(error: TypeError) -> TypeError:
            return TypeError(f"{error}; pass the request's fields as one {name}: {name}(...)")

        if inspect.iscoroutinefunction(function):

            @functools.wraps(function)
            async def call_async(*args: Any, **kwargs: Any) -> Any:
                check(args, kwargs)
                try:
                    awaitable = function(*args, **kwargs)
                except TypeError as error:  # only binding runs before the first await
                    raise explain(error) from None
                return await awaitable

            return cast(F, call_async)

        @functools.wraps(function)
        def call(*args: Any, **kwargs: Any) -> Any:
            check(args, kwargs)
            try:
                return function(*args, **kwargs)
            except TypeError as error:
                traceback = error.__traceback__
                if traceback is not None and traceback.tb_next is not None:
                    raise  # raised inside the function, not by binding its arguments
                raise explain(error) from None

        return cast(F, call)

    return decorate


def body(request: attrs.AttrsInstance) -> bytes:
    """Return a request's JSON body: its given fields, compact UTF-8 (`_convert.unstructure`)."""
    return _json.dumps(unstructure(request))


def query(request: attrs.AttrsInstance | None) -> str:
    """Return a request's encoded query string (empty for None or nothing given)."""
    return "" if request is None else encode_query(unstructure_query(request))


def structure_data(envelope: Envelope, structure: Callable[[Any], T]) -> T:
    """Structure an envelope's ``data``; a shape error is the response's `InvalidResponseError`."""
    try:
        return structure(envelope.data)
    except StructureError as exc:
        raise envelope.invalid(f"unexpected response shape: {exc}") from None


async def send_one(
    sender: Sender, request: ApiRequest, model: type[T], *, timeout: TimeoutArg
) -> T:
    """Send ``request`` and return its ``data`` as one ``model``.

    Raises:
        InvalidResponseError: ``data`` is not a ``model`` (with the response's real status).
    """
    envelope = await sender.send(request, timeout=timeout)
    try:
        return structurer(model)(envelope.data)
    except StructureError as exc:  # as `structure_data` does, without its call
        raise envelope.invalid(f"unexpected response shape: {exc}") from None


async def send_secret(
    sender: Sender, request: ApiRequest, model: type[T], *, timeout: TimeoutArg
) -> T:
    """`send_one` for a response that is a secret (an auth token, authenticated links).

    An `InvalidResponseError` (a truncated or misshapen body) keeps no ``body_excerpt``: the
    excerpt would hold the secret. Its message never quotes the body either way: for a
    misshapen ``data`` it names the field only, not the value found there.

    Raises:
        InvalidResponseError: ``data`` is not a ``model``, with an empty ``body_excerpt``.
    """
    try:
        envelope = await sender.send(request, timeout=timeout)
        try:
            return structurer(model)(envelope.data)
        except StructureError as exc:
            place = _field_of(exc, model)
        # Raised outside the handler, so that the error has no __context__ quoting the value.
        raise envelope.invalid(f"unexpected response shape at {place} (the value is not shown)")
    except InvalidResponseError as error:
        error.body_excerpt = ""
        raise


def _field_of(error: StructureError, model: type) -> str:
    """Return the ``Model.field`` a structure error is about, without the value it quotes."""
    where = _FIELD_PATH.match(str(error))
    return where[1] if where else model.__name__


async def send_list(
    sender: Sender, request: ApiRequest, model: type[T], *, timeout: TimeoutArg
) -> list[T]:
    """Send ``request`` and return its ``data`` (an unpaginated array) as a list of ``model``.

    Raises:
        InvalidResponseError: ``data`` is not an array of ``model``.
    """
    envelope = await sender.send(request, timeout=timeout)
    structure = structurer(model)

    def structure_all(data: Any) -> list[T]:
        if not isinstance(data, list):
            raise StructureError(f"expected a list, got {type(data).__name__}")
        return [structure(item) for item in data]

    return structure_data(envelope, structure_all)


async def send_none(sender: Sender, request: ApiRequest, *, timeout: TimeoutArg) -> None:
    """Send ``request`` (a delete, answered 204 No Content) and return None."""
    await sender.send(request, timeout=timeout)


@functools.cache
def _listing(request_class: type) -> tuple[frozenset[str], re.Pattern[str]]:
    """Return a list request class's query parameter names and its cursor's pattern.

    The cursor is ``after``, whose declared rule (an id of the listed entity) gives the
    pattern every ``next`` cursor must match.
    """
    fields = attrs.fields_dict(request_class)
    rule = fields[CURSOR].metadata.get(RULE) if CURSOR in fields else None
    if not isinstance(rule, IdRule):
        raise TypeError(f"{request_class.__name__}.{CURSOR} must declare an id rule (id_of)")
    parameters = frozenset(name for name, field in fields.items() if not field.metadata.get(LOCAL))
    return parameters, rule.pattern


def paginate(
    sender: Sender,
    path: str,
    request: attrs.AttrsInstance,
    model: type[T],
    *,
    timeout: TimeoutArg,
) -> AsyncPaginator[T]:
    """Return a lazy walk over a cursor listing: ``GET path`` with ``request`` as its query.

    The request class says the rest: its fields are the parameters a ``next`` URL may carry,
    and its ``after`` field's id rule is the cursor's pattern. Items are ``model``s, and
    their ``id`` is the cursor after them.
    """
    parameters, cursor_pattern = _listing(type(request))

    async def fetch_page(page_query: str) -> Envelope:
        return await sender.send(
            ApiRequest(method="GET", path=path, query=page_query), timeout=timeout
        )

    return AsyncPaginator(
        fetch_page,
        unstructure_query(request),
        structurer(model),
        _ID,
        parameters=parameters,
        cursor_pattern=cursor_pattern,
    )
