"""`FunctionTool`: validate the model's arguments, call the function (sync or async) within a timeout."""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Callable
from typing import Any, overload

from pydantic import BaseModel, ValidationError

from switchboard.models.chat import ToolCall, ToolResultMessage, ToolSpec
from switchboard.tools.schema import arguments_model, parameters_schema, split_docstring


class FunctionTool:
    """A tool the model can call, made from a typed Python function.

    Failures never raise out of `run`: bad arguments, exceptions in the function and timeouts come back as
    error results, so the model sees what went wrong and can try again.

    Example:
        >>> def add(a: int, b: int) -> int:
        ...     '''Add two numbers.
        ...
        ...     Args:
        ...         a: The first.
        ...         b: The second.
        ...     '''
        ...     return a + b
        >>> FunctionTool(add).spec.parameters["required"]
        ['a', 'b']
    """

    def __init__(
        self,
        func: Callable[..., Any],
        *,
        name: str | None = None,
        description: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        """Wrap `func`; its name, docstring summary and type hints describe the tool unless overridden."""
        self.func = func
        self.name = name or func.__name__
        summary, _ = split_docstring(func)
        self.description = description or summary or self.name
        self.timeout = timeout
        self.args_model = arguments_model(func, self.name)
        self.spec = ToolSpec(
            name=self.name, description=self.description, parameters=parameters_schema(self.args_model)
        )

    async def run(self, call: ToolCall) -> ToolResultMessage:
        """Validate `call`'s arguments, run the function, and wrap the outcome as a tool result."""
        try:
            raw = json.loads(call.arguments or "{}")
            args = self.args_model.model_validate(raw)
        except (ValueError, ValidationError) as error:
            return self._result(call, f"invalid arguments for {self.name}: {_short(error)}", is_error=True)
        kwargs = {field: getattr(args, field) for field in type(args).model_fields}
        try:
            value = await asyncio.wait_for(self._invoke(kwargs), timeout=self.timeout)
        except TimeoutError:
            return self._result(call, f"{self.name} timed out after {self.timeout:g}s", is_error=True)
        except Exception as error:
            return self._result(call, f"{self.name} failed: {type(error).__name__}: {error}", is_error=True)
        return self._result(call, _render(value), is_error=False)

    async def _invoke(self, kwargs: dict[str, Any]) -> Any:
        if inspect.iscoroutinefunction(self.func):
            return await self.func(**kwargs)
        # Sync tools run on a thread so a slow one cannot stall the event loop (and the timeout still fires).
        return await asyncio.to_thread(self.func, **kwargs)

    def _result(self, call: ToolCall, content: str, *, is_error: bool) -> ToolResultMessage:
        return ToolResultMessage(tool_call_id=call.id, name=self.name, content=content, is_error=is_error)

    def __repr__(self) -> str:
        return f"FunctionTool(name={self.name!r})"


@overload
def tool(func: Callable[..., Any], *, name: str | None = None, timeout: float = 30.0) -> FunctionTool: ...


@overload
def tool(
    func: None = None, *, name: str | None = None, timeout: float = 30.0
) -> Callable[[Callable[..., Any]], FunctionTool]: ...


def tool(
    func: Callable[..., Any] | None = None, *, name: str | None = None, timeout: float = 30.0
) -> FunctionTool | Callable[[Callable[..., Any]], FunctionTool]:
    """Decorator form of `FunctionTool`: `@tool` or `@tool(name=..., timeout=5)`."""

    def wrap(f: Callable[..., Any]) -> FunctionTool:
        return FunctionTool(f, name=name, timeout=timeout)

    return wrap(func) if func is not None else wrap


def _render(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    return json.dumps(value, default=str)


def _short(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in error.errors())
    return str(error)
