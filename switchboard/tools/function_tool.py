"""`FunctionTool`: validate the model's arguments, call the function (sync or async) within a timeout."""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
import uuid
from collections.abc import Callable
from typing import Any, Literal, overload

from pydantic import BaseModel, ValidationError

from switchboard.agent.cancellation import CancellationToken
from switchboard.agent.declarative import Declarative
from switchboard.errors import AgentDefinitionError, CancelledError
from switchboard.models.chat import ToolCall, ToolResultMessage, ToolSpec
from switchboard.tools.schema import arguments_model, parameters_schema, split_docstring

IDEMPOTENCY_KEY = "idempotency_key"
"""The parameter through which a side-effecting tool receives its idempotency key (hidden from the model)."""

CANCELLATION_TOKEN = "cancellation_token"
"""The parameter through which a tool receives the run's `CancellationToken` (hidden from the model), as in AutoGen."""

Approval = Literal["never", "always"]


class FunctionTool(Declarative):
    """A tool the model can call, made from a typed Python function.

    Failures never raise out of `run`: bad arguments, exceptions in the function and timeouts come back as
    error results, so the model sees what went wrong and can try again.

    A tool that changes something outside the run (sends mail, books, charges) declares `side_effects=True` and
    takes a keyword parameter `idempotency_key: str`. The host fills it with a key that is the same on every
    delivery of the step and in a second instance racing on it, and the model never sees it: the run, agent, message,
    step position and a hash of the tool name and its canonical arguments (`switchboard/agent/effect_keys.py`), so a
    retry of the same call (after a failure or a timeout) reuses the key and another call never shares it. The
    function does its effect at most once per key (an effect ledger).

    A tool declared with `approval="always"` is never called before a person approves the call: the agent pauses
    the run durably (`awaiting_input`) and a denied call comes back to the model as an error result; with
    `approval_timeout` (seconds) an unanswered request is denied after that long.

    A tool that takes a keyword parameter `cancellation_token: CancellationToken` receives the run's token; when the
    run is cancelled while the tool runs, the token is set and an async tool's task is cancelled, and `run` raises
    `CancelledError` instead of returning a result.

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
        side_effects: bool = False,
        approval: Approval = "never",
        approval_timeout: float | None = None,
    ) -> None:
        """Wrap `func`; its name, docstring summary and type hints describe the tool unless overridden.

        Raises:
            AgentDefinitionError: `side_effects` is set but `func` has no `idempotency_key` parameter.
        """
        self.func = func
        self.name = name or func.__name__
        summary, _ = split_docstring(func)
        self.description = description or summary or self.name
        self.timeout = timeout
        self.side_effects = side_effects
        if approval not in ("never", "always"):
            raise AgentDefinitionError(f"tool {self.name!r}: approval must be 'never' or 'always', not {approval!r}")
        self.approval: Approval = approval
        # Seconds a call may wait for its approval before it is denied (None: wait as long as it takes).
        self.approval_timeout = approval_timeout
        parameters = inspect.signature(func).parameters
        self.takes_cancellation = CANCELLATION_TOKEN in parameters
        if side_effects and IDEMPOTENCY_KEY not in inspect.signature(func).parameters:
            raise AgentDefinitionError(
                f"tool {self.name!r} has side effects: it needs an {IDEMPOTENCY_KEY!r} parameter to receive its key"
            )
        hidden = ((IDEMPOTENCY_KEY,) if side_effects else ()) + (
            (CANCELLATION_TOKEN,) if self.takes_cancellation else ()
        )
        self.args_model = arguments_model(func, self.name, exclude=hidden)
        self.spec = ToolSpec(
            name=self.name, description=self.description, parameters=parameters_schema(self.args_model)
        )

    async def run(
        self,
        call: ToolCall,
        *,
        idempotency_key: str | None = None,
        cancellation_token: CancellationToken | None = None,
        session_id: str | None = None,
    ) -> ToolResultMessage:
        """Validate `call`'s arguments, run the function, and wrap the outcome as a tool result.

        Args:
            call: The model's tool call.
            idempotency_key: For a side-effecting tool, the step's key; a fresh one when not given (no host
                redelivers the call then).
            cancellation_token: The run's token: handed to a tool that takes one, and cancels the call when set.
            session_id: The run's id, for tools whose state lives per run (a code session); a function tool
                ignores it.

        Raises:
            CancelledError: The token was set before or while the tool ran.
        """
        token = cancellation_token or CancellationToken()
        token.raise_if_cancelled()
        try:
            raw = json.loads(call.arguments or "{}")
            args = self.args_model.model_validate(raw)
        except (ValueError, ValidationError) as error:
            return self._result(call, f"invalid arguments for {self.name}: {_short(error)}", is_error=True)
        kwargs = {field: getattr(args, field) for field in type(args).model_fields}
        if self.side_effects:
            kwargs[IDEMPOTENCY_KEY] = idempotency_key or f"{self.name}:{uuid.uuid4()}"
        if self.takes_cancellation:
            kwargs[CANCELLATION_TOKEN] = token
        task = asyncio.ensure_future(asyncio.wait_for(self._invoke(kwargs), timeout=self.timeout))
        # The token may be set by a watcher of the run while the tool works: stop waiting for it then.
        stop = functools.partial(_cancel, task)
        token.add_callback(stop)
        try:
            value = await task
        except asyncio.CancelledError:
            if token.is_cancelled:
                raise CancelledError(f"the run was cancelled while {self.name} ran") from None
            raise
        except TimeoutError:
            return self._result(call, f"{self.name} timed out after {self.timeout:g}s", is_error=True)
        except Exception as error:
            return self._result(call, f"{self.name} failed: {type(error).__name__}: {error}", is_error=True)
        finally:
            token.remove_callback(stop)  # one token serves a whole in-process run: keep its list short
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
def tool(
    func: Callable[..., Any],
    *,
    name: str | None = None,
    timeout: float = 30.0,
    side_effects: bool = False,
    approval: Approval = "never",
) -> FunctionTool: ...


@overload
def tool(
    func: None = None,
    *,
    name: str | None = None,
    timeout: float = 30.0,
    side_effects: bool = False,
    approval: Approval = "never",
) -> Callable[[Callable[..., Any]], FunctionTool]: ...


def tool(
    func: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    timeout: float = 30.0,
    side_effects: bool = False,
    approval: Approval = "never",
) -> FunctionTool | Callable[[Callable[..., Any]], FunctionTool]:
    """Decorator form of `FunctionTool`: `@tool` or `@tool(name=..., timeout=5, side_effects=True, approval=...)`."""

    def wrap(f: Callable[..., Any]) -> FunctionTool:
        return FunctionTool(f, name=name, timeout=timeout, side_effects=side_effects, approval=approval)

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


def _cancel(task: asyncio.Future[Any]) -> None:
    task.cancel()
