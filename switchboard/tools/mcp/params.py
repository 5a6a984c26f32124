"""How to reach an MCP server, under autogen-ext's class and field names (`StdioServerParams` and its HTTP twin).

These are plain models (no `mcp` import), so a workbench's configuration validates and serialises without the SDK
loaded; the `type` field discriminates them in JSON exactly as in AutoGen's `McpWorkbench` component.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class StdioServerParams(BaseModel):
    """A server started as a local process, spoken to over its standard input and output.

    Attributes:
        command: The executable.
        args: Its arguments.
        env: Its environment (None: the MCP SDK's default, a safe subset of ours).
        cwd: Its working directory.
        encoding: The text encoding of the stream.
        encoding_error_handler: How undecodable bytes are handled (`strict`, `ignore`, `replace`).
        read_timeout_seconds: Seconds allowed for one request's answer.
    """

    model_config = ConfigDict(extra="forbid")

    type: Literal["StdioServerParams"] = "StdioServerParams"
    command: str
    args: list[str] = Field(default_factory=list)
    env: dict[str, str] | None = None
    cwd: str | None = None
    encoding: str = "utf-8"
    encoding_error_handler: Literal["strict", "ignore", "replace"] = "strict"
    read_timeout_seconds: float = 5


class StreamableHttpServerParams(BaseModel):
    """A server reached over MCP's streamable HTTP transport.

    Attributes:
        url: The endpoint, e.g. `http://127.0.0.1:8000/mcp`.
        headers: Extra request headers.
        timeout: Seconds allowed for one HTTP operation.
        sse_read_timeout: Seconds allowed between events of a streamed answer.
        terminate_on_close: Whether closing the session ends it on the server too.
    """

    model_config = ConfigDict(extra="forbid")

    type: Literal["StreamableHttpServerParams"] = "StreamableHttpServerParams"
    url: str
    headers: dict[str, Any] | None = None
    timeout: float = 30.0
    sse_read_timeout: float = 300.0
    terminate_on_close: bool = True


McpServerParams = Annotated[StdioServerParams | StreamableHttpServerParams, Field(discriminator="type")]
"""Either transport, told apart by `type` (AutoGen's SSE transport is not offered: MCP deprecated it)."""


class ToolOverride(BaseModel):
    """A new name and/or description for one server tool, as AutoGen's `tool_overrides` give it."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    description: str | None = None
