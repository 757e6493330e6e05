"""A customer's businesses: models, request classes and operations.

See https://developer.paddle.com/api-reference/businesses/overview.
"""

from ._models import Business, BusinessContact, BusinessStatus
from ._namespace import Businesses
from ._operations import create_business, get_business, list_businesses, update_business
from ._requests import Contact, CreateBusiness, ListBusinesses, UpdateBusiness

__all__ = [
    "Business",
    "BusinessContact",
    "BusinessStatus",
    "Businesses",
    "Contact",
    "CreateBusiness",
    "ListBusinesses",
    "UpdateBusiness",
    "create_business",
    "get_business",
    "list_businesses",
    "update_business",
]
