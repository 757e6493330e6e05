"""The package's layering, read from its source: imports point down, no cycles, one importer each.

Every ``import`` counts wherever it stands: at the top, inside a function, or under
``TYPE_CHECKING`` (a cycle hidden there is still a cycle for whoever reads or splits the code).
Relative imports are resolved; ``from package import name`` is an edge to the module ``name``
when there is one, else to the package. Importing a submodule runs its parent packages'
``__init__`` first, but that is how Python works, not a dependency, so it is no edge.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "paddle_async"

# Lowest first. A module may import its own layer and those below it, never one above.
# Every module of the package must be placed: a new module is placed here on purpose.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "_version"),
    ("_types",),
    ("_json",),
    ("_structuring",),
    ("_convert",),
    ("_countries", "_validation"),
    ("_protocol",),
    ("_retry",),
    ("ratelimit",),
    ("_session",),
    ("_pagination",),
    ("_resource",),
    ("customers", "addresses", "businesses", "payment_methods", "customer_portal_sessions"),
    ("_client",),
    ("",),  # paddle_async/__init__.py: the public names
    ("webhooks",),
    ("testing",),
    ("cli", "__main__"),
)

# Third-party libraries each used by as few modules as possible, so that replacing one touches
# those alone. aiohttp: the client's transport, and the test tooling (FakePaddle is an aiohttp
# server; WebhookSender, in testing/, posts with its own session).
ONE_IMPORTER: dict[str, tuple[str, ...]] = {
    "aiohttp": ("paddle_async._session", "paddle_async.testing"),
    "backoff": ("paddle_async._retry",),
    "cattrs": ("paddle_async._convert",),
    "redis": ("paddle_async.ratelimit.redis",),
}


def module_name(path: Path, root: Path = PACKAGE) -> str:
    """Return the dotted name of a source file below ``root``."""
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_sources(root: Path = PACKAGE) -> dict[str, str]:
    """Return the source of every module of the package, by dotted name."""
    return {module_name(path, root): path.read_text() for path in sorted(root.rglob("*.py"))}


def _is_package(name: str, sources: Mapping[str, str]) -> bool:
    return any(other.startswith(name + ".") for other in sources)


def imports_of(name: str, source: str, sources: Mapping[str, str]) -> tuple[set[str], set[str]]:
    """Return what module ``name`` imports: (modules of the package, third-party top names)."""
    inside: set[str] = set()
    outside: set[str] = set()
    package = name if _is_package(name, sources) else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join([*base, *([node.module] if node.module else [])])
            else:
                origin = node.module or ""
            # `from package import module` depends on that module, not on the package.
            targets = [
                f"{origin}.{alias.name}" if f"{origin}.{alias.name}" in sources else origin
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            top = target.partition(".")[0]
            if top != PACKAGE.name:
                outside.add(top)
                continue
            while target not in sources:  # `import paddle_async.x.y` names the module x.y
                target = target.rpartition(".")[0]
            if target != name:
                inside.add(target)
    return inside, outside


def import_graph(sources: Mapping[str, str]) -> dict[str, set[str]]:
    """Return each module's imports of other modules of the package."""
    return {name: imports_of(name, source, sources)[0] for name, source in sources.items()}


def find_cycle(graph: Mapping[str, Iterable[str]]) -> list[str] | None:
    """Return one import cycle as a path that ends where it starts, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for child in sorted(graph.get(node, ())):
            if state.get(child) == 1:
                return [*path[path.index(child) :], child]
            if child not in state and (cycle := visit(child)) is not None:
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)) is not None:
            return cycle
    return None


def layer_of(name: str) -> int | None:
    """Return the index in `LAYERS` of a module, by its first name below the package."""
    first = name.split(".")[1] if "." in name else ""
    return next((i for i, layer in enumerate(LAYERS) if first in layer), None)


def test_the_package_has_no_import_cycle() -> None:
    """No chain of imports, TYPE_CHECKING and function-level ones included, leads back."""
    assert None is find_cycle(import_graph(package_sources()))


def test_every_module_has_a_layer() -> None:
    """Each module of the package is placed in LAYERS (a new module is placed on purpose)."""
    assert [] == [name for name in package_sources() if layer_of(name) is None]


def test_imports_point_down_the_layers() -> None:
    """A module imports only its own layer and the layers below it."""
    upward = [
        f"{name} -> {target}"
        for name, targets in import_graph(package_sources()).items()
        for target in sorted(targets)
        if (layer_of(name) or 0) < (layer_of(target) or 0)
    ]
    assert [] == upward


@pytest.mark.parametrize("library", sorted(ONE_IMPORTER))
def test_each_library_is_imported_only_where_it_belongs(library: str) -> None:
    """aiohttp, backoff, cattrs and redis are each imported by their own modules only."""
    sources = package_sources()
    importers = [
        name for name, source in sources.items() if library in imports_of(name, source, sources)[1]
    ]
    allowed = ONE_IMPORTER[library]
    assert [] == [
        name
        for name in importers
        if not any(name == place or name.startswith(place + ".") for place in allowed)
    ]


# The checks can fail: the shape the package had before operations took a Sender.

OLD_SHAPE = {
    "paddle_async": "from ._client import Paddle",
    "paddle_async._client": "from .customers._operations import Customers",
    "paddle_async.customers": "from ._operations import Customers",
    "paddle_async.customers._operations": (
        "def sync():\n    from ._sync import sync_customers  # the sync builds on this module"
    ),
    "paddle_async.customers._sync": "from . import _sync_find",
    "paddle_async.customers._sync_find": (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .._client import Paddle"
    ),
}


def test_a_cycle_through_a_function_and_type_checking_is_found() -> None:
    """The cycle _client -> _operations -> _sync -> _sync_find -> _client is reported."""
    assert [
        "paddle_async._client",
        "paddle_async.customers._operations",
        "paddle_async.customers._sync",
        "paddle_async.customers._sync_find",
        "paddle_async._client",
    ] == find_cycle(import_graph(OLD_SHAPE))


def test_relative_imports_resolve_to_modules_or_packages() -> None:
    """``from .. import errors`` is the module errors; ``from ..customers import X`` the package."""
    sources = {
        "paddle_async": "",
        "paddle_async.errors": "",
        "paddle_async.customers": "",
        "paddle_async.customers._models": "",
        "paddle_async.webhooks": "",
        "paddle_async.webhooks._events": (
            "from .. import errors\nfrom ..customers import Customer\nimport aiohttp.web\n"
            "from ..customers._models import Customer as C"
        ),
    }
    assert (
        {"paddle_async.errors", "paddle_async.customers", "paddle_async.customers._models"},
        {"aiohttp"},
    ) == imports_of(
        "paddle_async.webhooks._events", sources["paddle_async.webhooks._events"], sources
    )
