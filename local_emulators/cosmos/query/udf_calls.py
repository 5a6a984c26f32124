"""`udf.name(...)` in a query: the container's user-defined function, run in the JavaScript sandbox.

The handler passes the container's UDF sources in the query parameters under `UDF_PARAMETER`, so compiled
queries stay container-independent and cached results are keyed by the UDFs' text too.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Mapping
from typing import Any

from local_emulators.cosmos.query.errors import QueryError
from local_emulators.cosmos.query.values import UNDEFINED
from local_emulators.cosmos.scripting.sandbox import Sandbox, ScriptError, ScriptTimeoutError, literal

UDF_PARAMETER = "\x00udfs"
# A UDF evaluates one row: a tight per-call budget keeps a runaway one from stalling the query.
UDF_BUDGET_SECONDS = 1.0
_LOCAL = threading.local()


def _sandbox(source: str) -> tuple[Sandbox, str]:
    """A per-thread context holding the compiled function (contexts are not shared across threads)."""
    cache: dict[str, Sandbox] = _LOCAL.__dict__.setdefault("sandboxes", {})
    name = "__udf_" + hashlib.sha256(source.encode()).hexdigest()[:16]
    sandbox = cache.get(name)
    if sandbox is None:
        if len(cache) > 64:
            cache.clear()
        sandbox = Sandbox(UDF_BUDGET_SECONDS)
        sandbox.eval(f"var {name} = ({source}\n);")
        cache[name] = sandbox
    return sandbox, name


def call_udf(name: str, arguments: list[Any], params: Mapping[str, Any]) -> Any:
    """Run UDF `name` on `arguments`; a throw becomes the query's 400 with the script's message."""
    sources = params.get(UDF_PARAMETER) or {}
    source = sources.get(name)
    if source is None:
        raise QueryError(f"Unknown user-defined function 'udf.{name}'.")
    sandbox, function = _sandbox(source)
    sandbox.restart_budget()
    values = [None if value is UNDEFINED else value for value in arguments]
    try:
        result = sandbox.eval_json(f"{function}.apply(null, {literal(values)})")
    except (ScriptError, ScriptTimeoutError) as exc:
        raise QueryError(f"udf.{name}: {exc.message}") from exc
    return UNDEFINED if result is None else result


def compile_udf(name: str, args: list[Callable[[Any, Mapping[str, Any]], Any]]) -> Callable[[Any, Any], Any]:
    """The evaluator's function for one `udf.name(args...)` call."""
    return lambda b, p: call_udf(name, [arg(b, p) for arg in args], p)
