"""The checks `func start` makes before it runs an app: the host's name rules and the Python worker's binding rules.

The Functions host rejects a function whose name or binding names break its regexes, and the Python worker rejects
a function whose parameters and bindings disagree. This module applies the same rules to a loaded
`azure.functions.FunctionApp`, so a test can assert that an app "would be accepted by func start" without Core Tools.
"""

from __future__ import annotations

import inspect
import json
import re
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import azure.functions as func
from azurefunctions.extensions.base import GrpcClientType, SdkType

from switchboard.local_host.errors import FunctionValidationError

# Functions host Utility.cs: FunctionNameValidationRegex (case-insensitive) and the reserved name "host".
FUNCTION_NAME = re.compile(r"^[a-z][a-z0-9_\-]{0,127}$", re.IGNORECASE)
# Functions host >= 4.1038 BindingNameValidationRegex.
BINDING_NAME = re.compile(r"^(?!.*__)([a-zA-Z_][a-zA-Z0-9_]{0,127}|\$return)$")
RETURN = "$return"


@dataclass(frozen=True)
class IndexedFunction:
    """One function of the app as the host and worker see it after indexing.

    Attributes:
        name: The function name (`@app.function_name` or the Python name).
        user_function: The Python callable to invoke.
        bindings: The bindings of `get_function_json()`, in order.
        trigger: The one trigger binding among them.
        annotations: Each Python parameter's resolved annotation (`inspect.Parameter.empty` when none).
        unbound: Parameters without a binding that the worker fills itself (`func.Context`, gRPC client types).
        is_async: Whether the callable is a coroutine function.
    """

    name: str
    user_function: Callable[..., Any]
    bindings: tuple[Mapping[str, Any], ...]
    trigger: Mapping[str, Any]
    annotations: Mapping[str, Any]
    unbound: Mapping[str, Any]
    is_async: bool

    @property
    def trigger_type(self) -> str:
        """The trigger binding's type, e.g. `serviceBusTrigger` or `httpTrigger`."""
        return str(self.trigger["type"])

    @property
    def output_bindings(self) -> tuple[Mapping[str, Any], ...]:
        """Bindings with direction OUT, `$return` included."""
        return tuple(b for b in self.bindings if str(b.get("direction", "")).upper() == "OUT")


def index_app(app: func.FunctionApp) -> list[IndexedFunction]:
    """Index and validate every function of ``app``.

    Args:
        app: The loaded function app.

    Returns:
        The functions, in the app's order.

    Raises:
        FunctionValidationError: A function breaks a host or worker rule (the error names it).
    """
    try:
        functions = app.get_functions()
    except ValueError as error:  # the library's own unique-name and trigger checks
        raise FunctionValidationError("<app>", str(error)) from error
    indexed = [validate_function(function) for function in functions]
    seen: set[str] = set()
    for function in indexed:
        if function.name.lower() in seen:
            raise FunctionValidationError(function.name, "function names must be unique (case-insensitive)")
        seen.add(function.name.lower())
    return indexed


def validate_function(function: Any) -> IndexedFunction:
    """Validate one `azure.functions.decorators.function_app.Function`.

    Args:
        function: An element of `FunctionApp.get_functions()`.

    Returns:
        The function, indexed.

    Raises:
        FunctionValidationError: The name, a binding name, the trigger count or the parameters are invalid.
    """
    name = str(function.get_function_name())
    if not FUNCTION_NAME.match(name) or name.lower() == "host":
        raise FunctionValidationError(name, f"invalid function name (must match {FUNCTION_NAME.pattern}, not 'host')")
    bindings = tuple(json.loads(function.get_function_json())["bindings"])
    names = [str(b.get("name", "")) for b in bindings]
    for binding_name in names:
        if not BINDING_NAME.match(binding_name):
            raise FunctionValidationError(
                name, f"invalid binding name {binding_name!r} (must match {BINDING_NAME.pattern})"
            )
    if len(set(names)) != len(names):
        raise FunctionValidationError(name, f"binding names must be unique, got {names}")
    triggers = [b for b in bindings if str(b.get("type", "")).endswith("Trigger")]
    if len(triggers) != 1:
        raise FunctionValidationError(name, f"a function needs exactly one trigger, found {len(triggers)}")
    user_function = function.get_user_function()
    annotations = _parameter_annotations(name, user_function)
    bound = {n for n in names if n != RETURN}
    unbound = {p: a for p, a in annotations.items() if p not in bound}
    extra = sorted(p for p, a in unbound.items() if not _worker_supplied(p, a))
    if extra:
        raise FunctionValidationError(
            name, f"the following parameters are declared in Python but not in the function definition: {extra}"
        )
    missing = sorted(bound - set(annotations))
    if missing:
        raise FunctionValidationError(
            name, f"the following bindings are declared in the function definition but not in Python: {missing}"
        )
    for binding in bindings:
        if binding["name"] != RETURN:
            _check_annotation(name, binding, annotations[binding["name"]])
    return IndexedFunction(
        name=name,
        user_function=user_function,
        bindings=bindings,
        trigger=triggers[0],
        annotations=annotations,
        unbound=unbound,
        is_async=inspect.iscoroutinefunction(user_function),
    )


def _parameter_annotations(name: str, user_function: Callable[..., Any]) -> dict[str, Any]:
    try:
        hints = typing.get_type_hints(user_function)
    except Exception as error:  # an unresolvable annotation: the worker fails to index the same way
        raise FunctionValidationError(name, f"cannot resolve the parameter annotations: {error}") from error
    parameters = inspect.signature(user_function).parameters
    return {p: hints.get(p, inspect.Parameter.empty) for p in parameters}


def _worker_supplied(parameter: str, annotation: Any) -> bool:
    """The worker fills `context` and gRPC client types (e.g. ServiceBusMessageActions) without a binding."""
    if isinstance(annotation, type) and issubclass(annotation, GrpcClientType | func.Context):
        return True
    return parameter == "context" and annotation is inspect.Parameter.empty


def _check_annotation(name: str, binding: Mapping[str, Any], annotation: Any) -> None:
    binding_name = binding["name"]
    if annotation is inspect.Parameter.empty:
        return
    if isinstance(annotation, types.GenericAlias):  # list[...] instead of typing.List[...]
        raise FunctionValidationError(name, f"binding {binding_name} has invalid non-type annotation {annotation}")
    direction = str(binding.get("direction", "")).upper()
    if direction == "OUT":
        if typing.get_origin(annotation) is not func.Out:
            raise FunctionValidationError(name, f"output binding {binding_name} must be annotated func.Out[T]")
        return
    allowed = _ALLOWED_TRIGGER_TYPES.get(str(binding.get("type")))
    if allowed is None:
        return
    inner = typing.get_args(annotation)[0] if typing.get_origin(annotation) is list else annotation
    if not (isinstance(inner, type) and issubclass(inner, allowed)):
        raise FunctionValidationError(
            name, f'binding type "{annotation}" and dataType "{binding.get("type")}" of {binding_name} do not match'
        )


_ALLOWED_TRIGGER_TYPES: dict[str, tuple[type, ...]] = {
    "httpTrigger": (func.HttpRequest,),
    "serviceBusTrigger": (func.ServiceBusMessage, SdkType, str, bytes),
    "timerTrigger": (func.TimerRequest,),
}
