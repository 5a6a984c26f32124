"""`McpTool`: one tool of an MCP server, shaped as a `FunctionTool` so agents approve and checkpoint it like any tool.

An agent runs a tool through its step gate (approval, then a checkpointed call keyed by the step), and the gate
only sees `FunctionTool`'s surface: `spec`, `approval`, `side_effects`, `run(call, ...)`. The arguments are checked
by the server against the schema it published; a failure of any kind comes back to the model as an error result.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Awaitable, Callable
from typing import Any

from switchboard.agent.cancellation import CancellationToken
from switchboard.errors import CancelledError
from switchboard.models.chat import ToolCall, ToolResultMessage, ToolSpec
from switchboard.tools.function_tool import Approval, FunctionTool

CallTool = Callable[[str, dict[str, Any]], Awaitable[tuple[str, bool]]]
"""Calls a server tool by its server-side name: `(name, arguments) -> (text, is_error)`."""


class McpTool(FunctionTool):
    """A server tool, callable by an agent; made by `McpWorkbench.tools()`, not directly."""

    def __init__(
        self,
        spec: ToolSpec,
        call_tool: CallTool,
        *,
        server_name: str,
        timeout: float = 30.0,
        approval: Approval = "never",
        approval_timeout: float | None = None,
    ) -> None:
        """Describe the tool by `spec` (its model-facing name, possibly overridden) and call it as `server_name`."""
        # FunctionTool's constructor reads a Python signature; an MCP tool has a JSON Schema instead.
        self.func = lambda **_: None
        self.name = spec.name
        self.description = spec.description
        self.spec = spec
        self.server_name = server_name
        self.timeout = timeout
        self.side_effects = False
        self.approval = approval
        self.approval_timeout = approval_timeout
        self.takes_cancellation = False
        self._call_tool = call_tool

    async def run(
        self,
        call: ToolCall,
        *,
        idempotency_key: str | None = None,
        cancellation_token: CancellationToken | None = None,
        session_id: str | None = None,
    ) -> ToolResultMessage:
        """Send `call` to the server and wrap its answer (or the failure) as a tool result.

        Raises:
            CancelledError: The token was set before or while the server worked.
        """
        # MCP has no idempotency keys or run sessions; the agent's checkpoint keeps a replay from calling again.
        del idempotency_key, session_id
        token = cancellation_token or CancellationToken()
        token.raise_if_cancelled()
        try:
            arguments = json.loads(call.arguments or "{}")
        except ValueError as error:
            return self._result(call, f"invalid arguments for {self.name}: {error}", is_error=True)
        if not isinstance(arguments, dict):
            return self._result(call, f"invalid arguments for {self.name}: expected a JSON object", is_error=True)
        task = asyncio.ensure_future(asyncio.wait_for(self._call_tool(self.server_name, arguments), self.timeout))
        stop = functools.partial(_cancel, task)
        token.add_callback(stop)
        try:
            text, is_error = await task
        except asyncio.CancelledError:
            if token.is_cancelled:
                raise CancelledError(f"the run was cancelled while {self.name} ran") from None
            raise
        except TimeoutError:
            return self._result(call, f"{self.name} timed out after {self.timeout:g}s", is_error=True)
        except Exception as error:
            return self._result(call, f"{self.name} failed: {type(error).__name__}: {error}", is_error=True)
        finally:
            token.remove_callback(stop)
        return self._result(call, text, is_error=is_error)

    def __repr__(self) -> str:
        return f"McpTool(name={self.name!r})"


def _cancel(task: asyncio.Future[Any]) -> None:
    task.cancel()
