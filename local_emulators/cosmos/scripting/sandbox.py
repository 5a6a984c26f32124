"""A QuickJS context with no file system, no network, a memory cap and a wall-clock budget.

The `quickjs` package refuses calls from JavaScript into Python while a time limit is set, so scripts never
call Python: the collection API queues its requests in JavaScript (it is callback-based anyway) and the host
drains the queue between evaluations, each evaluation bounded by what is left of the budget.
"""

from __future__ import annotations

import json
import time
from typing import Any

import quickjs

from local_emulators.cosmos.errors import BadRequestError, CosmosEmulatorError

MEMORY_LIMIT_BYTES = 64 * 1024 * 1024
STACK_LIMIT_BYTES = 1024 * 1024


class ScriptError(BadRequestError):
    """A script threw, or is not valid JavaScript: Azure's 400 carrying the script's message."""


class ScriptTimeoutError(CosmosEmulatorError):
    """A script ran past its execution budget without yielding (Azure's 408)."""

    status = 408
    code = "RequestTimeout"


def script_message(exc: Exception) -> str:
    """Azure's wording for a script failure, with the JavaScript message (first line, no stack)."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"Encountered exception while executing Javascript. Exception = {first}"


class Sandbox:
    """One fresh JavaScript context; `quickjs` exposes no `std`/`os` modules, so scripts reach nothing outside.

    Args:
        budget_seconds: Wall-clock time every evaluation together may take.
    """

    def __init__(self, budget_seconds: float) -> None:
        self._context = quickjs.Context()
        self._context.set_memory_limit(MEMORY_LIMIT_BYTES)
        self._context.set_max_stack_size(STACK_LIMIT_BYTES)
        self._deadline = time.monotonic() + budget_seconds
        self.budget_seconds = budget_seconds

    def restart_budget(self) -> None:
        """Give the context its whole budget again (a UDF's context serves many calls, each bounded)."""
        self._deadline = time.monotonic() + self.budget_seconds

    def remaining(self) -> float:
        """Seconds left of the budget."""
        return self._deadline - time.monotonic()

    def eval(self, source: str) -> Any:
        """Evaluate `source` within what is left of the budget.

        Raises:
            ScriptTimeoutError: The budget ran out.
            ScriptError: The script threw or does not parse.
        """
        remaining = self.remaining()
        if remaining <= 0:
            raise ScriptTimeoutError("The script exceeded its allowed execution time.")
        self._context.set_time_limit(remaining)
        try:
            return self._context.eval(source)
        except quickjs.JSException as exc:
            if "interrupted" in str(exc).lower() or self.remaining() <= 0:
                raise ScriptTimeoutError("The script exceeded its allowed execution time.") from exc
            raise ScriptError(script_message(exc)) from exc
        finally:
            self._context.set_time_limit(-1)

    def eval_json(self, source: str) -> Any:
        """Evaluate an expression that yields JSON text and decode it (undefined becomes None)."""
        text = self.eval(f"(function(){{var v = ({source}); return v === undefined ? null : JSON.stringify(v);}})()")
        return None if text is None else json.loads(text)


def literal(value: Any) -> str:
    """A JSON value as JavaScript source text."""
    return json.dumps(value, ensure_ascii=True)
