"""The customer-area cut of Paddle's OpenAPI spec is whole: its operations and its references."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import yaml

FOLDER = Path(__file__).parent / "data" / "paddle-openapi"
SPEC = FOLDER / "customer-area-openapi.yaml"
METHODS = {"get", "put", "post", "delete", "patch"}


def load_cut_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("paddle_openapi_cut", FOLDER / "cut.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_cut_holds_the_eighteen_customer_area_operations() -> None:
    """Every operation the cut script names is in the file, and no other."""
    document = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    operation_ids = sorted(
        operation["operationId"]
        for item in document["paths"].values()
        for method, operation in item.items()
        if method in METHODS
    )
    assert 18 == len(operation_ids)
    assert sorted(load_cut_script().OPERATIONS) == operation_ids


def test_every_reference_resolves_inside_the_cut() -> None:
    """Each `$ref` points at a component the file holds, so validators need nothing else."""
    document = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    missing = []
    for ref in set(load_cut_script().refs(document)):
        root, section, name = ref.removeprefix("#/").split("/")
        if name not in document[root].get(section, {}):
            missing.append(ref)
    assert [] == missing


def test_the_cut_script_keeps_what_it_finds(tmp_path: Path) -> None:
    """Cutting the cut again gives the same bytes: selection and layout are stable."""
    source = tmp_path / "openapi.yaml"
    source.write_text(SPEC.read_text(encoding="utf-8"), encoding="utf-8")
    output = tmp_path / "again.yaml"
    load_cut_script().main([str(source), "--output", str(output)])
    assert SPEC.read_text(encoding="utf-8") == output.read_text(encoding="utf-8")
