"""The validator applies the Functions host's name rules and the Python worker's binding rules."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator

import azure.functions as func
import azurefunctions.extensions.bindings.servicebus as sb
import pytest

from switchboard.local_host.app_loader import load_app
from switchboard.local_host.errors import FunctionValidationError
from switchboard.local_host.validation import index_app
from tests.hosting.local.conftest import TOY_APP
from tests.support.processes import REPO_ROOT


def _queue_app(name: str | None = None, arg_name: str = "msg") -> Callable[[Callable[..., None]], func.FunctionApp]:
    """Register the decorated handler as a queue-triggered function of a fresh app."""

    def register(handler: Callable[..., None]) -> func.FunctionApp:
        app = func.FunctionApp()
        decorated = app.service_bus_queue_trigger(arg_name=arg_name, connection="C", queue_name="q")(handler)
        if name is not None:
            app.function_name(name)(decorated)
        return app

    return register


@pytest.fixture
def isolated_import() -> Iterator[None]:
    """`load_app` imports `function_app` from the script root as the worker does: undo that for other tests."""
    saved_path, saved_module = list(sys.path), sys.modules.get("function_app")
    yield
    sys.path[:] = saved_path
    if saved_module is None:
        sys.modules.pop("function_app", None)
    else:
        sys.modules["function_app"] = saved_module


@pytest.mark.usefixtures("isolated_import")
def test_the_toy_app_and_the_repository_app_would_be_accepted() -> None:
    assert {f.name for f in load_app(TOY_APP)} == {
        "plain",
        "sessions",
        "slow",
        "topic_listener",
        "hello",
        "secret",
        "tick",
    }
    repo_functions = load_app(REPO_ROOT)
    assert "health" in {f.name for f in repo_functions}


@pytest.mark.parametrize("bad_name", ["agent.planner", "host", "1agent", "a" * 129])
def test_function_names_the_host_rejects(bad_name: str) -> None:
    @_queue_app(bad_name)
    def handler(msg: func.ServiceBusMessage) -> None: ...

    with pytest.raises(FunctionValidationError, match="invalid function name") as caught:
        index_app(handler)
    assert caught.value.function_name == bad_name


def test_binding_names_with_a_double_underscore_are_rejected() -> None:
    @_queue_app("agent_ok", arg_name="my__msg")
    def handler(my__msg: func.ServiceBusMessage) -> None: ...

    with pytest.raises(FunctionValidationError, match="invalid binding name 'my__msg'"):
        index_app(handler)


def test_parameters_must_match_the_bindings() -> None:
    @_queue_app("agent_ok", arg_name="message")
    def handler(msg: func.ServiceBusMessage) -> None: ...

    with pytest.raises(
        FunctionValidationError, match=r"declared in Python but not in the function definition: \['msg'\]"
    ):
        index_app(handler)


def test_builtin_list_annotation_and_wrong_trigger_type_are_rejected() -> None:
    @_queue_app("agent_list")
    def listed(msg: list[func.ServiceBusMessage]) -> None: ...

    with pytest.raises(FunctionValidationError, match="invalid non-type annotation"):
        index_app(listed)

    @_queue_app("agent_http")
    def wrong(msg: func.HttpRequest) -> None: ...

    with pytest.raises(FunctionValidationError, match="do not match"):
        index_app(wrong)


def test_names_must_be_unique_ignoring_case() -> None:
    app = func.FunctionApp()
    for name in ("Agent_A", "agent_a"):

        def handler(msg: func.ServiceBusMessage) -> None: ...

        handler.__name__ = name
        app.function_name(name)(app.service_bus_queue_trigger(arg_name="msg", connection="C", queue_name="q")(handler))
    with pytest.raises(FunctionValidationError, match="unique"):
        index_app(app)


def test_context_and_settlement_actions_need_no_binding() -> None:
    @_queue_app("agent_sdk")
    def handler(
        msg: sb.ServiceBusReceivedMessage, actions: sb.ServiceBusMessageActions, context: func.Context
    ) -> None: ...

    (indexed,) = index_app(handler)
    assert set(indexed.unbound) == {"actions", "context"}
