"""The countries Paddle supports, as two-letter codes: the one definition in the package."""

from __future__ import annotations

from typing import Final

__all__ = ["SUPPORTED_COUNTRY_CODES"]

# Fifteen codes a row, in the spec's (alphabetical) order.
# fmt: off
SUPPORTED_COUNTRY_CODES: Final = frozenset(
    {
        "AD", "AE", "AG", "AI", "AL", "AM", "AO", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA",
        "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
        "BT", "BV", "BW", "BZ", "CA", "CC", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR",
        "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE", "EG", "EH",
        "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF", "GG",
        "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
        "HN", "HR", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IS", "IT", "JE", "JM", "JO",
        "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI",
        "LK", "LR", "LS", "LT", "LU", "LV", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "MN",
        "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE",
        "NF", "NG", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK",
        "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RW", "SA", "SB",
        "SC", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SR", "ST", "SV", "SX", "SZ",
        "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW",
        "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VG", "VI", "VN", "VU", "WF", "WS",
        "XK", "YT", "ZA", "ZM",
    }
)
# fmt: on
"""The ISO 3166-1 alpha-2 codes Paddle accepts as an address's ``country_code`` (229 of them).

Copied from the ``country_code_supported`` enum of Paddle's OpenAPI spec (PaddleHQ/paddle-openapi,
``v1/openapi.yaml`` at commit 792a49e, 2025-05-27; ``tests/data/paddle-openapi/`` holds the cut the
tests compare this with). It is Paddle's list, not all of ISO 3166-1: it has ``XK`` (Kosovo, a
user-assigned code) and leaves out the countries Paddle does not sell to, such as ``RU``. Request
validation and ``paddle_async.testing.FakePaddle`` both check against it.
"""
