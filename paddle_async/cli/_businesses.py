"""``paddle-async businesses …``: list, get, create, update a customer's businesses."""

from __future__ import annotations

import re

from ..businesses import Business, Contact, CreateBusiness, ListBusinesses, UpdateBusiness
from ._commands import json_object
from ._owned import Field, Owned, owned_group, owned_shape
from ._terminal import Column

__all__ = ["BUSINESSES"]

# "Jo Brown <jo@example.com>", or only the address.
_NAMED = re.compile(r"\s*(?P<name>.*?)\s*<(?P<email>[^<>]*)>\s*")


def contact(text: str) -> Contact:
    """Read ``--contact``: ``jo@example.com`` or ``Jo Brown <jo@example.com>``.

    Raises:
        ValidationError: The e-mail address or the name is not valid.
    """
    named = _NAMED.fullmatch(text)
    if named is None:
        return Contact(email=text.strip())
    return Contact(email=named["email"], name=named["name"] or None)


def _custom_data(text: str) -> object:
    return json_object(text, "--custom-data")


BUSINESS_SHAPE = owned_shape(
    Business,
    (
        Column("id", 30),
        Column("name", 28, flexible=True),
        Column("company_number", 16),
        Column("tax_identifier", 16),
        Column("status", 8),
    ),
    "businesses",
)

BUSINESSES = owned_group(
    Owned(
        name="businesses",
        singular="business",
        article="a business",
        namespace=lambda client: client.businesses,
        create=CreateBusiness,
        update=UpdateBusiness,
        list=ListBusinesses,
        fields=(
            Field(name="name", required=True, help="the business's name"),
            Field(name="company_number", clearable=True, help="the company number"),
            Field(name="tax_identifier", clearable=True, help="the tax or VAT number"),
            Field(
                name="contacts",
                option="--contact",
                many=True,
                clearable=True,
                parse=contact,
                help="'Jo Brown <jo@example.com>' or an address; repeat for more (an update "
                "replaces the whole list)",
            ),
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
                help="archived businesses are left out of listings",
            ),
        ),
        shape=BUSINESS_SHAPE,
        search="every field, contacts included, but status and the timestamps",
    )
)
