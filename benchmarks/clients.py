"""The clients under test, each doing the same HTTP calls its own way.

Every async client offers ``create(i)``, ``get(customer_id)``,
``get_address(customer_id, address_id)`` and ``walk(per_page, limit)``; the official SDK's
client offers the same as plain functions (it is synchronous). A client's comparison library is
imported only when that client is built, so a missing optional package skips one client, not the
whole harness. A client that cannot do a workload says why (``unsupported``), and the worker
reports that instead of measuring something else.

``raw_aiohttp``, the anchor every ratio is taken against, decodes JSON with the decoder
paddle_async picks by the same rule (orjson when it can be imported, else the standard
library) and encodes with the standard library, as paddle_async does: the ratios measure the
SDK's own work, not a JSON library. The worker can hide orjson from both (``decoder:
stdlib``) to measure the other configuration.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import threading
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Protocol, Self, cast

from benchmarks._data import API_KEY, new_email

__all__ = [
    "ASYNC_CLIENTS",
    "CLIENTS",
    "SYNC_CLIENTS",
    "AsyncClient",
    "SyncClient",
    "available",
    "decoder_of",
    "make_async_client",
    "make_sync_client",
]

_HEADERS = {
    "Authorization": f"Bearer {API_KEY}",
    "Paddle-Version": "1",
    "Accept": "application/json",
}
_JSON_BODY = {"Content-Type": "application/json"}
_MAX_CONNECTIONS = 64


def _anchor_decoder() -> tuple[str, Callable[[bytes], Any]]:
    """Return the JSON decoder paddle_async would use here, by its rule: orjson if importable."""
    try:
        import orjson
    except ImportError:
        return "json", json.loads
    return "orjson", orjson.loads


def _sdk_decoder() -> str:
    """Name the module whose ``loads`` paddle_async decodes responses with."""
    from paddle_async import _json

    return _json._decode.__module__ or "?"


class AsyncClient(Protocol):
    """What the harness needs of an async client."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def create(self, tag: str, index: int) -> Any:
        """Create one customer; return what the client returns."""

    async def get(self, customer_id: str) -> Any:
        """Get one customer."""

    async def get_address(self, customer_id: str, address_id: str) -> Any:
        """Get one address of a customer."""

    async def walk(self, per_page: int, limit: int) -> tuple[int, int]:
        """List customers oldest first until ``limit``; return (customers, pages)."""


class SyncClient(Protocol):
    """What the harness needs of a synchronous client (safe to call from several threads)."""

    def create(self, tag: str, index: int) -> Any:
        """Create one customer."""

    def get(self, customer_id: str) -> Any:
        """Get one customer."""

    def get_address(self, customer_id: str, address_id: str) -> Any:
        """Get one address of a customer."""

    def walk(self, per_page: int, limit: int) -> tuple[int, int]:
        """List customers oldest first until ``limit``; return (customers, pages)."""

    def close(self) -> None:
        """Release connections."""


def _pages(customers: int, per_page: int) -> int:
    return -(-customers // per_page)


def _take_page(document: Any, count: int, limit: int) -> tuple[int, str | None]:
    """Hand each customer of a decoded page to the caller, as an SDK's iterator would.

    Returns:
        The customers seen so far, and the next page's URL (None when the walk is over).
    """
    data = document["data"]
    for _customer in data:
        count += 1
        if count >= limit:
            return count, None
    pagination = document["meta"]["pagination"]
    return count, pagination["next"] if pagination["has_more"] and data else None


class PaddleAsync:
    """paddle_async, as users write it: request classes in, frozen attrs models out."""

    def __init__(self, base_url: str) -> None:
        from paddle_async import Paddle
        from paddle_async.customers import CreateCustomer, ListCustomers

        self._create_request = CreateCustomer
        self._list_request = ListCustomers
        self._paddle = Paddle(
            API_KEY, base_url=base_url, rate_limit=None, max_connections=_MAX_CONNECTIONS
        )
        self._get_address = _sdk_get_address(self._paddle)

    def unsupported(self, kind: str) -> str | None:
        """Say why this copy of the SDK cannot run ``kind``, or None when it can."""
        if kind == "get_address" and self._get_address is None:
            return (
                "this paddle_async has no addresses.get / paddle_async.addresses.get_address "
                "yet; the workload is ready and runs once it exists (no stand-in is measured)"
            )
        return None

    async def __aenter__(self) -> Self:
        await self._paddle.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._paddle.aclose()

    async def create(self, tag: str, index: int) -> Any:
        request = self._create_request(email=new_email(tag, index), name=f"Bench {index}")
        return await self._paddle.customers.create(request)

    async def get(self, customer_id: str) -> Any:
        return await self._paddle.customers.get(customer_id)

    async def get_address(self, customer_id: str, address_id: str) -> Any:
        assert self._get_address is not None, "see unsupported()"
        return await self._get_address(customer_id, address_id)

    async def walk(self, per_page: int, limit: int) -> tuple[int, int]:
        count = 0
        request = self._list_request(per_page=per_page, order_by="id[ASC]")
        listing = self._paddle.customers.list(request)
        async for _customer in listing:
            count += 1
            if count >= limit:
                break
        return count, _pages(count, per_page)


def _sdk_get_address(paddle: Any) -> Callable[[str, str], Awaitable[Any]] | None:
    """Return how users get an address with this copy of the SDK, or None when it cannot.

    The namespace (``paddle.addresses.get``) when the client has one, else the module-level
    ``paddle_async.addresses.get_address(paddle, ...)``.
    """
    namespace = getattr(paddle, "addresses", None)
    getter = getattr(namespace, "get", None)
    if callable(getter):
        return cast("Callable[[str, str], Awaitable[Any]]", getter)
    try:
        from paddle_async.addresses import get_address  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    return functools.partial(get_address, paddle)


class RawAiohttp:
    """aiohttp with no SDK: the same calls, the body decoded to dicts, no models.

    This is the floor for any aiohttp-based SDK, and the anchor of every ratio: it decodes
    with the decoder paddle_async uses in the same environment (orjson when importable, else
    ``json.loads``) and encodes request bodies with ``json.dumps``, as paddle_async does.
    """

    def __init__(self, base_url: str) -> None:
        self._base_url = base_url
        _, self._loads = _anchor_decoder()
        self._dumps: Callable[[Any], bytes] = lambda value: json.dumps(
            value, separators=(",", ":"), ensure_ascii=False
        ).encode()
        self._session: Any = None

    async def __aenter__(self) -> Self:
        import aiohttp

        self._session = aiohttp.ClientSession(
            headers=_HEADERS, connector=aiohttp.TCPConnector(limit=_MAX_CONNECTIONS)
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._session.close()

    async def create(self, tag: str, index: int) -> Any:
        body = self._dumps({"email": new_email(tag, index), "name": f"Bench {index}"})
        async with self._session.post(
            self._base_url + "/customers", data=body, headers=_JSON_BODY
        ) as response:
            payload = await response.read()
            if response.status != 201:
                raise RuntimeError(f"HTTP {response.status}")
        return self._loads(payload)["data"]

    async def get(self, customer_id: str) -> Any:
        async with self._session.get(f"{self._base_url}/customers/{customer_id}") as response:
            payload = await response.read()
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}")
        return self._loads(payload)["data"]

    async def get_address(self, customer_id: str, address_id: str) -> Any:
        url = f"{self._base_url}/customers/{customer_id}/addresses/{address_id}"
        async with self._session.get(url) as response:
            payload = await response.read()
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}")
        return self._loads(payload)["data"]

    async def walk(self, per_page: int, limit: int) -> tuple[int, int]:
        url: str | None = f"{self._base_url}/customers?per_page={per_page}&order_by=id[ASC]"
        count = pages = 0
        while url is not None:
            async with self._session.get(url) as response:
                payload = await response.read()
                if response.status != 200:
                    raise RuntimeError(f"HTTP {response.status}")
            pages += 1
            count, url = _take_page(self._loads(payload), count, limit)
        return count, pages


class Httpx:
    """httpx.AsyncClient: the same calls, stdlib json, no models."""

    def __init__(self, base_url: str) -> None:
        import httpx

        self._client = httpx.AsyncClient(
            base_url=base_url,
            headers=_HEADERS,
            limits=httpx.Limits(
                max_connections=_MAX_CONNECTIONS, max_keepalive_connections=_MAX_CONNECTIONS
            ),
        )

    async def __aenter__(self) -> Self:
        await self._client.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._client.aclose()

    async def create(self, tag: str, index: int) -> Any:
        body = json.dumps({"email": new_email(tag, index), "name": f"Bench {index}"}).encode()
        response = await self._client.post("/customers", content=body, headers=_JSON_BODY)
        if response.status_code != 201:
            raise RuntimeError(f"HTTP {response.status_code}")
        return json.loads(response.content)["data"]

    async def get(self, customer_id: str) -> Any:
        response = await self._client.get(f"/customers/{customer_id}")
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code}")
        return json.loads(response.content)["data"]

    async def get_address(self, customer_id: str, address_id: str) -> Any:
        response = await self._client.get(f"/customers/{customer_id}/addresses/{address_id}")
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code}")
        return json.loads(response.content)["data"]

    async def walk(self, per_page: int, limit: int) -> tuple[int, int]:
        url: str | None = f"/customers?per_page={per_page}&order_by=id[ASC]"
        count = pages = 0
        while url is not None:
            response = await self._client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"HTTP {response.status_code}")
            pages += 1
            count, url = _take_page(json.loads(response.content), count, limit)
        return count, pages


class _Loopback:
    """Stands in for ``paddle_billing.Environment``: the SDK only reads ``.base_url``."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url


class OfficialSdk:
    """Paddle's official ``paddle-python-sdk`` (requests), one ``Client`` per thread.

    The SDK keeps per-request state on the client (``response``, ``payload``, session
    headers), so a thread pool gets one client per thread, the safe way to share the work.
    """

    def __init__(self, base_url: str) -> None:
        # The official SDK ships no type information (no py.typed).
        from paddle_billing import Client, Options  # type: ignore[import-untyped]
        from paddle_billing.Resources.Customers.Operations import (  # type: ignore[import-untyped]
            CreateCustomer,
            ListCustomers,
        )
        from paddle_billing.Resources.Shared.Operations import Pager  # type: ignore[import-untyped]

        self._new_client: Callable[[], Any] = lambda: Client(
            API_KEY, options=Options(environment=_Loopback(base_url))
        )
        self._create_request: Callable[..., Any] = CreateCustomer
        self._list_request: Callable[[int], Any] = lambda per_page: ListCustomers(
            pager=Pager(per_page=per_page)
        )
        self._local = threading.local()
        self._all: list[Any] = []
        self._lock = threading.Lock()

    def _client(self) -> Any:
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._new_client()
            self._local.client = client
            with self._lock:
                self._all.append(client)
        return client

    def create(self, tag: str, index: int) -> Any:
        request = self._create_request(email=new_email(tag, index), name=f"Bench {index}")
        return self._client().customers.create(request)

    def get(self, customer_id: str) -> Any:
        return self._client().customers.get(customer_id)

    def get_address(self, customer_id: str, address_id: str) -> Any:
        return self._client().addresses.get(customer_id, address_id)

    def walk(self, per_page: int, limit: int) -> tuple[int, int]:
        count = 0
        for _customer in self._client().customers.list(self._list_request(per_page)):
            count += 1
            if count >= limit:
                break
        return count, _pages(count, per_page)

    def close(self) -> None:
        for client in self._all:
            client.client.close()


ASYNC_CLIENTS: dict[str, tuple[str | None, Callable[[str], AsyncClient]]] = {
    "paddle_async": (None, PaddleAsync),
    "raw_aiohttp": (None, RawAiohttp),
    "httpx": ("httpx", Httpx),
}
"""name -> (the optional module it needs, factory)."""

SYNC_CLIENTS: dict[str, tuple[str | None, Callable[[str], SyncClient], int]] = {
    "official": ("paddle_billing", OfficialSdk, 1),
    "official_x16": ("paddle_billing", OfficialSdk, 16),
}
"""name -> (the optional module it needs, factory, threads)."""

CLIENTS = (*ASYNC_CLIENTS, *SYNC_CLIENTS)


def available(name: str) -> bool:
    """Tell whether a client's optional package is installed."""
    needs = ASYNC_CLIENTS[name][0] if name in ASYNC_CLIENTS else SYNC_CLIENTS[name][0]
    return needs is None or importlib.util.find_spec(needs) is not None


def make_async_client(name: str, base_url: str) -> AsyncClient:
    """Build the async client called ``name``."""
    return ASYNC_CLIENTS[name][1](base_url)


def make_sync_client(name: str, base_url: str) -> tuple[SyncClient, int]:
    """Build the synchronous client called ``name``; return it with its thread count."""
    _, factory, threads = SYNC_CLIENTS[name]
    return factory(base_url), threads


def decoder_of(name: str) -> str:
    """Name the JSON decoder client ``name`` uses in this process: ``orjson`` or ``json``."""
    if name == "paddle_async":
        return _sdk_decoder()
    if name == "raw_aiohttp":
        return _anchor_decoder()[0]
    return "json"  # httpx here, and requests' Response.json() in the official SDK
