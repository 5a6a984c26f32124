"""Load `function_app.py` as the Python worker does and index its functions."""

from __future__ import annotations

import importlib.util
import sys
import traceback
from pathlib import Path
from types import ModuleType

import azure.functions as func

from switchboard.local_host.errors import AppLoadError
from switchboard.local_host.validation import IndexedFunction, index_app

SCRIPT_FILE = "function_app.py"
# What this host can run; anything else is refused at start-up rather than silently ignored.
SUPPORTED_TRIGGERS = frozenset({"serviceBusTrigger", "httpTrigger", "timerTrigger"})
SUPPORTED_OUTPUTS = frozenset({"http"})


def load_app(script_root: Path) -> list[IndexedFunction]:
    """Import ``script_root/function_app.py``, find its one `FunctionApp` and index and validate its functions.

    The script root goes first on `sys.path` and the module is imported as `function_app`, as the worker does.

    Args:
        script_root: The app's directory.

    Returns:
        The indexed functions.

    Raises:
        AppLoadError: The file is missing, raises on import, holds no or several apps, or uses a binding this
            host does not run.
        FunctionValidationError: A function would be rejected by the Functions host or worker.
    """
    module = _import(script_root / SCRIPT_FILE)
    apps = [value for value in vars(module).values() if isinstance(value, func.FunctionRegister)]
    if not apps:
        raise AppLoadError(f"{script_root / SCRIPT_FILE}: no top-level FunctionApp instance")
    if len(apps) > 1:
        raise AppLoadError(f"{script_root / SCRIPT_FILE}: more than one FunctionApp instance at top level")
    app = apps[0]
    if not isinstance(app, func.FunctionApp):
        raise AppLoadError(f"{script_root / SCRIPT_FILE}: the top-level app must be a FunctionApp")
    functions = index_app(app)
    for function in functions:
        _check_supported(function)
    return functions


def _import(path: Path) -> ModuleType:
    if not path.is_file():
        raise AppLoadError(f"{path} not found (pass --script-root the directory that holds it)")
    root = str(path.parent.resolve())
    if root not in sys.path:
        sys.path.insert(0, root)
    spec = importlib.util.spec_from_file_location("function_app", path)
    if spec is None or spec.loader is None:
        raise AppLoadError(f"{path}: not importable")
    module = importlib.util.module_from_spec(spec)
    sys.modules["function_app"] = module
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        sys.modules.pop("function_app", None)
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        raise AppLoadError(f"{path} failed to load: {detail}") from error
    return module


def _check_supported(function: IndexedFunction) -> None:
    if function.trigger_type not in SUPPORTED_TRIGGERS:
        raise AppLoadError(
            f"function '{function.name}': trigger {function.trigger_type} is not run by the local host "
            f"(supported: {sorted(SUPPORTED_TRIGGERS)})"
        )
    if str(function.trigger.get("cardinality", "ONE")).upper() == "MANY":
        raise AppLoadError(f"function '{function.name}': cardinality MANY (batches) is not run by the local host")
    for binding in function.bindings:
        if binding is function.trigger:
            continue
        if str(binding.get("type")) not in SUPPORTED_OUTPUTS:
            raise AppLoadError(
                f"function '{function.name}': binding {binding.get('name')} of type {binding.get('type')} "
                "is not run by the local host (use the SDK from the function instead)"
            )
