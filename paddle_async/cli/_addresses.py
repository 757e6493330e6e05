"""``paddle-async addresses …``: list, get, create, update a customer's addresses."""

from __future__ import annotations

from ..addresses import Address, CreateAddress, ListAddresses, UpdateAddress
from ._commands import json_object
from ._owned import Field, Owned, owned_group, owned_shape
from ._terminal import Column

__all__ = ["ADDRESSES"]


def _custom_data(text: str) -> object:
    return json_object(text, "--custom-data")


ADDRESS_SHAPE = owned_shape(
    Address,
    (
        Column("id", 30),
        Column("country_code", 12),
        Column("city", 20, flexible=True),
        Column("first_line", 30, flexible=True),
        Column("postal_code", 11),
        Column("status", 8),
    ),
    "addresses",
)

ADDRESSES = owned_group(
    Owned(
        name="addresses",
        singular="address",
        article="an address",
        namespace=lambda client: client.addresses,
        create=CreateAddress,
        update=UpdateAddress,
        list=ListAddresses,
        fields=(
            Field(name="country_code", required=True, help="two letters, such as US"),
            Field(name="description", clearable=True, help="such as 'Head Office'"),
            Field(name="first_line", clearable=True, help="the first line"),
            Field(name="second_line", clearable=True, help="the second line"),
            Field(name="city", clearable=True, help="the city"),
            Field(name="postal_code", clearable=True, help="required for some countries"),
            Field(name="region", clearable=True, help="state, county or region"),
            Field(
                name="custom_data",
                clearable=True,
                parse=_custom_data,
                option="--custom-data",
                help="a JSON object (replaces the old one)",
            ),
            Field(
                name="status",
                create=False,
                choices=("active", "archived"),
                help="archived addresses are left out of listings",
            ),
        ),
        shape=ADDRESS_SHAPE,
        search="every field but status and the timestamps",
    )
)
