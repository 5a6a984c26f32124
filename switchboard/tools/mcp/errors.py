"""The MCP workbench's errors: one root, so a host decides by type."""

from __future__ import annotations

from switchboard.errors import SwitchboardError


class McpError(SwitchboardError):
    """Root of the MCP workbench's errors."""


class McpConnectionError(McpError):
    """The MCP server could not be started, reached or initialised (a tool call reports it to the model instead)."""


class McpConfigError(McpError):
    """A workbench configuration (or its component JSON) is invalid."""
