"""Paddle's supported countries: one constant, equal to the spec's `country_code_supported`."""

from __future__ import annotations

from pathlib import Path

import yaml

from paddle_async._countries import SUPPORTED_COUNTRY_CODES

SPEC = Path(__file__).parent / "data" / "paddle-openapi" / "customer-area-openapi.yaml"


def test_the_constant_is_the_spec_enum() -> None:
    """SUPPORTED_COUNTRY_CODES holds exactly the spec's 229 supported codes."""
    document = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    enum = document["components"]["schemas"]["country_code_supported"]["enum"]
    assert (229, frozenset(enum)) == (len(enum), SUPPORTED_COUNTRY_CODES)


def test_kosovo_is_supported_and_russia_is_not() -> None:
    """The list is Paddle's, not ISO 3166-1's: XK is in it, RU and lowercase codes are not."""
    assert ("XK" in SUPPORTED_COUNTRY_CODES, "RU" in SUPPORTED_COUNTRY_CODES) == (True, False)
    assert "us" not in SUPPORTED_COUNTRY_CODES
