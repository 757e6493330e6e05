"""A customer's addresses: models, request classes and operations.

See https://developer.paddle.com/api-reference/addresses/overview.
"""

from ._models import Address, AddressStatus
from ._namespace import Addresses
from ._operations import create_address, get_address, list_addresses, update_address
from ._requests import CreateAddress, ListAddresses, UpdateAddress

__all__ = [
    "Address",
    "AddressStatus",
    "Addresses",
    "CreateAddress",
    "ListAddresses",
    "UpdateAddress",
    "create_address",
    "get_address",
    "list_addresses",
    "update_address",
]
