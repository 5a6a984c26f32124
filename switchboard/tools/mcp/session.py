"""The adapter on the `mcp` SDK: open a client session over stdio or streamable HTTP, list tools, call one.

This is the only module that imports `mcp`. The SDK is pinned below 2.0 in pyproject.toml: 2.x renamed the client
entry points that autogen-ext 0.7.5 (our test peer) still imports, and both must run side by side.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.types import TextContent

from switchboard.models.chat import ToolSpec
from switchboard.tools.mcp.errors import McpConnectionError
from switchboard.tools.mcp.params import StdioServerParams, StreamableHttpServerParams


class McpSession:
    """An open MCP client session, in our terms: tool specs out, text results back."""

    def __init__(self, session: ClientSession) -> None:
        """Wrap an initialised SDK session."""
        self._session = session

    async def list_tools(self) -> list[ToolSpec]:
        """Every tool the server offers, as the model sees tools (name, description, JSON Schema of arguments)."""
        listed = await self._session.list_tools()
        return [
            ToolSpec(name=tool.name, description=tool.description or tool.name, parameters=dict(tool.inputSchema))
            for tool in listed.tools
        ]

    async def call_tool(self, name: str, arguments: dict[str, Any]) -> tuple[str, bool]:
        """Call `name` with `arguments`; the result's text (non-text parts described) and whether it is an error."""
        result = await self._session.call_tool(name, arguments)
        parts = [part.text if isinstance(part, TextContent) else f"[{part.type} content]" for part in result.content]
        if not parts and result.structuredContent is not None:
            parts = [str(result.structuredContent)]
        return "\n".join(parts), bool(result.isError)


@asynccontextmanager
async def open_session(params: StdioServerParams | StreamableHttpServerParams) -> AsyncIterator[McpSession]:
    """Connect to the server `params` describe and initialise the session; close everything on exit.

    Enter and exit it in one task (the SDK's transports are task-scoped).

    Raises:
        McpConnectionError: The server could not be started, reached or initialised.
    """
    opened = False
    try:
        async with AsyncExitStack() as stack:
            if isinstance(params, StdioServerParams):
                server = StdioServerParameters(
                    command=params.command,
                    args=params.args,
                    env=params.env,
                    cwd=params.cwd,
                    encoding=params.encoding,
                    encoding_error_handler=params.encoding_error_handler,
                )
                read, write = await stack.enter_async_context(stdio_client(server))
                timeout = timedelta(seconds=params.read_timeout_seconds)
            else:
                http = await stack.enter_async_context(
                    create_mcp_http_client(
                        headers=params.headers, timeout=httpx.Timeout(params.timeout, read=params.sse_read_timeout)
                    )
                )
                read, write, _ = await stack.enter_async_context(
                    streamable_http_client(params.url, http_client=http, terminate_on_close=params.terminate_on_close)
                )
                timeout = timedelta(seconds=params.timeout)
            session = await stack.enter_async_context(ClientSession(read, write, read_timeout_seconds=timeout))
            await session.initialize()
            opened = True
            yield McpSession(session)
    except Exception as error:  # the SDK raises OSError, httpx, anyio and McpError types alike (often grouped)
        if opened:
            raise  # the caller's own failure, or the server's mid-session: not a connection problem to relabel
        raise McpConnectionError(f"cannot open an MCP session with {_where(params)}: {_first(error)}") from error


def _first(error: BaseException) -> BaseException:
    # anyio's task groups wrap the transport's failure: report the innermost first cause.
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    return error


def _where(params: StdioServerParams | StreamableHttpServerParams) -> str:
    # The command or URL only: never the environment or headers, which may hold secrets.
    return params.url if isinstance(params, StreamableHttpServerParams) else params.command
