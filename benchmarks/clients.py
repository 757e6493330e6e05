"""The clients under test, each doing the same HTTP calls its own way.

Every async client offers ``create(i)``, ``get(customer_id)`` and ``walk(per_page, limit)``;
the official SDK's client offers the same as plain functions (it is synchronous). A client's
comparison library is imported only when that client is built, so a missing optional package
skips one client, not the whole harness.
"""

from __future__ import annotations

import importlib.util
import json
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, Protocol, Self

from benchmarks._data import API_KEY, new_email

__all__ = [
    "ASYNC_CLIENTS",
    "CLIENTS",
    "SYNC_CLIENTS",
    "AsyncClient",
    "SyncClient",
    "available",
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

    async def walk(self, per_page: int, limit: int) -> tuple[int, int]:
        """List customers oldest first until ``limit``; return (customers, pages)."""


class SyncClient(Protocol):
    """What the harness needs of a synchronous client (safe to call from several threads)."""

    def create(self, tag: str, index: int) -> Any:
        """Create one customer."""

    def get(self, customer_id: str) -> Any:
        """Get one customer."""

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

    async def walk(self, per_page: int, limit: int) -> tuple[int, int]:
        count = 0
        request = self._list_request(per_page=per_page, order_by="id[ASC]")
        listing = self._paddle.customers.list(request)
        async for _customer in listing:
            count += 1
            if count >= limit:
                break
        return count, _pages(count, per_page)


class RawAiohttp:
    """aiohttp with no SDK: the same calls, the body decoded to dicts, no models.

    This is the floor for any aiohttp-based SDK. ``loads``/``dumps`` are the stdlib's by
    default (what paddle_async uses) or orjson's.
    """

    def __init__(self, base_url: str, *, use_orjson: bool = False) -> None:
        self._base_url = base_url
        self._loads: Callable[[bytes], Any]
        self._dumps: Callable[[Any], bytes]
        if use_orjson:
            import orjson

            self._loads, self._dumps = orjson.loads, orjson.dumps
        else:
            self._loads = json.loads
            self._dumps = lambda value: json.dumps(value, separators=(",", ":")).encode()
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
    "raw_orjson": ("orjson", lambda base_url: RawAiohttp(base_url, use_orjson=True)),
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
