"""A request of the wrong type, or its fields passed as keywords, get a TypeError saying what
to build, for every operation that takes a request class (namespace methods and functions)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from memory_sender import CUSTOMER_ID, MemorySender, envelope, page

import paddle_async
from paddle_async import Paddle
from paddle_async._resource import takes
from paddle_async._validation import Request
from paddle_async.customers import (
    CreateCustomer,
    Customers,
    ListCreditBalances,
    ListCustomers,
    UpdateCustomer,
    create_customer,
    list_credit_balances,
    list_customers,
    update_customer,
)
from paddle_async.testing import TEST_API_KEY

SENDER = MemorySender()
NAMESPACE = Customers(SENDER)

# (call with the request in its place, the request class)
CALLS: list[tuple[str, Callable[[Any], Any], type]] = [
    ("create_customer", lambda r: create_customer(SENDER, r), CreateCustomer),
    ("update_customer", lambda r: update_customer(SENDER, CUSTOMER_ID, r), UpdateCustomer),
    ("list_customers", lambda r: list_customers(SENDER, r), ListCustomers),
    (
        "list_credit_balances",
        lambda r: list_credit_balances(SENDER, CUSTOMER_ID, r),
        ListCreditBalances,
    ),
    ("Customers.create", lambda r: NAMESPACE.create(r), CreateCustomer),
    ("Customers.update", lambda r: NAMESPACE.update(CUSTOMER_ID, r), UpdateCustomer),
    ("Customers.list", lambda r: NAMESPACE.list(r), ListCustomers),
    (
        "Customers.list_credit_balances",
        lambda r: NAMESPACE.list_credit_balances(CUSTOMER_ID, r),
        ListCreditBalances,
    ),
]


async def outcome(result: Any) -> Any:
    return await result if inspect.isawaitable(result) else result


@pytest.mark.parametrize(("name", "call", "request_class"), CALLS, ids=[c[0] for c in CALLS])
async def test_a_dict_says_which_request_class_to_build(
    name: str, call: Callable[[Any], Any], request_class: type
) -> None:
    """A dict where the request goes: a TypeError naming the operation and ``Class(**data)``."""
    cls = request_class.__name__
    article = "an" if cls[0] in "AEIOU" else "a"
    expected = f"{name}() takes {article} {cls} as its request, got dict: build {cls}(**data)"
    with pytest.raises(TypeError) as caught:
        await outcome(call({"email": "ada@example.com"}))
    assert expected == str(caught.value)
    assert [] == SENDER.sent


@pytest.mark.parametrize(("name", "call", "request_class"), CALLS, ids=[c[0] for c in CALLS])
async def test_another_object_says_which_request_class_to_build(
    name: str, call: Callable[[Any], Any], request_class: type
) -> None:
    """Another request class is refused too, before anything is sent."""
    other = ListCustomers() if request_class is not ListCustomers else ListCreditBalances()
    with pytest.raises(
        TypeError, match=rf"takes an? {request_class.__name__} .* got {type(other).__name__}"
    ):
        await outcome(call(other))
    assert [] == SENDER.sent


async def test_fields_as_keywords_say_which_request_class_to_build() -> None:
    """``create(email=...)`` keeps Python's message and adds the class to build."""
    with pytest.raises(TypeError) as caught:
        await NAMESPACE.create(email="ada@example.com")  # type: ignore[call-arg]
    message = str(caught.value)
    assert "unexpected keyword argument 'email'" in message
    assert message.endswith("pass the request's fields as one CreateCustomer: CreateCustomer(...)")
    with pytest.raises(TypeError, match=r"one UpdateCustomer: UpdateCustomer\(\.\.\.\)$"):
        await update_customer(SENDER, CUSTOMER_ID, name="Ada")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"one ListCustomers: ListCustomers\(\.\.\.\)$"):
        NAMESPACE.list(per_page=5)  # type: ignore[call-arg]
    assert [] == SENDER.sent


async def test_right_requests_and_optional_none_still_work() -> None:
    """The checks pass a real request, and None where the request is optional."""
    sender = MemorySender(envelope([]), page([]), envelope([]))
    namespace = Customers(sender)
    assert [] == await namespace.list_credit_balances(CUSTOMER_ID, None)
    assert [] == await namespace.list(None).collect()
    assert [] == await list_credit_balances(sender, CUSTOMER_ID, request=ListCreditBalances())
    assert 3 == len(sender.sent)


async def test_paddle_send_takes_an_api_request_only() -> None:
    """`Paddle.send` given anything but an `ApiRequest` says so, before any I/O."""
    async with Paddle(TEST_API_KEY, base_url="http://127.0.0.1:9") as paddle:
        with pytest.raises(TypeError, match=r"takes an ApiRequest, got str: build ApiRequest"):
            await paddle.send("GET /customers")  # type: ignore[arg-type]


def test_a_type_error_inside_an_operation_is_not_reworded() -> None:
    """Only argument binding is explained; a TypeError raised inside passes unchanged."""

    @takes(ListCustomers)
    def operation(request: ListCustomers) -> None:
        raise TypeError("inside")

    with pytest.raises(TypeError) as caught:
        operation(ListCustomers())
    assert "inside" == str(caught.value)


def public_operations() -> Iterator[tuple[str, Callable[..., Any]]]:
    """Every public function and namespace method of every resource package."""
    for module_info in pkgutil.iter_modules(paddle_async.__path__):
        if module_info.name.startswith("_") or not module_info.ispkg:
            continue
        module = importlib.import_module(f"paddle_async.{module_info.name}")
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            if inspect.isfunction(value):
                yield f"{module_info.name}.{name}", value
            elif inspect.isclass(value) and value.__module__.endswith("._namespace"):
                for method_name, method in vars(value).items():
                    if inspect.isfunction(method) and not method_name.startswith("_"):
                        yield f"{module_info.name}.{name}.{method_name}", method


def takes_a_request_class(function: Callable[..., Any]) -> bool:
    parameter = inspect.signature(function).parameters.get("request")
    if parameter is None:
        return False
    hints = inspect.get_annotations(inspect.unwrap(function), eval_str=True)
    hint = hints.get("request")
    return any(
        isinstance(option, type) and issubclass(option, Request)
        for option in getattr(hint, "__args__", (hint,))
    )


def test_every_operation_with_a_request_class_checks_it() -> None:
    """Each operation taking a request class is wrapped by the check, and stays async if it was."""
    operations = [(n, f) for n, f in public_operations() if takes_a_request_class(f)]
    assert len(operations) >= len(CALLS)
    assert [] == [name for name, function in operations if not hasattr(function, "__wrapped__")]
    assert [] == [
        name
        for name, function in operations
        if inspect.iscoroutinefunction(function)
        != inspect.iscoroutinefunction(inspect.unwrap(function))
    ]
