"""MCP tools: `McpWorkbench` over a stdio or streamable-HTTP server, under autogen-ext's names.

Importing this package loads the `mcp` SDK (the `mcp` extra); `switchboard.tools` itself does not.
"""

from switchboard.tools.mcp.errors import McpConfigError, McpConnectionError, McpError
from switchboard.tools.mcp.params import McpServerParams, StdioServerParams, StreamableHttpServerParams, ToolOverride
from switchboard.tools.mcp.tool import McpTool
from switchboard.tools.mcp.workbench import PROVIDER, McpWorkbench, McpWorkbenchConfig

__all__ = [
    "PROVIDER",
    "McpConfigError",
    "McpConnectionError",
    "McpError",
    "McpServerParams",
    "McpTool",
    "McpWorkbench",
    "McpWorkbenchConfig",
    "StdioServerParams",
    "StreamableHttpServerParams",
    "ToolOverride",
]
